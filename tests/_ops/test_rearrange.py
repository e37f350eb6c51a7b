"""Parity of copying rearrangements (flip, roll, rot90, repeat, tile, repeat_interleave,
tril/triu, diag family) with torch."""
import numpy as np
import pytest
import torch

import ember
from helpers import parity, rand, raises_like

A = rand(3, 4)
B = rand(2, 3, 4)
V = rand(6)


@pytest.mark.parametrize('fn,x', [
    (lambda L, a: a.flip(0), A),
    (lambda L, a: L.flip(a, (0, -1)), B),
    (lambda L, a: a.t().flip(1), A),
    (lambda L, a: a.flip(()), A),
    (lambda L, a: a.flip(0), np.array(1.0)),
    (lambda L, a: a.flip(0), rand(0, 3)),
    (lambda L, a: a.fliplr(), A),
    (lambda L, a: L.flipud(a), B),
    (lambda L, a: a.roll(1), A),
    (lambda L, a: a.roll(-2, 1), A),
    (lambda L, a: L.roll(a, (1, 2), (0, -1)), B),
    (lambda L, a: a.t().roll(5, 0), A),
    (lambda L, a: a.roll(1), np.array(1.0)),
    (lambda L, a: a.roll(1, 0), rand(0, 3)),
    (lambda L, a: a.roll(L.tensor(1), 0), A),
    (lambda L, a: a.rot90(), A),
    (lambda L, a: a.rot90(2), A),
    (lambda L, a: a.rot90(3), A),
    (lambda L, a: a.rot90(-1), A),
    (lambda L, a: a.rot90(0), A),
    (lambda L, a: L.rot90(a, 1, (2, 0)), B),
    (lambda L, a: L.rot90(a, 5, (-1, -2)), B),
    (lambda L, a: a.repeat(2, 1), A),
    (lambda L, a: a.repeat(2, 1, 3), A),
    (lambda L, a: a.repeat((2, 2)), A),
    (lambda L, a: a.t().repeat(1, 2), A),
    (lambda L, a: a.repeat(0, 2), A),
    (lambda L, a: a.repeat(2, 3), np.array(1.0)),
    (lambda L, a: a.tile(2), A),
    (lambda L, a: L.tile(a, (2, 1, 1)), A),
    (lambda L, a: a.tile(()), A),
    (lambda L, a: a.tile(2, 1), V),
    (lambda L, a: a.repeat_interleave(2), A),
    (lambda L, a: a.repeat_interleave(2, dim=-1), A),
    (lambda L, a: L.repeat_interleave(a.t(), 3, 0), A),
    (lambda L, a: a.repeat_interleave(0, 1), A),
    (lambda L, a: a.repeat_interleave(3), np.array(1.0)),
    (lambda L, a: a.repeat_interleave(L.tensor([1, 2, 0]), 0), A),
    (lambda L, a: a.repeat_interleave(L.tensor([2]), 0), A),
    (lambda L, a: a.repeat_interleave(L.tensor(2), 1), A),
    (lambda L, a: a.repeat_interleave(L.tensor(list(range(12)))), A),
    (lambda L, a: a.repeat_interleave(L.tensor([1, 0, 3, 1]), -1, output_size=5), A),
    (lambda L, a: a.tril(), A),
    (lambda L, a: a.tril(1), A),
    (lambda L, a: L.tril(a, -1), B),
    (lambda L, a: a.t().triu(), A),
    (lambda L, a: L.triu(a, diagonal=2), B),
    (lambda L, a: a.triu(-5), A),
    (lambda L, a: a.tril(), rand(2, 0, 3)),
    (lambda L, a: L.diag(a), V),
    (lambda L, a: L.diag(a, 1), V),
    (lambda L, a: a.diag(-2), V),
    (lambda L, a: L.diag(a), A),
    (lambda L, a: L.diag(a, 1), A),
    (lambda L, a: L.diag(a.t(), -1), A),
    (lambda L, a: L.diag(a, -5), A),
    (lambda L, a: L.diag_embed(a), A),
    (lambda L, a: L.diag_embed(a, 1, 0, 2), A),
    (lambda L, a: L.diag_embed(a, -1, -1, 0), A),
    (lambda L, a: a.diag_embed(2), V),
    (lambda L, a: L.diag_embed(a.t()), A),
    (lambda L, a: L.diagflat(a), V),
    (lambda L, a: L.diagflat(a, 1), A),
    (lambda L, a: L.diagflat(a, -2), np.array(2.0)),
])
def test_rearrange_parity(fn, x):
    parity(fn, x)


@pytest.mark.parametrize('dtype', ['int64', 'bool', 'float32', 'complex64'])
def test_rearrange_dtypes(dtype):
    x = rand(3, 4, dtype=dtype)
    parity(lambda L, a: (a.flip(0), a.roll(1, 1), a.rot90(), a.repeat(2, 1), a.tile(2),
                         a.repeat_interleave(2, 0), a.tril(), a.triu(1), L.diag(a),
                         L.diag_embed(a), L.diagflat(a)), x)


def test_repeat_interleave_of_repeats():
    parity(lambda L, r: L.repeat_interleave(r), np.array([1, 2, 0, 3]))
    parity(lambda L, r: L.repeat_interleave(r), np.array([], dtype='int64'))


