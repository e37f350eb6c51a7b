"""ember.distributions vs torch.distributions: values and parameter gradients of log_prob,
entropy, cdf/icdf, moments; sample shapes and statistics; KL; validation errors."""
import numpy as np
import pytest
import torch

import ember

R = np.random.default_rng(0)
POS = R.uniform(0.5, 2.0, (3, 4))
POS2 = R.uniform(0.5, 2.0, (3, 4))
LOC = R.standard_normal((3, 4))
X = R.standard_normal((2, 3, 4))
XPOS = R.uniform(0.1, 3.0, (2, 3, 4))
XUNIT = R.uniform(0.05, 0.95, (2, 3, 4))
PROBS = R.uniform(0.1, 1.0, (3, 5))
CAT_V = R.integers(0, 5, (2, 3))
A = R.standard_normal((2, 3, 3))
COV = A @ A.transpose(0, 2, 1) + 3 * np.eye(3)
MLOC = R.standard_normal((2, 3))
MX = R.standard_normal((4, 2, 3))


def _run(lib, make, params, quantity, value):
    ps = [lib.tensor(p, requires_grad=True) for p in params]
    d = make(lib, *ps)
    v = None if value is None else lib.tensor(value)
    out = quantity(d, v)
    grads = []
    if out.requires_grad:
        gs = (lib.autograd.grad(out.sum(), ps, allow_unused=True))
        grads = [None if g is None else g.detach().numpy() for g in gs]
    return out.detach().numpy(), grads


def _check(make, params, quantity, value=None, rtol=1e-6, atol=1e-8):
    e_out, e_g = _run(ember, make, params, quantity, value)
    t_out, t_g = _run(torch, make, params, quantity, value)
    np.testing.assert_allclose(e_out, t_out, rtol=rtol, atol=atol, equal_nan=True)
    assert e_out.shape == t_out.shape and e_out.dtype == t_out.dtype
    assert len(e_g) == len(t_g)
    for a, b in zip(e_g, t_g):
        if b is None:
            assert a is None or np.allclose(a, 0)
        else:
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-8)


CASES = {
    'Normal': (lambda L, a, b: L.distributions.Normal(a, b), [LOC, POS], X),
    'Laplace': (lambda L, a, b: L.distributions.Laplace(a, b), [LOC, POS], X),
    'Uniform': (lambda L, a, b: L.distributions.Uniform(a - 3.5, a + b + 3.5), [LOC, POS], X),
    'Exponential': (lambda L, a: L.distributions.Exponential(a), [POS], XPOS),
    'Gamma': (lambda L, a, b: L.distributions.Gamma(a, b), [POS, POS2], XPOS),
    'Beta': (lambda L, a, b: L.distributions.Beta(a, b), [POS, POS2], XUNIT),
    'Bernoulli_p': (lambda L, p: L.distributions.Bernoulli(probs=p / 2.5), [POS],
                    (XUNIT > 0.5).astype('float64')),
    'Bernoulli_l': (lambda L, p: L.distributions.Bernoulli(logits=p), [LOC],
                    (XUNIT > 0.5).astype('float64')),
    'Categorical_p': (lambda L, p: L.distributions.Categorical(probs=p), [PROBS], CAT_V),
    'Categorical_l': (lambda L, p: L.distributions.Categorical(logits=p), [PROBS], CAT_V),
    'OneHot': (lambda L, p: L.distributions.OneHotCategorical(probs=p), [PROBS],
               np.eye(5)[CAT_V]),
    'MVN_cov': (lambda L, m, a: L.distributions.MultivariateNormal(
        m, covariance_matrix=a @ a.mT + 3 * L.eye(3, dtype=L.float64)), [MLOC, A], MX),
    'MVN_tril': (lambda L, m, a: L.distributions.MultivariateNormal(
        m, scale_tril=a.tril(-1) + L.diag_embed(a.diagonal(dim1=-2, dim2=-1).exp())),
        [MLOC, A], MX),
    'MVN_prec': (lambda L, m, a: L.distributions.MultivariateNormal(
        m, precision_matrix=a @ a.mT + 3 * L.eye(3, dtype=L.float64)), [MLOC, A], MX),
    'Independent': (lambda L, a, b: L.distributions.Independent(
        L.distributions.Normal(a, b), 1), [LOC, POS], X),
}

QUANTITIES = {
    'log_prob': lambda d, v: d.log_prob(v),
    'entropy': lambda d, v: d.entropy(),
    'mean': lambda d, v: d.mean,
    'variance': lambda d, v: d.variance,
    'stddev': lambda d, v: d.stddev,
    'mode': lambda d, v: d.mode,
}


