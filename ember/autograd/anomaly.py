"""Anomaly detection (torch.autograd.anomaly_mode): record a traceback of each op's forward
call, and make backward fail when a node returns NaN gradients, naming the node.

The flags live on `function._anomaly` (read by Function.apply and the engine)."""
import functools
import warnings

from . import function as _fn

__all__ = ['detect_anomaly', 'set_detect_anomaly', 'is_anomaly_enabled', 'is_anomaly_check_nan_enabled']


def is_anomaly_enabled():
    return _fn._anomaly.enabled


def is_anomaly_check_nan_enabled():
    return _fn._anomaly.check_nan


class detect_anomaly:
    """Context manager (and decorator) enabling anomaly detection inside its block."""

    def __init__(self, check_nan=True):
        self.check_nan = check_nan
        self.prev = None
        warnings.warn("Anomaly Detection has been enabled. This mode will increase the runtime and "
                      "should only be enabled for debugging.", stacklevel=2)

    def __enter__(self):
        self.prev = (_fn._anomaly.enabled, _fn._anomaly.check_nan)
        _fn._anomaly.enabled, _fn._anomaly.check_nan = True, self.check_nan
        return self

    def __exit__(self, *exc):
        _fn._anomaly.enabled, _fn._anomaly.check_nan = self.prev

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*a, **k):
            prev = (_fn._anomaly.enabled, _fn._anomaly.check_nan)
            _fn._anomaly.enabled, _fn._anomaly.check_nan = True, self.check_nan
            try:
                return fn(*a, **k)
            finally:
                _fn._anomaly.enabled, _fn._anomaly.check_nan = prev
        return wrapper


class set_detect_anomaly:
    """Turn anomaly detection on or off now; as a context manager, restore the old state on exit."""

    def __init__(self, mode, check_nan=True):
        self.prev = (_fn._anomaly.enabled, _fn._anomaly.check_nan)
        _fn._anomaly.enabled = bool(mode)
        _fn._anomaly.check_nan = bool(check_nan)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        _fn._anomaly.enabled, _fn._anomaly.check_nan = self.prev
