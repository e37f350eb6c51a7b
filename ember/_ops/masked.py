"""Masked ops (masked_fill, masked_select, masked_scatter) and flat take / put, with torch's
checks and gradients. Masks broadcast against the input like torch's."""
from .. import _dtype as D
from .._tensor import Tensor, register_methods
from ..autograd.function import Function
from ._util import inplace, write_out, _type_word
from .indexing import (_IndexPut, _zeros, _tracking, _broadcast_shapes_rt, _add_at, _CTYPE)

__all__ = ['masked_fill', 'masked_select', 'masked_scatter', 'take', 'put']


# ---------------------------------------------------------------------------- masked ops

def _check_mask(mask, msg):
    if not isinstance(mask, Tensor):
        raise TypeError(f"argument 'mask' must be Tensor, not {type(mask).__name__}")
    if mask._data.dtype.kind != 'b':
        raise RuntimeError(msg(mask.dtype))
    return mask


def _fill_value(value):
    if isinstance(value, Tensor) and value._data.ndim:
        raise RuntimeError(f"masked_fill_ only supports a 0-dimensional value tensor, but got tensor "
                           f"with {value._data.ndim} dimension(s).")
    return value


def _cast_value(v, dtype, xp):
    """A scalar / 0-dim array as a 0-dim array of dtype (torch's overflow check for ints)."""
    if dtype.kind in 'iu' and isinstance(v, complex):
        raise RuntimeError(f"value cannot be converted to type {dtype.name}_t without overflow")
    if dtype.kind in 'iub' and not isinstance(v, (bool, int, float)) and hasattr(v, 'dtype') \
            and v.dtype.kind == 'c':
        raise RuntimeError(f"value cannot be converted to type {dtype.name}_t without overflow")
    return xp.asarray(v).astype(dtype)


def _mask_fill_msg(dt):
    return f"masked_fill_ only supports boolean masks, but got mask with dtype {_CTYPE.get(dt.name, dt.name)}"


class _MaskedFill(Function, node_name='MaskedFillBackward0'):
    @staticmethod
    def forward(ctx, a, mask, value):
        xp = a._storage.device.xp
        ctx.mask = mask
        ctx.value_is_tensor = isinstance(value, Tensor)
        v = _cast_value(value._data if ctx.value_is_tensor else value, a._data.dtype, xp)
        return xp.where(mask._data, v, a._data)

    @staticmethod
    def backward(ctx, g):
        need = ctx.needs_input_grad
        ga = _MaskedFill.apply(g, ctx.mask, 0) if need[0] else None
        gv = None
        if ctx.value_is_tensor and need[2]:
            inv = Tensor._from_array(~ctx.mask._data, ctx.mask._storage.device)
            gv = _MaskedFill.apply(g, inv, 0).sum()
        return ga, None, gv


class _MaskedFillTensor(_MaskedFill, node_name='MaskedFillBackward1'):
    pass


def masked_fill(input, mask, value):
    """input with `value` where mask is True (mask broadcast; value a number or 0-dim tensor)."""
    _check_mask(mask, _mask_fill_msg)
    value = _fill_value(value)
    _broadcast_shapes_rt(input._data.shape, mask._data.shape)
    fn = _MaskedFillTensor if isinstance(value, Tensor) else _MaskedFill
    return fn.apply(input, mask, value)


def masked_fill_(self, mask, value):
    """In-place masked_fill (mask must broadcast to self's shape)."""
    _check_mask(mask, _mask_fill_msg)
    value = _fill_value(value)
    shape = self._data.shape
    b = _broadcast_shapes_rt(shape, mask._data.shape)
    if b != shape:
        raise RuntimeError(f"output with shape {list(shape)} doesn't match the broadcast shape {list(b)}")
    if not _tracking(self, value):
        xp = self._storage.device.xp
        v = _cast_value(value._data if isinstance(value, Tensor) else value, self._data.dtype, xp)
        xp.copyto(self._data, v, where=mask._data)
        self._storage.version += 1
        return self
    return inplace(self, masked_fill, mask, value)


