"""Random ops: dtype/shape/device parity with torch, statistics on large samples, generator=
use and torch's errors. (Streams differ from torch's by design; only distributions match.)"""

import numpy as np
import pytest
import torch

import ember
from helpers import raises_like

N = 200_000


def meta(e, t):
    assert tuple(e.shape) == tuple(t.shape), (e.shape, t.shape)
    assert str(e.dtype) == str(t.dtype), (e.dtype, t.dtype)
    assert str(e.device) == str(t.device)
    assert e.requires_grad == t.requires_grad


def both(fn):
    torch.manual_seed(0)
    ember.manual_seed(0)
    e, t = fn(ember), fn(torch)
    if isinstance(t, torch.Tensor):
        meta(e, t)
    return e, t


def arr(t):
    t = t.detach()
    if t.dtype is ember.bfloat16:
        t = t.float()
    return np.asarray(t.numpy()).astype(np.complex128 if t.is_complex() else np.float64)


# ---------------------------------------------------------------------------- shapes and dtypes

@pytest.mark.parametrize('call', [
    lambda m: m.rand(2, 3), lambda m: m.rand((2, 3)), lambda m: m.rand([]), lambda m: m.rand(0, 3),
    lambda m: m.rand(4, dtype=m.float64), lambda m: m.rand(4, dtype=m.float16),
    lambda m: m.rand(4, dtype=m.bfloat16), lambda m: m.rand(4, dtype=m.complex64),
    lambda m: m.rand(3, requires_grad=True), lambda m: m.randn(2, 3), lambda m: m.randn(5, dtype=m.float64),
    lambda m: m.randn(5, dtype=m.complex128), lambda m: m.randn(m.Size([2, 2])),
    lambda m: m.randint(5, (3,)), lambda m: m.randint(2, 5, (3, 2)), lambda m: m.randint(low=2, high=5, size=(3,)),
    lambda m: m.randint(high=5, size=(3,)), lambda m: m.randint(5, size=(3,)),
    lambda m: m.randint(10, (3,), dtype=m.float32), lambda m: m.randint(2, (3,), dtype=m.bool),
    lambda m: m.randint(0, 255, (3,), dtype=m.uint8), lambda m: m.randint(-2 ** 63, 2 ** 63 - 1, (3,)),
    lambda m: m.randperm(5), lambda m: m.randperm(0), lambda m: m.randperm(5, dtype=m.float32),
    lambda m: m.normal(m.zeros(3), m.ones(3)), lambda m: m.normal(m.zeros(3), 2.0),
    lambda m: m.normal(0.0, m.ones(3)), lambda m: m.normal(0.0, 1.0, (2, 3)),
    lambda m: m.normal(0.0, 1.0, size=(2,), dtype=m.float64), lambda m: m.normal(2, 3, (2,)),
    lambda m: m.normal(m.zeros(3), m.ones(3, 1)), lambda m: m.normal(m.zeros(2, dtype=m.float64), m.ones(2)),
    lambda m: m.normal(m.zeros(2), m.ones(2, dtype=m.float64)),
    lambda m: m.normal(m.zeros(3, requires_grad=True), m.ones(3, requires_grad=True)),
    lambda m: m.normal(m.zeros(3, requires_grad=True), 1.0),
    lambda m: m.normal(0.0, m.ones(3, requires_grad=True)),
    lambda m: m.bernoulli(m.full((3,), 0.5)), lambda m: m.bernoulli(m.full((3,), 0.5, dtype=m.float64)),
    lambda m: m.bernoulli(m.ones(3), 0.5), lambda m: m.bernoulli(m.ones(3, requires_grad=True)),
    lambda m: m.multinomial(m.ones(4), 2), lambda m: m.multinomial(m.ones(2, 4), 6, True),
    lambda m: m.poisson(m.ones(2, 3)), lambda m: m.poisson(m.ones(2, dtype=m.float64)),
    lambda m: m.poisson(m.ones(2, requires_grad=True)),
    lambda m: m.rand_like(m.ones(2, 3, dtype=m.float64)), lambda m: m.randn_like(m.ones(2, 3)),
    lambda m: m.rand_like(m.ones(2), dtype=m.float16), lambda m: m.randint_like(m.ones(2), 5),
    lambda m: m.randint_like(m.ones(2, dtype=m.int32), 3, 5),
    lambda m: m.rand(2, generator=m.Generator(), device='cpu'), lambda m: m.rand(size=(2, 3)),
    lambda m: m.randn(size=[4]),
])
def test_meta_parity(call):
    both(call)


