"""Shared harness for optimizer parity tests: the same small model in ember and torch."""
import copy

import numpy as np
import torch

import ember

SHAPES = [(4, 3), (4,), (2, 4)]


def init_arrays(dtype='float32', seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s).astype(dtype) for s in SHAPES], rng.standard_normal((5, 3)).astype(dtype)


def make_params(lib, arrays):
    return [lib.nn.Parameter(lib.tensor(a.copy())) for a in arrays]


def loss_of(lib, params, x):
    w1, b1, w2 = params
    h = lib.tanh(lib.matmul(x, w1.t()) + b1)
    out = lib.matmul(h, w2.t())
    return (out - 0.5).pow(2).sum() / 5 + 0.1 * w1.pow(2).sum()


def to_np(t):
    return t.detach().numpy() if isinstance(t, torch.Tensor) else t.detach().numpy()


def ember_from_torch(obj):
    """Deep-convert a torch state_dict into ember tensors (through numpy)."""
    if isinstance(obj, torch.Tensor):
        return ember.tensor(obj.detach().numpy().copy())
    if isinstance(obj, dict):
        return {k: ember_from_torch(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(ember_from_torch(v) for v in obj)
    return obj


def assert_same_value(e, t, rtol, atol, where=''):
    if isinstance(t, torch.Tensor):
        assert isinstance(e, ember.Tensor), (where, type(e))
        assert str(e.dtype) == str(t.dtype).replace('torch.', 'ember.') or e.dtype.__repr__().split('.')[-1] == \
            str(t.dtype).split('.')[-1], (where, e.dtype, t.dtype)
        assert tuple(e.shape) == tuple(t.shape), (where, e.shape, t.shape)
        np.testing.assert_allclose(to_np(e), to_np(t), rtol=rtol, atol=atol, err_msg=where)
    elif isinstance(t, dict):
        assert isinstance(e, dict) and list(e.keys()) == list(t.keys()), (where, list(e), list(t))
        for k in t:
            assert_same_value(e[k], t[k], rtol, atol, f'{where}.{k}')
    elif isinstance(t, (list, tuple)):
        assert type(e) is type(t) and len(e) == len(t), (where, e, t)
        for i, (a, b) in enumerate(zip(e, t)):
            assert_same_value(a, b, rtol, atol, f'{where}[{i}]')
    elif isinstance(t, float):
        assert np.isclose(float(e), t, rtol=rtol, atol=atol), (where, e, t)
    else:
        assert e == t, (where, e, t)


def assert_state_dict_like(esd, tsd, rtol, atol):
    assert list(esd.keys()) == ['state', 'param_groups']
    assert list(esd['state'].keys()) == list(tsd['state'].keys())
    assert_same_value(esd['state'], tsd['state'], rtol, atol, 'state')
    assert len(esd['param_groups']) == len(tsd['param_groups'])
    for eg, tg in zip(esd['param_groups'], tsd['param_groups']):
        assert set(eg.keys()) == set(tg.keys()), (set(eg) ^ set(tg))
        assert_same_value({k: eg[k] for k in tg}, tg, rtol, atol, 'param_groups')


def run_parity(name, kwargs, steps=6, dtype='float32', groups=None, lr_tensor=False, closure=False,
               roundtrip_at=3, state_atol=None):
    """Step ember and torch side by side, comparing parameters and state_dicts every step.

    At `roundtrip_at`, the ember optimizer is rebuilt from a deep copy of its state_dict (and a
    second one from torch's state_dict converted to ember) and must continue identically.
    """
    rtol, atol = (2e-5, 1e-6) if dtype == 'float32' else (1e-10, 1e-12)
    arrays, xa = init_arrays(dtype)
    tp, ep = make_params(torch, arrays), make_params(ember, arrays)
    tx, ex = torch.tensor(xa), ember.tensor(xa)

    def build(lib, params):
        kw = dict(kwargs)
        if lr_tensor:
            kw['lr'] = lib.tensor(kw.get('lr', 0.01))
        if groups is not None:
            pg = [dict(params=[params[i] for i in idx], **extra) for idx, extra in groups]
            return getattr(lib.optim, name)(pg, **kw)
        return getattr(lib.optim, name)(params, **kw)

    topt, eopt = build(torch, tp), build(ember, ep)
    satol = atol if state_atol is None else state_atol
    srtol = rtol if state_atol is None else 1e-3

    def step(lib, opt, params, x):
        if closure:
            def cl():
                opt.zero_grad()
                loss = loss_of(lib, params, x)
                loss.backward()
                return loss
            return opt.step(cl)
        opt.zero_grad()
        loss = loss_of(lib, params, x)
        loss.backward()
        opt.step()
        return loss

    for i in range(steps):
        tl = step(torch, topt, tp, tx)
        el = step(ember, eopt, ep, ex)
        np.testing.assert_allclose(float(el.detach()), float(tl.detach()), rtol=rtol * 10, atol=atol)
        for a, b in zip(ep, tp):
            np.testing.assert_allclose(to_np(a), to_np(b), rtol=rtol, atol=atol, err_msg=f'step {i}')
        assert_state_dict_like(eopt.state_dict(), topt.state_dict(), srtol, satol)
        if i + 1 == roundtrip_at:
            sd = copy.deepcopy(eopt.state_dict())
            tsd = copy.deepcopy(topt.state_dict())
            topt = build(torch, tp)          # torch goes through the same round trip
            topt.load_state_dict(tsd)
            eopt = build(ember, ep)
            eopt.load_state_dict(sd)
            assert_state_dict_like(eopt.state_dict(), topt.state_dict(), srtol, satol)
            # torch's own state_dict loads into ember too
            other = build(ember, ep)
            other.load_state_dict(ember_from_torch(topt.state_dict()))
            assert_state_dict_like(other.state_dict(), topt.state_dict(), srtol, satol)
    return eopt, topt
