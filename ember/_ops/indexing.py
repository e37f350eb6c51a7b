"""Indexing: `Tensor.__getitem__` / `__setitem__` with torch's semantics, index_put, masked
ops, take/put and nonzero. The gather/scatter/index_* family lives in `scatter.py`.

A key is split in two phases, as torch does: ints, slices, None and Ellipsis are applied first
as one *view* (memory shared with self, replayable so in-place writes through it reach the
base's history); integer/bool index arrays are then applied to that view as one advanced
indexing step, which copies. Index arrays are kept per dim of the view (`None` = whole dim),
the same layout `index_put` uses, so getitem's backward is an accumulating index_put.
"""
import warnings

from .. import _dtype as D
from .._tensor import Tensor, register_methods
from ..autograd.function import Function
from ..autograd.grad_mode import GradState
from ._util import inplace, write_out, _type_word

__all__ = ['index_put', 'index_put_', 'nonzero', 'argwhere']

_FULL = slice(None)   # the "whole dim" placeholder (compared by identity)
_INDEX_DTYPE_MSG = "tensors used as indices must be long, int, byte or bool tensors"
_CTYPE = {'float32': 'float', 'float64': 'double', 'float16': 'c10::Half', 'bfloat16': 'c10::BFloat16',
          'int64': 'long', 'int32': 'int', 'int16': 'short', 'int8': 'signed char',
          'uint8': 'unsigned char', 'bool': 'bool', 'complex64': 'c10::complex<float>',
          'complex128': 'c10::complex<double>'}


# ---------------------------------------------------------------------------- array helpers

def _add_at(xp, arr, key, values):
    """arr[key] += values, repeated indices accumulating (the one scatter-add kernel).

    NumPy: np.add.at. CUDA backends swap this for cupyx.scatter_add."""
    if xp.__name__ == 'numpy':
        xp.add.at(arr, key, values)
    else:  # pragma: no cover - CuPy
        import cupyx
        cupyx.scatter_add(arr, key, values)


def _ufunc_at(xp, name, arr, key, values):
    """arr[key] = name(arr[key], values) unbuffered ('add', 'multiply', 'maximum', 'minimum')."""
    if name == 'add':
        return _add_at(xp, arr, key, values)
    getattr(xp, name).at(arr, key, values)


def _broadcast_shapes(shapes):
    """Broadcast shape of index arrays; torch's IndexError when they don't broadcast."""
    nd = max((len(s) for s in shapes), default=0)
    out = [1] * nd
    for s in shapes:
        for i, n in enumerate(s, nd - len(s)):
            if out[i] == 1:
                out[i] = n
            elif n != 1 and n != out[i]:
                raise IndexError("shape mismatch: indexing tensors could not be broadcast together "
                                 "with shapes " + ', '.join(str(list(x)) for x in shapes))
    return tuple(out)


def _np_key(idx):
    return tuple(_FULL if i is None else i for i in idx)


def _adv_shape(shape, idx):
    """Shape of view[idx] for per-dim index arrays (NumPy/torch placement rules)."""
    pos = [d for d, i in enumerate(idx) if i is not None]
    b = _broadcast_shapes([idx[d].shape for d in pos])
    if pos[-1] - pos[0] + 1 == len(pos):
        return tuple(shape[:pos[0]]) + b + tuple(shape[pos[-1] + 1:])
    return b + tuple(s for d, s in enumerate(shape) if d >= len(idx) or idx[d] is None)


def _adv_indices(shape, adv):
    """Per-dim index tuple from [(dim, int array)], bounds-checked like torch."""
    n = max(d for d, _ in adv) + 1
    idx = [None] * n
    for ordinal, (d, arr) in enumerate(adv):
        size = shape[d]
        if arr.size:
            lo, hi = int(arr.min()), int(arr.max())
            if lo < -size or hi >= size:
                flat = arr.reshape(-1)
                bad = int(flat[((flat < -size) | (flat >= size)).nonzero()[0][0]])
                raise IndexError(f"index {bad} is out of bounds for dimension {ordinal} with size {size}")
        idx[d] = arr
    idx = tuple(idx)
    _broadcast_shapes([a.shape for a in idx if a is not None])
    return idx


def _mask_indices(arr, shape, d, xp):
    """Bool mask over dims d..d+k of `shape` -> [(dim, int array)], with torch's shape check."""
    for j, m in enumerate(arr.shape):
        if d + j >= len(shape) or m != shape[d + j]:
            raise IndexError(f"The shape of the mask {list(arr.shape)} at index {j} does not match the "
                             f"shape of the indexed tensor {list(shape)} at index {d + j}")
    return list(enumerate(xp.nonzero(arr), d))


