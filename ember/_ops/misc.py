"""Assorted math ops: differences and integrals (diff, trapezoid), statistics (cov, corrcoef,
quantile, histogram, bincount), integer/float bit ops (gcd, lcm, frexp, ldexp, nextafter),
complex views (view_as_real/view_as_complex), *_scatter ops and small helpers.

Most are compositions of differentiable ember ops (so autograd and double-backward come for
free); the non-differentiable ones compute directly on the backend arrays."""
import math

from .. import _dtype as D
from .._tensor import Tensor, register_methods, _wrap_dim
from ..autograd.function import Function
from ..return_types import _make
from ._util import inplace, write_out, to_tensor

__all__ = ['diff', 'bincount', 'histogram', 'cov', 'corrcoef', 'float_power', 'frexp', 'gcd',
           'lcm', 'heaviside', 'isin', 'ldexp', 'nextafter', 'quantile', 'nanquantile',
           'block_diag', 'trapezoid', 'trapz', 'cumulative_trapezoid', 'unravel_index',
           'view_as_real', 'view_as_complex', 'dist', 'renorm', 'i0', 'vander', 'index_reduce',
           'select_scatter', 'slice_scatter', 'diagonal_scatter', 'as_strided_scatter',
           'split_with_sizes', 'unsafe_split', 'unsafe_chunk', 'unsafe_split_with_sizes',
           'matrix_exp', 'mvlgamma']

_histogram_rt = _make('histogram', ('hist', 'bin_edges'))
_frexp_rt = _make('frexp', ('mantissa', 'exponent'))


def _xp(t):
    return t._storage.device.xp


def _new(arr, like):
    return Tensor._from_array(arr, like._storage.device)


def _need_tensor(x, fn, name='input'):
    if not isinstance(x, Tensor):
        raise TypeError(f"{fn}(): argument '{name}' (position 1) must be Tensor, not {type(x).__name__}")


# ---------------------------------------------------------------------------- differences / integrals
def diff(input, n=1, dim=-1, prepend=None, append=None):
    """n-th forward difference along dim (logical xor for bool), after prepend/append."""
    _need_tensor(input, 'diff')
    if input.dim() == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    dim = _wrap_dim(dim, input.dim())
    from .. import cat
    parts = [p for p in (prepend, input, append) if p is not None]
    x = cat([to_tensor(p, like=input) if not isinstance(p, Tensor) else p for p in parts], dim) \
        if len(parts) > 1 else input
    for _ in range(n):
        m = x.shape[dim]
        if m == 0:
            break
        a, b = x.narrow(dim, 1, m - 1), x.narrow(dim, 0, m - 1)
        x = a.logical_xor(b) if x.dtype is D.bool else a - b
    return x


def _trapz_dx(y, dx, dim):
    m = y.shape[dim]
    if m == 0:
        return y.sum(dim) * 0
    s = y.sum(dim) - (y.select(dim, 0) + y.select(dim, m - 1)) * 0.5
    return s * dx


def trapezoid(y, x=None, *, dx=None, dim=-1):
    """Trapezoidal rule along dim, with sample points x or constant spacing dx (default 1)."""
    if x is not None and dx is not None:
        raise TypeError("trapezoid() received an invalid combination of arguments")
    dim = _wrap_dim(dim, y.dim())
    if not y.is_floating_point() and not y.is_complex():
        y = y.to(D.get_default_dtype() if x is None or not isinstance(x, Tensor) or not x.is_floating_point() else x.dtype)
    if isinstance(x, Tensor):
        m = y.shape[dim]
        if m == 0:
            return y.sum(dim) * 0
        if x.dim() == 1:
            dxs = x[1:] - x[:-1]
            shape = [1] * y.dim()
            shape[dim] = m - 1
            dxs = dxs.reshape(shape)
        else:
            dxs = diff(x, dim=dim)
        return ((y.narrow(dim, 1, m - 1) + y.narrow(dim, 0, m - 1)) * dxs).sum(dim) * 0.5
    return _trapz_dx(y, 1 if dx is None and x is None else (dx if dx is not None else x), dim)


