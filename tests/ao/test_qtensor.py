"""Quantized tensors and fake quantization vs torch."""
import warnings

import numpy as np
import pytest
import torch

import ember
from helpers import raises_like  # noqa: F401

warnings.filterwarnings('ignore')
RNG = np.random.default_rng(0)

QD = [('quint8', 0, 255), ('qint8', -128, 127), ('qint32', -2 ** 31, 2 ** 31 - 1)]


@pytest.mark.parametrize('dt', [d[0] for d in QD])
@pytest.mark.parametrize('scale,zp', [(0.1, 3), (0.037, 0), (0.0123, 10), (2.5, 1)])
def test_quantize_per_tensor(dt, scale, zp):
    x = (RNG.standard_normal((50, 40)) * 4).astype('float32')
    x[0, :4] = [0.05, 0.15, 0.25, -0.35]          # ties: round half to even
    q_e = ember.quantize_per_tensor(ember.tensor(x), scale, zp, getattr(ember, dt))
    q_t = torch.quantize_per_tensor(torch.tensor(x), scale, zp, getattr(torch, dt))
    np.testing.assert_array_equal(q_e.int_repr().numpy(), q_t.int_repr().numpy())
    assert str(q_e.int_repr().dtype) == str(q_t.int_repr().dtype)
    np.testing.assert_array_equal(q_e.dequantize().numpy(), q_t.dequantize().numpy())
    assert q_e.q_scale() == q_t.q_scale() and q_e.q_zero_point() == q_t.q_zero_point()
    assert repr(q_e.dtype) == repr(q_t.dtype) and q_e.is_quantized
    assert repr(q_e.qscheme()) == repr(q_t.qscheme())


def test_quantize_clamps_and_repr():
    x = [0., 0.5, -1., 30.]
    q_e = ember.quantize_per_tensor(ember.tensor(x), 0.1, 10, ember.quint8)
    q_t = torch.quantize_per_tensor(torch.tensor(x), 0.1, 10, torch.quint8)
    assert repr(q_e) == repr(q_t)
    assert repr(q_e[0]) == repr(q_t[0])
    assert repr(q_e.reshape(2, 2)) == repr(q_t.reshape(2, 2))
    q_e = ember.quantize_per_tensor(ember.tensor(x), ember.tensor(0.1), ember.tensor(2), ember.quint8)
    q_t = torch.quantize_per_tensor(torch.tensor(x), torch.tensor(0.1), torch.tensor(2), torch.quint8)
    assert repr(q_e) == repr(q_t)


@pytest.mark.parametrize('axis', [0, 1, 2])
@pytest.mark.parametrize('dt', ['quint8', 'qint8'])
def test_quantize_per_channel(axis, dt):
    x = (RNG.standard_normal((3, 4, 5)) * 3).astype('float32')
    n = x.shape[axis]
    s = RNG.uniform(0.01, 0.2, n)
    z = RNG.integers(0, 20, n)
    q_e = ember.quantize_per_channel(ember.tensor(x), ember.tensor(s), ember.tensor(z), axis,
                                     getattr(ember, dt))
    q_t = torch.quantize_per_channel(torch.tensor(x), torch.tensor(s), torch.tensor(z), axis,
                                     getattr(torch, dt))
    np.testing.assert_array_equal(q_e.int_repr().numpy(), q_t.int_repr().numpy())
    np.testing.assert_array_equal(q_e.dequantize().numpy(), q_t.dequantize().numpy())
    np.testing.assert_array_equal(q_e.q_per_channel_scales().numpy(), q_t.q_per_channel_scales().numpy())
    np.testing.assert_array_equal(q_e.q_per_channel_zero_points().numpy(),
                                  q_t.q_per_channel_zero_points().numpy())
    assert q_e.q_per_channel_axis() == q_t.q_per_channel_axis()
    assert repr(q_e.qscheme()) == repr(q_t.qscheme())
    assert repr(q_e) == repr(q_t)


def test_bad_inputs():
    x = np.ones((2, 3), 'float32')
    for lib in (ember, torch):
        with pytest.raises(RuntimeError, match='Channel axis out of range'):
            lib.quantize_per_channel(lib.tensor(x), lib.tensor([0.1, 0.2]), lib.tensor([0, 1]), 2,
                                     lib.qint8)
        with pytest.raises(RuntimeError, match='not supported in new_qtensor'):
            lib.quantize_per_tensor(lib.tensor(x), 0.1, 0, lib.float32)
        q = lib.quantize_per_tensor(lib.tensor(x), 0.1, 0, lib.quint8)
        with pytest.raises(NotImplementedError):
            q + q


def test_float_dequantize_is_identity():
    t = ember.tensor([1.0, 2.0])
    assert t.dequantize() is t
    assert ember.dequantize(t) is t


@pytest.mark.parametrize('scale,zp,qmin,qmax', [(0.1, 3, -128, 127), (0.037, 0, 0, 255),
                                                (0.05, 10, 0, 127)])
def test_fake_quantize_per_tensor(scale, zp, qmin, qmax):
    x = (RNG.standard_normal((30, 20)) * 4).astype('float32')
    g = RNG.standard_normal(x.shape).astype('float32')
    xe, xt = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ye = ember.fake_quantize_per_tensor_affine(xe, scale, zp, qmin, qmax)
    yt = torch.fake_quantize_per_tensor_affine(xt, scale, zp, qmin, qmax)
    np.testing.assert_array_equal(ye.detach().numpy(), yt.detach().numpy())
    assert ye.grad_fn.name() == yt.grad_fn.name()
    ye.backward(ember.tensor(g))
    yt.backward(torch.tensor(g))
    np.testing.assert_array_equal(xe.grad.numpy(), xt.grad.numpy())
    # tensor qparams variant
    xe, xt = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ye = ember.fake_quantize_per_tensor_affine(xe, ember.tensor(scale), ember.tensor(zp, dtype=ember.int32), qmin, qmax)
    yt = torch.fake_quantize_per_tensor_affine(xt, torch.tensor(scale), torch.tensor(zp, dtype=torch.int32), qmin, qmax)
    np.testing.assert_array_equal(ye.detach().numpy(), yt.detach().numpy())
    assert ye.grad_fn.name() == yt.grad_fn.name()
    ye.sum().backward()
    yt.sum().backward()
    np.testing.assert_array_equal(xe.grad.numpy(), xt.grad.numpy())


@pytest.mark.parametrize('axis', [0, 1])
def test_fake_quantize_per_channel(axis):
    x = (RNG.standard_normal((6, 5)) * 4).astype('float32')
    n = x.shape[axis]
    s = RNG.uniform(0.01, 0.2, n).astype('float32')
    z = RNG.integers(0, 20, n).astype('int32')
    xe, xt = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ye = ember.fake_quantize_per_channel_affine(xe, ember.tensor(s), ember.tensor(z), axis, -128, 127)
    yt = torch.fake_quantize_per_channel_affine(xt, torch.tensor(s), torch.tensor(z), axis, -128, 127)
    np.testing.assert_array_equal(ye.detach().numpy(), yt.detach().numpy())
    assert ye.grad_fn.name() == yt.grad_fn.name()
    ye.sum().backward()
    yt.sum().backward()
    np.testing.assert_array_equal(xe.grad.numpy(), xt.grad.numpy())
