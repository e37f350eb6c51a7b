"""gather / scatter / scatter_add / scatter_reduce and index_select / index_add / index_copy /
index_fill / take_along_dim, with torch's checks, dtypes and gradients.

Scatter-style writes address `out` with one index array per dim: `index` along `dim`, and
broadcast aranges along the others (`_dim_key`), so a whole scatter is one NumPy fancy
assignment or one unbuffered ufunc.at (repeated indices accumulate), never a Python loop.
"""
import warnings

from .._tensor import Tensor, register_methods, _wrap_dim
from ..autograd.function import Function
from ._util import inplace, write_out, _type_word
from .indexing import _add_at, _ufunc_at, _zeros, _tracking, _broadcast_shapes_rt, _fresh

__all__ = ['gather', 'scatter', 'scatter_add', 'scatter_reduce', 'index_select', 'index_add',
           'index_copy', 'index_fill', 'take_along_dim']

_FULL = slice(None)


def _1d(arr):
    return arr.reshape(1) if arr.ndim == 0 else arr


def _dim_key(xp, idx, dim):
    """Fancy key addressing out[i0, .., idx[i], .., in] for every position i of idx."""
    nd = idx.ndim
    key = []
    for d in range(nd):
        if d == dim:
            key.append(idx)
        else:
            shape = [1] * nd
            shape[d] = idx.shape[d]
            key.append(xp.arange(idx.shape[d]).reshape(shape))
    return tuple(key)


def _sliced(arr, shape, skip=None):
    """arr cut down to `shape` (leading part of every dim except `skip`)."""
    return arr[tuple(_FULL if d == skip else slice(0, s) for d, s in enumerate(shape))]


def _index_array(index, fname, msg=None, exc=RuntimeError, long_only=False):
    if not isinstance(index, Tensor):
        raise TypeError(f"{fname}(): argument 'index' must be Tensor, not {type(index).__name__}")
    arr = index._data
    ok = arr.dtype.kind == 'i' and (arr.dtype.itemsize == 8 or (not long_only and arr.dtype.itemsize == 4))
    if not ok:
        raise exc(msg or f"{fname}(): Expected dtype int32/int64 for index")
    return arr


def _check_bounds(idx, size, dim, exc=RuntimeError, prefix='', allow_negative=False):
    if not idx.size:
        return
    lo, hi = int(idx.min()), int(idx.max())
    low = -size if allow_negative else 0
    if lo < low or hi >= size:
        flat = idx.reshape(-1)
        bad = int(flat[((flat < low) | (flat >= size)).nonzero()[0][0]])
        raise exc(f"{prefix}index {bad} is out of bounds for dimension {dim} with size {size}")


# ---------------------------------------------------------------------------- gather

class _Gather(Function, node_name='GatherBackward0'):
    @staticmethod
    def forward(ctx, a, dim, index):
        ctx.shape, ctx.dim = a._data.shape, dim
        xp = a._storage.device.xp
        x, i = _1d(a._data), _1d(index._data)
        out = xp.take_along_axis(_sliced(x, i.shape, dim), i, axis=dim)
        return _fresh(out.reshape(index._data.shape))

    @staticmethod
    def backward(ctx, g):
        return _ScatterAdd.apply(_zeros(ctx.shape, g), ctx.dim, ctx.saved_index(), g), None, None


def _save_index(ctx, index):
    ctx.saved_index = lambda: index


def _prep_gather(input, dim, index, fname='gather'):
    idx = _index_array(index, fname)
    nd = input._data.ndim
    if idx.ndim != nd and not (idx.ndim <= 1 and nd <= 1):
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    dim = _wrap_dim(dim, nd)
    x_shape, i_shape = _1d(input._data).shape, _1d(idx).shape
    for d in range(len(i_shape)):
        if d != dim and i_shape[d] > x_shape[d]:
            raise RuntimeError(f"Size does not match at dimension {d} expected index {list(idx.shape)} to "
                               f"be no larger than self {list(input._data.shape)} apart from dimension {dim}")
    _check_bounds(idx, x_shape[dim], dim)
    return dim


class _GatherOp(_Gather, node_name='GatherBackward0'):
    @staticmethod
    def forward(ctx, a, dim, index):
        _save_index(ctx, index)
        return _Gather.forward(ctx, a, dim, index)


