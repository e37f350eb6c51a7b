"""Bad input to nn modules vs torch: same exception type and a message naming the problem."""
from collections import OrderedDict

import numpy as np
import pytest
import torch

import ember
from helpers import raises_like, rand


def _copy_into(e_mod, t_mod):
    e_mod.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in t_mod.state_dict().items()})


def _mod_case(ctor, shape):
    """fn(lib, x) building the module with ctor(lib.nn) and calling it on x."""
    def fn(lib, x):
        return ctor(lib.nn)(x)
    return fn, rand(*shape, dtype='float32')


CASES = {
    # wrong rank / channels for conv
    'conv1d_rank': (lambda nn: nn.Conv1d(3, 4, 3), (2, 3, 5, 5), None),
    'conv1d_ch': (lambda nn: nn.Conv1d(3, 4, 3), (2, 2, 5), 'channels'),
    'conv2d_rank': (lambda nn: nn.Conv2d(3, 4, 3), (3, 5), None),
    'conv2d_rank5': (lambda nn: nn.Conv2d(3, 4, 3), (1, 2, 3, 5, 5), None),
    'conv2d_ch': (lambda nn: nn.Conv2d(3, 4, 3), (2, 4, 5, 5), 'channels'),
    'conv3d_rank': (lambda nn: nn.Conv3d(3, 4, 3), (2, 3, 5, 5), None),
    'conv3d_ch': (lambda nn: nn.Conv3d(3, 4, 3), (1, 2, 5, 5, 5), 'channels'),
    'conv2d_unbatched_ch': (lambda nn: nn.Conv2d(3, 4, 3), (2, 5, 5), 'channels'),
    # kernel larger than padded input
    'conv1d_kernel': (lambda nn: nn.Conv1d(3, 4, 7), (2, 3, 5), 'kernel'),
    'conv2d_kernel': (lambda nn: nn.Conv2d(3, 4, 5, padding=1), (2, 3, 2, 2), 'kernel'),
    'conv3d_kernel': (lambda nn: nn.Conv3d(1, 1, 4), (1, 1, 3, 3, 3), 'kernel'),
    'maxpool_kernel': (lambda nn: nn.MaxPool2d(4), (1, 1, 3, 3), None),
    'avgpool_kernel': (lambda nn: nn.AvgPool2d(4), (1, 1, 3, 3), None),
    # pooling rank
    'maxpool1d_rank': (lambda nn: nn.MaxPool1d(2), (4,), None),
    'maxpool2d_rank': (lambda nn: nn.MaxPool2d(2), (4, 4), None),
    'maxpool3d_rank': (lambda nn: nn.MaxPool3d(2), (1, 4, 4), None),
    'avgpool1d_rank': (lambda nn: nn.AvgPool1d(2), (1, 2, 4, 4), None),
    'avgpool2d_rank': (lambda nn: nn.AvgPool2d(2), (4,), None),
    'avgpool3d_rank': (lambda nn: nn.AvgPool3d(2), (4, 4), None),
    'adaptiveavg2d_rank': (lambda nn: nn.AdaptiveAvgPool2d(2), (4,), None),
    'adaptivemax2d_rank': (lambda nn: nn.AdaptiveMaxPool2d(2), (4,), None),
    'adaptiveavg1d_rank': (lambda nn: nn.AdaptiveAvgPool1d(2), (1, 2, 3, 4), None),
    'adaptiveavg3d_rank': (lambda nn: nn.AdaptiveAvgPool3d(2), (4, 4), None),
    # batch norm rank / channels
    'bn1d_rank': (lambda nn: nn.BatchNorm1d(3), (2, 3, 4, 4), 'expected 2d or 3d input'),
    'bn1d_ch': (lambda nn: nn.BatchNorm1d(3), (2, 4), None),
    'bn2d_rank': (lambda nn: nn.BatchNorm2d(3), (2, 3, 4), 'expected 4d input'),
    'bn2d_ch': (lambda nn: nn.BatchNorm2d(3), (2, 4, 3, 3), None),
    'bn3d_rank': (lambda nn: nn.BatchNorm3d(3), (2, 3, 4, 4), 'expected 5d input'),
    'bn3d_ch': (lambda nn: nn.BatchNorm3d(3), (2, 2, 3, 3, 3), None),
    'bn_single_value': (lambda nn: nn.BatchNorm1d(3), (1, 3), 'more than 1 value'),
    # group / layer / instance norm
    'groupnorm_ch': (lambda nn: nn.GroupNorm(2, 4), (2, 6, 3), None),
    'groupnorm_rank': (lambda nn: nn.GroupNorm(2, 4), (4,), None),
    'layernorm_shape': (lambda nn: nn.LayerNorm(5), (2, 4), None),
    'layernorm_shape2': (lambda nn: nn.LayerNorm([3, 4]), (2, 4, 3), None),
    'instnorm1d_rank': (lambda nn: nn.InstanceNorm1d(3), (2, 3, 4, 4), 'expected 2d or 3d input'),
    'instnorm2d_rank': (lambda nn: nn.InstanceNorm2d(3), (2, 3), 'expected 3d or 4d input'),
    'instnorm3d_rank': (lambda nn: nn.InstanceNorm3d(3), (2, 3, 4), 'expected 4d or 5d input'),
    'instnorm2d_affine_ch': (lambda nn: nn.InstanceNorm2d(3, affine=True), (2, 4, 3, 3), None),
    # Linear
    'linear_in': (lambda nn: nn.Linear(4, 2), (3, 5), 'shapes cannot be multiplied'),
    'linear_in_1d': (lambda nn: nn.Linear(4, 2), (5,), None),
    'bilinear_in': (lambda nn: (lambda m: (lambda x: m(x, x)))(nn.Bilinear(4, 4, 2)), (3, 5), None),
}


