"""Dropout family: statistics (fraction zeroed, 1/(1-p) scaling, channel-wise masks), eval =
identity, gradients = mask * scale, p validation, reproducibility with manual_seed, reprs."""
import math
import warnings

import numpy as np
import pytest
import torch

import ember
from helpers import raises_like, to_numpy

F = ember.nn.functional


@pytest.mark.parametrize('p', [0.2, 0.5, 0.8])
@pytest.mark.parametrize('dtype', [ember.float32, ember.float64])
def test_dropout_statistics_and_grad(p, dtype):
    ember.manual_seed(0)
    x = ember.ones(200, 100, dtype=dtype, requires_grad=True)
    y = F.dropout(x, p)
    assert y.dtype is dtype and type(y.grad_fn).__name__ == 'MulBackward0'
    v = to_numpy(y)
    kept = v != 0
    assert abs(1 - kept.mean() - p) < 0.02
    np.testing.assert_allclose(v[kept], 1 / (1 - p), rtol=1e-6)
    y.backward(ember.ones_like(y))
    np.testing.assert_allclose(to_numpy(x.grad), kept / (1 - p), rtol=1e-6)


def test_dropout_eval_and_edge_p():
    x = ember.randn(4, 5, requires_grad=True)
    assert F.dropout(x, 0.5, training=False) is x
    assert F.dropout(x, 0.0) is x
    y = F.dropout(x, 1.0)
    assert np.all(to_numpy(y) == 0) and y.requires_grad
    m = ember.nn.Dropout(0.5)
    m.eval()
    assert m(x) is x
    for mod in (ember.nn.Dropout2d(), ember.nn.AlphaDropout(), ember.nn.FeatureAlphaDropout()):
        mod.eval()
        assert mod(ember.randn(2, 3, 4, 4)).shape == (2, 3, 4, 4)


def test_dropout_reproducible():
    x = ember.ones(50, 50)
    ember.manual_seed(7)
    a = to_numpy(F.dropout(x, 0.5))
    ember.manual_seed(7)
    b = to_numpy(F.dropout(x, 0.5))
    c = to_numpy(F.dropout(x, 0.5))
    assert np.array_equal(a, b) and not np.array_equal(b, c)


def test_dropout_inplace():
    ember.manual_seed(0)
    x = ember.ones(30, 30)
    y = F.dropout(x, 0.5, inplace=True)
    assert y is x and set(np.unique(to_numpy(x))) <= {0.0, 2.0}
    raises_like(lambda m, t: m.nn.functional.dropout(t.requires_grad_(), 0.5, True, True),
                np.ones(3, dtype='float32'), match='leaf Variable')
    a = ember.ones(100, requires_grad=True)
    h = a * 1
    F.dropout(h, 0.5, inplace=True).sum().backward()
    assert set(np.unique(to_numpy(a.grad))) <= {0.0, 2.0}


