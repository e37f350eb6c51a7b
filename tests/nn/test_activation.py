"""nn.functional activations and their modules vs torch: values, dtypes, grads, double grads."""
import numpy as np
import pytest
import torch

import ember
from helpers import parity, rand, raises_like, to_numpy

CASES = [
    ('relu', lambda m, x: m.nn.functional.relu(x)),
    ('relu6', lambda m, x: m.nn.functional.relu6(x * 4)),
    ('leaky_relu', lambda m, x: m.nn.functional.leaky_relu(x, 0.2)),
    ('elu', lambda m, x: m.nn.functional.elu(x, 0.7)),
    ('selu', lambda m, x: m.nn.functional.selu(x)),
    ('celu', lambda m, x: m.nn.functional.celu(x, 1.3)),
    ('gelu', lambda m, x: m.nn.functional.gelu(x)),
    ('gelu_tanh', lambda m, x: m.nn.functional.gelu(x, approximate='tanh')),
    ('silu', lambda m, x: m.nn.functional.silu(x)),
    ('mish', lambda m, x: m.nn.functional.mish(x)),
    ('softplus', lambda m, x: m.nn.functional.softplus(x, beta=2.0, threshold=1.5)),
    ('softsign', lambda m, x: m.nn.functional.softsign(x)),
    ('hardtanh', lambda m, x: m.nn.functional.hardtanh(x, -0.5, 0.7)),
    ('hardsigmoid', lambda m, x: m.nn.functional.hardsigmoid(x * 3)),
    ('hardswish', lambda m, x: m.nn.functional.hardswish(x * 3)),
    ('hardshrink', lambda m, x: m.nn.functional.hardshrink(x, 0.4)),
    ('softshrink', lambda m, x: m.nn.functional.softshrink(x, 0.4)),
    ('tanhshrink', lambda m, x: m.nn.functional.tanhshrink(x)),
    ('threshold', lambda m, x: m.nn.functional.threshold(x, 0.1, -2.0)),
    ('logsigmoid', lambda m, x: m.nn.functional.logsigmoid(x * 10)),
    ('sigmoid', lambda m, x: m.nn.functional.sigmoid(x)),
    ('tanh', lambda m, x: m.nn.functional.tanh(x)),
    ('softmax', lambda m, x: m.nn.functional.softmax(x, dim=-1)),
    ('softmax0', lambda m, x: m.nn.functional.softmax(x, 0)),
    ('log_softmax', lambda m, x: m.nn.functional.log_softmax(x, dim=1)),
    ('softmin', lambda m, x: m.nn.functional.softmin(x, dim=1)),
    ('glu', lambda m, x: m.nn.functional.glu(x, dim=0)),
    ('rrelu_eval', lambda m, x: m.nn.functional.rrelu(x, training=False)),
]