@pytest.mark.parametrize('name', sorted(CASES))
def test_module_bad_input(name):
    ctor, shape, match = CASES[name]
    fn, x = _mod_case(ctor, shape)
    raises_like(fn, x, match=match)


@pytest.mark.parametrize('ctor', [
    lambda nn: nn.Conv2d(3, 4, 3, groups=2),
    lambda nn: nn.Conv2d(4, 6, 3, groups=4),
    lambda nn: nn.Conv1d(4, 4, 3, groups=0),
    lambda nn: nn.Conv2d(4, 4, 3, padding='same', stride=2),
    lambda nn: nn.Conv2d(4, 4, 3, padding='bogus'),
    lambda nn: nn.Conv2d(4, 4, 3, padding_mode='bogus'),
    lambda nn: nn.GroupNorm(3, 4),
])
def test_bad_module_construction(ctor):
    raises_like(lambda lib: ctor(lib.nn))


def test_functional_conv_groups_mismatch():
    def fn(lib, x, w):
        return lib.nn.functional.conv2d(x, w, groups=2)
    # weight expects 3 input channels per group * 2 groups = 6, input has 4
    raises_like(fn, rand(1, 4, 5, 5, dtype='float32'), rand(4, 3, 3, 3, dtype='float32'))


def test_functional_conv_weight_rank():
    def fn(lib, x, w):
        return lib.nn.functional.conv2d(x, w)
    raises_like(fn, rand(1, 3, 5, 5, dtype='float32'), rand(4, 3, 3, dtype='float32'))


@pytest.mark.parametrize('idx', [[0, 10], [-1, 2], [[3, 11]]])
def test_embedding_index_out_of_range(idx):
    def fn(lib, i):
        lib.manual_seed(0)
        return lib.nn.Embedding(10, 3)(i)
    raises_like(fn, np.array(idx, dtype='int64'), match='index out of range')


def test_embedding_float_index():
    def fn(lib, i):
        return lib.nn.Embedding(10, 3)(i)
    raises_like(fn, np.array([1.0, 2.0], dtype='float32'))


def _net(lib):
    lib.manual_seed(0)
    return lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.BatchNorm1d(4), lib.nn.Linear(4, 2))


def _load_errors(mutate, strict=True):
    """(ember exception, torch exception) of load_state_dict on a mutated state dict."""
    out = []
    for lib in (ember, torch):
        m = _net(lib)
        sd = OrderedDict(m.state_dict())
        mutate(lib, sd)
        with pytest.raises(Exception) as info:
            m.load_state_dict(sd, strict=strict)
        out.append(info)
    return out


def _missing(lib, sd):
    del sd['0.weight']
    del sd['1.running_mean']


def _unexpected(lib, sd):
    sd['3.weight'] = lib.zeros(2)
    sd['0.extra'] = lib.zeros(1)


def _misshaped(lib, sd):
    sd['0.weight'] = lib.zeros(4, 5)
    sd['2.bias'] = lib.zeros(3)


def _all_three(lib, sd):
    _missing(lib, sd)
    _unexpected(lib, sd)
    sd['2.bias'] = lib.zeros(3)


@pytest.mark.parametrize('mutate', [_missing, _unexpected, _misshaped, _all_three])
def test_load_state_dict_errors_exact(mutate):
    e, t = _load_errors(mutate)
    assert e.type is RuntimeError and t.type is RuntimeError
    assert str(e.value) == str(t.value)


def test_load_state_dict_misshaped_non_strict():
    # shape mismatches raise even with strict=False; missing/unexpected keys are returned
    e, t = _load_errors(_misshaped, strict=False)
    assert str(e.value) == str(t.value)
    res = []
    for lib in (ember, torch):
        m = _net(lib)
        sd = OrderedDict(m.state_dict())
        _missing(lib, sd)
        _unexpected(lib, sd)
        r = m.load_state_dict(sd, strict=False)
        res.append((list(r.missing_keys), list(r.unexpected_keys), repr(r)))
    assert res[0] == res[1]


def test_load_state_dict_not_a_mapping():
    raises_like(lambda lib: _net(lib).load_state_dict([1, 2]))
