"""NAdam parity with torch: parameters and state_dict after every step, round trips, errors."""
import os
import sys

import pytest
import torch

import ember

sys.path.insert(0, os.path.dirname(__file__))
from optim_harness import run_parity  # noqa: E402

CASES = [dict(lr=0.01), dict(lr=0.01, weight_decay=0.1, momentum_decay=0.01), dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, maximize=True)]


@pytest.mark.parametrize('kwargs', CASES, ids=[str(c) for c in CASES])
def test_parity_float32(kwargs):
    run_parity('NAdam', kwargs)


@pytest.mark.parametrize('kwargs', CASES[:2], ids=[str(c) for c in CASES[:2]])
def test_parity_float64(kwargs):
    run_parity('NAdam', kwargs, dtype='float64')


def test_tensor_lr_and_groups():
    run_parity('NAdam', CASES[0], lr_tensor=True)
    run_parity('NAdam', CASES[0], groups=[([0, 1], {'lr': 0.05}), ([2], {})])


ERRORS = [dict(lr=-1), dict(eps=-1), dict(betas=(1.0, 0.9)), dict(weight_decay=-1), dict(momentum_decay=-1)]


@pytest.mark.parametrize('kwargs', ERRORS, ids=[str(e) for e in ERRORS])
def test_errors(kwargs):
    p = [torch.nn.Parameter(torch.zeros(2))]
    with pytest.raises(Exception) as texc:
        torch.optim.NAdam(p, **kwargs)
    with pytest.raises(type(texc.value), match=str(texc.value).replace('(', r'\(').replace(')', r'\)')):
        ember.optim.NAdam([ember.nn.Parameter(ember.zeros(2))], **kwargs)
