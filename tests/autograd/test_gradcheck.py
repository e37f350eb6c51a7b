"""gradcheck / gradgradcheck: float64 checks of the core ops, and the same pass/fail verdicts
and error types as torch for correct and deliberately wrong custom Functions."""
import warnings

import pytest

from autograd_common import ember, torch, np, t, same, same_error, both

RNG = np.random.default_rng(5)


def _r(*shape, low=-2.0, high=2.0):
    return RNG.uniform(low, high, size=shape)


def _pos(*shape):
    return _r(*shape, low=0.5, high=2.0)


# (name, fn(*tensors), input arrays): every op here is checked by gradcheck and gradgradcheck
CASES = [
    ('add', lambda a, b: a + b, [_r(2, 3), _r(3)]),
    ('add_alpha', lambda a, b: a.add(b, alpha=2.5), [_r(2, 3), _r(2, 1)]),
    ('add_scalar', lambda a: a + 1.5, [_r(3)]),
    ('sub', lambda a, b: a - b, [_r(2, 3), _r(1, 3)]),
    ('rsub', lambda a: 2.0 - a, [_r(4)]),
    ('mul', lambda a, b: a * b, [_r(2, 3), _r(2, 3)]),
    ('mul_broadcast', lambda a, b: a * b, [_r(4, 1), _r(3)]),
    ('div', lambda a, b: a / b, [_r(2, 3), _pos(3)]),
    ('rdiv', lambda a: 3.0 / a, [_pos(3)]),
    ('neg', lambda a: -a, [_r(3)]),
    ('pow_scalar', lambda a: a ** 3, [_r(2, 2)]),
    ('pow_frac', lambda a: a ** 2.5, [_pos(3)]),
    ('pow_tensor', lambda a, b: a ** b, [_pos(3), _r(3)]),
    ('rpow', lambda a: 2.0 ** a, [_r(3)]),
    ('exp', lambda a: a.exp(), [_r(2, 3)]),
    ('log', lambda a: a.log(), [_pos(2, 3)]),
    ('sum_all', lambda a: a.sum(), [_r(2, 3)]),
    ('sum_dim', lambda a: a.sum(1), [_r(2, 3)]),
    ('sum_dims_keepdim', lambda a: a.sum((0, -1), keepdim=True), [_r(2, 3, 2)]),
    ('mean_all', lambda a: a.mean(), [_r(2, 3)]),
    ('mean_dim', lambda a: a.mean(-1, keepdim=True), [_r(2, 3)]),
    ('reshape', lambda a: a.reshape(3, 2) * a.reshape(3, 2), [_r(2, 3)]),
    ('reshape_noncontig', lambda a: a.t().reshape(-1), [_r(2, 3)]),
    ('view', lambda a: a.view(6), [_r(2, 3)]),
    ('expand', lambda a: a.expand(3, 2, 4), [_r(2, 1)]),
    ('transpose', lambda a: a.transpose(0, 2), [_r(2, 3, 4)]),
    ('t', lambda a: a.t(), [_r(2, 3)]),
    ('permute', lambda a: a.permute(2, 0, 1), [_r(2, 3, 4)]),
    ('squeeze_unsqueeze', lambda a: a.unsqueeze(1).squeeze(0), [_r(1, 3)]),
    ('clone', lambda a: a.clone(), [_r(3)]),
    ('chain', lambda a, b: ((a * b).exp() + 1).log() / (b * b + 1), [_r(2, 3), _r(3)]),
    ('zero_dim', lambda a, b: a * b + a.exp(), [_r(), _r(3)]),
]


def _inputs(arrays):
    return tuple(ember.tensor(a, dtype=ember.float64, requires_grad=True) for a in arrays)


@pytest.mark.parametrize('name,fn,arrays', CASES, ids=[c[0] for c in CASES])
def test_gradcheck_core_ops(name, fn, arrays):
    assert ember.autograd.gradcheck(fn, _inputs(arrays), eps=1e-6, atol=1e-5, rtol=1e-3)


@pytest.mark.parametrize('name,fn,arrays', CASES, ids=[c[0] for c in CASES])
def test_gradgradcheck_core_ops(name, fn, arrays):
    assert ember.autograd.gradgradcheck(fn, _inputs(arrays), eps=1e-6, atol=1e-5, rtol=1e-3)


