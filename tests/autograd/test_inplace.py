"""In-place semantics against torch: leaf errors, history rebasing, writes through views
(CopySlices), stale views regenerated after the base changes, saved-tensor version checks."""
import pytest

from autograd_common import ember, torch, t, same, same_error, both

M = [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]


def test_inplace_on_leaf_requiring_grad_raises():
    same_error(lambda m: t(m, [1.0, 2.0]).add_(1),
               "a leaf Variable that requires grad is being used in an in-place operation.")


@pytest.mark.parametrize('view', [lambda v: v.t(), lambda v: v[0], lambda v: v.view(6)])
def test_inplace_on_view_of_leaf_raises(view):
    same_error(lambda m: view(t(m, M)).mul_(2),
               "a view of a leaf Variable that requires grad is being used in an in-place operation.")


def test_inplace_on_leaf_under_no_grad_allowed():
    def fn(m):
        x = t(m, [1.0, 2.0])
        v0 = x._version
        with m.no_grad():
            x.mul_(2)
        return x.detach(), x.requires_grad, x.is_leaf, x._version - v0
    same(fn)


def test_history_rebased_on_non_leaf():
    def fn(m):
        x = t(m, [1.0, 2.0])
        y = x * 2
        v0 = y._version
        y.add_(1)
        info = (y.grad_fn.name(), y._version - v0, y.grad_fn.next_functions[0][0].name(), y.is_leaf)
        (y * y).sum().backward()
        return info, x.grad
    same(fn)


def test_chained_inplace_and_operators():
    def fn(m):
        x = t(m, [1.0, 2.0])
        y = x * 1
        y += x
        y *= 2
        y.sub_(x).div_(3)
        name = y.grad_fn.name()
        (y * y).sum().backward()
        return name, x.grad
    same(fn)


def test_inplace_with_grad_requiring_other_on_plain_tensor():
    def fn(m):
        a = m.zeros(2, dtype=m.float64)
        x = t(m, [1.0, 2.0])
        a.add_(x * 3)
        info = (a.requires_grad, a.grad_fn.name(), a.is_leaf)
        a.sum().backward()
        return info, x.grad
    same(fn)


VIEWS = {
    't': lambda y: y.t(),
    'select': lambda y: y[0],
    'slice': lambda y: y[:, 1:],
    'view': lambda y: y.view(3, 2),
    'unsqueeze': lambda y: y.unsqueeze(0),
    'transpose_select': lambda y: y.transpose(0, 1)[1],
    'narrow': lambda y: y.narrow(1, 0, 2),
    'permute': lambda y: y.permute(1, 0),
}


@pytest.mark.parametrize('name', list(VIEWS))
def test_inplace_through_view_of_non_leaf(name):
    def fn(m):
        x = t(m, M)
        y = x * 2
        v = VIEWS[name](y)
        v.mul_(3)
        info = (y.grad_fn.name(), v._base is y, y._version, v._version, v.requires_grad)
        (y * y).sum().backward()
        return info, x.grad, y.detach()
    same(fn)


@pytest.mark.parametrize('name', ['t', 'select', 'slice'])
def test_inplace_through_view_then_use_view(name):
    def fn(m):
        x = t(m, M)
        w = t(m, [0.5, -1.0, 2.0])
        y = x * 2
        v = VIEWS[name](y)
        v.add_(v * 1)                # reads and writes the view
        (v.exp().sum() + (y * w).sum()).backward()
        return x.grad, w.grad
    same(fn)


def test_setitem_on_non_leaf():
    def fn(m):
        x = t(m, M)
        w = t(m, [7.0, 8.0])
        y = x * 2
        y[:, 0] = w * w
        name = y.grad_fn.name()
        (y * y).sum().backward()
        return name, x.grad, w.grad
    same(fn)


def test_setitem_constant_zeroes_grad_region():
    def fn(m):
        x = t(m, M)
        y = x * 2
        y[1] = 0
        (y * y).sum().backward()
        return x.grad
    same(fn)


