"""lr_scheduler parity: same lr (and momentum) sequences as torch, state_dict round trips, errors."""
import copy
import math
import pickle
import warnings

import pytest
import torch

import ember

N_STEPS = 60


def _pair(opt_name='SGD', lrs=(0.1, 0.05), **kw):
    """The same two-group optimizer in both libraries."""
    out = []
    for lib in (ember, torch):
        p1 = lib.nn.Parameter(lib.zeros(2))
        p2 = lib.nn.Parameter(lib.zeros(3))
        groups = [{'params': [p1], 'lr': lrs[0]}, {'params': [p2], 'lr': lrs[1]}]
        defaults = dict(kw)
        if opt_name == 'SGD':
            defaults.setdefault('momentum', 0.9)
        out.append(getattr(lib.optim, opt_name)(groups, lr=lrs[0], **defaults))
    return out


def _flat(seq):
    return [float(x) for row in seq for x in row]


def _lam(e):
    return 0.95 ** e


def _mul(e):
    return 0.9 if e % 3 else 1.0


def _scalar(lib, opt, name, **kw):
    return getattr(lib.optim.lr_scheduler, name)(opt, **kw)


SIMPLE = [
    ('LambdaLR', dict(lr_lambda=_lam)),
    ('LambdaLR', dict(lr_lambda=[_lam, lambda e: 1.0 / (e + 1)])),
    ('MultiplicativeLR', dict(lr_lambda=_mul)),
    ('StepLR', dict(step_size=7, gamma=0.5)),
    ('MultiStepLR', dict(milestones=[5, 12, 12, 30], gamma=0.3)),
    ('ConstantLR', dict(factor=0.25, total_iters=9)),
    ('LinearLR', dict(start_factor=0.2, end_factor=0.9, total_iters=17)),
    ('LinearLR', dict()),
    ('ExponentialLR', dict(gamma=0.93)),
    ('PolynomialLR', dict(total_iters=25, power=2.0)),
    ('PolynomialLR', dict(total_iters=80, power=0.5)),
    ('CosineAnnealingLR', dict(T_max=10, eta_min=0.001)),
    ('CosineAnnealingLR', dict(T_max=7)),
    ('CosineAnnealingWarmRestarts', dict(T_0=5, T_mult=2, eta_min=0.01)),
    ('CosineAnnealingWarmRestarts', dict(T_0=4)),
    ('CyclicLR', dict(base_lr=0.01, max_lr=0.1, step_size_up=4)),
    ('CyclicLR', dict(base_lr=[0.01, 0.02], max_lr=0.1, step_size_up=3, step_size_down=5, mode='triangular2')),
    ('CyclicLR', dict(base_lr=0.01, max_lr=0.1, step_size_up=4, mode='exp_range', gamma=0.97)),
    ('CyclicLR', dict(base_lr=0.01, max_lr=0.1, step_size_up=4, scale_fn=lambda x: 0.5 ** x, scale_mode='iterations')),
    ('OneCycleLR', dict(max_lr=0.5, total_steps=N_STEPS + 1)),
    ('OneCycleLR', dict(max_lr=[0.5, 0.3], epochs=6, steps_per_epoch=11, anneal_strategy='linear', pct_start=0.25)),
    ('OneCycleLR', dict(max_lr=0.5, total_steps=N_STEPS + 1, three_phase=True, div_factor=10.0, final_div_factor=100.0)),
]


def _run(name, kw, opt_name='SGD', steps=N_STEPS, opt_kw=None):
    opt_e, opt_t = _pair(opt_name, **(opt_kw or {}))
    se, st = _scalar(ember, opt_e, name, **kw), _scalar(torch, opt_t, name, **kw)
    seq_e, seq_t = [se.get_last_lr()], [st.get_last_lr()]
    mom_e, mom_t = [], []
    key = 'betas' if opt_name in ('Adam', 'AdamW') else 'momentum'
    for _ in range(steps):
        opt_e.step()
        opt_t.step()
        se.step()
        st.step()
        seq_e.append(se.get_last_lr())
        seq_t.append(st.get_last_lr())
        mom_e.append([g[key] for g in opt_e.param_groups])
        mom_t.append([g[key] for g in opt_t.param_groups])
    return (se, st), (seq_e, seq_t), (mom_e, mom_t)