@pytest.mark.parametrize('name,args', [('rand_like', ()), ('randn_like', ()), ('randint_like', (5,))])
def test_like_layout_and_dtype(name, args):
    for src in (lambda m: m.ones(3, 4).t(), lambda m: m.ones(2, 3, 4).permute(2, 0, 1),
                lambda m: m.ones(2, 3, dtype=m.float64)):
        e, t = both(lambda m: getattr(m, name)(src(m), *args))
        assert e.stride() == t.stride()
    both(lambda m: getattr(m, name)(m.ones(2), *args, dtype=m.float64, requires_grad=True))


def test_grad_fn_names_and_zero_grads():
    for name, fn in [('NormalBackward3', lambda m, x: m.normal(x, x * 1)),
                     ('NormalBackward1', lambda m, x: m.normal(x, 1.0)),
                     ('NormalBackward2', lambda m, x: m.normal(0.0, x * 1)),
                     ('BernoulliBackward0', lambda m, x: m.bernoulli(x * 0.5)),
                     ('PoissonBackward0', lambda m, x: m.poisson(x * 1)),
                     ('UniformBackward0', lambda m, x: (x * 1).uniform_()),
                     ('NormalBackward0', lambda m, x: (x * 1).normal_()),
                     ('RandomBackward2', lambda m, x: (x * 1).random_()),
                     ('ExponentialBackward0', lambda m, x: (x * 1).exponential_()),
                     ('GeometricBackward0', lambda m, x: (x * 1).geometric_(0.5)),
                     ('LogNormalBackward0', lambda m, x: (x * 1).log_normal_()),
                     ('CauchyBackward0', lambda m, x: (x * 1).cauchy_()),
                     ('BernoulliBackward2', lambda m, x: (x * 1).bernoulli_()),
                     ('BernoulliBackward1', lambda m, x: (x * 1).bernoulli_(m.full((3,), 0.5)))]:
        for m in (ember, torch):
            x = m.ones(3, requires_grad=True)
            out = fn(m, x)
            assert out.grad_fn.name() == name
            out.sum().backward()
            assert x.grad.tolist() == [0.0, 0.0, 0.0], (name, m.__name__)


def test_default_dtype_respected():
    ember.set_default_dtype(ember.float64)
    try:
        assert ember.rand(2).dtype is ember.float64
        assert ember.randn(2).dtype is ember.float64
        assert ember.normal(0.0, 1.0, (2,)).dtype is ember.float64
        assert ember.randint(3, (2,)).dtype is ember.int64
    finally:
        ember.set_default_dtype(ember.float32)
    assert ember.rand(2).dtype is ember.float32


def test_out_arguments():
    for m in (ember, torch):
        o = m.empty(1)
        assert m.rand(2, 3, out=o) is o and tuple(o.shape) == (2, 3)
        o = m.empty(0, dtype=m.int64)
        m.randint(0, 10, (4,), out=o)
        assert tuple(o.shape) == (4,) and o.dtype == m.int64
        o = m.empty(3, dtype=m.int64)
        m.multinomial(m.tensor([0.2, 0.8]), 3, replacement=True, out=o)
        assert o.min().item() >= 0 and o.max().item() <= 1
        o = m.empty(2, dtype=m.int64)
        m.randperm(5, out=o)
        assert sorted(o.tolist()) == [0, 1, 2, 3, 4]


# ---------------------------------------------------------------------------- statistics

@pytest.mark.parametrize('dtype', ['float32', 'float64', 'float16', 'bfloat16'])
def test_rand_uniform_stats(dtype):
    x = arr(ember.rand(N, dtype=getattr(ember, dtype)))
    assert x.min() >= 0 and x.max() < 1
    assert abs(x.mean() - 0.5) < 0.01 and abs(x.var() - 1 / 12) < 0.01


