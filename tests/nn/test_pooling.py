"""Pooling functionals and modules against torch: values, indices, grads, errors, reprs."""
import numpy as np
import pytest
import torch

import ember
from helpers import parity, rand, raises_like, assert_same

R = np.random.default_rng(3)


def _in(*shape, dtype='float64'):
    # distinct values: no ties, so argmax positions (and gradients) are well defined
    n = int(np.prod(shape))
    return (R.permutation(n).reshape(shape) / max(n, 1) * 4 - 2).astype(dtype)


MAX2D = [dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1),
         dict(kernel_size=3, stride=2, padding=1, ceil_mode=True),
         dict(kernel_size=(2, 3), stride=(1, 2), dilation=(2, 1), ceil_mode=True),
         dict(kernel_size=3, stride=1, padding=1), dict(kernel_size=(3, 2), stride=2, dilation=2, padding=1),
         dict(kernel_size=2, stride=3, ceil_mode=True), dict(kernel_size=4, stride=[])]


@pytest.mark.parametrize('kw', MAX2D)
@pytest.mark.parametrize('shape', [(2, 3, 9, 8), (1, 1, 7, 7), (3, 8, 9)])
def test_max_pool2d(kw, shape):
    x = _in(*shape)
    parity(lambda L, x: L.nn.functional.max_pool2d(x, return_indices=True, **kw), x)
    parity(lambda L, x: L.nn.functional.max_pool2d(x, **kw), x.astype('float32'))


@pytest.mark.parametrize('kw', [dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True),
                                dict(kernel_size=2, dilation=3, stride=1)])
def test_max_pool1d_3d(kw):
    parity(lambda L, x: L.nn.functional.max_pool1d(x, return_indices=True, **kw), _in(2, 3, 11))
    parity(lambda L, x: L.nn.functional.max_pool1d(x, **kw), _in(3, 11))
    parity(lambda L, x: L.nn.functional.max_pool3d(x, return_indices=True, **kw), _in(2, 2, 7, 6, 8))
    parity(lambda L, x: L.nn.functional.max_pool3d(x, **kw), _in(2, 7, 6, 8))


def test_max_pool_noncontiguous_nan_grad_fn():
    x = _in(2, 3, 8, 9)
    parity(lambda L, x: L.nn.functional.max_pool2d(x.transpose(2, 3), 3, 2, 1, return_indices=True), x)
    parity(lambda L, x: L.nn.functional.max_pool2d(x[:, ::2, 1:], 2), x)
    y = x.copy()
    y[0, 0, 1, 1] = np.nan
    parity(lambda L, x: L.nn.functional.max_pool2d(x, 2, return_indices=True), y, grad=False)
    # NaN first in its window (larger values after it), two NaNs in one window, overlapping windows
    y[0, 1, 0, 0] = np.nan
    y[0, 1, 0, 1] = 50.0
    y[1, 2, 4, 4] = y[1, 2, 5, 5] = np.nan
    for args in [(2,), (3, 2, 1), (3, 1)]:
        parity(lambda L, x: L.nn.functional.max_pool2d(x, *args, return_indices=True), y, grad=False)
    out = ember.nn.functional.max_pool2d(ember.tensor(x, requires_grad=True), 2)
    assert out.grad_fn.name() == 'MaxPool2DWithIndicesBackward0'
    out = ember.nn.functional.max_pool3d(ember.tensor(_in(1, 1, 4, 4, 4), requires_grad=True), 2)
    assert out.grad_fn.name() == 'MaxPool3DWithIndicesBackward0'


def test_max_pool_int_and_empty_batch():
    parity(lambda L, x: L.nn.functional.max_pool2d(x, 2, return_indices=True), rand(2, 3, 6, 6, dtype='int64'))
    parity(lambda L, x: L.nn.functional.max_pool2d(x, 2), np.zeros((0, 3, 6, 6)))


def test_max_pool_errors():
    x = _in(2, 3, 7, 7)
    raises_like(lambda L, x: L.nn.functional.max_pool2d(x, 3, padding=2), x, match='pad should be at most half')
    raises_like(lambda L, x: L.nn.functional.max_pool2d(x, 9), x, match='Output size is too small')
    raises_like(lambda L, x: L.nn.functional.max_pool2d(x, (2, 2, 2)), x, match='kernel_size must either')
    raises_like(lambda L, x: L.nn.functional.max_pool2d(x, 2, 0), x, match='stride should not be zero')
    raises_like(lambda L, x: L.nn.functional.max_pool2d(x, 2, dilation=0), x, match='dilation')
    raises_like(lambda L, x: L.nn.functional.max_pool2d(x, 2), _in(7, 7), match='expected')
    raises_like(lambda L, x: L.nn.functional.max_pool1d(x, 2), x, match='Expected 2D or 3D')
    raises_like(lambda L, x: L.nn.functional.max_pool2d(x, 2), _in(1, 0, 4, 4), match='Expected')


