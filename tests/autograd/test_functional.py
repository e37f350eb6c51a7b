"""ember.autograd.functional (jacobian, hessian, vjp, jvp, hvp, vhp) against torch's."""
import pytest

from autograd_common import ember, torch, np, same, same_error, both

A = [0.3, -1.2, 2.0]
B = [[0.5, 1.0, -0.4], [1.5, -0.3, 0.8]]


def _t(m, v, rg=False):
    return m.tensor(np.asarray(v, dtype='float64'), requires_grad=rg)


def F(m):
    return m.autograd.functional


FUNCS_1 = {
    'cube': lambda x: x ** 3,
    'exp_sum_outer': lambda x: (x.exp() * x.sum()),
    'scalar': lambda x: (x * x).sum(),
    'reshape': lambda x: (x * 2).reshape(3, 1) * x,
}


@pytest.mark.parametrize('name', list(FUNCS_1))
@pytest.mark.parametrize('create_graph', [False, True])
def test_jacobian_single(name, create_graph):
    def fn(m):
        j = F(m).jacobian(FUNCS_1[name], _t(m, A), create_graph=create_graph)
        return j, j.requires_grad
    same(fn)


def test_jacobian_tuples():
    def fn(m):
        return F(m).jacobian(lambda x, y: (x * y, (x + y).exp().sum(1)), (_t(m, A), _t(m, B)))
    same(fn)


def test_jacobian_tuple_inputs_single_output():
    same(lambda m: F(m).jacobian(lambda x, y: (x * y).sum(0), (_t(m, A), _t(m, B))))


def test_jacobian_unused_input_zero_and_strict():
    same(lambda m: F(m).jacobian(lambda x, y: x * 2, (_t(m, A), _t(m, A))))
    same_error(lambda m: F(m).jacobian(lambda x, y: x * 2, (_t(m, A), _t(m, A)), strict=True),
               "Output 0 of the user-provided function is independent of input 1. This is not allowed in strict mode.")
    same_error(lambda m: F(m).jacobian(lambda x: _t(m, A) * 2, _t(m, A), strict=True),
               "does not require gradients")


def test_jacobian_does_not_touch_inputs():
    def fn(m):
        x = _t(m, A, rg=True)
        F(m).jacobian(lambda a: a * a, x)
        return x.grad, x.requires_grad
    same(fn)


def test_jacobian_create_graph_differentiable_wrt_input():
    def fn(m):
        x = _t(m, A, rg=True)
        j = F(m).jacobian(lambda a: a ** 3, x, create_graph=True)
        j.sum().backward()
        return x.grad
    same(fn)


def test_input_type_errors():
    same_error(lambda m: F(m).jacobian(lambda a: a * 2, 3), "must be either a Tensor or a tuple of Tensors")
    same_error(lambda m: F(m).jacobian(lambda a, b: a * 2, (_t(m, A), 3)), "the value at index 1 has type")
    same_error(lambda m: F(m).jacobian(lambda a: 3, _t(m, A)), "outputs of the user-provided function")


@pytest.mark.parametrize('create_graph', [False, True])
def test_hessian(create_graph):
    same(lambda m: F(m).hessian(lambda x: (x ** 3).sum() + (x.exp() * x).sum(), _t(m, A),
                                create_graph=create_graph))


def test_hessian_tuple_inputs():
    same(lambda m: F(m).hessian(lambda x, y: (x * x * y).sum() + (y.exp()).sum(), (_t(m, A), _t(m, B))))


def test_hessian_errors():
    same_error(lambda m: F(m).hessian(lambda x: x * 2, _t(m, A)),
               "The Tensor returned by the function given to hessian should contain a single element")
    same_error(lambda m: F(m).hessian(lambda x: (x * 2).sum(), _t(m, A), strict=True),
               "While computing the hessian, found that the jacobian of the user-provided function with "
               "respect to input 0 is independent of the input.")


def test_vjp():
    same(lambda m: F(m).vjp(lambda x: x ** 3, _t(m, A), _t(m, [1.0, 0.5, -2.0])))
    same(lambda m: F(m).vjp(lambda x: (x ** 3).sum(), _t(m, A)))
    same(lambda m: F(m).vjp(lambda x, y: (x * y, x.exp()), (_t(m, A), _t(m, B)),
                            (_t(m, B), _t(m, [1.0, 2.0, 3.0]))))


