"""Hook call order, shared submodules and nested repr: ember vs torch (same code via `lib.nn`)."""
import io

import numpy as np
import pytest
import torch

import ember


LIBS = [ember, torch]


def _mm(lib):
    return lib.nn.modules.module


def _run_forward_order(lib):
    log = []
    m = lib.nn.Linear(3, 2)
    mm = _mm(lib)
    hs = [
        mm.register_module_forward_pre_hook(lambda mod, a: log.append('g_pre')),
        mm.register_module_forward_hook(lambda mod, a, o: log.append('g_fwd')),
        m.register_forward_pre_hook(lambda mod, a: log.append('pre1')),
        m.register_forward_pre_hook(lambda mod, a: log.append('pre0'), prepend=True),
        m.register_forward_pre_hook(lambda mod, a, k: log.append('pre_kw'), with_kwargs=True),
        m.register_forward_hook(lambda mod, a, o: log.append('fwd1')),
        m.register_forward_hook(lambda mod, a, o: log.append('fwd0'), prepend=True),
        m.register_forward_hook(lambda mod, a, k, o: log.append('fwd_kw'), with_kwargs=True),
        m.register_forward_hook(lambda mod, a, k, o: log.append('fwd_kw0'), with_kwargs=True,
                                prepend=True),
    ]
    try:
        m(lib.ones(1, 3))
    finally:
        for h in hs:
            h.remove()
    # after removal nothing is called
    m(lib.ones(1, 3))
    return log


def test_forward_hook_order():
    assert _run_forward_order(ember) == _run_forward_order(torch)


def _run_backward_order(lib):
    log = []
    m = lib.nn.Linear(3, 2)
    mm = _mm(lib)
    hs = [
        mm.register_module_full_backward_pre_hook(lambda mod, go: log.append('g_bpre')),
        mm.register_module_full_backward_hook(lambda mod, gi, go: log.append('g_bwd')),
        m.register_full_backward_pre_hook(lambda mod, go: log.append('bpre1')),
        m.register_full_backward_pre_hook(lambda mod, go: log.append('bpre0'), prepend=True),
        m.register_full_backward_hook(lambda mod, gi, go: log.append('bwd1')),
        m.register_full_backward_hook(lambda mod, gi, go: log.append('bwd0'), prepend=True),
    ]
    try:
        x = lib.ones(1, 3, requires_grad=True)
        m(x).sum().backward()
    finally:
        for h in hs:
            h.remove()
    return log


def test_backward_hook_order():
    assert _run_backward_order(ember) == _run_backward_order(torch)


def _run_nested_order(lib):
    log = []
    seq = lib.nn.Sequential(lib.nn.Linear(3, 3), lib.nn.ReLU(), lib.nn.Linear(3, 1))
    for name, mod in seq.named_modules():
        tag = name or 'root'
        mod.register_forward_pre_hook(lambda m, a, t=tag: log.append('pre ' + t))
        mod.register_forward_hook(lambda m, a, o, t=tag: log.append('fwd ' + t))
        mod.register_full_backward_pre_hook(lambda m, g, t=tag: log.append('bpre ' + t))
        mod.register_full_backward_hook(lambda m, gi, go, t=tag: log.append('bwd ' + t))
    x = lib.ones(2, 3, requires_grad=True)
    seq(x).sum().backward()
    return log


def test_nested_hook_order():
    assert _run_nested_order(ember) == _run_nested_order(torch)


def _run_state_dict_hooks(lib):
    log = []
    outer = lib.nn.Sequential(lib.nn.Linear(2, 2), lib.nn.Sequential(lib.nn.Linear(2, 1)))
    for name, mod in outer.named_modules():
        tag = name or 'root'
        mod.register_state_dict_pre_hook(lambda m, prefix, keep_vars, t=tag: log.append('sd_pre ' + t))
        mod.register_state_dict_post_hook(lambda m, sd, prefix, lm, t=tag: log.append('sd_post ' + t))
        mod.register_load_state_dict_pre_hook(
            lambda m, sd, prefix, lm, strict, mk, uk, em, t=tag: log.append('ld_pre ' + t))
        mod.register_load_state_dict_post_hook(lambda m, keys, t=tag: log.append('ld_post ' + t))
    sd = outer.state_dict()
    log.append(list(sd.keys()))
    outer.load_state_dict(sd)
    return log


def test_state_dict_hook_order():
    assert _run_state_dict_hooks(ember) == _run_state_dict_hooks(torch)


