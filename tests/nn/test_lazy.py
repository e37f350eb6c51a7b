"""LazyModuleMixin and LazyLinear vs torch: uninitialized parameters, materialization on the
first call, class switch to Linear, state_dict round trips."""
import numpy as np
import pytest
import torch

import ember
from helpers import assert_same, to_numpy


def test_lazy_linear_uninitialized():
    em, tm = ember.nn.LazyLinear(5), torch.nn.LazyLinear(5)
    assert repr(em) == repr(tm)
    assert isinstance(em.weight, ember.nn.parameter.UninitializedParameter)
    assert repr(em.weight) == repr(tm.weight)
    assert em.has_uninitialized_params()
    assert repr(em.state_dict()) == repr(tm.state_dict())
    assert repr(ember.nn.LazyLinear(5, bias=False)) == repr(torch.nn.LazyLinear(5, bias=False))
    assert ember.nn.LazyLinear(5, bias=False).bias is None


@pytest.mark.parametrize('bias', [True, False])
def test_lazy_linear_materializes_and_becomes_linear(bias):
    m = ember.nn.LazyLinear(4, bias=bias, dtype=ember.float64)
    x = ember.randn(2, 7, 3, dtype=ember.float64)
    y = m(x)
    assert type(m) is ember.nn.Linear
    assert repr(m) == repr(torch.nn.Linear(3, 4, bias=bias))
    assert type(m.weight) is ember.nn.Parameter and m.weight.dtype is ember.float64
    assert tuple(m.weight.shape) == (4, 3) and m.in_features == 3
    assert not m._forward_pre_hooks
    assert not hasattr(m, '_initialize_hook')
    assert tuple(y.shape) == (2, 7, 4)
    bound = 1 / np.sqrt(3)
    assert np.abs(to_numpy(m.weight)).max() <= bound and np.abs(to_numpy(m.weight)).max() > 0
    y.sum().backward()
    assert m.weight.grad is not None
    # later calls are plain Linear calls
    assert tuple(m(ember.randn(1, 3, dtype=ember.float64)).shape) == (1, 4)


def test_lazy_linear_matches_torch_after_copy():
    tm = torch.nn.LazyLinear(4)
    tm(torch.randn(2, 3))
    em = ember.nn.LazyLinear(4)
    res = em.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in tm.state_dict().items()})
    assert not res.missing_keys and not res.unexpected_keys
    assert tuple(em.weight.shape) == (4, 3)
    x = np.random.default_rng(0).normal(size=(5, 3)).astype('float32')
    assert_same(em(ember.tensor(x)), tm(torch.tensor(x)))
    assert type(em) is ember.nn.Linear
    assert repr(em) == repr(tm)


def test_lazy_in_sequential_and_parameters():
    net = ember.nn.Sequential(ember.nn.LazyLinear(8), ember.nn.ReLU(), ember.nn.LazyLinear(2))
    assert net(ember.randn(4, 5)).shape == (4, 2)
    assert [tuple(p.shape) for p in net.parameters()] == [(8, 5), (8,), (2, 8), (2,)]
    assert repr(net) == repr(torch.nn.Sequential(torch.nn.Linear(5, 8), torch.nn.ReLU(), torch.nn.Linear(8, 2)))


def test_mixin_custom_module():
    class LazyScale(ember.nn.modules.lazy.LazyModuleMixin, ember.nn.Module):
        def __init__(self):
            super().__init__()
            self.scale = ember.nn.parameter.UninitializedParameter()

        def initialize_parameters(self, x):
            self.scale.materialize(x.shape[-1:])
            with ember.no_grad():
                self.scale.fill_(2.0)

        def forward(self, x):
            return x * self.scale

    m = LazyScale()
    assert m.has_uninitialized_params()
    y = m(ember.ones(3, 4))
    assert np.all(to_numpy(y) == 2.0) and not m.has_uninitialized_params()
    assert type(m) is LazyScale   # cls_to_become None: keeps its class

    class Broken(ember.nn.modules.lazy.LazyModuleMixin, ember.nn.Module):
        def __init__(self):
            super().__init__()
            self.w = ember.nn.parameter.UninitializedParameter()

        def initialize_parameters(self, x):
            pass

        def forward(self, x):
            return x
    with pytest.raises(RuntimeError, match='has not been fully initialized'):
        Broken()(ember.ones(2))
