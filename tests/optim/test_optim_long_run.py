"""Every optimizer over 20 steps on a small model vs torch, with a state_dict round trip at step 10;
plus bad-input checks for losses and optimizer construction."""
import io

import numpy as np
import pytest
import torch

import ember
from helpers import raises_like, rand

OPTIMS = [
    ('SGD', dict(lr=0.1)),
    ('SGD', dict(lr=0.1, momentum=0.9)),
    ('SGD', dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01)),
    ('SGD', dict(lr=0.01, momentum=0.8, dampening=0.3, maximize=True)),
    ('Adam', dict(lr=0.01)),
    ('Adam', dict(lr=0.01, amsgrad=True, weight_decay=0.1)),
    ('Adam', dict(lr=0.01, maximize=True, betas=(0.8, 0.99))),
    ('AdamW', dict(lr=0.01)),
    ('AdamW', dict(lr=0.01, amsgrad=True, weight_decay=0.05)),
    ('Adamax', dict(lr=0.01, weight_decay=0.01)),
    ('Adagrad', dict(lr=0.1, lr_decay=0.01, initial_accumulator_value=0.1)),
    ('Adadelta', dict(lr=1.0, rho=0.8, weight_decay=0.01)),
    ('ASGD', dict(lr=0.05, t0=5, lambd=1e-3)),
    ('NAdam', dict(lr=0.01)),
    ('NAdam', dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, momentum_decay=0.005)),
    ('RAdam', dict(lr=0.01)),
    ('RAdam', dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
    ('RMSprop', dict(lr=0.01)),
    ('RMSprop', dict(lr=0.01, centered=True, momentum=0.9)),
    ('RMSprop', dict(lr=0.01, momentum=0.5, weight_decay=0.01, alpha=0.9)),
    ('Rprop', dict(lr=0.01)),
    ('Rprop', dict(lr=0.02, etas=(0.4, 1.3), step_sizes=(1e-4, 1.0))),
    ('LBFGS', dict(lr=0.5, max_iter=2, history_size=5)),
    ('LBFGS', dict(lr=1.0, max_iter=3, history_size=3, line_search_fn='strong_wolfe')),
]
IDS = [f'{n}-{i}' for i, (n, _) in enumerate(OPTIMS)]


def _model(lib, dtype):
    m = lib.nn.Sequential(lib.nn.Linear(4, 3), lib.nn.Tanh(), lib.nn.Linear(3, 1))
    return m.to(getattr(lib, dtype))


def _data(dtype):
    rng = np.random.default_rng(3)
    return rng.standard_normal((32, 4)).astype(dtype), rng.standard_normal((32, 1)).astype(dtype)


def _roundtrip(lib, opt_cls, params, kw, opt):
    buf = io.BytesIO()
    lib.save(opt.state_dict(), buf)
    buf.seek(0)
    sd = lib.load(buf, weights_only=False) if lib is torch else lib.load(buf)
    fresh = opt_cls(params, **kw)
    fresh.load_state_dict(sd)
    return fresh


def _run(lib, name, kw, dtype, init, x, y, steps=20):
    model = _model(lib, dtype)
    model.load_state_dict({k: lib.tensor(v.copy()) for k, v in init.items()})
    xt, yt = lib.tensor(x), lib.tensor(y)
    cls = getattr(lib.optim, name)
    opt = cls(model.parameters(), **kw)

    def closure():
        opt.zero_grad()
        loss = lib.nn.functional.mse_loss(model(xt), yt)
        loss.backward()
        return loss

    history = []
    for step in range(steps):
        if step == 10:
            opt = _roundtrip(lib, cls, model.parameters(), kw, opt)
        loss = opt.step(closure)
        history.append(([p.detach().numpy().copy() for p in model.parameters()], float(loss)))
    if name == 'LBFGS':     # discrete behaviour (number of closure calls) must match exactly
        st = opt.state[next(iter(model.parameters()))]
        history.append((st['func_evals'], st['n_iter']))
    return history


