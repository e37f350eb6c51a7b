"""Anomaly mode against torch: NaN gradients raise naming the node, forward traceback warned,
check_nan=False, set_detect_anomaly as function and context manager."""
import warnings

import pytest

from autograd_common import ember, torch, t, same, same_error, both


@pytest.fixture(autouse=True)
def _anomaly_off_after():
    yield
    assert not ember.is_anomaly_enabled() and ember.is_anomaly_check_nan_enabled()


def _nan_backward(m):
    x = t(m, [0.0, 1.0])
    (x.log() * 0).sum().backward()     # d log(x)/dx at 0: 0 * inf = nan
    return x.grad


def _user_warnings(fn):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        try:
            fn()
        except RuntimeError:
            pass
    return [str(i.message) for i in w if issubclass(i.category, UserWarning)]


def test_nan_passes_silently_without_anomaly_mode():
    same(_nan_backward)


def test_detect_anomaly_raises_on_nan():
    def fn(m):
        with m.autograd.detect_anomaly():
            _nan_backward(m)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        e, tt = same_error(fn, "Function 'LogBackward0' returned nan values in its 0th output.")
    assert str(e) == str(tt)


def test_detect_anomaly_warnings():
    for m in (ember, torch):
        msgs = _user_warnings(lambda: (lambda cm: (cm.__enter__(), _nan_backward(m)))(m.autograd.detect_anomaly()))
        m.autograd.set_detect_anomaly(False)
        assert any(s.startswith("Anomaly Detection has been enabled") for s in msgs), m.__name__
        assert any(s.startswith("Error detected in LogBackward0. Traceback of forward call that caused "
                                "the error:") for s in msgs), m.__name__


def test_forward_traceback_names_the_forward_line():
    def fn():
        with ember.autograd.detect_anomaly():
            _nan_backward(ember)
    msgs = _user_warnings(fn)
    trace = next(s for s in msgs if s.startswith("Error detected"))
    assert "_nan_backward" in trace and "x.log()" in trace


def test_check_nan_false():
    def fn(m):
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            with m.autograd.detect_anomaly(check_nan=False):
                return _nan_backward(m)
    same(fn)


def test_set_detect_anomaly_function_and_context():
    def fn(m):
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            m.autograd.set_detect_anomaly(True)
            on = m.is_anomaly_enabled()
            try:
                _nan_backward(m)
                raised = False
            except RuntimeError:
                raised = True
            m.autograd.set_detect_anomaly(False)
            with m.autograd.set_detect_anomaly(True, check_nan=False):
                inside = (m.is_anomaly_enabled(), m.is_anomaly_check_nan_enabled())
        return on, raised, inside, m.is_anomaly_enabled(), m.is_anomaly_check_nan_enabled()
    same(fn)


def test_anomaly_mode_normal_backward_unchanged():
    def fn(m):
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            with m.autograd.detect_anomaly():
                x = t(m, [1.0, 2.0])
                (x.exp() * x).sum().backward()
                return x.grad, m.is_anomaly_enabled()
    same(fn)


def test_anomaly_nan_from_custom_function():
    def fn(m):
        class Bad(m.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2

            @staticmethod
            def backward(ctx, g):
                return g * float('nan')
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            with m.autograd.detect_anomaly():
                Bad.apply(t(m, [1.0, 2.0])).sum().backward()
    same_error(fn, "Function 'BadBackward' returned nan values in its 0th output.")


def test_graph_built_outside_anomaly_mode_not_checked():
    def fn(m):
        x = t(m, [0.0, 1.0])
        y = (x.log() * 0).sum()
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            with m.autograd.detect_anomaly():
                y.backward()
        return x.grad
    e, tt = both(lambda m: _safe(fn, m))
    assert e == tt


def _safe(fn, m):
    try:
        fn(m)
        return 'ok'
    except RuntimeError:
        return 'raised'


def test_anomaly_module_names():
    assert hasattr(ember.autograd, 'anomaly_mode') and hasattr(torch.autograd, 'anomaly_mode')
    for name in ('detect_anomaly', 'set_detect_anomaly'):
        assert hasattr(ember.autograd.anomaly_mode, name) and hasattr(torch.autograd.anomaly_mode, name)
