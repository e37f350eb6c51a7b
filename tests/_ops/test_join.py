"""Parity of cat/stack/split families, meshgrid, cartesian_prod, combinations with torch."""
import warnings

import numpy as np
import pytest
import torch

import ember
from helpers import parity, rand, raises_like

A = rand(3, 4)
B = rand(2, 3, 4)
V = rand(6)


@pytest.mark.parametrize('fn,xs', [
    (lambda L, a, b: L.cat([a, b]), (A, rand(2, 4))),
    (lambda L, a, b: L.cat((a, b), dim=-1), (A, rand(3, 2))),
    (lambda L, a, b: L.cat([a.t(), b.t()], 1), (A, rand(2, 4))),
    (lambda L, a, b: L.cat([a, b, a]), (V, rand(2))),
    (lambda L, a, b: L.concat([a, b], 0), (A, rand(0, 4))),
    (lambda L, a, b: L.concatenate([a, b], 1), (A, A)),
    (lambda L, a, b: L.cat([a, b]), (A, rand(0))),             # 1-D empty skipped
    (lambda L, a, b: L.cat([b, a], 1), (A, rand(0))),
    (lambda L, a, b: L.cat([a, b]), (rand(0), rand(0))),
    (lambda L, a, b: L.cat([a, b]), (A, rand(3, 4, dtype='float32'))),   # promotion
    (lambda L, a, b: L.cat([a, b]), (A, rand(3, 4, dtype='int64'))),
    (lambda L, a, b: L.cat([a, b]), (rand(3, dtype='int32'), rand(3, dtype='uint8'))),
    (lambda L, a, b: L.cat([a, b]), (rand(2, dtype='bool'), rand(2))),
    (lambda L, a, b: L.cat([a]), (B, None)),
    (lambda L, a, b: L.stack([a, b]), (A, rand(3, 4))),
    (lambda L, a, b: L.stack([a, b], -1), (A, rand(3, 4))),
    (lambda L, a, b: L.stack([a.t(), b.t()], 1), (A, rand(3, 4))),
    (lambda L, a, b: L.stack([a, b]), (np.array(1.0), np.array(2.0))),
    (lambda L, a, b: L.stack([a, b], 2), (B, B)),
    (lambda L, a, b: L.stack([a, b]), (rand(3, dtype='int64'), rand(3, dtype='float32'))),
    (lambda L, a, b: L.stack([a, b]), (rand(0, 2), rand(0, 2))),
    (lambda L, a, b: L.hstack([a, b]), (V, rand(2))),
    (lambda L, a, b: L.hstack([a, b]), (A, rand(3, 2))),
    (lambda L, a, b: L.hstack([a, b]), (np.array(1.0), V)),
    (lambda L, a, b: L.vstack([a, b]), (V, V)),
    (lambda L, a, b: L.vstack([a, b]), (A, rand(4))),
    (lambda L, a, b: L.row_stack([a, b]), (A, A)),
    (lambda L, a, b: L.dstack([a, b]), (V, V)),
    (lambda L, a, b: L.dstack([a, b]), (A, A)),
    (lambda L, a, b: L.dstack([a, b]), (B, B)),
    (lambda L, a, b: L.column_stack([a, b]), (V, V)),
    (lambda L, a, b: L.column_stack([a, b]), (rand(3), rand(3, 2))),
    (lambda L, a, b: L.column_stack([a, b]), (np.array(1.0), np.array(2.0))),
])
def test_cat_stack_parity(fn, xs):
    a, b = xs
    if b is None:
        parity(lambda L, x: fn(L, x, None), a)
    else:
        parity(fn, a, b)


def test_cat_out():
    for L in (torch, ember):
        out = L.empty(0, dtype=L.float64)
        r = L.cat([L.tensor(A), L.tensor(A)], 1, out=out)
        assert r is out and tuple(out.shape) == (3, 8)
    np.testing.assert_allclose(out.numpy(), np.concatenate([A, A], 1))


