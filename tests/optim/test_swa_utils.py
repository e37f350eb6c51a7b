"""swa_utils parity with torch: AveragedModel averages, EMA/SWA helpers, SWALR lrs, update_bn."""
import numpy as np
import pytest
import torch

import ember


def _net(lib, weights=None):
    nn = lib.nn
    m = nn.Sequential(nn.Linear(4, 5), nn.BatchNorm1d(5), nn.ReLU(), nn.Linear(5, 2))
    if weights is not None:
        with lib.no_grad():
            for p, w in zip(list(m.parameters()) + list(m.buffers()), weights):
                p.copy_(lib.tensor(w))
    return m


def _weights(seed):
    rng = np.random.default_rng(seed)
    shapes = [(5, 4), (5,), (5,), (5,), (2, 5), (2,)]
    ws = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    bufs = [rng.standard_normal(5).astype(np.float32), rng.random(5).astype(np.float32) + 0.5, np.array(seed, dtype=np.int64)]
    return ws + bufs


def _avg_kwargs(lib, kind):
    su = lib.optim.swa_utils
    if kind == 'swa':
        return {}
    if kind == 'ema_multi':
        return dict(multi_avg_fn=su.get_ema_multi_avg_fn(0.8))
    if kind == 'swa_multi':
        return dict(multi_avg_fn=su.get_swa_multi_avg_fn())
    if kind == 'ema':
        return dict(avg_fn=su.get_ema_avg_fn(0.7))
    if kind == 'swa_fn':
        return dict(avg_fn=su.get_swa_avg_fn())
    if kind == 'custom':
        return dict(avg_fn=lambda a, c, n: 0.25 * a + 0.75 * c + 0.0 * n)


@pytest.mark.parametrize('kind', ['swa', 'ema_multi', 'swa_multi', 'ema', 'swa_fn', 'custom'])
@pytest.mark.parametrize('use_buffers', [False, True])
def test_averaged_model_matches_torch(kind, use_buffers):
    if kind == 'swa_multi' and use_buffers:  # integer num_batches_tracked: torch's addcdiv refuses
        for lib in (ember, torch):
            model = _net(lib, _weights(0))
            avg = lib.optim.swa_utils.AveragedModel(model, use_buffers=True, **_avg_kwargs(lib, kind))
            avg.update_parameters(model)
            with pytest.raises(RuntimeError, match='Integer division with addcdiv'):
                avg.update_parameters(model)
        return
    results = []
    for lib in (ember, torch):
        model = _net(lib, _weights(0))
        avg = lib.optim.swa_utils.AveragedModel(model, use_buffers=use_buffers, **_avg_kwargs(lib, kind))
        for step in range(1, 5):
            with lib.no_grad():
                for p, w in zip(list(model.parameters()) + list(model.buffers()), _weights(step)):
                    p.copy_(lib.tensor(w))
            avg.update_parameters(model)
        state = {k: v.detach().numpy().copy() for k, v in avg.state_dict().items()}
        x = lib.tensor(np.linspace(-1, 1, 12, dtype=np.float32).reshape(3, 4))
        avg.eval()
        results.append((state, avg(x).detach().numpy()))
    (se, oe), (st, ot) = results
    assert se.keys() == st.keys()
    for k in st:
        np.testing.assert_allclose(se[k], st[k], rtol=1e-5, atol=1e-6, err_msg=k)
        assert se[k].dtype == st[k].dtype, k
    np.testing.assert_allclose(oe, ot, rtol=1e-5, atol=1e-5)


def test_averaged_model_basics():
    m = _net(ember, _weights(0))
    avg = ember.optim.swa_utils.AveragedModel(m)
    assert avg.n_averaged.dtype == ember.int64 and int(avg.n_averaged) == 0
    assert avg.module is not m and avg.module[0].weight is not m[0].weight
    avg.update_parameters(m)
    assert int(avg.n_averaged) == 1
    np.testing.assert_array_equal(avg.module[0].weight.detach().numpy(), m[0].weight.detach().numpy())
    assert avg.module[0].weight.requires_grad
    with pytest.raises(AssertionError, match='Only one of avg_fn and multi_avg_fn'):
        ember.optim.swa_utils.AveragedModel(m, avg_fn=lambda *a: a[0], multi_avg_fn=lambda *a: None)
    for f in (ember.optim.swa_utils.get_ema_avg_fn, ember.optim.swa_utils.get_ema_multi_avg_fn):
        with pytest.raises(ValueError, match=r'Invalid decay value 1.5'):
            f(1.5)


