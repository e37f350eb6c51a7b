"""Parity with torch for max/min, amax/amin, aminmax, argmax/argmin, median, nanmedian,
kthvalue, mode: values, indices, return types, tie gradients, empty/0-dim inputs, errors."""
import numpy as np
import pytest
import torch

import ember
from helpers import parity, rand, raises_like


def _distinct(*shape):
    """Random values without ties (index results are then implementation-independent)."""
    n = int(np.prod(shape))
    return (np.random.default_rng(3).permutation(n).reshape(shape) - n / 2) / 3.0


def _ties(*shape):
    return np.random.default_rng(4).integers(-2, 3, size=shape).astype('float64')


@pytest.mark.parametrize('name', ['max', 'min'])
def test_max_min_all(name):
    for x in [_distinct(3, 4), _ties(3, 4), rand(), _ties(5)]:
        e, t = parity(lambda lib, x: getattr(lib, name)(x), x)
        assert type(e.grad_fn).__name__ == type(t.grad_fn).__name__
        parity(lambda lib, x: getattr(x.t() if x.ndim == 2 else x, name)(), x)


@pytest.mark.parametrize('name', ['max', 'min'])
@pytest.mark.parametrize('dim', [0, 1, -1, -3])
@pytest.mark.parametrize('keepdim', [False, True])
def test_max_min_dim(name, dim, keepdim):
    x = _distinct(3, 4, 2)
    e, t = parity(lambda lib, x: getattr(lib, name)(x, dim, keepdim), x)
    assert type(e).__name__ == type(t).__name__ == name
    assert e.values is e[0] and e.indices is e[1]
    assert type(e.values.grad_fn).__name__ == type(t.values.grad_fn).__name__
    parity(lambda lib, x: getattr(x.permute(2, 0, 1), name)(dim=dim, keepdim=keepdim), x)
    # ties: torch picks the first occurrence
    parity(lambda lib, x: getattr(lib, name)(x, dim, keepdim), _ties(3, 4, 2))


def test_max_min_edges():
    parity(lambda lib, x: lib.max(x, 0), rand())
    parity(lambda lib, x: lib.min(x, -1, keepdim=True), rand())
    parity(lambda lib, x: lib.max(x, 1), np.zeros((0, 3)))
    raises_like(lambda lib, x: lib.max(x), np.zeros((0, 3)), match='Expected reduction dim')
    raises_like(lambda lib, x: lib.min(x, 0), np.zeros((0, 3)), match='non-zero size')
    raises_like(lambda lib, x: lib.max(x, 2), rand(2, 3), match='out of range')
    nan = np.array([[1.0, np.nan, 2.0], [3.0, 0.0, -1.0]])
    parity(lambda lib, x: lib.max(x), nan, grad=False)
    parity(lambda lib, x: lib.min(x, 1), nan)
    for dt in ['int64', 'bool', 'uint8']:
        parity(lambda lib, x: lib.max(x), rand(3, 4, dtype=dt))
        parity(lambda lib, x: lib.min(x, 0), rand(3, 4, dtype=dt))


def test_max_binary():
    if not hasattr(ember, 'maximum'):
        pytest.skip('ember.maximum not available yet')
    parity(lambda lib, a, b: lib.max(a, b), _distinct(3, 4), _distinct(4) + 0.1)
    parity(lambda lib, a, b: lib.min(a, b), _distinct(3, 4), _distinct(4) + 0.1)


@pytest.mark.parametrize('name', ['amax', 'amin'])
@pytest.mark.parametrize('dim', [(), 0, -1, (0, 2), [1, -1]])
@pytest.mark.parametrize('keepdim', [False, True])
def test_amax_amin(name, dim, keepdim):
    x = _ties(3, 4, 2)     # ties share the gradient evenly
    e, t = parity(lambda lib, x: getattr(lib, name)(x, dim, keepdim), x)
    assert type(e.grad_fn).__name__ == type(t.grad_fn).__name__
    parity(lambda lib, x: getattr(x.transpose(0, 2), name)(dim, keepdim), x)


