"""LayerNorm, GroupNorm, InstanceNorm, RMSNorm, LocalResponseNorm, CrossMapLRN2d vs torch."""
import warnings

import numpy as np
import pytest
import torch

import ember
from helpers import (parity, rand, raises_like, assert_same, copy_state, compare_state,  # noqa: F401
                     module_pair, module_step)

RNG = np.random.default_rng(11)


def pair(name, *args, dtype='float32', **kw):
    return module_pair(name, *args, dtype=dtype, rng=RNG, **kw)


def step(em, tm, x, atol=1e-5):
    return module_step(em, tm, x, atol, rng=RNG)


MODULES = [
    ('LayerNorm', (5,), {}), ('LayerNorm', ((2, 3),), dict(bias=False)),
    ('LayerNorm', ([3],), dict(elementwise_affine=False, eps=1e-3)),
    ('GroupNorm', (2, 4), {}), ('GroupNorm', (2, 4), dict(affine=False)),
    ('GroupNorm', (1, 4), dict(bias=False, eps=1e-3)),
    ('RMSNorm', (4,), {}), ('RMSNorm', ([2, 3],), dict(eps=1e-5)),
    ('RMSNorm', (3,), dict(elementwise_affine=False)),
    ('InstanceNorm1d', (3,), {}), ('InstanceNorm2d', (3,), dict(affine=True, track_running_stats=True)),
    ('InstanceNorm3d', (3,), dict(momentum=None, bias=False, affine=True)),
    ('LocalResponseNorm', (2,), {}), ('LocalResponseNorm', (3, 0.1, 0.5, 2.0), {}),
    ('CrossMapLRN2d', (3,), {}), ('CrossMapLRN2d', (5, 0.2, 0.6, 1.5), {}),
]


@pytest.mark.parametrize('name,args,kw', MODULES)
def test_repr_and_state_dict(name, args, kw):
    em, tm = getattr(ember.nn, name)(*args, **kw), getattr(torch.nn, name)(*args, **kw)
    assert repr(em) == repr(tm)
    compare_state(em, tm)


@pytest.mark.parametrize('dtype', ['float32', 'float64'])
@pytest.mark.parametrize('name,args,kw,shape', [
    ('LayerNorm', (5,), {}, (4, 5)), ('LayerNorm', ((2, 3),), dict(bias=False), (2, 4, 2, 3)),
    ('LayerNorm', (3,), dict(elementwise_affine=False), (3,)),
    ('GroupNorm', (2, 4), {}, (3, 4, 5)), ('GroupNorm', (2, 4), {}, (3, 4)),
    ('GroupNorm', (4, 4), dict(affine=False), (2, 4, 3, 2)), ('GroupNorm', (1, 6), {}, (2, 6, 2, 2, 2)),
    ('RMSNorm', (4,), {}, (3, 4)), ('RMSNorm', ([2, 3],), dict(eps=1e-5), (4, 2, 3)),
    ('InstanceNorm1d', (3,), {}, (2, 3, 5)), ('InstanceNorm1d', (3,), {}, (3, 5)),
    ('InstanceNorm2d', (3,), dict(affine=True), (2, 3, 4, 3)),
    ('InstanceNorm3d', (3,), dict(affine=True, bias=False), (2, 3, 2, 3, 2)),
    ('LocalResponseNorm', (3, 0.1, 0.5, 2.0), {}, (2, 5, 3)),
    ('LocalResponseNorm', (2,), {}, (2, 4, 3, 2)), ('LocalResponseNorm', (4, 0.3), {}, (2, 6, 2, 2, 2)),
    ('CrossMapLRN2d', (3, 0.5, 0.75, 2.0), {}, (2, 6, 2, 3)), ('CrossMapLRN2d', (2,), {}, (2, 3, 2, 2)),
    ('CrossMapLRN2d', (4, 0.5), {}, (2, 5, 2, 2)), ('CrossMapLRN2d', (7, 0.5), {}, (2, 3, 2, 2)), ('CrossMapLRN2d', (6, 0.5), {}, (2, 6, 2, 2)),
])
def test_module_parity(name, args, kw, shape, dtype):
    em, tm = pair(name, *args, dtype=dtype, **kw)
    atol = 1e-4 if dtype == 'float32' else 1e-10
    step(em, tm, rand(*shape, dtype=dtype), atol)


@pytest.mark.parametrize('kw', [dict(track_running_stats=True), dict(track_running_stats=True, momentum=None),
                                dict(track_running_stats=True, affine=True, momentum=0.3)])
