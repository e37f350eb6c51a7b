"""AdaptiveLogSoftmaxWithLoss, NLLLoss2d and F.gumbel_softmax against torch."""
import warnings

import numpy as np
import pytest
import torch

import ember
from helpers import assert_same, raises_like, to_numpy

RNG = np.random.default_rng(3)


def _pair(in_features=16, n_classes=20, cutoffs=(4, 10), div_value=2.0, head_bias=False,
          dtype='float64'):
    tm = torch.nn.AdaptiveLogSoftmaxWithLoss(in_features, n_classes, list(cutoffs), div_value,
                                             head_bias, dtype=getattr(torch, dtype))
    em = ember.nn.AdaptiveLogSoftmaxWithLoss(in_features, n_classes, list(cutoffs), div_value,
                                             head_bias, dtype=getattr(ember, dtype))
    em.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in tm.state_dict().items()})
    return em, tm


CONFIGS = [dict(), dict(head_bias=True), dict(cutoffs=(3,), n_classes=7, div_value=4.0),
           dict(in_features=32, n_classes=50, cutoffs=(5, 15, 30), div_value=2.0, head_bias=True),
           dict(in_features=8, n_classes=10, cutoffs=(9,), div_value=1.0)]


@pytest.mark.parametrize('cfg', CONFIGS)
def test_structure(cfg):
    em, tm = _pair(**cfg)
    assert repr(em) == repr(tm)
    assert [(k, tuple(v.shape)) for k, v in em.state_dict().items()] == \
        [(k, tuple(v.shape)) for k, v in tm.state_dict().items()]
    for attr in ['in_features', 'n_classes', 'cutoffs', 'div_value', 'head_bias',
                 'shortlist_size', 'n_clusters', 'head_size']:
        assert getattr(em, attr) == getattr(tm, attr), attr


def _grads(mod, lib):
    return {k: p.grad for k, p in mod.named_parameters()}


def _targets(n_classes, batch, cutoffs):
    t = RNG.integers(0, n_classes, size=batch)
    # make sure every cluster (and the shortlist) is hit
    edges = [0] + list(cutoffs)
    t[:len(edges)] = edges
    return t


@pytest.mark.parametrize('cfg', CONFIGS)
@pytest.mark.parametrize('dtype', ['float64', 'float32'])
def test_forward_parity(cfg, dtype):
    em, tm = _pair(dtype=dtype, **cfg)
    nf = cfg.get('in_features', 16)
    x = RNG.standard_normal((9, nf)).astype(dtype)
    tgt = _targets(cfg.get('n_classes', 20), 9, cfg.get('cutoffs', (4, 10)))
    ex, tx = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    er, tr = em(ex, ember.tensor(tgt)), tm(tx, torch.tensor(tgt))
    assert type(er).__name__ == '_ASMoutput' and er._fields == ('output', 'loss')
    tol = 1e-5 if dtype == 'float32' else 1e-10
    assert_same(er.output, tr.output, atol=tol, rtol=tol)
    assert_same(er.loss, tr.loss, atol=tol, rtol=tol)
    assert er.output.grad_fn.name() == tr.output.grad_fn.name()
    cot = RNG.uniform(-1, 1, size=9).astype(dtype)
    (er.output * ember.tensor(cot)).sum().add(er.loss).backward()
    (tr.output * torch.tensor(cot)).sum().add(tr.loss).backward()
    assert_same(ex.grad, tx.grad, atol=tol, rtol=tol, what='input grad')
    eg, tg = _grads(em, ember), _grads(tm, torch)
    for k in tg:
        assert_same(eg[k], tg[k], atol=tol, rtol=tol, what=f'grad {k}')


@pytest.mark.parametrize('targets', [[0, 1, 2, 3], [12, 15, 19, 18], [5, 6, 7, 9], [19], [0]])
def test_forward_single_group(targets):
    # batches that only touch the shortlist, or only one cluster
    em, tm = _pair()
    x = RNG.standard_normal((len(targets), 16))
    ex, tx = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    er, tr = em(ex, ember.tensor(targets)), tm(tx, torch.tensor(targets))
    assert_same(er.output, tr.output, atol=1e-10)
    assert_same(er.loss, tr.loss, atol=1e-10)
    er.loss.backward()
    tr.loss.backward()
    assert_same(ex.grad, tx.grad, atol=1e-10)


@pytest.mark.parametrize('target', [0, 7, 15])
def test_forward_unbatched(target):
    em, tm = _pair()
    x = RNG.standard_normal(16)
    ex, tx = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    er, tr = em(ex, ember.tensor(target)), tm(tx, torch.tensor(target))
    assert_same(er.output, tr.output, atol=1e-10)
    assert_same(er.loss, tr.loss, atol=1e-10)
    assert er.output.grad_fn.name() == tr.output.grad_fn.name()
    er.loss.backward()
    tr.loss.backward()
    assert_same(ex.grad, tx.grad, atol=1e-10)


