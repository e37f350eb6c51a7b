"""Parity of every loss (functional and module) with torch: values and input gradients for
each reduction and option, in float32 and float64; stability; errors; gradcheck."""
import warnings

import numpy as np
import pytest
import torch

import ember
from helpers import parity, rand, raises_like

RNG = np.random.default_rng(3)
REDS = ['none', 'mean', 'sum']


def F(lib):
    return lib.nn.functional


def labels(*shape, C=4, ignore=None):
    t = RNG.integers(0, C, size=shape).astype('int64')
    if ignore is not None:
        t.flat[::3] = ignore
    return t


def signs(*shape):
    return np.where(RNG.random(shape) > 0.5, 1.0, -1.0)


def T(lib, a):
    return lib.tensor(a)


# ------------------------------------------------------------------- pointwise losses

@pytest.mark.parametrize('red', REDS)
@pytest.mark.parametrize('dtype', ['float32', 'float64'])
@pytest.mark.parametrize('name,kw', [('l1_loss', {}), ('mse_loss', {}), ('huber_loss', {}),
                                     ('huber_loss', {'delta': 0.5}), ('smooth_l1_loss', {}),
                                     ('smooth_l1_loss', {'beta': 0.3}),
                                     ('smooth_l1_loss', {'beta': 0.0})])
def test_pointwise(name, kw, red, dtype):
    parity(lambda lib, x, y: getattr(F(lib), name)(x, y, reduction=red, **kw),
           rand(3, 4, dtype=dtype), rand(3, 4, dtype=dtype))


@pytest.mark.parametrize('name', ['l1_loss', 'mse_loss', 'huber_loss'])
@pytest.mark.parametrize('red', REDS)
def test_pointwise_weight(name, red):
    w = rand(3, 4, low=0.1, high=1.0)
    parity(lambda lib, x, y: getattr(F(lib), name)(x, y, reduction=red, weight=T(lib, w)),
           rand(3, 4), rand(3, 4))


def test_pointwise_noncontiguous_broadcast_and_empty():
    parity(lambda lib, x, y: F(lib).mse_loss(x.t(), y[:, ::2]), rand(4, 3), rand(3, 8))
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        parity(lambda lib, x, y: F(lib).l1_loss(x, y), rand(3, 4), rand(4))
        parity(lambda lib, x, y: F(lib).smooth_l1_loss(x, y, reduction='sum'), rand(3, 4), rand(4))
    for red in REDS:
        parity(lambda lib, x, y: F(lib).mse_loss(x, y, reduction=red), rand(0, 3), rand(0, 3))
    parity(lambda lib, x, y: F(lib).mse_loss(x, y), rand(), rand())


def test_size_warning_and_legacy_args():
    with pytest.warns(UserWarning, match='target size'):
        F(ember).mse_loss(ember.randn(3, 4), ember.randn(4))
    with pytest.warns(UserWarning, match="reduction='sum'"):
        out = F(ember).l1_loss(ember.ones(3), ember.zeros(3), size_average=False)
    assert out.item() == 3.0
    with pytest.warns(UserWarning):
        m = ember.nn.MSELoss(reduce=False)
    assert m.reduction == 'none'
    raises_like(lambda lib: F(lib).l1_loss(lib.ones(2), lib.ones(2), reduction='foo'),
                match='not a valid value')


@pytest.mark.parametrize('red', REDS)
def test_soft_margin(red):
    y = signs(3, 4)
    parity(lambda lib, x: F(lib).soft_margin_loss(x, T(lib, y), reduction=red), rand(3, 4))
    parity(lambda lib, x: F(lib).soft_margin_loss(x, T(lib, y.astype('float32')), reduction=red),
           rand(3, 4, dtype='float32') * 20)


# -------------------------------------------------------------------- NLL / cross entropy

@pytest.mark.parametrize('red', REDS)
@pytest.mark.parametrize('dtype', ['float32', 'float64'])
@pytest.mark.parametrize('opts', [{}, {'weight': True}, {'ignore_index': 1},
                                  {'weight': True, 'ignore_index': 2}])
