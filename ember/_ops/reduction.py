"""Reductions: sum, mean, nansum, nanmean, prod, std/var (+ _mean), norm, logsumexp, all/any,
count_nonzero -- over all elements or given dims (keepdim), with torch's dtype rules.

Min/max-like reductions live in minmax.py, scans (cumsum ...) in scan.py; both are
re-exported here so `ember.<name>` finds them through this module's `__all__`.
"""
import builtins
import math
import warnings

from .. import _dtype as D
from .._tensor import Tensor, register_methods
from ..autograd.function import Function
from ..autograd.grad_mode import GradState
from ._util import write_out, _type_word
from ._reduce_util import red_dims, one_dim, count, expand_back, const

__all__ = ['sum', 'mean', 'nansum', 'nanmean', 'prod', 'std', 'var', 'std_mean', 'var_mean',
           'logsumexp', 'all', 'any', 'count_nonzero']



def _is_all(dim):
    return dim is None or (isinstance(dim, (tuple, list)) and len(dim) == 0)


def check_grad_dtype(ctx, dtype):
    """torch refuses to record an op whose requested output dtype cannot carry gradients."""
    if dtype is not None and ctx.needs_input_grad and dtype.category < 2:
        raise RuntimeError(f"Autograd not support dtype: {_type_word(dtype)}")


def _acc_dtype(x, dtype):
    """Array to accumulate in: cast to dtype=, ints/bool -> int64; 16-bit floats in float32.
    Returns (array, output numpy dtype)."""
    if dtype is not None:
        x = x.astype(dtype.np, copy=False)
    elif x.dtype.kind in 'ib' or (x.dtype.kind == 'u' and x.dtype.itemsize < 8):
        x = x.astype('int64')
    out = x.dtype
    if x.dtype.kind in 'fV' and x.dtype.itemsize == 2:
        x = x.astype('float32')
    return x, out


# ---------------------------------------------------------------------------- sum / nansum

class _Sum(Function, node_name='SumBackward1'):
    @staticmethod
    def forward(ctx, a, dims, keepdim, dtype, nan):
        check_grad_dtype(ctx, dtype)
        x, out = _acc_dtype(a._data, dtype)
        ctx.shape, ctx.dims, ctx.keepdim = a._data.shape, dims, keepdim
        xp = a._storage.device.xp
        if nan:
            if x.dtype.kind in 'fc':
                isn = xp.isnan(x)
                if ctx.needs_input_grad:
                    ctx.mask = (~isn).astype(a._data.dtype)
                x = xp.where(isn, 0, x)
        return xp.asarray(x.sum(axis=dims, keepdims=keepdim)).astype(out, copy=False)

    @staticmethod
    def backward(ctx, g):
        g = expand_back(g, ctx.shape, ctx.dims, ctx.keepdim)
        mask = ctx.__dict__.get('mask')
        if mask is not None:
            g = g * const(mask, g)
        return g, None, None, None, None


class _SumAll(_Sum, node_name='SumBackward0'):
    pass


class _Nansum(_Sum, node_name='NansumBackward0'):
    pass


