"""parametrize: register/remove/is_parametrized/cached/right_inverse vs torch."""
import copy

import numpy as np
import pytest
import torch

import ember

W = np.random.default_rng(0).standard_normal((3, 3))


def _mods(lib):
    nn = lib.nn

    class Sym(nn.Module):
        def forward(self, X):
            return X.triu() + X.triu(1).transpose(0, 1)

    class Scale(nn.Module):
        def forward(self, X):
            return X * 2

        def right_inverse(self, X):
            return X / 2

    class Bad(nn.Module):
        def forward(self, X):
            return X[0]

    class ToDouble(nn.Module):
        def forward(self, X):
            return X.double()

    return Sym, Scale, Bad, ToDouble


def _lin(lib):
    m = lib.nn.Linear(3, 3, dtype=lib.float64)
    with lib.no_grad():
        m.weight.copy_(lib.tensor(W))
        m.bias.zero_()
    return m


def test_register_and_evaluate():
    out = []
    for lib in (ember, torch):
        P = lib.nn.utils.parametrize
        Sym, Scale, _, _ = _mods(lib)
        m = _lin(lib)
        orig = m.weight
        P.register_parametrization(m, 'weight', Sym())
        P.register_parametrization(m, 'weight', Scale())
        assert type(m).__name__ == 'ParametrizedLinear'
        assert P.type_before_parametrizations(m) is lib.nn.Linear
        assert P.is_parametrized(m) and P.is_parametrized(m, 'weight') and not P.is_parametrized(m, 'bias')
        assert m.parametrizations.weight.original is orig
        y = m(lib.tensor(np.eye(3)))
        y.sum().backward()
        out.append((sorted(m.state_dict()), [n for n, _ in m.named_parameters()], m.weight.detach().numpy(),
                    orig.grad.numpy(), len(m.parametrizations.weight)))
    assert out[0][0] == out[1][0] and out[0][1] == out[1][1] and out[0][4] == out[1][4]
    np.testing.assert_allclose(out[0][2], out[1][2])
    np.testing.assert_allclose(out[0][3], out[1][3])


def test_right_inverse_assignment_and_remove():
    res = []
    for lib in (ember, torch):
        P = lib.nn.utils.parametrize
        Sym, Scale, _, _ = _mods(lib)
        m = _lin(lib)
        P.register_parametrization(m, 'weight', Scale())
        P.register_parametrization(m, 'weight', Scale())
        orig = m.parametrizations.weight.original
        m.weight = lib.ones(3, 3, dtype=lib.float64)
        assert m.parametrizations.weight.original is orig
        a = orig.detach().numpy().copy()
        P.register_parametrization(m, 'bias', Sym() if False else Scale())
        P.remove_parametrizations(m, 'weight', leave_parametrized=False)
        assert isinstance(m.weight, lib.nn.Parameter) and type(m).__name__ == 'ParametrizedLinear'
        b = m.weight.detach().numpy().copy()
        P.remove_parametrizations(m, 'bias')
        assert type(m) is lib.nn.Linear and not hasattr(m, 'parametrizations')
        m2 = _lin(lib)
        P.register_parametrization(m2, 'weight', Sym())
        with pytest.raises(RuntimeError, match='does not implement right_inverse'):
            m2.weight = lib.ones(3, 3, dtype=lib.float64)
        P.remove_parametrizations(m2, 'weight')
        res.append((a, b, m2.weight.detach().numpy()))
    for x, y in zip(*res):
        np.testing.assert_allclose(x, y)


def test_errors_match_torch():
    for lib in (ember, torch):
        P = lib.nn.utils.parametrize
        _, _, Bad, ToDouble = _mods(lib)
        with pytest.raises(ValueError, match='may not change the shape'):
            P.register_parametrization(_lin(lib), 'weight', Bad())
        m = _lin(lib).float()
        with pytest.raises(ValueError, match='may not change the dtype'):
            P.register_parametrization(m, 'weight', ToDouble())
        with pytest.raises(ValueError, match='does not have a parametrization on weight'):
            P.remove_parametrizations(_lin(lib), 'weight')
        P.register_parametrization(m, 'weight', ToDouble(), unsafe=True)
        assert m.weight.dtype == lib.float64


def test_cached_and_deepcopy():
    P = ember.nn.utils.parametrize
    _, Scale, _, _ = _mods(ember)
    m = _lin(ember)
    P.register_parametrization(m, 'weight', Scale())
    assert m.weight is not m.weight
    with P.cached():
        assert m.weight is m.weight
    c = copy.deepcopy(m)
    assert type(c).__name__ == 'ParametrizedLinear'
    np.testing.assert_allclose(c.weight.detach().numpy(), m.weight.detach().numpy())
    assert c.parametrizations.weight.original is not m.parametrizations.weight.original
