"""nn.Module internals against torch.nn.Module: registration, iterators, state_dict, hooks, repr."""
from collections import OrderedDict

import numpy as np
import pytest
import torch

import ember
from helpers import to_numpy


def build(lib):
    """The same small model class defined on top of either library."""
    nn = lib.nn

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.w = nn.Parameter(lib.tensor([[1.0, -2.0, 0.5], [0.25, 3.0, -1.0]]))
            self.b = nn.Parameter(lib.tensor([0.1, 0.2, 0.3]))
            self.register_buffer('running', lib.zeros(3))
            self.register_buffer('scratch', lib.ones(1), persistent=False)

        def forward(self, x):
            return (x.unsqueeze(-1) * self.w).sum(-2) + self.b   # (N, 2) -> (N, 3)

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.first = Block()
            self.blocks = nn.ModuleList([Block(), Block()])
            self.shared = self.first          # same module twice: deduplicated by iterators
            self.head = nn.Sequential(OrderedDict(inner=Block()))

        def forward(self, x):
            x = self.first(x).sum(-1, keepdim=True) * lib.ones(1, 2)
            for blk in self.blocks:
                x = blk(x).sum(-1, keepdim=True) * lib.ones(1, 2)
            return self.head(x)

    return Net


def pair():
    return build(ember)(), build(torch)()


def test_named_iterators_match_torch():
    e, t = pair()
    assert [n for n, _ in e.named_parameters()] == [n for n, _ in t.named_parameters()]
    assert [n for n, _ in e.named_buffers()] == [n for n, _ in t.named_buffers()]
    assert [n for n, _ in e.named_modules()] == [n for n, _ in t.named_modules()]
    assert [n for n, _ in e.named_children()] == [n for n, _ in t.named_children()]
    assert ([n for n, _ in e.named_parameters(prefix='m', recurse=False)] ==
            [n for n, _ in t.named_parameters(prefix='m', recurse=False)])
    assert ([n for n, _ in e.named_parameters(remove_duplicate=False)] ==
            [n for n, _ in t.named_parameters(remove_duplicate=False)])
    assert ([n for n, _ in e.named_modules(remove_duplicate=False)] ==
            [n for n, _ in t.named_modules(remove_duplicate=False)])
    assert len(list(e.parameters())) == len(list(t.parameters()))


def test_state_dict_keys_metadata_and_roundtrip_from_torch():
    e, t = pair()
    esd, tsd = e.state_dict(), t.state_dict()
    assert list(esd.keys()) == list(tsd.keys())
    assert dict(esd._metadata) == dict(tsd._metadata)
    # load torch's values into ember
    with torch.no_grad():
        for p in t.parameters():
            p.mul_(3)
    res = e.load_state_dict({k: ember.tensor(v.numpy()) for k, v in t.state_dict().items()})
    assert repr(res) == '<All keys matched successfully>'
    for (n, ep), (_, tp) in zip(e.state_dict().items(), t.state_dict().items()):
        np.testing.assert_allclose(to_numpy(ep), to_numpy(tp))
    assert not e.state_dict()['first.w'].requires_grad
    assert e.state_dict(keep_vars=True)['first.w'] is e.first.w


def test_load_state_dict_errors_match_torch():
    e, t = pair()
    bad_t = dict(t.state_dict())
    bad_e = {k: ember.tensor(v.numpy()) for k, v in bad_t.items()}
    for sd, lib in ((bad_t, torch), (bad_e, ember)):
        del sd['first.b']
        sd['first.w'] = lib.zeros(3, 3)
        sd['extra'] = lib.zeros(1)
    with pytest.raises(RuntimeError) as te:
        t.load_state_dict(bad_t)
    with pytest.raises(RuntimeError) as ee:
        e.load_state_dict(bad_e)
    assert str(ee.value) == str(te.value)
    rt = t.load_state_dict({k: v for k, v in bad_t.items() if k != 'first.w'}, strict=False)
    re_ = e.load_state_dict({k: v for k, v in bad_e.items() if k != 'first.w'}, strict=False)
    assert re_.missing_keys == rt.missing_keys and re_.unexpected_keys == rt.unexpected_keys


