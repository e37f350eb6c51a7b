"""Comparisons, logical and bitwise ops, float classification (isnan ...), closeness tests,
and the selection ops built on comparisons: where, clamp, maximum/minimum, fmax/fmin,
nan_to_num. Their Python operators (==, <, &, |, ^, ~, <<, >>) are attached to Tensor here.

Comparisons promote both operands to torch's result dtype first (so `int_tensor < 1.5`
compares in float32) and return bool tensors that never require grad.
"""
import numbers

from .. import _dtype as D
from .._tensor import Tensor, register_methods
from ..autograd.function import Function
from ._util import inplace, write_out, _type_word
from .elementwise import _operands, _check_broadcast, _quiet

__all__ = ['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'greater', 'greater_equal', 'less', 'less_equal',
           'not_equal', 'logical_and', 'logical_or', 'logical_xor', 'logical_not',
           'bitwise_and', 'bitwise_or', 'bitwise_xor', 'bitwise_not', 'bitwise_left_shift',
           'bitwise_right_shift', 'isnan', 'isinf', 'isposinf', 'isneginf', 'isfinite', 'isreal',
           'signbit', 'isclose', 'allclose', 'equal', 'where', 'nan_to_num', 'clamp', 'clip',
           'clamp_min', 'clamp_max', 'maximum', 'minimum', 'fmax', 'fmin']


def _zeros_like(t):
    from .creation import zeros_like
    return zeros_like(t)


def _ret(r, out):
    return r if out is None else write_out(out, r)


def _wrap(arr, t):
    return Tensor._from_array(arr, t._storage.device)


def _need_tensor(x, fn, name='input', pos=1):
    if not isinstance(x, Tensor):
        raise TypeError(f"{fn}(): argument '{name}' (position {pos}) must be Tensor, "
                        f"not {type(x).__name__}")


def _nie(name, dtype):
    raise NotImplementedError(f'"{name}_cpu" not implemented for \'{_type_word(dtype)}\'')


# ---------------------------------------------------------------------------- comparisons

def _comparison(name, ufunc):
    def fn(input, other, *, out=None):
        _need_tensor(input, name)
        x, y = _operands(input, other)
        xp = input._storage.device.xp
        return _ret(_wrap(getattr(xp, ufunc)(x, y), input), out)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"Elementwise `{name}` comparison (broadcast, promoted); a bool tensor."
    return fn


eq = _comparison('eq', 'equal')
ne = not_equal = _comparison('ne', 'not_equal')
lt = less = _comparison('lt', 'less')
le = less_equal = _comparison('le', 'less_equal')
gt = greater = _comparison('gt', 'greater')
ge = greater_equal = _comparison('ge', 'greater_equal')


# ---------------------------------------------------------------------------- logical

def _logical(name, ufunc):
    def fn(input, other, *, out=None):
        _need_tensor(input, name)
        _need_tensor(other, name, 'other', 2)
        _check_broadcast(input._data.shape, other._data.shape)
        xp = input._storage.device.xp
        return _ret(_wrap(getattr(xp, ufunc)(input._data, other._data), input), out)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"Elementwise `{name}` of the truth values (nonzero) of input and other."
    return fn


logical_and = _logical('logical_and', 'logical_and')
logical_or = _logical('logical_or', 'logical_or')
logical_xor = _logical('logical_xor', 'logical_xor')


def logical_not(input, *, out=None):
    """True where input is zero."""
    return _ret(_wrap(input._storage.device.xp.logical_not(input._data), input), out)


# ---------------------------------------------------------------------------- bitwise

def _int_operands(name, a, b):
    x, y = _operands(a, b)
    dt = x.dtype
    if dt.kind not in 'iub':
        _nie(name, D._BY_NP[dt])
    return x, y


def _bitwise(name, ufunc, cname):
    def fn(input, other, *, out=None):
        if not isinstance(input, Tensor):
            input, other = other, input
            _need_tensor(input, name)
        x, y = _int_operands(cname, input, other)
        return _ret(_wrap(getattr(input._storage.device.xp, ufunc)(x, y), input), out)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"Elementwise `{name}` of integer or bool tensors."
    return fn


