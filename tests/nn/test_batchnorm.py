"""BatchNorm family vs torch: functional batch_norm, BatchNorm1d/2d/3d, Lazy forms, SyncBatchNorm."""
import numpy as np
import pytest
import torch

import ember
from helpers import (parity, rand, raises_like, assert_same, to_numpy, copy_state,  # noqa: F401
                     compare_state, module_pair, module_step)

RNG = np.random.default_rng(7)


def pair(name, *args, dtype='float32', **kw):
    return module_pair(name, *args, dtype=dtype, rng=RNG, **kw)


def step(em, tm, x, atol=1e-5):
    return module_step(em, tm, x, atol, rng=RNG)


CASES = [('BatchNorm1d', (6, 3)), ('BatchNorm1d', (4, 3, 5)), ('BatchNorm2d', (4, 3, 5, 2)),
         ('BatchNorm3d', (2, 3, 3, 2, 4))]


@pytest.mark.parametrize('name,shape', CASES)
@pytest.mark.parametrize('momentum', [0.1, None])
@pytest.mark.parametrize('dtype', ['float32', 'float64'])
def test_training_steps_and_eval(name, shape, momentum, dtype):
    em, tm = pair(name, 3, momentum=momentum, dtype=dtype)
    atol = 1e-4 if dtype == 'float32' else 1e-10
    for i in range(3):
        x = (rand(*shape, dtype=dtype) * (i + 1) + i).astype(dtype)
        step(em, tm, x, atol)
        compare_state(em, tm, atol)
    assert int(em.num_batches_tracked) == 3 and em.num_batches_tracked.dtype is ember.int64
    em.eval(), tm.eval()
    step(em, tm, rand(*shape, dtype=dtype), atol)
    compare_state(em, tm, atol)            # eval leaves the statistics alone
    em.train(), tm.train()
    step(em, tm, rand(*shape, dtype=dtype), atol)
    compare_state(em, tm, atol)


@pytest.mark.parametrize('kw', [dict(affine=False), dict(track_running_stats=False),
                                dict(affine=False, track_running_stats=False), dict(bias=False),
                                dict(momentum=0.5, eps=1e-3)])
def test_options(kw):
    em, tm = pair('BatchNorm2d', 3, **kw)
    assert repr(em) == repr(tm)
    for mode in ('train', 'eval', 'train'):
        getattr(em, mode)(), getattr(tm, mode)()
        step(em, tm, rand(4, 3, 3, 3, dtype='float32'), 1e-4)
        compare_state(em, tm, 1e-4)


def test_channels_last_noncontiguous():
    em, tm = pair('BatchNorm2d', 3)
    x = rand(4, 5, 6, 3, dtype='float32')
    xe = ember.tensor(x, requires_grad=True)
    xt = torch.tensor(x, requires_grad=True)
    ye, yt = em(xe.permute(0, 3, 1, 2)), tm(xt.permute(0, 3, 1, 2))
    assert_same(ye, yt, atol=1e-4)
    ye.sum().backward(), yt.sum().backward()
    assert_same(xe.grad, xt.grad, atol=1e-4)
    compare_state(em, tm)


@pytest.mark.parametrize('name', ['BatchNorm1d', 'BatchNorm2d', 'BatchNorm3d', 'SyncBatchNorm'])
@pytest.mark.parametrize('kw', [{}, dict(momentum=None, affine=False), dict(track_running_stats=False),
                                dict(bias=False, eps=0.1)])
def test_repr_and_state_dict_keys(name, kw):
    em, tm = getattr(ember.nn, name)(5, **kw), getattr(torch.nn, name)(5, **kw)
    assert repr(em) == repr(tm)
    assert list(em.state_dict().keys()) == list(tm.state_dict().keys())
    compare_state(em, tm)
    assert [n for n, _ in em.named_parameters()] == [n for n, _ in tm.named_parameters()]