def test_amax_edges():
    parity(lambda lib, x: lib.amax(x), rand())
    parity(lambda lib, x: lib.amin(x, 1), np.zeros((0, 3)))
    raises_like(lambda lib, x: lib.amax(x), np.zeros((0, 3)), match='Expected reduction dim')
    raises_like(lambda lib, x: lib.amax(x, 0), np.zeros((0, 3)), match='non-zero size')
    parity(lambda lib, x: lib.amax(x, 0), rand(3, 4, dtype='int64'))
    parity(lambda lib, x: lib.amin(x, 1), np.array([[1.0, np.nan, 2.0], [1.0, 0.0, 0.0]]))


@pytest.mark.parametrize('dim', [None, 0, -1])
@pytest.mark.parametrize('keepdim', [False, True])
def test_aminmax(dim, keepdim):
    x = _ties(3, 4)
    e, t = parity(lambda lib, x: lib.aminmax(x, dim=dim, keepdim=keepdim), x)
    assert type(e).__name__ == 'aminmax' and e.min is e[0] and e.max is e[1]
    assert type(e.min.grad_fn).__name__ == type(t.min.grad_fn).__name__
    parity(lambda lib, x: x.t().aminmax(dim=dim, keepdim=keepdim), x)
    raises_like(lambda lib, x: lib.aminmax(x), np.zeros((0, 3)))


@pytest.mark.parametrize('name', ['argmax', 'argmin'])
@pytest.mark.parametrize('dim', [None, 0, -1])
@pytest.mark.parametrize('keepdim', [False, True])
def test_argmax_argmin(name, dim, keepdim):
    for x in [_ties(3, 4), _distinct(2, 3), rand(3, 4, dtype='int64'), rand(3, 4, dtype='uint8'),
              np.array([[1.0, np.nan, 2.0, np.nan]])]:
        parity(lambda lib, x: getattr(lib, name)(x, dim, keepdim), x)
        parity(lambda lib, x: getattr(x.t(), name)(dim=dim, keepdim=keepdim), x)
    raises_like(lambda lib, x: getattr(lib, name)(x, dim), rand(3, 4, dtype='bool'), match='bool')


def test_argmax_edges():
    parity(lambda lib, x: lib.argmax(x), rand())
    parity(lambda lib, x: lib.argmin(x, 0), rand())
    parity(lambda lib, x: lib.argmax(x, 1), np.zeros((0, 3)))
    raises_like(lambda lib, x: lib.argmax(x), np.zeros((0, 3)), match='numel() == 0')
    raises_like(lambda lib, x: lib.argmin(x, 0), np.zeros((0, 3)), match='non-zero size')


# ---------------------------------------------------------------------------- median & co.

@pytest.mark.parametrize('name', ['median', 'nanmedian'])
def test_median_all(name):
    for x in [_distinct(3, 4), _distinct(5), _ties(7), rand(), np.zeros((0, 3)),
              np.array([1.0, np.nan, 3.0, 2.0]), np.array([np.nan, np.nan])]:
        e, t = parity(lambda lib, x: getattr(lib, name)(x), x)
        if x.size:
            assert type(e.grad_fn).__name__ == type(t.grad_fn).__name__
    parity(lambda lib, x: getattr(lib, name)(x), rand(3, 4, dtype='int64'))
    raises_like(lambda lib, x: getattr(lib, name)(x), rand(3, dtype='bool'))


@pytest.mark.parametrize('name', ['median', 'nanmedian'])
@pytest.mark.parametrize('dim', [0, -1, 1])
@pytest.mark.parametrize('keepdim', [False, True])
def test_median_dim(name, dim, keepdim):
    x = _distinct(4, 5, 2)
    e, t = parity(lambda lib, x: getattr(lib, name)(x, dim, keepdim), x)
    assert type(e).__name__ == name
    assert type(e.values.grad_fn).__name__ == type(t.values.grad_fn).__name__
    parity(lambda lib, x: getattr(x.transpose(0, 1), name)(dim, keepdim=keepdim), x)