bitwise_and = _bitwise('bitwise_and', 'bitwise_and', 'bitwise_and')
bitwise_or = _bitwise('bitwise_or', 'bitwise_or', 'bitwise_or')
bitwise_xor = _bitwise('bitwise_xor', 'bitwise_xor', 'bitwise_xor')


def bitwise_not(input, *, out=None):
    """~x for integers, logical not for bool."""
    if input._data.dtype.kind not in 'iub':
        _nie('bitwise_not', input.dtype)
    return _ret(_wrap(input._storage.device.xp.invert(input._data), input), out)


def _shift(input, other, left):
    """x << y / x >> y with torch's results for shifts outside [0, bits): 0 (or the sign)."""
    if not isinstance(input, Tensor):
        from .creation import tensor
        input = tensor(input, device=other.device)
    cname = 'lshift' if left else 'rshift'
    x, y = _int_operands(cname, input, other)
    if x.dtype.kind == 'b':
        _nie(cname, D.bool)
    xp = input._storage.device.xp
    y = xp.asarray(y, dtype=x.dtype)
    bits = x.dtype.itemsize * 8
    bad = (y < 0) | (y >= bits)
    ys = xp.where(bad, 0, y).astype(x.dtype, copy=False)
    if left:
        r = xp.where(bad, 0, xp.left_shift(x, ys))
    else:
        fill = xp.right_shift(x, bits - 1) if x.dtype.kind == 'i' else 0
        r = xp.where(bad, fill, xp.right_shift(x, ys))
    return _wrap(r.astype(x.dtype, copy=False), input)


def bitwise_left_shift(input, other, *, out=None):
    """input << other (shifts >= bit width or negative give 0)."""
    return _ret(_shift(input, other, True), out)


def bitwise_right_shift(input, other, *, out=None):
    """input >> other, arithmetic for signed integers."""
    return _ret(_shift(input, other, False), out)


# ---------------------------------------------------------------------------- classification

def _classify(name, float_fn, int_value, doc):
    def fn(input):
        x = input._data
        xp = input._storage.device.xp
        if x.dtype.kind in 'iub':
            r = xp.full(x.shape, int_value, dtype=bool)
        else:
            r = float_fn(xp, x)
        return _wrap(r, input)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc
    return fn


isnan = _classify('isnan', lambda xp, x: xp.isnan(x), False, "True where x is NaN.")
isinf = _classify('isinf', lambda xp, x: xp.isinf(x), False, "True where x is +-inf.")
isposinf = _classify('isposinf', lambda xp, x: xp.isposinf(x), False, "True where x is +inf.")
isneginf = _classify('isneginf', lambda xp, x: xp.isneginf(x), False, "True where x is -inf.")
isfinite = _classify('isfinite', lambda xp, x: xp.isfinite(x), True,
                     "True where x is neither inf nor NaN.")
isreal = _classify('isreal', lambda xp, x: xp.imag(x) == 0 if x.dtype.kind == 'c' else
                   xp.ones(x.shape, dtype=bool), True, "True where x has no imaginary part.")


def signbit(input, *, out=None):
    """True where the sign bit is set (including -0.0)."""
    x = input._data
    xp = input._storage.device.xp
    r = xp.signbit(x) if x.dtype.kind not in 'ub' else xp.zeros(x.shape, dtype=bool)
    return _ret(_wrap(r, input), out)


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """|input - other| <= atol + rtol * |other| (equal values, infs included, are close)."""
    _need_tensor(input, 'isclose')
    _need_tensor(other, 'isclose', 'other', 2)
    if input.dtype is not other.dtype:
        raise RuntimeError(f"{_type_word(input.dtype)} did not match {_type_word(other.dtype)}")
    _check_broadcast(input._data.shape, other._data.shape)
    xp = input._storage.device.xp
    x, y = input._data, other._data
    close = x == y
    if x.dtype.kind == 'b':
        return _wrap(close, input)
    if x.dtype.kind in 'iu':
        x, y = x.astype('float64'), y.astype('float64')
    with _quiet(xp):
        if equal_nan:
            close = close | (xp.isnan(x) & xp.isnan(y))
        err = xp.abs(x - y)
        close = close | (xp.isfinite(err) & (err <= atol + xp.abs(rtol * y)))
    return _wrap(close, input)


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """True when every element pair is close (see isclose)."""
    return bool(isclose(input, other, rtol, atol, equal_nan)._data.all())


