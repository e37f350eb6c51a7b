"""dtype and device conversion: Tensor.to, the dtype shorthands (.float(), .long(), ...),
copy_ between devices/dtypes."""
from .. import _dtype as D
from .._device import as_device, device as _device_cls
from .._tensor import Tensor, register_methods
from ..autograd.function import Function
from ._util import inplace

__all__ = ['transfer']


def transfer(arr, src, dst):
    """Copy a backend array from device src to device dst."""
    if src.type == dst.type == 'cpu':
        return arr
    if dst.type == 'cpu':
        return arr.get()
    import cupy
    with cupy.cuda.Device(dst.index or 0):
        return cupy.asarray(arr)


class _ToCopy(Function, node_name='ToCopyBackward0'):
    @staticmethod
    def forward(ctx, a, dtype, device, copy):
        ctx.src = (a.dtype, a._storage.device)
        arr = a._data
        if device is not a._storage.device and device != a._storage.device:
            arr = transfer(arr, a._storage.device, device)
        return Tensor._from_array(arr.astype(dtype.np, copy=copy or arr is a._data), device)

    @staticmethod
    def backward(ctx, g):
        dtype, device = ctx.src
        if dtype.category < 2:
            return None, None, None, None
        return g.to(dtype=dtype, device=device), None, None, None


def _parse_to(args, kwargs):
    dtype = kwargs.pop('dtype', None)
    device = kwargs.pop('device', None)
    for a in args:
        if isinstance(a, D.dtype):
            dtype = a
        elif isinstance(a, Tensor):
            dtype, device = a.dtype, a.device
        elif isinstance(a, (str, _device_cls, int)):
            device = a
        else:
            raise TypeError(f"to() received an invalid combination of arguments - got ({type(a).__name__})")
    return dtype, device


def to(self, *args, non_blocking=False, copy=False, memory_format=None, **kwargs):
    """Convert dtype and/or device; returns self when nothing changes (unless copy=True)."""
    dtype, device = _parse_to(args, kwargs)
    device = self._storage.device if device is None else as_device(device)
    dtype = dtype or self.dtype
    if getattr(memory_format, 'name', '') in ('channels_last', 'channels_last_3d', 'contiguous_format'):
        if dtype is not self.dtype or device != self._storage.device:
            self = _ToCopy.apply(self, dtype, device, copy)
        return self.contiguous(memory_format=memory_format)
    if not copy and dtype is self.dtype and (device is self._storage.device or device == self._storage.device):
        return self
    return _ToCopy.apply(self, dtype, device, copy)


def _caster(dtype):
    def cast(self, memory_format=None):
        return to(self, dtype)
    cast.__name__ = dtype.name
    return cast


class _Copy(Function, node_name='CopyBackwards'):
    @staticmethod
    def forward(ctx, dst, src):
        ctx.src_meta = (src.dtype, src._storage.device)
        arr = src._data
        if src._storage.device != dst._storage.device:
            arr = transfer(arr, src._storage.device, dst._storage.device)
        xp = dst._storage.device.xp
        return xp.broadcast_to(arr, dst._data.shape).astype(dst._data.dtype)

    @staticmethod
    def backward(ctx, g):
        dtype, device = ctx.src_meta
        return g * 0, g.to(dtype=dtype, device=device)


def copy_(self, src, non_blocking=False):
    """Copy src's values into self (broadcast, cast, across devices)."""
    if not isinstance(src, Tensor):
        from .creation import tensor
        src = tensor(src)
    return inplace(self, _Copy.apply, src)


register_methods({
    'to': to, 'copy_': copy_,
    'float': _caster(D.float32), 'double': _caster(D.float64), 'half': _caster(D.float16),
    'bfloat16': _caster(D.bfloat16), 'long': _caster(D.int64), 'int': _caster(D.int32),
    'short': _caster(D.int16), 'char': _caster(D.int8), 'byte': _caster(D.uint8),
    'bool': _caster(D.bool), 'cfloat': _caster(D.complex64), 'cdouble': _caster(D.complex128),
})
