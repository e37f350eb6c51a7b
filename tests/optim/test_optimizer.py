"""Optimizer base behaviour vs torch: param groups, errors, zero_grad, closures, hooks, state dicts."""
import copy
import pickle

import numpy as np
import pytest
import torch

import ember


def _pair(n=3):
    a = np.arange(n, dtype='float32') / 3
    return torch.nn.Parameter(torch.tensor(a)), ember.nn.Parameter(ember.tensor(a))


def _same_error(fn):
    with pytest.raises(Exception) as texc:
        fn(torch)
    msg = str(texc.value)
    with pytest.raises(type(texc.value)) as eexc:
        fn(ember)
    assert str(eexc.value) == msg


def test_single_tensor_rejected():
    _same_error(lambda lib: lib.optim.SGD(lib.nn.Parameter(lib.zeros(2)), lr=0.1))
    with pytest.raises(TypeError, match="but got torch.FloatTensor"):
        ember.optim.SGD(ember.nn.Parameter(ember.zeros(2)), lr=0.1)


@pytest.mark.parametrize('case', ['empty', 'dup_groups', 'non_tensor', 'set', 'non_leaf', 'not_dict',
                                  'bad_nesterov'])
def test_param_errors(case):
    def fn(lib):
        p = lib.nn.Parameter(lib.zeros(2))
        if case == 'empty':
            lib.optim.SGD([], lr=0.1)
        elif case == 'dup_groups':
            lib.optim.SGD([{'params': [p]}, {'params': [p]}], lr=0.1)
        elif case == 'non_tensor':
            lib.optim.SGD([p, 3], lr=0.1)
        elif case == 'set':
            lib.optim.SGD([{'params': {p}}], lr=0.1)
        elif case == 'non_leaf':
            lib.optim.SGD([p * 2], lr=0.1)
        elif case == 'not_dict':
            lib.optim.SGD([p], lr=0.1).add_param_group([p])
        elif case == 'bad_nesterov':
            lib.optim.SGD([p], lr=0.1, nesterov=True)
    _same_error(fn)


def test_add_param_group_and_defaults():
    (tp, ep), (tq, eq) = _pair(), _pair(2)
    topt, eopt = torch.optim.SGD([tp], lr=0.1, momentum=0.9), ember.optim.SGD([ep], lr=0.1, momentum=0.9)
    topt.add_param_group({'params': tq, 'lr': 0.5})
    eopt.add_param_group({'params': eq, 'lr': 0.5})
    assert eopt.defaults == topt.defaults
    assert [{k: v for k, v in g.items() if k != 'params'} for g in eopt.param_groups] == \
        [{k: v for k, v in g.items() if k != 'params'} for g in topt.param_groups]
    assert eopt.param_groups[1]['params'][0] is eq
    assert repr(eopt) == repr(topt)
    with pytest.raises(ValueError, match="some parameters appear in more than one parameter group"):
        eopt.add_param_group({'params': [ep]})


def test_duplicate_in_group_warns():
    p = ember.nn.Parameter(ember.zeros(2))
    with pytest.warns(UserWarning, match="duplicate parameters"):
        ember.optim.SGD([p, p], lr=0.1)


def test_named_parameters():
    tm, em = torch.nn.Linear(2, 2), ember.nn.Linear(2, 2)
    topt = torch.optim.Adam(tm.named_parameters())
    eopt = ember.optim.Adam(em.named_parameters())
    assert eopt.param_groups[0]['param_names'] == topt.param_groups[0]['param_names']
    assert eopt.state_dict()['param_groups'][0]['param_names'] == ['weight', 'bias']


@pytest.mark.parametrize('name', ['SGD', 'Adam', 'AdamW', 'Adamax', 'Adagrad', 'Adadelta', 'ASGD', 'NAdam',
                                  'RAdam', 'RMSprop', 'Rprop', 'LBFGS', 'SparseAdam'])
