"""Custom autograd.Function against torch: ctx API, outputs, node names, errors."""
import importlib

import pytest

from autograd_common import ember, torch, np, t, same, same_error, both

X = [1.0, 2.0, -0.5]


def _fn_module(m):
    return importlib.import_module(m.__name__ + '.autograd.function')


def make_cube(m):
    class Cube(m.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            ctx.note = 'kept'
            return x * x * x

        @staticmethod
        def backward(ctx, g):
            x, = ctx.saved_tensors
            assert ctx.note == 'kept'
            return g * 3 * x * x
    return Cube


def test_save_for_backward_and_grad():
    def fn(m):
        x = t(m, X)
        y = make_cube(m).apply(x)
        y.sum().backward()
        return y, x.grad
    same(fn)


def test_node_name_and_class():
    def fn(m):
        y = make_cube(m).apply(t(m, X))
        return y.grad_fn.name(), type(y.grad_fn).__name__, y.is_leaf, y.requires_grad, \
            [n.name() for n, _ in y.grad_fn.next_functions]
    e, tt = both(fn)
    assert e == tt and e[0] == 'CubeBackward'


def test_saved_tensors_visible_on_node_then_freed():
    def fn(m):
        x = t(m, X)
        y = make_cube(m).apply(x)
        saved = y.grad_fn.saved_tensors
        y.sum().backward()
        return saved
    same(fn)
    same_error(lambda m: (lambda y: (y.sum().backward(), y.grad_fn.saved_tensors))(make_cube(m).apply(t(m, X))),
               "Trying to backward through the graph a second time")


def test_double_backward_through_custom_function():
    def fn(m):
        x = t(m, X)
        g, = m.autograd.grad(make_cube(m).apply(x).sum(), x, create_graph=True)
        gg, = m.autograd.grad(g.sum(), x)
        return g, gg
    same(fn)


def test_needs_input_grad_with_non_tensor_args():
    seen = {}

    def fn(m):
        class Scale(m.autograd.Function):
            @staticmethod
            def forward(ctx, x, w, k):
                seen[m.__name__, 'fw'] = ctx.needs_input_grad
                return x * w * k

            @staticmethod
            def backward(ctx, g):
                seen[m.__name__, 'bw'] = ctx.needs_input_grad
                return g * 2, None, None
        x = t(m, X)
        Scale.apply(x, t(m, [1.0, 1.0, 1.0], False), 2).sum().backward()
        with m.no_grad():
            r = Scale.apply(x, x, 3)
        return x.grad, r.requires_grad, r.grad_fn is None
    same(fn)
    for key in ('fw', 'bw'):
        assert seen['ember', key] == seen['torch', key]
    assert seen['ember', 'fw'] == (True, True, False)   # the no_grad call


def test_mark_dirty():
    def fn(m):
        class MulTwo_(m.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                x.mul_(2)
                ctx.mark_dirty(x)
                return x

            @staticmethod
            def backward(ctx, g):
                return g * 2
        x = t(m, X)
        h = x * 1
        r = MulTwo_.apply(h)
        info = (r is h, h.grad_fn.name(), h._version, h.is_leaf)
        (r * r).sum().backward()
        return info, x.grad
    same(fn)


def test_mark_dirty_on_leaf_raises():
    def fn(m):
        class Add1_(m.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                x.add_(1)
                ctx.mark_dirty(x)
                return x

            @staticmethod
            def backward(ctx, g):
                return g
        Add1_.apply(t(m, X))
    same_error(fn, "a leaf Variable that requires grad has been used in an in-place operation.")


def test_mark_non_differentiable_and_zero_grad_for_it():
    got = {}

    def fn(m):
        class Split(m.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                a, b = x * 2, x * 3
                ctx.mark_non_differentiable(b)
                return a, b

            @staticmethod
            def backward(ctx, ga, gb):
                got[m.__name__] = gb
                return ga * 2
        x = t(m, X)
        a, b = Split.apply(x)
        flags = (a.requires_grad, b.requires_grad, b.is_leaf, b.grad_fn is None)
        a.sum().backward()
        return flags, x.grad
    same(fn)
    same(lambda m: got[m.__name__])    # torch passes zeros for the non-differentiable output


def test_integer_output_not_differentiable():
    def fn(m):
        class WithIndex(m.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                idx = m.zeros(3, dtype=m.int64)
                return x * 2, idx

            @staticmethod
            def backward(ctx, gv, gi):
                return gv * 2
        x = t(m, X)
        v, i = WithIndex.apply(x)
        v.sum().backward()
        return v.requires_grad, i.requires_grad, i.grad_fn is None, x.grad
    same(fn)


@pytest.mark.parametrize('materialize', [True, False])
def test_set_materialize_grads(materialize):
    got = {}

    def fn(m):
        class Two(m.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.set_materialize_grads(materialize)
                return x * 2, x * 3

            @staticmethod
            def backward(ctx, ga, gb):
                got[m.__name__] = (ga, gb)
                total = None
                for g, k in ((ga, 2), (gb, 3)):
                    if g is not None:
                        total = g * k if total is None else total + g * k
                return total
        x = t(m, X)
        a, b = Two.apply(x)
        b.sum().backward()
        return x.grad
    same(fn)
    same(lambda m: got[m.__name__])


def test_returning_non_tensors():
    got = {}

    def fn(m):
        class Mixed(m.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2, 3, None

            @staticmethod
            def backward(ctx, g, a, b):
                got[m.__name__] = (a, b)
                return g * 2
        x = t(m, X)
        r = Mixed.apply(x)
        r[0].sum().backward()
        return type(r).__name__, r[1], r[2], x.grad
    same(fn)
    assert got['ember'] == got['torch'] == (None, None)


def test_multiple_outputs_grads():
    def fn(m):
        class SinCos(m.autograd.Function):
            @staticmethod
            def forward(ctx, x, y):
                ctx.save_for_backward(x, y)
                return x * y, x + y, x / y

            @staticmethod
            def backward(ctx, g1, g2, g3):
                x, y = ctx.saved_tensors
                return g1 * y + g2 + g3 / y, g1 * x + g2 - g3 * x / (y * y)
        x, y = t(m, X), t(m, [0.5, 1.5, 2.0])
        a, b, c = SinCos.apply(x, y)
        (a * 2 + b.exp() + c * c).sum().backward()
        return x.grad, y.grad, a.grad_fn is b.grad_fn, (a.output_nr, b.output_nr, c.output_nr)
    same(fn)


def test_input_returned_unchanged_becomes_view():
    def fn(m):
        class Ident(m.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x

            @staticmethod
            def backward(ctx, g):
                return g * 5
        x = t(m, X)
        y = Ident.apply(x)
        info = (y is x, y.is_leaf, y._base is x, y.data_ptr() == x.data_ptr(), y.grad_fn.name())
        y.sum().backward()
        return info, x.grad
    same(fn)


def test_once_differentiable():
    def fn(m):
        class Sq(m.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x * x

            @staticmethod
            @_fn_module(m).once_differentiable
            def backward(ctx, g):
                x, = ctx.saved_tensors
                return 2 * x * g
        x = t(m, X)
        g, = m.autograd.grad(Sq.apply(x).sum(), x, create_graph=True)
        return g, g.requires_grad, g.grad_fn is None
    same(fn)


def test_setup_context_style():
    def fn(m):
        class Scale(m.autograd.Function):
            @staticmethod
            def forward(x, k):
                return x * k

            @staticmethod
            def setup_context(ctx, inputs, output):
                x, k = inputs
                ctx.k = k
                ctx.save_for_backward(x, output)

            @staticmethod
            def backward(ctx, g):
                x, out = ctx.saved_tensors
                return g * ctx.k + out * 0, None
        x = t(m, X)
        r = Scale.apply(x, 5.0)
        saved = r.grad_fn.saved_tensors
        r.sum().backward()
        return r.grad_fn.name(), saved, x.grad
    same(fn)


def test_wrong_number_of_grads():
    def fn(m):
        class Bad(m.autograd.Function):
            @staticmethod
            def forward(ctx, x, k):
                return x * k

            @staticmethod
            def backward(ctx, g):
                return g
        Bad.apply(t(m, X), 2).sum().backward()
    same_error(fn, "function BadBackward returned an incorrect number of gradients (expected 2, got 1)")


def test_too_many_grads():
    def fn(m):
        class Bad(m.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2

            @staticmethod
            def backward(ctx, g):
                return g, g
        Bad.apply(t(m, X)).sum().backward()
    same_error(fn, "returned an incorrect number of gradients (expected 1, got 2)")


def test_extra_none_grads_allowed():
    def fn(m):
        class Ok(m.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2

            @staticmethod
            def backward(ctx, g):
                return g * 2, None
        x = t(m, X)
        Ok.apply(x).sum().backward()
        return x.grad
    same(fn)


def test_wrong_grad_shape():
    def fn(m):
        class Bad(m.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x.sum()

            @staticmethod
            def backward(ctx, g):
                return g * m.ones(4, dtype=m.float64)
        Bad.apply(t(m, X)).backward()
    same_error(fn, "Function BadBackward returned an invalid gradient at index 0 - got [4] but "
                   "expected shape compatible with [3]")


def test_missing_backward():
    def fn(m):
        class NoBw(m.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2
        NoBw.apply(t(m, X)).sum().backward()
    same_error(fn, "You must implement either the backward or vjp method")


def test_broadcast_grad_from_backward_is_reduced():
    def fn(m):
        class AddRow(m.autograd.Function):
            @staticmethod
            def forward(ctx, x, b):
                return x + b

            @staticmethod
            def backward(ctx, g):
                return g, g          # g has x's shape; b is broadcast: the engine reduces
        x = t(m, [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
        b = t(m, [1.0, 1.0, 1.0])
        AddRow.apply(x, b).sum().backward()
        return x.grad, b.grad
    same(fn)


def test_function_under_no_grad_and_without_grad_inputs():
    def fn(m):
        C = make_cube(m)
        x = t(m, X)
        with m.no_grad():
            a = C.apply(x)
        b = C.apply(t(m, X, False))
        return a.requires_grad, a.grad_fn is None, b.requires_grad, b.grad_fn is None
    same(fn)


def test_saved_tensor_modified_inplace_raises():
    def fn(m):
        x = t(m, X)
        h = x * 1
        y = make_cube(m).apply(h)
        h.add_(1)
        y.sum().backward()
    same_error(fn, "one of the variables needed for gradient computation has been modified by an inplace operation")


def test_forward_runs_without_grad_recording():
    def fn(m):
        class Inner(m.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                y = x * 2
                ctx.inner_rg = y.requires_grad
                return y

            @staticmethod
            def backward(ctx, g):
                return g * 2
        r = Inner.apply(t(m, X))
        return r.grad_fn.inner_rg, m.is_grad_enabled()
    same(fn)