def gather(input, dim, index, *, sparse_grad=False, out=None):
    """out[i][j][k] = input[i][index[i][j][k]][k] (for dim=1); index may be smaller than input."""
    dim = _prep_gather(input, dim, index)
    return write_out(out, _GatherOp.apply(input, dim, index))


def _gather(g, dim, index):
    return _GatherOp.apply(g, dim, index)


# ---------------------------------------------------------------------------- scatter

def _prep_scatter(self, dim, index, src, fname='scatter'):
    """Checks shared by the scatter family; returns the wrapped dim."""
    idx = _index_array(index, 'scatter')
    nd = self._data.ndim
    if idx.ndim != nd and not (idx.ndim <= 1 and nd <= 1):
        raise RuntimeError("Index tensor must have the same number of dimensions as self tensor")
    dim = _wrap_dim(dim, nd)
    is_t = isinstance(src, Tensor)
    if is_t:
        if src._data.ndim != idx.ndim and not (idx.ndim <= 1 and src._data.ndim <= 1):
            raise RuntimeError("Index tensor must have the same number of dimensions as src tensor")
        if src.dtype is not self.dtype:
            raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
    s_shape, i_shape = _1d(self._data).shape, _1d(idx).shape
    src_shape = _1d(src._data).shape if is_t else None
    for d in range(len(i_shape)):
        if (d != dim and i_shape[d] > s_shape[d]) or (is_t and i_shape[d] > src_shape[d]):
            msg = (f"Expected index {list(idx.shape)} to be no larger than self {list(self._data.shape)} "
                   f"apart from dimension {dim}")
            if is_t:
                msg += f" and to be no larger size than src {list(src._data.shape)}"
            raise RuntimeError(msg)
    _check_bounds(idx, s_shape[dim], dim)
    return dim


def _scatter_arr(xp, out, dim, idx, src, op=None):
    """out[key(idx)] = src (op None) or op-accumulate it, in place; out/idx/src >= 1-D."""
    key = _dim_key(xp, idx, dim)
    v = _sliced(src, idx.shape) if hasattr(src, 'shape') and src.ndim else src
    if op is None:
        out[key] = v
    else:
        _ufunc_at(xp, op, out, key, v)


def _scatter_into(a, dim, index, src, op=None):
    """A copy of a with src (array or scalar) scattered into it."""
    xp = a._storage.device.xp
    out = a._data.copy()
    src = _1d(src._data) if isinstance(src, Tensor) else src
    _scatter_arr(xp, _1d(out), dim, _1d(index._data), src, op)
    return out


class _Scatter(Function, node_name='ScatterBackward0'):
    @staticmethod
    def forward(ctx, a, dim, index, src):
        ctx.dim = dim
        _save_index(ctx, index)
        return _scatter_into(a, dim, index, src)

    @staticmethod
    def backward(ctx, g):
        need = ctx.needs_input_grad
        index = ctx.saved_index()
        ga = _ScatterValue.apply(g, ctx.dim, index, 0) if need[0] else None
        gs = _gather(g, ctx.dim, index) if need[3] else None
        return ga, None, None, gs


class _ScatterValue(Function, node_name='ScatterBackward1'):
    @staticmethod
    def forward(ctx, a, dim, index, value):
        ctx.dim = dim
        _save_index(ctx, index)
        return _scatter_into(a, dim, index, value)

    @staticmethod
    def backward(ctx, g):
        return _ScatterValue.apply(g, ctx.dim, ctx.saved_index(), 0), None, None, None


class _ScatterLegacyReduce(Function, node_name='NotImplemented'):
    """scatter(..., reduce='add'|'multiply'): torch has no derivative for it."""

    @staticmethod
    def forward(ctx, a, dim, index, src, op):
        return _scatter_into(a, dim, index, src, op)

    @staticmethod
    def backward(ctx, g):
        raise RuntimeError("derivative for aten::scatter is not implemented")


_LEGACY_OPS = {'add': 'add', 'multiply': 'multiply'}