def test_repr_and_defaults(name):
    tp, ep = _pair()
    kw = {'lr': 0.1}
    t, e = getattr(torch.optim, name)([tp], **kw), getattr(ember.optim, name)([ep], **kw)
    assert repr(e) == repr(t)
    assert e.defaults == t.defaults


@pytest.mark.parametrize('set_to_none', [True, False])
def test_zero_grad(set_to_none):
    tp, ep = _pair()
    for lib, p in ((torch, tp), (ember, ep)):
        opt = lib.optim.SGD([p], lr=0.1)
        (p * p).sum().backward()
        opt.zero_grad(set_to_none=set_to_none)
    assert (ep.grad is None) == (tp.grad is None)
    if not set_to_none:
        np.testing.assert_array_equal(ep.grad.numpy(), tp.grad.numpy())
        assert not ep.grad.requires_grad


def test_closure_runs_with_grad_and_returns_loss():
    p = ember.nn.Parameter(ember.ones(3))
    opt = ember.optim.SGD([p], lr=0.1)
    seen = []

    def closure():
        seen.append(ember.is_grad_enabled())
        opt.zero_grad()
        loss = (p * p).sum()
        loss.backward()
        return loss
    with ember.no_grad():
        loss = opt.step(closure)
    assert seen == [True] and float(loss) == 3.0
    np.testing.assert_allclose(p.detach().numpy(), np.full(3, 0.8, 'float32'))


def test_step_hooks():
    p = ember.nn.Parameter(ember.ones(3))
    opt = ember.optim.SGD([p], lr=0.1)
    calls = []
    h1 = opt.register_step_pre_hook(lambda o, a, k: calls.append(('pre', o is opt, len(a))))
    h2 = opt.register_step_post_hook(lambda o, a, k: calls.append(('post', o is opt, len(a))))
    g1 = ember.optim.optimizer.register_optimizer_step_pre_hook(lambda o, a, k: calls.append(('gpre',)))
    g2 = ember.optim.optimizer.register_optimizer_step_post_hook(lambda o, a, k: calls.append(('gpost',)))
    opt.step()
    assert calls == [('gpre',), ('pre', True, 1), ('post', True, 1), ('gpost',)]
    for h in (h1, h2, g1, g2):
        h.remove()
    calls.clear()
    opt.step()
    assert calls == []


def test_step_pre_hook_replaces_args_like_torch():
    def run(lib):
        p = lib.nn.Parameter(lib.ones(2))
        opt = lib.optim.SGD([p], lr=0.1)
        out = []

        def closure():
            out.append(1)
            return lib.tensor(5.0)
        opt.register_step_pre_hook(lambda o, a, k: (a, {'closure': closure}))
        return opt.step(), out
    (tl, tout), (el, eout) = run(torch), run(ember)
    assert float(tl) == float(el) and tout == eout

    def bad(lib):
        p = lib.nn.Parameter(lib.ones(2))
        opt = lib.optim.SGD([p], lr=0.1)
        opt.register_step_pre_hook(lambda o, a, k: 3)
        opt.step()
    with pytest.raises(RuntimeError, match="must return None or a tuple of"):
        bad(ember)


def test_state_dict_hooks():
    p = ember.nn.Parameter(ember.ones(3))
    opt = ember.optim.Adam([p])
    order = []
    opt.register_state_dict_pre_hook(lambda o: order.append('pre'))
    opt.register_state_dict_post_hook(lambda o, sd: {**sd, 'extra': 1})
    sd = opt.state_dict()
    assert order == ['pre'] and sd['extra'] == 1
    opt.register_load_state_dict_pre_hook(lambda o, sd: order.append('lpre'))
    opt.register_load_state_dict_pre_hook(lambda o, sd: order.append('lpre0'), prepend=True)
    opt.register_load_state_dict_post_hook(lambda o: order.append('lpost'))
    opt.load_state_dict(sd)
    assert order == ['pre', 'lpre0', 'lpre', 'lpost']


