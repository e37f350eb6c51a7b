"""LBFGS parity with torch (closure-based; with and without strong_wolfe), state, errors."""
import os
import sys

import pytest
import torch

import ember

sys.path.insert(0, os.path.dirname(__file__))
from optim_harness import run_parity  # noqa: E402

CASES = [dict(lr=1, max_iter=4), dict(lr=0.5, max_iter=3, history_size=2),
         dict(lr=1, max_iter=5, line_search_fn='strong_wolfe'),
         dict(lr=1, max_iter=4, history_size=3, line_search_fn='strong_wolfe', max_eval=6)]


@pytest.mark.parametrize('kwargs', CASES, ids=[str(c) for c in CASES])
def test_parity_float32(kwargs):
    # the curvature pairs ('ro', 'al') get ill-conditioned in float32 as the loss converges:
    # few steps, loose state tolerance (parameters are still compared at float32 precision)
    run_parity('LBFGS', kwargs, steps=2, closure=True, roundtrip_at=1, state_atol=1e-4)


@pytest.mark.parametrize('kwargs', CASES, ids=[str(c) for c in CASES])
def test_parity_float64(kwargs):
    run_parity('LBFGS', kwargs, steps=5, closure=True, dtype='float64')


def test_tensor_lr():
    run_parity('LBFGS', dict(lr=0.8, max_iter=3), steps=2, closure=True, lr_tensor=True, roundtrip_at=1,
               state_atol=1e-4)


def test_errors():
    p = ember.nn.Parameter(ember.zeros(2))
    with pytest.raises(ValueError, match="Invalid learning rate: -1"):
        ember.optim.LBFGS([p], lr=-1)
    q = ember.nn.Parameter(ember.zeros(2))
    with pytest.raises(ValueError, match="LBFGS doesn't support per-parameter options"):
        ember.optim.LBFGS([{'params': [p]}, {'params': [q]}])
    opt = ember.optim.LBFGS([p], line_search_fn='bogus')
    tp = torch.nn.Parameter(torch.zeros(2))
    topt = torch.optim.LBFGS([tp], line_search_fn='bogus')

    def closure(lib, param, o):
        def cl():
            o.zero_grad()
            loss = (param - 1).pow(2).sum()
            loss.backward()
            return loss
        return cl
    with pytest.raises(RuntimeError) as texc:
        topt.step(closure(torch, tp, topt))
    with pytest.raises(RuntimeError, match=str(texc.value)):
        opt.step(closure(ember, p, opt))
    with pytest.raises(TypeError):
        opt.step()


def test_converged_returns_first_loss():
    p = ember.nn.Parameter(ember.ones(3))
    opt = ember.optim.LBFGS([p])

    def cl():
        opt.zero_grad()
        loss = (p - 1).pow(2).sum()
        loss.backward()
        return loss
    loss = opt.step(cl)
    assert float(loss) == 0.0 and opt.state[p]['func_evals'] == 1 and opt.state[p]['n_iter'] == 0
