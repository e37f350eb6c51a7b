"""Tensor and Node hooks, retain_grad, post-accumulate-grad hooks, against torch."""
from autograd_common import ember, torch, t, same, same_error, both


def test_leaf_hook_modifies_grad_and_remove():
    def fn(m):
        x = t(m, [1.0, 2.0])
        h = x.register_hook(lambda g: g * 2)
        (x * 3).sum().backward()
        first = x.grad.clone()
        h.remove()
        x.grad = None
        (x * 3).sum().backward()
        return first, x.grad, type(h).__name__
    same(fn)


def test_non_leaf_hook_changes_upstream_grads():
    def fn(m):
        x = t(m, [1.0, 2.0])
        y = x * x
        y.register_hook(lambda g: g + 1)
        y.retain_grad()
        y.register_hook(lambda g: g * 10)
        (y * 2).sum().backward()
        return x.grad, y.grad, y.retains_grad, x.retains_grad
    same(fn)


def test_hooks_chain_in_registration_order():
    def fn(m):
        x = t(m, [1.0])
        x.register_hook(lambda g: g + 1)
        x.register_hook(lambda g: g * 3)
        (x * 1).sum().backward()
        return x.grad
    same(fn)


def test_observing_hook_returning_none():
    seen = {}

    def fn(m):
        x = t(m, [1.0, 2.0])
        x.register_hook(lambda g: seen.setdefault(m.__name__, []).append(g.detach().clone()))
        x.exp().sum().backward()
        return x.grad
    same(fn)
    same(lambda m: seen[m.__name__])


def test_hook_on_tensor_used_twice_runs_once_on_summed_grad():
    calls = {}

    def fn(m):
        x = t(m, [1.0, 2.0])
        y = x * 2
        y.register_hook(lambda g: calls.setdefault(m.__name__, []).append(g.detach().clone()))
        (y * y + y).sum().backward()
        return x.grad
    same(fn)
    same(lambda m: calls[m.__name__])


def test_handle_as_context_manager():
    def fn(m):
        x = t(m, [1.0])
        with x.register_hook(lambda g: g * 100):
            pass
        (x * 1).sum().backward()
        return x.grad
    same(fn)


def test_hooks_apply_with_autograd_grad():
    def fn(m):
        x = t(m, [1.0, 2.0])
        x.register_hook(lambda g: g * 5)
        a, = m.autograd.grad((x * x).sum(), x)
        y = x * 3
        y.register_hook(lambda g: g * 0.5)
        b, = m.autograd.grad((y * y).sum(), x)
        return a, b
    same(fn)


def test_hook_with_create_graph():
    def fn(m):
        x = t(m, [1.0, 2.0])
        y = x * x
        y.register_hook(lambda g: g * y)
        g, = m.autograd.grad(y.sum(), x, create_graph=True)
        gg, = m.autograd.grad(g.sum(), x)
        return g, gg
    same(fn)


def test_retain_grad_accumulates_and_leaf_noop():
    def fn(m):
        x = t(m, [1.0, 2.0])
        x.retain_grad()
        y = x * 2
        y.retain_grad()
        z = (y * y).sum()
        z.backward(retain_graph=True)
        z.backward()
        return y.grad, x.grad, x.retains_grad, y.retains_grad
    same(fn)


def test_node_hook_and_prehook():
    logs = {}

    def fn(m):
        log = logs.setdefault(m.__name__, [])
        x = t(m, [1.0, 2.0])
        y = x * x

        def post(gi, go):
            log.append(('post', [g.detach().clone() for g in gi], [g.detach().clone() for g in go]))
            return (gi[0] * 0 + 7, gi[1])

        def pre(go):
            log.append(('pre', [g.detach().clone() for g in go]))
            return (go[0] * 2,)
        hh = y.grad_fn.register_hook(post)
        ph = y.grad_fn.register_prehook(pre)
        (y * 1).sum().backward()
        first = x.grad.clone()
        hh.remove()
        ph.remove()
        x.grad = None
        y2 = x * x
        (y2 * 1).sum().backward()
        return first, x.grad
    same(fn)
    same(lambda m: [tuple(entry) for entry in logs[m.__name__]])


def test_node_hook_wrong_number_of_values():
    def fn(m):
        x = t(m, [1.0, 2.0])
        y = x * x
        y.grad_fn.register_hook(lambda gi, go: (gi[0],))
        y.sum().backward()
    same_error(fn, "has returned an incorrect number of values (got 1, but expected 2)")


def test_post_accumulate_grad_hook():
    calls = {}

    def fn(m):
        x = t(m, [1.0, 2.0])
        x.register_post_accumulate_grad_hook(
            lambda p: calls.setdefault(m.__name__, []).append(p.grad.detach().clone()))
        (x * 2).sum().backward()
        (x * 2).sum().backward()
        return x.grad
    same(fn)
    same(lambda m: calls[m.__name__])


def test_post_accumulate_hook_can_step_parameter():
    def fn(m):
        w = t(m, [1.0, 2.0])

        def sgd(p):
            with m.no_grad():
                p.sub_(0.1 * p.grad)
            p.grad = None
        w.register_post_accumulate_grad_hook(sgd)
        (w * w).sum().backward()
        return w.detach(), w.grad
    same(fn)


def test_hook_errors():
    same_error(lambda m: t(m, [1.0], False).register_hook(lambda g: g),
               "cannot register a hook on a tensor that doesn't require gradient")
    same_error(lambda m: (t(m, [1.0]) * 2).register_post_accumulate_grad_hook(lambda p: None),
               "post accumulate grad hooks cannot be registered on non-leaf tensors")
    same_error(lambda m: t(m, [1.0], False).retain_grad(),
               "can't retain_grad on Tensor that has requires_grad=False")


def test_accumulate_grad_node_name():
    e, tt = both(lambda m: (t(m, [1.0]) * 2).grad_fn.next_functions[0][0].name())
    assert e == tt