@pytest.mark.parametrize('name,kw', SIMPLE, ids=[f'{n}-{i}' for i, (n, _) in enumerate(SIMPLE)])
def test_lr_sequence_matches_torch(name, kw):
    (se, st), (seq_e, seq_t), (mom_e, mom_t) = _run(name, kw)
    assert _flat(seq_e) == pytest.approx(_flat(seq_t), abs=1e-10, rel=0)
    assert _flat(mom_e) == pytest.approx(_flat(mom_t), abs=1e-10, rel=0)
    assert se.last_epoch == st.last_epoch
    assert se._step_count == st._step_count
    assert se.base_lrs == pytest.approx(st.base_lrs)


@pytest.mark.parametrize('name,kw', [
    ('CyclicLR', dict(base_lr=0.01, max_lr=0.1, step_size_up=5, base_momentum=0.7, max_momentum=0.95)),
    ('OneCycleLR', dict(max_lr=0.5, total_steps=N_STEPS + 1, base_momentum=0.8)),
    ('OneCycleLR', dict(max_lr=0.5, total_steps=N_STEPS + 1, three_phase=True)),
])
@pytest.mark.parametrize('opt_name', ['SGD', 'Adam'])
def test_momentum_cycling(name, kw, opt_name):
    _, (seq_e, seq_t), (mom_e, mom_t) = _run(name, kw, opt_name)
    assert _flat(seq_e) == pytest.approx(_flat(seq_t), abs=1e-10, rel=0)
    flat_e = [x for row in mom_e for m in row for x in (m if isinstance(m, tuple) else (m,))]
    flat_t = [x for row in mom_t for m in row for x in (m if isinstance(m, tuple) else (m,))]
    assert flat_e == pytest.approx(flat_t, abs=1e-10, rel=0)


def _make_composite(lib, opt, kind):
    S = lib.optim.lr_scheduler
    if kind == 'chained':
        return S.ChainedScheduler([S.ExponentialLR(opt, gamma=0.9), S.MultiStepLR(opt, milestones=[4, 9], gamma=0.5),
                                   S.ConstantLR(opt, factor=0.5, total_iters=3)])
    if kind == 'sequential':
        return S.SequentialLR(opt, [S.LinearLR(opt, start_factor=0.1, total_iters=5), S.ExponentialLR(opt, gamma=0.9),
                                    S.CosineAnnealingLR(opt, T_max=8)], milestones=[5, 20])
    if kind == 'sequential_nested':
        inner = S.ChainedScheduler([S.ExponentialLR(opt, gamma=0.95), S.StepLR(opt, step_size=3, gamma=0.5)])
        return S.SequentialLR(opt, [inner, S.ConstantLR(opt, factor=0.5, total_iters=4)], milestones=[6])


@pytest.mark.parametrize('kind', ['chained', 'sequential', 'sequential_nested'])
def test_composite_schedulers(kind):
    opt_e, opt_t = _pair()
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        se, st = _make_composite(ember, opt_e, kind), _make_composite(torch, opt_t, kind)
    seq_e, seq_t = [se.get_last_lr()], [st.get_last_lr()]
    for _ in range(40):
        opt_e.step()
        opt_t.step()
        se.step()
        st.step()
        seq_e.append(se.get_last_lr())
        seq_t.append(st.get_last_lr())
    assert _flat(seq_e) == pytest.approx(_flat(seq_t), abs=1e-10, rel=0)
    sd = se.state_dict()
    assert '_schedulers' in sd and 'optimizer' not in sd


def test_two_schedulers_compose():
    opt_e, opt_t = _pair()
    res = []
    for lib, opt in ((ember, opt_e), (torch, opt_t)):
        S = lib.optim.lr_scheduler
        a, b = S.ExponentialLR(opt, gamma=0.9), S.MultiStepLR(opt, milestones=[3, 7], gamma=0.1)
        seq = []
        for _ in range(12):
            opt.step()
            a.step()
            b.step()
            seq.append(b.get_last_lr())
        res.append(seq)
    assert _flat(res[0]) == pytest.approx(_flat(res[1]), abs=1e-12)