@pytest.mark.parametrize('qname', list(QUANTITIES))
@pytest.mark.parametrize('name', list(CASES))
def test_values_and_grads(name, qname):
    make, params, value = CASES[name]
    _check(make, params, QUANTITIES[qname], value)


@pytest.mark.parametrize('name', ['Normal', 'Laplace', 'Uniform', 'Exponential'])
def test_cdf_icdf(name):
    make, params, value = CASES[name]
    _check(make, params, lambda d, v: d.cdf(v), value)
    _check(make, params, lambda d, v: d.icdf(v), XUNIT)


@pytest.mark.parametrize('name', list(CASES))
@pytest.mark.parametrize('sample_shape', [(), (5,), (2, 3)])
def test_sample_shapes(name, sample_shape):
    make, params, _ = CASES[name]
    e = make(ember, *[ember.tensor(p) for p in params])
    t = make(torch, *[torch.tensor(p) for p in params])
    assert tuple(e.batch_shape) == tuple(t.batch_shape)
    assert tuple(e.event_shape) == tuple(t.event_shape)
    es, ts = e.sample(sample_shape), t.sample(sample_shape)
    assert tuple(es.shape) == tuple(ts.shape)
    assert str(es.dtype).split('.')[-1] == str(ts.dtype).split('.')[-1]
    assert e.has_rsample == t.has_rsample
    ex, tx = e.expand((7,) + tuple(e.batch_shape)), t.expand((7,) + tuple(t.batch_shape))
    assert tuple(ex.batch_shape) == tuple(tx.batch_shape)
    assert tuple(ex.sample((2,)).shape) == tuple(tx.sample((2,)).shape)


@pytest.mark.parametrize('name', list(CASES))
def test_sample_statistics(name):
    make, params, _ = CASES[name]
    e = make(ember, *[ember.tensor(p) for p in params])
    t = make(torch, *[torch.tensor(p) for p in params])
    s = e.sample((4000,)).double().numpy()
    mean, var = t.mean.numpy(), t.variance.numpy()
    if name.startswith('Categorical'):        # mean/variance are NaN: compare frequencies
        freq = (s[..., None] == np.arange(5)).mean(0)
        np.testing.assert_allclose(freq, t.probs.numpy(), atol=0.05)
        return
    sd = np.sqrt(var / 4000)
    assert np.all(np.abs(s.mean(0) - mean) < 6 * sd + 1e-3)
    np.testing.assert_allclose(s.var(0), var, rtol=0.25, atol=1e-3)


def test_manual_seed_reproducible():
    d = ember.distributions.Normal(ember.zeros(3), 1.)
    ember.manual_seed(7)
    a = d.sample((4,))
    ember.manual_seed(7)
    b = d.sample((4,))
    assert np.array_equal(a.numpy(), b.numpy())


@pytest.mark.parametrize('name', ['Normal', 'Laplace', 'Uniform', 'Exponential', 'MVN_tril',
                                  'MVN_cov'])
def test_rsample_is_reparameterized(name):
    """d(sample)/d(params) equals the analytic reparameterization gradient."""
    make, params, _ = CASES[name]
    ps = [ember.tensor(p, requires_grad=True) for p in params]
    d = make(ember, *ps)
    ember.manual_seed(3)
    s = d.rsample((2,))
    assert s.requires_grad
    gs = ember.autograd.grad(s.sum(), ps)
    # replay with the same noise in torch by recovering the standardized noise from ember
    tps = [torch.tensor(p, requires_grad=True) for p in params]
    td = make(torch, *tps)
    sv = torch.tensor(s.detach().numpy())
    if name in ('Normal', 'Laplace', 'Uniform', 'Exponential'):
        u = td.cdf(sv).detach()               # the uniform noise that produced the sample
        ts = td.icdf(u)
    else:
        L = td.scale_tril
        eps = torch.linalg.solve_triangular(L, (sv - td.loc).unsqueeze(-1), upper=False).detach()
        ts = td.loc + (L @ eps).squeeze(-1)
    np.testing.assert_allclose(s.detach().numpy(), ts.detach().numpy(), rtol=1e-6, atol=1e-8)
    tg = torch.autograd.grad(ts.sum(), tps)
    for a, b in zip(gs, tg):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-5, atol=1e-6)


