"""Leaf .grad tensors own their memory: in-place updates of one never show up in another."""
import numpy as np

import ember


def test_shared_incoming_gradient_is_not_aliased():
    a = ember.ones(3, requires_grad=True)
    b = ember.ones(3, requires_grad=True)
    c = ember.tensor([1.0, 2.0, 3.0])
    ((a + b) * c).sum().backward()        # AddBackward hands the same tensor to both leaves
    assert a.grad.data_ptr() != b.grad.data_ptr()
    a.grad.mul_(10)
    np.testing.assert_array_equal(b.grad.numpy(), [1.0, 2.0, 3.0])


def test_user_gradient_and_broadcast_views_are_copied():
    x = ember.ones(3, requires_grad=True)
    g = ember.tensor([1.0, 2.0, 3.0])
    x.backward(g)
    x.grad.zero_()
    np.testing.assert_array_equal(g.numpy(), [1.0, 2.0, 3.0])
    w = ember.ones(4, requires_grad=True)
    w.sum().backward()                     # the gradient arrives as a read-only broadcast view
    w.grad.add_(1)
    np.testing.assert_array_equal(w.grad.numpy(), [2.0] * 4)


def test_gradient_captured_by_hook_is_not_taken_over():
    x = ember.ones(2, requires_grad=True)
    seen = []
    x.register_hook(lambda grad: seen.append(grad))
    (x * 3).sum().backward()
    x.grad.zero_()
    np.testing.assert_array_equal(seen[0].numpy(), [3.0, 3.0])


def test_accumulation_across_backwards_in_place():
    x = ember.ones(2, requires_grad=True)
    (x * 2).sum().backward()
    first = x.grad
    (x * 3).sum().backward()
    assert x.grad is first
    np.testing.assert_array_equal(x.grad.numpy(), [5.0, 5.0])


def test_saved_outputs_do_not_form_reference_cycles():
    import gc
    import weakref
    x = ember.randn(16, requires_grad=True)
    for op in (ember.exp, ember.sigmoid, ember.tanh, lambda t: ember.nn.functional.relu(t),
               lambda t: ember.nn.functional.softmax(t, 0)):
        y = op(x)
        ref = weakref.ref(y.grad_fn)
        gc.disable()
        try:
            del y                      # freed by reference counting alone: no cycle to collect
            assert ref() is None
        finally:
            gc.enable()


def test_saved_output_still_double_differentiable():
    x = ember.tensor([0.5, -1.0, 2.0], requires_grad=True)
    y = ember.exp(x)
    g, = ember.autograd.grad(y.sum(), x, create_graph=True)
    gg, = ember.autograd.grad(g.sum(), x)
    np.testing.assert_allclose(gg.numpy(), np.exp([0.5, -1.0, 2.0]), rtol=1e-6)