def test_state_dict_layout_matches_torch():
    (tp, ep), (tq, eq) = _pair(), _pair(2)
    topt = torch.optim.Adam([{'params': [tp]}, {'params': [tq], 'lr': 0.5}])
    eopt = ember.optim.Adam([{'params': [ep]}, {'params': [eq], 'lr': 0.5}])
    for lib, opt, ps in ((torch, topt, (tp, tq)), (ember, eopt, (ep, eq))):
        (ps[0].pow(2).sum() + ps[1].sum()).backward()
        opt.step()
    tsd, esd = topt.state_dict(), eopt.state_dict()
    assert [list(g) for g in esd['param_groups']] == [list(g) for g in tsd['param_groups']]
    assert [g['params'] for g in esd['param_groups']] == [[0], [1]]
    assert list(esd['state']) == [0, 1] and list(esd['state'][0]) == list(tsd['state'][0])
    st = esd['state'][0]['step']
    assert st.dtype == ember.float32 and st.shape == () and float(st) == 1.0
    # state tensors are shared with the optimizer (as in torch), not copies
    assert esd['state'][0]['exp_avg'] is eopt.state[ep]['exp_avg']


def test_load_state_dict_casts_and_validates():
    p = ember.nn.Parameter(ember.ones(3, dtype=ember.float64))
    opt = ember.optim.Adam([p])
    p.pow(2).sum().backward()
    opt.step()
    sd = copy.deepcopy(opt.state_dict())
    sd['state'][0]['exp_avg'] = sd['state'][0]['exp_avg'].float()
    opt2 = ember.optim.Adam([p])
    opt2.load_state_dict(sd)
    assert opt2.state[p]['exp_avg'].dtype == ember.float64
    assert opt2.state[p]['step'].dtype == ember.float32      # 'step' is left as it is
    q = ember.nn.Parameter(ember.ones(2))
    with pytest.raises(ValueError, match="doesn't match the size of optimizer's group"):
        ember.optim.Adam([p, q]).load_state_dict(sd)
    with pytest.raises(ValueError, match="different number of parameter groups"):
        ember.optim.Adam([{'params': [p]}, {'params': [q]}]).load_state_dict(sd)


def test_load_torch_state_dict_values():
    tp, ep = _pair()
    topt, eopt = torch.optim.SGD([tp], lr=0.1, momentum=0.9), ember.optim.SGD([ep], lr=0.3)
    (tp * tp).sum().backward()
    topt.step()
    tsd = topt.state_dict()
    eopt.load_state_dict({'state': {0: {'momentum_buffer': ember.tensor(tsd['state'][0]['momentum_buffer'].numpy())}},
                          'param_groups': tsd['param_groups']})
    assert eopt.param_groups[0]['lr'] == 0.1 and eopt.param_groups[0]['momentum'] == 0.9
    assert eopt.param_groups[0]['params'][0] is ep


def test_pickle_and_getstate():
    p = ember.nn.Parameter(ember.ones(3))
    opt = ember.optim.SGD([p], lr=0.1, momentum=0.9)
    (p * p).sum().backward()
    opt.step()
    assert set(opt.__getstate__()) == {'defaults', 'state', 'param_groups'}
    opt2 = pickle.loads(pickle.dumps(opt))
    assert repr(opt2) == repr(opt)
    assert opt2._optimizer_step_pre_hooks == {}
    opt2.step()


def test_base_step_not_implemented():
    p = ember.nn.Parameter(ember.ones(3))
    opt = ember.optim.Optimizer([p], {'lr': 0.1})
    with pytest.raises(NotImplementedError):
        opt.step()


def test_required_default():
    from ember.optim.optimizer import required
    p = ember.nn.Parameter(ember.ones(3))
    with pytest.raises(ValueError, match="didn't specify a value of required optimization parameter lr"):
        ember.optim.Optimizer([p], {'lr': required})
