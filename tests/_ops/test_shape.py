"""Parity of view/shape ops with torch: values, dtypes, shapes, gradients, errors, grad_fn."""
import numpy as np
import pytest
import torch

import ember
from helpers import parity, rand, raises_like

A = rand(3, 4)
B = rand(2, 3, 4)
V = rand(6)


@pytest.mark.parametrize('fn,x', [
    (lambda L, a: a.view(-1), A),
    (lambda L, a: a.view(2, -1, 3), A),
    (lambda L, a: a.view(4, 3), A),
    (lambda L, a: a.t().reshape(-1), A),
    (lambda L, a: a.t().reshape(2, 6), A),
    (lambda L, a: a.reshape(()), rand(1)),
    (lambda L, a: a.reshape(0, 3), rand(0)),
    (lambda L, a: a.view(1, 1), np.array(2.0)),
    (lambda L, a: L.ravel(a.transpose(0, 2)), B),
    (lambda L, a: a.ravel(), B),
    (lambda L, a: a.flatten(1), B),
    (lambda L, a: a.transpose(0, 1).flatten(-2, -1), B),
    (lambda L, a: a.flatten(), np.array(3.0)),
    (lambda L, a: a.unflatten(1, (2, 2)), A),
    (lambda L, a: a.t().unflatten(0, (-1, 2)), A),
    (lambda L, a: L.unflatten(a, -1, (2, 1, 2)), B),
    (lambda L, a: a.expand(2, 3, 4), A),
    (lambda L, a: a.expand(-1, 5), rand(3, 1)),
    (lambda L, a: a.expand(3), np.array(1.5)),
    (lambda L, a: L.broadcast_to(a, (2, 3, 4)), A),
    (lambda L, a: a.broadcast_to(0, 4), rand(1, 4)),
    (lambda L, a: a.movedim(0, -1), B),
    (lambda L, a: L.movedim(a, (0, 1), (2, 0)), B),
    (lambda L, a: L.moveaxis(a, -1, 0), B),
    (lambda L, a: a.swapaxes(0, -1), B),
    (lambda L, a: a.permute(2, 0, 1), B),
    (lambda L, a: a.mT, B),
    (lambda L, a: a.T, A),
    (lambda L, a: a.t(), V),
    (lambda L, a: a.unsqueeze(-1), A),
    (lambda L, a: a.t().unsqueeze(1), A),
    (lambda L, a: a.unsqueeze(0), np.array(1.0)),
    (lambda L, a: a.squeeze(), rand(1, 3, 1)),
    (lambda L, a: a.squeeze(-1), rand(1, 3, 1)),
    (lambda L, a: a.squeeze((0, 2)), rand(1, 3, 1)),
    (lambda L, a: a.squeeze((0, 1)), rand(1, 3, 1)),
    (lambda L, a: a.squeeze(0), np.array(1.0)),
    (lambda L, a: a.squeeze((0,)), np.array(1.0)),
    (lambda L, a: a.narrow(1, 1, 2), A),
    (lambda L, a: a.narrow(-1, -2, 2), A),
    (lambda L, a: a.t().narrow(0, 1, 3), A),
    (lambda L, a: L.narrow(a, 0, 1, 0), A),
    (lambda L, a: a.narrow(1, L.tensor(1), 2), A),
    (lambda L, a: a.select(1, 2), A),
    (lambda L, a: a.select(-1, -1), B),
    (lambda L, a: a.t().select(0, 3), A),
    (lambda L, a: L.select(a, 0, 2), V),
    (lambda L, a: a.unbind(1), A),
    (lambda L, a: L.unbind(a, -1), B),
    (lambda L, a: a.t().unbind(), A),
    (lambda L, a: a.diagonal(), A),
    (lambda L, a: a.diagonal(1), A),
    (lambda L, a: a.diagonal(-2), A),
    (lambda L, a: a.diagonal(5), A),
    (lambda L, a: L.diagonal(a, 1, -1, 0), B),
    (lambda L, a: a.t().diagonal(-1), A),
    (lambda L, a: a.unfold(0, 2, 1), V),
    (lambda L, a: a.unfold(0, 2, 3), V),
    (lambda L, a: a.unfold(-1, 3, 2), B),
    (lambda L, a: a.t().unfold(0, 3, 1), A),
    (lambda L, a: a.unfold(0, 1, 1), np.array(2.0)),
    (lambda L, a: a.unfold(0, 0, 1), V),
    (lambda L, a: a.as_strided((2, 2), (1, 2)), V),
    (lambda L, a: a.as_strided((3, 3), (1, 1), 1), V),
    (lambda L, a: L.as_strided(a, (4,), (0,), 2), V),
    (lambda L, a: a.narrow(0, 1, 2).as_strided((2, 2), (1, 2)), A),
    (lambda L, a: a.t().as_strided((2, 3), (3, 1), 2), A),
    (lambda L, a: a.expand(2, 3).as_strided((3,), (1,)), rand(3)),
    (lambda L, a: L.atleast_1d(a), np.array(1.0)),
    (lambda L, a: L.atleast_2d(a), np.array(1.0)),
    (lambda L, a: L.atleast_3d(a), np.array(1.0)),
    (lambda L, a: L.atleast_2d(a), V),
    (lambda L, a: L.atleast_3d(a), V),
    (lambda L, a: L.atleast_3d(a), A),
    (lambda L, a: L.atleast_3d(a), B),
    (lambda L, a: L.atleast_1d(a, a.t()), A),
    (lambda L, a: L.atleast_2d([a, a.sum()]), V),
    (lambda L, a: L.broadcast_tensors(a, a.unsqueeze(1)), V),
    (lambda L, a: L.broadcast_tensors(a, L.ones(2, 1, 1, dtype=L.float64))[1], A),
    (lambda L, a: a.clone(), A),
    (lambda L, a: a.t().contiguous(), A),
])
def test_view_parity(fn, x):
    parity(fn, x)