def test_functional_parity():
    x = rand(4, 3, 5)
    w, b = rand(3), rand(3)
    parity(lambda L, x, w, b: L.nn.functional.batch_norm(x, None, None, w, b, training=True), x, w, b)
    parity(lambda L, x, w, b: L.nn.functional.batch_norm(x, None, None, w, b, True, 0.1, 1e-3), x, w, b)
    parity(lambda L, x: L.nn.functional.batch_norm(x, None, None, training=True), x)
    rm, rv = rand(3), rand(3, low=0.5, high=2)
    parity(lambda L, x, w, b: L.nn.functional.batch_norm(
        x, L.tensor(rm), L.tensor(rv), w, b, training=False), x, w, b)
    # non-contiguous input, 2D input
    parity(lambda L, x, w: L.nn.functional.batch_norm(x.transpose(0, 2), None, None, w, None, True),
           rand(5, 3, 4), w)
    parity(lambda L, x, w, b: L.nn.functional.batch_norm(x, None, None, w, b, True), rand(7, 3), w, b)


def test_functional_running_stats_update():
    x = rand(6, 3, 4)
    res = {}
    for L in (ember, torch):
        rm, rv = L.zeros(3, dtype=L.float64), L.ones(3, dtype=L.float64)
        for m in (0.1, 0.3, 1.0):
            L.nn.functional.batch_norm(L.tensor(x * m), rm, rv, training=True, momentum=m)
        res[L] = (rm, rv)
    assert_same(res[ember][0], res[torch][0], atol=1e-12)
    assert_same(res[ember][1], res[torch][1], atol=1e-12)


def test_grad_fn_name():
    x = ember.randn(4, 3, requires_grad=True)
    assert type(ember.nn.functional.batch_norm(x, None, None, training=True).grad_fn).__name__ == \
        'NativeBatchNormBackward0'
    assert ember.nn.BatchNorm1d(3).eval()(x).grad_fn.name() == 'NativeBatchNormBackward0'


def test_gradcheck():
    from ember.autograd import gradcheck, gradgradcheck
    F = ember.nn.functional
    x = ember.tensor(rand(3, 2, 2), requires_grad=True)
    w = ember.tensor(rand(2), requires_grad=True)
    b = ember.tensor(rand(2), requires_grad=True)
    fn = lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True)  # noqa: E731
    assert gradcheck(fn, (x, w, b))
    assert gradgradcheck(fn, (x, w, b))
    rm, rv = ember.tensor(rand(2)), ember.tensor(rand(2, low=0.5, high=2))
    fe = lambda x, w, b: F.batch_norm(x, rm, rv, w, b, training=False)  # noqa: E731
    assert gradcheck(fe, (x, w, b))
    assert gradgradcheck(fe, (x, w, b))


def test_double_backward_matches_torch():
    x, w = rand(4, 3, 2), rand(3)
    out = {}
    for L in (ember, torch):
        xt, wt = L.tensor(x, requires_grad=True), L.tensor(w, requires_grad=True)
        y = L.nn.functional.batch_norm(xt, None, None, wt, None, training=True)
        g, = L.autograd.grad((y * y * y).sum(), xt, create_graph=True)
        gx, gw = L.autograd.grad((g * g).sum(), (xt, wt))
        out[L] = (g, gx, gw)
    for e, t in zip(out[ember], out[torch]):
        assert_same(e, t, atol=1e-9)


@pytest.mark.parametrize('fn,match', [
    (lambda L: L.nn.BatchNorm1d(3)(L.randn(2, 3, 4, 5)), 'expected 2D or 3D input (got 4D input)'),
    (lambda L: L.nn.BatchNorm2d(3)(L.randn(2, 3, 4)), 'expected 4D input (got 3D input)'),
    (lambda L: L.nn.BatchNorm3d(3)(L.randn(2, 3, 4)), 'expected 5D input (got 3D input)'),
    (lambda L: L.nn.BatchNorm1d(3)(L.randn(1, 3)),
     'Expected more than 1 value per channel when training, got input size torch.Size([1, 3])'),
    (lambda L: L.nn.BatchNorm2d(3)(L.randn(1, 3, 1, 1)), 'Expected more than 1 value per channel'),
    (lambda L: L.nn.BatchNorm1d(3)(L.randn(2, 4)), 'running_mean should contain 4 elements not 3'),
    (lambda L: L.nn.functional.batch_norm(L.randn(3, 4), None, None),
     'running_mean must be defined in evaluation mode'),
    (lambda L: L.nn.functional.batch_norm(L.randn(3, 4), None, None, L.ones(3), training=True),
     'weight should contain 4 elements not 3'),
    (lambda L: L.nn.BatchNorm1d(3)(L.ones(4, 3, dtype=L.int32)), "not implemented for 'Int'"),
    (lambda L: L.nn.BatchNorm1d(3)(L.randn(4, 3, dtype=L.float64)), 'mixed dtype'),
    (lambda L: L.nn.SyncBatchNorm(3)(L.randn(3)), 'expected at least 2D input (got 1D input)'),
])
def test_errors(fn, match):
    raises_like(fn, match=match)