def test_load_state_dict_assign_replaces_parameters():
    e = build(ember)()
    new = ember.ones(2, 3)
    sd = e.state_dict()
    sd['blocks.0.w'] = new
    e.load_state_dict(sd, assign=True)
    assert isinstance(e.blocks[0].w, ember.nn.Parameter)
    assert e.blocks[0].w.data_ptr() == new.data_ptr()


@pytest.mark.parametrize('lib', [ember, torch])
def test_registration_errors(lib):
    nn = lib.nn
    m = nn.Module()
    m.register_buffer('b', lib.ones(1))
    errs = []
    for action in (lambda: m.register_parameter('b', nn.Parameter(lib.ones(1))),
                   lambda: m.register_buffer('c', 3),
                   lambda: m.register_buffer('a.b', lib.ones(1)),
                   lambda: m.register_parameter('p', lib.ones(1)),
                   lambda: m.add_module('x', 3),
                   lambda: getattr(m, 'missing')):
        with pytest.raises(Exception) as info:
            action()
        errs.append((info.type.__name__, str(info.value)))
    test_registration_errors.results[lib.__name__] = errs
    if len(test_registration_errors.results) == 2:
        assert test_registration_errors.results['ember'] == test_registration_errors.results['torch']


test_registration_errors.results = {}


@pytest.mark.parametrize('lib', [ember, torch])
def test_setattr_reassignment_rules(lib):
    nn = lib.nn
    m = nn.Module()
    m.p = nn.Parameter(lib.ones(1))
    with pytest.raises(TypeError):
        m.p = lib.ones(1)
    m.p = None
    assert 'p' in m._parameters and m._parameters['p'] is None
    m.sub = nn.Module()
    with pytest.raises(TypeError):
        m.sub = 3
    m.register_buffer('buf', lib.ones(2))
    m.buf = lib.zeros(2)
    assert 'buf' in m._buffers
    del m.buf
    assert 'buf' not in m._buffers
    m._modules['added'] = nn.Module()   # the seeds' pattern: registering through _modules
    assert 'added' in dict(m.named_children())


def test_train_eval_requires_grad_zero_grad_apply():
    e = build(ember)()
    e.eval()
    assert all(not m.training for m in e.modules())
    e.train()
    assert all(m.training for m in e.modules())
    with pytest.raises(ValueError):
        e.train('yes')
    e.requires_grad_(False)
    assert all(not p.requires_grad for p in e.parameters())
    e.requires_grad_(True)
    out = e(ember.ones(1, 2)).sum()
    out.backward()
    assert all(p.grad is not None for p in e.parameters())
    e.zero_grad(set_to_none=False)
    assert all(float(p.grad.abs().sum()) == 0 for p in e.parameters())
    e.zero_grad()
    assert all(p.grad is None for p in e.parameters())
    seen = []
    e.apply(lambda m: seen.append(type(m).__name__))
    t = build(torch)()
    tseen = []
    t.apply(lambda m: tseen.append(type(m).__name__))
    assert seen == tseen


def test_forward_and_gradients_match_torch():
    e, t = pair()
    e.load_state_dict({k: ember.tensor(v.numpy()) for k, v in t.state_dict().items()})
    x = np.random.default_rng(0).normal(size=(4, 2)).astype('float32')
    eo, to = e(ember.tensor(x)), t(torch.tensor(x))
    np.testing.assert_allclose(to_numpy(eo), to_numpy(to), rtol=1e-5, atol=1e-5)
    eo.sum().backward()
    to.sum().backward()
    for (n, ep), (_, tp) in zip(e.named_parameters(), t.named_parameters()):
        np.testing.assert_allclose(to_numpy(ep.grad), to_numpy(tp.grad), rtol=1e-5, atol=1e-5, err_msg=n)


