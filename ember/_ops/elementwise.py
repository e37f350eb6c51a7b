"""Pointwise arithmetic: add, sub, mul, div, neg, pow, exp, log ... with broadcasting and
torch's type promotion. Each op: a Function (forward on arrays, backward in ember ops) and
its public wrapper; in-place `_` variants go through `_util.inplace`."""
import contextlib
import math

from .. import _dtype as D
from .._tensor import Tensor, register_methods
from ..autograd.function import Function
from ._util import inplace, write_out

__all__ = ['add', 'sub', 'subtract', 'mul', 'multiply', 'div', 'divide', 'true_divide', 'neg',
           'negative', 'pow', 'exp', 'log', 'rsub', 'fmod', 'remainder', 'floor_divide', 'atan2',
           'arctan2', 'hypot', 'logaddexp', 'logaddexp2', 'xlogy', 'copysign']


def _quiet(xp):
    """Silence floating-point warnings (torch returns inf/nan without warning)."""
    es = getattr(xp, 'errstate', None)
    return es(all='ignore') if es is not None else contextlib.nullcontext()


def _check_broadcast(*shapes):
    """RuntimeError with torch's message when the shapes do not broadcast together."""
    n = max(len(s) for s in shapes)
    for i in range(1, n + 1):
        sizes = {s[-i] for s in shapes if len(s) >= i} - {1}
        if len(sizes) > 1:
            a, b = [s[-i] for s in shapes if len(s) >= i and s[-i] != 1][:2]
            raise RuntimeError(f"The size of tensor a ({a}) must match the size of tensor b ({b}) "
                               f"at non-singleton dimension {n - i}")


def _operands(a, b):
    """Backend arrays (or a Python scalar) of a and b, cast to torch's result dtype."""
    if isinstance(b, Tensor):
        x, y = a._data, b._data
        if a._storage.device is not b._storage.device:
            from ._util import device_of
            device_of(a, b)
        if x.shape != y.shape:
            _check_broadcast(x.shape, y.shape)
        if x.dtype == y.dtype:
            return x, y
        dt = D.result_type(a, b).np
        return x.astype(dt, copy=False), y.astype(dt, copy=False)
    x = a._data
    kind = x.dtype.kind
    tb = type(b)
    # fast paths: a float tensor with a Python number, an int64 tensor with a Python int
    if (kind in 'fc' and (tb is float or tb is int)) or (tb is int and x.dtype.itemsize == 8 and kind == 'i'):
        return x, b
    dt = D.result_type(a, b).np
    if x.dtype != dt:
        x = x.astype(dt)
    if dt.kind in 'iu' and dt.itemsize < 8 and isinstance(b, int):
        b = a._storage.device.xp.array(b).astype(dt)[()]  # wraps out-of-range ints like torch
    elif dt.kind == 'V':
        b = a._storage.device.xp.asarray(b, dtype=dt)      # bfloat16: keep NumPy from upcasting
    return x, b


def _conj(t):
    return t.conj() if t._data.dtype.kind == 'c' else t


class _Add(Function, node_name='AddBackward0'):
    @staticmethod
    def forward(ctx, a, b, alpha):
        x, y = _operands(a, b)
        ctx.alpha = alpha
        return x + y if alpha == 1 else x + y * alpha

    @staticmethod
    def backward(ctx, g):
        return g, (g if ctx.alpha == 1 else g * ctx.alpha), None


class _AddScalar(_Add, node_name='AddBackward0'):
    pass


class _Sub(Function, node_name='SubBackward0'):
    @staticmethod
    def forward(ctx, a, b, alpha):
        _check_bool_sub(a, b)
        x, y = _operands(a, b)
        ctx.alpha = alpha
        return x - y if alpha == 1 else x - y * alpha

    @staticmethod
    def backward(ctx, g):
        return g, (-g if ctx.alpha == 1 else g * (-ctx.alpha)), None