@pytest.mark.parametrize('dtype', ['int64', 'bool', 'float32', 'complex64'])
def test_views_dtypes(dtype):
    x = rand(3, 4, dtype=dtype)
    parity(lambda L, a: (a.t().narrow(0, 1, 2), a.select(0, 1), a.diagonal(), a.unfold(1, 2, 1),
                         a.movedim(0, 1), a.unflatten(1, (2, 2)), a.as_strided((2,), (5,))), x)


def test_empty_views():
    e = rand(0, 3)
    parity(lambda L, a: (a.t(), a.view(3, 0), a.narrow(1, 1, 1), a.select(1, 0), a.diagonal(),
                         a.unfold(1, 2, 1), a.unsqueeze(0), a.reshape(3, -1), a.unbind(1)), e)


# ---------------------------------------------------------------------------- grad_fn names

@pytest.mark.parametrize('fn', [
    lambda L, a: a.narrow(1, 1, 2),
    lambda L, a: a.select(0, 1),
    lambda L, a: a.unbind(1)[0],
    lambda L, a: a.diagonal(),
    lambda L, a: a.as_strided((2,), (1,)),
    lambda L, a: a.unfold(0, 2, 1),
    lambda L, a: a.movedim(0, 1),
    lambda L, a: a.unflatten(1, (2, 2)),
    lambda L, a: a.unsqueeze(0).squeeze((0,)),
    lambda L, a: a.unsqueeze(0).squeeze(0),
    lambda L, a: a.unsqueeze(0).squeeze(),
    lambda L, a: a.t().ravel(),
    lambda L, a: a.t().reshape(-1),
    lambda L, a: a.broadcast_to(2, 3, 4),
    lambda L, a: L.atleast_3d(a),
    lambda L, a: a.t(),
    lambda L, a: a.mT,
])
def test_grad_fn_names(fn):
    t = fn(torch, torch.tensor(A, requires_grad=True))
    e = fn(ember, ember.tensor(A, requires_grad=True))
    assert e.grad_fn.name() == t.grad_fn.name()


@pytest.mark.parametrize('fn', [
    lambda L, a: a.select(1, 2),
    lambda L, a: a.narrow(1, 1, 2),
    lambda L, a: a.diagonal(1),
    lambda L, a: a.unfold(1, 2, 1),
    lambda L, a: a.as_strided((2, 2), (1, 3), 1),
])
def test_double_backward(fn):
    """Gradients of gradients through the view-scatter backward nodes."""
    res = {}
    for L in (torch, ember):
        x = L.tensor(A, requires_grad=True)
        y = fn(L, x)
        g = L.tensor(np.linspace(-1, 1, y.numel()).reshape(tuple(y.shape)), requires_grad=True)
        gx, = L.autograd.grad(y, x, g, create_graph=True)
        w = L.tensor(np.arange(12.0).reshape(3, 4))
        gg, = L.autograd.grad((gx * w).sum(), g)
        res[L.__name__] = (gx.grad_fn.name(), gx.detach().numpy().copy(), gg.numpy().copy())
    assert res['torch'][0] == res['ember'][0] or res['torch'][0] == 'AsStridedBackward0'
    np.testing.assert_allclose(res['ember'][1], res['torch'][1])
    np.testing.assert_allclose(res['ember'][2], res['torch'][2])


def test_as_strided_overlapping_input_grad():
    # input itself overlapping (expanded): torch averages over the aliases
    parity(lambda L, a: a.expand(2, 3).as_strided((2, 2), (1, 1)), rand(3))


# ---------------------------------------------------------------------------- gradcheck

@pytest.mark.parametrize('fn', [
    lambda a: a.narrow(1, 1, 2), lambda a: a.select(1, -1), lambda a: a.diagonal(-1),
    lambda a: a.unfold(1, 2, 1), lambda a: a.as_strided((3, 2), (1, 2), 1),
    lambda a: a.unbind(0), lambda a: a.movedim(0, 1), lambda a: a.unflatten(1, (2, 2)),
    lambda a: a.t().ravel(), lambda a: ember.atleast_3d(a), lambda a: a.squeeze((0,)),
])
def test_gradcheck(fn):
    x = ember.tensor(A, requires_grad=True)
    f = lambda a: _contig(fn(a))  # noqa: E731
    assert ember.autograd.gradcheck(f, (x,))
    assert ember.autograd.gradgradcheck(f, (x,))


