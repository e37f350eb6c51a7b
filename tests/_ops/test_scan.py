"""Parity with torch for cumsum, cumprod (gradients exact with zeros), cummax/cummin,
logcumsumexp."""
import numpy as np
import pytest

import ember
from helpers import parity, rand, raises_like


@pytest.mark.parametrize('name', ['cumsum', 'cumprod'])
@pytest.mark.parametrize('dim', [0, 1, -1, -3])
def test_cumsum_cumprod(name, dim):
    x = rand(3, 4, 2)
    e, t = parity(lambda lib, x: getattr(lib, name)(x, dim), x)
    assert type(e.grad_fn).__name__ == type(t.grad_fn).__name__
    parity(lambda lib, x: getattr(x.permute(2, 0, 1), name)(dim), x)
    parity(lambda lib, x: getattr(x, name)(dim=dim, dtype=lib.float32), x)


@pytest.mark.parametrize('name', ['cumsum', 'cumprod'])
def test_scan_dtypes_and_edges(name):
    for dt in ['int64', 'int32', 'uint8', 'bool', 'float32']:
        parity(lambda lib, x: getattr(lib, name)(x, 1), rand(3, 4, dtype=dt))
        parity(lambda lib, x: getattr(lib, name)(x, 0, dtype=lib.float64), rand(3, 4, dtype=dt))
    parity(lambda lib, x: getattr(lib, name)(x, 0), rand())
    parity(lambda lib, x: getattr(lib, name)(x, -1), rand())
    parity(lambda lib, x: getattr(lib, name)(x, 0), np.zeros((0, 3)))
    parity(lambda lib, x: getattr(lib, name)(x, 1), np.zeros((0, 3)))
    raises_like(lambda lib, x: getattr(lib, name)(x, 2), rand(3, 4), match='out of range')


@pytest.mark.parametrize('values', [
    [[1.0, 0.0, 3.0, 2.0, 0.5]],
    [[0.0, 2.0, 3.0, 0.0, 1.5], [2.0, 0.0, 0.0, 4.0, 1.0]],
    [[1.5, 2.0, 0.5, 3.0, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0]],
])
def test_cumprod_zeros_grad(values):
    x = np.array(values)
    parity(lambda lib, x: lib.cumprod(x, 1), x)
    parity(lambda lib, x: lib.cumprod(x.t(), 0), x)
    xe = ember.tensor(x, requires_grad=True)
    assert ember.autograd.gradcheck(lambda x: ember.cumprod(x, 1), (xe,))
    assert ember.autograd.gradgradcheck(lambda x: ember.cumprod(x, 1), (xe,))
    assert ember.autograd.gradgradcheck(lambda x: ember.prod(x, 1), (xe,))
    assert ember.autograd.gradgradcheck(lambda x: ember.prod(x), (xe,))


def test_inplace_scans():
    parity(lambda lib, x: (x * 1).cumsum_(1), rand(3, 4))
    parity(lambda lib, x: (x * 1).cumprod_(0), rand(3, 4))


@pytest.mark.parametrize('name', ['cummax', 'cummin'])
@pytest.mark.parametrize('dim', [0, -1])
def test_cummax_cummin(name, dim):
    for x in [rand(4, 5), np.random.default_rng(0).integers(-2, 3, (4, 5)).astype('float64')]:
        e, t = parity(lambda lib, x: getattr(lib, name)(x, dim), x)
        assert type(e).__name__ == name and e.values is e[0]
        assert type(e.values.grad_fn).__name__ == type(t.values.grad_fn).__name__
        parity(lambda lib, x: getattr(x.t(), name)(dim), x)
    parity(lambda lib, x: getattr(lib, name)(x, 0), np.array([1.0, np.nan, 0.0, np.nan, 5.0]))
    for dt in ['int64', 'bool', 'uint8']:
        parity(lambda lib, x: getattr(lib, name)(x, 1), rand(3, 4, dtype=dt))
    parity(lambda lib, x: getattr(lib, name)(x, 0), rand())
    parity(lambda lib, x: getattr(lib, name)(x, 0), np.zeros((0, 3)))


def test_logcumsumexp():
    parity(lambda lib, x: lib.logcumsumexp(x, 1), rand(3, 4))
    parity(lambda lib, x: x.logcumsumexp(0), np.array([[1000.0, -1000.0], [1000.0, 0.0]]))


@pytest.mark.parametrize('fn', [lambda x: ember.cumsum(x, 1), lambda x: ember.cumprod(x, 0),
                                lambda x: ember.cummax(x, 1)[0], lambda x: ember.cummin(x, 0)[0],
                                lambda x: ember.logcumsumexp(x, 1)])
def test_gradcheck(fn):
    x = ember.tensor(rand(3, 4), requires_grad=True)
    assert ember.autograd.gradcheck(fn, (x,))
    assert ember.autograd.gradgradcheck(fn, (x,))