def _check_bool_sub(a, b):
    a_bool = a._data.dtype.kind == 'b'
    b_bool = b._data.dtype.kind == 'b' if isinstance(b, Tensor) else isinstance(b, bool)
    if a_bool and b_bool:
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. "
                           "Use the `^` or `logical_xor()` operator instead.")
    if a_bool or b_bool:
        raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. "
                           "If you are trying to invert a mask, use the `~` or `logical_not()` "
                           "operator instead.")


class _SubScalar(_Sub, node_name='SubBackward0'):
    pass


class _Rsub(Function, node_name='RsubBackward1'):
    @staticmethod
    def forward(ctx, a, b, alpha):
        _check_bool_sub(a, b)
        x, y = _operands(a, b)
        ctx.alpha = alpha
        return y - x * alpha

    @staticmethod
    def backward(ctx, g):
        return g * (-ctx.alpha), None, None


class _Mul(Function, node_name='MulBackward0'):
    @staticmethod
    def forward(ctx, a, b):
        x, y = _operands(a, b)
        if ctx.needs_input_grad:
            ctx.save_for_backward(a if ctx.needs_input_grad[1] else None,
                                  b if ctx.needs_input_grad[0] else None)
        return x * y

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        ga, gb = ctx.needs_input_grad
        return (g * _conj(b) if ga else None), (g * _conj(a) if gb else None)


class _MulScalar(Function, node_name='MulBackward0'):
    @staticmethod
    def forward(ctx, a, s):
        x, y = _operands(a, s)
        ctx.scalar = s
        return x * y

    @staticmethod
    def backward(ctx, g):
        s = ctx.scalar
        return g * (s.conjugate() if isinstance(s, complex) else s), None


class _Div(Function, node_name='DivBackward0'):
    @staticmethod
    def forward(ctx, a, b):
        x, y = _operands(a, b)
        if x.dtype.kind in 'iub':
            dt = D.get_default_dtype().np
            x, y = x.astype(dt), y.astype(dt)
        if ctx.needs_input_grad:
            ctx.save_for_backward(a if ctx.needs_input_grad[1] else None, b)
        with _quiet(a._storage.device.xp):
            return x / y

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        ga, gb = ctx.needs_input_grad
        return ((g / _conj(b)) if ga else None,
                (-g * _conj(a) / _conj(b * b)) if gb else None)


class _DivScalar(Function, node_name='DivBackward0'):
    @staticmethod
    def forward(ctx, a, s):
        x, y = _operands(a, s)
        if x.dtype.kind in 'iub':
            x = x.astype(D.get_default_dtype().np)
        ctx.scalar = s
        with _quiet(a._storage.device.xp):
            return x / y

    @staticmethod
    def backward(ctx, g):
        return g / ctx.scalar, None


class _Neg(Function, node_name='NegBackward0'):
    @staticmethod
    def forward(ctx, a):
        if a._data.dtype.kind == 'b':
            raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. "
                               "If you are trying to invert a mask, use the `~` or `logical_not()` "
                               "operator instead.")
        return -a._data

    @staticmethod
    def backward(ctx, g):
        return -g


class _PowScalar(Function, node_name='PowBackward0'):
    @staticmethod
    def forward(ctx, a, e):
        x, y = _operands(a, e)
        if x.dtype.kind in 'iu' and isinstance(e, int) and e < 0:
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        ctx.save_for_backward(a)
        ctx.exponent = e
        return x ** y

    @staticmethod
    def backward(ctx, g):
        a, = ctx.saved_tensors
        e = ctx.exponent
        if e == 0:
            return g * 0, None
        return g * (e * a ** (e - 1)), None