def equal(input, other):
    """True when both tensors have the same shape and elements."""
    if input._data.shape != other._data.shape:
        return False
    x, y = _operands(input, other)
    return bool((x == y).all())


# ---------------------------------------------------------------------------- where

class _Where(Function, node_name='WhereBackward0'):
    @staticmethod
    def forward(ctx, cond, a, b):
        dt = D.result_type(a, b).np
        xp = cond._storage.device.xp
        shapes = [t._data.shape for t in (cond, a, b) if isinstance(t, Tensor)]
        _check_broadcast(*shapes)
        x = a._data.astype(dt, copy=False) if isinstance(a, Tensor) else xp.asarray(a, dtype=dt)
        y = b._data.astype(dt, copy=False) if isinstance(b, Tensor) else xp.asarray(b, dtype=dt)
        if ctx.needs_input_grad:
            ctx.save_for_backward(cond)
        return xp.where(cond._data, x, y)

    @staticmethod
    def backward(ctx, g):
        cond, = ctx.saved_tensors
        ga, gb = ctx.needs_input_grad[1:]
        return None, (where(cond, g, 0) if ga else None), (where(cond, 0, g) if gb else None)


def where(condition, input=None, other=None, *, out=None):
    """input where condition is True, else other (tensors or scalars, broadcast).

    where(condition) alone is nonzero(condition, as_tuple=True)."""
    if input is None and other is None:
        xp = condition._storage.device.xp
        return tuple(_wrap(i, condition) for i in xp.nonzero(condition._data))
    if condition.dtype is not D.bool:
        if condition.dtype is D.uint8:
            import warnings
            warnings.warn("where received a uint8 condition tensor. This behavior is deprecated "
                          "and will be removed in a future version of PyTorch. Use a boolean "
                          "condition instead.")
            condition = _wrap(condition._data.astype(bool), condition)
        else:
            raise RuntimeError("where expected condition to be a boolean tensor, but got a "
                               f"tensor with dtype {_type_word(condition.dtype)}")
    return _ret(_Where.apply(condition, input, other), out)


def _where_method(self, condition, other):
    return where(condition, self, other)


# ---------------------------------------------------------------------------- nan_to_num

class _NanToNum(Function, node_name='NanToNumBackward0'):
    @staticmethod
    def forward(ctx, a, nan, posinf, neginf):
        x = a._data
        if x.dtype.kind in 'iub':
            return x.copy()
        xp = a._storage.device.xp
        if ctx.needs_input_grad:
            ctx.save_for_backward(a)
        return xp.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf)

    @staticmethod
    def backward(ctx, g):
        a, = ctx.saved_tensors
        return where(isnan(a) | isinf(a), 0, g), None, None, None


def nan_to_num(input, nan=0.0, posinf=None, neginf=None, *, out=None):
    """Replace NaN by nan, +inf by posinf, -inf by neginf (defaults: the dtype's extremes)."""
    return _ret(_NanToNum.apply(input, nan, posinf, neginf), out)


# ---------------------------------------------------------------------------- clamp