def _expand_msg(target, vshape):
    for i in range(1, max(len(target), len(vshape)) + 1):
        t = target[-i] if i <= len(target) else 1
        v = vshape[-i] if i <= len(vshape) else 1
        if v != t and v != 1:
            return (f"The expanded size of the tensor ({t}) must match the existing size ({v}) at "
                    f"non-singleton dimension {len(target) - i}.  Target sizes: {list(target)}.  "
                    f"Tensor sizes: {list(vshape)}")
    return f"shape mismatch: value tensor of shape {list(vshape)} cannot be broadcast to {list(target)}"


def _value_fits(vshape, target):
    """Whether a value of vshape can be written into target (leading 1-dims may be dropped)."""
    extra = len(vshape) - len(target)
    if extra > 0:
        if any(s != 1 for s in vshape[:extra]):
            return False
        vshape = vshape[extra:]
    return all(v == 1 or v == t for v, t in zip(vshape[::-1], target[::-1]))


def _fit_value(value, target, adv):
    """Check value broadcasts to target; drop extra leading 1-dims (differentiably)."""
    if not isinstance(value, Tensor):
        return value
    vshape = value._data.shape
    if not _value_fits(vshape, target):
        if adv:
            raise RuntimeError(f"shape mismatch: value tensor of shape {list(vshape)} cannot be broadcast "
                               f"to indexing result of shape {list(target)}")
        raise RuntimeError(_expand_msg(target, vshape))
    if len(vshape) > len(target):
        value = value.reshape(vshape[len(vshape) - len(target):])
    return value


def _broadcast_shapes_rt(a, b):
    """Broadcast of two shapes with torch's RuntimeError for tensors."""
    nd = max(len(a), len(b))
    out = []
    for i in range(nd):
        x = a[i - nd + len(a)] if i >= nd - len(a) else 1
        y = b[i - nd + len(b)] if i >= nd - len(b) else 1
        if x != y and x != 1 and y != 1:
            raise RuntimeError(f"The size of tensor a ({x}) must match the size of tensor b ({y}) at "
                               f"non-singleton dimension {i}")
        out.append(y if x == 1 else x)
    return tuple(out)


# ---------------------------------------------------------------------------- key parsing

def _seq_as_tuple(seq):
    """torch's legacy rule: a short list holding slices/None/.../sequences is a tuple key."""
    if len(seq) >= 32:
        return False
    for k in seq:
        if k is None or k is Ellipsis or isinstance(k, (Tensor, list, tuple, slice)):
            return True
    return False


def _array_item(arr, from_tensor):
    """An index array (or 0-dim one) as an int, bool, int array or bool array."""
    kind = arr.dtype.kind
    if kind == 'u' and arr.dtype.itemsize == 1:
        warnings.warn("indexing with dtype torch.uint8 is now deprecated, please use a dtype "
                      "torch.bool instead.", UserWarning, stacklevel=4)
        arr = arr.astype(bool)
        kind = 'b'
    if kind == 'b':
        return bool(arr) if arr.ndim == 0 else arr
    if kind in 'iu':
        if arr.ndim == 0:
            return int(arr)
        if from_tensor and arr.dtype.itemsize < 4:
            raise IndexError(_INDEX_DTYPE_MSG)
        return arr
    if kind == 'f' and not from_tensor:   # lists / NumPy arrays of floats are cast (as torch)
        return arr.astype('int64') if arr.ndim else int(arr)
    raise IndexError(_INDEX_DTYPE_MSG)