def test_cat_grad_fn_and_gradcheck():
    a = ember.tensor(A, requires_grad=True)
    b = ember.tensor(rand(2, 4), requires_grad=True)
    assert ember.cat([a, b]).grad_fn.name() == 'CatBackward0'
    assert ember.stack([a, a]).grad_fn.name() == 'StackBackward0'
    assert ember.autograd.gradcheck(lambda x, y: ember.cat([x, y]), (a, b))
    assert ember.autograd.gradgradcheck(lambda x, y: ember.cat([x, y], 0), (a, b))
    assert ember.autograd.gradcheck(lambda x: ember.stack([x, x * 2], 1), (a,))
    assert ember.autograd.gradgradcheck(lambda x: ember.stack([x, x * 2], 1), (a,))


@pytest.mark.parametrize('fn,xs,match', [
    (lambda L, a, b: L.cat([]), (A, A), 'expected a non-empty list of Tensors'),
    (lambda L, a, b: L.cat([a, b]), (A, rand(3, 5)), 'Sizes of tensors must match except in dimension 0'),
    (lambda L, a, b: L.cat([a, b]), (A, rand(3)), 'Tensors must have same number of dimensions'),
    (lambda L, a, b: L.cat([a, b]), (np.array(1.0), np.array(1.0)), 'zero-dimensional tensor (at position 0)'),
    (lambda L, a, b: L.cat([a, b], 5), (A, rand(0)), 'Dimension out of range'),
    (lambda L, a, b: L.cat(a), (A, A), "must be tuple of Tensors"),
    (lambda L, a, b: L.stack([]), (A, A), 'non-empty TensorList'),
    (lambda L, a, b: L.stack([a, b]), (A, rand(3, 5)), 'stack expects each tensor to be equal size'),
    (lambda L, a, b: L.stack([a, b], 3), (A, A), 'Dimension out of range'),
])
def test_cat_stack_errors(fn, xs, match):
    raises_like(fn, *xs, match=match)


# ---------------------------------------------------------------------------- split family

@pytest.mark.parametrize('fn,x', [
    (lambda L, a: a.split(2, 1), A),
    (lambda L, a: L.split(a, [1, 3], dim=-1), A),
    (lambda L, a: a.split(5, 1), A),
    (lambda L, a: a.t().split(2), A),
    (lambda L, a: a.split([0, 4, 0], 1), A),
    (lambda L, a: a.split(2), rand(0, 2)),
    (lambda L, a: a.chunk(2, 1), A),
    (lambda L, a: a.chunk(3, 1), A),
    (lambda L, a: L.chunk(a, 4), rand(5)),
    (lambda L, a: a.chunk(4), V),
    (lambda L, a: a.chunk(3), rand(0)),
    (lambda L, a: a.tensor_split(3, 1), A),
    (lambda L, a: a.tensor_split([1, 3], 1), A),
    (lambda L, a: a.tensor_split([3, 1], 1), A),
    (lambda L, a: a.tensor_split([5, -1], 1), A),
    (lambda L, a: a.tensor_split(L.tensor([1, 3]), 1), A),
    (lambda L, a: a.tensor_split(L.tensor(2), -1), A),
    (lambda L, a: L.tensor_split(a, (1,), 1), A),
    (lambda L, a: a.tensor_split(4), V),
    (lambda L, a: a.hsplit(2), A),
    (lambda L, a: a.hsplit([1]), A),
    (lambda L, a: a.hsplit(2), V),
    (lambda L, a: L.vsplit(a, 3), A),
    (lambda L, a: a.vsplit([1, 2]), B),
    (lambda L, a: a.dsplit(2), B),
    (lambda L, a: L.dsplit(a, [3]), B),
])
def test_split_parity(fn, x):
    parity(fn, x)


@pytest.mark.parametrize('dtype', ['int64', 'bool'])
def test_split_int_bool(dtype):
    x = rand(4, 6, dtype=dtype)
    parity(lambda L, a: (a.split(4, 1), a.chunk(3), a.tensor_split(3, 1), L.cat([a, a]),
                         L.stack([a, a], 1)), x)


def test_split_grad_fn_names():
    for L in (torch, ember):
        x = L.tensor(A, requires_grad=True)
        names = [x.split(2, 1)[0].grad_fn.name(), x.split([1, 3], 1)[1].grad_fn.name(),
                 x.chunk(2, 1)[0].grad_fn.name(), x.tensor_split(2, 1)[0].grad_fn.name()]
        if L is torch:
            expected = names
    assert names == expected


