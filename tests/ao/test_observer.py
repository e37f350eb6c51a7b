"""Observers and FakeQuantize vs torch.ao.quantization on the same data."""
import warnings

import numpy as np
import pytest
import torch
import torch.ao.quantization as tq

import ember
import ember.ao.quantization as eq

warnings.filterwarnings('ignore')
RNG = np.random.default_rng(1)


def _batches(shape=(8, 4, 5), n=3, shift=True):
    return [(RNG.standard_normal(shape) * (1 + i) + (0.7 * i if shift else 0)).astype('float32')
            for i in range(n)]


def _qparams_equal(oe, ot, batches):
    for b in batches:
        oe(ember.tensor(b))
        ot(torch.tensor(b))
    se, ze = oe.calculate_qparams()
    st, zt = ot.calculate_qparams()
    np.testing.assert_allclose(se.numpy(), st.numpy(), rtol=1e-6)
    np.testing.assert_array_equal(ze.numpy(), zt.numpy())
    assert str(se.dtype) == str(st.dtype) and str(ze.dtype) == str(zt.dtype)
    assert tuple(se.shape) == tuple(st.shape)


KW = [dict(), dict(dtype='qint8'), dict(qscheme='per_tensor_symmetric', dtype='qint8'),
      dict(qscheme='per_tensor_symmetric'), dict(reduce_range=True),
      dict(quant_min=0, quant_max=127), dict(quant_min=-20, quant_max=40, dtype='qint8'),
      dict(quant_min=0, quant_max=100, qscheme='per_tensor_symmetric')]


def _kw(lib, kw):
    return {k: (getattr(lib, v) if isinstance(v, str) else v) for k, v in kw.items()}


@pytest.mark.parametrize('kw', KW)
@pytest.mark.parametrize('name', ['MinMaxObserver', 'MovingAverageMinMaxObserver'])
def test_minmax_observers(name, kw):
    oe = getattr(eq, name)(**_kw(ember, kw))
    ot = getattr(tq, name)(**_kw(torch, kw))
    assert (oe.quant_min, oe.quant_max) == (ot.quant_min, ot.quant_max)
    _qparams_equal(oe, ot, _batches())
    np.testing.assert_allclose(float(oe.min_val), float(ot.min_val), rtol=1e-6)


def test_moving_average_constant():
    oe = eq.MovingAverageMinMaxObserver(averaging_constant=0.3)
    ot = tq.MovingAverageMinMaxObserver(averaging_constant=0.3)
    _qparams_equal(oe, ot, _batches(n=4))
    np.testing.assert_allclose(float(oe.max_val), float(ot.max_val), rtol=1e-6)


@pytest.mark.parametrize('ch_axis', [0, 1, -1])
@pytest.mark.parametrize('kw', [dict(), dict(dtype='qint8', qscheme='per_channel_symmetric'),
                                dict(qscheme='per_channel_affine_float_qparams'),
                                dict(reduce_range=True)])
@pytest.mark.parametrize('name', ['PerChannelMinMaxObserver', 'MovingAveragePerChannelMinMaxObserver'])
def test_per_channel_observers(name, kw, ch_axis):
    oe = getattr(eq, name)(ch_axis=ch_axis, **_kw(ember, kw))
    ot = getattr(tq, name)(ch_axis=ch_axis, **_kw(torch, kw))
    _qparams_equal(oe, ot, _batches())
    np.testing.assert_allclose(oe.min_val.numpy(), ot.min_val.numpy(), rtol=1e-6)


@pytest.mark.parametrize('kw', [dict(), dict(reduce_range=True), dict(dtype='qint8'),
                                dict(qscheme='per_tensor_symmetric', dtype='qint8'),
                                dict(bins=512)])