def test_max_pool_double_backward():
    x = ember.tensor(_in(1, 2, 5, 5), requires_grad=True)
    tx = torch.tensor(x.detach().numpy(), requires_grad=True)
    outs = []
    for L, v in ((ember, x), (torch, tx)):
        y = L.nn.functional.max_pool2d(v, 3, 1, 1)
        g, = L.autograd.grad((y * y).sum(), v, create_graph=True)
        gg, = L.autograd.grad((g * g).sum(), v)
        outs.append(gg)
    assert_same(*outs)


AVG2D = [dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1),
         dict(kernel_size=3, stride=2, padding=1, ceil_mode=True),
         dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, count_include_pad=False),
         dict(kernel_size=(2, 3), stride=(3, 1), padding=(1, 1), divisor_override=5),
         dict(kernel_size=2, stride=3, ceil_mode=True, count_include_pad=False)]


@pytest.mark.parametrize('kw', AVG2D)
@pytest.mark.parametrize('shape', [(2, 3, 9, 8), (3, 7, 7)])
def test_avg_pool2d(kw, shape):
    x = rand(*shape)
    parity(lambda L, x: L.nn.functional.avg_pool2d(x, **kw), x)
    parity(lambda L, x: L.nn.functional.avg_pool2d(x.transpose(-1, -2), **kw), x.astype('float32'))


@pytest.mark.parametrize('kw', [dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True),
                                dict(kernel_size=3, stride=2, padding=1, count_include_pad=False)])
def test_avg_pool1d_3d(kw):
    parity(lambda L, x: L.nn.functional.avg_pool1d(x, **kw), rand(2, 3, 11))
    parity(lambda L, x: L.nn.functional.avg_pool1d(x, **kw), rand(3, 11))
    parity(lambda L, x: L.nn.functional.avg_pool3d(x, **kw), rand(2, 2, 7, 6, 8))
    parity(lambda L, x: L.nn.functional.avg_pool3d(x, divisor_override=3, **kw), rand(2, 7, 6, 8))


def test_avg_pool_int_grad_fn_errors():
    parity(lambda L, x: L.nn.functional.avg_pool2d(x, 2, 1), rand(2, 3, 5, 5, dtype='int64', low=-9, high=9))
    out = ember.nn.functional.avg_pool2d(ember.tensor(rand(1, 1, 4, 4), requires_grad=True), 2)
    assert out.grad_fn.name() == 'AvgPool2DBackward0'
    raises_like(lambda L, x: L.nn.functional.avg_pool2d(x, 3, padding=2), rand(1, 1, 5, 5), match='pad should')
    raises_like(lambda L, x: L.nn.functional.avg_pool1d(x, 2), rand(1, 1, 5, 5), match='dimensions')
    raises_like(lambda L, x: L.nn.functional.avg_pool2d(x, 7), rand(1, 1, 5, 5), match='too small')


@pytest.mark.parametrize('osz', [(3, 5), (4, 8), (1, 2), 5, (None, 3), (9, 16)])
def test_adaptive_pool2d(osz):
    x = _in(2, 3, 9, 8)
    parity(lambda L, x: L.nn.functional.adaptive_avg_pool2d(x, osz), x)
    parity(lambda L, x: L.nn.functional.adaptive_max_pool2d(x, osz, return_indices=True), x)
    parity(lambda L, x: L.nn.functional.adaptive_max_pool2d(x.transpose(1, 2), osz), x)
    parity(lambda L, x: L.nn.functional.adaptive_avg_pool2d(x[0], osz), x.astype('float32'))


@pytest.mark.parametrize('osz', [1, 4, 7, 10])
def test_adaptive_pool1d_3d(osz):
    parity(lambda L, x: L.nn.functional.adaptive_avg_pool1d(x, osz), _in(2, 3, 7))
    parity(lambda L, x: L.nn.functional.adaptive_max_pool1d(x, osz, True), _in(3, 7))
    parity(lambda L, x: L.nn.functional.adaptive_avg_pool3d(x, osz), _in(2, 2, 5, 7, 6))
    parity(lambda L, x: L.nn.functional.adaptive_max_pool3d(x, osz, True), _in(2, 5, 7, 6))