def trapz(y, x=None, *, dx=None, dim=-1):
    return trapezoid(y, x, dx=dx, dim=dim)


def cumulative_trapezoid(y, x=None, *, dx=None, dim=-1):
    """Running trapezoidal integral along dim (one element shorter than y)."""
    dim = _wrap_dim(dim, y.dim())
    if not y.is_floating_point() and not y.is_complex():
        y = y.to(D.get_default_dtype())
    m = y.shape[dim]
    avg = (y.narrow(dim, 1, max(m - 1, 0)) + y.narrow(dim, 0, max(m - 1, 0))) * 0.5
    if isinstance(x, Tensor):
        if x.dim() == 1:
            shape = [1] * y.dim()
            shape[dim] = max(m - 1, 0)
            w = (x[1:] - x[:-1]).reshape(shape)
        else:
            w = diff(x, dim=dim)
        avg = avg * w
    else:
        step = dx if dx is not None else (x if x is not None else 1)
        avg = avg * step
    return avg.cumsum(dim)


# ---------------------------------------------------------------------------- counting / statistics
def bincount(input, weights=None, minlength=0):
    """Counts (or summed weights) of each value in a 1-D non-negative integer tensor."""
    _need_tensor(input, 'bincount')
    if input._data.dtype.kind not in 'iub':
        raise NotImplementedError(f'"bincount_cpu" not implemented for \'{_type_word(input.dtype)}\'')
    if input.dim() != 1:
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if minlength < 0:
        raise RuntimeError("minlength should be >= 0")
    xp = _xp(input)
    arr = input._data
    if arr.size and int(arr.min()) < 0:
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if weights is not None:
        if weights.shape != input.shape:
            raise RuntimeError("weights should be 1-d and have the same length as input")
        dt = D.float32 if weights.dtype is D.float32 else D.float64
        w = weights._data.astype(dt.np)
        return _new(xp.bincount(arr, weights=w, minlength=minlength).astype(dt.np), input)
    return _new(xp.bincount(arr, minlength=minlength).astype('int64'), input)


def histogram(input, bins, *, range=None, weight=None, density=False, out=None):
    """(hist, bin_edges): counts of input in equal-width bins (int bins) or given edges."""
    _need_tensor(input, 'histogram')
    if not input.is_floating_point():
        raise RuntimeError(f"torch.histogram: input tensor and bins tensors should have the same "
                           f"dtype, but got input {input.dtype} and bins {input.dtype}")
    xp = _xp(input)
    arr = input._data.reshape(-1)
    b = bins._data if isinstance(bins, Tensor) else bins
    w = weight._data.reshape(-1) if weight is not None else None
    hist, edges = xp.histogram(arr, bins=b, range=range, weights=w, density=density)
    dt = input.dtype.np
    res = _histogram_rt(_new(hist.astype(dt), input), _new(edges.astype(dt), input))
    if out is not None:
        write_out(out[0], res[0])
        write_out(out[1], res[1])
        return _histogram_rt(*out)
    return res


def cov(input, *, correction=1, fweights=None, aweights=None):
    """Covariance matrix of the variables in input's rows (observations in columns)."""
    if input.dim() > 2:
        raise RuntimeError(f"cov(): expected input to have two or fewer dimensions but got an "
                           f"input with {input.dim()} dimensions")
    x = input if input.dim() == 2 else input.reshape(1, -1)
    if not x.is_floating_point() and not x.is_complex():
        x = x.to(D.get_default_dtype())
    n = x.shape[1]
    w = None
    if fweights is not None:
        w = fweights
    if aweights is not None:
        w = aweights if w is None else w * aweights
    if w is None:
        avg = x.mean(1, keepdim=True)
        wsum = n
        norm = n - correction
    else:
        wsum = w.sum()
        avg = (x * w).sum(1, keepdim=True) / wsum
        if aweights is None or correction == 0:
            norm = wsum - correction
        else:
            norm = wsum - correction * (w * aweights).sum() / wsum
    if not isinstance(norm, Tensor) and norm <= 0:
        norm = 0
    elif isinstance(norm, Tensor):
        norm = norm.clamp_min(0)
    xc = x - avg
    xw = xc if w is None else xc * w
    c = xw.matmul(xc.t().conj() if xc.is_complex() else xc.t()) / norm
    return c.squeeze() if input.dim() < 2 else c


