"""One-input pointwise math: abs, sqrt, trig and hyperbolic functions, rounding, erf/lgamma
family, sigmoid, logit, sinc, sign ... with torch's dtype rules (integer and bool inputs of
float-valued functions compute in the default float dtype) and backward formulas.

Every op is a subclass of `_Unary` that supplies its kernel `f(xp, x, *args)` on backend
arrays and either `df(x, out, *args)` (the derivative: grad = g * conj(df), holomorphic
functions) or a full `bwd(g, x, out, *args)`, written with ember ops so that higher-order
gradients work. Comparisons, logical/bitwise ops, where and clamp live in `comparison.py`
and are re-exported from here.
"""
import math

from .. import _dtype as D
from .._tensor import Tensor, register_methods
from ..autograd.function import Function
from ._util import inplace, write_out, _type_word
from .elementwise import pow as _pow, _conj, _quiet
from . import comparison as _cmp
from .comparison import *  # noqa: F401,F403  (re-exported as ember.<name>)
from .comparison import where, _zeros_like

__all__ = ['abs', 'absolute', 'sqrt', 'rsqrt', 'log10', 'log2', 'log1p', 'expm1', 'exp2',
           'sin', 'cos', 'tan', 'asin', 'arcsin', 'acos', 'arccos', 'atan', 'arctan', 'sinh',
           'cosh', 'tanh', 'asinh', 'arcsinh', 'acosh', 'arccosh', 'atanh', 'arctanh',
           'sigmoid', 'floor', 'ceil', 'round', 'trunc', 'fix', 'frac', 'sign', 'sgn',
           'reciprocal', 'square', 'erf', 'erfc', 'erfinv', 'lgamma', 'digamma', 'polygamma',
           'logit', 'sinc', 'deg2rad', 'rad2deg', 'conj', 'conj_physical', 'real', 'imag',
           'angle', 'positive'] + list(_cmp.__all__)


def _special(xp):
    """scipy.special for NumPy arrays, cupyx.scipy.special for CuPy arrays."""
    if xp.__name__ == 'numpy':
        import scipy.special as sp
    else:
        import cupyx.scipy.special as sp
    return sp


def _not_implemented(name, x):
    raise NotImplementedError(f'"{name}_cpu" not implemented for '
                              f"'{_type_word(D._BY_NP[x.dtype])}'")


class _Unary(Function):
    """Base of one-input pointwise ops (see the module docstring).

    kind: 'float'  integers/bool compute in the default float dtype;
          'keep'   every dtype keeps its dtype; 'nobool': same, bool raises;
          'floatonly': integer and bool inputs raise NotImplementedError.
    save: which of 'x' (input) and 'out' (result) backward needs.
    """
    kind = 'float'
    save = 'x'
    cname = None
    df = None
    bwd = None

    @staticmethod
    def forward(ctx, a, *args):
        cls = ctx._fwd_cls
        x = a._data
        k = x.dtype.kind
        if k in 'iub':
            kind = cls.kind
            if kind == 'float':
                x = x.astype(D.get_default_dtype().np)
            elif kind == 'floatonly' or (k == 'b' and kind == 'nobool'):
                _not_implemented(cls.cname, x)
        xp = a._storage.device.xp
        with _quiet(xp):
            r = cls.f(xp, x, *args)
        rk = getattr(r, 'dtype', x.dtype)
        if rk != x.dtype and (rk.kind == x.dtype.kind or (x.dtype.kind == 'V' and rk.kind == 'f')):
            r = r.astype(x.dtype)  # e.g. scipy kernels that compute float16 in float32
        out = Tensor._from_array(r, a._storage.device)
        if ctx.needs_input_grad:
            s = cls.save
            ctx.save_for_backward(a if 'x' in s else None, out if 'out' in s else None)
            ctx.args = args
        return out

    @staticmethod
    def backward(ctx, g):
        cls = ctx._fwd_cls
        a, out = ctx.saved_tensors
        if cls.bwd is not None:
            gi = cls.bwd(g, a, out, *ctx.args)
        else:
            gi = g * _conj(cls.df(a, out, *ctx.args))
        return (gi,) + (None,) * len(ctx.args)


def _op(node, f, df=None, bwd=None, save='x', kind='float', cname=None):
    """A `_Unary` subclass named after torch's backward node."""
    attrs = {'f': staticmethod(f), 'save': save, 'kind': kind, 'cname': cname,
             'df': staticmethod(df) if df else None, 'bwd': staticmethod(bwd) if bwd else None}
    return type(_Unary)('_' + node, (_Unary,), attrs, node_name=node)


