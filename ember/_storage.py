"""Storage: the memory a tensor and all its views share, and their version counter."""

__all__ = ['Storage']


class Storage:
    """Holds the base array (owner of the memory), its device and the version counter.

    Every in-place write through any view bumps `version`; autograd compares it with the
    version recorded when a tensor was saved for backward.
    """
    __slots__ = ('base', 'device', 'version')

    def __init__(self, base, device):
        self.base = base
        self.device = device
        self.version = 0

    def data_ptr(self):
        return _ptr(self.base)

    def nbytes(self):
        return self.base.nbytes

    def size(self):
        return self.base.size

    def __len__(self):
        return self.base.nbytes


def _ptr(arr):
    iface = getattr(arr, '__array_interface__', None)
    if iface is not None:
        return iface['data'][0]
    return arr.data.ptr
