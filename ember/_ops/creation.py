"""Tensor creation: tensor/as_tensor/from_numpy, filled tensors (+ _like and Tensor.new_*),
empty_strided, complex/polar, fill_/zero_, and the legacy typed constructors
(ember.FloatTensor, ...). Ranges (arange, linspace, logspace, eye, tril/triu_indices) live in
ranges.py.

Python data is converted on the host with the CPU array module (nested lists are host
objects) and moved to the target device afterwards.
"""
import math as _math
import warnings as _warnings

from .. import _dtype as D
from .._device import as_device, backend, CPU
from .._tensor import Tensor, Size, register_methods, _TYPE_NAMES
from ..autograd.function import Function
from ..autograd.grad_mode import GradState

__all__ = ['tensor', 'as_tensor', 'asarray', 'from_numpy', 'zeros', 'ones', 'empty', 'full',
           'zeros_like', 'ones_like', 'empty_like', 'full_like', 'empty_strided', 'complex',
           'polar', 'FloatTensor', 'DoubleTensor', 'HalfTensor', 'BFloat16Tensor',
           'LongTensor', 'IntTensor', 'ShortTensor', 'CharTensor', 'ByteTensor', 'BoolTensor',
           'ComplexFloatTensor', 'ComplexDoubleTensor']

_pyrange, _pycomplex = range, complex
_HOST = backend(CPU)
_NUMBER_TYPES = (bool, int, float, _pycomplex)


def _finish(arr, device, requires_grad):
    """Wrap a backend array as a leaf tensor (honouring requires_grad and inference mode)."""
    t = Tensor._from_array(arr, device)
    if requires_grad:
        if arr.dtype.kind not in 'fcV':
            raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
        t._requires_grad = True
    if GradState.inference:
        t._inference = True
    return t


def _to_device(arr, device):
    """Move a host array to `device` (no copy on the CPU)."""
    if device.type == 'cpu':
        return arr
    from .conversion import transfer
    return transfer(arr, CPU, device)


def _type_label(x):
    t = type(x)
    return t.__name__ if t.__module__ == 'builtins' else f"{t.__module__}.{t.__name__}"


# ---------------------------------------------------------------------------- tensor()

def _leaf_dtype(x):
    """dtype a scalar leaf of nested data contributes (torch's inference)."""
    if isinstance(x, Tensor):
        return x.dtype
    if hasattr(x, 'dtype') and hasattr(x, '__array_interface__'):
        return D.from_numpy_dtype(x.dtype)
    if isinstance(x, _NUMBER_TYPES):
        return D._scalar_dtype(x)
    if isinstance(x, str):
        raise TypeError(f"new(): invalid data type '{type(x).__name__}'")
    raise RuntimeError(f"Could not infer dtype of {type(x).__name__}")


def _prepare(seq, dtypes):
    """Nested data -> nested lists NumPy can read; collects leaf dtypes (per sublist, not per
    element: number-only lists are checked with one `set(map(type, ...))`)."""
    kinds = set(map(type, seq))
    if kinds <= {bool, int, float, _pycomplex}:
        for k in kinds:
            dtypes.add(D._scalar_dtype(k()))
        return seq
    out = []
    for x in seq:
        if isinstance(x, (list, tuple)):
            out.append(_prepare(x, dtypes))
        elif isinstance(x, Tensor):
            if x._data.size != 1:   # torch's (odd) error types for multi-element tensors
                raise (ValueError if x.dtype.category >= D._FLOAT else TypeError)(
                    "only integer tensors of a single element can be converted to an index")
            dtypes.add(x.dtype)
            out.append(_host(x._data).reshape(()))
        elif hasattr(x, '__array_interface__'):
            dtypes.add(_leaf_dtype(x))
            out.append(x)
        elif isinstance(x, _NUMBER_TYPES):
            dtypes.add(D._scalar_dtype(x))
            out.append(x)
        elif hasattr(x, '__len__') and hasattr(x, '__getitem__') and not isinstance(x, str):
            out.append(_prepare(list(x), dtypes))
        else:
            dtypes.add(_leaf_dtype(x))
    return out