def _zero_grad(g, x, out, *args):
    return _zeros_like(g)


_LN2, _LN10 = math.log(2.0), math.log(10.0)

_Abs = _op('AbsBackward0', lambda xp, x: xp.abs(x), bwd=lambda g, x, out: g * sgn(x),
           kind='nobool', cname='abs')
_Sqrt = _op('SqrtBackward0', lambda xp, x: xp.sqrt(x), df=lambda x, out: 0.5 / out, save='out')
_Rsqrt = _op('RsqrtBackward0', lambda xp, x: 1 / xp.sqrt(x),
             df=lambda x, out: -0.5 * out * out * out, save='out')
_Log10 = _op('Log10Backward0', lambda xp, x: xp.log10(x), df=lambda x, out: 1 / (x * _LN10))
_Log2 = _op('Log2Backward0', lambda xp, x: xp.log2(x), df=lambda x, out: 1 / (x * _LN2))
_Log1p = _op('Log1PBackward0', lambda xp, x: xp.log1p(x), df=lambda x, out: 1 / (x + 1))
_Expm1 = _op('Expm1Backward0', lambda xp, x: xp.expm1(x), df=lambda x, out: out + 1, save='out')
_Exp2 = _op('Exp2Backward0', lambda xp, x: xp.exp2(x), df=lambda x, out: out * _LN2, save='out')
_Sin = _op('SinBackward0', lambda xp, x: xp.sin(x), df=lambda x, out: cos(x))
_Cos = _op('CosBackward0', lambda xp, x: xp.cos(x), df=lambda x, out: -sin(x))
_Tan = _op('TanBackward0', lambda xp, x: xp.tan(x), df=lambda x, out: 1 + out * out, save='out')
_Asin = _op('AsinBackward0', lambda xp, x: xp.arcsin(x), df=lambda x, out: rsqrt(1 - x * x))
_Acos = _op('AcosBackward0', lambda xp, x: xp.arccos(x), df=lambda x, out: -rsqrt(1 - x * x))
_Atan = _op('AtanBackward0', lambda xp, x: xp.arctan(x), df=lambda x, out: 1 / (1 + x * x))
_Sinh = _op('SinhBackward0', lambda xp, x: xp.sinh(x), df=lambda x, out: cosh(x))
_Cosh = _op('CoshBackward0', lambda xp, x: xp.cosh(x), df=lambda x, out: sinh(x))
_Tanh = _op('TanhBackward0', lambda xp, x: xp.tanh(x), df=lambda x, out: 1 - out * out, save='out')
_Asinh = _op('AsinhBackward0', lambda xp, x: xp.arcsinh(x), df=lambda x, out: rsqrt(x * x + 1))
_Acosh = _op('AcoshBackward0', lambda xp, x: xp.arccosh(x), df=lambda x, out: rsqrt(x * x - 1))
_Atanh = _op('AtanhBackward0', lambda xp, x: xp.arctanh(x), df=lambda x, out: 1 / (1 - x * x))


def _sigmoid_f(xp, x):
    if x.dtype.kind == 'c':
        return 1 / (1 + xp.exp(-x))
    if x.dtype.itemsize < 4:       # float16/bfloat16: compute in float32
        return _special(xp).expit(x.astype('float32')).astype(x.dtype)
    # scipy's expit: stable for large |x| and much faster than a select between two formulas
    return _special(xp).expit(x)


_Sigmoid = _op('SigmoidBackward0', _sigmoid_f, df=lambda x, out: out * (1 - out), save='out')


def _int_same(fn):
    """Rounding kernels: integers are already whole numbers (a copy, same dtype)."""
    return lambda xp, x: fn(xp, x) if x.dtype.kind not in 'iu' else x.copy()


_Floor = _op('FloorBackward0', _int_same(lambda xp, x: xp.floor(x)), bwd=_zero_grad,
             save='', kind='nobool', cname='floor_vml')
_Ceil = _op('CeilBackward0', _int_same(lambda xp, x: xp.ceil(x)), bwd=_zero_grad,
            save='', kind='nobool', cname='ceil_vml')
_Trunc = _op('TruncBackward0', _int_same(lambda xp, x: xp.trunc(x)), bwd=_zero_grad,
             save='', kind='nobool', cname='trunc_vml')
_Round = _op('RoundBackward0', _int_same(lambda xp, x: xp.rint(x)), bwd=_zero_grad,
             save='', kind='nobool', cname='round_vml')