@pytest.mark.parametrize('fn,shape,mask_shape', [
    ('dropout1d', (40, 30, 8), (40, 30, 1)),
    ('dropout1d', (300, 8), (300, 1)),
    ('dropout2d', (40, 30, 4, 4), (40, 30, 1, 1)),
    ('dropout2d', (40, 30, 4), (40, 30, 1)),       # 3-D: torch treats it as (N, C, L)
    ('dropout3d', (20, 30, 2, 3, 2), (20, 30, 1, 1, 1)),
    ('dropout3d', (300, 2, 3, 2), (300, 1, 1, 1)),
])
def test_channel_dropout(fn, shape, mask_shape):
    ember.manual_seed(1)
    x = ember.ones(*shape, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        y = getattr(F, fn)(x, 0.4)
    v = to_numpy(y)
    # each channel is all-zero or all-scaled
    red = tuple(range(len(mask_shape)))[len(mask_shape) - sum(s == 1 for s in mask_shape):]
    chan = v.reshape(v.shape[:len(shape) - len(red)] + (-1,))
    assert np.all((chan == 0).all(-1) | np.isclose(chan, 1 / 0.6).all(-1))
    assert abs((chan == 0).all(-1).mean() - 0.4) < 0.05
    y.backward(ember.ones_like(y))
    np.testing.assert_allclose(to_numpy(x.grad), v, rtol=1e-6)


def test_channel_dropout_errors_and_warnings():
    raises_like(lambda m, x: m.nn.functional.dropout1d(x), np.ones((2, 3, 4, 5), 'float32'),
                match='Expected 2D or 3D input')
    with pytest.warns(UserWarning):
        F.dropout2d(ember.ones(2, 3, 4))
    with pytest.warns(UserWarning):
        F.dropout3d(ember.ones(2, 3))
    raises_like(lambda m, x: m.nn.functional.feature_alpha_dropout(x, 0.5, True), np.ones(3, 'float32'),
                match='at least 2 dimensions')


@pytest.mark.parametrize('p', [-0.1, 1.5])
def test_p_validation(p):
    for name in ('dropout', 'dropout1d', 'dropout2d', 'dropout3d', 'alpha_dropout', 'feature_alpha_dropout'):
        e = raises_like(lambda m, x: getattr(m.nn.functional, name)(x, p, True), np.ones((2, 3, 4, 4, 2), 'float32'))
        assert str(e) == f"dropout probability has to be between 0 and 1, but got {p}"
    for name in ('Dropout', 'Dropout1d', 'Dropout2d', 'Dropout3d', 'AlphaDropout', 'FeatureAlphaDropout'):
        raises_like(lambda m: getattr(m.nn, name)(p), match='dropout probability')


def test_int_input_error():
    raises_like(lambda m, x: m.nn.functional.dropout(x, 0.5), np.arange(4), match="can't be cast")


def _alpha_consts(p):
    alpha = 1.7580993408473766
    a = 1 / math.sqrt((alpha ** 2 * p + 1) * (1 - p))
    return a, alpha * a * p, -alpha * a + alpha * a * p


@pytest.mark.parametrize('p', [0.2, 0.5])
def test_alpha_dropout_formula_matches_torch(p):
    x = np.random.default_rng(0).normal(size=(200, 100))
    a, kept_shift, dropped = _alpha_consts(p)
    for lib, out in ((torch, torch.nn.functional.alpha_dropout(torch.tensor(x), p, True)),
                     (ember, F.alpha_dropout(ember.tensor(x), p, True))):
        v = to_numpy(out)
        kept = np.isclose(v, a * x + kept_shift)
        drop = np.isclose(v, dropped)
        assert np.all(kept | drop), lib.__name__
        assert abs(drop.mean() - p) < 0.02
        assert abs(v.mean()) < 0.05 and abs(v.std() - 1) < 0.05   # self-normalizing
    xe = ember.tensor(x, requires_grad=True)
    y = F.alpha_dropout(xe, p, True)
    assert type(y.grad_fn).__name__ == 'AddBackward0'
    y.sum().backward()
    kept = np.isclose(to_numpy(y), a * x + kept_shift)
    np.testing.assert_allclose(to_numpy(xe.grad), kept * a)
    assert F.alpha_dropout(xe, p) is xe   # training defaults to False


def test_feature_alpha_dropout_channelwise():
    ember.manual_seed(3)
    x = ember.zeros(100, 20, 5)
    v = to_numpy(F.feature_alpha_dropout(x, 0.5, True))
    assert np.all(v == v[:, :, :1])
    a, kept_shift, dropped = _alpha_consts(0.5)
    assert np.all(np.isclose(v, kept_shift) | np.isclose(v, dropped))


def test_alpha_p_one():
    x = ember.randn(3, 4, requires_grad=True)
    assert np.all(to_numpy(F.alpha_dropout(x, 1.0, True)) == 0)


def test_module_reprs_and_train_mode():
    for name in ('Dropout', 'Dropout1d', 'Dropout2d', 'Dropout3d', 'AlphaDropout', 'FeatureAlphaDropout'):
        for args in [(), (0.3,), (0.1, True)]:
            assert repr(getattr(ember.nn, name)(*args)) == repr(getattr(torch.nn, name)(*args))
    m = ember.nn.Dropout(0.5)
    ember.manual_seed(0)
    assert (to_numpy(m(ember.ones(1000))) == 0).mean() > 0.4
    m2 = ember.nn.Dropout2d(0.5)
    assert m2(ember.ones(4, 3, 2, 2)).shape == (4, 3, 2, 2)