def test_nll(red, dtype, opts):
    t = labels(5)
    w = rand(4, low=0.1, high=2.0, dtype=dtype)

    def fn(lib, x):
        kw = dict(opts)
        if kw.pop('weight', False):
            kw['weight'] = T(lib, w)
        return F(lib).nll_loss(x, T(lib, t), reduction=red, **kw)
    parity(fn, rand(5, 4, dtype=dtype))


@pytest.mark.parametrize('shape', [(2, 4, 3), (2, 4, 3, 2), (2, 4, 2, 2, 2), (4,)])
@pytest.mark.parametrize('red', REDS)
def test_nll_kdim_and_unbatched(shape, red):
    t = labels(*((shape[:1] + shape[2:]) if len(shape) > 1 else ()))
    w = rand(4, low=0.1, high=2.0)
    parity(lambda lib, x: F(lib).nll_loss(x, T(lib, t), weight=T(lib, w), ignore_index=0,
                                          reduction=red), rand(*shape))


def test_cross_entropy_noncontiguous_byte_target_double_backward():
    t = labels(4, C=3)
    parity(lambda lib, x: F(lib).cross_entropy(x.t(), T(lib, t), label_smoothing=0.1), rand(3, 4))
    parity(lambda lib, x: F(lib).nll_loss(x[:, ::2], T(lib, t.astype('uint8'))), rand(4, 6))

    def gg(lib, x):
        out = F(lib).cross_entropy(x, T(lib, t), weight=lib.tensor([1.0, 2.0, 0.5], dtype=lib.float64))
        g, = lib.autograd.grad(out, x, create_graph=True)
        return (g * g).sum()
    parity(gg, rand(4, 3))


def test_nll_grad_fn_names():
    x = ember.randn(2, 4, 3, 3, requires_grad=True)
    t = ember.zeros(2, 3, 3, dtype=ember.int64)
    assert type(F(ember).nll_loss(x, t).grad_fn).__name__ == 'NllLoss2DBackward0'
    x = ember.randn(2, 4, requires_grad=True)
    out = F(ember).cross_entropy(x, ember.tensor([0, 1]))
    assert type(out.grad_fn).__name__ == 'NllLossBackward0'
    assert type(out.grad_fn.next_functions[0][0]).__name__ == 'LogSoftmaxBackward0'


@pytest.mark.parametrize('red', REDS)
@pytest.mark.parametrize('dtype', ['float32', 'float64'])
@pytest.mark.parametrize('ls', [0.0, 0.2])
@pytest.mark.parametrize('weight', [False, True])
@pytest.mark.parametrize('ignore', [-100, 1])
def test_cross_entropy(red, dtype, ls, weight, ignore):
    t = labels(6)
    w = rand(4, low=0.1, high=2.0, dtype=dtype)
    parity(lambda lib, x: F(lib).cross_entropy(x, T(lib, t), weight=T(lib, w) if weight else None,
                                               ignore_index=ignore, reduction=red,
                                               label_smoothing=ls), rand(6, 4, dtype=dtype))


@pytest.mark.parametrize('red', REDS)
@pytest.mark.parametrize('ls', [0.0, 0.1])
@pytest.mark.parametrize('shape', [(3, 4, 2, 3), (4,), (0, 4)])
def test_cross_entropy_kdim_unbatched_empty(red, ls, shape):
    t = labels(*((shape[:1] + shape[2:]) if len(shape) > 1 else ()))
    w = rand(4, low=0.1, high=2.0)
    parity(lambda lib, x: F(lib).cross_entropy(x, T(lib, t), weight=T(lib, w), ignore_index=2,
                                               reduction=red, label_smoothing=ls), rand(*shape))


@pytest.mark.parametrize('red', REDS)
@pytest.mark.parametrize('ls', [0.0, 0.3])
@pytest.mark.parametrize('shape', [(3, 4), (3, 4, 2), (4,)])
@pytest.mark.parametrize('weight', [False, True])
def test_cross_entropy_probs(red, ls, shape, weight):
    p = rand(*shape, low=0.0, high=1.0)
    p = p / p.sum(axis=0 if len(shape) == 1 else 1, keepdims=True)
    w = rand(4, low=0.1, high=2.0)
    parity(lambda lib, x, y: F(lib).cross_entropy(x, y, weight=T(lib, w) if weight else None,
                                                  reduction=red, label_smoothing=ls),
           rand(*shape), p)