def _host(arr):
    get = getattr(arr, 'get', None)
    return arr if get is None or type(arr).__module__.startswith('numpy') else get()


def _ragged_error(data):
    """Torch's error for nested data whose lengths disagree (found by walking it); None when
    the nesting is consistent."""
    def is_seq(x):
        return isinstance(x, (list, tuple)) or (hasattr(x, '__len__') and hasattr(x, 'shape')
                                                 and getattr(x, 'ndim', 0) > 0)
    sizes = []
    x = data
    while is_seq(x):
        sizes.append(len(x))
        if not len(x):
            break
        x = x[0]

    def walk(x, dim):
        if dim == len(sizes):
            if is_seq(x):   # nested deeper than the first element is
                return TypeError(f"'{type(x).__name__}' object cannot be interpreted as an integer")
            return None
        if not is_seq(x):
            return TypeError("not a sequence")
        if len(x) != sizes[dim]:
            return ValueError(f"expected sequence of length {sizes[dim]} at dim {dim} (got {len(x)})")
        for y in x:
            e = walk(y, dim + 1)
            if e is not None:
                return e
        return None
    return walk(data, 0)


def _array_from_data(data, dtype):
    """Host array of `dtype` (None: inferred like torch) for Python data / NumPy input."""
    if isinstance(data, Tensor):
        arr = _host(data.detach()._data)
        return arr.astype((dtype or data.dtype).np, copy=True)
    if hasattr(data, '__array_interface__'):
        src = _HOST.asarray(data)
        src_dtype = D.from_numpy_dtype(src.dtype)
        return src.astype((dtype or src_dtype).np, copy=True)
    if isinstance(data, str):
        raise TypeError("new(): invalid data type 'str'")
    if isinstance(data, (list, tuple)) or (hasattr(data, '__len__') and hasattr(data, '__getitem__')
                                           and not isinstance(data, dict)):
        first = data
        while isinstance(first, (list, tuple)) and len(first):
            first = first[0]
        if isinstance(first, str):
            raise ValueError("too many dimensions 'str'")
        dtypes = set()
        nested = _prepare(list(data) if not isinstance(data, (list, tuple)) else data, dtypes)
        inferred = None
        for d in dtypes:
            inferred = d if inferred is None else D.promote_types(inferred, d)
        target = dtype or inferred or D.get_default_dtype()
    elif isinstance(data, _NUMBER_TYPES):
        nested = data
        target = dtype or D._scalar_dtype(data)
    else:
        _leaf_dtype(data)  # raises torch's error for unsupported objects
        raise RuntimeError(f"Could not infer dtype of {type(data).__name__}")
    build = target.np if target is not D.bfloat16 else D.float64.np
    try:
        with _warnings.catch_warnings():
            _warnings.simplefilter('ignore')
            arr = _HOST.array(nested, dtype=build)
    except OverflowError:
        arr = _overflowing(nested, target, explicit=dtype is not None)
    except (ValueError, TypeError):
        err = _ragged_error(nested) if isinstance(nested, list) else None
        if err is not None:
            raise err from None
        # consistent nesting: a value NumPy refused to convert (NaN/inf to an integer type)
        raise RuntimeError(f"value cannot be converted to type {target.name} without overflow") from None
    if arr.dtype.kind in 'US':
        raise TypeError("new(): invalid data type 'str'")
    return arr if build is target.np else arr.astype(target.np)


