import numpy as np
import pytest
import torch

import ember
from ember.utils.checkpoint import checkpoint, checkpoint_sequential


def _models():
    tm = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Tanh(), torch.nn.Linear(8, 3))
    em = ember.nn.Sequential(ember.nn.Linear(4, 8), ember.nn.Tanh(), ember.nn.Linear(8, 3))
    em.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in tm.state_dict().items()})
    return tm, em


@pytest.mark.parametrize('reentrant', [False, True])
def test_matches_torch(reentrant):
    import torch.utils.checkpoint as tc
    tm, em = _models()
    x = np.random.default_rng(0).standard_normal((5, 4)).astype('float32')
    tx, ex = torch.tensor(x, requires_grad=True), ember.tensor(x, requires_grad=True)
    ty = tc.checkpoint(lambda a, s: tm(a) * s, tx, 2.0, use_reentrant=reentrant)
    ey = checkpoint(lambda a, s: em(a) * s, ex, 2.0, use_reentrant=reentrant)
    np.testing.assert_allclose(ey.detach().numpy(), ty.detach().numpy(), rtol=1e-5, atol=1e-6)
    ty.sum().backward()
    ey.sum().backward()
    np.testing.assert_allclose(ex.grad.numpy(), tx.grad.numpy(), rtol=1e-5, atol=1e-6)
    for (n, tp), ep in zip(tm.named_parameters(), em.parameters()):
        np.testing.assert_allclose(ep.grad.numpy(), tp.grad.numpy(), rtol=1e-5, atol=1e-6)


def test_recomputes_and_multiple_outputs_kwargs():
    calls = []
    lin = ember.nn.Linear(3, 3)
    lin.register_forward_hook(lambda m, i, o: calls.append(1))
    x = ember.randn(2, 3, requires_grad=True)

    def f(a, scale=1.0):
        h = lin(a)
        return h * scale, h.sum()
    y, s = checkpoint(f, x, use_reentrant=False, scale=3.0)
    assert len(calls) == 1
    (y.sum() + s).backward()
    assert len(calls) == 2          # recomputed in backward
    x2 = x.detach().requires_grad_()
    lin.weight.grad = None
    y2, s2 = f(x2, scale=3.0)
    (y2.sum() + s2).backward()
    np.testing.assert_allclose(x.grad.numpy(), x2.grad.numpy(), rtol=1e-6)


def test_dropout_rng_preserved():
    x = ember.randn(4, 10, requires_grad=True)
    ember.manual_seed(3)
    y = checkpoint(lambda a: ember.nn.functional.dropout(a * 2, 0.5, True), x, use_reentrant=False)
    y.sum().backward()
    x2 = x.detach().requires_grad_()
    ember.manual_seed(3)
    y2 = ember.nn.functional.dropout(x2 * 2, 0.5, True)
    y2.sum().backward()
    np.testing.assert_array_equal(y.detach().numpy(), y2.detach().numpy())
    np.testing.assert_array_equal(x.grad.numpy(), x2.grad.numpy())


def test_checkpoint_sequential():
    tm, em = _models()
    x = np.random.default_rng(1).standard_normal((5, 4)).astype('float32')
    tx, ex = torch.tensor(x, requires_grad=True), ember.tensor(x, requires_grad=True)
    import torch.utils.checkpoint as tc
    tc.checkpoint_sequential(tm, 2, tx, use_reentrant=False).sum().backward()
    checkpoint_sequential(em, 2, ex, use_reentrant=False).sum().backward()
    np.testing.assert_allclose(ex.grad.numpy(), tx.grad.numpy(), rtol=1e-5, atol=1e-6)