def _round_dec(xp, x, decimals):
    # torch's scheme: scale by a power of ten, round half to even, scale back
    if decimals >= 0:
        p = x.dtype.type(10.0 ** decimals)
        return xp.rint(x * p) / p
    p = x.dtype.type(10.0 ** -decimals)
    return xp.rint(x / p) * p


_RoundDec = _op('RoundBackward1', _round_dec, bwd=_zero_grad, save='', kind='floatonly',
                cname='round')
_Frac = _op('FracBackward0', lambda xp, x: x - xp.trunc(x), bwd=lambda g, x, out: g,
            save='', kind='floatonly', cname='frac')


def _sign_f(xp, x):
    if x.dtype.kind == 'b':
        return x.copy()
    r = xp.sign(x)
    if x.dtype.kind in 'fV':
        r = xp.where(xp.isnan(x), 0, r).astype(x.dtype, copy=False)  # torch: sign(nan) = 0
    return r


def _sgn_f(xp, x):
    if x.dtype.kind != 'c':
        return _sign_f(xp, x)
    a = xp.abs(x)
    return xp.where(a == 0, 0, x / xp.where(a == 0, 1, a)).astype(x.dtype, copy=False)


def _sgn_bwd(g, x, out):
    if not x.is_complex():
        return _zeros_like(g)
    # s = z/|z|: grad = (g - s Re(conj(g) s)) / |z|, zero at z = 0
    a = abs(x)
    r = (g - out * real(_conj(g) * out)) / a
    return where(a == 0, 0, r)


_Sign = _op('SignBackward0', _sign_f, bwd=_zero_grad, save='', kind='keep')
_Sgn = _op('SgnBackward0', _sgn_f, bwd=_sgn_bwd, save='x out', kind='keep')
_Reciprocal = _op('ReciprocalBackward0', lambda xp, x: 1 / x, df=lambda x, out: -out * out,
                  save='out')
_Erf = _op('ErfBackward0', lambda xp, x: _special(xp).erf(x),
           df=lambda x, out: (2 / math.sqrt(math.pi)) * (-x * x).exp())
_Erfc = _op('ErfcBackward0', lambda xp, x: _special(xp).erfc(x),
            df=lambda x, out: (-2 / math.sqrt(math.pi)) * (-x * x).exp())
_Erfinv = _op('ErfinvBackward0', lambda xp, x: _special(xp).erfinv(x),
              df=lambda x, out: (math.sqrt(math.pi) / 2) * (out * out).exp(), save='out')


def _lgamma_f(xp, x):
    r = _special(xp).gammaln(x)
    return xp.where(xp.isneginf(x), xp.inf, r)   # torch: lgamma(-inf) = inf


_Lgamma = _op('LgammaBackward0', _lgamma_f, df=lambda x, out: digamma(x))


def _digamma_f(xp, x):
    r = _special(xp).psi(x)
    return xp.where(x == 0, xp.copysign(xp.inf, -x), r)   # torch: digamma(+-0) = -+inf


_Digamma = _op('DigammaBackward0', _digamma_f, df=lambda x, out: polygamma(1, x))
_Polygamma = _op('PolygammaBackward0', lambda xp, x, n: _special(xp).polygamma(n, x),
                 df=lambda x, out, n: polygamma(n + 1, x))


def _logit_f(xp, x, eps):
    if eps is not None:
        x = xp.clip(x, eps, 1 - eps)
    return xp.log(x / (1 - x))


def _logit_bwd(g, x, out, eps):
    r = g / (x * (1 - x))
    if eps is None:
        # at 0 and 1 torch gives g * inf; built off the graph so double backward stays finite
        r = where((x == 0) | (x == 1), sign(g.detach()) * math.inf, r)
        return where((x < 0) | (x > 1), math.nan, r)
    return where((x < eps) | (x > 1 - eps), 0, r)


_Logit = _op('LogitBackward0', _logit_f, bwd=_logit_bwd)


def _sinc_f(xp, x):
    y = x * x.dtype.type(math.pi) if x.dtype.kind != 'c' else x * math.pi
    return xp.where(x == 0, 1, xp.sin(y) / xp.where(x == 0, 1, y)).astype(x.dtype, copy=False)


def _sinc_bwd(g, x, out):
    y = x * math.pi
    d = (cos(y) * math.pi - sinc(x) * math.pi) / y
    return where(x == 0, 0, g * _conj(d))


_Sinc = _op('SincBackward0', _sinc_f, bwd=_sinc_bwd)
_Deg2rad = _op('Deg2RadBackward0', lambda xp, x: x * x.dtype.type(math.pi / 180),
               bwd=lambda g, x, out: g * (math.pi / 180), save='')