def corrcoef(input):
    """Pearson correlation coefficients of input's rows (clipped to [-1, 1] for real)."""
    c = cov(input)
    if c.dim() == 0:
        return c / c
    d = c.diagonal()
    std = d.sqrt() if not c.is_complex() else d.real.sqrt()
    c = c / std.unsqueeze(1)
    c = c / std.unsqueeze(0)
    return c.clamp(-1, 1) if not c.is_complex() else c


# ---------------------------------------------------------------------------- quantile
def _quantile(input, q, dim, keepdim, interpolation, ignore_nan, fname):
    _need_tensor(input, fname)
    if input.dtype not in (D.float32, D.float64):
        raise RuntimeError(f"{fname}() input tensor must be either float or double dtype")
    scalar_q = not isinstance(q, Tensor)
    qt = to_tensor(float(q), like=input, dtype=input.dtype) if scalar_q else q
    if qt.dim() > 1:
        raise RuntimeError(f"{fname}() q must be a scalar or 1D tensor")
    if qt.dtype is not input.dtype:
        raise RuntimeError(f"{fname}() q tensor must be same dtype as the input tensor")
    qa = qt._data
    if qa.size and (bool((qa < 0).any()) or bool((qa > 1).any())):
        raise RuntimeError(f"{fname}() q values must be in the range [0, 1]")
    if interpolation not in ('linear', 'lower', 'higher', 'midpoint', 'nearest'):
        raise ValueError(f"{fname}() interpolation must be one of linear, lower, higher, midpoint "
                         f"or nearest. Got {interpolation}")
    if input.numel() == 0:
        raise RuntimeError(f"{fname}() input tensor must be non-empty")
    if dim is None:
        x = input.reshape(-1)
        d = 0
    else:
        d = _wrap_dim(dim, input.dim())
        x = input if input.dim() else input.reshape(1)
        d = min(d, x.dim() - 1)
    x = x.movedim(d, -1)
    xs = x.sort(-1)[0]                      # NaNs sort last
    xp = _xp(input)
    n = xs.shape[-1]
    isnan = xs._data != xs._data
    qv = qt._data.reshape(-1)
    if ignore_nan:
        valid = (n - isnan.sum(-1, keepdims=True)).astype(qv.dtype)
    else:
        valid = xp.full(xs.shape[:-1] + (1,), n, dtype=qv.dtype)
    ranks = qv * (valid - 1)                # (..., Q)
    if interpolation == 'lower':
        ranks = xp.floor(ranks)
    elif interpolation == 'higher':
        ranks = xp.ceil(ranks)
    elif interpolation == 'nearest':
        ranks = xp.round(ranks)
    lo = xp.clip(xp.floor(ranks), 0, n - 1).astype('int64')
    hi = xp.clip(xp.ceil(ranks), 0, n - 1).astype('int64')
    vlo = xs.gather(-1, _new(lo, input))
    vhi = xs.gather(-1, _new(hi, input))
    if interpolation == 'midpoint':
        wgt = xp.where(lo == hi, 0.0, 0.5).astype(qv.dtype)
    else:
        wgt = (ranks - lo).astype(qv.dtype)
    res = vlo + (vhi - vlo) * _new(wgt, input)
    bad = (valid < 1) if ignore_nan else isnan.any(-1, keepdims=True)
    if bool(bad.any()):
        from .. import where
        res = where(_new(xp.broadcast_to(bad, res.shape), input),
                    to_tensor(float('nan'), like=input, dtype=input.dtype), res)
    res = res.movedim(-1, 0)                # (Q, ...)
    if keepdim:
        if dim is None:
            res = res.reshape((res.shape[0],) + (1,) * input.dim())
        elif input.dim():
            res = res.unsqueeze(d + 1)
    return res.squeeze(0) if scalar_q or qt.dim() == 0 else res


