"""The backward engine against torch: dependency order, accumulation, retain/create_graph,
autograd.grad options, error messages, graph structure and leaf/detach semantics."""
import warnings

import pytest

from autograd_common import ember, torch, np, t, same, same_error, both, graph_names, to_numpy

X = [0.5, 1.5, -0.7]
M = [[0.3, -1.2, 0.8], [1.1, 0.4, -0.5]]


def _grads(*leaves):
    return tuple(leaf.grad for leaf in leaves)


def test_diamond_and_shared_subgraph():
    def fn(m):
        x = t(m, X)
        a = x * 2
        b = a.exp()          # a feeds two branches
        c = a * b + a        # and is used again
        y = c * c + b / (a + 3)
        y.sum().backward()
        return x.grad
    same(fn)


def test_shared_node_used_many_times():
    def fn(m):
        x = t(m, X)
        y = x * x
        z = y + y * y + y.exp() + y / 2
        z.sum().backward()
        return x.grad
    same(fn)


def test_broadcast_grads_reduced():
    def fn(m):
        a = t(m, M)
        b = t(m, [[2.0], [3.0]])
        c = t(m, 1.5)
        ((a * b + c) ** 2).sum().backward()
        return a.grad, b.grad, c.grad
    same(fn)


def test_accumulates_across_backward_calls():
    def fn(m):
        x = t(m, X)
        (x * 3).sum().backward()
        first = x.grad.clone()
        (x * x).sum().backward()
        return first, x.grad
    same(fn)


def test_accumulation_keeps_grad_object():
    x = t(ember, X)
    (x * 3).sum().backward()
    g = x.grad
    (x * 3).sum().backward()
    assert x.grad is g   # torch accumulates in place when possible
    np.testing.assert_allclose(to_numpy(g), [6, 6, 6])


def test_second_backward_without_retain_graph_raises():
    def fn(m):
        x = t(m, X)
        y = (x.exp() * x).sum()
        y.backward()
        y.backward()
    same_error(fn, "Trying to backward through the graph a second time")


def test_retain_graph_allows_second_backward():
    def fn(m):
        x = t(m, X)
        y = (x.exp() * x).sum()
        y.backward(retain_graph=True)
        y.backward()
        return x.grad
    same(fn)


def test_grad_without_retain_then_grad_raises():
    def fn(m):
        x = t(m, X)
        y = (x.log() * x).sum()
        m.autograd.grad(y, x)
        m.autograd.grad(y, x)
    same_error(fn, "Trying to backward through the graph a second time")


@pytest.mark.parametrize('expr', [
    lambda x: x.exp(),
    lambda x: x.exp().log(),
    lambda x: (x * x * x),
    lambda x: x ** 3,
    lambda x: x ** 2.5,
    lambda x: 2.0 ** x,
    lambda x: x ** x,
    lambda x: 1 / x,
    lambda x: x / (x * x + 1),
    lambda x: (x * 2).exp() / x.exp().log(),
    lambda x: (x.exp() + 1).log() * x,
])
def test_higher_order_grads(expr):
    def fn(m):
        x = t(m, [0.5, 1.5, 0.7])
        y = expr(x).sum()
        g1, = m.autograd.grad(y, x, create_graph=True)
        g2, = m.autograd.grad(g1.sum(), x, create_graph=True)
        g3, = m.autograd.grad(g2.sum(), x)
        return g1, g2, g3
    e, _ = same(fn, atol=1e-8, rtol=1e-6)
    assert e[0].requires_grad and e[1].requires_grad and not e[2].requires_grad


def test_create_graph_backward_grad_is_differentiable():
    def fn(m):
        x = t(m, X)
        (x ** 3).sum().backward(create_graph=True)
        g = x.grad
        req = g.requires_grad
        x2 = x.grad.clone()
        x.grad = None
        (g * g).sum().backward()
        return req, x2, x.grad
    same(fn)


def test_grad_allow_unused_and_materialize():
    def fn(m):
        x, w = t(m, X), t(m, [1.0, 2.0])
        y = (x * x).sum()
        return m.autograd.grad(y, [x, w], retain_graph=True, allow_unused=True), \
            m.autograd.grad(y, [x, w], materialize_grads=True)
    same(fn)


def test_grad_unused_input_raises():
    def fn(m):
        x, w = t(m, X), t(m, [1.0, 2.0])
        m.autograd.grad((x * x).sum(), [x, w])
    same_error(fn, "appears to not have been used in the graph. Set allow_unused=True")


def test_grad_of_input_not_requiring_grad_raises():
    def fn(m):
        x = t(m, X)
        m.autograd.grad((x * x).sum(), t(m, X, requires_grad=False))
    same_error(fn, "One of the differentiated Tensors does not require grad")


def test_grad_with_grad_outputs_and_multiple_outputs():
    def fn(m):
        x, w = t(m, X), t(m, [1.0, -2.0, 0.5])
        a = x * w
        b = (x + w).exp()
        return m.autograd.grad([a, b], [x, w], [t(m, [1.0, 2.0, 3.0], False), t(m, [0.5, 0.5, -1.0], False)])
    same(fn)


def test_grad_does_not_touch_dot_grad():
    def fn(m):
        x = t(m, X)
        g = m.autograd.grad((x * x).sum(), x)
        return g, x.grad
    same(fn)


def test_grad_of_leaf_itself():
    def fn(m):
        x = t(m, X)
        return m.autograd.grad(x, x, t(m, [1.0, 2.0, 3.0], False))
    same(fn)


def test_backward_with_gradient():
    def fn(m):
        x = t(m, M)
        y = x.exp() * 2
        y.backward(gradient=t(m, [[1.0, 0.0, 2.0], [0.5, -1.0, 3.0]], False))
        return x.grad
    same(fn)


