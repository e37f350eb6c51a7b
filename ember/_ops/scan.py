"""Scans along one dim: cumsum, cumprod (backward exact with zeros), cummax/cummin,
logcumsumexp."""
from .. import _dtype as D
from .. import return_types as R
from .._tensor import Tensor, register_methods
from ..autograd.function import Function
from ..autograd.grad_mode import GradState
from ._util import write_out, inplace
from ._reduce_util import one_dim, const, put_along

__all__ = ['cumsum', 'cumprod', 'cummax', 'cummin', 'logcumsumexp']


def _acc(x, dtype):
    if dtype is not None:
        return x.astype(dtype.np, copy=False)
    if x.dtype.kind in 'ib' or (x.dtype.kind == 'u' and x.dtype.itemsize < 8):
        return x.astype('int64')
    return x


def _flip(xp, x, dim):
    return xp.flip(x, axis=dim)


class _Cumsum(Function, node_name='CumsumBackward0'):
    @staticmethod
    def forward(ctx, a, dim, dtype, reverse):
        x = _acc(a._data, dtype)
        ctx.dim, ctx.reverse = dim, reverse
        if x.ndim == 0:
            return x.copy()
        xp = a._storage.device.xp
        if reverse:
            return _flip(xp, xp.cumsum(_flip(xp, x, dim), axis=dim, dtype=x.dtype), dim)
        return xp.cumsum(x, axis=dim, dtype=x.dtype)

    @staticmethod
    def backward(ctx, g):
        if g.ndim == 0:
            return g, None, None, None
        return _Cumsum.apply(g, ctx.dim, None, not ctx.reverse), None, None, None


def cumsum(input, dim, *, dtype=None, out=None):
    """Running sum along dim; ints and bools accumulate in int64."""
    d = one_dim(dim, input._data.ndim)
    return write_out(out, _Cumsum.apply(input, d, dtype, False))


def _rev_cumsum(g, dim):
    return _Cumsum.apply(g, dim, None, True)


class _Cumprod(Function, node_name='CumprodBackward0'):
    @staticmethod
    def forward(ctx, a, dim, dtype):
        x = _acc(a._data, dtype)
        ctx.dim = dim
        if x.ndim == 0:
            return x.copy()
        xp = a._storage.device.xp
        out = Tensor._from_array(xp.cumprod(x, axis=dim, dtype=x.dtype), a._storage.device)
        if ctx.needs_input_grad:
            ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, g):
        if g.ndim == 0:
            return g, None, None
        # Before a slice's first zero: revcumsum(g*out)/x. At the first zero z: the sum over
        # j >= z of g_j * prod_{k<=j, k!=z} x_k = revcumsum(g * cumprod(x with x_z -> 1)).
        # After it: 0.
        a, out = ctx.saved_tensors
        d = ctx.dim
        xp = a._storage.device.xp
        x = a._data
        zero = x == 0
        if not zero.any():
            return _rev_cumsum(g * out, d) / a, None, None
        dt = x.dtype
        if GradState.enabled:
            # create_graph: exact, twice-differentiable O(n^2) form.
            # grad_i = sum_{j >= i} g_j * prod_{k <= j, k != i} x_k
            t = a.transpose(d, -1)
            n = t.shape[-1]
            eye = xp.eye(n, dtype=dt)
            z = t.unsqueeze(-2) * const(1 - eye, a) + const(eye, a)      # row i: x_i -> 1
            upper = const(xp.triu(xp.ones((n, n), dtype=dt)), a)          # j >= i
            gt = g.transpose(d, -1).unsqueeze(-2)
            return (gt * cumprod(z, -1) * upper).sum(-1).transpose(d, -1), None, None
        seen = xp.cumsum(zero, axis=d)
        before = seen == 0
        first = zero & (seen == 1)
        res = _rev_cumsum(g * out, d) / (a + const(zero.astype(dt), a)) * const(before.astype(dt), a)
        y = a + const(first.astype(dt), a)
        res = res + _rev_cumsum(g * cumprod(y, d), d) * const(first.astype(dt), a)
        return res, None, None


def cumprod(input, dim, *, dtype=None, out=None):
    """Running product along dim; ints and bools accumulate in int64."""
    d = one_dim(dim, input._data.ndim)
    return write_out(out, _Cumprod.apply(input, d, dtype))