def quantile(input, q, dim=None, keepdim=False, *, interpolation='linear', out=None):
    """q-th quantiles of input (over all elements or along dim); NaN if a reduced row has NaN."""
    return write_out(out, _quantile(input, q, dim, keepdim, interpolation, False, 'quantile'))


def nanquantile(input, q, dim=None, keepdim=False, *, interpolation='linear', out=None):
    """quantile that ignores NaNs (NaN only where a row is all NaN)."""
    return write_out(out, _quantile(input, q, dim, keepdim, interpolation, True, 'nanquantile'))


# ---------------------------------------------------------------------------- elementwise extras
def float_power(input, exponent, *, out=None):
    """pow computed in double (complex double) precision."""
    cplx = any(isinstance(a, Tensor) and a.is_complex() or isinstance(a, complex)
               for a in (input, exponent))
    dt = D.complex128 if cplx else D.float64
    a = input.to(dt) if isinstance(input, Tensor) else input
    b = exponent.to(dt) if isinstance(exponent, Tensor) else exponent
    if not isinstance(a, Tensor):
        from .elementwise import pow as _pow
        return write_out(out, _pow(a, b))
    return write_out(out, a.pow(b))


def _float_power_(self, exponent):
    dt = D.complex128 if self.is_complex() else D.float64
    if self.dtype is not dt:
        raise RuntimeError(f"the base given to float_power_ has dtype {self.dtype.__repr__().replace('torch.', '').capitalize()} "
                           f"but the operation's result requires dtype {'Double' if dt is D.float64 else 'ComplexDouble'}")
    return inplace(self, float_power, exponent)


def frexp(input, *, out=None):
    """(mantissa, exponent) with input = mantissa * 2**exponent, |mantissa| in [0.5, 1)."""
    if not input.is_floating_point():
        raise RuntimeError("torch.frexp() only supports floating-point dtypes")
    m, e = _xp(input).frexp(input._data)
    res = _frexp_rt(_new(m.astype(input.dtype.np), input), _new(e.astype('int32'), input))
    if out is not None:
        write_out(out[0], res[0])
        write_out(out[1], res[1])
        return _frexp_rt(*out)
    return res


def _int_binary(name, f):
    def op(input, other, *, out=None):
        other = to_tensor(other, like=input)
        for t in (input, other):
            if t._data.dtype.kind not in 'iu':
                raise NotImplementedError(f'"{name}_cpu" not implemented for '
                                   f"'{_type_word(t.dtype)}'")
        dt = D.result_type(input, other)
        xp = _xp(input)
        r = f(xp, input._data.astype(dt.np), other._data.astype(dt.np))
        return write_out(out, _new(xp.asarray(r).astype(dt.np), input))
    op.__name__ = name
    op.__doc__ = f"Elementwise {name} of integer tensors."
    return op


def _type_word(d):
    from ._util import _type_word as tw
    return tw(d)


gcd = _int_binary('gcd', lambda xp, a, b: xp.gcd(a, b))
lcm = _int_binary('lcm', lambda xp, a, b: xp.lcm(a, b))


def heaviside(input, values, *, out=None):
    """Step function: 0 where input < 0, values where input == 0, 1 where input > 0."""
    if not isinstance(values, Tensor):
        raise TypeError(f"heaviside(): argument 'values' (position 2) must be Tensor, not "
                        f"{type(values).__name__}")
    if input.dtype is not values.dtype:
        raise RuntimeError("heaviside is not yet implemented for tensors with different dtypes")
    if input.is_complex():
        raise RuntimeError("heaviside is not yet implemented for complex tensors.")
    xp = _xp(input)
    a, v = input._data, values._data
    r = xp.where(a == 0, v, (a > 0).astype(a.dtype)).astype(a.dtype)
    return write_out(out, _new(r, input))