@pytest.mark.parametrize('kw', [
    dict(),
    dict(mode='max', factor=0.5, patience=2, threshold=0.1, threshold_mode='abs', cooldown=2, min_lr=[0.02, 0.001]),
    dict(mode='min', factor=0.3, patience=1, threshold_mode='abs', cooldown=1, min_lr=0.004, eps=1e-3),
    dict(mode='max', factor=0.7, patience=0, threshold=0.05),
])
def test_reduce_lr_on_plateau(kw):
    opt_e, opt_t = _pair()
    se = ember.optim.lr_scheduler.ReduceLROnPlateau(opt_e, **kw)
    st = torch.optim.lr_scheduler.ReduceLROnPlateau(opt_t, **kw)
    metrics = [1.0, 0.9, 0.95, 0.95, 0.97, 0.899, 0.91, 0.92, 0.93, 0.8, 0.85, 0.86, 0.87, 0.88, 0.9] * 4
    for i, m in enumerate(metrics):
        metric = ember.tensor(m, dtype=ember.float64) if i % 2 else m
        se.step(metric)
        st.step(m)
        assert se.get_last_lr() == pytest.approx(st.get_last_lr(), abs=1e-12)
        assert (se.num_bad_epochs, se.cooldown_counter, se.last_epoch) == (st.num_bad_epochs, st.cooldown_counter, st.last_epoch)
        assert se.best == st.best
    sd = se.state_dict()
    se2 = ember.optim.lr_scheduler.ReduceLROnPlateau(opt_e)
    se2.load_state_dict(sd)
    assert se2.best == se.best and se2.mode == se.mode and se2.min_lrs == se.min_lrs


@pytest.mark.parametrize('name,kw', [SIMPLE[i] for i in (3, 4, 6, 9, 11, 13, 16, 19)])
def test_state_dict_round_trip(name, kw):
    opt_e, opt_t = _pair()
    se, st = _scalar(ember, opt_e, name, **kw), _scalar(torch, opt_t, name, **kw)
    for _ in range(13):
        opt_e.step()
        opt_t.step()
        se.step()
        st.step()
    sd = se.state_dict()
    assert 'optimizer' not in sd
    assert set(sd) == set(st.state_dict()) - {'_get_lr_called_within_step', '_is_initial'} | (set(sd) & {'_get_lr_called_within_step', '_is_initial'})
    sd = copy.deepcopy(sd)
    # A fresh scheduler on a copy of the optimizer resumes where the first one was.
    opt2 = _pair()[0]
    se2 = _scalar(ember, opt2, name, **kw)
    for g2, g in zip(opt2.param_groups, opt_e.param_groups):
        g2.update({k: v for k, v in g.items() if k != 'params'})
    se2.load_state_dict(sd)
    for _ in range(20):
        for o, s in ((opt_e, se), (opt2, se2), (opt_t, st)):
            o.step()
            s.step()
        assert se2.get_last_lr() == pytest.approx(se.get_last_lr(), abs=1e-12)
        assert se.get_last_lr() == pytest.approx(st.get_last_lr(), abs=1e-10)


def test_lambda_state_dict_saves_callable_objects():
    class Fn:
        def __init__(self):
            self.k = 0.9

        def __call__(self, e):
            return self.k ** e

    opt_e, _ = _pair()
    f1, f2 = Fn(), Fn()
    s = ember.optim.lr_scheduler.LambdaLR(opt_e, lr_lambda=[f1, _lam])
    sd = s.state_dict()
    assert sd['lr_lambdas'] == [{'k': 0.9}, None]
    sd['lr_lambdas'][0]['k'] = 0.5
    s2 = ember.optim.lr_scheduler.LambdaLR(opt_e, lr_lambda=[f2, _lam])
    s2.load_state_dict(sd)
    assert f2.k == 0.5
    pickle.dumps(s.state_dict())


