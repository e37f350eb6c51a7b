"""ember.special (= torch.special): special functions.

Most are aliases of ember ops (erf, expit = sigmoid, gammaln = lgamma, psi = digamma ...).
The rest are `_Unary`/`_Binary` ops over scipy.special kernels (cupyx.scipy.special on CUDA)
with backward formulas written in ember ops, or compositions of ember ops (ndtr).
"""
import math

from .. import _dtype as D
from .._tensor import Tensor
from .._ops._util import write_out
from .._ops.pointwise import _op, _special
from .._ops.elementwise import _binary
from .._ops.misc import _I1
from .. import (erf, erfc, erfinv, sigmoid, logit, exp2, expm1, log1p, lgamma, digamma,  # noqa: F401
                polygamma, sinc, round, sign, exp, log, where, xlogy, i0, mvlgamma)

__all__ = ['erf', 'erfc', 'erfinv', 'erfcx', 'expit', 'logit', 'exp2', 'expm1', 'log1p',
           'gammaln', 'digamma', 'psi', 'polygamma', 'multigammaln', 'i0', 'i0e', 'i1', 'i1e',
           'ndtr', 'ndtri', 'log_ndtr', 'sinc', 'round', 'softmax', 'log_softmax', 'logsumexp',
           'xlogy', 'xlog1py', 'entr', 'zeta']

_SQRT1_2 = math.sqrt(0.5)
_SQRT_2PI = math.sqrt(2 * math.pi)
_TWO_SQRTPI = 2 / math.sqrt(math.pi)

expit = sigmoid
gammaln = lgamma
psi = digamma


def multigammaln(input, p, *, out=None):
    """Multivariate log-gamma of dimension p (= torch.mvlgamma)."""
    return mvlgamma(input, p, out=out)


def _i1e_df(x, out):
    # d/dx i1e = i0e - i1e * (sign(x) + 1/x); the limit at 0 is 1/2
    return where(x == 0, 0.5, _I0e.apply(x) - out * (sign(x) + 1 / x))


_Erfcx = _op('SpecialErfcxBackward0', lambda xp, x: _special(xp).erfcx(x),
             bwd=lambda g, x, out: g * (2 * x * out - _TWO_SQRTPI), save='x,out')
_I0e = _op('SpecialI0EBackward0', lambda xp, x: _special(xp).i0e(x),
           bwd=lambda g, x, out: g * (_I1e.apply(x) - sign(x) * out), save='x,out')
_I1e = _op('SpecialI1EBackward0', lambda xp, x: _special(xp).i1e(x),
           bwd=lambda g, x, out: g * _i1e_df(x, out), save='x,out')
_Ndtri = _op('SpecialNdtriBackward0', lambda xp, x: _special(xp).ndtri(x),
             bwd=lambda g, x, out: g * _SQRT_2PI * exp(out * out * 0.5), save='out')
_LogNdtr = _op('SpecialLogNdtrBackward0', lambda xp, x: _special(xp).log_ndtr(x),
               bwd=lambda g, x, out: g * exp(-0.5 * x * x - out) / _SQRT_2PI, save='x,out')
_Entr = _op('SpecialEntrBackward0', lambda xp, x: _special(xp).entr(x),
            bwd=lambda g, x, out: g * -(1 + log(x)))


def _public(name, cls, doc):
    def fn(input, *, out=None):
        r = cls.apply(input)
        return r if out is None else write_out(out, r)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc
    return fn


erfcx = _public('erfcx', _Erfcx, "Scaled complementary error function exp(x**2) * erfc(x).")
i0e = _public('i0e', _I0e, "Exponentially scaled Bessel I0: exp(-|x|) * i0(x).")
i1e = _public('i1e', _I1e, "Exponentially scaled Bessel I1: exp(-|x|) * i1(x).")
ndtri = _public('ndtri', _Ndtri, "Inverse of the standard normal CDF.")
log_ndtr = _public('log_ndtr', _LogNdtr, "log of the standard normal CDF, accurate in the tails.")
entr = _public('entr', _Entr, "Elementwise entropy -x * log(x) (0 at 0, -inf below 0).")


