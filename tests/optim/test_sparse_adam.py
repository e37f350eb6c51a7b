"""SparseAdam: ember has no sparse tensors, and torch refuses dense gradients: same errors."""
import pytest
import torch

import ember


def _step(lib):
    p = lib.nn.Parameter(lib.ones(3))
    opt = lib.optim.SparseAdam([p], lr=0.1)
    (p * 2).sum().backward()
    opt.step()


def test_dense_grad_raises_like_torch():
    with pytest.raises(RuntimeError) as texc:
        _step(torch)
    with pytest.raises(RuntimeError, match=str(texc.value)):
        _step(ember)


def test_no_grad_step_is_noop_and_defaults():
    p = ember.nn.Parameter(ember.ones(3))
    opt = ember.optim.SparseAdam([p])
    assert opt.step() is None
    t = torch.optim.SparseAdam([torch.nn.Parameter(torch.ones(3))])
    assert opt.defaults == t.defaults
    assert repr(opt) == repr(t)


ERRORS = [dict(lr=-1), dict(eps=0.0), dict(betas=(1.0, 0.9)), dict(betas=(0.9, 1.5))]


@pytest.mark.parametrize('kwargs', ERRORS, ids=[str(e) for e in ERRORS])
def test_errors(kwargs):
    with pytest.raises(Exception) as texc:
        torch.optim.SparseAdam([torch.nn.Parameter(torch.zeros(2))], **kwargs)
    with pytest.raises(type(texc.value), match=str(texc.value).replace('(', r'\(').replace(')', r'\)')):
        ember.optim.SparseAdam([ember.nn.Parameter(ember.zeros(2))], **kwargs)