def isin(elements, test_elements, *, assume_unique=False, invert=False, out=None):
    """Boolean mask: which of elements occur in test_elements (either may be a scalar)."""
    el = elements if isinstance(elements, Tensor) else to_tensor(elements, like=test_elements)
    te = test_elements if isinstance(test_elements, Tensor) else to_tensor(test_elements, like=el)
    xp = _xp(el)
    r = xp.isin(el._data, te._data.reshape(-1), assume_unique=assume_unique, invert=invert)
    return write_out(out, _new(xp.asarray(r), el))


def ldexp(input, other, *, out=None):
    """input * 2**other (float result)."""
    two = to_tensor(2.0, like=input, dtype=D.float64 if input.dtype is D.float64 else None)
    p = two.pow(other) if isinstance(other, Tensor) else 2.0 ** other
    if isinstance(other, Tensor) and not other.is_floating_point() and not other.is_complex():
        p = p.to(input.dtype if input.is_floating_point() or input.is_complex() else D.get_default_dtype())
    return write_out(out, input * p)


def nextafter(input, other, *, out=None):
    """Next floating-point value after input towards other."""
    other = to_tensor(other, like=input)
    dt = D.result_type(input, other)
    xp = _xp(input)
    r = xp.nextafter(input._data.astype(dt.np), other._data.astype(dt.np))
    return write_out(out, _new(xp.asarray(r).astype(dt.np), input))


def _special(xp):
    if xp.__name__ == 'numpy':
        import scipy.special as sp
    else:
        import cupyx.scipy.special as sp
    return sp


class _I0(Function, node_name='I0Backward0'):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return _xp(a).i0(a._data).astype(a._data.dtype)

    @staticmethod
    def backward(ctx, g):
        a, = ctx.saved_tensors
        return g * _I1.apply(a)


class _I1(Function, node_name='SpecialI1Backward0'):
    """Modified Bessel function of order 1 (d i0 / dx); its own derivative is i0 - i1/x."""
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return _special(_xp(a)).i1(a._data).astype(a._data.dtype)

    @staticmethod
    def backward(ctx, g):
        a, = ctx.saved_tensors
        i1 = _I1.apply(a)
        from .. import where
        d = where(a == 0, a.new_full((), 0.5), _I0.apply(a) - i1 / a)
        return g * d


def i0(input, *, out=None):
    """Modified Bessel function of the first kind, order 0."""
    x = input if input.is_floating_point() else input.to(D.get_default_dtype())
    return write_out(out, _I0.apply(x))


def mvlgamma(input, p, *, out=None):
    """Multivariate log-gamma of dimension p."""
    if p < 1:
        raise RuntimeError("p has to be greater than or equal to 1")
    dt = input.dtype if input.is_floating_point() else D.get_default_dtype()
    j = _new(_xp(input).arange(p).astype(dt.np), input)
    r = (input.unsqueeze(-1) - j * 0.5).lgamma().sum(-1) + p * (p - 1) / 4 * math.log(math.pi)
    return write_out(out, r)


def dist(input, other, p=2):
    """p-norm of input - other."""
    return (input - other).norm(p)


def renorm(input, p, dim, maxnorm, *, out=None):
    """Rescale each slice along dim whose p-norm exceeds maxnorm down to norm maxnorm."""
    if p <= 0:
        raise RuntimeError("renorm: non-positive-norm not supported")
    if maxnorm < 0:
        raise RuntimeError(f"renorm: expected maxnorm to be >= 0 but got {maxnorm}")
    d = _wrap_dim(dim, input.dim())
    others = [i for i in range(input.dim()) if i != d]
    norm = input.norm(p, dim=others, keepdim=True) if others else input.abs()
    from .. import where
    factor = where(norm > maxnorm, maxnorm / (norm + 1e-7), norm.new_ones(()))
    return write_out(out, input * factor)


