"""prune: identity/l1/random unstructured, structured, global, remove, is_pruned vs torch."""
import numpy as np
import pytest
import torch
import torch.nn.utils.prune  # noqa: F401  (not imported by torch.nn.utils itself)

import ember

_rng = np.random.default_rng(0)  # distinct magnitudes: no ties in the L1 ranking
W = ((_rng.permutation(20) + 1) * _rng.choice([-1, 1], 20)).reshape(4, 5).astype(np.float32) / 4
B = np.array([0.3, -1.2, 2.5, -0.1], dtype=np.float32)


def _lin(lib):
    m = lib.nn.Linear(5, 4)
    with lib.no_grad():
        m.weight.copy_(lib.tensor(W))
        m.bias.copy_(lib.tensor(B))
    return m


def _state(m):
    return {k: v.detach().numpy().copy() for k, v in m.state_dict().items()}


@pytest.mark.parametrize('amount', [0.3, 7, 0, 1.0])
def test_l1_unstructured_and_repeat(amount):
    out = []
    for lib in (ember, torch):
        pr = lib.nn.utils.prune
        m = _lin(lib)
        pr.l1_unstructured(m, 'weight', amount=amount)
        assert pr.is_pruned(m)
        s1 = _state(m)
        pr.l1_unstructured(m, 'weight', amount=0.25)  # iterative: PruningContainer
        s2 = _state(m)
        w = m.weight.detach().numpy().copy()
        y = m(lib.ones(2, 5))
        y.sum().backward()
        g = m.weight_orig.grad.numpy().copy()
        pr.remove(m, 'weight')
        assert isinstance(m.weight, lib.nn.Parameter) and not pr.is_pruned(m)
        out.append((s1, s2, w, g, _state(m)))
    for a, b in zip(out[0], out[1]):
        if isinstance(a, dict):
            assert a.keys() == b.keys()
            for k in a:
                np.testing.assert_array_equal(a[k], b[k], err_msg=k)
        else:
            np.testing.assert_array_equal(a, b)


def test_identity_importance_scores_and_bias():
    out = []
    for lib in (ember, torch):
        pr = lib.nn.utils.prune
        m = _lin(lib)
        pr.identity(m, 'bias')
        scores = lib.tensor(np.abs(W[::-1].copy()))
        pr.l1_unstructured(m, 'weight', amount=5, importance_scores=scores)
        out.append(_state(m))
    for k in out[1]:
        np.testing.assert_array_equal(out[0][k], out[1][k], err_msg=k)


def test_random_unstructured_counts():
    m = _lin(ember)
    ember.nn.utils.prune.random_unstructured(m, 'weight', amount=0.4)
    assert int((m.weight_mask == 0).sum()) == 8
    np.testing.assert_array_equal(m.weight.detach().numpy(), W * m.weight_mask.numpy())
    ember.nn.utils.prune.random_unstructured(m, 'weight', amount=3)
    assert int((m.weight_mask == 0).sum()) == 11


@pytest.mark.parametrize('dim,n', [(0, 1), (1, 2), (-1, float('inf'))])
def test_ln_structured(dim, n):
    out = []
    for lib in (ember, torch):
        pr = lib.nn.utils.prune
        m = _lin(lib)
        pr.ln_structured(m, 'weight', amount=0.5, n=n, dim=dim)
        pr.ln_structured(m, 'weight', amount=1, n=n, dim=dim)
        out.append(_state(m))
    for k in out[1]:
        np.testing.assert_array_equal(out[0][k], out[1][k], err_msg=k)
    m = _lin(ember)
    ember.nn.utils.prune.random_structured(m, 'weight', amount=2, dim=0)
    assert int((m.weight_mask.numpy().sum(1) == 0).sum()) == 2


def test_global_unstructured():
    out = []
    for lib in (ember, torch):
        pr = lib.nn.utils.prune
        a, b = _lin(lib), _lin(lib)
        with lib.no_grad():
            b.weight.mul_(0.5)
        pr.l1_unstructured(a, 'bias', amount=1)
        params = [(a, 'weight'), (b, 'weight'), (a, 'bias')]
        pr.global_unstructured(params, pruning_method=pr.L1Unstructured, amount=0.4)
        out.append((_state(a), _state(b)))
        with pytest.raises(TypeError, match='Only "unstructured" PRUNING_TYPE'):
            pr.global_unstructured(params, pruning_method=pr.LnStructured, amount=0.1, n=2, dim=0)
    for x, y in zip(out[0], out[1]):
        assert x.keys() == y.keys()
        for k in x:
            np.testing.assert_array_equal(x[k], y[k], err_msg=k)


def test_errors_match_torch():
    for lib in (ember, torch):
        pr = lib.nn.utils.prune
        m = _lin(lib)
        with pytest.raises(ValueError, match='has to be pruned before pruning can be removed'):
            pr.remove(m, 'weight')
        with pytest.raises(ValueError, match='should either be a float in the range'):
            pr.l1_unstructured(m, 'weight', amount=1.5)
        with pytest.raises(ValueError, match='should either be a float in the range'):
            pr.l1_unstructured(m, 'weight', amount=-1)
        with pytest.raises(TypeError, match='Invalid type for amount'):
            pr.l1_unstructured(m, 'weight', amount='a')
        with pytest.raises(ValueError, match='should be smaller than the number of parameters'):
            pr.l1_unstructured(m, 'weight', amount=21)
        assert isinstance(m.weight, lib.nn.Parameter) and 'weight_orig' not in dict(m.named_parameters())
        with pytest.raises(ValueError, match='multidimensional'):
            pr.ln_structured(m, 'bias', amount=1, n=1, dim=0)
