"""Selecting reductions: max/min (value or (values, indices)), amax/amin, aminmax,
argmax/argmin, median/nanmedian, kthvalue, mode.

Whole-tensor and amax-like reductions spread the gradient evenly over tied elements (as
torch); the dim forms send it to the returned index (put_along)."""
from .. import return_types as R
from .._tensor import Tensor, register_methods
from ..autograd.function import Function
from ._util import write_out
from ._reduce_util import (red_dims, one_dim, expand_back, const, put_along, check_nonempty_dim,
                           along_index)

__all__ = ['max', 'min', 'amax', 'amin', 'aminmax', 'argmax', 'argmin', 'median', 'nanmedian',
           'kthvalue', 'mode']


def _check_empty(name, x, dims, all_dims):
    if x.size == 0 and all_dims:
        raise RuntimeError(f"{name}(): Expected reduction dim to be specified for input.numel() "
                           f"== 0. Specify the reduction dim with the 'dim' argument.")
    check_nonempty_dim(name, x, dims)


def _tie_mask(xp, x, v, nan_ties=True):
    """Where x equals the (broadcast) reduced value v; NaN matches NaN for max/min/median
    (torch's evenly-distributed backward), not for amax/amin/aminmax (their grads go NaN)."""
    m = x == v
    if nan_ties and x.dtype.kind in 'fc':
        m |= xp.isnan(x) & xp.isnan(v)
    return m


class _Even(Function, node_name='AmaxBackward0'):
    """amax/amin (and whole-tensor max/min/median): the gradient is shared evenly by ties."""
    nan_ties = False
    @staticmethod
    def forward(ctx, a, dims, keepdim, kind, name, all_dims):
        x = a._data
        xp = a._storage.device.xp
        if name in ('max', 'min', 'amax', 'amin'):
            _check_empty(name, x, dims, all_dims)
        if kind == 'max':
            v = x.max(axis=dims, keepdims=True)
        elif kind == 'min':
            v = x.min(axis=dims, keepdims=True)
        else:
            v = kind(xp, x)
        if ctx.needs_input_grad:
            mask = _tie_mask(xp, x, v, ctx._fwd_cls.nan_ties)
            with xp.errstate(invalid='ignore', divide='ignore'):
                ctx.w = (mask / mask.sum(axis=dims, keepdims=True)).astype(x.dtype)
            ctx.shape, ctx.dims, ctx.keepdim = x.shape, dims, keepdim
        if not keepdim:
            v = v.reshape(tuple(s for i, s in enumerate(x.shape) if i not in dims))
        return v

    @staticmethod
    def backward(ctx, g):
        g = expand_back(g, ctx.shape, ctx.dims, ctx.keepdim)
        return g * const(ctx.w, g), None, None, None, None, None


class _Amin(_Even, node_name='AminBackward0'):
    pass


class _MaxAll(_Even, node_name='MaxBackward1'):
    nan_ties = True


class _MinAll(_Even, node_name='MinBackward1'):
    nan_ties = True


class _MedianAll(_Even, node_name='MedianBackward0'):
    nan_ties = True


class _NanmedianAll(_Even, node_name='NanmedianBackward0'):
    nan_ties = True


class _Select(Function, node_name='MaxBackward0'):
    """(values, indices) along one dim; `pick(xp, x, dim)` returns keepdim indices."""
    @staticmethod
    def forward(ctx, a, dim, keepdim, pick, name):
        x = a._data
        xp = a._storage.device.xp
        scalar = x.ndim == 0
        if scalar:
            x = x.reshape(1)
        check_nonempty_dim(name, x, (dim,))
        idx = xp.asarray(pick(xp, x, dim)).astype(xp.int64)
        v = x[along_index(xp, idx, dim)]
        ctx.idx, ctx.dim, ctx.keepdim, ctx.shape = idx, dim, keepdim, a._data.shape
        if scalar:
            return v.reshape(()), idx.reshape(())
        if not keepdim:
            v, idx = v.squeeze(dim), idx.squeeze(dim)
        return v, idx

    @staticmethod
    def backward(ctx, g, gi=None):
        return put_along(g, ctx.idx, ctx.dim, ctx.shape, ctx.keepdim), None, None, None, None