def _scatter_impl(input, dim, index, src, value, reduce):
    if src is None:
        src = value
    if src is None:
        raise TypeError("scatter() missing required argument 'src' or 'value'")
    dim = _prep_scatter(input, dim, index, src)
    if reduce is not None:
        if reduce not in _LEGACY_OPS:
            raise RuntimeError("reduce argument must be either add or multiply.")
        if isinstance(src, Tensor):
            warnings.warn("The reduce argument of torch.scatter with Tensor src is deprecated and will be "
                          "removed in a future PyTorch release. Use torch.scatter_reduce instead for more "
                          "reduction options.", UserWarning, stacklevel=3)
        return _ScatterLegacyReduce.apply(input, dim, index, src, _LEGACY_OPS[reduce])
    if isinstance(src, Tensor):
        return _Scatter.apply(input, dim, index, src)
    return _ScatterValue.apply(input, dim, index, src)


def scatter(input, dim, index, src=None, value=None, *, reduce=None, out=None):
    """input with src's values (or a scalar value) written at index along dim."""
    return write_out(out, _scatter_impl(input, dim, index, src, value, reduce))


def scatter_(self, dim, index, src=None, value=None, *, reduce=None):
    """In-place scatter."""
    s = src if src is not None else value
    if not _tracking(self, s):
        d = _prep_scatter(self, dim, index, s)
        if reduce is not None and reduce not in _LEGACY_OPS:
            raise RuntimeError("reduce argument must be either add or multiply.")
        xp = self._storage.device.xp
        arr = _1d(s._data) if isinstance(s, Tensor) else s
        _scatter_arr(xp, _1d(self._data), d, _1d(index._data), arr, _LEGACY_OPS.get(reduce))
        self._storage.version += 1
        return self
    return inplace(self, lambda t, *a: _scatter_impl(t, *a), dim, index, src, value, reduce)


class _ScatterAdd(Function, node_name='ScatterAddBackward0'):
    @staticmethod
    def forward(ctx, a, dim, index, src):
        ctx.dim = dim
        _save_index(ctx, index)
        return _scatter_into(a, dim, index, src, 'add')

    @staticmethod
    def backward(ctx, g):
        need = ctx.needs_input_grad
        return (g if need[0] else None), None, None, (_gather(g, ctx.dim, ctx.saved_index()) if need[3] else None)


def _check_src_tensor(src, fname):
    if not isinstance(src, Tensor):
        raise TypeError(f"{fname}(): argument 'src' (position 3) must be Tensor, not {type(src).__name__}")


def scatter_add(input, dim, index, src, *, out=None):
    """input with src's values summed in at index along dim (duplicates accumulate)."""
    _check_src_tensor(src, 'scatter_add')
    dim = _prep_scatter(input, dim, index, src)
    return write_out(out, _ScatterAdd.apply(input, dim, index, src))


def scatter_add_(self, dim, index, src):
    """In-place scatter_add."""
    _check_src_tensor(src, 'scatter_add_')
    if not _tracking(self, src):
        d = _prep_scatter(self, dim, index, src)
        _scatter_arr(self._storage.device.xp, _1d(self._data), d, _1d(index._data), _1d(src._data), 'add')
        self._storage.version += 1
        return self
    return inplace(self, scatter_add, dim, index, src)


# ---------------------------------------------------------------------------- scatter_reduce

_REDUCES = ('sum', 'prod', 'mean', 'amax', 'amin')


def _scatter_reduce_arr(xp, out, dim, idx, src, reduce, include_self):
    """Reduce src into out (>= 1-D arrays) in place, torch's scatter_reduce semantics."""
    key = _dim_key(xp, idx, dim)
    v = _sliced(src, idx.shape)
    if reduce in ('sum', 'mean', 'prod'):
        if not include_self:
            out[key] = 1 if reduce == 'prod' else 0
        _ufunc_at(xp, 'multiply' if reduce == 'prod' else 'add', out, key, v)
        if reduce == 'mean':
            cnt = xp.zeros(out.shape, dtype='int64')
            _add_at(xp, cnt, key, 1)
            if include_self:
                cnt += 1
            cnt = xp.maximum(cnt, 1)
            if out.dtype.kind in 'iu':
                out[...] = out // cnt
            else:
                out[...] = out / cnt
    else:
        if not include_self:
            out[key] = v
        _ufunc_at(xp, 'maximum' if reduce == 'amax' else 'minimum', out, key, v)