def i1(input, *, out=None):
    """Modified Bessel function of the first kind, order 1."""
    x = input if input.is_floating_point() else input.to(D.get_default_dtype())
    return write_out(out, _I1.apply(x)) if out is not None else _I1.apply(x)


def ndtr(input, *, out=None):
    """Standard normal CDF, (1 + erf(x / sqrt(2))) / 2 (composite, as in torch)."""
    r = (1 + erf(input * _SQRT1_2)) * 0.5
    return r if out is None else write_out(out, r)


# ---------------------------------------------------------------------------- two inputs

def _xlog1py_f(xp, x, y):
    return xp.where((x == 0) & ~xp.isnan(y), 0, x * xp.log1p(y)).astype(
        xp.result_type(x, y), copy=False)


def _xlog1py_bwd(g, a, b, out, need):
    ga = gb = None
    if isinstance(a, Tensor) and need[0]:
        # torch: d/dx = log1p(y), except 0 where x == 0 and y <= -1
        ga = g * xlog1py((a != 0) | (b > -1), b)
    if isinstance(b, Tensor) and need[-1]:
        gb = g * a / (b + 1)
    return ga, gb


def _zeta_bwd(g, a, b, out, need):
    if isinstance(a, Tensor) and need[0]:
        raise RuntimeError("the derivative for 'self' is not implemented.")
    return None, (g * -a * zeta(a + 1, b) if isinstance(b, Tensor) and need[-1] else None)


_Xlog1py = _binary('SpecialXlog1PyBackward0', _xlog1py_f, _xlog1py_bwd, 'float')
_Xlog1pyScalarSelf = _binary('SpecialXlog1PyBackward1', _xlog1py_f, _xlog1py_bwd, 'float')
_Xlog1pyScalarOther = _binary('SpecialXlog1PyBackward2', _xlog1py_f, _xlog1py_bwd, 'float')
_Zeta = _binary('SpecialZetaBackward0', lambda xp, x, q: _special(xp).zeta(x, q), _zeta_bwd,
                'float')
_ZetaScalarSelf = _binary('SpecialZetaBackward1', lambda xp, x, q: _special(xp).zeta(x, q),
                          _zeta_bwd, 'float')
_ZetaScalarOther = _binary('SpecialZetaBackward2', lambda xp, x, q: _special(xp).zeta(x, q),
                           _zeta_bwd, 'float')


def _pick(a, b, both, scalar_self, scalar_other):
    if not isinstance(a, Tensor):
        return scalar_self
    return both if isinstance(b, Tensor) else scalar_other


def xlog1py(input, other, *, out=None):
    """input * log1p(other), 0 where input == 0 (unless other is NaN)."""
    r = _pick(input, other, _Xlog1py, _Xlog1pyScalarSelf, _Xlog1pyScalarOther).apply(input, other)
    return r if out is None else write_out(out, r)


def zeta(input, other, *, out=None):
    """Hurwitz zeta function sum_k (k + other) ** -input."""
    r = _pick(input, other, _Zeta, _ZetaScalarSelf, _ZetaScalarOther).apply(input, other)
    return r if out is None else write_out(out, r)


# ---------------------------------------------------------------------------- reductions

def softmax(input, dim, *, dtype=None):
    """softmax along dim (optionally computed in dtype)."""
    from ..nn.functional import softmax as _softmax
    return _softmax(input, dim, dtype=dtype)


def log_softmax(input, dim, *, dtype=None):
    """log(softmax) along dim, computed stably."""
    from ..nn.functional import log_softmax as _log_softmax
    return _log_softmax(input, dim, dtype=dtype)


def logsumexp(input, dim, keepdim=False, *, out=None):
    """log(sum(exp(input))) over dim, computed stably."""
    from .. import logsumexp as _lse
    return _lse(input, dim, keepdim, out=out)