@pytest.mark.parametrize('dtype', ['float64', 'float32'])
@pytest.mark.parametrize('name,kw', OPTIMS, ids=IDS)
def test_long_run_parity(name, kw, dtype):
    torch.manual_seed(0)
    ref = _model(torch, dtype)
    init = {k: v.detach().numpy().copy() for k, v in ref.state_dict().items()}
    x, y = _data(dtype)
    rtol, atol = (1e-9, 1e-12) if dtype == 'float64' else (1e-4, 1e-6)
    if name == 'LBFGS':
        # dozens of inner iterations (and cubic interpolation in the line search) amplify
        # last-bit rounding differences; the closure-call counts are compared exactly in float64
        rtol, atol = (1e-7, 1e-9) if dtype == 'float64' else (5e-3, 5e-4)
    th = _run(torch, name, kw, dtype, init, x, y)
    eh = _run(ember, name, kw, dtype, init, x, y)
    if name == 'LBFGS':
        counts = eh.pop(), th.pop()
        if dtype == 'float64':     # float32 rounding may legitimately flip one line-search test
            assert counts[0] == counts[1]
    if name == 'LBFGS' and dtype == 'float32' and kw.get('line_search_fn'):
        # float32 rounding can flip one line-search decision late in the run, after which the
        # two trajectories legitimately differ; the float64 run checks all 20 steps exactly
        eh, th = eh[:10], th[:10]
    for step, ((ep, el), (tp, tl)) in enumerate(zip(eh, th)):
        np.testing.assert_allclose(el, tl, rtol=rtol, atol=atol, err_msg=f'loss at step {step}')
        for i, (a, b) in enumerate(zip(ep, tp)):
            assert a.dtype == b.dtype
            np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, err_msg=f'param {i} at step {step}')


# ------------------------------------------------------------------ bad input: losses

def _both(fn, *inputs):
    """(ember exception, torch exception) raised by fn(lib, *tensors)."""
    from helpers import make_pair
    pairs = [make_pair(x, False) for x in inputs]
    out = []
    for lib, idx in ((ember, 0), (torch, 1)):
        with pytest.raises(Exception) as info:
            fn(lib, *[p[idx] for p in pairs])
        out.append(info.value)
    return out


@pytest.mark.parametrize('target', [[0, 5, 1], [-2, 0, 1], [0, 1, 7]])
@pytest.mark.parametrize('fn_name', ['cross_entropy', 'nll_loss'])
def test_class_index_out_of_range(fn_name, target):
    def fn(lib, x, t):
        return getattr(lib.nn.functional, fn_name)(x, t)
    raises_like(fn, rand(3, 5, dtype='float32'), np.array(target, dtype='int64'))


@pytest.mark.parametrize('fn_name', ['cross_entropy', 'nll_loss'])
def test_class_index_out_of_range_kdim(fn_name):
    def fn(lib, x, t):
        return getattr(lib.nn.functional, fn_name)(x, t)
    raises_like(fn, rand(2, 3, 4, dtype='float32'), np.array([[0, 1, 2, 3], [0, 1, 2, 0]], dtype='int64'))


@pytest.mark.parametrize('fn_name', ['cross_entropy', 'nll_loss'])
def test_target_shape_mismatch(fn_name):
    def fn(lib, x, t):
        return getattr(lib.nn.functional, fn_name)(x, t)
    raises_like(fn, rand(3, 5, dtype='float32'), np.array([0, 1], dtype='int64'))
    raises_like(fn, rand(2, 3, 4, dtype='float32'), np.array([[0, 1, 2], [0, 1, 2]], dtype='int64'))


@pytest.mark.parametrize('vals', [[0.5, -0.1, 0.3], [0.5, 1.2, 0.3], [float('nan'), 0.5, 0.5]])
def test_bce_out_of_range(vals):
    def fn(lib, x, t):
        return lib.nn.BCELoss()(x, t)
    e, t = _both(fn, np.array(vals, dtype='float32'), np.array([0., 1., 0.], dtype='float32'))
    assert isinstance(e, type(t).__mro__[[c.__module__ for c in type(t).__mro__].index('builtins')])
    assert 'all elements of input should be between 0 and 1' in str(t)
    assert 'all elements of input should be between 0 and 1' in str(e)


def test_mse_shape_mismatch():
    raises_like(lambda lib, a, b: lib.nn.functional.mse_loss(a, b),
                rand(3, 2, dtype='float32'), rand(4, 2, dtype='float32'))


# ------------------------------------------------------------------ bad input: optimizers