class _MinDim(_Select, node_name='MinBackward0'):
    pass


class _MedianDim(_Select, node_name='MedianBackward1'):
    pass


class _NanmedianDim(_Select, node_name='NanmedianBackward1'):
    pass


class _Kthvalue(_Select, node_name='KthvalueBackward0'):
    pass


class _Mode(_Select, node_name='ModeBackward0'):
    pass


def _argmax_pick(xp, x, dim):
    return xp.argmax(x, axis=dim, keepdims=True)


def _argmin_pick(xp, x, dim):
    return xp.argmin(x, axis=dim, keepdims=True)


def _select(cls, rtype, input, dim, keepdim, pick, name, out=None):
    d = one_dim(dim, input._data.ndim)
    v, i = cls.apply(input, d, keepdim, pick, name)
    if out is not None:
        write_out(out[0], v)
        write_out(out[1], i)
        return rtype(out[0], out[1])
    return rtype(v, i)


def _minmax(name, input, dim, keepdim, out, other):
    if isinstance(dim, Tensor):
        dim, other = None, dim
    if other is not None:
        import ember
        return getattr(ember, 'maximum' if name == 'max' else 'minimum')(input, other, out=out)
    if dim is None:
        if keepdim:
            raise TypeError(f"{name}() received an invalid combination of arguments - got keepdim "
                            f"without dim")
        cls = _MaxAll if name == 'max' else _MinAll
        return write_out(out, cls.apply(input, tuple(range(input._data.ndim)), False, name, name, True))
    if not isinstance(dim, int) or isinstance(dim, bool):
        raise TypeError(f"{name}() received an invalid combination of arguments - got "
                        f"({type(dim).__name__}), but expected an int dim or a Tensor")
    if name == 'max':
        return _select(_Select, R.max, input, dim, keepdim, _argmax_pick, 'max', out)
    return _select(_MinDim, R.min, input, dim, keepdim, _argmin_pick, 'min', out)


def _is_all(dim):
    return dim is None or (isinstance(dim, (tuple, list)) and len(dim) == 0)


def max(input, dim=None, keepdim=False, *, out=None, other=None):
    """max(x) -> value; max(x, dim, keepdim) -> (values, indices); max(x, other) -> maximum."""
    return _minmax('max', input, dim, keepdim, out, other)


def min(input, dim=None, keepdim=False, *, out=None, other=None):
    """min(x) -> value; min(x, dim, keepdim) -> (values, indices); min(x, other) -> minimum."""
    return _minmax('min', input, dim, keepdim, out, other)


def amax(input, dim=(), keepdim=False, *, out=None):
    """Maximum over dims (all when dim=()); the gradient is shared evenly by ties."""
    dims = red_dims(dim, input._data.ndim)
    return write_out(out, _Even.apply(input, dims, keepdim, 'max', 'amax', _is_all(dim)))


def amin(input, dim=(), keepdim=False, *, out=None):
    """Minimum over dims (all when dim=()); the gradient is shared evenly by ties."""
    dims = red_dims(dim, input._data.ndim)
    return write_out(out, _Amin.apply(input, dims, keepdim, 'min', 'amin', _is_all(dim)))


class _Aminmax(Function, node_name='AminmaxBackward0'):
    @staticmethod
    def forward(ctx, a, dims, keepdim):
        x = a._data
        xp = a._storage.device.xp
        if x.size == 0:
            raise RuntimeError("aminmax(): cannot compute aminmax over an empty dimension as the "
                               "operation has no identity.")
        lo, hi = x.min(axis=dims, keepdims=True), x.max(axis=dims, keepdims=True)
        if ctx.needs_input_grad:
            ml, mh = _tie_mask(xp, x, lo, False), _tie_mask(xp, x, hi, False)
            with xp.errstate(invalid='ignore', divide='ignore'):
                ctx.wl = (ml / ml.sum(axis=dims, keepdims=True)).astype(x.dtype)
                ctx.wh = (mh / mh.sum(axis=dims, keepdims=True)).astype(x.dtype)
            ctx.shape, ctx.dims, ctx.keepdim = x.shape, dims, keepdim
        if not keepdim:
            shp = tuple(s for i, s in enumerate(x.shape) if i not in dims)
            lo, hi = lo.reshape(shp), hi.reshape(shp)
        return lo, hi

    @staticmethod
    def backward(ctx, gl, gh):
        gl = expand_back(gl, ctx.shape, ctx.dims, ctx.keepdim)
        gh = expand_back(gh, ctx.shape, ctx.dims, ctx.keepdim)
        return gl * const(ctx.wl, gl) + gh * const(ctx.wh, gh), None, None