def test_adaptive_errors_and_names():
    raises_like(lambda L, x: L.nn.functional.adaptive_avg_pool2d(x, 2), rand(5), match='Expected')
    raises_like(lambda L, x: L.nn.functional.adaptive_avg_pool2d(x, 2), rand(2, 3, 3, dtype='int64'), match='not implemented')
    raises_like(lambda L, x: L.nn.functional.adaptive_max_pool2d(x, (2, 2, 2)), rand(1, 3, 4, 4), match='output_size')
    x = ember.tensor(rand(1, 2, 4, 4), requires_grad=True)
    assert ember.nn.functional.adaptive_avg_pool2d(x, 2).grad_fn.name() == 'AdaptiveAvgPool2DBackward0'
    assert ember.nn.functional.adaptive_max_pool2d(x, 3).grad_fn.name() == 'AdaptiveMaxPool2DBackward0'


@pytest.mark.parametrize('p', [1.0, 2.0, 3.0])
def test_lp_pool(p):
    x = rand(2, 3, 8, 7, low=0.1, high=2.0)
    parity(lambda L, x: L.nn.functional.lp_pool2d(x, p, 2), x)
    parity(lambda L, x: L.nn.functional.lp_pool2d(x, p, (3, 2), stride=2, ceil_mode=True), x)
    parity(lambda L, x: L.nn.functional.lp_pool1d(x, p, 3, 2), x[0])
    parity(lambda L, x: L.nn.functional.lp_pool3d(x, p, 2), rand(1, 2, 4, 5, 6, low=0.1, high=2.0))


@pytest.mark.parametrize('nd,kw', [(2, dict(kernel_size=2, output_size=4)), (2, dict(kernel_size=3, output_size=(5, 3))),
                                   (2, dict(kernel_size=(2, 3), output_ratio=(0.5, 0.5))), (2, dict(kernel_size=2, output_size=1)),
                                   (3, dict(kernel_size=2, output_size=(3, 4, 2))), (3, dict(kernel_size=2, output_ratio=(0.5, 0.7, 0.6)))])
@pytest.mark.parametrize('dtype', ['float32', 'float64'])
def test_fractional_max_pool(nd, kw, dtype):
    shape = (2, 3, 9, 8) if nd == 2 else (2, 2, 7, 8, 6)
    x = _in(*shape, dtype=dtype)
    s = R.random((2, shape[1], nd)).astype(dtype)
    fn = 'fractional_max_pool%dd' % nd
    parity(lambda L, x: getattr(L.nn.functional, fn)(x, return_indices=True, _random_samples=L.tensor(s), **kw), x)
    parity(lambda L, x: getattr(L.nn.functional, fn)(x[0], _random_samples=L.tensor(s[:1]), **kw), x)
    e = getattr(ember.nn.functional, fn)(ember.tensor(x), **kw)       # own random samples
    t = getattr(torch.nn.functional, fn)(torch.tensor(x), **kw)
    assert tuple(e.shape) == tuple(t.shape)


def test_fractional_errors():
    raises_like(lambda L, x: L.nn.functional.fractional_max_pool2d(x, 2), rand(1, 1, 5, 5), match='output_size or an output_ratio')
    raises_like(lambda L, x: L.nn.functional.fractional_max_pool2d(x, 3, output_size=4), rand(1, 1, 5, 5), match='too large')


@pytest.mark.parametrize('nd', [1, 2, 3])
def test_max_unpool(nd):
    shape = (2, 3) + (8, 6, 4)[:nd]
    x = _in(*shape)
    fn_p, fn_u = 'max_pool%dd' % nd, 'max_unpool%dd' % nd

    def f(L, x):
        y, i = getattr(L.nn.functional, fn_p)(x, 2, return_indices=True)
        return getattr(L.nn.functional, fn_u)(y, i, 2), getattr(L.nn.functional, fn_u)(y, i, 2, output_size=x.shape[2:])
    parity(f, x)

    def g(L, x):
        y, i = getattr(L.nn.functional, fn_p)(x, 3, 2, 1, return_indices=True)
        return getattr(L.nn.functional, fn_u)(y, i, 3, 2, 1, output_size=x.shape[-nd:])
    parity(g, x)
    parity(g, x[0])