def test_forward_int32_targets_and_empty_batch():
    em, tm = _pair()
    x = RNG.standard_normal((4, 16))
    tgt = np.array([1, 5, 11, 19], dtype=np.int32)
    er, tr = em(ember.tensor(x), ember.tensor(tgt)), tm(torch.tensor(x), torch.tensor(tgt))
    assert_same(er.output, tr.output, atol=1e-10)
    er, tr = em(ember.zeros(0, 16, dtype=ember.float64), ember.zeros(0, dtype=ember.int64)), \
        tm(torch.zeros(0, 16, dtype=torch.float64), torch.zeros(0, dtype=torch.int64))
    assert_same(er.output, tr.output)
    assert np.isnan(er.loss.item()) and np.isnan(tr.loss.item())


@pytest.mark.parametrize('cfg', CONFIGS)
def test_log_prob(cfg):
    em, tm = _pair(**cfg)
    x = RNG.standard_normal((7, cfg.get('in_features', 16)))
    ex, tx = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    el, tl = em.log_prob(ex), tm.log_prob(tx)
    assert_same(el, tl, atol=1e-10)
    np.testing.assert_allclose(np.exp(to_numpy(el)).sum(1), 1.0, atol=1e-10)
    cot = RNG.uniform(-1, 1, size=tuple(tl.shape))
    (el * ember.tensor(cot)).sum().backward()
    (tl * torch.tensor(cot)).sum().backward()
    assert_same(ex.grad, tx.grad, atol=1e-10)
    eg, tg = _grads(em, ember), _grads(tm, torch)
    for k in tg:
        assert_same(eg[k], tg[k], atol=1e-10, what=f'grad {k}')
    # forward's output is log_prob at the target
    tgt = _targets(cfg.get('n_classes', 20), 7, cfg.get('cutoffs', (4, 10)))
    out = em(ember.tensor(x), ember.tensor(tgt)).output
    np.testing.assert_allclose(to_numpy(out), to_numpy(el)[np.arange(7), tgt], atol=1e-10)


@pytest.mark.parametrize('cfg', CONFIGS)
@pytest.mark.parametrize('scale', [0.1, 3.0, 30.0])
def test_predict(cfg, scale):
    em, tm = _pair(**cfg)
    x = scale * RNG.standard_normal((40, cfg.get('in_features', 16)))
    ep, tp = em.predict(ember.tensor(x)), tm.predict(torch.tensor(x))
    assert_same(ep, tp)
    np.testing.assert_array_equal(to_numpy(ep), to_numpy(em.log_prob(ember.tensor(x))).argmax(1))


def test_predict_all_shortlist_and_all_tail():
    em, tm = _pair()
    with torch.no_grad():
        w = tm.head.weight
        for branch in ['short', 'tail']:
            w.zero_()
            if branch == 'short':
                w[1] = 1.0
            else:
                w[5] = 1.0
            em.load_state_dict({k: ember.tensor(v.numpy()) for k, v in tm.state_dict().items()})
            x = np.abs(RNG.standard_normal((6, 16))) + 0.1
            assert_same(em.predict(ember.tensor(x)), tm.predict(torch.tensor(x)))


def test_reset_parameters_and_defaults():
    m = ember.nn.AdaptiveLogSoftmaxWithLoss(64, 100, [10, 50])
    t = torch.nn.AdaptiveLogSoftmaxWithLoss(64, 100, [10, 50])
    assert m.div_value == 4.0 and m.head_bias is False and m.head.bias is None
    before = to_numpy(m.head.weight)
    m.reset_parameters()
    assert not np.array_equal(before, to_numpy(m.head.weight))
    for (k, p), (_, q) in zip(m.named_parameters(), t.named_parameters()):
        b = 1 / np.sqrt(q.shape[1])
        assert np.abs(to_numpy(p)).max() <= b, k
        assert to_numpy(p).std() == pytest.approx(q.detach().numpy().std(), rel=0.25), k


@pytest.mark.parametrize('cutoffs', [[], [10, 4], [4, 20], [0, 4], [4, 4], [4.5], [-1], [4, 25]])
def test_bad_cutoffs(cutoffs):
    err = raises_like(lambda lib: lib.nn.AdaptiveLogSoftmaxWithLoss(16, 20, cutoffs))
    with pytest.raises(ValueError) as t:
        torch.nn.AdaptiveLogSoftmaxWithLoss(16, 20, cutoffs)
    assert str(err) == str(t.value)