BAD_OPT = [
    ('SGD', dict(lr=-0.1)),
    ('SGD', dict(lr=0.1, momentum=-0.5)),
    ('SGD', dict(lr=0.1, weight_decay=-1.0)),
    ('SGD', dict(lr=0.1, nesterov=True)),
    ('SGD', dict(lr=0.1, momentum=0.9, dampening=0.1, nesterov=True)),
    ('Adam', dict(lr=-1e-3)),
    ('Adam', dict(betas=(1.0, 0.999))),
    ('Adam', dict(betas=(0.9, -0.1))),
    ('Adam', dict(eps=-1e-8)),
    ('Adam', dict(weight_decay=-0.1)),
    ('AdamW', dict(betas=(0.9, 1.5))),
    ('Adamax', dict(eps=-1.0)),
    ('Adagrad', dict(lr_decay=-1.0)),
    ('Adagrad', dict(initial_accumulator_value=-1.0)),
    ('Adadelta', dict(rho=1.5)),
    ('NAdam', dict(momentum_decay=-1.0)),
    ('RAdam', dict(betas=(-0.1, 0.9))),
    ('RMSprop', dict(alpha=-0.5)),
    ('RMSprop', dict(momentum=-0.5)),
    ('Rprop', dict(etas=(1.5, 1.2))),
    ('ASGD', dict(lr=-0.1)),
]


@pytest.mark.parametrize('name,kw', BAD_OPT, ids=[f'{n}-{i}' for i, (n, _) in enumerate(BAD_OPT)])
def test_invalid_hyperparameters(name, kw):
    def fn(lib):
        p = lib.nn.Parameter(lib.zeros(2))
        return getattr(lib.optim, name)([p], **kw)
    e, t = _both(fn)
    assert type(e) is type(t)
    assert str(e) == str(t)


def test_params_given_twice():
    def same_list(lib):
        p = lib.nn.Parameter(lib.zeros(2))
        return lib.optim.SGD([p, p], lr=0.1)

    def two_groups(lib):
        p = lib.nn.Parameter(lib.zeros(2))
        return lib.optim.SGD([{'params': [p]}, {'params': [p], 'lr': 0.5}], lr=0.1)

    def add_group(lib):
        p = lib.nn.Parameter(lib.zeros(2))
        opt = lib.optim.Adam([p])
        opt.add_param_group({'params': p})

    import warnings
    with warnings.catch_warnings(record=True) as tw:
        warnings.simplefilter('always')
        same_list(torch)
    with warnings.catch_warnings(record=True) as ew:
        warnings.simplefilter('always')
        same_list(ember)
    assert [str(w.message) for w in ew] == [str(w.message) for w in tw]
    for fn in (two_groups, add_group):
        e, t = _both(fn)
        assert type(e) is type(t)
        assert str(e) == str(t)


@pytest.mark.parametrize('bad', ['tensor', 'empty', 'nonleaf'])
def test_bad_params_argument(bad):
    def fn(lib):
        p = lib.nn.Parameter(lib.zeros(2))
        arg = {'tensor': p, 'empty': [], 'nonleaf': [p * 2]}[bad]
        return lib.optim.SGD(arg, lr=0.1)
    e, t = _both(fn)
    assert type(e) is type(t)
    assert str(e) == str(t)


def test_lbfgs_line_search_respects_max_eval():
    """torch caps each strong-Wolfe search at the evaluations left in max_eval."""
    torch.manual_seed(0)
    init = {k: v.detach().numpy().copy() for k, v in _model(torch, 'float64').state_dict().items()}
    rng = np.random.default_rng(3)
    x, y = rng.standard_normal((8, 4)), rng.standard_normal((8, 1))
    res = []
    for lib in (ember, torch):
        model = _model(lib, 'float64')
        model.load_state_dict({k: lib.tensor(v.copy()) for k, v in init.items()})
        opt = lib.optim.LBFGS(model.parameters(), lr=1.0, max_iter=4, history_size=3,
                              line_search_fn='strong_wolfe')
        calls = []

        def closure():
            opt.zero_grad()
            loss = lib.nn.functional.mse_loss(model(lib.tensor(x)), lib.tensor(y))
            loss.backward()
            calls.append(float(loss))
            return loss
        opt.step(closure)
        res.append((len(calls), opt.state[model[0].weight]['func_evals'],
                    [p.detach().numpy().copy() for p in model.parameters()]))
    assert res[0][:2] == res[1][:2]
    for a, b in zip(res[0][2], res[1][2]):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)
