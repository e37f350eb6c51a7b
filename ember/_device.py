"""Device objects and the array backend behind each device.

`cpu` tensors hold NumPy arrays, `cuda` tensors CuPy arrays. Op code never imports an array
library: it asks the tensor's device for its `xp` module.
"""
import numpy as _np

__all__ = ['device']


class device:
    """torch.device: a type ('cpu', 'cuda', 'meta') and an optional index."""
    __slots__ = ('type', 'index', '_xp')

    def __init__(self, type, index=None):
        if isinstance(type, device):
            self.type, self.index = type.type, type.index
            return
        if isinstance(type, int) and not isinstance(type, bool):
            type, index = 'cuda', type
        if not isinstance(type, str):
            raise TypeError(f"device() received an invalid combination of arguments - got ({type.__class__.__name__})")
        if not type:
            raise RuntimeError("Device string must not be empty")
        if ':' in type:
            if index is not None:
                raise RuntimeError(f"type (string) must not include an index because index was passed explicitly: {type}")
            type, _, idx = type.partition(':')
            if not (idx.isascii() and idx.isdigit()) or (len(idx) > 1 and idx[0] == '0'):
                raise RuntimeError(f"Invalid device string: '{type}:{idx}'")
            index = int(idx)
        if type not in ('cpu', 'cuda', 'meta', 'mps'):
            raise RuntimeError(f"Expected one of cpu, cuda, mps, meta device type at start of device string: {type}")
        if index is not None and index < 0:
            raise RuntimeError(f"Device index must not be negative")
        self.type, self.index = type, index

    @property
    def xp(self):
        """The array module holding tensors of this device (looked up once per device object)."""
        try:
            return self._xp
        except AttributeError:
            self._xp = backend(self)
            return self._xp

    def __repr__(self):
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other):
        # like torch.device, a device never equals a string ('cpu'): compare `.type` instead
        return isinstance(other, device) and self.type == other.type and self.index == other.index

    def __hash__(self):
        return hash((self.type, self.index))

    def __reduce__(self):
        return (device, (self.type, self.index))

    def __enter__(self):
        _DeviceContext.stack.append(self)
        return self

    def __exit__(self, *exc):
        _DeviceContext.stack.pop()


class _DeviceContext:
    stack = []


CPU = device('cpu')


def as_device(d):
    """Normalize a device argument (None, str, int, device) to a device; None means the default."""
    if d is None:
        return _DeviceContext.stack[-1] if _DeviceContext.stack else CPU
    if d.__class__ is device:
        if d.type == 'cpu':
            return CPU
        if d.type == 'cuda' and d.index is None:
            return device('cuda', _cuda_current_index())
        return d
    return as_device(device(d))


def _cuda_current_index():
    from . import cuda
    return cuda.current_device()


_BACKENDS = {'cpu': _np}


def backend(dev):
    """The array module (numpy or cupy) holding tensors of `dev`."""
    xp = _BACKENDS.get(dev.type)
    if xp is None:
        if dev.type == 'cuda':
            from . import cuda
            cuda._lazy_init()
            import cupy
            from . import _tensor
            _tensor._ARRAY_TYPES.add(cupy.ndarray)
            _BACKENDS['cuda'] = xp = cupy
        else:
            raise RuntimeError(f"ember has no array backend for device type '{dev.type}'")
    return xp