class _MaskedSelect(Function, node_name='MaskedSelectBackward0'):
    @staticmethod
    def forward(ctx, a, mask):
        xp = a._storage.device.xp
        shape = _broadcast_shapes_rt(a._data.shape, mask._data.shape)
        m = xp.broadcast_to(mask._data, shape)
        ctx.shape = shape
        ctx.mask = Tensor._from_array(m, mask._storage.device)
        return xp.broadcast_to(a._data, shape)[m]

    @staticmethod
    def backward(ctx, g):
        return _MaskedScatter.apply(_zeros(ctx.shape, g), ctx.mask, g), None


def masked_select(input, mask, *, out=None):
    """1-D tensor of input's elements where mask (broadcast) is True."""
    _check_mask(mask, lambda dt: "masked_select: expected BoolTensor for mask")
    return write_out(out, _MaskedSelect.apply(input, mask))


def _masked_scatter_arr(out, m, src):
    n = int(m.sum())
    flat = src.reshape(-1)
    if flat.size < n:
        raise RuntimeError("Number of elements of source < number of ones in mask")
    out[m] = flat[:n]
    return n


class _MaskedScatter(Function, node_name='MaskedScatterBackward0'):
    @staticmethod
    def forward(ctx, a, mask, source):
        xp = a._storage.device.xp
        shape = _broadcast_shapes_rt(a._data.shape, mask._data.shape)
        m = xp.broadcast_to(mask._data, shape)
        out = xp.broadcast_to(a._data, shape).copy()
        ctx.n = _masked_scatter_arr(out, m, source._data)
        ctx.mask = Tensor._from_array(m, mask._storage.device)
        ctx.src_shape = source._data.shape
        return out

    @staticmethod
    def backward(ctx, g):
        need = ctx.needs_input_grad
        ga = _MaskedFill.apply(g, ctx.mask, 0) if need[0] else None
        gs = None
        if need[2]:
            sel = _MaskedSelect.apply(g, ctx.mask)
            numel = 1
            for s in ctx.src_shape:
                numel *= s
            if ctx.n != numel:
                xp = g._storage.device.xp
                pos = xp.arange(ctx.n)
                sel = _IndexPut.apply(_zeros((numel,), g), (pos,), sel, False)
            gs = sel.reshape(ctx.src_shape)
        return ga, None, gs


def _check_scatter_source(self, mask, source):
    _check_mask(mask, lambda dt: f"masked_scatter_ only supports boolean masks, but got mask with "
                                 f"dtype {_type_word(dt)}")
    if not isinstance(source, Tensor):
        raise TypeError(f"masked_scatter(): argument 'source' must be Tensor, not {type(source).__name__}")
    if source.dtype is not self.dtype:
        raise RuntimeError(f"masked_scatter: expected self and source to have same dtypes but got"
                           f"{_type_word(self.dtype)} and {_type_word(source.dtype)}")


def masked_scatter(input, mask, source):
    """input with the leading elements of `source` copied where mask is True (in order)."""
    _check_scatter_source(input, mask, source)
    return _MaskedScatter.apply(input, mask, source)


def masked_scatter_(self, mask, source):
    """In-place masked_scatter."""
    _check_scatter_source(self, mask, source)
    shape = self._data.shape
    b = _broadcast_shapes_rt(shape, mask._data.shape)
    if b != shape:
        raise RuntimeError(f"output with shape {list(shape)} doesn't match the broadcast shape {list(b)}")
    if not _tracking(self, source):
        xp = self._storage.device.xp
        _masked_scatter_arr(self._data, xp.broadcast_to(mask._data, shape), source._data)
        self._storage.version += 1
        return self
    return inplace(self, masked_scatter, mask, source)


# ---------------------------------------------------------------------------- take / put

def _flat_index(index, n, fname):
    """index's array, checked to be int64 and within [-n, n) (torch's take/put messages)."""
    if not isinstance(index, Tensor):
        raise TypeError(f"{fname}(): argument 'index' must be Tensor, not {type(index).__name__}")
    arr = index._data
    if arr.dtype != D.int64.np:
        raise RuntimeError(f"{fname}(): Expected a long tensor for index, but got {_type_word(index.dtype)}")
    if arr.size:
        lo, hi = int(arr.min()), int(arr.max())
        if lo < -n or hi >= n:
            flat = arr.reshape(-1)
            bad = int(flat[((flat < -n) | (flat >= n)).nonzero()[0][0]])
            raise IndexError(f"out of range: tried to access index {bad} on a tensor of {n} elements.")
    return arr