@pytest.mark.parametrize('dtype', ['float32', 'float64'])
def test_cross_entropy_large_logits(dtype):
    x = (rand(4, 5, dtype=dtype) * 1e4).astype(dtype)
    y = labels(4, C=5)
    e, t = parity(lambda lib, x: F(lib).cross_entropy(x, T(lib, y)), x)
    assert np.isfinite(e.item())
    e, t = parity(lambda lib, x: F(lib).cross_entropy(x, T(lib, y), label_smoothing=0.1), x)
    assert np.isfinite(e.item())


def test_nll_ce_errors():
    x = rand(3, 4)
    raises_like(lambda lib, x: F(lib).cross_entropy(x, T(lib, np.array([0, 1, 5]))), x,
                match='Target 5 is out of bounds.')
    raises_like(lambda lib, x: F(lib).nll_loss(x, T(lib, np.array([0, 1, -3]))), x,
                match='out of bounds')
    raises_like(lambda lib, x: F(lib).cross_entropy(x, T(lib, np.array([0, 1]))), x,
                match='Expected input batch_size (3) to match target batch_size (2).')
    raises_like(lambda lib, x: F(lib).cross_entropy(x, T(lib, np.array([0., 1, 2]))), x,
                match='expected target dtype to be Long or Byte, but got Double')
    raises_like(lambda lib, x: F(lib).nll_loss(x, T(lib, np.array([0, 1, 2], 'int32'))), x,
                match='but got Int')
    raises_like(lambda lib, x: F(lib).cross_entropy(x, T(lib, np.array([0, 1, 2])),
                                                    weight=lib.ones(3)), x, match='weight tensor')
    raises_like(lambda lib, x: F(lib).cross_entropy(x, T(lib, labels(3)), label_smoothing=1.5),
                x, match='label_smoothing')
    raises_like(lambda lib, x: F(lib).cross_entropy(x, lib.rand(3, 5)), x)


# ------------------------------------------------------------------ likelihood losses

@pytest.mark.parametrize('red', REDS)
@pytest.mark.parametrize('log_input', [True, False])
@pytest.mark.parametrize('full', [False, True])
def test_poisson_nll(red, log_input, full):
    t = rand(3, 4, low=0.0, high=4.0)
    parity(lambda lib, x, y: F(lib).poisson_nll_loss(x, y, log_input=log_input, full=full,
                                                     reduction=red),
           rand(3, 4, low=0.1 if not log_input else -2, high=2.0), t)


@pytest.mark.parametrize('red', REDS)
@pytest.mark.parametrize('full', [False, True])
@pytest.mark.parametrize('vshape', [(3, 4), (3,), (3, 1)])
def test_gaussian_nll(red, full, vshape):
    v = rand(*vshape, low=0.0, high=2.0)
    v.flat[0] = 1e-9   # clamped at eps; gradient passes through like torch's
    parity(lambda lib, x, y, v: F(lib).gaussian_nll_loss(x, y, v, full=full, reduction=red),
           rand(3, 4), rand(3, 4), v)


def test_gaussian_nll_errors_and_float_var():
    parity(lambda lib, x, y: F(lib).gaussian_nll_loss(x, y, 0.5), rand(3, 4), rand(3, 4))
    raises_like(lambda lib, x: F(lib).gaussian_nll_loss(x, x, lib.ones(3, 3)), rand(3, 4),
                match='var is of incorrect size')
    raises_like(lambda lib, x: F(lib).gaussian_nll_loss(x, x, -lib.ones(3, 4)), rand(3, 4),
                match='negative')


@pytest.mark.parametrize('red', REDS + ['batchmean'])
@pytest.mark.parametrize('log_target', [False, True])
def test_kl_div(red, log_target):
    t = rand(3, 4, low=0.0, high=1.0)
    t[0, 0] = 0.0
    if log_target:
        t = np.log(t + 0.1)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        parity(lambda lib, x, y: F(lib).kl_div(x, y, reduction=red, log_target=log_target),
               rand(3, 4), t)
    if red == 'mean':
        with pytest.warns(UserWarning, match='batchmean'):
            F(ember).kl_div(ember.randn(2), ember.rand(2))