def test_closed_form_with_epoch_argument():
    for name, kw in [SIMPLE[3], SIMPLE[4], SIMPLE[8], SIMPLE[11], SIMPLE[6]]:
        opt_e, opt_t = _pair()
        se, st = _scalar(ember, opt_e, name, **kw), _scalar(torch, opt_t, name, **kw)
        for ep in [3, 8, 2, 15, 40]:
            opt_e.step()
            opt_t.step()
            with warnings.catch_warnings(record=True) as we:
                warnings.simplefilter('always')
                se.step(ep)
            with warnings.catch_warnings():
                warnings.simplefilter('ignore')
                st.step(ep)
            assert any('epoch parameter' in str(w.message) for w in we)
            assert se.get_last_lr() == pytest.approx(st.get_last_lr(), abs=1e-12)


def test_warm_restarts_fractional_epochs():
    opt_e, opt_t = _pair()
    kw = dict(T_0=3, T_mult=2, eta_min=0.001)
    se = ember.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt_e, **kw)
    st = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt_t, **kw)
    for i in range(50):
        ep = i * 0.37
        opt_e.step()
        opt_t.step()
        se.step(ep)
        st.step(ep)
        assert se.get_last_lr() == pytest.approx(st.get_last_lr(), abs=1e-12)
        assert (se.T_i, se.last_epoch) == (st.T_i, st.last_epoch)
        assert se.T_cur == pytest.approx(st.T_cur)
    with pytest.raises(ValueError, match='non-negative epoch'):
        se.step(-1)


def test_initial_lr_and_base_lrs():
    opt_e, opt_t = _pair()
    se = ember.optim.lr_scheduler.StepLR(opt_e, step_size=2)
    st = torch.optim.lr_scheduler.StepLR(opt_t, step_size=2)
    assert [g['initial_lr'] for g in opt_e.param_groups] == [g['initial_lr'] for g in opt_t.param_groups]
    assert (se.last_epoch, se._step_count, se.base_lrs) == (st.last_epoch, st._step_count, st.base_lrs)
    with pytest.raises(KeyError, match='initial_lr'):
        ember.optim.lr_scheduler.StepLR(_pair()[0], step_size=2, last_epoch=3)
    # Resuming with last_epoch >= 0 works once initial_lr is present.
    s2 = ember.optim.lr_scheduler.StepLR(opt_e, step_size=2, last_epoch=4)
    t2 = torch.optim.lr_scheduler.StepLR(opt_t, step_size=2, last_epoch=4)
    assert s2.get_last_lr() == pytest.approx(t2.get_last_lr()) and s2.last_epoch == t2.last_epoch


def test_tensor_lr_updated_in_place():
    res = []
    for lib in (ember, torch):
        p = lib.nn.Parameter(lib.zeros(2))
        lr = lib.tensor(0.1)
        opt = lib.optim.SGD([p], lr=lr)
        s = lib.optim.lr_scheduler.ExponentialLR(opt, gamma=0.5)
        opt.step()
        s.step()
        assert opt.param_groups[0]['lr'] is lr
        res.append((float(lr), float(s.get_last_lr()[0])))
    assert res[0] == pytest.approx(res[1])


def test_step_order_warning():
    opt = _pair()[0]
    s = ember.optim.lr_scheduler.StepLR(opt, step_size=2)
    assert hasattr(opt.step, '_wrapped_by_lr_sched')
    with pytest.warns(UserWarning, match=r'Detected call of `lr_scheduler.step\(\)` before `optimizer.step\(\)`'):
        s.step()
    opt = _pair()[0]
    s = ember.optim.lr_scheduler.StepLR(opt, step_size=2)
    opt.step()
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        s.step()
        s.step()
    # Overriding optimizer.step after construction triggers the other warning.
    opt = _pair()[0]
    s = ember.optim.lr_scheduler.StepLR(opt, step_size=2)
    opt.step = lambda *a, **k: None
    with pytest.warns(UserWarning, match='has been overridden'):
        s.step()