class _PowTensor(Function, node_name='PowBackward1'):
    @staticmethod
    def forward(ctx, a, b):
        x, y = _operands(a, b)
        if x.dtype.kind in 'iu' and (y < 0).any():
            # torch: integer ** negative integer is 1 for 1, +-1 for -1, else 0
            xp = a._storage.device.xp
            p = x ** xp.abs(y)
            out = xp.where(y >= 0, p, xp.where(x == 1, 1, xp.where(x == -1, p, 0))).astype(x.dtype)
        else:
            with _quiet(a._storage.device.xp):
                out = x ** y
        out_t = Tensor._from_array(out, a._storage.device)
        ctx.save_for_backward(a, b, out_t)
        return out_t

    @staticmethod
    def backward(ctx, g):
        a, b, out = ctx.saved_tensors
        ga, gb = ctx.needs_input_grad
        grad_a = g * b * a ** (b - 1) if ga else None
        grad_b = None
        if gb:
            # d/db a^b = a^b log a, defined as 0 where a == 0 and b >= 0 (torch's convention)
            from .comparison import where
            grad_b = g * where((a == 0) & (b >= 0), 0, out * log(a))
        return grad_a, grad_b


class _RPow(Function, node_name='PowBackward2'):
    @staticmethod
    def forward(ctx, b, base):
        dt = D.result_type(b, base).np
        xp = b._storage.device.xp
        out = Tensor._from_array(xp.power(xp.asarray(base, dtype=dt), b._data.astype(dt, copy=False)),
                                 b._storage.device)
        ctx.base = base
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        out, = ctx.saved_tensors
        if ctx.base == 0:
            return g * (out * 0), None  # 0**b: derivative 0
        return g * out * math.log(ctx.base), None


class _Exp(Function, node_name='ExpBackward0'):
    @staticmethod
    def forward(ctx, a):
        xp = a._storage.device.xp
        out = Tensor._from_array(xp.exp(_as_float(a)), a._storage.device)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        out, = ctx.saved_tensors
        return g * _conj(out)


class _Log(Function, node_name='LogBackward0'):
    @staticmethod
    def forward(ctx, a):
        xp = a._storage.device.xp
        ctx.save_for_backward(a)
        with _quiet(xp):
            return xp.log(_as_float(a))

    @staticmethod
    def backward(ctx, g):
        a, = ctx.saved_tensors
        return g / _conj(a)


def _as_float(t):
    """t's array in the dtype float ops compute in (ints and bool -> default float dtype)."""
    x = t._data
    if x.dtype.kind in 'iub':
        return x.astype(D.get_default_dtype().np)
    return x


# ---------------------------------------------------------------------------- binary math

def _pair(a, b):
    """(x, y) arrays in the result dtype; either operand may be a Python scalar."""
    if isinstance(a, Tensor):
        return _operands(a, b)
    y, x = _operands(b, a)
    return x, y


def _device_tensor(a, b):
    return a if isinstance(a, Tensor) else b


def _no_zero_division(y):
    if y.dtype.kind in 'iu' and (y == 0).any():
        raise RuntimeError("ZeroDivisionError")


class _Binary(Function):
    """Base of two-input pointwise ops: subclasses give `f(xp, x, y)` and `bwd(g, a, b, out)`.

    kind: 'keep' (result dtype), 'float' (integer/bool results compute in the default float
    dtype), 'nobool' / 'floatonly' (NotImplementedError for bool / any non-float dtype).
    Scalars may stand on either side; their gradient is None.
    """
    kind = 'keep'
    cname = None
    save_out = False

    @staticmethod
    def forward(ctx, a, b):
        cls = ctx._fwd_cls
        t = _device_tensor(a, b)
        x, y = _pair(a, b)
        xp = t._storage.device.xp
        if not hasattr(x, 'dtype'):
            x = xp.asarray(x, dtype=y.dtype)
        if not hasattr(y, 'dtype'):
            y = xp.asarray(y, dtype=x.dtype)
        k = x.dtype.kind
        if k in 'iub':
            if cls.kind == 'float':
                dt = D.get_default_dtype().np
                x, y = x.astype(dt), y.astype(dt)
            elif cls.kind == 'floatonly' or (k == 'b' and cls.kind == 'nobool'):
                from ._util import _type_word
                raise NotImplementedError(f'"{cls.cname}_cpu" not implemented for '
                                          f"'{_type_word(D.result_type(a, b))}'")
        with _quiet(xp):
            r = cls.f(xp, x, y)
        out = Tensor._from_array(r, t._storage.device)
        if ctx.needs_input_grad:
            ctx.save_for_backward(a if isinstance(a, Tensor) else None,
                                  b if isinstance(b, Tensor) else None,
                                  out if cls.save_out else None)
            ctx.scalars = (a, b)
        return out

    @staticmethod
    def backward(ctx, g):
        a, b, out = ctx.saved_tensors
        a = ctx.scalars[0] if a is None else a
        b = ctx.scalars[1] if b is None else b
        ga, gb = ctx._fwd_cls.bwd(g, a, b, out, ctx.needs_input_grad)
        return (ga if isinstance(a, Tensor) else None), (gb if isinstance(b, Tensor) else None)