# -------------------------------------------------------------------------- BCE

@pytest.mark.parametrize('red', REDS)
@pytest.mark.parametrize('dtype', ['float32', 'float64'])
@pytest.mark.parametrize('weight', [None, (4,), (3, 4)])
def test_bce(red, dtype, weight):
    x = rand(3, 4, low=0.05, high=0.95, dtype=dtype)
    x[0, 0], x[0, 1] = 0.0, 1.0    # log clamped at -100
    w = rand(*weight, low=0.1, high=1.0, dtype=dtype) if weight else None
    parity(lambda lib, x, y: F(lib).binary_cross_entropy(x, y, weight=T(lib, w) if weight else None,
                                                         reduction=red),
           x, rand(3, 4, low=0.0, high=1.0, dtype=dtype), grad=False)
    x = rand(3, 4, low=0.05, high=0.95, dtype=dtype)
    parity(lambda lib, x, y: F(lib).binary_cross_entropy(x, y, weight=T(lib, w) if weight else None,
                                                         reduction=red),
           x, rand(3, 4, low=0.0, high=1.0, dtype=dtype), atol=1e-4 if dtype == 'float32' else 1e-6)


@pytest.mark.parametrize('red', REDS)
@pytest.mark.parametrize('dtype', ['float32', 'float64'])
@pytest.mark.parametrize('weight', [False, True])
@pytest.mark.parametrize('pos_weight', [False, True])
def test_bce_with_logits(red, dtype, weight, pos_weight):
    w = rand(4, low=0.1, high=1.0, dtype=dtype)
    pw = rand(4, low=0.5, high=3.0, dtype=dtype)
    parity(lambda lib, x, y: F(lib).binary_cross_entropy_with_logits(
        x, y, weight=T(lib, w) if weight else None, pos_weight=T(lib, pw) if pos_weight else None,
        reduction=red), rand(3, 4, dtype=dtype), rand(3, 4, low=0.0, high=1.0, dtype=dtype))


@pytest.mark.parametrize('dtype', ['float32', 'float64'])
def test_bce_with_logits_large(dtype):
    x = np.array([[1e4, -1e4, 3e4], [-2e4, 0.5, 1e4]], dtype=dtype)
    y = np.array([[1.0, 0.0, 0.0], [1.0, 0.3, 0.5]], dtype=dtype)
    pw = np.array([2.0, 0.5, 1.5], dtype=dtype)
    e, _ = parity(lambda lib, x, y: F(lib).binary_cross_entropy_with_logits(
        x, y, pos_weight=T(lib, pw), reduction='none'), x, y, rtol=1e-5)
    assert np.isfinite(e.detach().numpy()).all()


def test_bce_errors():
    raises_like(lambda lib, x: F(lib).binary_cross_entropy(x, lib.rand(3)), rand(3, 4, low=0, high=1),
                match='Using a target size')
    raises_like(lambda lib, x: F(lib).binary_cross_entropy(x, lib.rand(3, 4)), rand(3, 4, low=2, high=3),
                match='between 0 and 1')
    raises_like(lambda lib, x: F(lib).binary_cross_entropy_with_logits(x, lib.rand(3)), rand(3, 4),
                match='must be the same as input size')


# ----------------------------------------------------------------------- margin losses

@pytest.mark.parametrize('red', REDS)
@pytest.mark.parametrize('margin', [0.0, 0.5])
def test_margin_ranking(red, margin):
    y = signs(5)
    parity(lambda lib, a, b: F(lib).margin_ranking_loss(a, b, T(lib, y), margin=margin, reduction=red),
           rand(5), rand(5))
    raises_like(lambda lib, a: F(lib).margin_ranking_loss(a, a, lib.ones(3, 5)), rand(5),
                match='same dimension')


@pytest.mark.parametrize('red', REDS)
@pytest.mark.parametrize('margin', [1.0, 0.3])
def test_hinge_embedding(red, margin):
    y = signs(3, 4)
    parity(lambda lib, x: F(lib).hinge_embedding_loss(x, T(lib, y), margin=margin, reduction=red),
           rand(3, 4))