class _Clamp(Function, node_name='ClampBackward1'):
    """clamp with scalar bounds; subclasses name torch's other clamp nodes."""
    @staticmethod
    def forward(ctx, a, lo, hi):
        dt = D.result_type(*[v for v in (a, lo, hi) if v is not None]).np
        xp = a._storage.device.xp
        r = a._data.astype(dt, copy=False)
        bounds = []
        for v in (lo, hi):
            if isinstance(v, Tensor):
                _check_broadcast(r.shape, v._data.shape)
                bounds.append(v._data.astype(dt, copy=False))
            else:
                bounds.append(None if v is None else xp.asarray(v, dtype=dt))
        if bounds[0] is not None:
            r = xp.maximum(r, bounds[0])
        if bounds[1] is not None:
            r = xp.minimum(r, bounds[1])
        if ctx.needs_input_grad:
            ctx.save_for_backward(a, lo if isinstance(lo, Tensor) else None,
                                  hi if isinstance(hi, Tensor) else None)
            ctx.bounds = (lo, hi)
        return r

    @staticmethod
    def backward(ctx, g):
        a, lo_t, hi_t = ctx.saved_tensors
        lo = lo_t if lo_t is not None else ctx.bounds[0]
        hi = hi_t if hi_t is not None else ctx.bounds[1]
        mask = None
        if lo is not None:
            mask = a >= lo
        if hi is not None:
            m = a <= hi
            mask = m if mask is None else mask & m
        ga = where(mask, g, 0)
        need = ctx.needs_input_grad
        glo = where(a < lo, g, 0) if lo_t is not None and need[1] else None
        ghi = where(a > hi, g, 0) if hi_t is not None and need[2] else None
        return ga, glo, ghi


class _ClampT(_Clamp, node_name='ClampBackward0'):
    pass


class _ClampMin(_Clamp, node_name='ClampMinBackward0'):
    pass


class _ClampMinT(_Clamp, node_name='ClampMinBackward1'):
    pass


class _ClampMax(_Clamp, node_name='ClampMaxBackward0'):
    pass


class _ClampMaxT(_Clamp, node_name='ClampMaxBackward1'):
    pass


def clamp(input, min=None, max=None, *, out=None):
    """Limit input to [min, max] (scalars or tensors); gradient flows where min <= x <= max."""
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        r = _ClampT.apply(input, min, max)
    else:
        r = _Clamp.apply(input, min, max)
    return _ret(r, out)


clip = clamp


def clamp_min(input, min, *, out=None):
    """max(input, min)."""
    return _ret((_ClampMinT if isinstance(min, Tensor) else _ClampMin).apply(input, min, None), out)


def clamp_max(input, max, *, out=None):
    """min(input, max)."""
    return _ret((_ClampMaxT if isinstance(max, Tensor) else _ClampMax).apply(input, None, max), out)


# ---------------------------------------------------------------------------- maximum & co

class _Maximum(Function, node_name='MaximumBackward0'):
    @staticmethod
    def forward(ctx, a, b):
        x, y = _operands(a, b)
        if ctx.needs_input_grad:
            ctx.save_for_backward(a, b)
        return getattr(a._storage.device.xp, ctx._fwd_cls.ufunc)(x, y)

    ufunc = 'maximum'

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        # ties split the gradient half/half; where either is NaN both get it (torch's rule)
        half = g * 0.5
        loses = ctx._fwd_cls.loses
        ga = where(a == b, half, where(loses(a, b), 0, g))
        gb = where(a == b, half, where(loses(b, a), 0, g))
        return ga, gb

    loses = staticmethod(lambda a, b: a < b)


class _Minimum(_Maximum, node_name='MinimumBackward0'):
    ufunc = 'minimum'
    loses = staticmethod(lambda a, b: a > b)


class _Fmax(Function, node_name='FmaxBackward0'):
    @staticmethod
    def forward(ctx, a, b):
        x, y = _operands(a, b)
        if ctx.needs_input_grad:
            ctx.save_for_backward(a, b)
        return getattr(a._storage.device.xp, ctx._fwd_cls.ufunc)(x, y)

    ufunc = 'fmax'

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        # the result comes from a on ties and wherever b is NaN
        take_a = ctx._fwd_cls.wins(a, b) | isnan(b)
        return where(take_a, g, 0), where(take_a, 0, g)

    wins = staticmethod(lambda a, b: a >= b)


class _Fmin(_Fmax, node_name='FminBackward0'):
    ufunc = 'fmin'
    wins = staticmethod(lambda a, b: a <= b)