def _wrong(m):
    class WrongGrad(m.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 3
    return WrongGrad


def _wrong_second_order(m):
    class Square(m.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, g):
            x, = ctx.saved_tensors
            return g * 2 * x.detach()     # right value, but its own derivative in x is lost
    return Square


def _x(m):
    return m.tensor([0.3, -1.2, 2.0], dtype=m.float64, requires_grad=True)


def test_wrong_function_returns_false():
    e, tt = both(lambda m: m.autograd.gradcheck(_wrong(m).apply, (_x(m),), raise_exception=False))
    assert e is False and tt is False


def test_wrong_function_raises_gradcheck_error():
    e, tt = same_error(lambda m: m.autograd.gradcheck(_wrong(m).apply, (_x(m),)),
                       "Jacobian mismatch for output 0 with respect to input 0")
    assert isinstance(e, RuntimeError) and isinstance(e, ember.autograd.gradcheck.GradcheckError)
    assert type(e).__name__ == type(tt).__name__ == 'GradcheckError'
    assert 'numerical:' in str(e) and 'analytical:' in str(e)


def test_gradcheck_error_class():
    import sys
    torch_cls = sys.modules['torch.autograd.gradcheck'].GradcheckError
    ember_cls = ember.autograd.gradcheck.GradcheckError
    assert issubclass(torch_cls, RuntimeError) and issubclass(ember_cls, RuntimeError)
    assert ember_cls is sys.modules['ember.autograd.gradcheck'].GradcheckError


def test_gradgradcheck_catches_wrong_double_backward():
    e, tt = both(lambda m: (m.autograd.gradcheck(_wrong_second_order(m).apply, (_x(m),)),
                            m.autograd.gradgradcheck(_wrong_second_order(m).apply, (_x(m),),
                                                     raise_exception=False)))
    assert e == tt == (True, False)
    same_error(lambda m: m.autograd.gradgradcheck(_wrong_second_order(m).apply, (_x(m),)),
               "Jacobian mismatch")


def test_gradgradcheck_with_given_grad_outputs():
    def fn(m):
        x = _x(m)
        go = m.tensor([1.0, -0.5, 2.0], dtype=m.float64, requires_grad=True)
        return m.autograd.gradgradcheck(lambda a: a.exp() * a, (x,), (go,))
    e, tt = both(fn)
    assert e is True and tt is True


def test_multiple_inputs_outputs_and_non_tensor_args():
    def fn(m):
        a = _x(m)
        b = m.tensor([[1.0, 2.0, 0.5]], dtype=m.float64, requires_grad=True)
        c = m.tensor([0.1, 0.2, 0.3], dtype=m.float64)          # not differentiated
        return m.autograd.gradcheck(lambda x, y, z, k: (x * y * k + z, (x - y).exp()), (a, b, c, 2.0))
    e, tt = both(fn)
    assert e is True and tt is True


def test_no_input_requires_grad():
    same_error(lambda m: m.autograd.gradcheck(lambda a: a * 2, (_x(m).detach(),)),
               "gradcheck expects at least one input tensor to require gradient")


def test_float32_input_warns():
    for m in (ember, torch):
        x = m.tensor([0.5, 1.5], requires_grad=True)
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter('always')
            m.autograd.gradcheck(lambda a: a * 2, (x,), raise_exception=False)
        assert any("is not a double precision floating point" in str(i.message) for i in w), m.__name__


def test_bare_tensor_input_and_custom_tolerances():
    e, tt = both(lambda m: m.autograd.gradcheck(lambda a: (a * a).sum(), _x(m), eps=1e-4, atol=1e-3))
    assert e is True and tt is True


def test_correct_custom_function_passes_both_checks():
    def fn(m):
        class Cube(m.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x * x * x

            @staticmethod
            def backward(ctx, g):
                x, = ctx.saved_tensors
                return g * 3 * x * x
        return m.autograd.gradcheck(Cube.apply, (_x(m),)), m.autograd.gradgradcheck(Cube.apply, (_x(m),))
    e, tt = both(fn)
    assert e == tt == (True, True)