def _contig(out):
    # gradcheck writes one-hot cotangents through .reshape(-1) of a zeros_like: keep outputs
    # C-contiguous so that write lands (the views themselves are covered by the parity tests)
    if isinstance(out, tuple):
        return tuple(o.contiguous() for o in out)
    return out.contiguous()


# ---------------------------------------------------------------------------- errors

@pytest.mark.parametrize('fn,x,match', [
    (lambda L, a: a.t().view(-1), A, 'view size is not compatible'),
    (lambda L, a: a.view(5, -1), A, 'invalid for input of size 12'),
    (lambda L, a: a.view(-1, -1), A, 'only one dimension can be inferred'),
    (lambda L, a: a.reshape(-1, 0), rand(0, 3), 'ambiguous'),
    (lambda L, a: a.expand(2), A, 'must be greater or equal to the number of dimensions'),
    (lambda L, a: a.expand(3, 5), A, 'must match the existing size (4)'),
    (lambda L, a: a.expand(-1, 2, 4), A, 'must match the existing size'),
    (lambda L, a: a.narrow(1, 3, 2), A, 'exceeds dimension size'),
    (lambda L, a: a.narrow(1, 5, 0), A, 'start out of range'),
    (lambda L, a: a.narrow(1, 0, -1), A, 'length must be non-negative'),
    (lambda L, a: a.narrow(0, 0, 1), np.array(1.0), '0-dim'),
    (lambda L, a: a.select(1, 4), A, 'out of range'),
    (lambda L, a: a.select(2, 0), A, 'Dimension out of range'),
    (lambda L, a: a.select(0, 0), np.array(1.0), '0-dim'),
    (lambda L, a: a.diagonal(0, 1, 1), A, 'cannot be identical'),
    (lambda L, a: a.unfold(0, 7, 1), V, 'maximum size'),
    (lambda L, a: a.unfold(0, 2, 0), V, 'step is 0'),
    (lambda L, a: a.as_strided((4, 4), (4, 1), 0), A, 'out of bounds'),
    (lambda L, a: a.as_strided((2,), (1,), -1), A, 'invalid storage offset'),
    (lambda L, a: a.as_strided((2, 2), (1, -1)), A, 'Negative strides'),
    (lambda L, a: a.movedim((0, 1), (1,)), A, 'same number of dims'),
    (lambda L, a: a.movedim((0, 0), (1, 0)), A, 'repeated dim in `source`'),
    (lambda L, a: a.movedim((0, 1), (1, 1)), A, 'repeated dim in `destination`'),
    (lambda L, a: a.movedim(0, 5), A, 'Dimension out of range'),
    (lambda L, a: a.unflatten(1, (2, 3)), A, "don't multiply up"),
    (lambda L, a: a.unflatten(1, ()), A, 'non-empty'),
    (lambda L, a: a.squeeze((0, 0)), A, 'appears multiple times'),
    (lambda L, a: a.squeeze(3), A, 'Dimension out of range'),
    (lambda L, a: a.permute(0, 0), A, 'duplicate dims'),
    (lambda L, a: a.t(), B, 'expects a tensor with <= 2 dimensions'),
    (lambda L, a: L.broadcast_shapes((2, 1), (3, 4)), A, 'Attempting to broadcast a dimension of length 3'),
    (lambda L, a: L.broadcast_tensors(a, L.ones(2)), A, 'must match the size of tensor b'),
    (lambda L, a: L.broadcast_to(a, (2, 5)), A, 'must match the existing size'),
    (lambda L, a: a.flatten(1, 0), A, 'start_dim cannot come after end_dim'),
])
def test_errors(fn, x, match):
    raises_like(fn, x, match=match)


@pytest.mark.parametrize('shapes', [((2, 1), (3,)), (2, (1,)), (), ((0, 1), (1, 3)), ((5, 1, 4), (3, 1), 4)])
def test_broadcast_shapes(shapes):
    assert tuple(ember.broadcast_shapes(*shapes)) == tuple(torch.broadcast_shapes(*shapes))
    assert isinstance(ember.broadcast_shapes(*shapes), ember.Size)


def test_atleast_identity_and_tuple():
    x = ember.tensor(A)
    assert ember.atleast_1d(x) is x and ember.atleast_2d(x) is x
    assert isinstance(ember.atleast_1d(x, x), tuple) and len(ember.atleast_3d([x, x])) == 2
    assert ember.atleast_1d() == () and torch.atleast_1d() == ()
    assert x.flatten(1, 1) is x


def test_views_keep_int_values_exact():
    x = np.arange(24, dtype='int64').reshape(2, 3, 4)
    parity(lambda L, a: (a.as_strided((3, 3), (5, 2), 1), a.unfold(2, 2, 2), a.diagonal(0, 0, 2)), x)