@pytest.mark.parametrize('name,fn', CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize('dtype', ['float32', 'float64'])
def test_activation_parity(name, fn, dtype):
    x = rand(4, 6, dtype=dtype)
    parity(fn, x, atol=1e-5 if dtype == 'float32' else 1e-10)


@pytest.mark.parametrize('name,fn', CASES, ids=[c[0] for c in CASES])
def test_activation_non_contiguous_and_empty(name, fn):
    parity(lambda m, x: fn(m, x.t()), rand(6, 4))
    if name not in ('glu',):
        parity(fn, rand(0, 4))


@pytest.mark.parametrize('name,fn', CASES, ids=[c[0] for c in CASES])
def test_activation_gradcheck(name, fn):
    if name in ('relu', 'relu6', 'hardtanh', 'hardshrink', 'softshrink', 'threshold',
                'hardsigmoid', 'hardswish', 'rrelu_eval', 'leaky_relu'):
        x = ember.tensor(rand(4, 3) + 0.05, requires_grad=True)   # away from the kinks
    else:
        x = ember.tensor(rand(4, 3), requires_grad=True)
    assert ember.autograd.gradcheck(lambda t: fn(ember, t), (x,))
    if name not in ('relu', 'relu6', 'hardtanh', 'hardshrink', 'softshrink', 'threshold',
                    'hardsigmoid', 'hardswish', 'rrelu_eval', 'leaky_relu'):
        assert ember.autograd.gradgradcheck(lambda t: fn(ember, t), (x,))


def test_double_backward_matches_torch():
    x = rand(3, 5)
    for fn in (lambda m, t: m.nn.functional.gelu(t), lambda m, t: m.nn.functional.softmax(t, 1),
               lambda m, t: m.nn.functional.log_softmax(t, 1), lambda m, t: m.nn.functional.silu(t)):
        res = []
        for lib in (ember, torch):
            t = lib.tensor(x, requires_grad=True)
            y = fn(lib, t)
            g, = lib.autograd.grad((y * y).sum(), t, create_graph=True)
            gg, = lib.autograd.grad(g.sum(), t)
            res.append(to_numpy(gg))
        np.testing.assert_allclose(res[0], res[1], rtol=1e-7, atol=1e-9)


def test_prelu_parity():
    parity(lambda m, x, w: m.nn.functional.prelu(x, w), rand(2, 3, 4), rand(3))
    parity(lambda m, x, w: m.nn.functional.prelu(x, w), rand(2, 3, 4), rand(1))


def test_softmax_stable_for_large_logits():
    parity(lambda m, x: m.nn.functional.log_softmax(x, 1), rand(2, 5) * 1e4)
    parity(lambda m, x: m.nn.functional.softmax(x, 1), rand(2, 5) * 1e4)


def test_inplace_variants():
    for name in ('relu', 'leaky_relu', 'elu', 'selu', 'hardtanh', 'threshold'):
        args = {'threshold': (0.1, 2.0)}.get(name, ())
        res = []
        for lib in (ember, torch):
            x = lib.tensor(rand(3, 3, rng=np.random.default_rng(3)), requires_grad=True)
            y = x * 1.0
            out = getattr(lib.nn.functional, name)(y, *args, inplace=True)
            assert out is y
            y.sum().backward()
            res.append((to_numpy(y), to_numpy(x.grad)))
        np.testing.assert_allclose(res[0][0], res[1][0], rtol=1e-6)
        np.testing.assert_allclose(res[0][1], res[1][1], rtol=1e-6)


def test_errors_match_torch():
    raises_like(lambda m, x: m.nn.functional.glu(x, 0), rand(3, 2))
    raises_like(lambda m, x: m.nn.functional.gelu(x, approximate='fast'), rand(3))
    raises_like(lambda m, x: m.nn.functional.softmax(x, 2), rand(3, 2))
    raises_like(lambda m, x: m.nn.functional.leaky_relu(x), np.arange(3))


MODULES = [
    ('ReLU', (), {}), ('ReLU6', (), {'inplace': True}), ('LeakyReLU', (0.1,), {}),
    ('ELU', (), {'alpha': 0.5}), ('SELU', (), {}), ('CELU', (), {}), ('GELU', (), {'approximate': 'tanh'}),
    ('SiLU', (), {}), ('Mish', (), {}), ('Softplus', (), {'beta': 2}), ('Softsign', (), {}),
    ('Hardtanh', (-2.0, 2.0), {}), ('Hardsigmoid', (), {}), ('Hardswish', (), {}),
    ('Hardshrink', (), {}), ('Softshrink', (0.3,), {}), ('Tanhshrink', (), {}),
    ('Threshold', (0.1, 20.0), {}), ('LogSigmoid', (), {}), ('Sigmoid', (), {}), ('Tanh', (), {}),
    ('Softmax', (), {'dim': 1}), ('LogSoftmax', (), {'dim': 1}), ('Softmin', (), {'dim': 1}),
    ('Softmax2d', (), {}), ('GLU', (), {}), ('PReLU', (), {}), ('PReLU', (3,), {'init': 0.1}),
    ('RReLU', (), {}),
]


@pytest.mark.parametrize('name,args,kwargs', MODULES, ids=[m[0] + str(i) for i, m in enumerate(MODULES)])
def test_activation_modules(name, args, kwargs):
    em = getattr(ember.nn, name)(*args, **kwargs).eval()
    tm = getattr(torch.nn, name)(*args, **kwargs).eval()
    assert repr(em) == repr(tm)
    em.load_state_dict({k: ember.tensor(v.numpy()) for k, v in tm.state_dict().items()})
    x = rand(2, 3, 4, 4, dtype='float32')
    parity(lambda m, t: (em if m is ember else tm)(t * 1.0), x)
