"""ember.amp.GradScaler / autocast aliases vs torch.amp (CPU scaler; disabled CUDA scaler)."""
import pickle
import warnings

import numpy as np
import pytest
import torch

import ember

W = np.random.default_rng(3).standard_normal((3, 4)).astype('float32')
B = np.random.default_rng(4).standard_normal(3).astype('float32')
X = np.random.default_rng(5).standard_normal((6, 4)).astype('float32')


def _train(lib, steps, inf_steps=(), **kw):
    """Run a small scaled training loop; return per-step (scale, tracker, weight) snapshots."""
    model = lib.nn.Linear(4, 3)
    with lib.no_grad():
        model.weight.copy_(lib.tensor(W))
        model.bias.copy_(lib.tensor(B))
    opt = lib.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    scaler = lib.amp.GradScaler('cpu', **kw)
    x = lib.tensor(X)
    hist = []
    for i in range(steps):
        opt.zero_grad()
        loss = (model(x) ** 2).mean()
        scaled = scaler.scale(loss)
        scaled.backward()
        if i in inf_steps:
            model.weight.grad[0, 0] = float('inf') if i % 2 else float('nan')
        scaler.unscale_(opt) if i % 3 == 0 else None
        scaler.step(opt)
        scaler.update()
        hist.append((scaler.get_scale(), scaler.state_dict()['_growth_tracker'],
                     model.weight.detach().numpy().copy(), float(scaled.detach())))
    return hist


@pytest.mark.filterwarnings('ignore:overflow:RuntimeWarning')   # loss * 2**127 overflows
@pytest.mark.parametrize('kw,inf_steps', [
    (dict(), (2,)),
    (dict(init_scale=4.0, growth_interval=2), (3, 4)),
    (dict(init_scale=2.0 ** 127, growth_interval=1), ()),       # growth to inf is refused
    (dict(init_scale=8.0, growth_factor=3.0, backoff_factor=0.25, growth_interval=3), (1, 6)),
])
def test_training_matches_torch(kw, inf_steps):
    e = _train(ember, 8, inf_steps, **kw)
    t = _train(torch, 8, inf_steps, **kw)
    for (es, eg, ew, el), (ts, tg, tw, tl) in zip(e, t):
        assert es == ts and eg == tg
        np.testing.assert_allclose(el, tl, rtol=1e-5)
        np.testing.assert_allclose(ew, tw, rtol=1e-5, atol=1e-6)


def test_scale_outputs_structures_and_dtypes():
    es, ts = ember.amp.GradScaler('cpu', init_scale=4.0), torch.amp.GradScaler('cpu', init_scale=4.0)
    for make in (lambda L: L.tensor([1., 2.], dtype=L.float64), lambda L: L.tensor(3),
                 lambda L: L.tensor([1., 2.], dtype=L.float16)):
        a, b = es.scale(make(ember)), ts.scale(make(torch))
        assert str(a.dtype).split('.')[-1] == str(b.dtype).split('.')[-1]
        np.testing.assert_array_equal(a.float().numpy(), b.float().numpy())
    a = es.scale((ember.tensor(1.), [ember.tensor(2.)]))
    assert isinstance(a, tuple) and isinstance(a[1], list) and float(a[1][0]) == 8.0
    with pytest.raises(ValueError, match='outputs must be a Tensor'):
        es.scale(3.0)


def test_errors_match_torch():
    for lib in (ember, torch):
        p = lib.nn.Parameter(lib.ones(2))
        p.grad = lib.ones(2)
        opt = lib.optim.SGD([p], lr=0.1)
        s = lib.amp.GradScaler('cpu')
        with pytest.raises(AssertionError, match='Attempted unscale_ but _scale is None'):
            s.unscale_(opt)
        s.scale(lib.tensor(1.))
        s.unscale_(opt)
        with pytest.raises(RuntimeError, match='unscale_\\(\\) has already been called'):
            s.unscale_(opt)
        with pytest.raises(RuntimeError, match='Closure use is not currently supported'):
            s.step(opt, closure=lambda: 0)
        s.step(opt)
        with pytest.raises(RuntimeError, match='step\\(\\) has already been called'):
            s.step(opt)
        with pytest.raises(RuntimeError, match='unscale_\\(\\) is being called after step'):
            s.unscale_(opt)
        s.update()
        with pytest.raises(AssertionError, match='No inf checks were recorded prior to update'):
            s.update()
        with pytest.raises(AssertionError, match='new_scale should be a float'):
            s.update(lib.tensor([1., 2.]))
        s.update(lib.tensor(32.))
        assert s.get_scale() == 32.0
        s.update(16.0)
        assert s.get_scale() == 16.0
        p.grad = None
        with pytest.raises(AssertionError, match='No inf checks were recorded for this optimizer'):
            s.step(opt)
        p16 = lib.nn.Parameter(lib.ones(2, dtype=lib.float16))
        p16.grad = lib.ones(2, dtype=lib.float16)
        s16 = lib.amp.GradScaler('cpu')
        s16.scale(lib.tensor(1.))
        with pytest.raises(ValueError, match='Attempting to unscale FP16 gradients'):
            s16.unscale_(lib.optim.SGD([p16], lr=0.1))
        with pytest.raises(RuntimeError, match='The source state dict is empty'):
            lib.amp.GradScaler('cpu').load_state_dict({})