def _binary(node, f, bwd, kind='keep', cname=None, save_out=False):
    attrs = {'f': staticmethod(f), 'bwd': staticmethod(bwd), 'kind': kind, 'cname': cname,
             'save_out': save_out}
    return type(_Binary)('_' + node, (_Binary,), attrs, node_name=node)


def _where(*args):
    from .comparison import where
    return where(*args)


def _trunc(t):
    from .pointwise import trunc
    return trunc(t)


def _floor(t):
    from .pointwise import floor
    return floor(t)


def _fmod_f(xp, x, y):
    _no_zero_division(y)
    return xp.fmod(x, y)


def _remainder_f(xp, x, y):
    _no_zero_division(y)
    return xp.remainder(x, y)


def _floor_divide_f(xp, x, y):
    _no_zero_division(y)
    return xp.floor_divide(x, y)


def _trunc_divide_f(xp, x, y):
    _no_zero_division(y)
    if x.dtype.kind in 'iu':
        q = xp.floor_divide(x, y)
        # floor -> toward zero: add one where the division was inexact and the signs differ
        fix = (q * y != x) & ((x < 0) != (y < 0))
        return (q + fix).astype(q.dtype, copy=False)
    return xp.trunc(x / y)


def _no_grad_bwd(name):
    def bwd(g, a, b, out, need):
        raise RuntimeError(f"the derivative for '{name}' is not implemented.")
    return bwd


def _zero_bwd(g, a, b, out, need):
    return g * 0, g * 0


def _fmod_bwd(g, a, b, out, need):
    return g, (-g * _trunc(a / b) if isinstance(b, Tensor) and need[1] else None)


def _remainder_bwd(g, a, b, out, need):
    return g, (-g * _floor(a / b) if isinstance(b, Tensor) and need[1] else None)


def _atan2_bwd(g, a, b, out, need):
    d = a * a + b * b
    return g * b / d, -g * a / d


def _hypot_bwd(g, a, b, out, need):
    return g * a / out, g * b / out


def _logaddexp_bwd(g, a, b, out, need):
    return g / (1 + exp(b - a)), g / (1 + exp(a - b))


def _logaddexp2_bwd(g, a, b, out, need):
    return g / (1 + pow(2.0, b - a)), g / (1 + pow(2.0, a - b))


def _xlogy_f(xp, x, y):
    return xp.where((x == 0) & ~xp.isnan(y), 0, x * xp.log(y)).astype(
        xp.result_type(x, y), copy=False)


def _xlogy_bwd(g, a, b, out, need):
    ga = gb = None
    if isinstance(a, Tensor) and need[0]:
        # torch: d/dx = log(y), except 0 where x == 0 and y <= 0
        if isinstance(b, Tensor):
            ga = g * xlogy((a != 0) | (b > 0), b)
        else:
            ga = g * math.log(b) if b > 0 else g * _where(a != 0, math.log(b) if b else -math.inf, 0)
    if isinstance(b, Tensor) and need[-1]:
        gb = g * a / b
    return ga, gb