@pytest.mark.parametrize('dtype', ['float32', 'float64'])
def test_randn_stats(dtype):
    x = arr(ember.randn(N, dtype=getattr(ember, dtype)))
    assert abs(x.mean()) < 0.01 and abs(x.std() - 1) < 0.01
    assert abs(((x - x.mean()) ** 3).mean()) < 0.05    # symmetric


def test_complex_samples():
    z = arr(ember.randn(N, dtype=ember.complex64))
    assert abs(z.mean()) < 0.01 and abs(np.mean(np.abs(z) ** 2) - 1) < 0.02
    u = arr(ember.rand(N, dtype=ember.complex128))
    assert 0 <= u.real.min() and u.real.max() < 1 and abs(u.imag.mean() - 0.5) < 0.01


def test_randint_and_randperm_stats():
    x = arr(ember.randint(-3, 7, (N,)))
    assert x.min() == -3 and x.max() == 6 and abs(x.mean() - 1.5) < 0.05
    counts = np.bincount((x + 3).astype(int), minlength=10) / N
    assert np.allclose(counts, 0.1, atol=0.01)
    p = ember.randperm(1000).tolist()
    assert sorted(p) == list(range(1000)) and p != list(range(1000))
    b = arr(ember.randint(2, (N,), dtype=ember.bool))
    assert abs(b.mean() - 0.5) < 0.01