def block_diag(*tensors):
    """Block-diagonal matrix with the given tensors (0-, 1- or 2-D) on its diagonal."""
    from .. import cat
    from .. import zeros
    mats = []
    for i, t in enumerate(tensors):
        if t.dim() > 2:
            raise RuntimeError(f"torch.block_diag: Input tensors must have 2 or fewer dimensions. "
                               f"Input {i} has {t.dim()} dimensions")
        mats.append(t.reshape(1, 1) if t.dim() == 0 else t.reshape(1, -1) if t.dim() == 1 else t)
    if not mats:
        return zeros(1, 0)
    dt = D.result_type(*mats) if len(mats) > 1 else mats[0].dtype
    dev = mats[0].device
    total = sum(m.shape[1] for m in mats)
    rows, left = [], 0
    for m in mats:   # one block per input tensor
        r, c = m.shape
        parts = [zeros(r, left, dtype=dt, device=dev), m.to(dt),
                 zeros(r, total - left - c, dtype=dt, device=dev)]
        rows.append(cat(parts, 1))
        left += c
    return cat(rows, 0)


def vander(x, N=None, increasing=False):
    """Vandermonde matrix: columns x**(N-1) ... x**0 (or increasing powers)."""
    if x.dim() != 1:
        raise RuntimeError("x must be a one-dimensional tensor.")
    n = x.shape[0] if N is None else N
    if n < 0:
        raise RuntimeError("N must be non-negative.")
    dt = D.promote_types(x.dtype, D.int64)
    xx = x.to(dt)
    if n == 0:
        return xx.unsqueeze(1)[:, :0]
    from .. import cat
    from .. import ones
    cols = [ones(x.shape[0], 1, dtype=dt, device=x.device)]
    if n > 1:
        cols.append(xx.unsqueeze(1).expand(x.shape[0], n - 1).cumprod(1))
    v = cat(cols, 1)
    return v if increasing else v.flip(1)


def unravel_index(indices, shape):
    """Tuple of coordinate tensors (int64) of flat indices into an array of `shape`."""
    if not isinstance(indices, Tensor):
        indices = to_tensor(indices)
    if indices._data.dtype.kind not in 'iu':
        raise TypeError(f"expected 'indices' to be integer dtype, but got {indices.dtype}")
    if isinstance(shape, int):
        shape = (shape,)
    shape = tuple(int(s) for s in shape)
    if any(s < 0 for s in shape):
        raise ValueError("'shape' cannot have negative values, but got " + str(tuple(shape)))
    idx = indices._data.astype('int64')
    out = []
    for s in reversed(shape):   # one step per dimension, not per element
        out.append(idx % s if s else idx * 0)
        idx = idx // s if s else idx
    return tuple(_new(o, indices) for o in reversed(out))


# ---------------------------------------------------------------------------- complex views
_REAL_OF = {'complex64': 'float32', 'complex128': 'float64', 'complex32': 'float16'}
_CPLX_OF = {'float32': 'complex64', 'float64': 'complex128'}


def _view_as_real_op(t):
    return view_as_real(t)


def _view_as_complex_op(t):
    return view_as_complex(t)


class _ViewAsReal(Function, node_name='ViewAsRealBackward0'):
    @staticmethod
    def forward(ctx, a):
        arr = a._data
        r = arr[..., None].view(_REAL_OF[arr.dtype.name])
        return a._view(r, _view_as_real_op, ())

    @staticmethod
    def backward(ctx, g):
        return view_as_complex(g.contiguous())


class _ViewAsComplex(Function, node_name='ViewAsComplexBackward0'):
    @staticmethod
    def forward(ctx, a):
        arr = a._data
        c = arr.view(_CPLX_OF[arr.dtype.name])[..., 0]
        return a._view(c, _view_as_complex_op, ())

    @staticmethod
    def backward(ctx, g):
        return view_as_real(g)