@pytest.mark.parametrize('red', REDS)
@pytest.mark.parametrize('dtype', ['float32', 'float64'])
def test_multilabel_margin(red, dtype):
    y = np.array([[3, 0, -1, 1], [1, 2, 3, -1], [-1, 1, 2, 0], [0, 0, 2, -1]])
    parity(lambda lib, x: F(lib).multilabel_margin_loss(x, T(lib, y), reduction=red),
           rand(4, 4, dtype=dtype))
    parity(lambda lib, x: F(lib).multilabel_margin_loss(x, T(lib, y[0]), reduction=red),
           rand(4, dtype=dtype))
    raises_like(lambda lib, x: F(lib).multilabel_margin_loss(x, T(lib, y[0])), rand(4, 4),
                match='inconsistent target size')


@pytest.mark.parametrize('red', REDS)
@pytest.mark.parametrize('weight', [False, True])
def test_multilabel_soft_margin(red, weight):
    y = (RNG.random((3, 4)) > 0.5).astype('float64')
    w = rand(4, low=0.1, high=1.0)
    parity(lambda lib, x: F(lib).multilabel_soft_margin_loss(
        x, T(lib, y), weight=T(lib, w) if weight else None, reduction=red), rand(3, 4))


@pytest.mark.parametrize('red', REDS)
@pytest.mark.parametrize('margin', [0.0, 0.2])
def test_cosine_embedding(red, margin):
    y = signs(4)
    parity(lambda lib, a, b: F(lib).cosine_embedding_loss(a, b, T(lib, y), margin=margin,
                                                          reduction=red), rand(4, 3), rand(4, 3))
    parity(lambda lib, a, b: F(lib).cosine_embedding_loss(a, b, T(lib, np.array(-1.0)),
                                                          margin=margin, reduction=red),
           rand(3), rand(3))


@pytest.mark.parametrize('red', REDS)
@pytest.mark.parametrize('p', [1, 2])
@pytest.mark.parametrize('margin', [1.0, 0.5])
@pytest.mark.parametrize('weight', [False, True])
@pytest.mark.parametrize('dtype', ['float32', 'float64'])
def test_multi_margin(red, p, margin, weight, dtype):
    t = labels(5)
    w = rand(4, low=0.1, high=1.0, dtype=dtype)
    parity(lambda lib, x: F(lib).multi_margin_loss(x, T(lib, t), p=p, margin=margin,
                                                   weight=T(lib, w) if weight else None,
                                                   reduction=red), rand(5, 4, dtype=dtype))


def test_multi_margin_unbatched_and_errors():
    for red in REDS:
        parity(lambda lib, x: F(lib).multi_margin_loss(x, T(lib, np.array(2)), reduction=red), rand(4))
    raises_like(lambda lib, x: F(lib).multi_margin_loss(x, T(lib, labels(5)), p=3), rand(5, 4),
                match='only p == 1 and p == 2 supported')


@pytest.mark.parametrize('red', REDS)
@pytest.mark.parametrize('p', [1.0, 2.0, 3.0])
@pytest.mark.parametrize('swap', [False, True])
def test_triplet_margin(red, p, swap):
    parity(lambda lib, a, b, c: F(lib).triplet_margin_loss(a, b, c, margin=1.5, p=p, swap=swap,
                                                           reduction=red),
           rand(5, 3), rand(5, 3), rand(5, 3))
    parity(lambda lib, a, b, c: F(lib).triplet_margin_loss(a, b, c, swap=swap, reduction=red),
           rand(3), rand(3), rand(3))


@pytest.mark.parametrize('red', REDS)
@pytest.mark.parametrize('swap', [False, True])
@pytest.mark.parametrize('custom', [False, True])
def test_triplet_margin_with_distance(red, swap, custom):
    def fn(lib, a, b, c):
        dist = (lambda u, v: ((u - v) ** 2).sum(-1)) if custom else None
        return F(lib).triplet_margin_with_distance_loss(a, b, c, distance_function=dist, margin=0.7,
                                                        swap=swap, reduction=red)
    parity(fn, rand(5, 3), rand(5, 3), rand(5, 3))