def _items(self, key):
    """Normalize a key into a list of int / bool / slice / None / Ellipsis / index arrays."""
    if type(key) is not tuple:
        if isinstance(key, list) and _seq_as_tuple(key):
            warnings.warn("Using a non-tuple sequence for multidimensional indexing is deprecated; use "
                          "x[tuple(seq)] instead of x[seq].", UserWarning, stacklevel=3)
            key = tuple(key)
        else:
            key = (key,)
    out = []
    dev = self._storage.device
    xp = dev.xp
    for k in key:
        tk = type(k)
        if k is None or k is Ellipsis or tk is slice or tk is int or tk is bool:
            out.append(k)
        elif isinstance(k, Tensor):
            arr = k._data
            if k._storage.device != dev:
                from .._tensor import _to_host
                arr = xp.asarray(_to_host(arr))
            out.append(_array_item(arr, True))
        elif isinstance(k, float):
            raise IndexError("only integers, slices (`:`), ellipsis (`...`), None and long or byte "
                             "Variables are valid indices (got float)")
        elif isinstance(k, (list, tuple)):
            from .creation import tensor
            try:
                arr = tensor(list(k), device=dev)._data if k else xp.zeros(0, dtype='int64')
            except (TypeError, ValueError, RuntimeError):
                raise IndexError(_INDEX_DTYPE_MSG) from None
            out.append(_array_item(arr, False))
        elif hasattr(k, 'dtype') and hasattr(k, 'shape'):   # NumPy/CuPy arrays and scalars
            if type(k).__module__ == 'numpy' and type(k).__name__ in ('bool', 'bool_'):
                raise IndexError("only integers, slices (`:`), ellipsis (`...`), None and long or byte "
                                 "Variables are valid indices (got numpy.bool)")
            out.append(_array_item(xp.asarray(k), False))
        elif hasattr(k, '__index__'):
            out.append(k.__index__())
        else:
            raise TypeError(f"new(): invalid data type '{type(k).__name__}'")
    return out


def _slice_args(s, size):
    start, stop, step = s.start, s.stop, s.step
    try:
        start = None if start is None else start.__index__()
        stop = None if stop is None else stop.__index__()
        step = 1 if step is None else step.__index__()
    except AttributeError:
        raise TypeError("slice indices must be integers or None or have an __index__ method") from None
    if step == 0:
        raise ValueError("slice step cannot be zero")
    if step < 0:
        raise ValueError("step must be greater than zero")
    return slice(start, stop, step).indices(size)


def _parse(self, key):
    """(basic key, [(view dim, int array)], class of the last view op) for self[key]."""
    items = _items(self, key)
    shape = self._data.shape
    ndim = len(shape)
    consumed = n_ell = 0
    has_int = False
    for it in items:
        t = type(it)
        if it is None or t is bool:
            continue
        if it is Ellipsis:
            n_ell += 1
        elif t is int:
            consumed += 1
            has_int = True
        elif t is slice:
            consumed += 1
        else:
            consumed += it.ndim if it.dtype.kind == 'b' else 1
    if n_ell > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    if ndim == 0 and has_int:
        raise IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
                         "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number")
    if consumed > ndim:
        raise IndexError(f"too many indices for tensor of dimension {ndim}")
    xp = self._storage.device.xp
    basic, adv = [], []
    d = v = 0           # dim in self, dim in the basic view
    last = None
    for it in items:
        t = type(it)
        if it is None:
            basic.append(None)
            v += 1
            last = _Unsqueeze
        elif it is Ellipsis:
            n = ndim - consumed
            basic.extend((_FULL,) * n)
            d += n
            v += n
        elif t is bool:
            basic.append(None)
            adv.append((v, xp.zeros(1 if it else 0, dtype='int64')))
            v += 1
        elif t is int:
            size = shape[d]
            if not -size <= it < size:
                raise IndexError(f"index {it} is out of bounds for dimension {d} with size {size}")
            basic.append(it)
            d += 1
            last = _Select
        elif t is slice:
            size = shape[d]
            r = _slice_args(it, size)
            if r[0] == 0 and r[1] == size and r[2] == 1:
                basic.append(_FULL)
            else:
                basic.append(slice(*r))
                last = _Slice
            d += 1
            v += 1
        elif it.dtype.kind == 'b':
            adv.extend(_mask_indices(it, shape, d, xp) if it.ndim else [])
            basic.extend((_FULL,) * it.ndim)
            d += it.ndim
            v += it.ndim
        else:
            adv.append((v, it))
            basic.append(_FULL)
            d += 1
            v += 1
    return tuple(basic), adv, last


def _needs_basic(basic):
    for k in basic:
        if k is not _FULL:
            return True
    return False


# ---------------------------------------------------------------------------- getitem

