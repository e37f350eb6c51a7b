"""Tensor creation: tensor, as_tensor, from_numpy, zeros/ones/empty/full (+ _like)."""
from .. import _dtype as D
from .._device import as_device, backend, CPU
from .._tensor import Tensor, Size
from ..autograd.grad_mode import GradState

__all__ = ['tensor', 'as_tensor', 'from_numpy', 'zeros', 'ones', 'empty', 'full', 'zeros_like',
           'ones_like', 'empty_like', 'full_like']


def _finish(arr, device, requires_grad):
    t = Tensor._from_array(arr, device)
    if requires_grad:
        t.requires_grad_(True)
    if GradState.inference:
        t._inference = True
    return t


def _infer_dtype(data):
    """torch.tensor's dtype for nested Python data: bool < int64 < default float < complex."""
    cat = -1
    stack = [data]
    while stack:
        x = stack.pop()
        if isinstance(x, Tensor):
            d = x.dtype
            c = d.category
            if c >= 2:
                return None  # let numpy combine; handled by caller
            cat = max(cat, c)
        elif isinstance(x, (list, tuple)):
            stack.extend(x)
        elif isinstance(x, bool):
            cat = max(cat, 0)
        elif isinstance(x, int):
            cat = max(cat, 1)
        elif isinstance(x, float):
            cat = max(cat, 2)
        elif isinstance(x, complex):
            cat = max(cat, 3)
        elif hasattr(x, 'dtype'):
            cat = max(cat, D.from_numpy_dtype(x.dtype).category)
        else:
            raise TypeError(f"Could not infer dtype of {type(x).__name__}")
    if cat == -1:
        return D.get_default_dtype()
    return (D.bool, D.int64, D.get_default_dtype(), D._default_complex())[cat]


def _to_nested(data):
    if isinstance(data, Tensor):
        return data.detach().cpu()._data
    if isinstance(data, (list, tuple)):
        return [_to_nested(x) for x in data]
    return data


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """A new tensor copying `data` (nested lists, numbers, NumPy arrays, tensors)."""
    device = as_device(device)
    xp = backend(device)
    if isinstance(data, Tensor):
        arr = data.detach()._data
        if data._storage.device is not device:
            from .conversion import transfer
            arr = transfer(arr, data._storage.device, device)
        arr = arr.astype(dtype.np if dtype else arr.dtype, copy=True)
        return _finish(arr, device, requires_grad)
    if hasattr(data, '__array_interface__') or hasattr(data, '__cuda_array_interface__'):
        src = xp.asarray(data)
        if dtype is None:
            dtype = D.from_numpy_dtype(src.dtype)
        return _finish(src.astype(dtype.np, copy=True), device, requires_grad)
    if dtype is None:
        dtype = _infer_dtype(data)
    nested = _to_nested(data)
    try:
        arr = xp.array(nested, dtype=dtype.np if dtype is not None else None)
    except (ValueError, TypeError) as e:
        raise ValueError(f"expected sequence of length consistent with the first element ({e})") from None
    except OverflowError:
        raise RuntimeError(f"value cannot be converted to type {dtype.name} without overflow") from None
    if dtype is None:
        dtype = D.from_numpy_dtype(arr.dtype)
        arr = arr.astype(dtype.np)
    return _finish(arr, device, requires_grad)


def as_tensor(data, dtype=None, device=None):
    """Like tensor(), but shares memory with `data` when dtype and device already match."""
    if isinstance(data, Tensor):
        if (dtype is None or data.dtype is dtype) and (device is None or as_device(device) == data.device):
            return data
        return data.to(dtype=dtype, device=device)
    if hasattr(data, '__array_interface__') and (device is None or as_device(device).type == 'cpu'):
        t = from_numpy(backend(CPU).asarray(data))
        return t if dtype is None or t.dtype is dtype else t.to(dtype)
    return tensor(data, dtype=dtype, device=device)


asarray = as_tensor


def from_numpy(ndarray):
    """A CPU tensor sharing memory with a NumPy array."""
    if not hasattr(ndarray, '__array_interface__') or not hasattr(ndarray, 'strides'):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    D.from_numpy_dtype(ndarray.dtype)
    if any(s < 0 for s in ndarray.strides):
        raise ValueError("At least one stride in the given numpy array is negative, and tensors with "
                         "negative strides are not currently supported. (You can probably work around "
                         "this by making a copy of your array  with array.copy().) ")
    return Tensor._from_array(ndarray, CPU)


def _size_args(size):
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = size[0]
    out = []
    for s in size:
        if isinstance(s, Tensor):
            s = int(s)
        if not isinstance(s, int):
            raise TypeError(f"expected a sequence of integers or a single integer, got '{s!r}'")
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: [{', '.join(map(str, size))}]")
        out.append(s)
    return tuple(out)


def _filled(fill, size, dtype, device, requires_grad, out=None):
    device = as_device(device)
    dtype = dtype or D.get_default_dtype()
    xp = backend(device)
    size = _size_args(size)
    if fill is None:
        arr = xp.empty(size, dtype=dtype.np)
    elif fill == 0:
        arr = xp.zeros(size, dtype=dtype.np)
    else:
        arr = xp.full(size, fill, dtype=dtype.np)
    t = _finish(arr, device, requires_grad)
    if out is not None:
        from ._util import write_out
        return write_out(out, t)
    return t


def zeros(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    return _filled(0, size, dtype, device, requires_grad, out)


def ones(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    return _filled(1, size, dtype, device, requires_grad, out)


def empty(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False,
          memory_format=None):
    return _filled(None, size, dtype, device, requires_grad, out)


def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """Tensor of `size` filled with fill_value (dtype inferred from the value like torch)."""
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    if dtype is None:
        dtype = D._scalar_dtype(fill_value)
    return _filled(fill_value, (tuple(size),) if not isinstance(size, int) else (size,), dtype,
                   device, requires_grad, out)


def _like(fill, input, dtype, device, requires_grad):
    return _filled(fill, (input._data.shape,), dtype or input.dtype, device or input.device, requires_grad)


def zeros_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    return _like(0, input, dtype, device, requires_grad)


def ones_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    return _like(1, input, dtype, device, requires_grad)


def empty_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    return _like(None, input, dtype, device, requires_grad)


def full_like(input, fill_value, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    return _filled(fill_value, (input._data.shape,), dtype or input.dtype, device or input.device,
                   requires_grad)


def _legacy_tensor_new(cls, args, kwargs):
    """torch.Tensor(...) / FloatTensor(...): sizes -> uninitialized, data -> copy, default dtype."""
    dtype = getattr(cls, '_legacy_dtype', None) or D.get_default_dtype()
    device = kwargs.get('device')
    if len(args) == 1 and not isinstance(args[0], int):
        t = tensor(args[0], dtype=dtype, device=device)
    else:
        t = _filled(None, args, dtype, device, False)
    if cls is not Tensor:
        obj = object.__new__(cls)
        obj.__dict__.update(t.__dict__)
        return obj
    return t
