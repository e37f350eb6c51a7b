"""Parity with torch for sort, argsort, msort, topk, unique, unique_consecutive,
searchsorted, bucketize, histc."""
import numpy as np
import pytest
import torch

import ember
from helpers import parity, rand, raises_like


def _distinct(*shape):
    n = int(np.prod(shape))
    return (np.random.default_rng(3).permutation(n).reshape(shape) - n / 2) / 3.0


def _ties(*shape):
    return np.random.default_rng(4).integers(-2, 3, size=shape).astype('float64')


@pytest.mark.parametrize('dim', [0, 1, -1, -3])
@pytest.mark.parametrize('descending', [False, True])
def test_sort(dim, descending):
    x = _distinct(3, 4, 5)
    e, t = parity(lambda lib, x: lib.sort(x, dim, descending), x)
    assert type(e).__name__ == 'sort' and e.values is e[0]
    assert type(e.values.grad_fn).__name__ == 'SortBackward0'
    parity(lambda lib, x: x.permute(2, 0, 1).sort(dim=dim, descending=descending), x)
    # ties are stable with stable=True (ascending and descending)
    parity(lambda lib, x: lib.sort(x, dim=dim, descending=descending, stable=True), _ties(3, 4, 5))
    parity(lambda lib, x: lib.argsort(x, dim=dim, descending=descending, stable=True), _ties(3, 4, 5))
    parity(lambda lib, x: x.argsort(dim=dim, descending=descending), x)


def test_sort_edges():
    nan = np.array([[1.0, np.nan, 2.0, -np.inf, np.inf], [np.nan, 0.0, np.nan, 3.0, 1.0]])
    parity(lambda lib, x: lib.sort(x), nan)
    parity(lambda lib, x: lib.sort(x, descending=True), nan)
    parity(lambda lib, x: lib.sort(x), rand())
    parity(lambda lib, x: lib.sort(x, 0), np.zeros((0, 3)))
    parity(lambda lib, x: lib.argsort(x), rand())
    for dt in ['int64', 'bool', 'uint8', 'int32', 'float32']:
        parity(lambda lib, x: lib.sort(x, stable=True), rand(3, 6, dtype=dt))
        parity(lambda lib, x: lib.sort(x, dim=0, descending=True, stable=True), rand(3, 6, dtype=dt))
    raises_like(lambda lib, x: lib.sort(x, 2), rand(2, 3), match='out of range')


def test_msort():
    e, t = parity(lambda lib, x: lib.msort(x), _distinct(4, 3))
    assert type(e.grad_fn).__name__ == type(t.grad_fn).__name__
    parity(lambda lib, x: x.t().msort(), _distinct(4, 3))


@pytest.mark.parametrize('k', [0, 1, 3])
@pytest.mark.parametrize('dim', [0, -1])
@pytest.mark.parametrize('largest', [True, False])
def test_topk(k, dim, largest):
    x = _distinct(4, 5)
    e, t = parity(lambda lib, x: lib.topk(x, k, dim, largest), x)
    assert type(e).__name__ == 'topk'
    if k:
        assert type(e.values.grad_fn).__name__ == 'TopkBackward0'
    parity(lambda lib, x: x.t().topk(k, dim=dim, largest=largest, sorted=True), x)


def test_topk_edges():
    parity(lambda lib, x: lib.topk(x, 1), rand())
    parity(lambda lib, x: lib.topk(x, 2), np.array([1.0, np.nan, 0.0, 2.0]))
    parity(lambda lib, x: lib.topk(x, 2, largest=False), np.array([1.0, np.nan, 0.0, 2.0]))
    parity(lambda lib, x: lib.topk(x, 2), (_distinct(3, 4) * 3).astype('int64'))
    raises_like(lambda lib, x: lib.topk(x, 5), rand(4), match='out of range')