def test_median_nan_and_edges():
    x = np.array([[1.0, np.nan, 0.0, 5.0], [2.0, 3.0, 1.0, 4.0], [np.nan, np.nan, np.nan, np.nan],
                  [np.nan, 2.0, 1.0, np.nan]])
    parity(lambda lib, x: lib.median(x, 1), x)
    parity(lambda lib, x: lib.nanmedian(x, 1), x[[0, 1, 3]])   # all-NaN rows: index unspecified
    parity(lambda lib, x: lib.nanmedian(x, 1).values, x, grad=False)
    parity(lambda lib, x: lib.median(x, 0), rand())
    parity(lambda lib, x: lib.median(x, 1), np.zeros((0, 3)))
    raises_like(lambda lib, x: lib.median(x, 0), np.zeros((0, 3)), match='non-zero size')


@pytest.mark.parametrize('k', [1, 3, 5])
@pytest.mark.parametrize('dim', [-1, 0])
def test_kthvalue(k, dim):
    x = _distinct(5, 5)
    e, t = parity(lambda lib, x: lib.kthvalue(x, k, dim), x)
    assert type(e).__name__ == 'kthvalue'
    parity(lambda lib, x: x.t().kthvalue(k, dim=dim, keepdim=True), x)
    raises_like(lambda lib, x: lib.kthvalue(x, 6, dim), x, match='out of range')
    raises_like(lambda lib, x: lib.kthvalue(x, 0, dim), x, match='out of range')


def test_kthvalue_edges():
    parity(lambda lib, x: lib.kthvalue(x, 1), rand())
    parity(lambda lib, x: lib.kthvalue(x, 2, 1), (_distinct(3, 4) * 3).astype('int64'))
    raises_like(lambda lib, x: lib.kthvalue(x, 1, 0), np.zeros((0, 3)))


@pytest.mark.parametrize('dim', [-1, 0])
@pytest.mark.parametrize('keepdim', [False, True])
def test_mode(dim, keepdim):
    x = np.array([[1., 2, 2, 5, 5, 3, 3, 3, 1], [2, 2, 1, 1, 0, 0, 7, 7, 7], [4, 4, 4, 4, 4, 4, 4, 4, 4],
                  [9, 8, 7, 6, 5, 4, 3, 2, 1]])
    e, t = parity(lambda lib, x: lib.mode(x, dim, keepdim), x)
    assert type(e).__name__ == 'mode'
    assert type(e.values.grad_fn).__name__ == type(t.values.grad_fn).__name__
    parity(lambda lib, x: x.t().mode(dim, keepdim), x)
    parity(lambda lib, x: lib.mode(x, dim), x.astype('int64'))
    parity(lambda lib, x: lib.mode(x), rand())
    parity(lambda lib, x: lib.mode(x, 1), np.zeros((0, 3)))


def test_return_type_repr_and_unpack():
    x = [[3.0, 1.0], [0.0, 5.0]]
    e, t = ember.max(ember.tensor(x), 1), torch.max(torch.tensor(x), 1)
    assert repr(e) == repr(t)
    v, i = e
    assert isinstance(e, tuple) and v is e.values and i is e.indices


@pytest.mark.parametrize('fn', [
    lambda lib, x: lib.max(x),
    lambda lib, x: lib.max(x, 1)[0],
    lambda lib, x: lib.amin(x, (0, 1)),
    lambda lib, x: lib.aminmax(x, dim=0)[1],
    lambda lib, x: lib.median(x, 0)[0],
    lambda lib, x: lib.kthvalue(x, 2, 1)[0],
    lambda lib, x: lib.median(x),
])
def test_gradcheck(fn):
    x = ember.tensor(_distinct(3, 4), requires_grad=True)
    assert ember.autograd.gradcheck(lambda x: fn(ember, x), (x,))
    assert ember.autograd.gradgradcheck(lambda x: fn(ember, x), (x,))