def _copysign_bwd(g, a, b, out, need):
    return _where(a == 0, 0, g * out / a), (g * 0 if isinstance(b, Tensor) else None)


_Fmod = _binary('FmodBackward1', _fmod_f, _fmod_bwd, 'nobool', 'fmod')
_FmodScalar = _binary('FmodBackward0', _fmod_f, _fmod_bwd, 'nobool', 'fmod')
_Remainder = _binary('RemainderBackward1', _remainder_f, _remainder_bwd, 'nobool', 'remainder')
_RemainderScalar = _binary('RemainderBackward0', _remainder_f, _remainder_bwd, 'nobool',
                           'remainder')
_RRemainder = _binary('NotImplemented', _remainder_f, _no_grad_bwd('remainder'), 'nobool',
                      'remainder')
_FloorDivide = _binary('NotImplemented', _floor_divide_f, _no_grad_bwd('floor_divide'), 'nobool',
                       'div_floor')
_FloorDivideMode = _binary('DivBackward2', _floor_divide_f, _zero_bwd, 'nobool', 'div_floor')
_TruncDivideMode = _binary('DivBackward2', _trunc_divide_f, _zero_bwd, 'nobool', 'div_trunc')
_Atan2 = _binary('Atan2Backward0', lambda xp, x, y: xp.arctan2(x, y), _atan2_bwd, 'float')
_Hypot = _binary('HypotBackward0', lambda xp, x, y: xp.hypot(x, y), _hypot_bwd, 'floatonly',
                 'hypot', save_out=True)
_Logaddexp = _binary('LogaddexpBackward0', lambda xp, x, y: xp.logaddexp(x, y), _logaddexp_bwd,
                     'floatonly', 'logaddexp')
_Logaddexp2 = _binary('Logaddexp2Backward0', lambda xp, x, y: xp.logaddexp2(x, y),
                      _logaddexp2_bwd, 'floatonly', 'logaddexp2')
_Xlogy = _binary('XlogyBackward0', _xlogy_f, _xlogy_bwd, 'float')
_XlogyScalarSelf = _binary('XlogyBackward1', _xlogy_f, _xlogy_bwd, 'float')
_XlogyScalarOther = _binary('XlogyBackward2', _xlogy_f, _xlogy_bwd, 'float')
_Copysign = _binary('CopysignBackward0', lambda xp, x, y: xp.copysign(x, y), _copysign_bwd,
                    'float', save_out=True)
_CopysignScalar = _binary('CopysignBackward1', lambda xp, x, y: xp.copysign(x, y),
                          _copysign_bwd, 'float', save_out=True)


def _rounded_div(input, other, mode):
    """div(..., rounding_mode='trunc'|'floor'): integer dtypes stay integer."""
    return (_TruncDivideMode if mode == 'trunc' else _FloorDivideMode).apply(input, other)


# ---------------------------------------------------------------------------- public wrappers

def _check_tensor(x, name, fn):
    if not isinstance(x, Tensor):
        raise TypeError(f"{fn}(): argument '{name}' (position 1) must be Tensor, not {type(x).__name__}")


def add(input, other, *, alpha=1, out=None):
    """input + alpha * other, broadcast, in torch's result dtype."""
    if not isinstance(input, Tensor):
        input, other = other, input
        _check_tensor(input, 'input', 'add')
    r = _Add.apply(input, other, alpha) if isinstance(other, Tensor) else _AddScalar.apply(input, other, alpha)
    return r if out is None else write_out(out, r)


def sub(input, other, *, alpha=1, out=None):
    """input - alpha * other."""
    if not isinstance(input, Tensor):
        return rsub(other, input, alpha=alpha)
    r = _Sub.apply(input, other, alpha) if isinstance(other, Tensor) else _SubScalar.apply(input, other, alpha)
    return r if out is None else write_out(out, r)