def test_get_lr_outside_step_warns():
    s = ember.optim.lr_scheduler.StepLR(_pair()[0], step_size=2)
    with pytest.warns(UserWarning, match='get_last_lr'):
        s.get_lr()


def test_verbose_deprecated_accepted():
    with pytest.warns(UserWarning, match='verbose'):
        ember.optim.lr_scheduler.StepLR(_pair()[0], step_size=2, verbose=True)


def test_errors_match_torch():
    S_e, S_t = ember.optim.lr_scheduler, torch.optim.lr_scheduler
    opt_e, opt_t = _pair()
    bad = [
        ('ConstantLR', dict(factor=1.5)),
        ('LinearLR', dict(start_factor=0.0)),
        ('LinearLR', dict(end_factor=1.5)),
        ('CosineAnnealingWarmRestarts', dict(T_0=0)),
        ('CosineAnnealingWarmRestarts', dict(T_0=2, T_mult=0)),
        ('CosineAnnealingWarmRestarts', dict(T_0=2, eta_min='x')),
        ('OneCycleLR', dict(max_lr=0.1)),
        ('OneCycleLR', dict(max_lr=0.1, total_steps=0)),
        ('OneCycleLR', dict(max_lr=0.1, epochs=0, steps_per_epoch=3)),
        ('OneCycleLR', dict(max_lr=0.1, epochs=2, steps_per_epoch=-3)),
        ('OneCycleLR', dict(max_lr=0.1, total_steps=10, pct_start=1.5)),
        ('OneCycleLR', dict(max_lr=0.1, total_steps=10, anneal_strategy='exp')),
        ('OneCycleLR', dict(max_lr=[0.1], total_steps=10)),
        ('CyclicLR', dict(base_lr=0.1, max_lr=0.2, mode='bad')),
        ('LambdaLR', dict(lr_lambda=[_lam])),
        ('MultiplicativeLR', dict(lr_lambda=3)),
        ('ReduceLROnPlateau', dict(factor=1.0)),
        ('ReduceLROnPlateau', dict(mode='avg')),
        ('ReduceLROnPlateau', dict(threshold_mode='x')),
        ('ReduceLROnPlateau', dict(min_lr=[0.1])),
    ]
    for name, kw in bad:
        with pytest.raises(Exception) as et:
            getattr(S_t, name)(opt_t, **kw)
        with pytest.raises(type(et.value)) as ee:
            getattr(S_e, name)(opt_e, **kw)
        assert str(ee.value).split('\n')[0] == str(et.value).split('\n')[0], name
    with pytest.raises(TypeError, match='is not an Optimizer'):
        S_e.StepLR(object(), step_size=1)
    # Momentum cycling on an optimizer without momentum.
    p = ember.nn.Parameter(ember.zeros(2))
    with pytest.raises(ValueError, match='momentum'):
        S_e.CyclicLR(ember.optim.Adagrad([p], lr=0.1), base_lr=0.1, max_lr=0.2)
    # OneCycleLR stepping past total_steps.
    opt = _pair()[0]
    s = S_e.OneCycleLR(opt, max_lr=0.1, total_steps=3)
    for _ in range(3):
        opt.step()
        s.step()
    with pytest.raises(ValueError, match='Tried to step 4 times'):
        s.step()
    # Composite schedulers reject plateau schedulers and mismatched optimizers.
    opt2 = _pair()[0]
    with pytest.raises(ValueError, match='ReduceLROnPlateau'):
        S_e.SequentialLR(opt, [S_e.ReduceLROnPlateau(opt), S_e.StepLR(opt, 2)], milestones=[2])
    with pytest.raises(ValueError, match='same optimizer'):
        S_e.ChainedScheduler([S_e.StepLR(opt, 2), S_e.StepLR(opt2, 2)])
    with pytest.raises(ValueError, match='number of milestone'):
        S_e.SequentialLR(opt, [S_e.StepLR(opt, 2), S_e.StepLR(opt, 2)], milestones=[2, 3])
    assert math.isfinite(s.get_last_lr()[0])