class _ScatterReduce(Function, node_name='ScatterReduceBackward0'):
    @staticmethod
    def forward(ctx, a, dim, index, src, reduce, include_self):
        xp = a._storage.device.xp
        out = a._data.copy()
        _scatter_reduce_arr(xp, _1d(out), dim, _1d(index._data), _1d(src._data), reduce, include_self)
        ctx.dim, ctx.reduce, ctx.include_self = dim, reduce, include_self
        _save_index(ctx, index)
        res = Tensor._from_array(out, a._storage.device)
        if reduce != 'sum':
            ctx.save_for_backward(a, src, res)
        return res

    @staticmethod
    def backward(ctx, g):
        need = ctx.needs_input_grad
        dim, reduce, incl = ctx.dim, ctx.reduce, ctx.include_self
        index = ctx.saved_index()
        if reduce == 'sum':
            ga = g if incl else _ScatterValue.apply(g, dim, index, 0)
            return ga, None, None, _gather(g, dim, index), None, None
        a, src, res = ctx.saved_tensors
        xp = g._storage.device.xp
        dev = g._storage.device
        x, s, r, i = _1d(a._data), _1d(src._data), _1d(res._data), _1d(index._data)
        key = _dim_key(xp, i, dim)
        v = _sliced(s, i.shape)
        scattered = xp.zeros(x.shape, dtype=bool)
        scattered[key] = True

        def const(arr, shape):
            return Tensor._from_array(xp.asarray(arr).astype(g._data.dtype).reshape(shape), dev)
        if reduce == 'mean':
            cnt = xp.zeros(x.shape, dtype='int64')
            _add_at(xp, cnt, key, 1)
            n = const(xp.maximum(cnt + (1 if incl else 0), 1), a._data.shape)
            gn = g / n
            ga = gn if incl else _ScatterValue.apply(g, dim, index, 0)
            gs = _gather(gn, dim, index)
        elif reduce in ('amax', 'amin'):
            # ties share the gradient; self's tie is counted even when not included (as torch)
            m_self = x == r
            m_src = v == r[key]
            cnt = m_self.astype('int64')
            _add_at(xp, cnt, key, m_src.astype('int64'))
            gn = g / const(xp.maximum(cnt, 1), a._data.shape)
            ga = gn * const(m_self if incl else m_self & ~scattered, a._data.shape)
            gs = _gather(gn, dim, index) * const(m_src, index._data.shape)
        else:  # prod: d(prod)/d(v) = product of the others, with zeros handled exactly
            zs = (x == 0) if incl else xp.zeros(x.shape, dtype=bool)
            zc = zs.astype('int64')
            _add_at(xp, zc, key, (v == 0).astype('int64'))
            pnz = xp.where(zs, 1, x) if incl else xp.ones_like(x)
            _ufunc_at(xp, 'multiply', pnz, key, xp.where(v == 0, 1, v))

            def factor(val, z, p):
                safe = xp.where(val == 0, 1, val)
                return xp.where(z == 0, p / safe, xp.where((z == 1) & (val == 0), p, 0))
            f_self = factor(x, zc, pnz) if incl else ~scattered
            ga = g * const(f_self, a._data.shape)
            gs = _gather(g, dim, index) * const(factor(v, zc[key], pnz[key]), index._data.shape)
        return (ga if need[0] else None), None, None, (gs if need[3] else None), None, None


def _check_reduce(reduce):
    """The reduction name ('max'/'min' are accepted for amax/amin, as torch does)."""
    reduce = {'max': 'amax', 'min': 'amin'}.get(reduce, reduce)
    if reduce not in _REDUCES:
        raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got {reduce}")
    return reduce


def scatter_reduce(input, dim, index, src, reduce, *, include_self=True, out=None):
    """Reduce src into input at index along dim with 'sum', 'prod', 'mean', 'amax' or 'amin'."""
    _check_src_tensor(src, 'scatter_reduce')
    reduce = _check_reduce(reduce)
    dim = _prep_scatter(input, dim, index, src)
    return write_out(out, _ScatterReduce.apply(input, dim, index, src, reduce, bool(include_self)))