def test_vjp_create_graph():
    def fn(m):
        x = _t(m, A, rg=True)
        out, g = F(m).vjp(lambda a: a ** 3, x, _t(m, [1.0, 1.0, 1.0]), create_graph=True)
        g.sum().backward()
        return out, g, x.grad
    same(fn)


def test_vjp_errors():
    same_error(lambda m: F(m).vjp(lambda x: x * 2, _t(m, A)),
               "The vector v can only be None if the user-provided function returns a single Tensor with a single element.")
    same_error(lambda m: F(m).vjp(lambda x: x * 2, _t(m, A), _t(m, [1.0, 2.0])), "v has invalid size")
    same_error(lambda m: F(m).vjp(lambda x: x * 2, _t(m, A), (_t(m, A), _t(m, A))),
               "The given v should contain a single Tensor.")
    same_error(lambda m: F(m).vjp(lambda x: (x * 2, x), _t(m, A), (_t(m, A),)),
               "v is a tuple of invalid length: should be 2 but got 1.")
    same_error(lambda m: F(m).vjp(lambda x, y: x.sum(), (_t(m, A), _t(m, A)), strict=True),
               "The output of the user-provided function is independent of input 1. This is not allowed in strict mode.")


def test_jvp():
    same(lambda m: F(m).jvp(lambda x: x ** 3, _t(m, A), _t(m, [1.0, 0.5, -2.0])))
    same(lambda m: F(m).jvp(lambda x, y: (x * y, (x + y).exp().sum(0)), (_t(m, A), _t(m, B)),
                            (_t(m, [1.0, 2.0, 3.0]), _t(m, B))))
    same(lambda m: F(m).jvp(lambda x: (x * 2, x.detach()), _t(m, A), _t(m, A)))


def test_jvp_errors():
    same_error(lambda m: F(m).jvp(lambda x: x * 2, _t(m, A)),
               "The vector v can only be None if the input to the user-provided function is a single Tensor with a single element.")
    same_error(lambda m: F(m).jvp(lambda x: (x * 2, _t(m, A) * 1), _t(m, A), _t(m, A), strict=True),
               "Output 1 of the user-provided function does not require gradients.")


def test_hvp_vhp():
    f = lambda x, y: (x * x * y.sum(0)).sum() + (y.exp() * y).sum()   # noqa: E731
    same(lambda m: F(m).hvp(f, (_t(m, A), _t(m, B)), (_t(m, [1.0, -1.0, 0.5]), _t(m, B))))
    same(lambda m: F(m).vhp(f, (_t(m, A), _t(m, B)), (_t(m, [1.0, -1.0, 0.5]), _t(m, B))))
    same(lambda m: F(m).hvp(lambda x: (x ** 4).sum(), _t(m, A), _t(m, A), create_graph=True))


def test_hvp_vhp_errors():
    same_error(lambda m: F(m).hvp(lambda a: a * 2, _t(m, A), _t(m, A)),
               "The Tensor returned by the function given to hvp should contain a single element")
    same_error(lambda m: F(m).hvp(lambda a: (a.sum(),), _t(m, A), _t(m, A)),
               "The function given to hvp should return a single Tensor")
    for fname in ('hvp', 'vhp'):
        same_error(lambda m: getattr(F(m), fname)(lambda a, b: (a ** 2).sum() + b.sum(),
                                                  (_t(m, A), _t(m, A)), (_t(m, A), _t(m, A)), strict=True),
                   "the jacobian of the user-provided function with respect to input 1 is independent")


def test_vhp_linear_part_gives_zero():
    same(lambda m: F(m).vhp(lambda a, b: (a ** 2).sum() + b.sum(), (_t(m, A), _t(m, A)), (_t(m, A), _t(m, A))))


def test_hessian_matches_jacobian_of_gradient():
    x = ember.tensor(np.asarray(A), dtype=ember.float64)
    h = ember.autograd.functional.hessian(lambda a: (a.exp() * a * a).sum(), x)
    j = ember.autograd.functional.jacobian(
        lambda a: ember.autograd.grad((a.exp() * a * a).sum(), a, create_graph=True)[0], x)
    np.testing.assert_allclose(h.numpy(), j.numpy(), rtol=1e-12)
