"""torch.amp.autocast_mode: the autocast context manager plus custom_fwd/custom_bwd.

`autocast` is ember's single implementation (ember/_ops/toplevel_runtime.py), re-exported
here so `torch.amp.autocast(...)` and `torch.autocast(...)` are the same class."""
import functools

from .._ops.toplevel_runtime import autocast, is_autocast_enabled

__all__ = ['autocast', 'custom_fwd', 'custom_bwd', 'is_autocast_available']

_AUTOCAST_DEVICES = ('cpu', 'cuda')


def is_autocast_available(device_type):
    """True for the device types autocast knows about (cpu and cuda, as in torch)."""
    return device_type in _AUTOCAST_DEVICES


def _cast(value, dtype):
    from .._tensor import Tensor
    if isinstance(value, Tensor) and value.is_floating_point():
        return value.to(dtype)
    if isinstance(value, (list, tuple)):
        return type(value)(_cast(v, dtype) for v in value)
    if isinstance(value, dict):
        return {k: _cast(v, dtype) for k, v in value.items()}
    return value


def custom_fwd(fwd=None, *, device_type, cast_inputs=None):
    """Decorator for a custom Function's forward: inside an enabled autocast region with
    `cast_inputs` given, floating tensor arguments are cast to it and autocast is switched off
    for the body (torch's semantics)."""
    if not isinstance(device_type, str):
        raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
    if fwd is None:
        return functools.partial(custom_fwd, device_type=device_type, cast_inputs=cast_inputs)

    @functools.wraps(fwd)
    def decorate_fwd(*args, **kwargs):
        if cast_inputs is not None and is_autocast_enabled(device_type):
            with autocast(device_type, enabled=False):
                return fwd(*_cast(args, cast_inputs), **_cast(kwargs, cast_inputs))
        return fwd(*args, **kwargs)
    return decorate_fwd


def custom_bwd(bwd=None, *, device_type):
    """Decorator for a custom Function's backward (ember runs it with the ambient autocast
    state; as autocast never changes op dtypes in ember this matches torch's results)."""
    if not isinstance(device_type, str):
        raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
    if bwd is None:
        return functools.partial(custom_bwd, device_type=device_type)

    @functools.wraps(bwd)
    def decorate_bwd(*args, **kwargs):
        return bwd(*args, **kwargs)
    return decorate_bwd
