"""clip_grad_norm_/clip_grad_value_/get_total_norm/parameters_to_vector vs torch."""
import math

import numpy as np
import pytest
import torch

import ember


def _params(lib, grads, dtype='float32'):
    ps = []
    for g in grads:
        p = lib.nn.Parameter(lib.zeros(g.shape, dtype=getattr(lib, dtype)))
        p.grad = lib.tensor(g.astype(dtype))
        ps.append(p)
    return ps


def _grads(scale=1.0):
    rng = np.random.default_rng(0)
    return [rng.standard_normal(s) * scale for s in [(3, 4), (5,), (), (2, 0)]]


@pytest.mark.parametrize('norm_type', [2.0, 1, 3.5, math.inf, 'inf', 0.5])
@pytest.mark.parametrize('max_norm', [0.1, 1e3])
@pytest.mark.parametrize('dtype', ['float32', 'float64'])
def test_clip_grad_norm(norm_type, max_norm, dtype):
    gs = _grads()
    if norm_type in (math.inf, 'inf'):  # the inf norm of an empty grad is an error in torch
        for lib in (ember, torch):
            with pytest.raises(RuntimeError, match='empty tensor'):
                lib.nn.utils.clip_grad_norm_(_params(lib, gs, dtype), max_norm, norm_type=math.inf)
        gs = gs[:3]
    res = []
    for lib in (ember, torch):
        ps = _params(lib, gs, dtype)
        nt = float(norm_type) if norm_type == 'inf' else norm_type
        total = lib.nn.utils.clip_grad_norm_(ps, max_norm, norm_type=nt, foreach=True)
        res.append((total.numpy(), total.dtype, [p.grad.numpy().copy() for p in ps]))
    (te, de, ge), (tt, dt, gt) = res
    np.testing.assert_allclose(te, tt, rtol=1e-6)
    assert str(de).split('.')[-1] == str(dt).split('.')[-1]
    for a, b in zip(ge, gt):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)


def test_clip_grad_norm_single_tensor_and_no_grads():
    for lib in (ember, torch):
        p = lib.nn.Parameter(lib.ones(4))
        p.grad = lib.full((4,), 3.0)
        total = lib.nn.utils.clip_grad_norm_(p, 1.0)
        assert float(total) == pytest.approx(6.0)
        assert p.grad.numpy() == pytest.approx(np.full(4, 3.0 / (6.0 + 1e-6)))
        q = lib.nn.Parameter(lib.ones(2))
        z = lib.nn.utils.clip_grad_norm_([q], 1.0)
        assert float(z) == 0.0 and z.dim() == 0


def test_clip_grad_norm_nonfinite():
    gs = [np.array([1.0, np.inf]), np.array([np.nan])]
    for lib in (ember, torch):
        ps = _params(lib, gs)
        with pytest.raises(RuntimeError, match='non-finite'):
            lib.nn.utils.clip_grad_norm_(ps, 1.0, error_if_nonfinite=True)
    pe, pt = _params(ember, gs), _params(torch, gs)
    te = ember.nn.utils.clip_grad_norm_(pe, 1.0)
    tt = torch.nn.utils.clip_grad_norm_(pt, 1.0)
    assert np.isnan(te.numpy()) == np.isnan(tt.numpy())


def test_get_total_norm_and_clip_grads_with_norm():
    gs = _grads()
    res = []
    for lib in (ember, torch):
        ps = _params(lib, gs)
        total = lib.nn.utils.get_total_norm([p.grad for p in ps], 3.0)
        lib.nn.utils.clip_grads_with_norm_(ps, 0.5, total)
        res.append((float(total), [p.grad.numpy().copy() for p in ps]))
    assert res[0][0] == pytest.approx(res[1][0], rel=1e-6)
    for a, b in zip(res[0][1], res[1][1]):
        np.testing.assert_allclose(a, b, rtol=1e-5)


@pytest.mark.parametrize('clip', [0.3, 2, 0.0])
def test_clip_grad_value(clip):
    gs = _grads(2.0)
    res = []
    for lib in (ember, torch):
        ps = _params(lib, gs)
        out = lib.nn.utils.clip_grad_value_(ps, clip, foreach=False)
        assert out is None
        res.append([p.grad.numpy().copy() for p in ps])
    for a, b in zip(*res):
        np.testing.assert_array_equal(a, b)


def test_parameters_to_vector_round_trip():
    rng = np.random.default_rng(1)
    arrs = [rng.standard_normal(s).astype(np.float32) for s in [(2, 3), (4,), (1, 1, 2)]]
    out = []
    for lib in (ember, torch):
        ps = [lib.nn.Parameter(lib.tensor(a)) for a in arrs]
        v = lib.nn.utils.parameters_to_vector(ps)
        assert v.shape == (12,)
        v2 = v * 2 + 1
        lib.nn.utils.vector_to_parameters(v2, ps)
        assert isinstance(ps[0], lib.nn.Parameter) and ps[0].shape == (2, 3)
        out.append((v.detach().numpy(), [p.detach().numpy().copy() for p in ps], v.grad_fn is not None))
    np.testing.assert_array_equal(out[0][0], out[1][0])
    for a, b in zip(out[0][1], out[1][1]):
        np.testing.assert_array_equal(a, b)
    assert out[0][2] == out[1][2]
    for lib in (ember, torch):
        with pytest.raises(TypeError, match='expected torch.Tensor, but got: list'):
            lib.nn.utils.vector_to_parameters([1.0], [lib.nn.Parameter(lib.ones(1))])


def test_parameters_to_vector_grad():
    a = np.arange(6, dtype=np.float64).reshape(2, 3)
    grads = []
    for lib in (ember, torch):
        p = lib.nn.Parameter(lib.tensor(a))
        q = lib.nn.Parameter(lib.tensor(a[0]))
        v = lib.nn.utils.parameters_to_vector([p, q])
        (v * lib.arange(9, dtype=lib.float64)).sum().backward()
        grads.append((p.grad.numpy(), q.grad.numpy()))
    np.testing.assert_array_equal(grads[0][0], grads[1][0])
    np.testing.assert_array_equal(grads[0][1], grads[1][1])