def test_normal_modes_stats():
    x = arr(ember.normal(2.0, 3.0, (N,)))
    assert abs(x.mean() - 2) < 0.05 and abs(x.std() - 3) < 0.05
    mean = ember.tensor([[-5.0], [5.0]]).expand(2, N // 2)
    y = arr(ember.normal(mean, 0.5))
    assert np.allclose(y.mean(1), [-5, 5], atol=0.02) and np.allclose(y.std(1), 0.5, atol=0.02)
    std = ember.tensor([0.0, 1.0, 4.0]).reshape(3, 1).expand(3, N // 4)
    z = arr(ember.normal(1.0, std))
    assert np.allclose(z.std(1), [0, 1, 4], atol=0.05) and np.all(z[0] == 1.0)
    w = arr(ember.normal(ember.zeros(N // 2), ember.full((N // 2,), 2.0)))
    assert abs(w.std() - 2) < 0.05


def test_bernoulli_multinomial_poisson_stats():
    p = ember.linspace(0, 1, 5).reshape(5, 1).expand(5, N // 5).contiguous()
    b = arr(ember.bernoulli(p))
    assert set(np.unique(b)) <= {0.0, 1.0}
    assert np.allclose(b.mean(1), [0, 0.25, 0.5, 0.75, 1], atol=0.015)
    assert abs(arr(ember.bernoulli(ember.zeros(N), 0.3)).mean() - 0.3) < 0.01
    probs = ember.tensor([[0.1, 0.0, 0.6, 0.3], [1.0, 1.0, 0.0, 2.0]])
    s = arr(ember.multinomial(probs, N // 4, replacement=True)).astype(int)
    f0 = np.bincount(s[0], minlength=4) / s.shape[1]
    f1 = np.bincount(s[1], minlength=4) / s.shape[1]
    assert np.allclose(f0, [0.1, 0, 0.6, 0.3], atol=0.01) and np.allclose(f1, [0.25, 0.25, 0, 0.5], atol=0.01)
    # without replacement: distinct categories per row; first draw follows the distribution
    w = ember.tensor([1.0, 2.0, 3.0, 4.0]).expand(20000, 4).contiguous()
    s = arr(ember.multinomial(w, 3)).astype(int)
    assert all(len(set(r)) == 3 for r in s[:200])
    assert np.allclose(np.bincount(s[:, 0], minlength=4) / 20000, [0.1, 0.2, 0.3, 0.4], atol=0.015)
    # zero-probability categories come last, in order (torch picks [0, 1] for [1, 0, 0])
    for m in (ember, torch):
        assert m.multinomial(m.tensor([1.0, 0.0, 0.0]), 2).tolist() == [0, 1]
        assert m.multinomial(m.tensor([1.0, 0, 0]), 4, True).tolist() == [0, 0, 0, 0]
    lam = ember.tensor([0.0, 1.0, 10.0]).reshape(3, 1).expand(3, N // 4).contiguous()
    q = arr(ember.poisson(lam))
    assert np.allclose(q.mean(1), [0, 1, 10], atol=0.05) and np.allclose(q.var(1), [0, 1, 10], rtol=0.05, atol=0.01)


def test_inplace_sampler_stats():
    x = arr(ember.empty(N).uniform_(-2, 3))
    assert x.min() >= -2 and x.max() < 3 and abs(x.mean() - 0.5) < 0.02
    x = arr(ember.empty(N, dtype=ember.float64).normal_(1.0, 2.0))
    assert abs(x.mean() - 1) < 0.02 and abs(x.std() - 2) < 0.02
    x = arr(ember.empty(N).exponential_(2.0))
    assert x.min() >= 0 and abs(x.mean() - 0.5) < 0.01
    x = arr(ember.empty(N).geometric_(0.25))
    assert x.min() >= 1 and np.all(x == np.round(x)) and abs(x.mean() - 4) < 0.05
    x = arr(ember.empty(N, dtype=ember.int64).geometric_(0.5))
    assert abs(x.mean() - 2) < 0.02
    x = arr(ember.empty(N, dtype=ember.float64).log_normal_(0.5, 0.25))
    assert abs(np.log(x).mean() - 0.5) < 0.01 and abs(np.log(x).std() - 0.25) < 0.01
    x = arr(ember.empty(N).cauchy_(1.0, 2.0))
    assert abs(np.median(x) - 1) < 0.05 and abs(np.percentile(x, 75) - 3) < 0.1
    x = arr(ember.empty(N).bernoulli_(0.2))
    assert abs(x.mean() - 0.2) < 0.01 and set(np.unique(x)) <= {0.0, 1.0}
    x = arr(ember.empty(2, N // 2, dtype=ember.int64).bernoulli_(ember.tensor([[0.1], [0.9]])))
    assert np.allclose(x.mean(1), [0.1, 0.9], atol=0.01)


@pytest.mark.parametrize('dtype,top', [('float32', 2 ** 24), ('float64', 2 ** 53), ('float16', 2 ** 11),
                                       ('uint8', 255), ('int8', 127), ('int32', 2 ** 31 - 1),
                                       ('int64', 2 ** 63 - 1), ('bool', 1)])
def test_random_defaults(dtype, top):
    x = ember.empty(20000, dtype=getattr(ember, dtype)).random_()
    v = np.asarray(x.numpy()).astype(np.float64)
    assert v.min() >= 0 and v.max() <= top and np.all(v == np.round(v))
    assert v.max() > top * 0.9
    y = np.asarray(ember.empty(20000, dtype=getattr(ember, dtype)).random_(2).numpy()).astype(int)
    assert set(np.unique(y)) == {0, 1}


def test_random_ranges():
    x = arr(ember.empty(N, dtype=ember.int64).random_(-5, 5))
    assert x.min() == -5 and x.max() == 4
    x = arr(ember.empty(N).random_(0, 2 ** 20))
    assert x.max() < 2 ** 20 and np.all(x == np.round(x))
    for m in (ember, torch):   # beyond the float's exact-integer range: allowed, with a warning
        with pytest.warns(UserWarning, match='out of bounds'):
            assert m.empty(5).random_(0, 2 ** 30).max().item() < 2 ** 30


def test_inplace_keeps_storage_and_bumps_version():
    x = ember.zeros(4, 5)
    v = x.t()
    ptr, ver = x.data_ptr(), x._version
    v.uniform_()
    assert x.data_ptr() == ptr and x._version > ver and np.all(arr(x) > 0) or np.all(arr(x) >= 0)
    assert np.array_equal(arr(v), arr(x).T)


# ---------------------------------------------------------------------------- errors

@pytest.mark.parametrize('call', [
    lambda m: m.randint(3, 3, (2,)), lambda m: m.randint(5, 3, (2,)), lambda m: m.randint(5, (-2,)),
    lambda m: m.randint(0, 300, (2,), dtype=m.uint8), lambda m: m.randint(10, (2,), dtype=m.bool),
    lambda m: m.randint(5.5, size=(3,)), lambda m: m.randint(0, 2 ** 63, size=(3,)),
    lambda m: m.randint(5, 3), lambda m: m.randint(5),
    lambda m: m.rand(-2), lambda m: m.rand(2, -1), lambda m: m.randn(2, dtype=m.int64),
    lambda m: m.rand(2, dtype=m.int64), lambda m: m.rand(), lambda m: m.randperm(-1),
    lambda m: m.normal(m.ones(2), -1.0), lambda m: m.normal(m.ones(3), m.ones(2)),
    lambda m: m.normal(m.ones(2), -m.ones(2)), lambda m: m.normal(0.0, -m.ones(2)),
    lambda m: m.normal(m.ones(3, dtype=m.int64), m.ones(3)), lambda m: m.normal(2.0, 3.0),
    lambda m: m.normal(0.0, -1.0, (2,)),
    lambda m: m.multinomial(m.tensor([1.0, 0, 0]), 4), lambda m: m.multinomial(m.tensor([-1.0, 0, 0]), 1),
    lambda m: m.multinomial(m.tensor([0.0, 0, 0]), 1), lambda m: m.multinomial(m.tensor([1, 0, 0]), 1),
    lambda m: m.multinomial(m.ones(2, 2, 2), 1), lambda m: m.multinomial(m.ones(3), 0),
    lambda m: m.multinomial(m.tensor([1.0, float('nan')]), 1),
    lambda m: m.multinomial(m.tensor([[1.0, 1.0], [0.0, 0.0]]), 1),
    lambda m: m.bernoulli(m.tensor([2.0, 0])), lambda m: m.bernoulli(m.tensor([1.0, 0]), 2.0),
    lambda m: m.bernoulli(m.tensor([1, 0])),
    lambda m: m.poisson(m.tensor([1.0, -1])), lambda m: m.poisson(m.tensor([1, 2])),
    lambda m: m.rand_like(m.ones(2, dtype=m.int64)),
    lambda m: m.zeros(2, requires_grad=True).uniform_(), lambda m: m.zeros(2, dtype=m.int64).uniform_(),
    lambda m: m.zeros(2).uniform_(2, 1), lambda m: m.zeros(2).normal_(0, -1),
    lambda m: m.zeros(2, dtype=m.int64).normal_(), lambda m: m.zeros(2).exponential_(-1),
    lambda m: m.zeros(2).exponential_(0), lambda m: m.zeros(2, dtype=m.int64).exponential_(),
    lambda m: m.zeros(2).geometric_(0), lambda m: m.zeros(2).geometric_(1),
    lambda m: m.zeros(2).log_normal_(0, 0), lambda m: m.zeros(2, dtype=m.int64).log_normal_(),
    lambda m: m.zeros(2, dtype=m.int64).cauchy_(), lambda m: m.zeros(2, dtype=m.uint8).random_(0, 300),
    lambda m: m.zeros(2, dtype=m.int8).random_(0, 200), lambda m: m.zeros(2, dtype=m.uint8).random_(-5, 0),
    lambda m: m.zeros(2, dtype=m.int64).random_(5, 5), lambda m: m.zeros(2).bernoulli_(2.0),
    lambda m: m.zeros(3).uniform_(0, float('inf')), lambda m: m.zeros(3, dtype=m.float16).random_(0, 70000),
])
def test_errors_like_torch(call):
    raises_like(call)


def test_error_messages():
    e = raises_like(lambda m: m.randint(3, 3, (2,)), match="random_ expects 'from' to be less than 'to'")
    raises_like(lambda m: m.multinomial(m.tensor([1.0, 0, 0]), 4), match='without replacement')
    raises_like(lambda m: m.multinomial(m.tensor([0.0, 0]), 1), match='sum of probabilities <= 0')
    raises_like(lambda m: m.normal(m.ones(2), -1.0), match='normal expects std >= 0.0, but found std -1')
    raises_like(lambda m: m.zeros(2).geometric_(0), match='geometric_ expects p to be in (0, 1), but got p=0')
    raises_like(lambda m: m.rand(-2), match='negative dimension -2')
    assert e is not None