def test_tuple_cutoffs():
    assert ember.nn.AdaptiveLogSoftmaxWithLoss(16, 20, (4,)).cutoffs == [4, 20]


BAD_CALLS = [
    (lambda m, lib, x, t: m(x, lib.tensor([0, 1, 2, 3, 20])), 'Target values should be in [0, 19]'),
    (lambda m, lib, x, t: m(x, lib.tensor([0, 1, 2, 3, -1])), 'values in range [-1, 3]'),
    (lambda m, lib, x, t: m(x, t[:3]), 'same size in the batch dimension'),
    (lambda m, lib, x, t: m(x[0], t), 'same size in the batch dimension'),
    (lambda m, lib, x, t: m(x, t[0]), '0D target tensor expects 1D input tensors'),
    (lambda m, lib, x, t: m(x, t.view(5, 1)), 'multi-target not supported'),
    (lambda m, lib, x, t: m(lib.zeros(5, 3, 16, dtype=lib.float64), t), '1D target tensor expects 2D'),
    (lambda m, lib, x, t: m(x, t.double()), 'int32/int64'),
    (lambda m, lib, x, t: m.log_prob(x[0]), None),
    (lambda m, lib, x, t: m.predict(x[0]), None),
]


@pytest.mark.parametrize('fn,match', BAD_CALLS)
def test_bad_calls(fn, match):
    em, tm = _pair()
    x = RNG.standard_normal((5, 16))
    tg = np.array([0, 5, 12, 19, 3])
    err = raises_like(lambda lib, x, t: fn(em if lib is ember else tm, lib, x, t), x, tg)
    if match:
        with pytest.raises(Exception) as t:
            fn(tm, torch, torch.tensor(x), torch.tensor(tg))
        assert match in str(t.value)
        assert match in str(err)
    if 'expects' in (match or ''):
        assert str(err) == str(t.value)


def test_state_dict_round_trip_to_torch():
    em = ember.nn.AdaptiveLogSoftmaxWithLoss(16, 20, [4, 10], head_bias=True)
    tm = torch.nn.AdaptiveLogSoftmaxWithLoss(16, 20, [4, 10], head_bias=True)
    tm.load_state_dict({k: torch.tensor(to_numpy(v)) for k, v in em.state_dict().items()})
    x = RNG.standard_normal((3, 16)).astype(np.float32)
    assert_same(em.log_prob(ember.tensor(x)), tm.log_prob(torch.tensor(x)), atol=1e-5)


# ---------------------------------------------------------------- NLLLoss2d
@pytest.mark.parametrize('kw', [dict(), dict(ignore_index=1), dict(reduction='sum'),
                                dict(reduction='none')])
def test_nllloss2d(kw):
    with pytest.warns(FutureWarning) as rec:
        em = ember.nn.NLLLoss2d(**kw)
    with pytest.warns(FutureWarning) as trec:
        tm = torch.nn.NLLLoss2d(**kw)
    assert str(rec[0].message) == str(trec[0].message)
    assert isinstance(em, ember.nn.NLLLoss) and repr(em) == repr(tm)
    x = RNG.standard_normal((2, 3, 4, 5))
    t = RNG.integers(0, 3, size=(2, 4, 5))
    ex, tx = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    eo, to = em(ex, ember.tensor(t)), tm(tx, torch.tensor(t))
    assert_same(eo, to, atol=1e-10)
    eo.sum().backward()
    to.sum().backward()
    assert_same(ex.grad, tx.grad, atol=1e-10)


def test_nllloss2d_weight_buffer():
    w = np.array([0.2, 1.0, 3.0])
    with pytest.warns(FutureWarning):
        em = ember.nn.NLLLoss2d(weight=ember.tensor(w))
    assert 'weight' in dict(em.named_buffers())


# ---------------------------------------------------------------- gumbel_softmax
F = ember.nn.functional


@pytest.mark.parametrize('shape,dim', [((4, 5), -1), ((4, 5), 0), ((2, 3, 4), 1), ((6,), 0),
                                       ((), -1), ((3, 0), -1), ((0, 3), -1)])