def scatter_reduce_(self, dim, index, src, reduce, *, include_self=True):
    """In-place scatter_reduce."""
    _check_src_tensor(src, 'scatter_reduce_')
    reduce = _check_reduce(reduce)
    if not _tracking(self, src):
        d = _prep_scatter(self, dim, index, src)
        _scatter_reduce_arr(self._storage.device.xp, _1d(self._data), d, _1d(index._data),
                            _1d(src._data), reduce, bool(include_self))
        self._storage.version += 1
        return self
    return inplace(self, lambda t, *a: scatter_reduce(t, *a[:4], include_self=a[4]),
                   dim, index, src, reduce, include_self)


# ---------------------------------------------------------------------------- index_select & co

class _IndexSelect(Function, node_name='IndexSelectBackward0'):
    @staticmethod
    def forward(ctx, a, dim, index):
        ctx.shape, ctx.dim = a._data.shape, dim
        _save_index(ctx, index)
        xp = a._storage.device.xp
        out = xp.take(_1d(a._data), index._data.reshape(-1), axis=dim)
        return out.reshape(()) if a._data.ndim == 0 else out

    @staticmethod
    def backward(ctx, g):
        return _IndexAdd.apply(_zeros(ctx.shape, g), ctx.dim, ctx.saved_index(), g, 1), None, None


def index_select(input, dim, index, *, out=None):
    """The slices of input along dim at the positions in the 1-D `index`."""
    idx = _index_array(index, 'index_select', "index_select(): Expected dtype int32 or int64 for index")
    if idx.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    nd = input._data.ndim
    dim = _wrap_dim(dim, nd)
    if nd == 0 and idx.size != 1:
        raise RuntimeError(f"index_select(): Index to scalar can have only 1 value, got {idx.size} value(s)")
    size = _1d(input._data).shape[dim]
    if idx.size and (int(idx.min()) < 0 or int(idx.max()) >= size):
        flat = idx.reshape(-1)
        bad = int(flat[((flat < 0) | (flat >= size)).nonzero()[0][0]])
        raise RuntimeError(f"INDICES element is out of DATA bounds, id={bad} axis_dim={size}")
    return write_out(out, _IndexSelect.apply(input, dim, index))


def _dim_index_key(dim, idx):
    return (_FULL,) * dim + (idx.reshape(-1),)


def _index_add_arr(xp, out, dim, idx, src, alpha):
    v = _1d(src)
    if alpha != 1:
        v = v * alpha
        if v.dtype != out.dtype:
            v = v.astype(out.dtype)
    _add_at(xp, _1d(out), _dim_index_key(dim, idx), v)


class _IndexAdd(Function, node_name='IndexAddBackward0'):
    @staticmethod
    def forward(ctx, a, dim, index, source, alpha):
        ctx.dim, ctx.alpha = dim, alpha
        _save_index(ctx, index)
        out = a._data.copy()
        _index_add_arr(a._storage.device.xp, out, dim, index._data, source._data, alpha)
        return out

    @staticmethod
    def backward(ctx, g):
        need = ctx.needs_input_grad
        gs = None
        if need[3]:
            gs = _IndexSelect.apply(g, ctx.dim, ctx.saved_index())
            if ctx.alpha != 1:
                gs = gs * ctx.alpha
        return (g if need[0] else None), None, None, gs, None