def test_state_dict_roundtrip_and_getters():
    sd = {'scale': 8.0, 'growth_factor': 3.0, 'backoff_factor': 0.25, 'growth_interval': 5,
          '_growth_tracker': 2}
    res = []
    for lib in (ember, torch):
        s = lib.amp.GradScaler('cpu')
        before = s.state_dict()
        s.load_state_dict(sd)
        s.scale(lib.tensor(1.))
        res.append((before, s.state_dict(), s.get_scale(), s.get_growth_factor(),
                    s.get_backoff_factor(), s.get_growth_interval(), s.is_enabled()))
        s.set_growth_factor(4.0), s.set_backoff_factor(0.1), s.set_growth_interval(7)
        res.append((s.get_growth_factor(), s.get_backoff_factor(), s.get_growth_interval()))
        s2 = pickle.loads(pickle.dumps(s))
        res.append(s2.state_dict())
    assert res[:3] == res[3:]


@pytest.mark.skipif(ember.cuda.is_available(), reason='needs a machine without CUDA')
def test_cuda_scaler_disabled_without_cuda():
    out = []
    for lib in (ember, torch):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter('always')
            s = lib.amp.GradScaler('cuda')
        msgs = [(x.category, str(x.message)) for x in w]
        p = lib.nn.Parameter(lib.ones(2))
        p.grad = lib.ones(2)
        opt = lib.optim.SGD([p], lr=0.1)
        loss = lib.tensor(2.)
        assert s.scale(loss) is loss
        assert s.unscale_(opt) is None and s.step(opt) is None and s.update() is None
        s.load_state_dict({})
        out.append((msgs, s.is_enabled(), s.get_scale(), s.state_dict(), p.detach().numpy().tolist()))
    assert out[0] == out[1]
    assert out[0][0] == [(UserWarning, 'torch.cuda.amp.GradScaler is enabled, but CUDA is not '
                                       'available.  Disabling.')]


@pytest.mark.skipif(ember.cuda.is_available(), reason='needs a machine without CUDA')
def test_cuda_amp_aliases_warn_like_torch():
    for lib in (ember, torch):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter('always')
            s = lib.cuda.amp.GradScaler()
            a = lib.cuda.amp.autocast()
        cats = [x.category for x in w]
        assert cats == [FutureWarning, UserWarning, FutureWarning, UserWarning]
        assert not s.is_enabled()
        assert isinstance(a, lib.amp.autocast) and isinstance(a, lib.autocast)
        with a:
            assert not lib.is_autocast_enabled('cuda')


def test_cpu_module_and_autocast_alias():
    for lib in (ember, torch):
        assert lib.cpu.is_available() is True and lib.cpu.device_count() == 1
        assert lib.cpu.current_device() == 'cpu' and lib.cpu.synchronize() is None
        with pytest.warns(FutureWarning):
            a = lib.cpu.amp.autocast()
        assert a.fast_dtype == lib.bfloat16 and a.device == 'cpu'
        with a:
            assert lib.is_autocast_enabled('cpu')
        assert not lib.is_autocast_enabled('cpu')
        assert lib.amp.autocast is lib.autocast
        assert lib.amp.is_autocast_available('cpu')


def test_custom_fwd_casts_inputs_under_autocast():
    for lib in (ember, torch):
        seen = []

        @lib.amp.custom_fwd(device_type='cpu', cast_inputs=lib.float64)
        def fwd(x, y=None):
            seen.append((x.dtype, y.dtype, lib.is_autocast_enabled('cpu')))
            return x

        fwd(lib.ones(2), y=lib.ones(2))
        with lib.autocast('cpu'):
            fwd(lib.ones(2), y=lib.ones(2))
        assert seen == [(lib.float32, lib.float32, False), (lib.float64, lib.float64, False)]