@pytest.mark.parametrize('kw', [dict(swa_lr=0.05), dict(swa_lr=[0.02, 0.3], anneal_epochs=4, anneal_strategy='linear'),
                                dict(swa_lr=0.5, anneal_epochs=0), dict(swa_lr=0.01, anneal_epochs=1, anneal_strategy='cos')])
def test_swalr_matches_torch(kw):
    seqs = []
    for lib in (ember, torch):
        ps = [lib.nn.Parameter(lib.zeros(2)), lib.nn.Parameter(lib.zeros(2))]
        opt = lib.optim.SGD([{'params': [ps[0]]}, {'params': [ps[1]], 'lr': 0.2}], lr=0.1)
        s = lib.optim.swa_utils.SWALR(opt, **kw)
        seq = list(s.get_last_lr())
        for _ in range(15):
            opt.step()
            s.step()
            seq += list(s.get_last_lr())
        seqs.append(seq)
        sd = s.state_dict()
        assert 'anneal_func' not in sd and 'optimizer' not in sd
        s2 = lib.optim.swa_utils.SWALR(opt, swa_lr=1.0)
        s2.load_state_dict(sd)
        assert s2.anneal_func(0.5) == s.anneal_func(0.5)
    np.testing.assert_allclose(seqs[0], seqs[1], rtol=0, atol=1e-12)


def test_swalr_errors():
    opt = ember.optim.SGD([ember.nn.Parameter(ember.zeros(2))], lr=0.1)
    with pytest.raises(ValueError, match="anneal_strategy must be one of 'cos' or 'linear'"):
        ember.optim.swa_utils.SWALR(opt, swa_lr=0.1, anneal_strategy='exp')
    with pytest.raises(ValueError, match='anneal_epochs must be equal or greater than 0'):
        ember.optim.swa_utils.SWALR(opt, swa_lr=0.1, anneal_epochs=-1)
    with pytest.raises(ValueError, match='swa_lr must have the same length'):
        ember.optim.swa_utils.SWALR(opt, swa_lr=[0.1, 0.2])


@pytest.mark.parametrize('as_tuple', [False, True])
def test_update_bn_matches_torch(as_tuple):
    rng = np.random.default_rng(3)
    batches = [rng.standard_normal((8, 4)).astype(np.float32) * 2 + 1 for _ in range(5)]
    out = []
    for lib in (ember, torch):
        model = _net(lib, _weights(1))
        model.eval()
        bn = model[1]
        loader = [(lib.tensor(b), lib.zeros(8)) if as_tuple else lib.tensor(b) for b in batches]
        lib.optim.swa_utils.update_bn(loader, model)
        assert not model.training and bn.momentum == 0.1
        out.append((bn.running_mean.numpy().copy(), bn.running_var.numpy().copy(), int(bn.num_batches_tracked)))
    np.testing.assert_allclose(out[0][0], out[1][0], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(out[0][1], out[1][1], rtol=1e-5, atol=1e-6)
    assert out[0][2] == out[1][2]


def test_update_bn_on_averaged_model_and_no_bn():
    batches = [ember.randn(6, 4) for _ in range(3)]
    avg = ember.optim.swa_utils.AveragedModel(_net(ember, _weights(2)))
    ember.optim.swa_utils.update_bn(batches, avg)
    mean = ember.cat([avg.module[0](b) for b in batches]).mean(0)
    np.testing.assert_allclose(avg.module[1].running_mean.numpy(), mean.detach().numpy(), rtol=1e-4, atol=1e-5)
    lin = ember.nn.Linear(4, 2)
    ember.optim.swa_utils.update_bn(batches, lin)  # nothing to do, no error