def _overflowing(nested, target, explicit):
    """Integer data out of range of `target`: torch wraps small negatives into unsigned types
    and raises for everything else."""
    if not explicit or target.category != D._INT:
        raise ValueError("Overflow when unpacking long long") if not explicit else \
            RuntimeError(f"value cannot be converted to type {target.name} without overflow")
    try:
        wide = _HOST.array(nested, dtype=object if target is D.uint64 else 'int64')
    except OverflowError:
        raise RuntimeError(f"value cannot be converted to type {target.name} without overflow") from None
    info = _HOST.iinfo(target.np)
    if (wide > info.max).any() or (wide < -info.max - 1).any():
        raise RuntimeError(f"value cannot be converted to type {target.name} without overflow")
    return wide.astype(target.np)


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """A new leaf tensor copying `data` (nested lists/tuples of numbers or 0-dim tensors,
    NumPy arrays and scalars, tensors); dtype inferred like torch (bool < int64 < default
    float < complex)."""
    if isinstance(data, Tensor):
        _warnings.warn("To copy construct from a tensor, it is recommended to use "
                       "sourceTensor.detach().clone() or sourceTensor.detach().clone()."
                       "requires_grad_(True), rather than torch.tensor(sourceTensor).",
                       UserWarning, stacklevel=2)
        device = data._storage.device if device is None else as_device(device)
        arr = data.detach()._data
        if data._storage.device != device:
            from .conversion import transfer
            arr = transfer(arr, data._storage.device, device)
        return _finish(arr.astype((dtype or data.dtype).np, copy=True), device, requires_grad)
    device = as_device(device)
    return _finish(_to_device(_array_from_data(data, dtype), device), device, requires_grad)


def as_tensor(data, dtype=None, device=None):
    """Like tensor(), but shares memory with `data` (a tensor or a NumPy array) when its dtype
    and device already match."""
    if isinstance(data, Tensor):
        if (dtype is None or data.dtype is dtype) and (device is None or as_device(device) == data.device):
            return data
        return data.to(dtype=dtype, device=device)
    if isinstance(data, _HOST.ndarray) and (device is None or as_device(device).type == 'cpu'):
        t = from_numpy(data)
        return t if dtype is None or t.dtype is dtype else t.to(dtype)
    return tensor(data, dtype=dtype, device=device)


def asarray(obj, *, dtype=None, device=None, copy=None, requires_grad=False):
    """torch.asarray: as_tensor with explicit control of copying (copy=False forbids it)."""
    if isinstance(obj, Tensor) or isinstance(obj, _HOST.ndarray):
        src = obj if isinstance(obj, Tensor) else from_numpy(obj)
        same_dt = dtype is None or src.dtype is dtype
        same_dev = device is None or as_device(device) == src.device
        if copy is False and not same_dt:
            raise ValueError(f"can't alias tensor with dtype '{_word(src.dtype)}' into dtype '{_word(dtype)}'.")
        if copy is False and not same_dev:
            raise ValueError(f"can't alias tensor from device '{src.device}' to '{as_device(device)}'.")
        if same_dt and same_dev and not copy:
            t = src
        else:
            t = src.detach().to(dtype=dtype or src.dtype, device=device or src.device, copy=True)
        if requires_grad:
            t = t.detach().requires_grad_(True) if t is src else t.requires_grad_(True)
        return t
    return tensor(obj, dtype=dtype, device=device, requires_grad=requires_grad)


def _word(d):
    from ._util import _type_word
    return _type_word(d)


def from_numpy(ndarray):
    """A CPU tensor sharing memory with a NumPy array (writes are seen both ways)."""
    if not isinstance(ndarray, _HOST.ndarray):
        raise TypeError(f"expected np.ndarray (got {_type_label(ndarray)})")
    if ndarray.dtype.kind in 'USOV' or ndarray.dtype not in D._BY_NP:
        raise TypeError(f"can't convert np.ndarray of type {_type_label(ndarray.dtype.type)}. The only "
                        "supported types are: float64, float32, float16, complex64, complex128, "
                        "int64, int32, int16, int8, uint64, uint32, uint16, uint8, and bool.")
    if any(s < 0 for s in ndarray.strides):
        raise ValueError("At least one stride in the given numpy array is negative, and tensors with "
                         "negative strides are not currently supported. (You can probably work around "
                         "this by making a copy of your array  with array.copy().) ")
    if not ndarray.flags.writeable:
        _warnings.warn("The given NumPy array is not writable, and PyTorch does not support "
                       "non-writable tensors. This means writing to this tensor will result in "
                       "undefined behavior.", UserWarning, stacklevel=2)
    return Tensor._from_array(ndarray, CPU)