_Rad2deg = _op('Rad2DegBackward0', lambda xp, x: x * x.dtype.type(180 / math.pi),
               bwd=lambda g, x, out: g * (180 / math.pi), save='')


def _angle_f(xp, x):
    if x.dtype.kind == 'c':
        return xp.angle(x)
    return xp.where(x < 0, math.pi, xp.where(xp.isnan(x), x, 0)).astype(x.dtype, copy=False)


def _angle_bwd(g, x, out):
    if not x.is_complex():
        return _zeros_like(g)
    # theta = atan2(y, x): grad = g * (-y + i x) / |z|^2 = g * i z / |z|^2
    a2 = real(x * _conj(x))
    return where(a2 == 0, 0, g * x * 1j / a2)


_Angle = _op('AngleBackward0', _angle_f, bwd=_angle_bwd, kind='float')
_Conj = _op('ConjBackward0', lambda xp, x: xp.conj(x), bwd=lambda g, x, out: _conj(g),
            save='', kind='keep')


class _Real(Function, node_name='SelectBackward0'):
    """Real part of a complex tensor: a view of its memory."""
    @staticmethod
    def forward(ctx, a):
        return a._view(a._data.real, real, ())

    @staticmethod
    def backward(ctx, g):
        return g.to(_complex_of(g))


class _Imag(Function, node_name='SelectBackward0'):
    """Imaginary part of a complex tensor: a view of its memory."""
    @staticmethod
    def forward(ctx, a):
        return a._view(a._data.imag, imag, ())

    @staticmethod
    def backward(ctx, g):
        return g * 1j


def _complex_of(g):
    return D.complex128 if g.dtype is D.float64 else D.complex64


# ---------------------------------------------------------------------------- public wrappers

def _ret(r, out):
    return r if out is None else write_out(out, r)


def _public(name, cls, doc):
    def fn(input, *, out=None):
        return _ret(cls.apply(input), out)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc
    return fn


abs = _public('abs', _Abs, "Absolute value |x| (gradient sign(x), 0 at 0).")
absolute = abs
sqrt = _public('sqrt', _Sqrt, "Square root.")
rsqrt = _public('rsqrt', _Rsqrt, "1 / sqrt(x).")
log10 = _public('log10', _Log10, "Base-10 logarithm.")
log2 = _public('log2', _Log2, "Base-2 logarithm.")
log1p = _public('log1p', _Log1p, "log(1 + x), accurate for small x.")
expm1 = _public('expm1', _Expm1, "exp(x) - 1, accurate for small x.")
exp2 = _public('exp2', _Exp2, "2 ** x.")
sin = _public('sin', _Sin, "Sine.")
cos = _public('cos', _Cos, "Cosine.")
tan = _public('tan', _Tan, "Tangent.")
asin = arcsin = _public('asin', _Asin, "Inverse sine.")
acos = arccos = _public('acos', _Acos, "Inverse cosine.")
atan = arctan = _public('atan', _Atan, "Inverse tangent.")
sinh = _public('sinh', _Sinh, "Hyperbolic sine.")
cosh = _public('cosh', _Cosh, "Hyperbolic cosine.")
tanh = _public('tanh', _Tanh, "Hyperbolic tangent.")
asinh = arcsinh = _public('asinh', _Asinh, "Inverse hyperbolic sine.")
acosh = arccosh = _public('acosh', _Acosh, "Inverse hyperbolic cosine.")
atanh = arctanh = _public('atanh', _Atanh, "Inverse hyperbolic tangent.")
sigmoid = _public('sigmoid', _Sigmoid, "Logistic function 1 / (1 + exp(-x)), computed stably.")
floor = _public('floor', _Floor, "Round down (integers unchanged); gradient zero.")
ceil = _public('ceil', _Ceil, "Round up (integers unchanged); gradient zero.")
trunc = fix = _public('trunc', _Trunc, "Round toward zero (integers unchanged); gradient zero.")
frac = _public('frac', _Frac, "Fractional part x - trunc(x).")
sign = _public('sign', _Sign, "Sign of x (-1, 0, 1); sign(nan) is 0 as in torch.")
sgn = _public('sgn', _Sgn, "sign for real tensors; z / |z| for complex ones.")
reciprocal = _public('reciprocal', _Reciprocal, "1 / x.")
erf = _public('erf', _Erf, "Error function.")
erfc = _public('erfc', _Erfc, "Complementary error function 1 - erf(x).")
erfinv = _public('erfinv', _Erfinv, "Inverse error function.")
lgamma = _public('lgamma', _Lgamma, "log |Gamma(x)|.")
digamma = _public('digamma', _Digamma, "d/dx lgamma(x); -inf at 0 as in torch.")
sinc = _public('sinc', _Sinc, "Normalized sinc sin(pi x) / (pi x), 1 at 0.")
deg2rad = _public('deg2rad', _Deg2rad, "Degrees to radians.")
rad2deg = _public('rad2deg', _Rad2deg, "Radians to degrees.")