@pytest.mark.parametrize('inv', [False, True])
@pytest.mark.parametrize('counts', [False, True])
@pytest.mark.parametrize('dim', [None, 0, 1])
def test_unique(inv, counts, dim):
    x = np.random.default_rng(1).integers(0, 3, (6, 2)).astype('float64')
    parity(lambda lib, x: lib.unique(x, sorted=True, return_inverse=inv, return_counts=counts, dim=dim),
           x, grad=False)
    parity(lambda lib, x: x.unique(return_inverse=inv, return_counts=counts, dim=dim),
           x.astype('int64'), grad=False)
    parity(lambda lib, x: lib.unique_consecutive(x, return_inverse=inv, return_counts=counts, dim=dim),
           np.sort(x, axis=0), grad=False)
    parity(lambda lib, x: x.unique_consecutive(return_inverse=inv, return_counts=counts, dim=dim),
           x, grad=False)


def test_unique_edges():
    parity(lambda lib, x: lib.unique(x, return_inverse=True, return_counts=True), np.zeros(0), grad=False)
    parity(lambda lib, x: lib.unique(x), rand(5, dtype='bool'), grad=False)
    parity(lambda lib, x: lib.unique(x, return_inverse=True), rand(), grad=False)
    e = ember.unique(ember.tensor([3.0, 1.0, 3.0], requires_grad=True))
    assert type(e.grad_fn).__name__ == 'Unique2Backward0'


@pytest.mark.parametrize('right', [False, True])
@pytest.mark.parametrize('out_int32', [False, True])
def test_searchsorted(right, out_int32):
    seq = np.array([1.0, 2.0, 2.0, 3.0, 5.0])
    vals = np.array([[0.0, 2.0, 2.5], [5.0, 6.0, np.nan]])
    kw = dict(right=right, out_int32=out_int32)
    parity(lambda lib, s, v: lib.searchsorted(s, v, **kw), seq, vals, grad=False)
    parity(lambda lib, s: lib.searchsorted(s, 2.0, **kw), seq, grad=False)
    parity(lambda lib, s, v: lib.searchsorted(s, v, side='right' if right else 'left'), seq, vals, grad=False)
    seq2 = np.sort(rand(2, 3, 6), axis=-1)
    seq2[0, 0, 2] = seq2[0, 0, 3]
    vals2 = rand(2, 3, 4)
    vals2[1, 1, 1] = seq2[1, 1, 2]
    parity(lambda lib, s, v: lib.searchsorted(s, v, **kw), seq2, vals2, grad=False)
    parity(lambda lib, v, b: lib.bucketize(v, b, **kw), vals, seq, grad=False)
    parity(lambda lib, b: lib.bucketize(3, b, **kw), seq, grad=False)


def test_searchsorted_sorter_and_errors():
    seq = np.array([3.0, 1.0, 2.0, 5.0])
    sorter = np.argsort(seq)
    parity(lambda lib, s, v, o: lib.searchsorted(s, v, sorter=o), seq, np.array([2.5, 0.0]), sorter,
           grad=False)
    raises_like(lambda lib, s, v: lib.searchsorted(s, v), rand(2, 3), rand(3, 2))
    raises_like(lambda lib, v, b: lib.bucketize(v, b), rand(3), rand(2, 2))


def test_histc():
    x = rand(50)
    parity(lambda lib, x: lib.histc(x, bins=7), x, grad=False)
    parity(lambda lib, x: lib.histc(x, bins=4, min=-1, max=1), x, grad=False)
    parity(lambda lib, x: x.histc(5, 0, 3), np.array([1.0, 2.0, 1.0, 3.0, 0.0]), grad=False)
    parity(lambda lib, x: lib.histc(x, 3), np.array([2.0, 2.0]), grad=False)
    parity(lambda lib, x: lib.histc(x, 3), rand(4, dtype='float32'), grad=False)
    raises_like(lambda lib, x: lib.histc(x), rand(3, dtype='int64'))


@pytest.mark.parametrize('fn', [lambda x: ember.sort(x, 1)[0], lambda x: ember.sort(x, 0, True)[0],
                                lambda x: ember.topk(x, 2, 1)[0], lambda x: ember.msort(x)])
def test_gradcheck(fn):
    x = ember.tensor(_distinct(3, 4), requires_grad=True)
    assert ember.autograd.gradcheck(fn, (x,))
    assert ember.autograd.gradgradcheck(fn, (x,))


def test_return_types_module():
    r = ember.sort(ember.tensor([2.0, 1.0]))
    assert type(r) is ember.return_types.sort
    assert repr(r) == repr(torch.sort(torch.tensor([2.0, 1.0])))
