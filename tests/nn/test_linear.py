"""Linear family vs torch: F.linear / F.bilinear, Identity, Linear, Bilinear, Flatten, Unflatten."""
import math

import numpy as np
import pytest
import torch

import ember
from helpers import assert_same, parity, rand, raises_like, to_numpy

F = ember.nn.functional


def module_parity(tm, em, *inputs, atol=1e-5):
    """Copy torch module's state into ember's, run both, compare outputs and all grads."""
    em.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in tm.state_dict().items()})
    tin = [torch.tensor(x, requires_grad=x.dtype.kind == 'f') for x in inputs]
    ein = [ember.tensor(x, requires_grad=x.dtype.kind == 'f') for x in inputs]
    to, eo = tm(*tin), em(*ein)
    assert_same(eo, to, atol=atol, rtol=atol)
    cot = np.random.default_rng(3).uniform(-1, 1, tuple(to.shape)).astype(to_numpy(to).dtype)
    to.backward(torch.tensor(cot))
    eo.backward(ember.tensor(cot))
    for e, t in zip(ein, tin):
        if t.requires_grad:
            assert_same(e.grad, t.grad, atol=atol, rtol=atol, what='input grad')
    tp, ep = dict(tm.named_parameters()), dict(em.named_parameters())
    assert tp.keys() == ep.keys()
    for k in tp:
        assert_same(ep[k].grad, tp[k].grad, atol=atol, rtol=atol, what=f'grad of {k}')
    return eo, to


@pytest.mark.parametrize('shape', [(5, 3), (3,), (2, 4, 3), (0, 3), (2, 0, 3)])
@pytest.mark.parametrize('bias', [True, False])
@pytest.mark.parametrize('dtype', ['float32', 'float64'])
def test_linear_parity(shape, bias, dtype):
    args = [rand(*shape, dtype=dtype), rand(4, 3, dtype=dtype)] + ([rand(4, dtype=dtype)] if bias else [])
    parity(lambda m, *a: m.nn.functional.linear(*a), *args,
           atol=1e-5 if dtype == 'float32' else 1e-12)


def test_linear_noncontiguous_and_broadcast_bias():
    parity(lambda m, x, w, b: m.nn.functional.linear(x.t(), w.t(), b), rand(3, 5), rand(3, 4), rand(4))
    parity(lambda m, x, w, b: m.nn.functional.linear(x[:, ::2], w, b), rand(5, 6), rand(4, 3), rand(1))
    parity(lambda m, x, w, b: m.nn.functional.linear(x, w, b), rand(5, 3), rand(4, 3), rand(5, 4))
    parity(lambda m, x, w: m.nn.functional.linear(x, w), rand(2, 3), rand(3))


def test_linear_int():
    parity(lambda m, x, w, b: m.nn.functional.linear(x, w, b),
           rand(2, 3, dtype='int64'), rand(4, 3, dtype='int64'), rand(4, dtype='int64'))


def test_linear_grad_fn_names():
    x = ember.randn(2, 3, requires_grad=True)
    w = ember.randn(4, 3, requires_grad=True)
    b = ember.randn(4, requires_grad=True)
    assert type(F.linear(x, w, b).grad_fn).__name__ == 'AddmmBackward0'
    assert type(F.linear(x, w).grad_fn).__name__ == 'MmBackward0'


def test_linear_errors():
    raises_like(lambda m, x, w: m.nn.functional.linear(x, w), rand(2, 3, dtype='float32'),
                rand(4, 5, dtype='float32'), match='cannot be multiplied (2x3 and 5x4)')
    raises_like(lambda m, x, w: m.nn.functional.linear(x, w), rand(2, 3, dtype='float32'),
                rand(4, 3, dtype='float64'), match='same dtype')
    raises_like(lambda m, x, w, b: m.nn.functional.linear(x, w, b), rand(2, 3, dtype='float32'),
                rand(4, 3, dtype='float32'), rand(5, dtype='float32'))
    raises_like(lambda m, x, w: m.nn.functional.linear(x, w), np.array(1.5, dtype='float32'),
                rand(4, 3, dtype='float32'), match='at least 1D')


def test_linear_gradcheck():
    x = ember.tensor(rand(3, 4), requires_grad=True)
    w = ember.tensor(rand(2, 4), requires_grad=True)
    b = ember.tensor(rand(2), requires_grad=True)
    assert ember.autograd.gradcheck(F.linear, (x, w, b))
    assert ember.autograd.gradcheck(F.linear, (x, w))
    assert ember.autograd.gradgradcheck(F.linear, (x, w, b))
    x3 = ember.tensor(rand(2, 3, 4), requires_grad=True)
    assert ember.autograd.gradcheck(F.linear, (x3, w, b))