def conj_physical(input, *, out=None):
    """Complex conjugate (a copy); real tensors are returned unchanged."""
    return _ret(_Conj.apply(input) if input.is_complex() else input, out)


def round(input, *, decimals=None, out=None):
    """Round half to even; with `decimals`, to that many decimal places (negative: tens...)."""
    if decimals is None:
        return _ret(_Round.apply(input), out)
    return _ret(_RoundDec.apply(input, int(decimals)), out)


def square(input, *, out=None):
    """x * x (as pow(x, 2): bool becomes int64)."""
    return _pow(input, 2, out=out)


def polygamma(n, input, *, out=None):
    """n-th derivative of digamma."""
    if n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")
    if n == 0:
        return digamma(input, out=out)
    return _ret(_Polygamma.apply(input, int(n)), out)


def logit(input, eps=None, *, out=None):
    """log(x / (1 - x)), x clamped to [eps, 1 - eps] when eps is given."""
    return _ret(_Logit.apply(input, eps), out)


def angle(input, *, out=None):
    """Argument of complex numbers; pi for negative reals, 0 otherwise (nan stays nan)."""
    return _ret(_Angle.apply(input), out)


def conj(input):
    """Complex conjugate; real tensors are returned unchanged."""
    return _Conj.apply(input) if input.is_complex() else input


def positive(input):
    """Returns input itself (bool tensors raise, as in torch)."""
    if input._data.dtype.kind == 'b':
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return input


def real(input):
    """Real part: a view for complex tensors, the tensor itself otherwise."""
    return _Real.apply(input) if input.is_complex() else input


def imag(input):
    """Imaginary part of a complex tensor (a view)."""
    if not input.is_complex():
        raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")
    return _Imag.apply(input)


def _polygamma_method(self, n):
    return polygamma(n, self)


def _inplace_method(fn, name):
    def method(self, *args, **kwargs):
        return inplace(self, fn, *args, **kwargs)
    method.__name__ = name + '_'
    method.__doc__ = f"In-place version of {name}()."
    return method


_METHODS = {
    'abs': abs, 'absolute': abs, 'sqrt': sqrt, 'rsqrt': rsqrt, 'log10': log10, 'log2': log2,
    'log1p': log1p, 'expm1': expm1, 'exp2': exp2, 'sin': sin, 'cos': cos, 'tan': tan,
    'asin': asin, 'arcsin': asin, 'acos': acos, 'arccos': acos, 'atan': atan, 'arctan': atan,
    'sinh': sinh, 'cosh': cosh, 'tanh': tanh, 'asinh': asinh, 'arcsinh': asinh, 'acosh': acosh,
    'arccosh': acosh, 'atanh': atanh, 'arctanh': atanh, 'sigmoid': sigmoid, 'floor': floor,
    'ceil': ceil, 'round': round, 'trunc': trunc, 'fix': trunc, 'frac': frac, 'sign': sign,
    'sgn': sgn, 'reciprocal': reciprocal, 'square': square, 'erf': erf, 'erfc': erfc,
    'erfinv': erfinv, 'lgamma': lgamma, 'digamma': digamma, 'logit': logit, 'sinc': sinc,
    'deg2rad': deg2rad, 'rad2deg': rad2deg, 'conj_physical': conj_physical,
    'polygamma': _polygamma_method,
}
register_methods(_METHODS)
register_methods({k + '_': _inplace_method(v, k) for k, v in _METHODS.items()})
register_methods({'conj': conj, 'angle': angle, 'positive': positive, '__abs__': abs,
                  '__pos__': positive, 'resolve_conj': lambda self: self,
                  'resolve_neg': lambda self: self, 'is_conj': lambda self: False,
                  'is_neg': lambda self: False})


def _real_prop(self):
    return real(self)


def _set_part(part):
    def setter(self, value):
        view = part(self)
        from .conversion import copy_
        copy_(view, value if isinstance(value, Tensor) else _full_like(view, value))
    return setter


def _full_like(t, value):
    from .creation import full_like
    return full_like(t, value)


Tensor.real = property(real, _set_part(real))
Tensor.imag = property(imag, _set_part(imag))