def test_instance_norm_running_stats(kw):
    em, tm = pair('InstanceNorm2d', 3, **kw)
    for i in range(3):
        step(em, tm, (rand(2, 3, 4, 4, dtype='float32') * (i + 1) + i).astype('float32'), 1e-4)
        compare_state(em, tm, 1e-4)
    assert int(em.num_batches_tracked) == 0
    em.eval(), tm.eval()
    step(em, tm, rand(2, 3, 4, 4, dtype='float32'), 1e-4)
    compare_state(em, tm, 1e-4)


def test_instance_norm_eval_without_stats_uses_input_stats():
    em, tm = pair('InstanceNorm1d', 3)
    em.eval(), tm.eval()
    step(em, tm, rand(2, 3, 6, dtype='float32'), 1e-4)


def test_functional_parity():
    x = rand(3, 4, 5)

    def f(name):
        return lambda L: getattr(L.nn.functional, name)
    parity(lambda L, x, w, b: f('layer_norm')(L)(x, (5,), w, b), x, rand(5), rand(5))
    parity(lambda L, x, w: f('layer_norm')(L)(x, [4, 5], w, None, 1e-3), x, rand(4, 5))
    parity(lambda L, x: f('layer_norm')(L)(x.transpose(0, 2), (3,)), x)
    parity(lambda L, x, w, b: f('group_norm')(L)(x, 2, w, b), x, rand(4), rand(4))
    parity(lambda L, x: f('group_norm')(L)(x.transpose(1, 2), 5), x)
    parity(lambda L, x, w, b: f('instance_norm')(L)(x, weight=w, bias=b), x, rand(4), rand(4))
    parity(lambda L, x, w: f('instance_norm')(L)(x.transpose(0, 1), weight=w), x, rand(3))
    parity(lambda L, x, w: f('rms_norm')(L)(x, (5,), w), x, rand(5))
    parity(lambda L, x: f('rms_norm')(L)(x, [4, 5]), x)
    parity(lambda L, x: f('local_response_norm')(L)(x, 3, 0.5, 0.75, 2.0), x)
    parity(lambda L, x: f('local_response_norm')(L)(x.transpose(0, 2), 2, 0.5), x)
    parity(lambda L, x: f('local_response_norm')(L)(x, 9, 0.5), x)


def test_functional_instance_norm_running_stats():
    x = rand(3, 2, 5)
    res = {}
    for L in (ember, torch):
        rm, rv = L.zeros(2, dtype=L.float64), L.ones(2, dtype=L.float64)
        for m in (0.1, 0.5):
            L.nn.functional.instance_norm(L.tensor(x * m + m), rm, rv, momentum=m)
        y = L.nn.functional.instance_norm(L.tensor(x), rm, rv, use_input_stats=False)
        res[L] = (rm, rv, y)
    for e, t in zip(res[ember], res[torch]):
        assert_same(e, t, atol=1e-12)


def test_grad_fn_names():
    F = ember.nn.functional
    x = ember.randn(2, 4, 3, requires_grad=True)
    assert F.layer_norm(x, (3,)).grad_fn.name() == 'NativeLayerNormBackward0'
    assert F.group_norm(x, 2).grad_fn.name() == 'NativeGroupNormBackward0'
    assert F.local_response_norm(x, 2).grad_fn.name() == 'DivBackward0'


def test_half_layer_norm():
    x = rand(3, 4, dtype='float32')
    ye = ember.nn.functional.layer_norm(ember.tensor(x).half(), (4,))
    yt = torch.nn.functional.layer_norm(torch.tensor(x).half(), (4,))
    assert_same(ye, yt, atol=2e-3, rtol=2e-3)


@pytest.mark.parametrize('fn', [
    lambda x, w, b: ember.nn.functional.layer_norm(x, (3,), w, b),
    lambda x, w, b: ember.nn.functional.group_norm(x.reshape(2, 3, 1), 3, w, b),
    lambda x, w, b: ember.nn.functional.instance_norm(x.reshape(1, 2, 3)),
    lambda x, w, b: ember.nn.functional.rms_norm(x, (3,), w),
    lambda x, w, b: ember.nn.functional.local_response_norm(x.reshape(1, 2, 3), 2, 0.5, 0.75, 1.5),
])
def test_gradcheck(fn):
    from ember.autograd import gradcheck, gradgradcheck
    x = ember.tensor(rand(2, 3), requires_grad=True)
    w = ember.tensor(rand(3), requires_grad=True)
    b = ember.tensor(rand(3), requires_grad=True)
    assert gradcheck(fn, (x, w, b))
    assert gradgradcheck(fn, (x, w, b))


