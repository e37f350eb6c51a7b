"""Parity with torch for binary pointwise ops, comparisons, logical/bitwise ops, where/clamp,
Python operators and torch's type promotion (ember/_ops/elementwise.py, comparison.py)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(__file__)))
import numpy as np
import pytest
import torch

import ember
from helpers import parity, rand, raises_like

I64 = np.array([[5, -7, 3], [0, 2, -1]], dtype='int64')
NZ = np.array([[2, 3, -2], [5, -3, 1]], dtype='int64')      # no zeros (divisors)

# ---------------------------------------------------------------- differentiable binary ops
BINARY = {
    'add': lambda m, a, b: m.add(a, b, alpha=2),
    'sub': lambda m, a, b: m.sub(a, b, alpha=0.5),
    'mul': lambda m, a, b: m.mul(a, b),
    'div': lambda m, a, b: m.div(a, b),
    'pow': lambda m, a, b: m.pow(a.abs() + 0.5, b),
    'atan2': lambda m, a, b: m.atan2(a, b),
    'fmod': lambda m, a, b: m.fmod(a, b),
    'remainder': lambda m, a, b: m.remainder(a, b),
    'maximum': lambda m, a, b: m.maximum(a, b),
    'minimum': lambda m, a, b: m.minimum(a, b),
    'fmax': lambda m, a, b: m.fmax(a, b),
    'fmin': lambda m, a, b: m.fmin(a, b),
    'hypot': lambda m, a, b: m.hypot(a, b),
    'logaddexp': lambda m, a, b: m.logaddexp(a, b),
    'logaddexp2': lambda m, a, b: m.logaddexp2(a, b),
    'xlogy': lambda m, a, b: m.xlogy(a, b.abs() + 0.1),
    'copysign': lambda m, a, b: m.copysign(a, b),
    'lerp': lambda m, a, b: m.lerp(a, b, 0.3),
    'lerp_t': lambda m, a, b: m.lerp(a, b, b.sigmoid()),
    'addcmul': lambda m, a, b: m.addcmul(a, b, a, value=0.5),
    'addcdiv': lambda m, a, b: m.addcdiv(a, a, b.abs() + 0.5, value=2),
    'div_trunc': lambda m, a, b: m.div(a, b, rounding_mode='trunc'),
    'div_floor': lambda m, a, b: m.div(a, b, rounding_mode='floor'),
    'where': lambda m, a, b: m.where(a > b, a, b),
    'clamp_t': lambda m, a, b: m.clamp(a, min=b, max=b + 1),
}
BIN_NAMES = sorted(BINARY)


@pytest.mark.parametrize('name', BIN_NAMES)
def test_binary_values_and_grads(name):
    parity(BINARY[name], rand(3, 4), rand(3, 4, low=0.5, high=2))


@pytest.mark.parametrize('name', BIN_NAMES)
def test_binary_broadcast_noncontiguous(name):
    parity(lambda m, a, b: BINARY[name](m, a.t(), b), rand(4, 3), rand(4, low=0.5, high=2))
    parity(lambda m, a, b: BINARY[name](m, a, b), rand(2, 1, 3), rand(4, 1, low=0.5, high=2))


@pytest.mark.parametrize('name', BIN_NAMES)
def test_binary_zero_dim_and_empty(name):
    parity(BINARY[name], rand(), rand(low=0.5, high=2))
    parity(BINARY[name], rand(0, 3), rand(3, low=0.5, high=2))
    parity(BINARY[name], rand(2, 3), rand(low=0.5, high=2))


def test_binary_grad_fn_names():
    a = ember.tensor([1.0, 2.0], dtype=ember.float64, requires_grad=True)
    b = ember.tensor([0.5, 3.0], dtype=ember.float64, requires_grad=True)
    ta = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)
    tb = torch.tensor([0.5, 3.0], dtype=torch.float64, requires_grad=True)
    calls = list(BINARY.values()) + [
        lambda m, x, y: x + 2, lambda m, x, y: 2 - x, lambda m, x, y: x * 3.0,
        lambda m, x, y: x / 2, lambda m, x, y: 2 / x, lambda m, x, y: x % 2,
        lambda m, x, y: m.fmod(x, 2), lambda m, x, y: m.xlogy(2.0, x),
        lambda m, x, y: m.xlogy(x, 2.0), lambda m, x, y: m.copysign(x, -1),
        lambda m, x, y: x.clamp(0, 1), lambda m, x, y: x.clamp_min(0),
        lambda m, x, y: x.clamp_max(y), lambda m, x, y: x.clamp_min(y),
        lambda m, x, y: x.clamp_max(1), lambda m, x, y: x // 2, lambda m, x, y: 2 % x,
        lambda m, x, y: m.nan_to_num(x), lambda m, x, y: m.where(x > 1, x, 0.0),
    ]
    for f in calls:
        assert f(ember, a, b).grad_fn.name() == type(f(torch, ta, tb).grad_fn).__name__


def test_maximum_ties_and_nan():
    a = np.array([1.0, 2.0, np.nan, 3.0, np.nan])
    b = np.array([1.0, 5.0, 1.0, np.nan, np.nan])
    for name in ('maximum', 'minimum', 'fmax', 'fmin'):
        parity(lambda m, x, y: getattr(m, name)(x, y), a, b)


def test_clamp_edges_and_forms():
    x = np.array([-1.0, 0.0, 0.5, 1.0, 2.0, np.nan])
    parity(lambda m, a: a.clamp(0, 1), x)
    parity(lambda m, a: m.clamp(a, min=0), x)
    parity(lambda m, a: m.clamp(a, max=0.5), x)
    parity(lambda m, a: m.clip(a, 0.2, 0.8), x)
    parity(lambda m, a: m.clamp(a, 1, 0), x)                      # min > max gives max
    parity(lambda m, a, lo: m.clamp(a, lo), x, np.array([0.0, 0.0, 1.0, 1.0, 3.0, 0.0]))
    parity(lambda m, a, hi: m.clamp(a, max=hi), x, np.array([0.0, 0.0, 1.0, 1.0, 3.0, 0.0]))
    parity(lambda m, a, lo: a.clamp_min(lo), x, np.array([0.0, 0.0, 1.0, 1.0, 3.0, 0.0]))
    parity(lambda m, a: m.clamp(a, 1.5), np.array([1, 5]))       # int tensor, float bound
    parity(lambda m, a: m.clamp(a, 1, 3), np.array([1, 5, -2]))
    parity(lambda m, a: m.clamp(a, m.tensor(2.5, dtype=m.float64)), np.array([1, 5]))
    raises_like(lambda m, a: m.clamp(a), x, match="At least one of 'min' or 'max'")


def test_where_forms():
    c = np.array([[True, False, True], [False, True, False]])
    parity(lambda m, c, a, b: m.where(c, a, b), c, rand(2, 3), rand(3))
    parity(lambda m, c, a: m.where(c, a, 0.5), c, rand(2, 3))
    parity(lambda m, c, a: m.where(c, 2.0, a), c, rand(1, 3))
    parity(lambda m, c: m.where(c, 1, 2.5), c)
    parity(lambda m, c, a: m.where(c, a, 2.5), c, np.array([1, 2, 3]))
    parity(lambda m, c, a, b: a.where(c, b), c, rand(2, 3), rand(2, 3))
    parity(lambda m, c: m.where(c), c)
    raises_like(lambda m, a: m.where(a, 1, 2), rand(3), match='boolean')
    raises_like(lambda m, c, a, b: m.where(c, a, b), c, rand(2, 3), rand(4))


# ---------------------------------------------------------------- integer arithmetic
@pytest.mark.parametrize('op', ['fmod', 'remainder', 'floor_divide', 'div_trunc', 'div_floor'])
def test_integer_division_family(op):
    f = {'div_trunc': lambda m, a, b: m.div(a, b, rounding_mode='trunc'),
         'div_floor': lambda m, a, b: m.div(a, b, rounding_mode='floor')}.get(
        op, lambda m, a, b: getattr(m, op)(a, b))
    parity(f, I64, NZ)
    parity(lambda m, a: f(m, a, 2), I64)
    parity(lambda m, a: f(m, a, -3), I64)
    parity(lambda m, a: f(m, a, 2.5), I64)
    parity(f, I64.astype('int8'), NZ.astype('uint8'))
    raises_like(lambda m, a: f(m, a, 0), I64, match='ZeroDivisionError')
    raises_like(f, np.array([True]), np.array([True]))
    x = np.array([5.5, -7.5, 0.0, 3.0, -3.0])
    # float division by zero gives inf/nan (torch has no derivative for floor_divide)
    parity(f, x, np.array([2.0, 2.0, 0.0, -2.0, 0.0]), grad=op != 'floor_divide')


def test_operators_floordiv_mod():
    parity(lambda m, a: (a // 2, a % 3, 7 // a, 7 % a, a // 2.5, 5.5 % a), NZ)
    parity(lambda m, a: (a // 0.7, a % 0.7, 2.0 // a, 2.0 % a), rand(3, low=0.5, high=2), grad=False)
    parity(lambda m, a: m.remainder(3.5, a), NZ)


def test_remainder_scalar_self_and_wrapping():
    parity(lambda m, a: m.remainder(a, 200), np.array([5, -5], dtype='int8'))
    parity(lambda m, a: m.remainder(3, a), np.array([2, -2]))


def test_pow_integer_negative_tensor_exponent():
    parity(lambda m, a, b: a ** b, np.array([2, 1, -1, -1, 3]), np.array([-1, -2, -3, -2, 2]))
    raises_like(lambda m, a: a ** -1, np.array([3]), match='negative integer powers')


def test_float_result_binary_ops_promote_ints():
    parity(lambda m, a, b: (m.atan2(a, b), m.xlogy(a, b), m.copysign(a, b)), I64, NZ)
    for name in ('hypot', 'logaddexp', 'logaddexp2'):
        raises_like(lambda m, a, b: getattr(m, name)(a, b), I64, NZ, match='not implemented')
    raises_like(lambda m, a: m.atan2(a, 2.0), rand(3), match='must be Tensor')
    raises_like(lambda m, a: m.maximum(a, 2.0), rand(3), match='must be Tensor')


def test_xlogy_edges():
    parity(lambda m, a, b: m.xlogy(a, b), np.array([0.0, 0.0, 1.0, 2.0, 0.0]),
           np.array([0.0, np.nan, 0.0, 3.0, 2.0]))
    parity(lambda m, a: (m.xlogy(a, 3.0), m.xlogy(2.0, a)), rand(4, low=0.1, high=2))


def test_lerp_addc_errors():
    raises_like(lambda m, a, b: m.lerp(a, b, 0.5), rand(2, dtype='float32'), rand(2), match='dtype')
    raises_like(lambda m, a: m.addcdiv(a, a, a), np.array([1, 2]), match='Integer division')
    parity(lambda m, a, b, c: m.addcmul(a, b, c, value=2), I64, NZ, I64)


# ---------------------------------------------------------------- comparisons & logical
CMP = ['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'greater', 'greater_equal', 'less', 'less_equal',
       'not_equal']


@pytest.mark.parametrize('name', CMP)
def test_comparisons(name):
    f = lambda m, a, b: getattr(m, name)(a, b)    # noqa: E731
    a = np.array([[1.0, 2.0, np.nan], [0.0, -1.0, 3.0]])
    parity(f, a, np.array([1.0, 3.0, np.nan]))
    parity(lambda m, x: getattr(x.t(), name)(1.0), a)
    parity(lambda m, x: getattr(m, name)(x, 1.5), np.array([1, 2]))         # compare in float
    parity(lambda m, x: getattr(m, name)(x, 257), np.array([1, 2], dtype='uint8'))
    parity(f, np.array([True, False]), np.array([False, False]))
    parity(f, rand(0, 2), rand(2))
    parity(f, rand(), rand(3))


def test_comparison_operators_scalars_both_sides():
    x = rand(2, 3)
    parity(lambda m, a: (a == 1.0, a != 0, a < 0.5, a <= 0, a > 0, a >= -0.5), x)
    parity(lambda m, a: (0.5 < a, 0 >= a, 1 == a, 0 != a), x)
    parity(lambda m, a, b: (a == b, a < b, a >= b), x, rand(3))
    e = ember.tensor([1.0])
    assert (e == None) is False and (e != 'a') is True          # noqa: E711
    raises_like(lambda m, a: a < None, rand(2))
    assert hash(e) == hash(e) and {e: 1}[e] == 1                 # still hashable
    raises_like(lambda m, a, b: a == b, rand(2), rand(3), match='must match the size')


@pytest.mark.parametrize('name', ['logical_and', 'logical_or', 'logical_xor'])
def test_logical(name):
    f = lambda m, a, b: getattr(m, name)(a, b)    # noqa: E731
    parity(f, np.array([[1.0, 0.0, 2.0]]), np.array([[3], [0]]))
    parity(f, np.array([True, False, True]), np.array([True, True, False]))
    parity(lambda m, a, b: getattr(a * 1, name + '_')(b), np.array([1.0, 0.0]), np.array([0, 2]),
           grad=False)
    raises_like(lambda m, a: getattr(m, name)(a, 1.0), rand(2), match='must be Tensor')
    parity(lambda m, a: (m.logical_not(a), a.logical_not()), np.array([0.0, 1.5, -1.0]))


# ---------------------------------------------------------------- bitwise
@pytest.mark.parametrize('name,op', [('bitwise_and', '&'), ('bitwise_or', '|'),
                                     ('bitwise_xor', '^')])
def test_bitwise(name, op):
    f = eval(f'lambda m, a, b: (m.{name}(a, b), a {op} b, a {op} 3, 6 {op} a)')
    parity(f, I64, NZ)
    parity(f, I64.astype('uint8'), NZ.astype('int8'))
    g = eval(f'lambda m, a, b: (a {op} b, a {op} True)')
    parity(g, np.array([True, False, True]), np.array([True, True, False]))
    raises_like(lambda m, a: getattr(m, name)(a, 1), rand(2), match='not implemented')
    raises_like(eval(f'lambda m, a: a {op} 1'), rand(2))


def test_shifts_invert():
    a = np.array([5, -5, 1, 200, -1], dtype='int64')
    s = np.array([1, 2, 64, 70, -1], dtype='int64')
    parity(lambda m, x, y: (x << y, x >> y, m.bitwise_left_shift(x, 3),
                            m.bitwise_right_shift(x, 1), 1 << y.abs() % 8, x << 2), a, s)
    parity(lambda m, x: (x << 1, x >> 1), np.array([200, 7], dtype='uint8'))
    parity(lambda m, x: x << 1, np.array([True, False]))
    parity(lambda m, x: (~x, m.bitwise_not(x)), I64)
    parity(lambda m, x: ~x, np.array([True, False]))
    raises_like(lambda m, x: ~x, rand(2), match='only implemented on integer')
    raises_like(lambda m, x: x << 1, rand(2), match='not implemented')


def test_inplace_operator_variants():
    def f(m, a, b):
        a = a.clone() if hasattr(a, 'clone') else a
        a &= b
        a |= 8
        a ^= b
        a <<= 1
        a >>= 1
        a //= 2
        a %= 3
        return a
    parity(f, I64 * 1, NZ)

    def g(m, a):
        a = a * 1
        a //= 0.5
        a %= 0.7
        return a
    parity(g, rand(3, low=0.5, high=2), grad=False)


# ---------------------------------------------------------------- classification & closeness
def test_classification():
    x = np.array([0.0, -0.0, 1.0, np.inf, -np.inf, np.nan])
    for name in ('isnan', 'isinf', 'isposinf', 'isneginf', 'isfinite', 'signbit', 'isreal'):
        parity(lambda m, a: (getattr(m, name)(a), getattr(a, name)()), x)
        parity(lambda m, a: getattr(m, name)(a), np.array([-1, 0, 2]))
        parity(lambda m, a: getattr(m, name)(a), np.array([True, False]))
        parity(lambda m, a: getattr(m, name)(a), x.astype('float16'))


def test_nan_to_num():
    x = np.array([0.0, np.nan, np.inf, -np.inf, 1.5])
    parity(lambda m, a: m.nan_to_num(a), x)
    parity(lambda m, a: m.nan_to_num(a, nan=1.0, posinf=2.0, neginf=-3.0), x)
    parity(lambda m, a: a.nan_to_num(posinf=10.0), x.astype('float32'))
    parity(lambda m, a: m.nan_to_num(a), x.astype('float16'))
    parity(lambda m, a: m.nan_to_num(a), np.array([1, 2]))
    parity(lambda m, a: (a * 1).nan_to_num_(), x)


def test_isclose_allclose_equal():
    a = np.array([1.0, 1.0 + 1e-9, np.nan, np.inf, -np.inf, 0.0, 1.0])
    b = np.array([1.0, 1.0, np.nan, np.inf, np.inf, 1e-9, 1.1])
    parity(lambda m, x, y: (m.isclose(x, y), m.isclose(x, y, equal_nan=True),
                            m.isclose(x, y, rtol=0.2), x.isclose(y, atol=1e-6)), a, b)
    parity(lambda m, x, y: m.isclose(x, y), np.array([1, 2, 3]), np.array([1, 3, 3]))
    parity(lambda m, x, y: m.isclose(x, y), np.array([True]), np.array([True]))
    raises_like(lambda m, x, y: m.isclose(x, y), np.array([1, 2]), np.array([1.0, 2.0]),
                match='did not match')
    parity(lambda m, x, y: (m.allclose(x, y), m.allclose(x, y, rtol=0.2, equal_nan=True)), a, b)
    parity(lambda m, x, y: (m.equal(x, y), m.equal(x, x), x.equal(y)), a[:2], b[:2])
    parity(lambda m, x, y: m.equal(x, y), np.array([1, 2]), np.array([1.0, 2.0]))
    parity(lambda m, x, y: m.equal(x, y), np.array([1, 2]), np.array([1]))


# ---------------------------------------------------------------- type promotion
PROMOTION = [
    (lambda m, a: a + 2.5, [np.array([1, 2])]),                                   # -> float32
    (lambda m, a, b: a + b, [np.array([1], dtype='uint8'), np.array([1], dtype='int8')]),
    (lambda m, a: a + 1.0, [np.array([1.0], dtype='float16')]),                   # stays half
    (lambda m, a, b: (a + b, a * b, a | b), [np.array([True]), np.array([False])]),
    (lambda m, a, b: a + b, [np.array([1, 2]), np.array(1.5)]),                   # 0-dim f64
    (lambda m, a, b: a * b, [np.array([1.0], dtype='float32'), np.array(2.0)]),   # stays f32
    (lambda m, a, b: a - b, [np.array([1], dtype='int32'), np.array([2], dtype='int64')]),
    (lambda m, a: (a / 2, a * 2, a - 1, a + True), [np.array([1, 2], dtype='int16')]),
    (lambda m, a: (a + 1j, a * 2), [np.array([1.0, 2.0], dtype='float32')]),
    (lambda m, a: a + 300, [np.array([1, 2], dtype='uint8')]),                    # wraps
    (lambda m, a, b: (a / b, a * b, a + b, a & b), [np.array([True]), np.array([True])]),
    (lambda m, a, b: m.where(a > 0, a, b), [np.array([1, -2]), np.array([1.5, 2.5], dtype='float32')]),
]


@pytest.mark.parametrize('case', range(len(PROMOTION)))
def test_type_promotion(case):
    f, inputs = PROMOTION[case]
    parity(f, *inputs)


def test_errors():
    raises_like(lambda m, a, b: a + b, rand(2, 3), rand(3, 2), match='must match the size')
    raises_like(lambda m, a, b: m.maximum(a, b), rand(2), rand(3), match='must match the size')
    raises_like(lambda m, a: -a, np.array([True]), match='Negation')
    raises_like(lambda m, a, b: a - b, np.array([True]), np.array([False]), match='Subtraction')
    raises_like(lambda m, a: a - True, np.array([1, 2]), match='Subtraction')
    raises_like(lambda m, a: a - 1, np.array([True]), match='Subtraction')
    raises_like(lambda m, a: a.add_(1.5), np.array([1, 2]), match="can't be cast")
    raises_like(lambda m, a: m.div(a, 2, rounding_mode='round'), rand(2), match='rounding_mode')


# ---------------------------------------------------------------- in-place variants
INPLACE = {
    'fmod_': (2.0,), 'remainder_': (1.5,), 'atan2_': ('t',), 'hypot_': ('t',),
    'xlogy_': ('t',), 'copysign_': ('t',), 'lerp_': ('t', 0.25), 'addcmul_': ('t', 't'),
    'addcdiv_': ('t', 't'), 'clamp_': (-0.5, 0.5), 'clip_': (-0.5, 0.5), 'clamp_min_': (0.0,),
    'clamp_max_': ('t',), 'add_': ('t',), 'mul_': (2,), 'sub_': ('t',), 'div_': ('t',),
    'pow_': (2,), 'floor_divide_': (0.5,), 'eq_': ('t',), 'lt_': (0.0,),
}


@pytest.mark.parametrize('method', sorted(INPLACE))
def test_inplace(method):
    spec = INPLACE[method]

    def f(m, a, b):
        args = [b if s == 't' else s for s in spec]
        return getattr(a * 1, method)(*args)
    grad = method not in ('floor_divide_', 'eq_', 'lt_')
    parity(f, rand(2, 3), rand(2, 3, low=0.5, high=2), grad=grad)
    parity(lambda m, a, b: (lambda c: (f(m, c.t(), b.t()), c)[1])(a * 1),
           rand(2, 3), rand(2, 3, low=0.5, high=2), grad=grad)
    raises_like(lambda m, a, b: getattr(a.requires_grad_(), method)(
        *[b if s == 't' else s for s in spec]), rand(2, 3), rand(2, 3), match='leaf Variable')


def test_inplace_broadcast_into_self_shape_error():
    raises_like(lambda m, a, b: a.add_(b), rand(3), rand(2, 3), match="doesn't match the broadcast")


def test_out_argument():
    for name in ('atan2', 'maximum', 'eq', 'logical_and', 'fmod'):
        a, b = ember.tensor([1.0, -2.0]), ember.tensor([0.5, 3.0])
        res = getattr(ember, name)(a, b)
        out = ember.empty(2, dtype=res.dtype)
        assert getattr(ember, name)(a, b, out=out) is out
        assert out.tolist() == res.tolist()


# ---------------------------------------------------------------- gradcheck
GC = ['mul', 'div', 'pow', 'atan2', 'fmod', 'remainder', 'maximum', 'fmax', 'hypot', 'logaddexp',
      'logaddexp2', 'xlogy', 'copysign', 'lerp', 'lerp_t', 'addcmul', 'addcdiv', 'where', 'clamp_t']


@pytest.mark.parametrize('name', GC)
def test_gradcheck(name):
    a = ember.tensor(np.array([[0.3, -1.2, 0.8], [1.7, -0.4, 0.6]]), requires_grad=True)
    b = ember.tensor(np.array([[1.1, 0.7, -1.3], [0.9, 1.4, -0.5]]), requires_grad=True)
    f = lambda x, y: BINARY[name](ember, x, y)    # noqa: E731
    assert ember.autograd.gradcheck(f, (a, b))
    assert ember.autograd.gradgradcheck(f, (a, b))