def _prep_index_op(self, dim, index, source, fname):
    """Checks of index_add / index_copy: 1-D index, matching source shape and dtype."""
    nd = self._data.ndim
    dim = _wrap_dim(dim, nd)
    if fname == 'index_copy_':
        idx = _index_array(index, fname, f"{fname}(): Expected a long tensor for index, but got "
                                         f"{_type_word(index.dtype)}", long_only=True)
    else:
        idx = _index_array(index, fname, f"{fname}(): Expected dtype int32/int64 for index but got: "
                                         f"{_type_word(index.dtype)}")
    if idx.ndim > 1:
        raise IndexError(f"{fname}(): Index is supposed to be a vector, but got dim: {idx.ndim} with type: "
                         f"{_type_word(index.dtype)} and size: {list(idx.shape)}")
    if not isinstance(source, Tensor):
        raise TypeError(f"{fname[:-1]}(): argument 'source' (position 3) must be Tensor, not "
                        f"{type(source).__name__}")
    if source.dtype is not self.dtype:
        if fname == 'index_copy_':
            raise RuntimeError(f"index_copy_(): self and source expected to have the same dtype, but got "
                               f"(self) {_type_word(self.dtype)} and (source) {_type_word(source.dtype)}")
        raise RuntimeError(f"{fname}(): self ({_type_word(self.dtype)}) and source "
                           f"({_type_word(source.dtype)}) must have the same scalar type")
    s_shape, src_shape = _1d(self._data).shape, _1d(source._data).shape
    if len(src_shape) != len(s_shape) or any(a != b for d, (a, b) in enumerate(zip(s_shape, src_shape))
                                             if d != dim):
        raise RuntimeError(f"source tensor shape must match self tensor shape, excluding the specified "
                           f"dimension. Got self.shape = {list(self._data.shape)} source.shape = "
                           f"{list(source._data.shape)}")
    if src_shape[dim] != idx.size:
        if fname == 'index_copy_':
            raise IndexError(f"index_copy_(): Number of indices ({idx.size}) should be equal to "
                             f"source.size(dim) ({src_shape[dim]})")
        raise RuntimeError(f"{fname}(): Number of indices ({idx.size}) should be equal to source.size(dim): "
                           f"({src_shape[dim]}), for dim: {dim}")
    size = s_shape[dim]
    if fname == 'index_copy_':
        _check_bounds(idx, size, dim, IndexError, "index_copy_(): ")
    elif idx.size and (int(idx.min()) < 0 or int(idx.max()) >= size):
        raise IndexError("index out of range in self")
    return dim


def index_add(input, dim, index, source, *, alpha=1, out=None):
    """input with alpha * source's slices added at positions `index` along dim (duplicates sum)."""
    dim = _prep_index_op(input, dim, index, source, 'index_add_')
    return write_out(out, _IndexAdd.apply(input, dim, index, source, alpha))


def index_add_(self, dim, index, source, *, alpha=1):
    """In-place index_add."""
    if not _tracking(self, source):
        d = _prep_index_op(self, dim, index, source, 'index_add_')
        _index_add_arr(self._storage.device.xp, self._data, d, index._data, source._data, alpha)
        self._storage.version += 1
        return self
    return inplace(self, lambda t, *a: index_add(t, *a[:3], alpha=a[3]), dim, index, source, alpha)


class _IndexCopy(Function, node_name='IndexCopyBackward0'):
    @staticmethod
    def forward(ctx, a, dim, index, source):
        ctx.dim = dim
        _save_index(ctx, index)
        out = a._data.copy()
        _1d(out)[_dim_index_key(dim, index._data)] = _1d(source._data)
        return out

    @staticmethod
    def backward(ctx, g):
        need = ctx.needs_input_grad
        index = ctx.saved_index()
        ga = _IndexFill.apply(g, ctx.dim, index, 0) if need[0] else None
        gs = _IndexSelect.apply(g, ctx.dim, index) if need[3] else None
        return ga, None, None, gs


def index_copy(input, dim, index, source, *, out=None):
    """input with source's slices copied to positions `index` along dim."""
    dim = _prep_index_op(input, dim, index, source, 'index_copy_')
    return write_out(out, _IndexCopy.apply(input, dim, index, source))


def index_copy_(self, dim, index, source):
    """In-place index_copy."""
    if not _tracking(self, source):
        d = _prep_index_op(self, dim, index, source, 'index_copy_')
        _1d(self._data)[_dim_index_key(d, index._data)] = _1d(source._data)
        self._storage.version += 1
        return self
    return inplace(self, index_copy, dim, index, source)


class _IndexFill(Function, node_name='IndexFillBackward0'):
    @staticmethod
    def forward(ctx, a, dim, index, value):
        ctx.dim = dim
        ctx.value_is_tensor = isinstance(value, Tensor)
        _save_index(ctx, index)
        out = a._data.copy()
        v = value._data if ctx.value_is_tensor else value
        _1d(out)[_dim_index_key(dim, index._data)] = v
        return out

    @staticmethod
    def backward(ctx, g):
        need = ctx.needs_input_grad
        zeroed = _IndexFill.apply(g, ctx.dim, ctx.saved_index(), 0)
        gv = (g - zeroed).sum() if ctx.value_is_tensor and need[3] else None
        return (zeroed if need[0] else None), None, None, gv