subtract = sub


def rsub(input, other, *, alpha=1):
    """other - alpha * input."""
    if isinstance(other, Tensor):
        return sub(other, input, alpha=alpha)
    return _Rsub.apply(input, other, alpha)


def mul(input, other, *, out=None):
    """input * other, broadcast."""
    if not isinstance(input, Tensor):
        input, other = other, input
        _check_tensor(input, 'input', 'mul')
    r = _Mul.apply(input, other) if isinstance(other, Tensor) else _MulScalar.apply(input, other)
    return r if out is None else write_out(out, r)


multiply = mul


def div(input, other, *, rounding_mode=None, out=None):
    """input / other; rounding_mode None (true division), 'trunc' or 'floor'."""
    if not isinstance(input, Tensor):
        from .creation import tensor
        input = tensor(input, device=other.device if isinstance(other, Tensor) else None)
    if rounding_mode is None:
        r = _Div.apply(input, other) if isinstance(other, Tensor) else _DivScalar.apply(input, other)
    elif rounding_mode in ('trunc', 'floor'):
        r = _rounded_div(input, other, rounding_mode)
    else:
        raise RuntimeError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found '{rounding_mode}'")
    return r if out is None else write_out(out, r)


divide = true_divide = div


def neg(input, *, out=None):
    r = _Neg.apply(input)
    return r if out is None else write_out(out, r)


negative = neg


def pow(input, exponent, *, out=None):
    """input ** exponent (tensor or scalar either side)."""
    if not isinstance(input, Tensor):
        r = _RPow.apply(exponent, input)
    elif isinstance(exponent, Tensor):
        r = _PowTensor.apply(input, exponent)
    else:
        r = _PowScalar.apply(input, exponent)
    return r if out is None else write_out(out, r)


def exp(input, *, out=None):
    r = _Exp.apply(input)
    return r if out is None else write_out(out, r)


def log(input, *, out=None):
    r = _Log.apply(input)
    return r if out is None else write_out(out, r)


def _need_tensor(x, fn, name, pos):
    if not isinstance(x, Tensor):
        raise TypeError(f"{fn}(): argument '{name}' (position {pos}) must be Tensor, "
                        f"not {type(x).__name__}")


def fmod(input, other, *, out=None):
    """C-style remainder: the result has the sign of input."""
    _need_tensor(input, 'fmod', 'input', 1)
    r = (_Fmod if isinstance(other, Tensor) else _FmodScalar).apply(input, other)
    return r if out is None else write_out(out, r)


def remainder(input, other, *, out=None):
    """Python-style remainder: the result has the sign of other."""
    if not isinstance(input, Tensor):
        _need_tensor(other, 'remainder', 'other', 2)
        r = _RRemainder.apply(input, other)
    else:
        r = (_Remainder if isinstance(other, Tensor) else _RemainderScalar).apply(input, other)
    return r if out is None else write_out(out, r)


def floor_divide(input, other, *, out=None):
    """input // other rounded toward -inf (integers stay integer; not differentiable)."""
    if not isinstance(input, Tensor):
        _need_tensor(other, 'floor_divide', 'other', 2)
    r = _FloorDivide.apply(input, other)
    return r if out is None else write_out(out, r)


def atan2(input, other, *, out=None):
    """Angle of the point (other, input), in (-pi, pi]."""
    _need_tensor(input, 'atan2', 'input', 1)
    _need_tensor(other, 'atan2', 'other', 2)
    r = _Atan2.apply(input, other)
    return r if out is None else write_out(out, r)


arctan2 = atan2


def _tensor_pair_op(name, cls, doc):
    def fn(input, other, *, out=None):
        _need_tensor(input, name, 'input', 1)
        _need_tensor(other, name, 'other', 2)
        r = cls.apply(input, other)
        return r if out is None else write_out(out, r)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc
    return fn