def view_as_real(input):
    """Real view (..., 2) of a complex tensor sharing its memory."""
    if not input.is_complex():
        raise RuntimeError("view_as_real is only supported for complex tensors")
    return _ViewAsReal.apply(input)


def view_as_complex(input):
    """Complex view of a float tensor whose last dim has size 2 and stride 1."""
    if input.dtype.name not in _CPLX_OF:
        raise RuntimeError(f"view_as_complex is only supported for float and double tensors, but "
                           f"got a tensor of scalar type: {_type_word(input.dtype)}")
    if input.dim() == 0 or input.shape[-1] != 2:
        raise RuntimeError("Tensor must have a last dimension of size 2")
    st = input.stride()
    if st[-1] != 1:
        raise RuntimeError("Tensor must have a last dimension with stride 1")
    if any(s % 2 for s in st[:-1]):
        raise RuntimeError("Tensor must have a stride divisible by 2 for all but last dimension")
    if input.storage_offset() % 2:
        raise RuntimeError("Tensor must have a storage_offset divisible by 2")
    return _ViewAsComplex.apply(input)


# ---------------------------------------------------------------------------- scatter-into-copy ops
def _scatter_into(input, src, view_fn):
    res = input.clone()
    dst = view_fn(res)
    if tuple(dst.shape) != tuple(src.shape):
        raise RuntimeError(f"expected src to have a size equal to the slice of self. src size = "
                           f"{list(src.shape)}, slice size = {list(dst.shape)}")
    dst.copy_(src)
    return res


def select_scatter(input, src, dim, index):
    """Copy of input with input.select(dim, index) replaced by src."""
    return _scatter_into(input, src, lambda t: t.select(dim, index))


def slice_scatter(input, src, dim=0, start=None, end=None, step=1):
    """Copy of input with the slice start:end:step along dim replaced by src."""
    d = _wrap_dim(dim, input.dim())
    sl = (slice(None),) * d + (slice(start, end, step),)
    return _scatter_into(input, src, lambda t: t[sl])


def diagonal_scatter(input, src, offset=0, dim1=0, dim2=1):
    """Copy of input with its diagonal (offset, dim1, dim2) replaced by src."""
    return _scatter_into(input, src, lambda t: t.diagonal(offset, dim1, dim2))


def as_strided_scatter(input, src, size, stride, storage_offset=None):
    """Copy of input with the as_strided(size, stride, storage_offset) view replaced by src."""
    return _scatter_into(input.contiguous(), src,
                         lambda t: t.as_strided(size, stride, storage_offset))


def index_reduce(input, dim, index, source, reduce, *, include_self=True, out=None):
    """Reduce (prod, mean, amax, amin) rows of source into input at positions index along dim."""
    if reduce not in ('prod', 'mean', 'amax', 'amin'):
        raise RuntimeError(f"index_reduce(): Expected reduce to be one of prod, mean, amax or amin "
                           f"but got {reduce}.")
    d = _wrap_dim(dim, input.dim())
    if index.dim() > 1:
        raise IndexError("index_reduce_(): Index is supposed to be a vector")
    shape = [1] * source.dim()
    if source.dim():
        shape[d] = index.shape[0]
    idx = index.reshape(shape).expand(source.shape) if source.dim() else index.reshape(())
    return write_out(out, input.scatter_reduce(d, idx, source, reduce, include_self=include_self))


# ---------------------------------------------------------------------------- split aliases, misc
def split_with_sizes(input, split_sizes, dim=0):
    if sum(split_sizes) != input.shape[_wrap_dim(dim, input.dim())]:
        raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to "
                           f"{input.shape[_wrap_dim(dim, input.dim())]} (input tensor's size at "
                           f"dimension {dim}), but got split_sizes={list(split_sizes)}")
    return input.split(list(split_sizes), dim)


def unsafe_split(input, split_size, dim=0):
    return input.split(split_size, dim)