# ---------------------------------------------------------------------------- filled tensors

def _size_args(size, name='zeros'):
    """Sizes given as varargs ints, one tuple/list/Size, or 0-dim integer tensors."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = size[0]
    elif size == (None,):
        raise TypeError(f"{name}() missing 1 required positional arguments: \"size\"")
    out = []
    for i, s in enumerate(size):
        if isinstance(s, Tensor) or hasattr(s, '__index__') and not isinstance(s, bool):
            s = s.__index__() if not isinstance(s, int) else s
        if not isinstance(s, int):
            raise TypeError(f"{name}(): argument 'size' failed to unpack the object at pos {i + 1} "
                            f"with error \"type must be tuple of ints,but got {type(s).__name__}\"")
        out.append(s)
    for s in out:
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: "
                               f"[{', '.join(map(str, out))}]")
    return tuple(out)


def _fill_array(xp, fill, shape, np_dtype):
    if fill is None:
        return xp.empty(shape, dtype=np_dtype)
    if type(fill) is int and fill in (0, 1):
        return (xp.zeros if fill == 0 else xp.ones)(shape, dtype=np_dtype)
    arr = xp.empty(shape, dtype=np_dtype)
    arr[...] = _cast_scalar(fill, np_dtype)
    return arr


def _cast_scalar(value, np_dtype):
    """A Python number converted to np_dtype the way torch does (ints wrap into unsigned
    types within range, raise otherwise)."""
    if np_dtype.kind in 'iu' and isinstance(value, int) and not isinstance(value, bool):
        info = _HOST.iinfo(np_dtype)
        if value > info.max or value < -info.max - 1:
            name = {'uint8': 'uint8_t', 'int8': 'int8_t', 'int16': 'int16_t', 'int32': 'int',
                    'int64': 'long int'}.get(np_dtype.name, np_dtype.name)
            raise RuntimeError(f"value cannot be converted to type {name} without overflow")
        return _HOST.array(value, dtype='int64' if value < 2 ** 63 else 'uint64').astype(np_dtype)
    if np_dtype.kind in 'iub' and isinstance(value, float) and not _math.isfinite(value) and np_dtype.kind != 'b':
        raise RuntimeError(f"value cannot be converted to type {np_dtype.name} without overflow")
    if np_dtype.kind not in 'c' and isinstance(value, _pycomplex):
        if np_dtype.kind == 'b':
            return value != 0
        raise RuntimeError(f"value cannot be converted to type {np_dtype.name} without overflow")
    with _warnings.catch_warnings():
        _warnings.simplefilter('ignore')
        return _HOST.array(value).astype(np_dtype)


def _filled(fill, size, dtype, device, requires_grad, out=None, name='zeros'):
    size = _size_args(size, name)
    if out is not None:
        dtype = dtype or out.dtype
        device = device or out.device
    device = as_device(device)
    dtype = dtype or D.get_default_dtype()
    t = _finish(_fill_array(backend(device), fill, size, dtype.np), device, requires_grad)
    if out is not None:
        from ._util import write_out
        return write_out(out, t)
    return t


def zeros(*args, size=None, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    """Tensor of zeros; size as varargs ints or one tuple/list/Size."""
    return _filled(0, args or (size,), dtype, device, requires_grad, out, 'zeros')


def ones(*args, size=None, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    return _filled(1, args or (size,), dtype, device, requires_grad, out, 'ones')


def empty(*args, size=None, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False,
          memory_format=None):
    """Uninitialized tensor (whatever the allocator holds, like torch)."""
    return _filled(None, args or (size,), dtype, device, requires_grad, out, 'empty')


def _fill_value(v):
    if isinstance(v, Tensor):
        return v.item()
    if hasattr(v, 'item') and hasattr(v, 'dtype'):
        return v.item()
    return v


def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None, requires_grad=False,
         pin_memory=False):
    """Tensor of `size` filled with fill_value (dtype inferred from the value like torch)."""
    if isinstance(size, int) and not isinstance(size, bool):
        raise TypeError("full(): argument 'size' (position 1) must be tuple of ints, not int")
    if isinstance(fill_value, Tensor) and dtype is None:
        dtype = fill_value.dtype if fill_value.dtype.category >= 2 else D._scalar_dtype(fill_value.item())
    fill_value = _fill_value(fill_value)
    if dtype is None and out is None:
        dtype = D._scalar_dtype(fill_value)
    return _filled(fill_value, (tuple(size),), dtype, device, requires_grad, out, 'full')


def _like(fill, input, dtype, device, requires_grad):
    """Same shape as input (and its strides' order for dense non-contiguous input, like torch)."""
    dtype = dtype or input.dtype
    device = as_device(device) if device is not None else input.device
    xp = backend(device)
    res = _empty_same_layout(xp, input._data, dtype.np)
    if fill is not None:
        res[...] = _fill_array(xp, fill, (), dtype.np)
    return _finish(res, device, requires_grad)


def _empty_same_layout(xp, arr, np_dtype):
    """An uninitialized array shaped like arr, with arr's dim order when arr is a permutation
    of a dense layout (torch's preserve_format); C-contiguous otherwise."""
    if arr.ndim < 2 or arr.flags.c_contiguous or 0 in arr.shape:
        return xp.empty(arr.shape, dtype=np_dtype)
    perm = sorted(_pyrange(arr.ndim), key=lambda d: (-abs(arr.strides[d]), d))
    expect = arr.itemsize
    for d in reversed(perm):
        if arr.shape[d] != 1 and arr.strides[d] != expect:
            return xp.empty(arr.shape, dtype=np_dtype)
        expect *= arr.shape[d]
    inv = [perm.index(d) for d in _pyrange(arr.ndim)]
    return xp.empty([arr.shape[d] for d in perm], dtype=np_dtype).transpose(inv)


def zeros_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    return _like(0, input, dtype, device, requires_grad)


def ones_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    return _like(1, input, dtype, device, requires_grad)


def empty_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    return _like(None, input, dtype, device, requires_grad)


def full_like(input, fill_value, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    return _like(_fill_value(fill_value), input, dtype, device, requires_grad)


def empty_strided(size, stride, *, dtype=None, layout=None, device=None, requires_grad=False,
                  pin_memory=False):
    """Uninitialized tensor with the given element strides (a view of a flat buffer)."""
    size, stride = _size_args((size,), 'empty_strided'), tuple(int(s) for s in stride)
    if len(size) != len(stride):
        raise RuntimeError(f"mismatch in length of strides and shape")
    device = as_device(device)
    dtype = dtype or D.get_default_dtype()
    xp = backend(device)
    n = 0 if 0 in size else 1 + sum((s - 1) * st for s, st in zip(size, stride))
    buf = xp.empty(n, dtype=dtype.np)
    arr = xp.lib.stride_tricks.as_strided(buf, size, tuple(st * buf.itemsize for st in stride))
    t = _finish(arr, device, requires_grad)
    t._storage.base = buf
    return t


# ---------------------------------------------------------------------------- Tensor.new_* / fill_

def new_tensor(self, data, *, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False):
    """A new tensor from data with self's dtype and device unless given."""
    device = self.device if device is None else device
    if isinstance(data, Tensor):
        _warnings.warn("To copy construct from a tensor, it is recommended to use "
                       "sourceTensor.detach().clone() or sourceTensor.detach().clone()."
                       "requires_grad_(True), rather than tensor.new_tensor(sourceTensor).",
                       UserWarning, stacklevel=2)
        data = _host(data.detach()._data)
    return tensor(data, dtype=dtype or self.dtype, device=device, requires_grad=requires_grad)


def _new_filled(fill, name):
    def new(self, *args, size=None, dtype=None, device=None, requires_grad=False, layout=None,
            pin_memory=False):
        return _filled(fill, args or (size,), dtype or self.dtype, device or self.device, requires_grad, None, name)
    new.__name__ = name
    new.__doc__ = f"{name}(*size): like ember.{name[4:]} with self's dtype and device."
    return new


def new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False, layout=None,
             pin_memory=False):
    return _filled(_fill_value(fill_value), (tuple(size),), dtype or self.dtype, device or self.device,
                   requires_grad, None, 'new_full')


class _Fill(Function, node_name='FillBackward2'):
    @staticmethod
    def forward(ctx, a, value):
        return _fill_array(a._storage.device.xp, value, a._data.shape, a._data.dtype)

    @staticmethod
    def backward(ctx, g):
        return zeros_like(g), None


class _Zero(Function, node_name='ZeroBackward0'):
    @staticmethod
    def forward(ctx, a):
        return a._storage.device.xp.zeros_like(a._data)

    @staticmethod
    def backward(ctx, g):
        return zeros_like(g)


def fill_(self, value):
    """Fill self with a number (or a 0-dim tensor's value), in place."""
    from ._util import inplace
    if isinstance(value, Tensor):
        if value._data.ndim:
            raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor with "
                               f"{value._data.ndim} dimensions.")
        value = value.item()
    return inplace(self, _Fill.apply, _fill_value(value))