@pytest.mark.parametrize('shift', [True, False])
def test_histogram_observer(kw, shift):
    oe = eq.HistogramObserver(**_kw(ember, kw))
    ot = tq.HistogramObserver(**_kw(torch, kw))
    batches = _batches((64, 32), n=3, shift=shift)
    batches[1][0, 0] = 9.0          # an outlier to trim
    _qparams_equal(oe, ot, batches)
    # upscaled bins may shift a fraction of a count across a boundary (float32 linspace)
    # (only a fraction of one count moves between neighbouring bins)
    he, ht = oe.histogram.numpy(), ot.histogram.numpy()
    assert np.abs(np.cumsum(he) - np.cumsum(ht)).max() < 1.0
    np.testing.assert_allclose(oe.histogram.numpy().sum(), ot.histogram.numpy().sum(), rtol=1e-5)


def test_uninitialized_and_placeholder():
    se, ze = eq.MinMaxObserver().calculate_qparams()
    st, zt = tq.MinMaxObserver().calculate_qparams()
    assert se.tolist() == st.tolist() and ze.tolist() == zt.tolist()
    p = eq.PlaceholderObserver(dtype=ember.quint8)
    x = ember.ones(3)
    assert p(x) is x
    with pytest.raises(Exception, match='should not be called'):
        p.calculate_qparams()
    assert eq.NoopObserver()(x) is x


def test_with_args_and_qconfigs():
    f = eq.MinMaxObserver.with_args(dtype=ember.qint8).with_args(reduce_range=True)
    o = f()
    assert o.dtype is ember.qint8 and (o.quant_min, o.quant_max) == (-64, 63)
    for name in ['default_qconfig', 'default_per_channel_qconfig', 'default_qat_qconfig',
                 'default_dynamic_qconfig', 'float_qparams_weight_only_qconfig']:
        assert repr(getattr(eq, name)) == repr(getattr(tq, name)), name
    for backend in ['x86', 'fbgemm', 'qnnpack']:
        assert repr(eq.get_default_qconfig(backend)) == repr(tq.get_default_qconfig(backend))
        assert repr(eq.get_default_qat_qconfig(backend)) == repr(tq.get_default_qat_qconfig(backend))
    with pytest.raises(ValueError):
        eq.QConfig(activation=eq.MinMaxObserver(), weight=eq.MinMaxObserver)


def test_quantization_alias():
    import ember.quantization
    import ember.quantization.observer as obs
    assert ember.quantization.QuantStub is eq.QuantStub
    assert obs.MinMaxObserver is eq.MinMaxObserver
    assert ember.quantization.fake_quantize.FakeQuantize is eq.FakeQuantize


@pytest.mark.parametrize('which', ['default_fake_quant', 'default_weight_fake_quant',
                                   'default_per_channel_weight_fake_quant'])
def test_fake_quantize_module(which):
    fe, ft = getattr(eq, which)(), getattr(tq, which)()
    for i, b in enumerate(_batches((6, 5), n=3)):
        xe, xt = ember.tensor(b, requires_grad=True), torch.tensor(b, requires_grad=True)
        if i == 2:
            fe.disable_observer()
            ft.disable_observer()
        ye, yt = fe(xe), ft(xt)
        np.testing.assert_allclose(ye.detach().numpy(), yt.detach().numpy(), rtol=1e-6, atol=1e-6)
        ye.sum().backward()
        yt.sum().backward()
        np.testing.assert_array_equal(xe.grad.numpy(), xt.grad.numpy())
    np.testing.assert_allclose(fe.scale.numpy(), ft.scale.numpy(), rtol=1e-6)
    np.testing.assert_array_equal(fe.zero_point.numpy(), ft.zero_point.numpy())
    assert fe.observer_enabled.tolist() == ft.observer_enabled.tolist() == [0]
    fe.disable_fake_quant()
    x = ember.tensor(_batches((6, 5), n=1)[0])
    np.testing.assert_array_equal(fe(x).numpy(), x.numpy())
    assert set(fe.state_dict()) == set(ft.state_dict())