def unsafe_split_with_sizes(input, split_sizes, dim=0):
    return split_with_sizes(input, split_sizes, dim)


def unsafe_chunk(input, chunks, dim=0):
    return input.chunk(chunks, dim)


def matrix_exp(input):
    from .. import linalg
    return linalg.matrix_exp(input)


def _sum_to_size(self, *size):
    """Sum broadcast dims so that the result has `size` (self must be expandable from it)."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    size = tuple(size)
    shape = tuple(self.shape)
    ok = len(size) <= len(shape) and all(s == 1 or s == t for s, t in
                                         zip(size[::-1], shape[::-1]))
    if not ok:
        raise RuntimeError(f"size {{{', '.join(map(str, size))}}} is not expandable to size "
                           f"{{{', '.join(map(str, shape))}}}.")
    lead = len(shape) - len(size)
    r = self.sum(tuple(range(lead))) if lead else self
    dims = tuple(i for i, s in enumerate(size) if s == 1 and r.shape[i] != 1)
    if dims:
        r = r.sum(dims, keepdim=True)
    return r


def _fill_diagonal_(self, fill_value, wrap=False):
    """Fill the main diagonal (all dims equal for ndim > 2) in place."""
    if self.dim() < 2:
        raise RuntimeError("dimensions must larger than 1")
    shape = tuple(self.shape)
    if self.dim() > 2 and len(set(shape)) != 1:
        raise RuntimeError("all dimensions of input must be of equal length")

    def fn(t, value):
        xp = _xp(t)
        numel = t.numel()
        if t.dim() == 2:
            step = shape[1] + 1
            limit = numel if (wrap and shape[0] > shape[1]) else min(shape) * shape[1]
        else:
            step = sum(int(math.prod(shape[i + 1:])) for i in range(len(shape)))
            limit = numel
        flat = xp.arange(numel)
        mask = ((flat % step) == 0) & (flat < limit)
        from .. import where
        return where(_new(mask.reshape(shape), t), to_tensor(value, like=t, dtype=t.dtype), t)
    return inplace(self, fn, fill_value)


def _inplace_method(fn):
    def method(self, *args, **kwargs):
        return inplace(self, fn, *args, **kwargs)
    method.__name__ = fn.__name__ + '_'
    return method


def _index_reduce_(self, dim, index, source, reduce, *, include_self=True):
    return inplace(self, lambda t: index_reduce(t, dim, index, source, reduce,
                                                include_self=include_self))


register_methods({
    'diff': diff, 'bincount': bincount, 'histogram': histogram, 'cov': cov, 'corrcoef': corrcoef,
    'float_power': float_power, 'float_power_': _float_power_, 'frexp': frexp,
    'gcd': gcd, 'gcd_': _inplace_method(gcd), 'lcm': lcm, 'lcm_': _inplace_method(lcm),
    'heaviside': heaviside, 'heaviside_': _inplace_method(heaviside),
    'ldexp': ldexp, 'ldexp_': _inplace_method(ldexp),
    'nextafter': nextafter, 'nextafter_': _inplace_method(nextafter),
    'quantile': quantile, 'nanquantile': nanquantile, 'dist': dist,
    'renorm': renorm, 'renorm_': _inplace_method(renorm), 'i0': i0, 'i0_': _inplace_method(i0),
    'mvlgamma': mvlgamma, 'mvlgamma_': _inplace_method(mvlgamma),
    'index_reduce': index_reduce, 'index_reduce_': _index_reduce_,
    'select_scatter': select_scatter, 'slice_scatter': slice_scatter,
    'diagonal_scatter': diagonal_scatter, 'as_strided_scatter': as_strided_scatter,
    'split_with_sizes': split_with_sizes, 'unsafe_split': unsafe_split,
    'unsafe_split_with_sizes': unsafe_split_with_sizes, 'unsafe_chunk': unsafe_chunk,
    'matrix_exp': matrix_exp, 'sum_to_size': _sum_to_size, 'fill_diagonal_': _fill_diagonal_,
})