def sum(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """Sum of elements (over `dim`, an int or tuple); ints and bools sum in int64."""
    dims = red_dims(dim, input._data.ndim)
    r = (_SumAll.apply(input, dims, False, dtype, False) if dim is None and not keepdim else
         _Sum.apply(input, dims, keepdim, dtype, False))
    return write_out(out, r)


def nansum(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """Sum treating NaN as zero."""
    if input.is_complex():
        raise RuntimeError("nansum does not support complex inputs")
    r = _Nansum.apply(input, red_dims(dim, input._data.ndim), keepdim, dtype, True)
    return write_out(out, r)


# ---------------------------------------------------------------------------- mean / nanmean

class _Mean(Function, node_name='MeanBackward1'):
    @staticmethod
    def forward(ctx, a, dims, keepdim, dtype):
        x, outdt = _acc_dtype(a._data, dtype)
        ctx.shape, ctx.dims, ctx.keepdim = a._data.shape, dims, keepdim
        ctx.count = count(a._data.shape, dims)
        xp = a._storage.device.xp
        s = xp.asarray(x.sum(axis=dims, keepdims=keepdim))
        with xp.errstate(invalid='ignore', divide='ignore'):
            return (s / x.dtype.type(ctx.count)).astype(outdt, copy=False)

    @staticmethod
    def backward(ctx, g):
        return expand_back(g, ctx.shape, ctx.dims, ctx.keepdim) / ctx.count, None, None, None


class _MeanAll(_Mean, node_name='MeanBackward0'):
    pass


def _check_float_mean(input, dtype, name='mean'):
    dt = dtype if dtype is not None else input.dtype
    if dt.category < 2:
        if name == 'mean':
            raise RuntimeError(f"mean(): could not infer output dtype. Input dtype must be either a "
                               f"floating point or complex dtype. Got: {_type_word(dt)}")
        raise RuntimeError(f"{name}(): expected input to have floating point or complex dtype but "
                           f"got {_type_word(dt)}")


def mean(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """Arithmetic mean (over `dim`); float/complex inputs only (or dtype=), as torch."""
    _check_float_mean(input, dtype)
    dims = red_dims(dim, input._data.ndim)
    r = (_MeanAll.apply(input, dims, False, dtype) if dim is None and not keepdim else
         _Mean.apply(input, dims, keepdim, dtype))
    return write_out(out, r)


def nanmean(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """Mean of the non-NaN elements (nansum / count of non-NaN)."""
    _check_float_mean(input, dtype, 'nanmean')
    dims = red_dims(dim, input._data.ndim)
    kd = keepdim
    xp = input._storage.device.xp
    n = (~xp.isnan(input._data)).sum(axis=dims, keepdims=kd)
    s = nansum(input, dim, kd, dtype=dtype)
    r = s / const(xp.asarray(n).astype(s._data.dtype), input)
    return write_out(out, r)


# ---------------------------------------------------------------------------- prod

class _Prod(Function, node_name='ProdBackward1'):
    @staticmethod
    def forward(ctx, a, dims, keepdim, dtype):
        check_grad_dtype(ctx, dtype)
        x, outdt = _acc_dtype(a._data, dtype)
        ctx.shape, ctx.dims, ctx.keepdim = a._data.shape, dims, keepdim
        xp = a._storage.device.xp
        out = Tensor._from_array(xp.asarray(x.prod(axis=dims, keepdims=keepdim)).astype(outdt, copy=False),
                                 a._storage.device)
        if ctx.needs_input_grad:
            ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, g):
        a, out = ctx.saved_tensors
        dims = ctx.dims
        g = expand_back(g, ctx.shape, dims, ctx.keepdim)
        if not dims:
            return g, None, None, None
        x = a._data
        zero = x == 0
        if not zero.any():
            return g * expand_back(out, ctx.shape, dims, ctx.keepdim) / a, None, None, None
        if GradState.enabled:       # create_graph: exact, twice-differentiable form
            if len(dims) > 1:
                others = others_prod(a.reshape(-1), 0).reshape(ctx.shape)
            else:
                others = others_prod(a, dims[0])
            return g * others, None, None, None
        # product of the others = prod(x, zeros -> 1) / x_safe where the slice has no zero or
        # at the slice's single zero; 0 elsewhere (>= 2 zeros: all 0).
        xp = a._storage.device.xp
        nz = zero.sum(axis=dims, keepdims=True)
        keep = (nz == 0) | ((nz == 1) & zero)
        safe = a + const(zero.astype(x.dtype), a)
        p = _Prod.apply(safe, dims, True, None)
        return g * (p / safe) * const(keep.astype(x.dtype), a), None, None, None


def others_prod(a, dim):
    """prod_{k != i} x_k along dim for every i: exact with zeros and differentiable (O(n^2))."""
    xp = a._storage.device.xp
    t = a.transpose(dim, -1)
    n = t.shape[-1]
    eye = xp.eye(n, dtype=a._data.dtype)
    z = t.unsqueeze(-2) * const(1 - eye, a) + const(eye, a)   # row i: x with x_i -> 1
    return prod(z, -1).transpose(dim, -1)


class _ProdAll(_Prod, node_name='ProdBackward0'):
    pass


def prod(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """Product of elements (over one int `dim`); ints and bools multiply in int64."""
    if dim is None:
        r = _ProdAll.apply(input, tuple(range(input._data.ndim)), False, dtype)
    else:
        if isinstance(dim, (tuple, list)):
            raise TypeError("prod(): argument 'dim' must be int, not " + type(dim).__name__)
        d = one_dim(dim, input._data.ndim)
        r = _Prod.apply(input, (d,) if input._data.ndim else (), keepdim, dtype)
    return write_out(out, r)


# ---------------------------------------------------------------------------- var / std

def _parse_correction(dim, unbiased, correction, name):
    if isinstance(dim, bool):           # var(x, True): the legacy `unbiased` positional
        dim, unbiased = None, dim
    if unbiased is not None and correction is not None:
        raise RuntimeError(f"{name}: can't specify both unbiased and correction")
    if correction is None:
        correction = 1 if unbiased is None or unbiased else 0
    return dim, correction


class _Var(Function, node_name='VarBackward0'):
    """Variance (or std when `sqrt`) with correction; outputs (v,) or (v, mean) for *_mean."""
    @staticmethod
    def forward(ctx, a, dims, correction, keepdim, sqrt, with_mean, name):
        x = a._data
        if x.dtype.kind not in 'fcV':
            raise RuntimeError("std and var only support floating point and complex dtypes")
        xp = a._storage.device.xp
        n = count(x.shape, dims)
        dof = n - correction
        if dof <= 0:
            warnings.warn(f"{name}(): degrees of freedom is <= 0. Correction should be strictly less "
                          f"than the reduction factor (input numel divided by output numel).",
                          UserWarning, stacklevel=4)
        xc = x.astype('float32') if x.dtype.itemsize == 2 else x
        with xp.errstate(invalid='ignore', divide='ignore'):
            m = xp.asarray(xc.sum(axis=dims, keepdims=True)) / xc.real.dtype.type(n)
            d = xc - m
            sq = (d * d.conj()).real if xc.dtype.kind == 'c' else d * d
            v = xp.asarray(sq.sum(axis=dims, keepdims=keepdim)) / sq.dtype.type(builtins.max(0, dof))
            if sqrt:
                v = xp.sqrt(v)
        ctx.shape, ctx.dims, ctx.keepdim, ctx.dof, ctx.n = x.shape, dims, keepdim, dof, n
        real = x.dtype if x.dtype.kind != 'c' else x.real.dtype
        out = Tensor._from_array(v.astype(real, copy=False), a._storage.device)
        ctx.save_for_backward(a, out if sqrt else None)
        if not with_mean:
            return out
        if not keepdim:
            m = m.reshape(tuple(s for i, s in enumerate(x.shape) if i not in dims))
        return out, m.astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g, gm=None):
        a, out = ctx.saved_tensors
        ge = expand_back(g, ctx.shape, ctx.dims, ctx.keepdim)
        if out is not None:     # std: d std = d var / (2 std)
            ge = ge / (expand_back(out, ctx.shape, ctx.dims, ctx.keepdim) * 2)
        centered = a - a.mean(ctx.dims, keepdim=True)
        scale = 2.0 / ctx.dof if ctx.dof > 0 else math.inf
        res = ge * centered * scale
        if gm is not None:
            res = res + expand_back(gm, ctx.shape, ctx.dims, ctx.keepdim) / ctx.n
        return res, None, None, None, None, None, None


class _Std(_Var, node_name='StdBackward0'):
    pass


class _VarMean(_Var, node_name='VarMeanBackward0'):
    pass


class _StdMean(_Var, node_name='StdMeanBackward0'):
    pass


def _var_impl(cls, input, dim, unbiased, keepdim, correction, sqrt, with_mean, name):
    dim, correction = _parse_correction(dim, unbiased, correction, name)
    dims = red_dims(dim, input._data.ndim)
    return cls.apply(input, dims, correction, keepdim, sqrt, with_mean, name)


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    """Variance over dims with Bessel's correction (correction=1) by default."""
    return write_out(out, _var_impl(_Var, input, dim, unbiased, keepdim, correction, False, False, 'var'))


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    """Standard deviation over dims (sqrt of var)."""
    return write_out(out, _var_impl(_Std, input, dim, unbiased, keepdim, correction, True, False, 'std'))


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    """(var, mean) in one pass."""
    return _var_impl(_VarMean, input, dim, unbiased, keepdim, correction, False, True, 'var_mean')


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    """(std, mean) in one pass."""
    return _var_impl(_StdMean, input, dim, unbiased, keepdim, correction, True, True, 'std_mean')


# ---------------------------------------------------------------------------- norm

class _VectorNorm(Function, node_name='LinalgVectorNormBackward0'):
    @staticmethod
    def forward(ctx, a, ord, dims, keepdim, dtype):
        x = a._data
        if dtype is not None:
            x = x.astype(dtype.np, copy=False)
        xp = a._storage.device.xp
        ax = xp.abs(x)
        if ax.dtype.itemsize == 2:
            ax = ax.astype('float32')
        if ord == math.inf or ord == -math.inf:
            if ax.size == 0 and (not dims or builtins.any(ax.shape[d] == 0 for d in dims)):
                raise IndexError(f"linalg.vector_norm cannot compute the {ord} norm on an empty "
                                 f"tensor because the operation does not have an identity")
            r = ax.max(axis=dims, keepdims=keepdim) if ord > 0 else ax.min(axis=dims, keepdims=keepdim)
        elif ord == 0:
            r = (ax != 0).sum(axis=dims, keepdims=keepdim).astype(ax.dtype)
        elif ord == 1:
            r = ax.sum(axis=dims, keepdims=keepdim)
        elif ord == 2:
            r = xp.sqrt((ax * ax).sum(axis=dims, keepdims=keepdim))
        else:
            with xp.errstate(divide='ignore', invalid='ignore', over='ignore'):
                r = (ax ** ord).sum(axis=dims, keepdims=keepdim) ** (1.0 / ord)
        real = x.dtype if x.dtype.kind != 'c' else x.real.dtype
        out = Tensor._from_array(xp.asarray(r).astype(real, copy=False), a._storage.device)
        ctx.ord, ctx.shape, ctx.dims, ctx.keepdim = ord, x.shape, dims, keepdim
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, g):
        a, out = ctx.saved_tensors
        x = a._data
        xp = a._storage.device.xp
        p = ctx.ord
        ge = expand_back(g, ctx.shape, ctx.dims, ctx.keepdim)
        if p == 0:
            return ge * 0, None, None, None, None
        sign = const(xp.sign(x), a)
        if p == 1:
            return ge * sign, None, None, None, None
        ne = expand_back(out, ctx.shape, ctx.dims, ctx.keepdim)
        if p == math.inf or p == -math.inf:
            mask = xp.abs(x) == ne._data
            cnt = xp.maximum(mask.sum(axis=ctx.dims, keepdims=True), 1)
            return ge * sign * const((mask / cnt).astype(x.dtype), a), None, None, None, None
        zero = const((ne._data == 0).astype(x.dtype), a)
        if p == 2:
            return ge * a / (ne + zero) * (1 - zero), None, None, None, None
        absx = a * sign + const((x == 0).astype(x.dtype), a)   # |x|, 1 where x == 0 (sign is 0)
        grad = ge * sign * absx ** (p - 1) / (ne + zero) ** (p - 1)
        return grad * (1 - zero), None, None, None, None


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None):
    """Vector p-norm over dims (linalg.vector_norm semantics); float/complex only."""
    if x.dtype.category < 2 and (dtype is None or dtype.category < 2):
        raise RuntimeError(f"linalg.vector_norm: Expected a floating point or complex tensor as "
                           f"input. Got {_type_word(x.dtype)}")
    dims = red_dims(dim, x._data.ndim)
    return _VectorNorm.apply(x, float(ord), dims, keepdim, dtype)


def norm(input, p='fro', dim=None, keepdim=False, out=None, dtype=None):
    """Vector / Frobenius norm (torch.norm); p: number, inf, -inf, 'fro' ('nuc' via linalg).

    ember.norm itself is exported by linalg.py; this vector implementation is what it can
    delegate to for vector/Frobenius cases (not exported here to keep one public name)."""
    if p == 'fro' or p is None:
        p = 2
    elif p == 'nuc':
        from .. import linalg
        return write_out(out, linalg.matrix_norm(input, 'nuc', dim if dim is not None else (-2, -1),
                                                 keepdim, dtype=dtype))
    elif isinstance(p, str):
        raise RuntimeError(f"norm(): unsupported p={p!r}")
    if isinstance(dim, int):
        dim = (dim,)
    return write_out(out, vector_norm(input, p, dim, keepdim, dtype=dtype))


# ---------------------------------------------------------------------------- logsumexp

class _Logsumexp(Function, node_name='LogsumexpBackward0'):
    @staticmethod
    def forward(ctx, a, dims, keepdim):
        x = a._data
        if x.dtype.kind in 'iub':
            x = x.astype(D.get_default_dtype().np)
        xp = a._storage.device.xp
        if x.size and builtins.all(x.shape[d] for d in dims):
            m = x.max(axis=dims, keepdims=True)
            m = xp.where(xp.isfinite(m), m, 0)
        else:
            m = xp.zeros([1 if i in dims else s for i, s in enumerate(x.shape)], dtype=x.dtype)
        with xp.errstate(divide='ignore', invalid='ignore'):
            r = xp.log(xp.exp(x - m).sum(axis=dims, keepdims=True)) + m
        if not keepdim:
            r = r.reshape(tuple(s for i, s in enumerate(x.shape) if i not in dims))
        out = Tensor._from_array(r, a._storage.device)
        ctx.dims, ctx.keepdim, ctx.shape = dims, keepdim, x.shape
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, g):
        a, out = ctx.saved_tensors
        from .elementwise import exp
        o = expand_back(out, ctx.shape, ctx.dims, ctx.keepdim)
        return expand_back(g, ctx.shape, ctx.dims, ctx.keepdim) * exp(a - o), None, None