def test_existing_view_sees_base_modification():
    # a view taken before the base was modified in place must backprop through the new history
    def fn(m):
        x = t(m, M)
        y = x * 2
        v = y[0]
        y.mul_(3)
        (v * v).sum().backward()
        return x.grad, v.detach()
    same(fn)


def test_existing_slice_view_after_base_exp_():
    def fn(m):
        x = t(m, [1.0, 2.0, 3.0])
        y = x * 1
        v = y[1:]
        y.exp_()
        (v * 2).sum().backward()
        return x.grad
    same(fn)


def test_two_views_of_same_base():
    def fn(m):
        x = t(m, M)
        y = x * 1
        a, b = y[0], y[1]
        a.mul_(2)
        b.add_(a)                    # b must see a's write through the base's new history
        (y.exp()).sum().backward()
        return x.grad
    same(fn)


def test_view_of_plain_tensor_gets_history_from_inplace():
    def fn(m):
        a = m.zeros(3, dtype=m.float64)
        v = a[:2]
        x = t(m, [1.0, 2.0, 3.0])
        a.add_(x * x)
        (v * 3).sum().backward()
        return x.grad, v.requires_grad
    same(fn)


def test_saved_output_modified_raises():
    def fn(m):
        x = t(m, [1.0, 2.0, 3.0])
        y = x.exp()
        y.add_(1)
        y.sum().backward()
    e, _ = same_error(fn, "one of the variables needed for gradient computation has been modified "
                          "by an inplace operation")
    e2, t2 = same_error(fn)
    assert str(e2) == str(t2)


def test_saved_input_modified_raises_with_torch_message():
    def fn(m):
        x = t(m, [1.0, 2.0, 3.0])
        a = x * 1
        b = a * a
        a.mul_(2)
        b.sum().backward()
    e, tt = same_error(fn, "which is output 0 of Mul, is at version 1; expected version 0 instead")
    assert str(e) == str(tt)


def test_saved_leaf_modified_under_no_grad_raises():
    def fn(m):
        x = t(m, [1.0, 2.0, 3.0])
        y = x * x
        with m.no_grad():
            x.add_(1)
        y.sum().backward()
    e, tt = same_error(fn, "is at version 1; expected version 0 instead")
    assert str(e) == str(tt)


def test_detach_shares_version_counter():
    def fn(m):
        x = t(m, [1.0, 2.0, 3.0])
        y = x.exp()
        y.detach().zero_()
        y.sum().backward()
    same_error(fn, "modified by an inplace operation")


def test_data_does_not_share_version_counter():
    def fn(m):
        x = t(m, [1.0, 2.0, 3.0])
        y = x.exp()
        y.data.zero_()
        y.sum().backward()
        return x.grad
    same(fn)


def test_version_counter_counts():
    def fn(m):
        x = t(m, [1.0, 2.0], False)
        v = [x._version]
        x.add_(1)
        v.append(x._version)
        x.mul_(2).sub_(1)
        v.append(x._version)
        x.view(2).add_(1)
        v.append(x._version)
        y = x + 1
        v.append(x._version)
        return [i - v[0] for i in v], y._version
    same(fn)


def test_out_argument_with_grad_raises():
    same_error(lambda m: m.add(t(m, [1.0]), 1, out=m.zeros(1, dtype=m.float64)),
               "functions with out=... arguments don't support automatic differentiation")


def test_inplace_chain_invalidating_saved_output():
    def fn(m):
        x = t(m, [1.0, 2.0])
        y = x.exp()
        y.mul_(2).add_(1).pow_(2)
        y.sum().backward()
    e, tt = same_error(fn, "which is output 0 of Exp, is at version 3")
    assert str(e) == str(tt)


def test_copy_slices_name():
    def fn(m):
        y = t(m, M) * 2
        y[0].zero_()
        return y.grad_fn.name(), [n.name() for n, _ in y.grad_fn.next_functions if n is not None]
    e, tt = both(fn)
    assert e[0] == tt[0] == 'torch::autograd::CopySlices'