@pytest.mark.parametrize('hard', [False, True])
def test_gumbel_softmax_shape(shape, dim, hard):
    x = RNG.standard_normal(shape).astype(np.float32)
    if hard and 0 in shape and shape[dim] == 0:    # argmax over an empty dim: torch raises
        raises_like(lambda lib, x: lib.nn.functional.gumbel_softmax(x, hard=True, dim=dim), x)
        return
    e = F.gumbel_softmax(ember.tensor(x, requires_grad=True), tau=0.5, hard=hard, dim=dim)
    t = torch.nn.functional.gumbel_softmax(torch.tensor(x, requires_grad=True), tau=0.5,
                                           hard=hard, dim=dim)
    assert tuple(e.shape) == tuple(t.shape) and str(e.dtype) == str(t.dtype)
    assert e.grad_fn.name() == t.grad_fn.name()
    a = to_numpy(e)
    if a.size:
        np.testing.assert_allclose(a.sum(axis=dim if a.ndim else None), 1.0, atol=1e-5)
        assert (a >= 0).all()
    if hard:
        assert set(np.unique(a)) <= {0.0, 1.0}


@pytest.mark.parametrize('dtype', ['float32', 'float64'])
def test_gumbel_softmax_dtype(dtype):
    x = ember.zeros(3, 4, dtype=getattr(ember, dtype))
    assert F.gumbel_softmax(x).dtype == x.dtype
    assert F.gumbel_softmax(x, hard=True).dtype == x.dtype


@pytest.mark.parametrize('tau', [1.0, 0.3, 5.0])
def test_gumbel_softmax_statistics(tau):
    # argmax of logits + Gumbel noise is a sample of softmax(logits) (independent of tau), and
    # the mean soft sample matches torch's for the same logits and tau
    logits = np.log(np.array([0.1, 0.2, 0.3, 0.4]))
    n = 40000
    el = ember.tensor(np.tile(logits, (n, 1)))
    tl = torch.tensor(np.tile(logits, (n, 1)))
    hard = to_numpy(F.gumbel_softmax(el, tau=tau, hard=True))
    np.testing.assert_allclose(hard.mean(0), [0.1, 0.2, 0.3, 0.4], atol=0.015)
    soft = to_numpy(F.gumbel_softmax(el, tau=tau))
    tsoft = torch.nn.functional.gumbel_softmax(tl, tau=tau).numpy()
    np.testing.assert_allclose(soft.mean(0), tsoft.mean(0), atol=0.015)
    np.testing.assert_allclose(soft.std(0), tsoft.std(0), atol=0.015)


def test_gumbel_softmax_hard_is_argmax_of_soft_and_straight_through():
    ember.manual_seed(0)
    x = ember.tensor(RNG.standard_normal((5, 6)), requires_grad=True)
    ember.manual_seed(1)
    soft = F.gumbel_softmax(x, tau=0.7)
    ember.manual_seed(1)
    hard = F.gumbel_softmax(x, tau=0.7, hard=True)
    s, h = to_numpy(soft), to_numpy(hard)
    np.testing.assert_array_equal(h.argmax(1), s.argmax(1))
    np.testing.assert_array_equal(h.sum(1), np.ones(5))
    # straight-through: the gradient of the hard sample is the soft sample's gradient
    cot = ember.tensor(RNG.uniform(-1, 1, size=(5, 6)))
    gh, = ember.autograd.grad(hard, x, cot)
    gs, = ember.autograd.grad(soft, x, cot)
    np.testing.assert_allclose(to_numpy(gh), to_numpy(gs), atol=1e-12)


def test_gumbel_softmax_gradient_matches_torch_formula():
    # with the noise fixed, the soft sample is softmax((x + g) / tau): compare gradients to
    # torch's for the same noise (recovered from ember's sample's log: log y = (x+g)/tau - lse)
    x = RNG.standard_normal((4, 7))
    tau = 0.5
    ex = ember.tensor(x, requires_grad=True)
    y = F.gumbel_softmax(ex, tau=tau)
    z = np.log(to_numpy(y)) * tau - x            # g up to a per-row constant
    tx = torch.tensor(x, requires_grad=True)
    ty = torch.softmax((tx + torch.tensor(z)) / tau, -1)
    assert_same(y, ty, atol=1e-10)
    cot = RNG.uniform(-1, 1, size=(4, 7))
    (y * ember.tensor(cot)).sum().backward()
    (ty * torch.tensor(cot)).sum().backward()
    assert_same(ex.grad, tx.grad, atol=1e-10)


def test_gumbel_softmax_eps_warns_and_reproducible():
    x = ember.zeros(3, 4)
    with pytest.warns(UserWarning, match='`eps` parameter is deprecated'):
        F.gumbel_softmax(x, eps=1e-3)
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        F.gumbel_softmax(x)
    ember.manual_seed(5)
    a = to_numpy(F.gumbel_softmax(x))
    ember.manual_seed(5)
    np.testing.assert_array_equal(a, to_numpy(F.gumbel_softmax(x)))


def test_gumbel_softmax_int_error():
    raises_like(lambda lib, x: lib.nn.functional.gumbel_softmax(x), np.arange(3))
