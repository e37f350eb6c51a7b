"""Module-level constants of the torch namespace: inf, nan, pi, e, newaxis and the memory
formats (contiguous_format, channels_last, channels_last_3d, preserve_format)."""
import math

__all__ = ['inf', 'nan', 'pi', 'e', 'newaxis', 'memory_format', 'contiguous_format',
           'channels_last', 'channels_last_3d', 'preserve_format']

inf = math.inf
nan = math.nan
pi = math.pi
e = math.e
newaxis = None


class memory_format:
    """A tensor memory layout tag (torch.channels_last ...); compared by identity."""
    __slots__ = ('name',)

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return 'torch.' + self.name

    def __reduce__(self):
        return self.name   # pickles as the module-level singleton


contiguous_format = memory_format('contiguous_format')
channels_last = memory_format('channels_last')
channels_last_3d = memory_format('channels_last_3d')
preserve_format = memory_format('preserve_format')


def _layout_perm(fmt, ndim):
    """Dim order (outermost first) of a memory format for an ndim tensor, or None for
    C order. channels_last needs 4 dims, channels_last_3d 5 (torch raises otherwise)."""
    name = getattr(fmt, 'name', None)
    if name == 'channels_last':
        if ndim != 4:
            raise RuntimeError("required rank 4 tensor to use channels_last format")
        return (0, 2, 3, 1)
    if name == 'channels_last_3d':
        if ndim != 5:
            raise RuntimeError("required rank 5 tensor to use channels_last_3d format")
        return (0, 2, 3, 4, 1)
    return None
