"""Parity with torch for one-input pointwise ops (ember/_ops/pointwise.py)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(__file__)))
import numpy as np
import pytest
import torch

import ember
from helpers import parity, rand, raises_like

# name -> (low, high) of a domain where the op and its gradient are finite
UNARY = {
    'abs': (-2, 2), 'sqrt': (0.1, 3), 'rsqrt': (0.1, 3), 'log10': (0.1, 3), 'log2': (0.1, 3),
    'log1p': (-0.9, 3), 'expm1': (-2, 2), 'exp2': (-2, 2), 'sin': (-3, 3), 'cos': (-3, 3),
    'tan': (-1.2, 1.2), 'asin': (-0.9, 0.9), 'arcsin': (-0.9, 0.9), 'acos': (-0.9, 0.9),
    'arccos': (-0.9, 0.9), 'atan': (-3, 3), 'arctan': (-3, 3), 'sinh': (-2, 2),
    'cosh': (-2, 2), 'tanh': (-2, 2), 'asinh': (-3, 3), 'arcsinh': (-3, 3),
    'acosh': (1.1, 4), 'arccosh': (1.1, 4), 'atanh': (-0.9, 0.9), 'arctanh': (-0.9, 0.9),
    'sigmoid': (-5, 5), 'floor': (-3, 3), 'ceil': (-3, 3), 'round': (-3, 3),
    'trunc': (-3, 3), 'fix': (-3, 3), 'frac': (-3, 3), 'sign': (-2, 2), 'sgn': (-2, 2),
    'reciprocal': (0.2, 3), 'square': (-2, 2), 'erf': (-2, 2), 'erfc': (-2, 2),
    'erfinv': (-0.9, 0.9), 'lgamma': (0.2, 4), 'digamma': (0.2, 4), 'logit': (0.1, 0.9),
    'sinc': (-2, 2), 'deg2rad': (-200, 200), 'rad2deg': (-3, 3), 'angle': (-2, 2),
    'absolute': (-2, 2), 'neg': (-2, 2), 'exp': (-2, 2), 'log': (0.1, 3),
    'conj_physical': (-2, 2), 'nan_to_num': (-2, 2),
}
NAMES = sorted(UNARY)
NO_INT = {'frac'}                                   # torch: not implemented for integers
ZERO_TENSOR_GRAD = {'sgn'}  # torch returns a ZeroTensor gradient (not convertible to NumPy)
NO_BOOL = {'abs', 'absolute', 'floor', 'ceil', 'round', 'trunc', 'fix', 'frac', 'neg'}


def _fn(name):
    return lambda m, x: getattr(m, name)(x)


@pytest.mark.parametrize('name', NAMES)
def test_unary_float64_values_and_grads(name):
    lo, hi = UNARY[name]
    parity(_fn(name), rand(3, 4, low=lo, high=hi), grad=name not in ZERO_TENSOR_GRAD)


@pytest.mark.parametrize('name', NAMES)
def test_unary_method_noncontiguous_float32(name):
    lo, hi = UNARY[name]
    parity(lambda m, x: getattr(x.t(), name)(), rand(4, 3, dtype='float32', low=lo, high=hi),
           atol=1e-4, rtol=1e-4, grad=name not in ZERO_TENSOR_GRAD)


@pytest.mark.parametrize('name', NAMES)
def test_unary_zero_dim_and_empty(name):
    lo, hi = UNARY[name]
    grad = name not in ZERO_TENSOR_GRAD
    parity(_fn(name), rand(low=lo, high=hi), grad=grad)
    parity(_fn(name), rand(0, 3, low=lo, high=hi), grad=grad)


@pytest.mark.parametrize('name', NAMES)
def test_unary_int_and_bool_inputs(name):
    ints = np.array([[1, 2, 3], [0, 1, 2]], dtype='int64') if UNARY[name][0] >= 0 else \
        np.array([[-2, 0, 3], [1, -1, 2]], dtype='int64')
    if name in ('logit', 'erfinv', 'atanh', 'arctanh', 'asin', 'arcsin', 'acos', 'arccos'):
        ints = np.array([0, 1], dtype='int64')
    if name in NO_INT:
        raises_like(_fn(name), ints, match='not implemented')
    else:
        parity(_fn(name), ints)
    b = np.array([True, False, True])
    if name in NO_BOOL:
        raises_like(_fn(name), b)
    else:
        parity(_fn(name), b)
    parity(_fn(name), np.array([3, 7], dtype='uint8')) if name not in NO_INT | {'neg'} else None


@pytest.mark.parametrize('name', ['sin', 'sqrt', 'exp', 'sigmoid', 'floor', 'abs', 'erf', 'tanh'])
def test_unary_float16(name):
    lo, hi = UNARY[name]
    parity(_fn(name), rand(5, dtype='float16', low=lo, high=hi), grad=False, atol=2e-3, rtol=2e-3)


@pytest.mark.parametrize('name', ['sin', 'exp', 'sigmoid', 'tanh', 'sqrt', 'abs', 'reciprocal',
                                  'log', 'sgn', 'angle', 'conj_physical', 'rsqrt', 'asinh'])
def test_unary_complex(name):
    x = rand(4, dtype='complex128', low=0.2, high=2)
    parity(_fn(name), x)


INPLACE = [n for n in NAMES if hasattr(torch.Tensor, n + '_')]


@pytest.mark.parametrize('name', INPLACE)
def test_unary_inplace(name):
    method = name + '_'
    lo, hi = UNARY[name]
    x = rand(2, 3, low=lo, high=hi)
    # torch has no derivative for the in-place inverse hyperbolics
    no_inplace_grad = name in ('asinh', 'acosh', 'atanh', 'arcsinh', 'arccosh', 'arctanh')
    grad = name not in ZERO_TENSOR_GRAD and not no_inplace_grad
    parity(lambda m, a: getattr(a * 1, method)(), x, grad=grad)
    # a view written in place: the base sees it and gets the right gradient
    if not no_inplace_grad:
        parity(lambda m, a: (lambda b: (getattr(b.t(), method)(), b)[1])(a * 1), x, grad=grad)
    raises_like(lambda m, a: getattr(a.requires_grad_(), method)(), x, match='leaf Variable')


def test_inplace_int_to_float_raises():
    raises_like(lambda m, a: a.sin_(), np.array([1, 2]), match="can't be cast")


@pytest.mark.parametrize('name', ['abs', 'sqrt', 'sign', 'floor', 'sigmoid', 'logit', 'sinc',
                                  'nan_to_num', 'angle', 'digamma', 'lgamma', 'erfinv'])
def test_edge_values(name):
    x = np.array([0.0, -0.0, 1.0, -1.0, 2.5, -2.5, 0.5, np.inf, -np.inf, np.nan])
    # digamma/lgamma: gradients at the poles differ (inf vs a huge finite number)
    parity(_fn(name), x, atol=1e-6, grad=name not in ('digamma', 'lgamma'))


def test_abs_grad_at_zero_is_zero():
    x = ember.tensor([0.0, -1.0, 2.0], requires_grad=True)
    x.abs().sum().backward()
    assert x.grad.tolist() == [0.0, -1.0, 1.0]


def test_round_decimals():
    x = np.array([1234.5678, 0.125, 2.5, -3.14159, 0.0555])
    for d in (0, 1, 2, 3, -1, -2):
        parity(lambda m, a: m.round(a, decimals=d), x)
        parity(lambda m, a: a.round(decimals=d), x.astype('float32'))
    raises_like(lambda m, a: m.round(a, decimals=1), np.array([15]))


def test_logit_eps_and_polygamma():
    x = rand(6, low=-0.2, high=1.2)
    parity(lambda m, a: m.logit(a, eps=0.1), x)
    parity(lambda m, a: a.logit(0.2), x)
    y = rand(5, low=0.3, high=3)
    for n in (0, 1, 2, 3):
        parity(lambda m, a: m.polygamma(n, a), y, rtol=1e-4)
        parity(lambda m, a: a.polygamma(n), y, rtol=1e-4)


def test_grad_fn_names():
    x = ember.tensor([0.5, 0.2], dtype=ember.float64, requires_grad=True)
    tx = torch.tensor([0.5, 0.2], dtype=torch.float64, requires_grad=True)
    for name in [n for n in NAMES if n != 'conj_physical'] + ['polygamma']:
        if name == 'polygamma':
            e, t = ember.polygamma(1, x), torch.polygamma(1, tx)
        else:
            e, t = getattr(ember, name)(x), getattr(torch, name)(tx)
        assert e.grad_fn.name() == type(t.grad_fn).__name__, name
    assert ember.round(x, decimals=1).grad_fn.name() == 'RoundBackward1'


def test_conj_real_imag_positive():
    x = ember.tensor([1.0, -2.0])
    assert ember.conj(x) is x and ember.real(x) is x and ember.positive(x) is x
    assert +x is x and x.real is x
    raises_like(lambda m, a: m.imag(a), np.array([1.0]), match='imag')
    raises_like(lambda m, a: +a, np.array([True]))
    z = rand(3, dtype='complex128')
    parity(lambda m, a: (a.real * 2, a.imag * 3), z)
    parity(lambda m, a: (m.conj(a) * 2).resolve_conj(), z, grad=False)
    parity(lambda m, a: m.conj_physical(a) * 2, z)
    # real/imag are views: writes go through
    e = ember.tensor(z)
    e.real.mul_(0)
    e.imag.add_(1)
    assert e.tolist() == [v.imag * 1j + 1j for v in z]
    e.real = ember.tensor([1.0, 2.0, 3.0], dtype=ember.float64)
    assert [v.real for v in e.tolist()] == [1.0, 2.0, 3.0]


def test_errors_and_out():
    raises_like(lambda m, a: m.sqrt(a, out=m.empty(3, dtype=m.int64)), rand(3),
                match="can't be cast")
    e_out = ember.empty(2)
    r = ember.exp2(ember.tensor([1.0, 2.0]), out=e_out)
    assert r is e_out and e_out.tolist() == [2.0, 4.0]


def test_double_backward():
    for name in ('sin', 'tanh', 'sigmoid', 'sqrt', 'atan', 'erf', 'lgamma', 'log1p', 'asin'):
        def f(m, a, name=name):
            y = getattr(m, name)(a)
            g, = m.autograd.grad(y.sum(), a, create_graph=True)
            return g
        parity(f, rand(4, low=0.2, high=0.9))


@pytest.mark.parametrize('name', ['sin', 'cos', 'tan', 'sqrt', 'rsqrt', 'log10', 'log2', 'log1p',
                                  'expm1', 'exp2', 'asin', 'acos', 'atan', 'sinh', 'cosh', 'tanh',
                                  'asinh', 'acosh', 'atanh', 'sigmoid', 'reciprocal', 'erf',
                                  'erfc', 'erfinv', 'lgamma', 'digamma', 'logit', 'sinc',
                                  'deg2rad', 'rad2deg', 'abs', 'frac', 'square'])
def test_gradcheck(name):
    lo, hi = UNARY[name]
    lo, hi = max(lo, 0.15) if name in ('acosh',) else lo, hi
    x = ember.tensor(rand(5, low=lo + 0.05, high=hi - 0.05), requires_grad=True)
    if name in ('abs', 'frac', 'sinc'):
        x = ember.tensor(np.array([0.3, -0.7, 1.2, -1.6, 0.45]), requires_grad=True)
    f = getattr(ember, name)
    assert ember.autograd.gradcheck(f, (x,))
    assert ember.autograd.gradgradcheck(f, (x,))


@pytest.mark.parametrize('name', ['sin', 'exp', 'sqrt', 'sigmoid', 'abs', 'floor', 'erf',
                                  'lgamma', 'tanh', 'sign', 'round'])
def test_unary_bfloat16(name):
    lo, hi = UNARY[name]
    parity(lambda m, a: getattr(m, name)(a.to(m.bfloat16)), rand(5, dtype='float32', low=lo, high=hi),
           grad=False, atol=2e-2, rtol=2e-2)
