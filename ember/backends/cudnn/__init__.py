"""torch.backends.cudnn flags. ember's GPU convolution goes through CuPy; these flags are kept
for scripts that set them (benchmark/deterministic steer algorithm choice when cuDNN is used)."""
import sys as _sys

__all__ = ['is_available', 'version', 'enabled', 'benchmark', 'deterministic', 'allow_tf32', 'flags']

enabled = True
benchmark = False
deterministic = False
allow_tf32 = True


def is_available():
    """True when CuPy's cuDNN bindings can be imported and a GPU exists."""
    from ... import cuda
    if not cuda.is_available():
        return False
    try:
        import cupy.cuda.cudnn  # noqa: F401
        return True
    except Exception:
        return False


def version():
    if not is_available():
        return None
    import cupy.cuda.cudnn as c
    return c.getVersion()


class flags:
    """Context manager setting enabled/benchmark/deterministic for a block."""

    def __init__(self, enabled=False, benchmark=False, deterministic=False, allow_tf32=True):
        self.new = dict(enabled=enabled, benchmark=benchmark, deterministic=deterministic,
                        allow_tf32=allow_tf32)

    def __enter__(self):
        mod = _sys.modules[__name__]
        self.prev = {k: getattr(mod, k) for k in self.new}
        for k, v in self.new.items():
            setattr(mod, k, v)

    def __exit__(self, *exc):
        mod = _sys.modules[__name__]
        for k, v in self.prev.items():
            setattr(mod, k, v)