def test_forward_hooks_pre_hooks_kwargs_always_call_and_removal():
    for lib in (ember, torch):
        calls = []
        m = build(lib)().first
        h1 = m.register_forward_pre_hook(lambda mod, args: (args[0] * 2,))
        h2 = m.register_forward_hook(lambda mod, args, out: out + 1)
        h3 = m.register_forward_pre_hook(lambda mod, args, kwargs: calls.append('kw') or None,
                                         with_kwargs=True, prepend=True)
        x = lib.ones(1, 2)
        out = m(x)
        ref = (x * 2).unsqueeze(-1).mul(m.w).sum(-2) + m.b + 1
        assert float((out - ref).abs().max()) < 1e-6
        assert calls == ['kw']
        for h in (h1, h2, h3):
            h.remove()
        out2 = m(x)
        ref2 = x.unsqueeze(-1).mul(m.w).sum(-2) + m.b
        assert float((out2 - ref2).abs().max()) < 1e-6

        class Boom(lib.nn.Module):
            def forward(self, x):
                raise ValueError('boom')
        b = Boom()
        seen = []
        b.register_forward_hook(lambda mod, args, out: seen.append(out), always_call=True)
        with pytest.raises(ValueError):
            b(x)
        assert seen == [None]


def test_full_backward_hooks_see_and_replace_grad_input():
    results = {}
    for lib in (ember, torch):
        m = build(lib)().first
        record = {}

        def hook(mod, grad_input, grad_output):
            record['gi'] = to_numpy(grad_input[0])
            record['go'] = to_numpy(grad_output[0])
            return (grad_input[0] * 10,)

        def pre(mod, grad_output):
            record['pre'] = to_numpy(grad_output[0])
            return (grad_output[0] * 2,)

        m.register_full_backward_pre_hook(pre)
        m.register_full_backward_hook(hook)
        x = lib.tensor([[1.0, 2.0]], requires_grad=True)
        y = x * 1.5
        m(y).sum().backward()
        results[lib.__name__] = (record, to_numpy(x.grad))
    (er, eg), (tr, tg) = results['ember'], results['torch']
    for k in ('gi', 'go', 'pre'):
        np.testing.assert_allclose(er[k], tr[k], rtol=1e-6)
    np.testing.assert_allclose(eg, tg, rtol=1e-6)


def test_state_dict_and_load_hooks():
    for lib in (ember, torch):
        m = build(lib)().first
        log = []
        m.register_state_dict_pre_hook(lambda mod, prefix, keep_vars: log.append(('pre', prefix)))
        m.register_state_dict_post_hook(lambda mod, sd, prefix, meta: log.append(('post', sorted(sd))))
        sd = m.state_dict()
        m.register_load_state_dict_post_hook(lambda mod, keys: log.append(('load', list(keys.missing_keys))))
        m.load_state_dict({k: v for k, v in sd.items() if k != 'b'}, strict=False)
        build.logs = getattr(build, 'logs', {})
        build.logs[lib.__name__] = log
    assert build.logs['ember'] == build.logs['torch']


def test_global_hooks():
    from ember.nn.modules import module as M
    calls = []
    h = M.register_module_forward_hook(lambda mod, args, out: calls.append(type(mod).__name__))
    try:
        build(ember)()(ember.ones(1, 2))
    finally:
        h.remove()
    assert calls.count('Block') == 4 and calls[-1] == 'Net'
    build(ember)()(ember.ones(1, 2))
    assert calls.count('Net') == 1


def test_get_submodule_parameter_buffer():
    for lib in (ember, torch):
        m = build(lib)()
        assert m.get_submodule('blocks.1') is m.blocks[1]
        assert m.get_parameter('head.inner.w') is m.head.inner.w
        assert m.get_buffer('first.running') is m.first.running
        with pytest.raises(AttributeError):
            m.get_submodule('nope')
        with pytest.raises(AttributeError):
            m.get_parameter('first.running')


def test_extra_state_roundtrip():
    for lib in (ember, torch):
        class WithState(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.value = 1

            def get_extra_state(self):
                return {'value': self.value}

            def set_extra_state(self, state):
                self.value = state['value']
        a, b = WithState(), WithState()
        a.value = 7
        sd = a.state_dict()
        assert list(sd) == ['_extra_state']
        b.load_state_dict(sd)
        assert b.value == 7


def test_casts_keep_parameter_identity():
    m = build(ember)()
    p = m.first.w
    m.double()
    assert m.first.w is p and p.dtype is ember.float64
    assert m.first.running.dtype is ember.float64
    m.to(ember.float32)
    assert p.dtype is ember.float32
    m.to('cpu')
    with pytest.raises(TypeError):
        m.to(ember.int64)


def test_repr_tree_matches_torch():
    e, t = pair()
    assert repr(e) == repr(t)