@pytest.mark.parametrize('shapes', [((2, 3), (2, 5)), ((7, 2, 3), (7, 2, 5)), ((3,), (5,)), ((0, 3), (0, 5))])
@pytest.mark.parametrize('bias', [True, False])
def test_bilinear_parity(shapes, bias):
    args = [rand(*shapes[0]), rand(*shapes[1]), rand(4, 3, 5)] + ([rand(4)] if bias else [])
    parity(lambda m, *a: m.nn.functional.bilinear(*a), *args, atol=1e-10)


def test_bilinear_errors_and_gradcheck():
    raises_like(lambda m, a, b, w: m.nn.functional.bilinear(a, b, w), rand(2, 3), rand(3, 5), rand(4, 3, 5),
                match='batch dimensions do not match')
    raises_like(lambda m, a, b, w: m.nn.functional.bilinear(a, b, w), rand(2, 3), rand(2, 5), rand(4, 3, 6),
                match='input2 size does not match weight size')
    a, b = ember.tensor(rand(2, 3), requires_grad=True), ember.tensor(rand(2, 2), requires_grad=True)
    w, bb = ember.tensor(rand(4, 3, 2), requires_grad=True), ember.tensor(rand(4), requires_grad=True)
    assert ember.autograd.gradcheck(F.bilinear, (a, b, w, bb))


@pytest.mark.parametrize('dtype', ['float32', 'float64'])
@pytest.mark.parametrize('bias', [True, False])
def test_linear_module(dtype, bias):
    td = getattr(torch, dtype)
    tm = torch.nn.Linear(3, 4, bias=bias, dtype=td)
    em = ember.nn.Linear(3, 4, bias=bias, dtype=getattr(ember, dtype))
    assert repr(em) == repr(tm)
    assert [(k, tuple(v.shape), str(v.dtype)) for k, v in em.state_dict().items()] == \
        [(k, tuple(v.shape), str(v.dtype)) for k, v in tm.state_dict().items()]
    module_parity(tm, em, rand(5, 3, dtype=dtype), atol=1e-5 if dtype == 'float32' else 1e-12)
    module_parity(tm, em, rand(2, 6, 3, dtype=dtype), atol=1e-5 if dtype == 'float32' else 1e-12)


def test_linear_default_init_distribution():
    ember.manual_seed(0)
    m = ember.nn.Linear(400, 300)
    w, b = to_numpy(m.weight), to_numpy(m.bias)
    bound = 1 / math.sqrt(400)   # kaiming_uniform_(a=sqrt(5)) gives bound 1/sqrt(fan_in) too
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.98 * bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.01 * bound
    assert np.abs(b).max() <= bound and abs(w.mean()) < 0.01 * bound
    assert m.weight.requires_grad and m.bias.requires_grad
    m.reset_parameters()
    assert not np.array_equal(to_numpy(m.weight), w)
    with pytest.warns(UserWarning, match='zero-element'):
        z = ember.nn.Linear(0, 3)
    assert tuple(z.weight.shape) == (3, 0) and np.all(to_numpy(z.bias) == 0)


def test_bilinear_module():
    tm, em = torch.nn.Bilinear(3, 2, 4, dtype=torch.float64), ember.nn.Bilinear(3, 2, 4, dtype=ember.float64)
    assert repr(em) == repr(tm)
    module_parity(tm, em, rand(5, 3), rand(5, 2), atol=1e-12)
    ember.manual_seed(0)
    w = to_numpy(ember.nn.Bilinear(100, 5, 30).weight)
    assert np.abs(w).max() <= 0.1 and np.abs(w).max() > 0.098
    assert repr(ember.nn.Bilinear(1, 2, 3, bias=False)) == repr(torch.nn.Bilinear(1, 2, 3, bias=False))


def test_identity_flatten_unflatten():
    assert repr(ember.nn.Identity(3, a=4)) == repr(torch.nn.Identity(3, a=4))
    x = ember.randn(2, 3)
    assert ember.nn.Identity()(x) is x
    for args in [(), (0,), (1, 2), (-3, -1)]:
        tm, em = torch.nn.Flatten(*args), ember.nn.Flatten(*args)
        assert repr(em) == repr(tm)
        parity(lambda m, x: (tm if m is torch else em)(x), rand(2, 3, 4, 5))
    for size in [(2, 5), [2, 5], (-1, 5)]:
        tm, em = torch.nn.Unflatten(1, size), ember.nn.Unflatten(1, size)
        assert repr(em) == repr(tm)
        parity(lambda m, x: (tm if m is torch else em)(x), rand(3, 10))
    assert repr(ember.nn.Unflatten(-1, ember.Size([2, 5]))) == repr(torch.nn.Unflatten(-1, torch.Size([2, 5])))
    raises_like(lambda m: m.nn.Unflatten(1, ((2, 3),)))
    raises_like(lambda m: m.nn.Unflatten(1, 5))