def aminmax(input, *, dim=None, keepdim=False, out=None):
    """(min, max) over one dim or all elements."""
    dims = tuple(range(input._data.ndim)) if dim is None else \
        ((one_dim(dim, input._data.ndim),) if input._data.ndim else ())
    if dim is not None and input._data.ndim:
        check_nonempty_dim('aminmax', input._data, dims)
    lo, hi = _Aminmax.apply(input, dims, keepdim)
    if out is not None:
        write_out(out[0], lo)
        write_out(out[1], hi)
        lo, hi = out
    return R.aminmax(lo, hi)


def _arg(name, input, dim, keepdim, out):
    x = input._data
    xp = input._storage.device.xp
    f = xp.argmax if name == 'argmax' else xp.argmin
    if x.dtype.kind == 'b':
        raise RuntimeError(f"{name}(): does not support bool input")
    if dim is None:
        if x.size == 0:
            raise IndexError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0.")
        r = xp.asarray(f(x.reshape(-1)))
        if keepdim:
            r = r.reshape((1,) * x.ndim)
    else:
        d = one_dim(dim, x.ndim)
        if x.ndim == 0:
            r = xp.zeros((), dtype=xp.int64)
        else:
            check_nonempty_dim(name, x, (d,))
            r = f(x, axis=d, keepdims=keepdim)
    return write_out(out, Tensor._from_array(xp.asarray(r).astype(xp.int64), input._storage.device))


def argmax(input, dim=None, keepdim=False, *, out=None):
    """Index of the maximum (of the flattened tensor when dim is None); first one on ties."""
    return _arg('argmax', input, dim, keepdim, out)


def argmin(input, dim=None, keepdim=False, *, out=None):
    """Index of the minimum (of the flattened tensor when dim is None); first one on ties."""
    return _arg('argmin', input, dim, keepdim, out)


# ---------------------------------------------------------------------------- median & co.

def _check_sortable(input, name):
    if input._data.dtype.kind == 'b':
        raise NotImplementedError(f'"{name}_cpu" not implemented for \'Bool\'')
    if input._data.dtype.kind == 'c':
        raise RuntimeError(f"{name}() does not support complex inputs")


def _lower_median_all(xp, x):
    """Lower median of all elements; NaN if any NaN or empty."""
    flat = xp.sort(x.reshape(-1))
    if flat.size == 0:
        return xp.full((1,) * x.ndim, xp.nan, dtype=x.dtype)
    k = (flat.size - 1) // 2
    v = flat[k]
    if x.dtype.kind == 'f' and xp.isnan(flat[-1]):
        v = flat[-1]
    return xp.asarray(v).reshape((1,) * x.ndim)