KL = [
    (lambda L, a, b: (L.distributions.Normal(a, b), L.distributions.Normal(b, a.abs() + 0.5)),
     [LOC, POS]),
    (lambda L, a, b: (L.distributions.Bernoulli(probs=b / 2.5), L.distributions.Bernoulli(
        logits=a)), [LOC, POS]),
    (lambda L, a, b: (L.distributions.Categorical(probs=a), L.distributions.Categorical(
        logits=b)), [PROBS, PROBS[::-1].copy()]),
    (lambda L, m, a: (L.distributions.MultivariateNormal(
        m, covariance_matrix=a @ a.mT + 3 * L.eye(3, dtype=L.float64)),
        L.distributions.MultivariateNormal(m.flip(-1) * 2, scale_tril=L.eye(3, dtype=L.float64)
                                           + a.tril(-1) * 0.3)), [MLOC, A]),
]


@pytest.mark.parametrize('case', range(len(KL)))
def test_kl_divergence(case):
    make, params = KL[case]
    def kl(d, v):
        lib = ember if isinstance(d[0], ember.distributions.Distribution) else torch
        return lib.distributions.kl_divergence(*d)
    _check(make, params, kl)


def test_kl_special_values_and_registry():
    for L in (ember, torch):
        D = L.distributions
        p = D.Bernoulli(probs=L.tensor([0., 1., 0.5]))
        q = D.Bernoulli(probs=L.tensor([0.5, 0.5, 0.]))
        assert np.allclose(D.kl_divergence(p, q).numpy(), [np.log(2), np.log(2), np.inf])
        with pytest.raises(NotImplementedError):
            D.kl_divergence(D.Categorical(L.ones(2)), D.Normal(0., 1.))

    class MyNormal(ember.distributions.Normal):
        pass

    @ember.distributions.register_kl(MyNormal, MyNormal)
    def _kl(p, q):
        return ember.tensor(42.)

    assert float(ember.distributions.kl_divergence(MyNormal(0., 1.), MyNormal(0., 1.))) == 42.
    assert float(ember.distributions.kl_divergence(MyNormal(0., 1.), ember.distributions.Normal(
        0., 1.))) == 0.


@pytest.mark.parametrize('fn,match', [
    (lambda L: L.distributions.Normal(L.tensor([0., 1.]), L.tensor([1., -1.])),
     r'Expected parameter scale \(Tensor of shape \(2,\)\) of distribution Normal\(loc: '
     r'torch.Size\(\[2\]\), scale: torch.Size\(\[2\]\)\) to satisfy the constraint '
     r'GreaterThan\(lower_bound=0.0\), but found invalid values'),
    (lambda L: L.distributions.Exponential(L.tensor([1., 2.])).log_prob(L.tensor([-1., 1.])),
     r'Expected value argument \(Tensor of shape \(2,\)\) to be within the support '
     r'\(GreaterThanEq\(lower_bound=0.0\)\) of the distribution Exponential\(rate: '
     r'torch.Size\(\[2\]\)\), but found invalid values'),
    (lambda L: L.distributions.Normal(0., 1.).log_prob(3), 'must be a Tensor'),
    (lambda L: L.distributions.Categorical(L.tensor([0.2, -0.1])), 'constraint Simplex'),
    (lambda L: L.distributions.Bernoulli(probs=0.3, logits=0.1), 'Either `probs` or `logits`'),
    (lambda L: L.distributions.Bernoulli(probs=L.tensor(1.5)), 'Interval'),
    (lambda L: L.distributions.Normal(L.zeros(2), 1.).log_prob(L.zeros(3)),
     r'Value is not broadcastable with batch_shape\+event_shape'),
    (lambda L: L.distributions.MultivariateNormal(L.zeros(2)), 'Exactly one of'),
    (lambda L: L.distributions.MultivariateNormal(L.zeros(2), L.tensor([[1., 2.], [2., 1.]])),
     'PositiveDefinite'),
    (lambda L: L.distributions.Uniform(1., 0.), 'Expected parameter low .* LessThan'),
    (lambda L: L.distributions.Beta(1., 1.).log_prob(L.tensor(1.5)), 'Interval'),
    (lambda L: L.distributions.Categorical(logits=L.zeros(3)).log_prob(L.tensor(3)),
     'IntegerInterval'),
])
def test_validate_args_errors(fn, match):
    for L in (ember, torch):
        with pytest.raises(ValueError, match=match):
            fn(L)


def test_validate_args_false_skips_checks():
    for L in (ember, torch):
        d = L.distributions.Normal(0., -1., validate_args=False)
        assert np.isnan(d.log_prob(L.tensor(0.)).item())


def test_repr_and_float32_dtype():
    for L in (ember, torch):
        d = L.distributions.Normal(0., 1.)
        assert repr(d) == 'Normal(loc: 0.0, scale: 1.0)'
        assert d.sample((2,)).dtype == L.float32
        assert d.log_prob(L.zeros(2)).dtype == L.float32