def test_split_gradcheck():
    a = ember.tensor(A, requires_grad=True)
    for f in (lambda x: x.split(3, 1), lambda x: x.split([1, 3], 1), lambda x: x.chunk(2),
              lambda x: x.tensor_split([1, 2], 1)):
        g = lambda x, f=f: tuple(p.contiguous() for p in f(x))  # noqa: E731
        assert ember.autograd.gradcheck(g, (a,))
        assert ember.autograd.gradgradcheck(g, (a,))


def test_split_partial_use_grad():
    # only one piece used: the others' gradients are zeros
    parity(lambda L, a: a.split(1, 0)[1] * 2, A)
    parity(lambda L, a: a.unbind(1)[2] * 3, A)


@pytest.mark.parametrize('fn,x,match', [
    (lambda L, a: a.split(0, 1), A, 'split_size can only be 0'),
    (lambda L, a: a.split([1, 2], 1), A, 'split_with_sizes expects split_sizes to sum exactly to 4'),
    (lambda L, a: a.split(-1), A, 'split_size be non-negative'),
    (lambda L, a: a.split([1, -1, 3], 1), A, 'non-negative entries'),
    (lambda L, a: a.split(1), np.array(1.0), 'at least a 1-dimensional tensor'),
    (lambda L, a: a.chunk(0), A, 'greater than 0'),
    (lambda L, a: a.chunk(1), np.array(1.0), 'at least a 1-dimensional tensor'),
    (lambda L, a: a.tensor_split(0, 1), A, 'number of sections must be larger than 0'),
    (lambda L, a: a.tensor_split(1), np.array(1.0), 'at least a 1-dimensional tensor'),
    (lambda L, a: a.tensor_split(L.tensor([1.0]), 1), A, 'dtype of long'),
    (lambda L, a: a.hsplit(3), A, 'not divisible by the split_size 3'),
    (lambda L, a: a.hsplit(1), np.array(1.0), 'at least 1 dimension'),
    (lambda L, a: a.vsplit(2), V, 'at least 2 dimension'),
    (lambda L, a: a.dsplit(2), A, 'at least 3 dimension'),
    (lambda L, a: a.vsplit(0), A, 'not divisible by the split_size 0'),
])
def test_split_errors(fn, x, match):
    raises_like(fn, x, match=match)


# ---------------------------------------------------------------------------- grids

@pytest.mark.parametrize('indexing', ['ij', 'xy'])
def test_meshgrid(indexing):
    parity(lambda L, a, b, c: L.meshgrid(a, b, c, indexing=indexing), rand(3), rand(4), rand(2))
    parity(lambda L, a, b: L.meshgrid([a, b], indexing=indexing), rand(3), np.array(1.0))
    parity(lambda L, a: L.meshgrid(a, indexing=indexing), rand(3))
    parity(lambda L, a, b: L.meshgrid(a, b, indexing=indexing), rand(0), rand(2))


def test_meshgrid_default_warns_and_errors():
    with pytest.warns(UserWarning, match='indexing'):
        g = ember.meshgrid(ember.arange(3), ember.arange(2))
    assert tuple(g[0].shape) == (3, 2)
    raises_like(lambda L, a: L.meshgrid(a, indexing='ji'), rand(3), match='indexing must be one of')
    raises_like(lambda L, a: L.meshgrid(a, indexing='ij'), A, 'Expected 0D or 1D tensor')


def test_cartesian_prod_and_combinations():
    parity(lambda L, a, b: L.cartesian_prod(a, b), rand(3), rand(2))
    parity(lambda L, a, b, c: L.cartesian_prod(a, b, c), rand(2), rand(3), rand(2))
    parity(lambda L, a: L.cartesian_prod(a), rand(3))
    parity(lambda L, a: L.combinations(a), rand(4))
    parity(lambda L, a: L.combinations(a, 3), rand(5))
    parity(lambda L, a: L.combinations(a, 2, with_replacement=True), rand(4))
    parity(lambda L, a: L.combinations(a, 1), rand(4))
    parity(lambda L, a: L.combinations(a, 5), rand(4))
    parity(lambda L, a: L.combinations(a, 0), rand(4))
    parity(lambda L, a: L.combinations(a), rand(4, dtype='int64'))
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        raises_like(lambda L, a: L.combinations(a), A, match='1D vector')