def test_triplet_errors():
    raises_like(lambda lib, a: F(lib).triplet_margin_loss(a, a, a[0]), rand(3, 4),
                match='same number of dimensions')
    raises_like(lambda lib, a: F(lib).triplet_margin_with_distance_loss(a, a, a, margin=0), rand(3, 4),
                match='margin must be greater than 0')


# ----------------------------------------------------------------------------- modules

def _module_cases(lib):
    nn = lib.nn
    w = lib.tensor([1.0, 2.0, 0.5, 1.0], dtype=lib.float64)
    return [nn.L1Loss(), nn.MSELoss(reduction='sum'), nn.CrossEntropyLoss(weight=w, label_smoothing=0.1),
            nn.NLLLoss(ignore_index=1), nn.PoissonNLLLoss(), nn.GaussianNLLLoss(), nn.KLDivLoss(reduction='batchmean'),
            nn.BCELoss(), nn.BCEWithLogitsLoss(pos_weight=w), nn.MarginRankingLoss(margin=0.1),
            nn.HingeEmbeddingLoss(), nn.MultiLabelMarginLoss(), nn.HuberLoss(delta=0.5),
            nn.SmoothL1Loss(beta=0.5), nn.SoftMarginLoss(), nn.MultiLabelSoftMarginLoss(weight=w),
            nn.CosineEmbeddingLoss(), nn.MultiMarginLoss(p=2, weight=w), nn.TripletMarginLoss(swap=True),
            nn.TripletMarginWithDistanceLoss(), nn.CTCLoss(zero_infinity=True)]


def test_module_repr_attrs_buffers():
    for e, t in zip(_module_cases(ember), _module_cases(torch)):
        if type(t).__name__ != 'TripletMarginWithDistanceLoss' or hasattr(ember.nn, 'PairwiseDistance'):
            assert repr(e) == repr(t)
        assert e.reduction == t.reduction
        for k in ('ignore_index', 'label_smoothing', 'log_input', 'full', 'eps', 'margin', 'p',
                  'swap', 'delta', 'beta', 'blank', 'zero_infinity', 'log_target'):
            assert getattr(e, k, None) == getattr(t, k, None), k
        assert sorted(dict(e.named_buffers())) == sorted(dict(t.named_buffers()))
        assert sorted(e.state_dict()) == sorted(t.state_dict())


def test_modules_forward():
    x = rand(3, 4)
    y = labels(3)
    parity(lambda lib, x: lib.nn.CrossEntropyLoss(weight=lib.tensor([1.0, 2.0, 0.5, 1.0], dtype=lib.float64),
                                                  label_smoothing=0.1, ignore_index=0)(x, T(lib, y)), x)
    parity(lambda lib, x: lib.nn.NLLLoss(reduction='sum')(x, T(lib, y)), x)
    parity(lambda lib, x, t: lib.nn.BCEWithLogitsLoss(pos_weight=lib.ones(4, dtype=lib.float64) * 2)(x, t), x,
           rand(3, 4, low=0, high=1))
    parity(lambda lib, x, t: lib.nn.BCELoss(weight=lib.ones(4, dtype=lib.float64) * 2)(x, t), rand(3, 4, low=0.1, high=0.9),
           rand(3, 4, low=0, high=1))
    parity(lambda lib, x, t: lib.nn.HuberLoss(delta=0.5)(x, t), x, rand(3, 4))
    parity(lambda lib, x, t: lib.nn.SmoothL1Loss(beta=0.5, reduction='none')(x, t), x, rand(3, 4))
    parity(lambda lib, x, t, v: lib.nn.GaussianNLLLoss(full=True)(x, t, v), x, rand(3, 4),
           rand(3, 1, low=0.1, high=1))
    parity(lambda lib, x, t: lib.nn.PoissonNLLLoss(full=True)(x, t), x, rand(3, 4, low=0, high=3))
    parity(lambda lib, x, t: lib.nn.KLDivLoss(reduction='batchmean', log_target=True)(x, t), x, rand(3, 4))
    parity(lambda lib, x: lib.nn.MultiMarginLoss(p=2, margin=0.5)(x, T(lib, y)), x)
    parity(lambda lib, a, b, c: lib.nn.TripletMarginLoss(margin=0.5, p=1)(a, b, c), x, rand(3, 4), rand(3, 4))
    parity(lambda lib, a, b, c: lib.nn.TripletMarginWithDistanceLoss(swap=True)(a, b, c), x,
           rand(3, 4), rand(3, 4))
    s = signs(3)
    parity(lambda lib, a, b: lib.nn.CosineEmbeddingLoss(margin=0.1)(a, b, T(lib, s)), x, rand(3, 4))
    parity(lambda lib, a, b: lib.nn.MarginRankingLoss(margin=0.1)(a, b, T(lib, s)), rand(3), rand(3))


