"""Grad modes against torch: context managers, decorators (with/without parentheses),
nesting, generators, inference mode, restoring state on exceptions."""
import pytest

from autograd_common import ember, torch, t, same, same_error, both


@pytest.fixture(autouse=True)
def _grad_mode_restored():
    yield
    assert ember.is_grad_enabled() and not ember.is_inference_mode_enabled()


def test_context_managers_nested():
    def fn(m):
        x = t(m, [1.0, 2.0])
        seen = [m.is_grad_enabled()]
        with m.no_grad():
            seen += [(x * 2).requires_grad, m.is_grad_enabled()]
            with m.enable_grad():
                seen += [(x * 2).requires_grad]
                with m.no_grad():
                    seen += [(x * 2).requires_grad]
                seen += [(x * 2).requires_grad]
            seen += [m.is_grad_enabled()]
        seen += [m.is_grad_enabled(), (x * 2).requires_grad]
        return seen
    same(fn)


@pytest.mark.parametrize('make', [
    lambda m: m.no_grad, lambda m: m.no_grad(), lambda m: m.enable_grad, lambda m: m.enable_grad(),
    lambda m: m.set_grad_enabled(False), lambda m: m.set_grad_enabled(True),
    lambda m: m.inference_mode, lambda m: m.inference_mode(), lambda m: m.inference_mode(False),
    lambda m: m.autograd.no_grad(), lambda m: m.autograd.grad_mode.no_grad,
])
@pytest.mark.parametrize('outer', ['enabled', 'disabled'])
def test_decorators(make, outer):
    def fn(m):
        x = t(m, [1.0, 2.0])

        @make(m)
        def f(a):
            """doc"""
            y = a * 2
            return y.requires_grad, m.is_grad_enabled(), m.is_inference_mode_enabled(), y.is_inference()
        if outer == 'enabled':
            r = f(x)
        else:
            with m.no_grad():
                r = f(x)
        return r, m.is_grad_enabled(), f.__name__, f.__doc__
    same(fn)


def test_decorated_method():
    def fn(m):
        class Model:
            @m.no_grad()
            def run(self, a):
                return (a * 2).requires_grad
        return Model().run(t(m, [1.0])), m.is_grad_enabled()
    same(fn)


def test_set_grad_enabled_as_function():
    def fn(m):
        m.set_grad_enabled(False)
        off = (m.is_grad_enabled(), (t(m, [1.0]) * 2).requires_grad)
        m.set_grad_enabled(True)
        return off, m.is_grad_enabled()
    same(fn)


def test_set_grad_enabled_context_and_type_error():
    def fn(m):
        with m.set_grad_enabled(False):
            a = m.is_grad_enabled()
        return a, m.is_grad_enabled()
    same(fn)
    same_error(lambda m: m.set_grad_enabled(1), "must be bool")


@pytest.mark.parametrize('mode', ['no_grad', 'enable_grad'])
def test_generator_decorated(mode):
    def fn(m):
        x = t(m, [1.0])

        @getattr(m, mode)()
        def gen(n):
            for _ in range(n):
                got = yield m.is_grad_enabled(), (x * 2).requires_grad
            return 'done'
        with m.set_grad_enabled(mode == 'no_grad'):
            g = gen(3)
            first = next(g)
            outside = m.is_grad_enabled()
            rest = list(g)
        return first, outside, rest
    same(fn)


def test_generator_send_and_return_value():
    def fn(m):
        @m.no_grad()
        def gen():
            total = 0
            while total < 5:
                v = yield m.is_grad_enabled()
                total += v
            return total
        g = gen()
        out = [next(g), g.send(2)]
        try:
            g.send(4)
        except StopIteration as stop:
            out.append(stop.value)
        return out
    same(fn)


def test_mode_restored_after_exception():
    def fn(m):
        try:
            with m.no_grad():
                raise ValueError('x')
        except ValueError:
            pass
        try:
            with m.inference_mode():
                raise ValueError('x')
        except ValueError:
            pass
        return m.is_grad_enabled(), m.is_inference_mode_enabled()
    same(fn)


def test_inference_mode_tensors():
    def fn(m):
        x = t(m, [1.0, 2.0])
        with m.inference_mode():
            y = x * 2
            z = m.ones(2)
            inside = (y.requires_grad, y.is_inference(), z.is_inference(), m.is_grad_enabled(),
                      m.is_inference_mode_enabled())
            with m.inference_mode(False):
                inner = (m.is_inference_mode_enabled(), m.is_grad_enabled())
        return inside, inner, y.is_inference(), x.is_inference(), m.is_inference_mode_enabled()
    same(fn)


def test_inference_mode_false_inside_no_grad_enables_grad():
    def fn(m):
        with m.no_grad():
            with m.inference_mode(False):
                return m.is_grad_enabled()
    same(fn)


def test_no_grad_does_not_stop_leaf_creation():
    def fn(m):
        with m.no_grad():
            w = m.ones(2, requires_grad=True)
            w2 = t(m, [1.0], False).requires_grad_()
            return w.requires_grad, (w * 2).requires_grad, w2.requires_grad
    same(fn)


def test_backward_under_no_grad_still_works():
    def fn(m):
        x = t(m, [1.0, 2.0])
        y = (x * x).sum()
        with m.no_grad():
            y.backward()
        return x.grad
    same(fn)


def test_grad_mode_exported_names():
    for name in ('no_grad', 'enable_grad', 'set_grad_enabled', 'inference_mode', 'is_grad_enabled',
                 'is_inference_mode_enabled'):
        assert hasattr(ember, name) and hasattr(torch, name)
    for name in ('no_grad', 'enable_grad', 'set_grad_enabled', 'inference_mode'):
        assert hasattr(ember.autograd, name)
