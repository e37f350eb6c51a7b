"""weight_norm / spectral_norm (hook-based and parametrizations) vs torch with identical weights."""
import warnings

import numpy as np
import pytest
import torch

import ember


def _linear(lib, w, b):
    m = lib.nn.Linear(w.shape[1], w.shape[0], dtype=lib.float64)
    with lib.no_grad():
        m.weight.copy_(lib.tensor(w))
        m.bias.copy_(lib.tensor(b))
    return m


def _wb(shape=(4, 3), seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal(shape).astype(np.float64), rng.standard_normal(shape[0]).astype(np.float64)


X = np.linspace(-1, 1, 6).reshape(2, 3)


class _Holder:
    """A module holding a single Parameter of any shape (weight_norm over various dims)."""

    @staticmethod
    def make(lib, w):
        m = lib.nn.Module()
        m.weight = lib.nn.Parameter(lib.tensor(w))
        return m


@pytest.mark.parametrize('dim', [0, 1, None, -1, -2, 2])
def test_weight_norm_hook_api(dim):
    w = np.random.default_rng(1).standard_normal((3, 4, 2))
    out = []
    for lib in (ember, torch):
        m = _Holder.make(lib, w)
        with warnings.catch_warnings(record=True) as rec:
            warnings.simplefilter('always')
            lib.nn.utils.weight_norm(m, dim=dim)
        assert any(issubclass(r.category, FutureWarning) for r in rec)
        names = sorted(n for n, _ in m.named_parameters())
        g, v = m.weight_g, m.weight_v
        (m.weight * lib.tensor(w)).sum().backward()
        out.append((names, g.detach().numpy().copy(), m.weight.detach().numpy().copy(),
                    g.grad.numpy().copy(), v.grad.numpy().copy()))
        with pytest.raises(RuntimeError, match='Cannot register two weight_norm hooks'):
            lib.nn.utils.weight_norm(m, dim=dim)
        lib.nn.utils.remove_weight_norm(m)
        assert isinstance(m.weight, lib.nn.Parameter) and not hasattr(m, 'weight_g')
        np.testing.assert_allclose(m.weight.detach().numpy(), w, rtol=1e-12)
        with pytest.raises(ValueError, match="weight_norm of 'weight' not found in"):
            lib.nn.utils.remove_weight_norm(m)
    assert out[0][0] == out[1][0]
    for a, b in zip(out[0][1:], out[1][1:]):
        assert a.shape == b.shape
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


def test_weight_norm_hook_recomputes_in_forward():
    w, b = _wb()
    res = []
    for lib in (ember, torch):
        m = _linear(lib, w, b)
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            lib.nn.utils.weight_norm(m)
        with lib.no_grad():
            m.weight_g.mul_(2.0)
        res.append(m(lib.tensor(X)).detach().numpy())
    np.testing.assert_allclose(res[0], res[1], rtol=1e-10)


@pytest.mark.parametrize('dim', [0, 1, None])
def test_weight_norm_parametrization(dim):
    w, b = _wb((4, 3), 2)
    out = []
    for lib in (ember, torch):
        m = _linear(lib, w, b)
        lib.nn.utils.parametrizations.weight_norm(m, dim=dim)
        assert type(m).__name__ == 'ParametrizedLinear'
        names = [n for n, _ in m.named_parameters()]
        g = m.parametrizations.weight.original0
        v = m.parametrizations.weight.original1
        y = m(lib.tensor(X))
        (y * y).sum().backward()
        out.append((names, sorted(m.state_dict()), g.detach().numpy().copy(), y.detach().numpy(),
                    g.grad.numpy(), v.grad.numpy()))
        lib.nn.utils.parametrize.remove_parametrizations(m, 'weight')
        np.testing.assert_allclose(m.weight.detach().numpy(), w, rtol=1e-12)
    assert out[0][:2] == out[1][:2]
    for a, b in zip(out[0][2:], out[1][2:]):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


def _copy_uv(src, dst, names):
    with ember.no_grad():
        for n in names:
            getattr(dst, n).copy_(ember.tensor(getattr(src, n).numpy()))


@pytest.mark.parametrize('shape,dim', [((4, 3), None), ((3, 5), 1), ((2, 3, 4), 0), ((2, 3, 4), 2)])
@pytest.mark.parametrize('n_iter', [1, 3])
def test_spectral_norm_hook_api(shape, dim, n_iter):
    w = np.random.default_rng(3).standard_normal(shape)
    mt = _Holder.make(torch, w)
    me = _Holder.make(ember, w)
    torch.nn.utils.spectral_norm(mt, n_power_iterations=n_iter, dim=dim)
    ember.nn.utils.spectral_norm(me, n_power_iterations=n_iter, dim=dim)
    assert sorted(n for n, _ in me.named_parameters()) == sorted(n for n, _ in mt.named_parameters())
    assert sorted(me.state_dict()) == sorted(mt.state_dict())
    _copy_uv(mt, me, ['weight_u', 'weight_v'])
    for step in range(3):
        if step == 2:
            me.eval()
            mt.eval()
        for m in (me, mt):
            for h in m._forward_pre_hooks.values():
                h(m, ())
        np.testing.assert_allclose(me.weight.detach().numpy(), mt.weight.detach().numpy(), rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(me.weight_u.numpy(), mt.weight_u.numpy(), rtol=1e-9, atol=1e-12)
    (me.weight * ember.tensor(w)).sum().backward()
    (mt.weight * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(me.weight_orig.grad.numpy(), mt.weight_orig.grad.numpy(), rtol=1e-8, atol=1e-12)
    for lib, m in ((ember, me), (torch, mt)):
        with pytest.raises(RuntimeError, match='Cannot register two spectral_norm hooks'):
            lib.nn.utils.spectral_norm(m)
        lib.nn.utils.remove_spectral_norm(m)
        with pytest.raises(ValueError, match="spectral_norm of 'weight' not found in"):
            lib.nn.utils.remove_spectral_norm(m)
    np.testing.assert_allclose(me.weight.detach().numpy(), mt.weight.detach().numpy(), rtol=1e-9)
    assert isinstance(me.weight, ember.nn.Parameter)
    with pytest.raises(ValueError, match='n_power_iterations'):
        ember.nn.utils.spectral_norm(_Holder.make(ember, w), n_power_iterations=0)


@pytest.mark.parametrize('shape,dim', [((4, 3), None), ((3, 5), 1), ((2, 3, 4), -1), ((5,), None)])
def test_spectral_norm_parametrization(shape, dim):
    w = np.random.default_rng(4).standard_normal(shape)
    mt = _Holder.make(torch, w)
    me = _Holder.make(ember, w)
    torch.nn.utils.parametrizations.spectral_norm(mt, dim=dim)
    ember.nn.utils.parametrizations.spectral_norm(me, dim=dim)
    assert [n for n, _ in me.named_parameters()] == [n for n, _ in mt.named_parameters()]
    assert [n for n, _ in me.named_buffers()] == [n for n, _ in mt.named_buffers()]
    if len(shape) > 1:
        pe, pt = me.parametrizations.weight[0], mt.parametrizations.weight[0]
        _copy_uv(pt, pe, ['_u', '_v'])
    for step in range(3):
        if step == 2:
            me.eval()
            mt.eval()
        np.testing.assert_allclose(me.weight.detach().numpy(), mt.weight.detach().numpy(), rtol=1e-9, atol=1e-12)
    ye, yt = me.weight, mt.weight
    (ye * ye).sum().backward()
    (yt * yt).sum().backward()
    np.testing.assert_allclose(me.parametrizations.weight.original.grad.numpy(),
                               mt.parametrizations.weight.original.grad.numpy(), rtol=1e-8, atol=1e-12)