def test_inplace_tril_triu():
    parity(lambda L, a: (a * 1).tril_(1), A)
    parity(lambda L, a: (a * 1).triu_(), B)


def test_tril_out():
    for L in (torch, ember):
        out = L.empty(3, 4, dtype=L.float64)
        r = L.tril(L.tensor(A), out=out)
        assert r is out
    np.testing.assert_allclose(out.numpy(), np.tril(A))


@pytest.mark.parametrize('fn,name', [
    (lambda L, a: a.flip(0), 'FlipBackward0'), (lambda L, a: a.roll(1), 'RollBackward0'),
    (lambda L, a: a.rot90(), 'Rot90Backward0'), (lambda L, a: a.repeat(2, 1), 'RepeatBackward0'),
    (lambda L, a: a.tile(2), 'RepeatBackward0'),
    (lambda L, a: a.repeat_interleave(2), 'ViewBackward0'),
    (lambda L, a: a.repeat_interleave(L.tensor([1, 2, 0]), 0), 'IndexSelectBackward0'),
    (lambda L, a: a.tril(), 'TrilBackward0'), (lambda L, a: a.triu(), 'TriuBackward0'),
    (lambda L, a: L.diag(a), 'DiagonalBackward0_copy'),
    (lambda L, a: L.diag(a.select(0, 0)), 'DiagEmbedBackward0'),
    (lambda L, a: L.diag_embed(a), 'DiagEmbedBackward0'),
    (lambda L, a: L.diagflat(a), 'DiagEmbedBackward0'),
])
def test_grad_fn_names(fn, name):
    assert fn(torch, torch.tensor(A, requires_grad=True)).grad_fn.name() == name
    assert fn(ember, ember.tensor(A, requires_grad=True)).grad_fn.name() == name


@pytest.mark.parametrize('fn', [
    lambda a: a.flip(0), lambda a: a.roll((1, -1), (0, 1)), lambda a: a.rot90(1),
    lambda a: a.rot90(3), lambda a: a.repeat(2, 1, 2), lambda a: a.repeat_interleave(2, 1),
    lambda a: a.repeat_interleave(ember.tensor([2, 0, 1]), 0), lambda a: a.tril(1),
    lambda a: a.triu(-1), lambda a: ember.diag(a, 1), lambda a: ember.diag_embed(a, 1),
    lambda a: ember.diagflat(a),
])
def test_gradcheck(fn):
    x = ember.tensor(A, requires_grad=True)
    f = lambda a: fn(a).contiguous()  # noqa: E731
    assert ember.autograd.gradcheck(f, (x,))
    assert ember.autograd.gradgradcheck(f, (x,))


@pytest.mark.parametrize('fn,x,match', [
    (lambda L, a: a.flip(0, 0), A, 'appears multiple times'),
    (lambda L, a: L.flip(a, 1), A, 'must be tuple of ints'),
    (lambda L, a: a.fliplr(), V, 'Input must be >= 2-d'),
    (lambda L, a: a.flipud(), np.array(1.0), 'Input must be >= 1-d'),
    (lambda L, a: a.roll((1, 2), (0,)), A, 'shifts and dimensions must align'),
    (lambda L, a: a.roll((1, 2)), A, 'shifts and dimensions must align'),
    (lambda L, a: a.roll(1, 2), A, 'Dimension out of range'),
    (lambda L, a: a.rot90(1, (0, 0)), A, 'expected rotation dims to be different'),
    (lambda L, a: a.rot90(), V, 'expected total dims >= 2'),
    (lambda L, a: a.rot90(1, (0, 1, 2)), B, 'expected total rotation dims == 2'),
    (lambda L, a: a.repeat(2), A, 'can not be smaller than number of dimensions'),
    (lambda L, a: a.repeat(), A, 'missing 1 required positional arguments'),
    (lambda L, a: a.repeat(-1, 2), A, 'negative dimension'),
    (lambda L, a: a.repeat_interleave(-1), A, 'must be non-negative'),
    (lambda L, a: a.repeat_interleave(L.tensor([1, 2]), 0), A, 'repeats must have the same size'),
    (lambda L, a: a.repeat_interleave(L.tensor([1, -2, 0]), 0), A, 'can not be negative'),
    (lambda L, a: a.repeat_interleave(L.tensor([[2]]), 0), A, '0-dim or 1-dim'),
    (lambda L, a: a.repeat_interleave(L.tensor([1.0, 2, 0]), 0), A, 'not implemented'),
    (lambda L, a: a.repeat_interleave(3, 0), np.array(1.0), 'Dimension out of range'),
    (lambda L, a: a.tril(), V, 'at least 2 dimensions'),
    (lambda L, a: a.triu(), np.array(1.0), 'at least 2 dimensions'),
    (lambda L, a: L.diag(a), np.array(1.0), 'Supports 1D or 2D tensors. Got 0D'),
    (lambda L, a: L.diag(a), B, 'Got 3D'),
    (lambda L, a: L.diag_embed(a, 0, 1, 1), A, 'cannot be identical'),
    (lambda L, a: L.diag_embed(a, 0, 3, 0), A, 'Dimension out of range'),
])
def test_errors(fn, x, match):
    raises_like(fn, x, match=match)