class _Cummax(Function, node_name='CummaxBackward0'):
    @staticmethod
    def forward(ctx, a, dim, is_max):
        x = a._data
        xp = a._storage.device.xp
        scalar = x.ndim == 0
        if scalar:
            x = x.reshape(1)
        ufunc = xp.maximum if is_max else xp.minimum
        if x.dtype.kind == 'b':
            v = ufunc.accumulate(x.astype(xp.uint8), axis=dim).astype(bool)
        else:
            v = ufunc.accumulate(x, axis=dim)
        # index of the latest element equal to the running extreme (NaN sticks at its place)
        hit = x == v
        if x.dtype.kind in 'fc':
            hit |= xp.isnan(x)
        shape = [1] * x.ndim
        shape[dim] = x.shape[dim]
        pos = xp.arange(x.shape[dim]).reshape(shape)
        idx = xp.maximum.accumulate(xp.where(hit, pos, 0), axis=dim) if x.size else \
            xp.zeros(x.shape, dtype=xp.int64)
        idx = idx.astype(xp.int64)
        ctx.idx, ctx.dim, ctx.shape = idx, dim, x.shape
        if scalar:
            return v.reshape(()), idx.reshape(())
        return v, idx

    @staticmethod
    def backward(ctx, g, gi=None):
        if g.ndim == 0:
            return g, None, None
        return put_along(g, ctx.idx, ctx.dim, ctx.shape), None, None


class _Cummin(_Cummax, node_name='CumminBackward0'):
    pass


def _cumext(cls, rtype, input, dim, is_max, out):
    if input._data.dtype.kind == 'c':
        raise RuntimeError(f"{'cummax' if is_max else 'cummin'}() does not support complex inputs")
    d = one_dim(dim, input._data.ndim)
    v, i = cls.apply(input, d, is_max)
    if out is not None:
        write_out(out[0], v)
        write_out(out[1], i)
        v, i = out
    return rtype(v, i)


def cummax(input, dim, *, out=None):
    """(running max, index of the latest element attaining it) along dim."""
    return _cumext(_Cummax, R.cummax, input, dim, True, out)


def cummin(input, dim, *, out=None):
    """(running min, index of the latest element attaining it) along dim."""
    return _cumext(_Cummin, R.cummin, input, dim, False, out)


class _Logcumsumexp(Function, node_name='LogcumsumexpBackward0'):
    @staticmethod
    def forward(ctx, a, dim, reverse):
        x = a._data
        if x.dtype.kind in 'iub':
            x = x.astype(D.get_default_dtype().np)
        xp = a._storage.device.xp
        if x.ndim == 0 or x.size == 0:
            r = x.copy()
        elif reverse:
            r = xp.flip(xp.logaddexp.accumulate(xp.flip(x, axis=dim), axis=dim), axis=dim)
        else:
            r = xp.logaddexp.accumulate(x, axis=dim)
        out = Tensor._from_array(r, a._storage.device)
        ctx.dim, ctx.reverse = dim, reverse
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, g):
        # grad_i = sum_{j >= i} g_j exp(x_i - out_j), summed in log space separately for the
        # positive and negative parts of g (no overflow for large |x|).
        from .elementwise import exp, log
        a, out = ctx.saved_tensors
        if g.ndim == 0 or g.numel() == 0:
            return g, None, None
        xp = g._storage.device.xp
        gd = g._data
        res = None
        for sign in (1, -1):
            m = (gd * sign) > 0
            lg = log(g * (sign * const(m.astype(gd.dtype), g)) + const((~m).astype(gd.dtype), g)) + \
                const(xp.where(m, 0, xp.finfo(gd.dtype).min / 4).astype(gd.dtype), g)  # ~log(0), finite
            part = exp(a + _Logcumsumexp.apply(lg - out, ctx.dim, not ctx.reverse))
            res = part if res is None else res - part
        return res, None, None


def logcumsumexp(input, dim, *, out=None):
    """log(cumsum(exp(x))) along dim, computed stably (running logaddexp)."""
    d = one_dim(dim, input._data.ndim)
    return write_out(out, _Logcumsumexp.apply(input, d, False))


def _cumsum_(self, dim, *, dtype=None):
    return inplace(self, cumsum, dim, dtype=dtype)


def _cumprod_(self, dim, *, dtype=None):
    return inplace(self, cumprod, dim, dtype=dtype)


def _cumsum_m(self, dim, dtype=None):
    return cumsum(self, dim, dtype=dtype)


def _cumprod_m(self, dim, dtype=None):
    return cumprod(self, dim, dtype=dtype)


register_methods({
    'cumsum': _cumsum_m, 'cumprod': _cumprod_m, 'cumsum_': _cumsum_, 'cumprod_': _cumprod_,
    'cummax': cummax, 'cummin': cummin, 'logcumsumexp': logcumsumexp,
})