def _run_registration_hooks(lib):
    log = []
    mm = _mm(lib)

    hs = [
        mm.register_module_module_registration_hook(
            lambda m, name, sub: log.append(('module', type(m).__name__, name, type(sub).__name__))),
        mm.register_module_parameter_registration_hook(
            lambda m, name, p: log.append(('param', type(m).__name__, name, tuple(p.shape)))),
        mm.register_module_buffer_registration_hook(
            lambda m, name, b: log.append(('buffer', type(m).__name__, name,
                                           None if b is None else tuple(b.shape)))),
    ]
    try:
        m = lib.nn.Module()
        m.lin = lib.nn.Linear(2, 3)
        m.register_buffer('buf', lib.zeros(4))
        m.p = lib.nn.Parameter(lib.ones(2))
        m.add_module('act', lib.nn.ReLU())
        m.register_parameter('q', None)
    finally:
        for h in hs:
            h.remove()
    lib.nn.Linear(1, 1)       # not recorded after removal
    return log


def test_registration_hooks():
    e, t = _run_registration_hooks(ember), _run_registration_hooks(torch)
    assert e == t


def _shared(lib):
    lin = lib.nn.Linear(2, 2)
    m = lib.nn.Sequential(lin, lib.nn.ReLU(), lin)
    outer = lib.nn.Module()
    outer.a = m
    outer.b = lin
    outer.w = lin.weight
    return outer


def test_shared_modules_and_params():
    e, t = _shared(ember), _shared(torch)
    assert [n for n, _ in e.named_modules()] == [n for n, _ in t.named_modules()]
    assert [n for n, _ in e.named_parameters()] == [n for n, _ in t.named_parameters()]
    assert len(list(e.parameters())) == len(list(t.parameters()))
    assert [n for n, _ in e.named_modules(remove_duplicate=False)] == \
        [n for n, _ in t.named_modules(remove_duplicate=False)]
    assert [n for n, _ in e.named_parameters(remove_duplicate=False)] == \
        [n for n, _ in t.named_parameters(remove_duplicate=False)]
    # state_dict keeps every alias (torch does too)
    assert list(e.state_dict().keys()) == list(t.state_dict().keys())
    # loading a state dict into a shared module updates the one underlying tensor
    sd = {k: ember.full(tuple(v.shape), 3.0) for k, v in e.state_dict().items()}
    e.load_state_dict(sd)
    assert float(e.a[0].weight.sum()) == 12.0
    assert e.a[0].weight is e.b.weight


def test_shared_state_dict_roundtrip():
    e = _shared(ember)
    buf = io.BytesIO()
    ember.save(e.state_dict(), buf)
    buf.seek(0)
    sd = ember.load(buf)
    f = _shared(ember)
    f.load_state_dict(sd)
    for (n1, p1), (n2, p2) in zip(e.named_parameters(), f.named_parameters()):
        assert n1 == n2
        np.testing.assert_array_equal(p1.detach().numpy(), p2.detach().numpy())


def _deep(lib):
    nn = lib.nn
    return nn.Sequential(
        nn.Conv2d(3, 8, 3, stride=2, padding=1, bias=False),
        nn.BatchNorm2d(8, momentum=0.2),
        nn.ReLU(inplace=True),
        nn.ModuleList([nn.Linear(4, 5), nn.Dropout(0.3), nn.Sequential(nn.Tanh(), nn.GELU())]),
        nn.ModuleDict({'lstm': nn.LSTM(4, 6, num_layers=2, batch_first=True, bidirectional=True),
                       'gru': nn.GRU(3, 2),
                       'enc': nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.1,
                                                         batch_first=True),
                       'emb': nn.Embedding(10, 3, padding_idx=0),
                       'empty': nn.Sequential()}),
        nn.MaxPool2d(2), nn.AvgPool2d(3, stride=1, padding=1), nn.AdaptiveAvgPool2d((1, 1)),
        nn.Flatten(), nn.LayerNorm(8), nn.GroupNorm(2, 8), nn.InstanceNorm2d(8, affine=True),
        nn.Conv1d(2, 4, 5, dilation=2, groups=2, padding_mode='circular', padding=4),
        nn.ConvTranspose2d(4, 2, 3, stride=2, output_padding=1),
        nn.LeakyReLU(0.1), nn.Softmax(dim=1), nn.Identity(), nn.Dropout2d(),
        nn.Linear(8, 2, bias=False),
    )


def test_deep_repr_equal():
    assert repr(_deep(ember)) == repr(_deep(torch))


def test_deep_named_and_state_dict_keys():
    e, t = _deep(ember), _deep(torch)
    assert [n for n, _ in e.named_modules()] == [n for n, _ in t.named_modules()]
    assert [(n, tuple(p.shape)) for n, p in e.named_parameters()] == \
        [(n, tuple(p.shape)) for n, p in t.named_parameters()]
    assert [n for n, _ in e.named_buffers()] == [n for n, _ in t.named_buffers()]
    assert list(e.state_dict().keys()) == list(t.state_dict().keys())