def zero_(self):
    """Fill self with zeros, in place."""
    from ._util import inplace
    return inplace(self, _Zero.apply)


# ---------------------------------------------------------------------------- complex / polar

def _check_complex_args(a, b, what):
    for x in (a, b):
        if not isinstance(x, Tensor):
            raise TypeError(f"{what}(): argument must be Tensor, not {type(x).__name__}")
    ok = (D.float16, D.float32, D.float64)
    if a.dtype not in ok or b.dtype not in ok:
        raise RuntimeError(f"Expected both inputs to be Half, Float or Double tensors but got "
                           f"{_word(a.dtype)} and {_word(b.dtype)}")
    if a.dtype is not b.dtype:
        raise RuntimeError(f"Expected object of scalar type {_word(a.dtype)} but got scalar type "
                           f"{_word(b.dtype)} for second argument")


def _complex_np(dtype):
    return D.complex128.np if dtype is D.float64 else D.complex64.np


class _Real(Function, node_name='RealBackward0'):
    @staticmethod
    def forward(ctx, z):
        return z._data.real.copy()

    @staticmethod
    def backward(ctx, g):
        return complex(g, zeros_like(g))


class _Imag(Function, node_name='ImagBackward0'):
    @staticmethod
    def forward(ctx, z):
        return z._data.imag.copy()

    @staticmethod
    def backward(ctx, g):
        return complex(zeros_like(g), g)