# --------------------------------------------------------------------------- gradcheck

def _gc(fn, *arrays):
    from ember.autograd import gradcheck
    ins = tuple(ember.tensor(a, requires_grad=True) for a in arrays)
    assert gradcheck(fn, ins, eps=1e-6, atol=1e-5)


def test_gradcheck_losses():
    f = ember.nn.functional
    t = ember.tensor(labels(3))
    w = ember.tensor([1.0, 2.0, 0.5, 1.0], dtype=ember.float64)
    y = ember.tensor(signs(3, 4))
    p = rand(3, 4, low=0.1, high=0.9)
    _gc(lambda x, u: f.mse_loss(x, u), rand(3, 4), rand(3, 4))
    _gc(lambda x, u: f.huber_loss(x, u, delta=0.7, reduction='sum'), rand(3, 4), rand(3, 4))
    _gc(lambda x, u: f.smooth_l1_loss(x, u, beta=0.7), rand(3, 4), rand(3, 4))
    _gc(lambda x: f.cross_entropy(x, t, weight=w, label_smoothing=0.1, ignore_index=1), rand(3, 4))
    _gc(lambda x, q: f.cross_entropy(x, f.softmax(q, 1)), rand(3, 4), rand(3, 4))
    t3 = ember.tensor(labels(2, 2, 3))
    _gc(lambda x: f.nll_loss(x, t3, weight=w), rand(2, 4, 2, 3))
    _gc(lambda x, u: f.poisson_nll_loss(x, u, full=True), rand(3, 4), rand(3, 4, low=0, high=3))
    _gc(lambda x, u, v: f.gaussian_nll_loss(x, u, v, full=True), rand(3, 4), rand(3, 4),
        rand(3, 1, low=0.5, high=1))
    _gc(lambda x, u: f.kl_div(x, u, reduction='batchmean'), rand(3, 4), rand(3, 4, low=0.1, high=1))
    _gc(lambda x, u: f.binary_cross_entropy(x, u, weight=w), p, rand(3, 4, low=0, high=1))
    _gc(lambda x, u: f.binary_cross_entropy_with_logits(x, u, pos_weight=w), rand(3, 4),
        rand(3, 4, low=0, high=1))
    _gc(lambda x: f.soft_margin_loss(x, y), rand(3, 4))
    _gc(lambda x: f.hinge_embedding_loss(x, y), rand(3, 4))
    _gc(lambda a, b: f.margin_ranking_loss(a, b, y[0], margin=0.1), rand(4), rand(4))
    _gc(lambda x: f.multilabel_margin_loss(x, ember.tensor([[3, 0, -1, 1]] * 3)), rand(3, 4))
    _gc(lambda x: f.multilabel_soft_margin_loss(x, (y > 0).double(), weight=w), rand(3, 4))
    _gc(lambda a, b: f.cosine_embedding_loss(a, b, y[:, 0], margin=0.1), rand(3, 4), rand(3, 4))
    _gc(lambda x: f.multi_margin_loss(x, t, p=2, weight=w), rand(3, 4))
    _gc(lambda x: f.multi_margin_loss(x, t, p=1), rand(3, 4))
    _gc(lambda a, b, c: f.triplet_margin_loss(a, b, c, swap=True, margin=3.0), rand(3, 4), rand(3, 4),
        rand(3, 4))