@pytest.mark.parametrize('fn,match', [
    (lambda L: L.nn.GroupNorm(4, 6), 'num_channels (6) must be divisible by num_groups (4)'),
    (lambda L: L.nn.functional.group_norm(L.randn(2, 6, 4), 4),
     'Expected number of channels in input to be divisible by num_groups'),
    (lambda L: L.nn.functional.group_norm(L.randn(3), 1), 'Expected at least 2 dimensions'),
    (lambda L: L.nn.functional.group_norm(L.randn(3, 4), 2, L.ones(3)), 'Expected weight to be a vector'),
    (lambda L: L.nn.LayerNorm(5)(L.randn(4, 3, 6)),
     'Given normalized_shape=[5], expected input with shape [*, 5], but got input of size[4, 3, 6]'),
    (lambda L: L.nn.functional.layer_norm(L.randn(3, 4), (4,), L.ones(3)),
     'Expected weight to be of same shape as normalized_shape'),
    (lambda L: L.nn.functional.layer_norm(L.ones(3, 4, dtype=L.int64), (4,)), "not implemented for 'Long'"),
    (lambda L: L.nn.functional.layer_norm(L.randn(3, 4, dtype=L.float64), (4,), L.ones(4)), 'mixed dtype'),
    (lambda L: L.nn.functional.rms_norm(L.randn(3, 4), (5,)), 'Given normalized_shape=[5]'),
    (lambda L: L.nn.InstanceNorm1d(3)(L.randn(2, 3, 1)), 'Expected more than 1 spatial element when training'),
    (lambda L: L.nn.InstanceNorm1d(3)(L.randn(2, 3, 4, 5)), 'expected 2D or 3D input (got 4D input)'),
    (lambda L: L.nn.InstanceNorm2d(3)(L.randn(2, 3)), 'expected 3D or 4D input (got 2D input)'),
    (lambda L: L.nn.InstanceNorm1d(3, affine=True)(L.randn(2, 4, 5)),
     "expected input's size at dim=1 to match num_features (3), but got: 4."),
    (lambda L: L.nn.functional.local_response_norm(L.randn(3), 2), 'Expected 3D or higher'),
    (lambda L: L.nn.CrossMapLRN2d(3)(L.randn(2, 3, 4)), 'CrossMapLRN2d: Expected input to be 4D, got 3D instead.'),
])
def test_errors(fn, match):
    raises_like(fn, match=match)


def test_instance_norm_channel_mismatch_warns():
    with pytest.warns(UserWarning, match='does not match num_features'):
        ember.nn.InstanceNorm1d(3)(ember.randn(2, 4, 5))


@pytest.mark.parametrize('name,shape', [('LazyInstanceNorm1d', (2, 3, 4)),
                                        ('LazyInstanceNorm2d', (2, 3, 4, 4)),
                                        ('LazyInstanceNorm3d', (2, 3, 2, 2, 2))])
def test_lazy_instance_norm(name, shape):
    em, tm = getattr(ember.nn, name)(), getattr(torch.nn, name)()
    assert repr(em) == repr(tm)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        step(em, tm, rand(*shape, dtype='float32'), 1e-4)
    assert type(em).__name__ == type(tm).__name__ == name[4:]
    assert repr(em) == repr(tm)
    compare_state(em, tm, 1e-4)


def test_lazy_instance_norm_unbatched_like_torch():
    raises_like(lambda L: L.nn.LazyInstanceNorm1d()(L.randn(3, 4)), match='to match num_features (4)')


@pytest.mark.parametrize('call', [
    lambda L, x, w, b: L.nn.functional.layer_norm(x, (4,), w, b),
    lambda L, x, w, b: L.nn.functional.group_norm(x, 2, w, b),
    lambda L, x, w, b: L.nn.functional.instance_norm(x, weight=w, bias=b),
    lambda L, x, w, b: L.nn.functional.batch_norm(x, None, None, w, b, training=True),
])
def test_parameter_grads_only(call):
    x, w, b = rand(3, 4, 4), rand(4), rand(4)
    grads = {}
    for L in (ember, torch):
        wt, bt = L.tensor(w, requires_grad=True), L.tensor(b, requires_grad=True)
        y = call(L, L.tensor(x), wt, bt)
        grads[L] = L.autograd.grad((y * y).sum(), (wt, bt))
    for e, t in zip(grads[ember], grads[torch]):
        assert_same(e, t, atol=1e-10)