def _torch_strides(arr, key):
    """Strides torch gives the dims that None inserts (NumPy gives them 0): walking the key left
    to right, a new dim's stride is size * stride of the dim it lands in front of (1 at the end)."""
    item = arr.itemsize
    shape, strides = list(arr.shape), [s // item for s in arr.strides]
    pos = 0
    for k in key:
        if k is None:
            st = shape[pos] * strides[pos] if pos < len(shape) else 1
            shape.insert(pos, 1)
            strides.insert(pos, st)
            pos += 1
        elif type(k) is int:
            del shape[pos], strides[pos]
        else:
            if k is not _FULL:
                shape[pos] = len(range(k.start, k.stop, k.step))
                strides[pos] *= k.step
            pos += 1
    return tuple(s * item for s in strides)


def _basic_view(arr, key, xp):
    """arr[key] as a view with torch's strides."""
    out = arr[key + (Ellipsis,)]
    if None in key:
        st = _torch_strides(arr, key)
        if st != out.strides:
            out = xp.lib.stride_tricks.as_strided(out, out.shape, st)
    return out


def _fresh(arr):
    """arr with C-order strides (torch's layout for new results); copies only if needed."""
    st, acc = [], arr.itemsize
    for n in reversed(arr.shape):
        st.append(acc)
        acc *= max(n, 1)
    return arr if tuple(reversed(st)) == arr.strides else arr.copy(order='C')


class _BasicIndex(Function, node_name='SliceBackward0'):
    """A view from ints/slices/None (NumPy basic indexing shares memory)."""

    @staticmethod
    def forward(ctx, a, key):
        ctx.shape = a._data.shape
        ctx.key = key
        return a._view(_basic_view(a._data, key, a._storage.device.xp), type(ctx)._fwd_cls.apply, (key,))

    @staticmethod
    def backward(ctx, g):
        return _BasicIndexGrad.apply(g, ctx.shape, ctx.key), None


class _Select(_BasicIndex, node_name='SelectBackward0'):
    pass


class _Slice(_BasicIndex, node_name='SliceBackward0'):
    pass


class _Unsqueeze(_BasicIndex, node_name='UnsqueezeBackward0'):
    pass


class _Alias(_BasicIndex, node_name='AliasBackward0'):
    pass


class _BasicIndexGrad(Function, node_name='SliceBackwardBackward0'):
    """Zeros of the input's shape with g written at the view's place (getitem's backward)."""

    @staticmethod
    def forward(ctx, g, shape, key):
        ctx.key = key
        xp = g._storage.device.xp
        out = xp.zeros(shape, dtype=g._data.dtype)
        out[key + (Ellipsis,)] = g._data
        return out

    @staticmethod
    def backward(ctx, gg):
        return _Slice.apply(gg, ctx.key), None, None


class _Index(Function, node_name='IndexBackward0'):
    """Advanced indexing with per-dim index arrays (a copy)."""

    @staticmethod
    def forward(ctx, a, idx):
        ctx.shape = a._data.shape
        ctx.idx = idx
        return _fresh(a._data[_np_key(idx)])

    @staticmethod
    def backward(ctx, g):
        return _IndexPut.apply(_zeros(ctx.shape, g), ctx.idx, g, True), None


def _zeros(shape, like):
    return Tensor._from_array(like._storage.device.xp.zeros(shape, dtype=like._data.dtype),
                              like._storage.device)


def _put_arr(xp, out, idx, values, accumulate):
    """Write (or accumulate) values into out[idx] in place."""
    key = _np_key(idx)
    v = values._data if isinstance(values, Tensor) else values
    if isinstance(values, Tensor) and v.dtype != out.dtype:
        v = v.astype(out.dtype)
    try:
        if accumulate:
            _add_at(xp, out, key, v)
        else:
            out[key] = v
    except ValueError:
        raise RuntimeError(f"shape mismatch: value tensor of shape {list(v.shape)} cannot be broadcast "
                           f"to indexing result of shape {list(_adv_shape(out.shape, idx))}") from None


class _IndexPut(Function, node_name='IndexPutBackward0'):
    """self with values written (or accumulated) at per-dim index arrays."""

    @staticmethod
    def forward(ctx, a, idx, values, accumulate):
        ctx.idx = idx
        ctx.accumulate = accumulate
        ctx.value_is_tensor = isinstance(values, Tensor)
        out = a._data.copy()
        _put_arr(a._storage.device.xp, out, idx, values, accumulate)
        return out

    @staticmethod
    def backward(ctx, g):
        need = ctx.needs_input_grad
        ga = gv = None
        if need[0]:
            ga = g if ctx.accumulate else _IndexPut.apply(g, ctx.idx, 0, False)
        if ctx.value_is_tensor and need[2]:
            gv = _Index.apply(g, ctx.idx)
        return ga, None, gv, None


def _getitem(self, key):
    """self[key] with torch's semantics: basic keys give views, index arrays copy."""
    if type(key) is int and self._data.ndim:
        size = self._data.shape[0]
        if not -size <= key < size:
            raise IndexError(f"index {key} is out of bounds for dimension 0 with size {size}")
        return _Select.apply(self, (key,))
    if type(key) is slice and self._data.ndim:
        size = self._data.shape[0]
        r = _slice_args(key, size)
        if r[0] == 0 and r[1] == size and r[2] == 1:
            return _Alias.apply(self, (_FULL,))
        return _Slice.apply(self, (slice(*r),))
    basic, adv, last = _parse(self, key)
    if not adv:
        return (last or _Alias).apply(self, basic)
    t = (last or _Unsqueeze).apply(self, basic) if _needs_basic(basic) else self
    return _Index.apply(t, _adv_indices(t._data.shape, adv))


# ---------------------------------------------------------------------------- setitem

class _CopyValue(Function, node_name='CopyBackwards'):
    """dst's shape and dtype filled from value (broadcast, cast); dst's old values are dropped."""

    @staticmethod
    def forward(ctx, dst, value):
        ctx.value_is_tensor = isinstance(value, Tensor)
        out = dst._storage.device.xp.empty(dst._data.shape, dtype=dst._data.dtype)
        out[...] = value._data if ctx.value_is_tensor else value
        return out

    @staticmethod
    def backward(ctx, g):
        return None, (g if ctx.value_is_tensor else None)


def _setitem(self, key, value):
    """self[key] = value: value broadcast and cast to self's dtype; bumps the version."""
    if isinstance(value, (list, tuple)):
        from .._printing import type_name
        raise TypeError(f"can't assign a {type(value).__name__} to a {type_name(self)}")
    if not isinstance(value, Tensor) and hasattr(value, 'shape') and hasattr(value, 'dtype'):
        if not value.shape:          # NumPy scalars act as Python numbers
            value = value.item()
        else:
            from .creation import tensor
            value = tensor(value, device=self._storage.device)
    if type(key) is int and self._data.ndim:
        size = self._data.shape[0]
        if not -size <= key < size:
            raise IndexError(f"index {key} is out of bounds for dimension 0 with size {size}")
        basic, adv, last = (key,), (), _Select
    else:
        basic, adv, last = _parse(self, key)
    if isinstance(value, Tensor) and value._storage.device != self._storage.device:
        if value._data.ndim:
            from ._util import device_of
            device_of(self, value)
        value = value.item()
    if adv and isinstance(value, Tensor) and value.dtype is not self.dtype and not (
            value._data.ndim == 0 and isinstance(key, Tensor) and key._data.dtype.kind == 'b'):
        _check_values(self, value, 'index_put_')   # torch: only x[mask] = 0-dim value casts
    track = GradState.enabled and (self._requires_grad or (isinstance(value, Tensor) and value._requires_grad))
    if not track:
        arr = self._data[basic + (Ellipsis,)] if basic else self._data
        v = value._data if isinstance(value, Tensor) else value
        if adv:
            idx = _adv_indices(arr.shape, adv)
            target = _adv_shape(arr.shape, idx)
        else:
            idx, target = None, arr.shape
        if isinstance(value, Tensor) and not _value_fits(v.shape, target):
            _fit_value(value, target, bool(adv))
        if isinstance(v, int) and arr.dtype.kind in 'iu':
            info = D.iinfo(D._BY_NP[arr.dtype])
            if not info.min <= v <= info.max:
                raise RuntimeError(f"value cannot be converted to type {arr.dtype.name}_t without overflow")
        if isinstance(value, Tensor) and v.ndim > len(target):
            v = v.reshape(v.shape[v.ndim - len(target):])
        if idx is None:
            arr[...] = v
        else:
            arr[_np_key(idx)] = v
        self._storage.version += 1
        return
    if isinstance(value, Tensor) and value.dtype is not self.dtype:
        value = value.to(self.dtype)
    if not adv:
        view = (last or _Alias).apply(self, basic)
        inplace(view, _CopyValue.apply, _fit_value(value, view._data.shape, False))
        return
    t = (last or _Unsqueeze).apply(self, basic) if _needs_basic(basic) else self
    idx = _adv_indices(t._data.shape, adv)
    value = _fit_value(value, _adv_shape(t._data.shape, idx), True)
    inplace(t, _IndexPut.apply, idx, value, False)


# ---------------------------------------------------------------------------- index_put

def _index_arg(k, fname):
    """Check an index tensor's dtype (long, int, byte, bool); its backend array."""
    arr = k._data
    kind = arr.dtype.kind
    if kind == 'b' or (kind in 'iu' and (arr.dtype.itemsize >= 4 or arr.dtype.itemsize == 1 and kind == 'u')):
        return arr
    raise IndexError(_INDEX_DTYPE_MSG)


def _put_indices(self, indices):
    """Per-dim index arrays for index_put's `indices` (a tuple/list of tensors)."""
    if not isinstance(indices, (tuple, list)):
        raise TypeError(f"index_put(): argument 'indices' (position 1) must be tuple of Tensors, "
                        f"not {type(indices).__name__}")
    xp = self._storage.device.xp
    shape = self._data.shape
    adv, d = [], 0
    for i, k in enumerate(indices):
        if not isinstance(k, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got {type(k).__name__}")
        arr = _index_arg(k, 'index_put')
        if arr.dtype.kind in 'bu' and arr.dtype.itemsize == 1:
            arr = arr.astype(bool)
            if d + arr.ndim > len(shape):
                raise IndexError(f"too many indices for tensor of dimension {len(shape)} (got {d + arr.ndim})")
            adv.extend(_mask_indices(arr, shape, d, xp))
            d += arr.ndim
        else:
            adv.append((d, arr))
            d += 1
    if d > len(shape):
        raise IndexError(f"too many indices for tensor of dimension {len(shape)} (got {d})")
    if not adv:
        return None
    return _adv_indices(shape, adv)


def _check_values(self, values, fname):
    if not isinstance(values, Tensor):
        raise TypeError(f"{fname}(): argument 'values' (position 2) must be Tensor, not {type(values).__name__}")
    if values.dtype is not self.dtype:
        raise RuntimeError(f"Index put requires the source and destination dtypes match, got "
                           f"{_type_word(self.dtype)} for the destination and {_type_word(values.dtype)} "
                           f"for the source.")


def _tracking(self, *args):
    return GradState.enabled and (self._requires_grad or any(
        isinstance(a, Tensor) and a._requires_grad for a in args))


def index_put(input, indices, values, accumulate=False):
    """Out-of-place index_put_: values written (or summed) at input[indices]."""
    _check_values(input, values, 'index_put')
    idx = _put_indices(input, indices)
    if idx is None:
        return input.clone()
    values = _fit_value(values, _adv_shape(input._data.shape, idx), True)
    return _IndexPut.apply(input, idx, values, bool(accumulate))


def index_put_(input, indices, values, accumulate=False):
    """input[indices] = values (or += with accumulate=True, duplicates summed), in place."""
    _check_values(input, values, 'index_put_')
    idx = _put_indices(input, indices)
    if idx is None:
        return input
    values = _fit_value(values, _adv_shape(input._data.shape, idx), True)
    if not _tracking(input, values):
        _put_arr(input._storage.device.xp, input._data, idx, values, bool(accumulate))
        input._storage.version += 1
        return input
    return inplace(input, _IndexPut.apply, idx, values, bool(accumulate))


# ---------------------------------------------------------------------------- nonzero

def nonzero(input, *, out=None, as_tuple=False):
    """Indices of non-zero elements: an (N, ndim) int64 tensor, or one 1-D tensor per dim."""
    x = input._data
    dev = input._storage.device
    xp = dev.xp
    if as_tuple:
        if x.ndim == 0:
            x = x.reshape(1)
        return tuple(Tensor._from_array(a.astype('int64'), dev) for a in xp.nonzero(x))
    r = Tensor._from_array(xp.argwhere(x).astype('int64'), dev)
    return write_out(out, r)


def argwhere(input):
    """Same as nonzero(input)."""
    return nonzero(input)


def where_nonzero(condition):
    """torch.where(condition): nonzero(condition, as_tuple=True)."""
    return nonzero(condition, as_tuple=True)


register_methods({
    '__getitem__': _getitem, '__setitem__': _setitem,
    'index_put': index_put, 'index_put_': index_put_,
    'nonzero': nonzero, 'argwhere': argwhere,
})

# the rest of the indexing family, exported from here as well
from .masked import *  # noqa: E402,F401,F403
from .scatter import *  # noqa: E402,F401,F403
from . import masked as _masked, scatter as _scatter  # noqa: E402

__all__ += _masked.__all__ + _scatter.__all__