def logsumexp(input, dim, keepdim=False, *, out=None):
    """log(sum(exp(x))) over dims, computed stably (max subtracted first)."""
    if isinstance(dim, (tuple, list)) and len(dim) == 0:
        dims = tuple(range(input._data.ndim))
    else:
        dims = red_dims(dim, input._data.ndim)
    return write_out(out, _Logsumexp.apply(input, dims, keepdim))


# ---------------------------------------------------------------------------- all / any / count_nonzero

def _logical(input, dim, keepdim, out, name):
    x = input._data
    # an explicit empty dim list reduces nothing here (unlike sum), as torch
    dims = () if isinstance(dim, (tuple, list)) and not dim else red_dims(dim, x.ndim)
    kd = keepdim
    xp = input._storage.device.xp
    b = x != 0
    r = xp.asarray(b.all(axis=dims, keepdims=kd) if name == 'all' else b.any(axis=dims, keepdims=kd))
    if x.dtype == xp.uint8:
        r = r.astype(xp.uint8)
    return write_out(out, Tensor._from_array(r, input._storage.device))


def all(input, dim=None, keepdim=False, *, out=None):
    """True where every element (over dim) is nonzero; bool result (uint8 for uint8 inputs)."""
    return _logical(input, dim, keepdim, out, 'all')


def any(input, dim=None, keepdim=False, *, out=None):
    """True where some element (over dim) is nonzero; bool result (uint8 for uint8 inputs)."""
    return _logical(input, dim, keepdim, out, 'any')


def count_nonzero(input, dim=None):
    """Number of nonzero elements (over dim), int64."""
    x = input._data
    dims = red_dims(dim, x.ndim)
    xp = input._storage.device.xp
    return Tensor._from_array(xp.asarray((x != 0).sum(axis=dims)).astype(xp.int64), input._storage.device)


register_methods({
    'sum': sum, 'mean': mean, 'nansum': nansum, 'nanmean': nanmean, 'prod': prod, 'std': std,
    'var': var, 'logsumexp': logsumexp, 'all': all, 'any': any,
    'count_nonzero': count_nonzero,
})

from .minmax import *  # noqa: E402,F401,F403
from .minmax import __all__ as _mm_all  # noqa: E402
from .scan import *  # noqa: E402,F401,F403
from .scan import __all__ as _scan_all  # noqa: E402

__all__ = __all__ + _mm_all + _scan_all