hypot = _tensor_pair_op('hypot', _Hypot, "sqrt(input**2 + other**2) without overflow.")
logaddexp = _tensor_pair_op('logaddexp', _Logaddexp, "log(exp(input) + exp(other)), stably.")
logaddexp2 = _tensor_pair_op('logaddexp2', _Logaddexp2, "log2(2**input + 2**other), stably.")


def xlogy(input, other, *, out=None):
    """input * log(other), 0 where input == 0 (unless other is NaN)."""
    if not isinstance(input, Tensor):
        cls = _XlogyScalarSelf
    elif not isinstance(other, Tensor):
        cls = _XlogyScalarOther
    else:
        cls = _Xlogy
    r = cls.apply(input, other)
    return r if out is None else write_out(out, r)


def copysign(input, other, *, out=None):
    """|input| with the sign of other (float result)."""
    _need_tensor(input, 'copysign', 'input', 1)
    r = (_Copysign if isinstance(other, Tensor) else _CopysignScalar).apply(input, other)
    return r if out is None else write_out(out, r)


def _rtruediv(self, other):
    # torch computes scalar / tensor as reciprocal(tensor) * scalar (MulBackward0)
    from .pointwise import reciprocal
    return mul(reciprocal(self), other)


def _inplace_method(fn):
    def method(self, *args, **kwargs):
        return inplace(self, fn, *args, **kwargs)
    method.__name__ = fn.__name__ + '_'
    method.__doc__ = f"In-place version of {fn.__name__}()."
    return method


register_methods({
    'add': add, 'sub': sub, 'subtract': sub, 'mul': mul, 'multiply': mul, 'div': div,
    'divide': div, 'true_divide': div, 'neg': neg, 'negative': neg, 'pow': pow, 'exp': exp,
    'log': log,
    'add_': _inplace_method(add), 'sub_': _inplace_method(sub), 'mul_': _inplace_method(mul),
    'div_': _inplace_method(div), 'neg_': _inplace_method(neg), 'pow_': _inplace_method(pow),
    'exp_': _inplace_method(exp), 'log_': _inplace_method(log),
    'subtract_': _inplace_method(sub), 'multiply_': _inplace_method(mul),
    'divide_': _inplace_method(div), 'true_divide_': _inplace_method(div),
    'negative_': _inplace_method(neg),
    '__add__': add, '__radd__': add, '__iadd__': _inplace_method(add),
    '__sub__': sub, '__rsub__': lambda self, other: rsub(self, other),
    '__isub__': _inplace_method(sub),
    '__mul__': mul, '__rmul__': mul, '__imul__': _inplace_method(mul),
    '__truediv__': div, '__rtruediv__': _rtruediv,
    '__itruediv__': _inplace_method(div), '__neg__': neg,
    '__pow__': pow, '__rpow__': lambda self, other: pow(other, self),
    '__ipow__': _inplace_method(pow),
    'fmod': fmod, 'remainder': remainder, 'floor_divide': floor_divide, 'atan2': atan2,
    'arctan2': atan2, 'hypot': hypot, 'logaddexp': logaddexp, 'logaddexp2': logaddexp2,
    'xlogy': xlogy, 'copysign': copysign,
    'fmod_': _inplace_method(fmod), 'remainder_': _inplace_method(remainder),
    'floor_divide_': _inplace_method(floor_divide), 'atan2_': _inplace_method(atan2),
    'arctan2_': _inplace_method(atan2), 'hypot_': _inplace_method(hypot),
    'xlogy_': _inplace_method(xlogy), 'copysign_': _inplace_method(copysign),
    '__floordiv__': floor_divide, '__rfloordiv__': lambda self, other: floor_divide(other, self),
    '__ifloordiv__': _inplace_method(floor_divide),
    '__mod__': remainder, '__rmod__': lambda self, other: remainder(other, self),
    '__imod__': _inplace_method(remainder),
})