class _Complex(Function, node_name='ComplexBackward0'):
    @staticmethod
    def forward(ctx, re, im):
        xp = re._storage.device.xp
        a, b = xp.broadcast_arrays(re._data, im._data)
        out = xp.empty(a.shape, dtype=_complex_np(re.dtype))
        out.real, out.imag = a, b
        return out

    @staticmethod
    def backward(ctx, g):
        return _Real.apply(g), _Imag.apply(g)


class _Polar(Function, node_name='PolarBackward0'):
    @staticmethod
    def forward(ctx, r, theta):
        ctx.save_for_backward(r, theta)
        xp = r._storage.device.xp
        a, b = xp.broadcast_arrays(r._data, theta._data)
        out = xp.empty(a.shape, dtype=_complex_np(r.dtype))
        out.real, out.imag = a * xp.cos(b), a * xp.sin(b)
        return out

    @staticmethod
    def backward(ctx, g):
        # g * e^{-i theta}: its real part is d/dr, r times its imaginary part is d/dtheta
        r, theta = ctx.saved_tensors
        w = g * _Polar.apply(ones_like(theta), -theta)
        return _Real.apply(w), r * _Imag.apply(w)


def complex(real, imag, *, out=None):
    """Complex tensor real + i*imag (both Half/Float/Double of the same dtype)."""
    _check_complex_args(real, imag, 'complex')
    from ._util import write_out, device_of
    from .elementwise import _check_broadcast
    device_of(real, imag)
    _check_broadcast(real._data.shape, imag._data.shape)
    return write_out(out, _Complex.apply(real, imag))