class _IndexFillTensor(_IndexFill, node_name='IndexFillBackward1'):
    pass


def _prep_fill(self, dim, index, value):
    if not isinstance(index, Tensor) or index._data.dtype.kind != 'i' or index._data.dtype.itemsize != 8:
        raise IndexError("index_fill_(): Expected dtype int64 for index.")
    if index._data.ndim > 1:
        raise RuntimeError("Index has to be a vector/scalar")
    if isinstance(value, Tensor) and value._data.ndim:
        raise RuntimeError(f"index_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                           f"{value._data.ndim} dimension(s).")
    dim = _wrap_dim(dim, self._data.ndim)
    _check_bounds(index._data, _1d(self._data).shape[dim], dim, IndexError, allow_negative=True)
    return dim


def index_fill(input, dim, index, value):
    """input with the slices at positions `index` along dim set to value."""
    dim = _prep_fill(input, dim, index, value)
    fn = _IndexFillTensor if isinstance(value, Tensor) else _IndexFill
    return fn.apply(input, dim, index, value)


def index_fill_(self, dim, index, value):
    """In-place index_fill."""
    if not _tracking(self, value):
        d = _prep_fill(self, dim, index, value)
        v = value._data if isinstance(value, Tensor) else value
        _1d(self._data)[_dim_index_key(d, index._data)] = v
        self._storage.version += 1
        return self
    return inplace(self, index_fill, dim, index, value)


# ---------------------------------------------------------------------------- take_along_dim

def take_along_dim(input, indices, dim=None, *, out=None):
    """Values of input at `indices` along dim (indices broadcast against input); dim=None: flat."""
    if not isinstance(indices, Tensor) or indices._data.dtype.kind != 'i' or indices._data.dtype.itemsize != 8:
        got = _type_word(indices.dtype) if isinstance(indices, Tensor) else type(indices).__name__
        raise RuntimeError(f"torch.take_along_dim(): dtype of indices should be Long but got {got}")
    if dim is None:
        flat = input.reshape(-1)
        idx = indices.reshape(-1)
        _wrap_negative_check(idx, flat._data.shape[0], 0)
        return write_out(out, _GatherOp.apply(flat, 0, _wrapped(idx, flat._data.shape[0])))
    nd = input._data.ndim
    if indices._data.ndim != nd:
        raise RuntimeError(f"torch.take_along_dim(): input and indices should have the same number of "
                           f"dimensions, but got {nd} dimensions for input, and {indices._data.ndim} "
                           f"dimensions for indices")
    dim = _wrap_dim(dim, nd)
    in_shape, i_shape = list(input._data.shape), list(indices._data.shape)
    a, b = list(in_shape), list(i_shape)
    a[dim] = b[dim] = 1
    bshape = list(_broadcast_shapes_rt(tuple(a), tuple(b)))
    x_shape, idx_shape = list(bshape), list(bshape)
    x_shape[dim], idx_shape[dim] = in_shape[dim], i_shape[dim]
    x = input if x_shape == in_shape else input.expand(x_shape)
    idx = indices if idx_shape == i_shape else indices.expand(idx_shape)
    _wrap_negative_check(idx, in_shape[dim], dim)
    return write_out(out, _GatherOp.apply(x, dim, _wrapped(idx, in_shape[dim])))


def _wrap_negative_check(idx, size, dim):
    _check_bounds(idx._data, size, dim, allow_negative=True)


def _wrapped(idx, size):
    arr = idx._data
    if arr.size and int(arr.min()) < 0:
        xp = idx._storage.device.xp
        return Tensor._from_array(xp.where(arr < 0, arr + size, arr), idx._storage.device)
    return idx


register_methods({
    'gather': gather, 'scatter': scatter, 'scatter_': scatter_, 'scatter_add': scatter_add,
    'scatter_add_': scatter_add_, 'scatter_reduce': scatter_reduce, 'scatter_reduce_': scatter_reduce_,
    'index_select': index_select, 'index_add': index_add, 'index_add_': index_add_,
    'index_copy': index_copy, 'index_copy_': index_copy_, 'index_fill': index_fill,
    'index_fill_': index_fill_, 'take_along_dim': take_along_dim,
})