def test_batch_one_eval_ok():
    em, tm = pair('BatchNorm1d', 3)
    em.eval(), tm.eval()
    step(em, tm, rand(1, 3, dtype='float32'))


def test_sync_batchnorm_single_process():
    em, tm = pair('SyncBatchNorm', 3)
    for mode in ('train', 'train', 'eval'):
        getattr(em, mode)(), getattr(tm, mode)()
        step(em, tm, rand(4, 3, 2, 2, dtype='float32'), 1e-4)
        compare_state(em, tm, 1e-4)


def test_convert_sync_batchnorm():
    def build(L):
        return L.nn.Sequential(L.nn.Linear(4, 3), L.nn.BatchNorm1d(3, momentum=None),
                               L.nn.Sequential(L.nn.BatchNorm2d(2, affine=False)))
    em, tm = build(ember), build(torch)
    em[1].eval()
    w = em[1].weight
    ce = ember.nn.SyncBatchNorm.convert_sync_batchnorm(em)
    ct = torch.nn.SyncBatchNorm.convert_sync_batchnorm(tm)
    assert repr(ce) == repr(ct)
    assert type(ce[1]) is ember.nn.SyncBatchNorm and type(ce[2][0]) is ember.nn.SyncBatchNorm
    assert ce[1].weight is w and ce[1].training is False and ce[1].momentum is None
    assert list(ce.state_dict().keys()) == list(ct.state_dict().keys())


@pytest.mark.parametrize('name,shape', [('LazyBatchNorm1d', (4, 5)), ('LazyBatchNorm2d', (2, 5, 3, 3)),
                                        ('LazyBatchNorm3d', (2, 5, 2, 2, 2))])
def test_lazy(name, shape):
    em, tm = getattr(ember.nn, name)(), getattr(torch.nn, name)()
    assert repr(em) == repr(tm)
    x = rand(*shape, dtype='float32')
    step(em, tm, x, 1e-4)
    assert type(em).__name__ == type(tm).__name__ == name[4:]
    assert repr(em) == repr(tm)
    compare_state(em, tm, 1e-4)


def test_lazy_load_state_dict():
    tm = torch.nn.BatchNorm2d(4)
    tm(torch.randn(3, 4, 2, 2))
    em = ember.nn.LazyBatchNorm2d()
    copy_state(em, tm)
    assert tuple(em.running_mean.shape) == (4,)
    np.testing.assert_allclose(to_numpy(em.running_mean), to_numpy(tm.running_mean))


def test_old_checkpoint_without_num_batches_tracked():
    em = ember.nn.BatchNorm1d(3)
    sd = em.state_dict()
    del sd['num_batches_tracked']
    sd._metadata[''] = {'version': 1}
    em.load_state_dict(sd)           # filled in, no missing key
    sd2 = ember.nn.BatchNorm1d(3).state_dict()
    del sd2['num_batches_tracked']
    with pytest.raises(RuntimeError, match='num_batches_tracked'):
        ember.nn.BatchNorm1d(3).load_state_dict(sd2)


def test_half_input():
    x = rand(4, 3, 2, dtype='float32')
    ye = ember.nn.functional.batch_norm(ember.tensor(x).half(), None, None, training=True)
    yt = torch.nn.functional.batch_norm(torch.tensor(x).half(), None, None, training=True)
    assert_same(ye, yt, atol=2e-3, rtol=2e-3)


def test_empty_batch():
    em, tm = pair('BatchNorm1d', 3)
    ye, yt = em(ember.randn(0, 3)), tm(torch.randn(0, 3))
    assert tuple(ye.shape) == tuple(yt.shape) == (0, 3)
    compare_state(em, tm)