def _nan_lower_median_all(xp, x):
    flat = xp.sort(x.reshape(-1))      # NaNs sort last
    n = int((~xp.isnan(flat)).sum()) if x.dtype.kind == 'f' else flat.size
    if n == 0:
        return xp.full((1,) * x.ndim, xp.nan, dtype=x.dtype)
    return xp.asarray(flat[(n - 1) // 2]).reshape((1,) * x.ndim)


def _median_pick(xp, x, dim):
    order = xp.argsort(x, axis=dim, kind='stable')
    k = (x.shape[dim] - 1) // 2
    idx = xp.take(order, xp.asarray([k]), axis=dim)
    if x.dtype.kind == 'f':
        isn = xp.isnan(x)
        first_nan = xp.argmax(isn, axis=dim, keepdims=True)
        idx = xp.where(isn.any(axis=dim, keepdims=True), first_nan, idx)
    return idx


def _nanmedian_pick(xp, x, dim):
    order = xp.argsort(x, axis=dim, kind='stable')   # NaNs last
    if x.dtype.kind != 'f':
        return xp.take(order, xp.asarray([(x.shape[dim] - 1) // 2]), axis=dim)
    n = (~xp.isnan(x)).sum(axis=dim, keepdims=True)
    k = xp.maximum((n - 1) // 2, 0)
    idx = xp.take_along_axis(order, k, axis=dim)
    return xp.where(n == 0, 0, idx)


def median(input, dim=None, keepdim=False, *, out=None):
    """Lower median of all elements, or (values, indices) along dim. NaN propagates."""
    _check_sortable(input, 'median')
    if dim is None:
        return write_out(out, _MedianAll.apply(input, tuple(range(input._data.ndim)), False,
                                               _lower_median_all, 'median', True))
    return _select(_MedianDim, R.median, input, dim, keepdim, _median_pick, 'median', out)


def nanmedian(input, dim=None, keepdim=False, *, out=None):
    """Median ignoring NaNs (NaN only where a slice is all NaN)."""
    _check_sortable(input, 'nanmedian')
    if dim is None:
        return write_out(out, _NanmedianAll.apply(input, tuple(range(input._data.ndim)), False,
                                                  _nan_lower_median_all, 'nanmedian', True))
    return _select(_NanmedianDim, R.nanmedian, input, dim, keepdim, _nanmedian_pick, 'nanmedian', out)


def kthvalue(input, k, dim=-1, keepdim=False, *, out=None):
    """k-th smallest value along dim (1-based) and its index."""
    _check_sortable(input, 'kthvalue')
    x = input._data
    d = one_dim(dim, x.ndim)
    n = x.shape[d] if x.ndim else 1
    if n == 0:
        check_nonempty_dim('kthvalue', x, (d,))
    if not 1 <= k <= n:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {d}")

    def pick(xp, a, dim):
        return xp.take(xp.argsort(a, axis=dim, kind="stable"), xp.asarray([k - 1]), axis=dim)
    return _select(_Kthvalue, R.kthvalue, input, dim, keepdim, pick, 'kthvalue', out)


def _mode_pick(xp, x, dim):
    """Most frequent value (smallest on ties) along dim; index of its last occurrence."""
    xm = xp.moveaxis(x, dim, -1)
    order = xp.argsort(xm, axis=-1, kind='stable')
    s = xp.take_along_axis(xm, order, axis=-1)
    n = s.shape[-1]
    pos = xp.arange(n)
    new_run = xp.ones(s.shape, dtype=bool)
    new_run[..., 1:] = s[..., 1:] != s[..., :-1]
    if s.dtype.kind == 'f':
        new_run[..., 1:] &= ~(xp.isnan(s[..., 1:]) & xp.isnan(s[..., :-1]))
    start = xp.maximum.accumulate(xp.where(new_run, pos, 0), axis=-1)
    length = pos - start + 1                       # run length so far; max at the run's end
    best_end = xp.argmax(length, axis=-1)[..., None]   # first maximal run = smallest value
    idx = xp.take_along_axis(order, best_end, axis=-1)
    return xp.moveaxis(idx, -1, dim)


def mode(input, dim=-1, keepdim=False, *, out=None):
    """Most frequent value along dim (smallest on ties) and the index of its last occurrence."""
    _check_sortable(input, 'mode')
    return _select(_Mode, R.mode, input, dim, keepdim, _mode_pick, 'mode', out)


def _max_method(self, dim=None, keepdim=False, **kw):
    return max(self, dim, keepdim, **kw)


def _min_method(self, dim=None, keepdim=False, **kw):
    return min(self, dim, keepdim, **kw)


register_methods({
    'max': _max_method, 'min': _min_method, 'amax': amax, 'amin': amin, 'aminmax': aminmax,
    'argmax': argmax, 'argmin': argmin, 'median': median, 'nanmedian': nanmedian,
    'kthvalue': kthvalue, 'mode': mode,
})