def _pairwise(name, cls, doc):
    def fn(input, other, *, out=None):
        _need_tensor(input, name)
        _need_tensor(other, name, 'other', 2)
        return _ret(cls.apply(input, other), out)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc
    return fn


maximum = _pairwise('maximum', _Maximum, "Elementwise max; NaN propagates.")
minimum = _pairwise('minimum', _Minimum, "Elementwise min; NaN propagates.")
fmax = _pairwise('fmax', _Fmax, "Elementwise max ignoring NaN (NaN only if both are NaN).")
fmin = _pairwise('fmin', _Fmin, "Elementwise min ignoring NaN (NaN only if both are NaN).")


# ---------------------------------------------------------------------------- operators

_SCALARS = (numbers.Number,)


def _operator(fn, reflected=False):
    """A binary dunder: NotImplemented for unsupported operand types (Python then falls back)."""
    def method(self, other):
        if not isinstance(other, (Tensor,) + _SCALARS):
            return NotImplemented
        return fn(other, self) if reflected else fn(self, other)
    method.__name__ = fn.__name__
    return method


def _inplace_method(fn, name):
    def method(self, *args, **kwargs):
        return inplace(self, fn, *args, **kwargs)
    method.__name__ = name + '_'
    method.__doc__ = f"In-place version of {name}()."
    return method


def _invert(self):
    if self._data.dtype.kind not in 'iub':
        raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type tensors")
    return bitwise_not(self)


_METHODS = {
    'eq': eq, 'ne': ne, 'not_equal': ne, 'lt': lt, 'less': lt, 'le': le, 'less_equal': le,
    'gt': gt, 'greater': gt, 'ge': ge, 'greater_equal': ge, 'logical_and': logical_and,
    'logical_or': logical_or, 'logical_xor': logical_xor, 'logical_not': logical_not,
    'bitwise_and': bitwise_and, 'bitwise_or': bitwise_or, 'bitwise_xor': bitwise_xor,
    'bitwise_not': bitwise_not, 'bitwise_left_shift': bitwise_left_shift,
    'bitwise_right_shift': bitwise_right_shift, 'clamp': clamp, 'clip': clamp,
    'clamp_min': clamp_min, 'clamp_max': clamp_max, 'nan_to_num': nan_to_num,
}
register_methods(_METHODS)
register_methods({k + '_': _inplace_method(v, k) for k, v in _METHODS.items()})
register_methods({
    'isnan': isnan, 'isinf': isinf, 'isposinf': isposinf, 'isneginf': isneginf,
    'isfinite': isfinite, 'isreal': isreal, 'signbit': signbit, 'isclose': isclose,
    'allclose': allclose, 'equal': equal, 'where': _where_method, 'maximum': maximum,
    'minimum': minimum, 'fmax': fmax, 'fmin': fmin,
    '__eq__': _operator(eq), '__ne__': _operator(ne), '__lt__': _operator(lt),
    '__le__': _operator(le), '__gt__': _operator(gt), '__ge__': _operator(ge),
    '__and__': _operator(bitwise_and), '__rand__': _operator(bitwise_and, True),
    '__or__': _operator(bitwise_or), '__ror__': _operator(bitwise_or, True),
    '__xor__': _operator(bitwise_xor), '__rxor__': _operator(bitwise_xor, True),
    '__lshift__': _operator(bitwise_left_shift),
    '__rlshift__': _operator(bitwise_left_shift, True),
    '__rshift__': _operator(bitwise_right_shift),
    '__rrshift__': _operator(bitwise_right_shift, True),
    '__iand__': _inplace_method(bitwise_and, 'bitwise_and'),
    '__ior__': _inplace_method(bitwise_or, 'bitwise_or'),
    '__ixor__': _inplace_method(bitwise_xor, 'bitwise_xor'),
    '__ilshift__': _inplace_method(bitwise_left_shift, 'bitwise_left_shift'),
    '__irshift__': _inplace_method(bitwise_right_shift, 'bitwise_right_shift'),
    '__invert__': _invert,
})
