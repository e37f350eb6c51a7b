"""Pointwise arithmetic: add, sub, mul, div, neg, pow, exp, log ... with broadcasting and
torch's type promotion. Each op: a Function (forward on arrays, backward in ember ops) and
its public wrapper; in-place `_` variants go through `_util.inplace`."""
from .. import _dtype as D
from .._tensor import Tensor, register_methods
from ..autograd.function import Function
from ._util import inplace, write_out, float_dtype_for

__all__ = ['add', 'sub', 'subtract', 'mul', 'multiply', 'div', 'divide', 'true_divide', 'neg',
           'negative', 'pow', 'exp', 'log', 'rsub']


def _operands(a, b):
    """Backend arrays (or a Python scalar) of a and b, cast to torch's result dtype."""
    if isinstance(b, Tensor):
        x, y = a._data, b._data
        if a._storage.device is not b._storage.device:
            from ._util import device_of
            device_of(a, b)
        if x.dtype == y.dtype:
            return x, y
        dt = D.result_type(a, b).np
        return x.astype(dt, copy=False), y.astype(dt, copy=False)
    dt = D.result_type(a, b).np
    x = a._data
    if x.dtype != dt:
        x = x.astype(dt)
    if dt.kind in 'iu' and dt.itemsize < 8 and isinstance(b, int):
        b = a._storage.device.xp.array(b).astype(dt)[()]  # wraps out-of-range ints like torch
    return x, b


def _conj(t):
    return t.conj() if t.is_complex() else t


class _Add(Function, node_name='AddBackward0'):
    @staticmethod
    def forward(ctx, a, b, alpha):
        x, y = _operands(a, b)
        ctx.alpha = alpha
        return x + y if alpha == 1 else x + y * alpha

    @staticmethod
    def backward(ctx, g):
        return g, (g if ctx.alpha == 1 else g * ctx.alpha), None


class _AddScalar(_Add, node_name='AddBackward1'):
    pass


class _Sub(Function, node_name='SubBackward0'):
    @staticmethod
    def forward(ctx, a, b, alpha):
        x, y = _operands(a, b)
        ctx.alpha = alpha
        if x.dtype.kind == 'b':
            raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. "
                               "Use the `^` or `logical_xor()` operator instead.")
        return x - y if alpha == 1 else x - y * alpha

    @staticmethod
    def backward(ctx, g):
        return g, (-g if ctx.alpha == 1 else g * (-ctx.alpha)), None


class _SubScalar(_Sub, node_name='SubBackward1'):
    pass


class _Rsub(Function, node_name='RsubBackward1'):
    @staticmethod
    def forward(ctx, a, b, alpha):
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


class _MulScalar(Function, node_name='MulBackward1'):
    @staticmethod
    def forward(ctx, a, s):
        x, y = _operands(a, s)
        ctx.scalar = s
        return x * y

    @staticmethod
    def backward(ctx, g):
        return g * ctx.scalar, None


class _Div(Function, node_name='DivBackward0'):
    @staticmethod
    def forward(ctx, a, b):
        x, y = _operands(a, b)
        if x.dtype.kind in 'iub':
            dt = D.get_default_dtype().np
            x, y = x.astype(dt), y.astype(dt)
        if ctx.needs_input_grad:
            ctx.save_for_backward(a if ctx.needs_input_grad[1] else None, b)
        return x / y

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        ga, gb = ctx.needs_input_grad
        return ((g / _conj(b)) if ga else None,
                (-g * _conj(a) / _conj(b * b)) if gb else None)


class _DivScalar(Function, node_name='DivBackward1'):
    @staticmethod
    def forward(ctx, a, s):
        x, y = _operands(a, s)
        if x.dtype.kind in 'iub':
            x = x.astype(D.get_default_dtype().np)
        ctx.scalar = s
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
            grad_b = g * (out * log(a)).masked_fill((a == 0) & (b >= 0), 0)
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
        import math
        if ctx.base == 0:
            return g * (out * 0).masked_fill(out == 1, 0), None  # 0**b: derivative 0 (b > 0)
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
        with xp.errstate(divide='ignore', invalid='ignore'):
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
        from .pointwise import _rounded_div
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
    '__truediv__': div, '__rtruediv__': lambda self, other: div(other, self),
    '__itruediv__': _inplace_method(div), '__neg__': neg,
    '__pow__': pow, '__rpow__': lambda self, other: pow(other, self),
    '__ipow__': _inplace_method(pow),
})
