"""Grad modes: no_grad, enable_grad, set_grad_enabled, inference_mode.

The current mode is one process-wide flag read on every op (`GradState.enabled`); each
context manager also works as a decorator, with or without parentheses.
"""
import functools
import inspect

__all__ = ['no_grad', 'enable_grad', 'set_grad_enabled', 'inference_mode', 'is_grad_enabled',
           'is_inference_mode_enabled']


class GradState:
    enabled = True
    inference = False


def is_grad_enabled():
    return GradState.enabled


def is_inference_mode_enabled():
    return GradState.inference


class _ModeBase:
    """A context manager that is also a decorator (for functions and generators)."""

    def __new__(cls, orig_func=None, *args, **kwargs):
        # `@no_grad` without parentheses passes the function as first argument
        if cls in (no_grad, enable_grad) and callable(orig_func):
            inst = object.__new__(cls)
            inst.__init__()
            return inst(orig_func)
        return object.__new__(cls)

    def clone(self):
        return self.__class__()

    def __call__(self, func):
        if inspect.isgeneratorfunction(func):
            @functools.wraps(func)
            def gen_wrapper(*args, **kwargs):
                # the mode holds while the generator body runs, not while the caller runs
                gen = func(*args, **kwargs)
                try:
                    with self.clone():
                        response = gen.send(None)
                    while True:
                        try:
                            request = yield response
                        except GeneratorExit:
                            with self.clone():
                                gen.close()
                            raise
                        except BaseException as exc:
                            with self.clone():
                                response = gen.throw(exc)
                        else:
                            with self.clone():
                                response = gen.send(request)
                except StopIteration as stop:
                    return stop.value
            return gen_wrapper

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self.clone():
                return func(*args, **kwargs)
        return wrapper


class no_grad(_ModeBase):
    """Disable gradient recording inside the block."""

    def __init__(self, orig_func=None):
        self.prev = None

    def __enter__(self):
        self.prev = GradState.enabled
        GradState.enabled = False

    def __exit__(self, *exc):
        GradState.enabled = self.prev


class enable_grad(_ModeBase):
    """Enable gradient recording inside the block (e.g. inside a no_grad region)."""

    def __init__(self, orig_func=None):
        self.prev = None

    def __enter__(self):
        self.prev = GradState.enabled
        GradState.enabled = True

    def __exit__(self, *exc):
        GradState.enabled = self.prev


class set_grad_enabled(_ModeBase):
    """Set grad mode to `mode`; takes effect immediately (function use) and restores on exit."""

    def __init__(self, mode):
        if not isinstance(mode, bool):
            raise TypeError(f"set_grad_enabled(): argument 'enabled' (position 1) must be bool, "
                            f"not {type(mode).__name__}")
        self.prev = GradState.enabled
        self.mode = mode
        GradState.enabled = mode

    def __call__(self, func):
        GradState.enabled = self.prev   # used as a decorator: the mode applies only inside func
        return super().__call__(func)

    def clone(self):
        return set_grad_enabled(self.mode)

    def __enter__(self):
        GradState.enabled = self.mode

    def __exit__(self, *exc):
        GradState.enabled = self.prev


class inference_mode(_ModeBase):
    """Like no_grad; tensors created inside report is_inference() True."""

    def __init__(self, mode=True):
        self.mode = mode
        self.prev = None

    def __new__(cls, mode=True):
        inst = object.__new__(cls)
        if callable(mode):
            inst.__init__(True)
            return inst(mode)
        return inst

    def clone(self):
        return inference_mode(self.mode)

    def __enter__(self):
        self.prev = (GradState.enabled, GradState.inference)
        # like torch: inference_mode(False) turns grad mode back on, even inside no_grad
        GradState.enabled, GradState.inference = not self.mode, bool(self.mode)

    def __exit__(self, *exc):
        GradState.enabled, GradState.inference = self.prev