def test_max_unpool_errors():
    y = rand(1, 1, 2, 2)
    raises_like(lambda L, y, i: L.nn.functional.max_unpool2d(y, i, 2), y, np.array([[[[0, 1], [2, 100]]]]),
                match='invalid max index')
    raises_like(lambda L, y, i: L.nn.functional.max_unpool2d(y, i, 2, output_size=(9, 9)), y,
                np.array([[[[0, 1], [2, 3]]]]), match='output_size')


def test_gradcheck():
    gc = ember.autograd.gradcheck
    x = ember.tensor(_in(1, 2, 5, 6), requires_grad=True)
    assert gc(lambda x: ember.nn.functional.max_pool2d(x, 2, 1, 1, ceil_mode=True), (x,))
    assert gc(lambda x: ember.nn.functional.avg_pool2d(x, 3, 2, 1, True, False), (x,))
    assert gc(lambda x: ember.nn.functional.adaptive_avg_pool2d(x, (3, 4)), (x,))
    assert gc(lambda x: ember.nn.functional.adaptive_max_pool2d(x, (3, 4)), (x,))
    assert gc(lambda x: ember.nn.functional.lp_pool2d(x.abs() + 0.5, 2.0, 2), (x,))
    y, i = ember.nn.functional.max_pool2d(x.detach(), 2, return_indices=True)
    y.requires_grad_(True)
    assert gc(lambda y: ember.nn.functional.max_unpool2d(y, i, 2), (y,))
    if hasattr(ember.autograd, 'gradgradcheck'):
        assert ember.autograd.gradgradcheck(lambda x: ember.nn.functional.avg_pool2d(x, 2, 1), (x,))


MODULES = [('MaxPool2d', (3,), dict(stride=2, padding=1, ceil_mode=True)), ('MaxPool1d', (3, 2, 1, 2, True, True), {}),
           ('MaxPool3d', (2,), {}), ('AvgPool1d', (3,), {}), ('AvgPool2d', (3,), dict(stride=2, divisor_override=2)),
           ('AvgPool3d', ((2, 1, 2),), {}), ('AdaptiveAvgPool2d', ((3, None),), {}), ('AdaptiveAvgPool1d', (3,), {}),
           ('AdaptiveAvgPool3d', (2,), {}), ('AdaptiveMaxPool2d', (3, True), {}), ('AdaptiveMaxPool1d', (3,), {}),
           ('AdaptiveMaxPool3d', ((2, 1, 2),), {}), ('LPPool2d', (2, 3), {}), ('LPPool1d', (2, 3, 2), {}),
           ('LPPool3d', (1, 2), {}), ('FractionalMaxPool2d', (2,), dict(output_ratio=0.5)),
           ('FractionalMaxPool3d', (2,), dict(output_size=3)), ('MaxUnpool2d', (2,), {}), ('MaxUnpool1d', (2,), {}),
           ('MaxUnpool3d', (2, 1), {})]


@pytest.mark.parametrize('name,args,kw', MODULES)
def test_module_repr(name, args, kw):
    assert repr(getattr(ember.nn, name)(*args, **kw)) == repr(getattr(torch.nn, name)(*args, **kw))


def test_modules_forward():
    x = _in(2, 3, 9, 8)
    for name, args, kw in MODULES:
        if 'Unpool' in name or 'Fractional' in name:
            continue
        nd = int(name[-2])
        xin = x if nd == 2 else x[:, :, 0] if nd == 1 else x[:, :, None].repeat(3, axis=2)
        if 'LP' in name:
            xin = np.abs(xin) + 0.1
        parity(lambda L, x: getattr(L.nn, name)(*args, **kw)(x), xin)
    mp, up = ember.nn.MaxPool2d(2, return_indices=True), ember.nn.MaxUnpool2d(2)
    tmp, tup = torch.nn.MaxPool2d(2, return_indices=True), torch.nn.MaxUnpool2d(2)
    assert_same(up(*mp(ember.tensor(x)), output_size=(9, 8)), tup(*tmp(torch.tensor(x)), output_size=(9, 8)))
    s = R.random((2, 3, 2))
    e = ember.nn.FractionalMaxPool2d(2, output_size=4, _random_samples=ember.tensor(s))(ember.tensor(x))
    t = torch.nn.FractionalMaxPool2d(2, output_size=4, _random_samples=torch.tensor(s))(torch.tensor(x))
    assert_same(e, t)