def polar(abs, angle, *, out=None):
    """Complex tensor abs * (cos(angle) + i*sin(angle))."""
    _check_complex_args(abs, angle, 'polar')
    from ._util import write_out, device_of
    from .elementwise import _check_broadcast
    device_of(abs, angle)
    _check_broadcast(abs._data.shape, angle._data.shape)
    return write_out(out, _Polar.apply(abs, angle))


# ---------------------------------------------------------------------------- legacy constructors

def _legacy_tensor_new(cls, args, kwargs):
    """torch.Tensor(...) / FloatTensor(...): no args -> empty, ints or a Size -> uninitialized,
    a tensor -> alias, data -> copy, with the class's dtype."""
    dtype = getattr(cls, '_legacy_dtype', None) or D.get_default_dtype()
    device = kwargs.pop('device', None)
    if kwargs:
        raise TypeError(f"new() received an invalid combination of arguments - got unexpected "
                        f"keyword arguments {', '.join(kwargs)}")
    if not args:
        t = _filled(None, ((0,),), dtype, device, False)
    elif len(args) == 1 and isinstance(args[0], Tensor):
        t = args[0].detach()   # an alias, whatever its dtype (as torch does in most contexts)
    elif all(isinstance(a, int) and not isinstance(a, bool) for a in args) or (
            len(args) == 1 and isinstance(args[0], Size)):
        t = _filled(None, args, dtype, device, False)
    else:
        if len(args) != 1:
            raise TypeError(f"new() received an invalid combination of arguments - got "
                            f"({', '.join(type(a).__name__ for a in args)})")
        t = tensor(args[0], dtype=dtype, device=device)
    if cls is not Tensor and isinstance(cls, type) and issubclass(cls, Tensor):
        obj = object.__new__(cls)
        obj.__dict__.update(t.__dict__)
        return obj
    return t


class _LegacyType(type):
    """Metaclass of ember.FloatTensor & co: calling one builds a plain Tensor of its dtype;
    isinstance(t, FloatTensor) is true for CPU float32 tensors (torch's tensortype)."""

    def __call__(cls, *args, **kwargs):
        return _legacy_tensor_new(cls, args, kwargs)

    def __instancecheck__(cls, obj):
        return isinstance(obj, Tensor) and obj.dtype is cls._legacy_dtype and obj.device.type == 'cpu'

    def __repr__(cls):
        return f"<class 'torch.{cls.__name__}'>"


def _legacy(name, dtype):
    cls = _LegacyType(name, (), {'_legacy_dtype': dtype, 'dtype': dtype, 'is_cuda': False,
                                 'is_sparse': False, '__doc__': f"Legacy constructor of {dtype} CPU tensors."})
    _TYPE_NAMES[name] = dtype
    _TYPE_NAMES['torch.' + name] = dtype
    return cls


FloatTensor = _legacy('FloatTensor', D.float32)
DoubleTensor = _legacy('DoubleTensor', D.float64)
HalfTensor = _legacy('HalfTensor', D.float16)
BFloat16Tensor = _legacy('BFloat16Tensor', D.bfloat16)
LongTensor = _legacy('LongTensor', D.int64)
IntTensor = _legacy('IntTensor', D.int32)
ShortTensor = _legacy('ShortTensor', D.int16)
CharTensor = _legacy('CharTensor', D.int8)
ByteTensor = _legacy('ByteTensor', D.uint8)
BoolTensor = _legacy('BoolTensor', D.bool)
ComplexFloatTensor = _legacy('ComplexFloatTensor', D.complex64)
ComplexDoubleTensor = _legacy('ComplexDoubleTensor', D.complex128)


register_methods({
    'new_tensor': new_tensor, 'new_zeros': _new_filled(0, 'new_zeros'),
    'new_ones': _new_filled(1, 'new_ones'), 'new_empty': _new_filled(None, 'new_empty'),
    'new_full': new_full, 'fill_': fill_, 'zero_': zero_,
})