def test_backward_gradient_shape_mismatch():
    def fn(m):
        x = t(m, X)
        (x * 2).backward(t(m, [1.0, 2.0], False))
    same_error(fn, "Mismatch in shape")


def test_nonscalar_backward_without_gradient():
    same_error(lambda m: (t(m, X) * 2).backward(), "grad can be implicitly created only for scalar outputs")


def test_backward_on_tensor_not_requiring_grad():
    same_error(lambda m: t(m, X, False).sum().backward(),
               "element 0 of tensors does not require grad and does not have a grad_fn")


def test_backward_inputs_only_accumulates_into_inputs():
    def fn(m):
        x, w = t(m, X), t(m, [1.0, -2.0, 0.5])
        h = x * w
        h.retain_grad()
        (h * h).sum().backward(inputs=[w])
        return x.grad, w.grad
    same(fn)


def test_backward_inputs_non_leaf():
    def fn(m):
        x = t(m, X)
        h = x * 3
        (h.exp()).sum().backward(inputs=[h])
        return x.grad, h.grad
    same(fn)


def test_backward_inputs_empty_raises():
    same_error(lambda m: t(m, X).sum().backward(inputs=[]), "cannot be empty")


def test_autograd_backward_multiple_roots():
    def fn(m):
        x = t(m, X)
        a, b = x * 2, x.exp()
        m.autograd.backward([a.sum(), b], [None, t(m, [1.0, 2.0, 3.0], False)])
        return x.grad
    same(fn)


def test_mixed_dtype_grads_cast_to_leaf_dtype():
    def fn(m):
        a = t(m, X, dtype='float32')
        b = t(m, X, dtype='float64')
        (a * b).sum().backward()
        return a.grad, b.grad
    same(fn)


def test_grad_fn_names_and_next_functions():
    def fn(m):
        x = t(m, M)
        w = t(m, [1.0, 2.0, 3.0])
        c = t(m, 1.0, False)   # torch wraps Python scalars as tensors (an extra None edge)
        y = ((x * w + c).exp() / x.sum(1, keepdim=True) - w ** 2).t().contiguous().view(6).mean()
        return graph_names(y.grad_fn)
    e, tt = both(fn)
    assert e == tt


def test_next_functions_structure():
    def fn(m):
        x = t(m, X)
        c = t(m, X, False)
        y = x * c + x.exp()
        nf = y.grad_fn.next_functions
        return [(None if n is None else n.name(), nr) for n, nr in nf], \
            [(None if n is None else n.name(), nr) for n, nr in nf[0][0].next_functions]
    e, tt = both(fn)
    assert e == tt


def test_accumulate_grad_node_is_shared_and_holds_variable():
    x = t(ember, X)
    a = (x * 2).grad_fn.next_functions[0][0]
    b = (x + 1).grad_fn.next_functions[0][0]
    assert a is b and a.variable is x and a.name() == 'torch::autograd::AccumulateGrad'


def test_leaf_state():
    def fn(m):
        x = t(m, X)
        c = t(m, X, False)
        y = x * 2
        z = c * 2
        return (x.is_leaf, y.is_leaf, c.is_leaf, z.is_leaf, z.requires_grad, y.requires_grad,
                x.grad_fn is None, z.grad_fn is None, x.grad is None)
    same(fn)


def test_requires_grad_():
    def fn(m):
        c = t(m, X, False)
        r = c.requires_grad_()
        y = (c * c).sum()
        y.backward()
        return r is c, c.requires_grad, c.grad
    same(fn)


def test_requires_grad_setter_on_non_leaf_raises():
    def fn(m):
        y = t(m, X) * 2
        y.requires_grad = False
    same_error(fn, "you can only change requires_grad flags of leaf variables")


def test_requires_grad_on_int_raises():
    same_error(lambda m: m.tensor([1, 2]).requires_grad_(),
               "only Tensors of floating point")


def test_detach_shares_memory_and_cuts_graph():
    def fn(m):
        x = t(m, X)
        y = x * 2
        d = y.detach()
        d.add_(1)              # writes y's memory too
        return d.requires_grad, d.is_leaf, d.grad_fn is None, y.detach()
    same(fn)


def test_detach_inplace():
    def fn(m):
        x = t(m, X)
        y = x * 2
        r = y.detach_()
        return r is y, y.requires_grad, y.is_leaf, y.grad_fn is None
    same(fn)


def test_data_has_separate_version_counter():
    def fn(m):
        x = t(m, X)
        d = x.data
        v0 = x._version
        d.mul_(2)
        return d.requires_grad, x._version == v0, d.is_leaf, x.detach()
    same(fn)


def test_data_modification_is_invisible_to_autograd():
    def fn(m):
        x = t(m, X)
        y = x.exp()
        y.data.mul_(0)          # no version-counter error: .data is outside autograd
        y.sum().backward()
        return x.grad
    same(fn)


def test_non_leaf_grad_access_warns():
    for m in (ember, torch):
        y = t(m, X) * 2
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter('always')
            assert y.grad is None
        assert any("is not a leaf Tensor" in str(i.message) for i in w), m.__name__


def test_grad_setter_and_zero():
    def fn(m):
        x = t(m, X)
        x.grad = t(m, [1.0, 1.0, 1.0], False)
        (x * 2).sum().backward()
        g = x.grad.clone()
        x.grad = None
        (x * 5).sum().backward()
        return g, x.grad
    same(fn)


def test_no_grad_result_then_backward_error():
    def fn(m):
        x = t(m, X)
        with m.no_grad():
            y = x * 2
        y.sum().backward()
    same_error(fn, "does not require grad")