class _Take(Function, node_name='TakeBackward0'):
    @staticmethod
    def forward(ctx, a, idx):
        ctx.shape = a._data.shape
        ctx.idx = idx
        xp = a._storage.device.xp
        return xp.take(a._data.reshape(-1), idx)

    @staticmethod
    def backward(ctx, g):
        n = 1
        for s in ctx.shape:
            n *= s
        flat = _IndexPut.apply(_zeros((n,), g), (ctx.idx.reshape(-1),), g.reshape(-1), True)
        return flat.reshape(ctx.shape), None


def take(input, index):
    """input treated as 1-D, indexed by `index` (result has index's shape)."""
    return _Take.apply(input, _flat_index(index, input._data.size, 'take'))


def _unravel(idx, shape, xp):
    n = 1
    for s in shape:
        n *= s
    idx = idx.reshape(-1) % max(n, 1)
    return xp.unravel_index(idx, shape) if shape else (idx,)


class _Put(Function, node_name='PutBackward0'):
    @staticmethod
    def forward(ctx, a, idx, source, accumulate):
        ctx.shape, ctx.idx, ctx.accumulate = a._data.shape, idx, accumulate
        ctx.src_shape = source._data.shape
        out = a._data.copy()
        _put_flat(a._storage.device.xp, out, idx, source._data, accumulate)
        return out

    @staticmethod
    def backward(ctx, g):
        need = ctx.needs_input_grad
        ga = gs = None
        if need[0]:
            ga = g if ctx.accumulate else _IndexPut.apply(g.reshape(-1), (ctx.idx.reshape(-1),), 0,
                                                          False).reshape(ctx.shape)
        if need[2]:
            gs = _Take.apply(g, ctx.idx).reshape(ctx.src_shape)
        return ga, None, gs, None


def _put_flat(xp, out, idx, src, accumulate):
    arr = out if out.ndim else out.reshape(1)
    key = _unravel(idx, arr.shape, xp)
    src = src.reshape(-1).astype(out.dtype, copy=False)
    if accumulate:
        _add_at(xp, arr, key, src)
    else:
        arr[key] = src


def _check_put(self, index, source):
    idx = _flat_index(index, self._data.size, 'put_')
    if not isinstance(source, Tensor):
        raise TypeError(f"put_(): argument 'source' must be Tensor, not {type(source).__name__}")
    if source.dtype is not self.dtype:
        raise RuntimeError(f"put_(): self and source expected to have the same dtype, but got "
                           f"self.dtype = {_type_word(self.dtype)} and source.dtype = {_type_word(source.dtype)}")
    if source._data.size != idx.size:
        raise IndexError(f"put_(): Expected source and index to have the same number of elements, but got "
                         f"source.numel() = {source._data.size}, index.numel() = {idx.size}")
    return idx


def put(input, index, source, accumulate=False):
    """Out-of-place put_: source's elements written at flat positions `index`."""
    idx = _check_put(input, index, source)
    return _Put.apply(input, idx, source, bool(accumulate))


def put_(self, index, source, accumulate=False):
    """Write source's elements at self's flat positions `index` (summed with accumulate)."""
    idx = _check_put(self, index, source)
    if not _tracking(self, source):
        _put_flat(self._storage.device.xp, self._data, idx, source._data, bool(accumulate))
        self._storage.version += 1
        return self
    return inplace(self, lambda s, i, src, acc: _Put.apply(s, i, src, acc), idx, source, bool(accumulate))


register_methods({
    'masked_fill': masked_fill, 'masked_fill_': masked_fill_, 'masked_select': masked_select,
    'masked_scatter': masked_scatter, 'masked_scatter_': masked_scatter_,
    'take': take, 'put': put, 'put_': put_,
})
