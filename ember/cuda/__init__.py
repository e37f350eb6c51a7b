"""ember.cuda (= torch.cuda): device queries, RNG seeding and memory stats for CUDA GPUs.

CUDA tensors are backed by CuPy. On a machine without CuPy or without an NVIDIA GPU every
query answers truthfully (is_available() is False, device_count() is 0) and anything that
needs a GPU raises torch's errors.
"""
__all__ = ['is_available', 'device_count', 'current_device', 'set_device', 'get_device_name',
           'get_device_properties', 'get_device_capability', 'synchronize', 'manual_seed',
           'manual_seed_all', 'seed', 'seed_all', 'memory_allocated', 'max_memory_allocated',
           'memory_reserved', 'max_memory_reserved', 'reset_peak_memory_stats', 'empty_cache',
           'is_initialized', 'init', 'device', 'is_bf16_supported']

_state = {'device': 0, 'initialized': False, 'cupy': None, 'checked': False}


def _cupy():
    """The cupy module when CuPy is installed and sees at least one GPU, else None."""
    if not _state['checked']:
        _state['checked'] = True
        try:
            import cupy
            if cupy.cuda.runtime.getDeviceCount() > 0:
                _state['cupy'] = cupy
        except Exception:  # no CuPy, no driver, or no device: CUDA is simply unavailable
            _state['cupy'] = None
    return _state['cupy']


def is_available():
    """True when a CUDA GPU can be used (CuPy installed and a device present)."""
    return _cupy() is not None


def device_count():
    cp = _cupy()
    return cp.cuda.runtime.getDeviceCount() if cp is not None else 0


def _lazy_init():
    if _cupy() is None:
        raise AssertionError("Torch not compiled with CUDA enabled")
    _state['initialized'] = True


init = _lazy_init


def is_initialized():
    return _state['initialized']


def _index(dev):
    if dev is None:
        return _state['device']
    if isinstance(dev, int):
        return dev
    from .._device import device as _dev
    d = _dev(dev) if not isinstance(dev, _dev) else dev
    return d.index if d.index is not None else _state['device']


def current_device():
    _lazy_init()
    return _state['device']


def set_device(device):
    idx = _index(device)
    if idx < 0:
        return
    _lazy_init()
    if idx >= device_count():
        raise RuntimeError("CUDA error: invalid device ordinal")
    _state['device'] = idx
    _cupy().cuda.Device(idx).use()


class device:
    """Context manager selecting the current CUDA device."""

    def __init__(self, device):
        self.idx = _index(device)
        self.prev = None

    def __enter__(self):
        self.prev = _state['device']
        set_device(self.idx)

    def __exit__(self, *exc):
        set_device(self.prev)


def get_device_properties(device=None):
    _lazy_init()
    return _cupy().cuda.runtime.getDeviceProperties(_index(device))


def get_device_name(device=None):
    name = get_device_properties(device)['name']
    return name.decode() if isinstance(name, bytes) else name


def get_device_capability(device=None):
    props = get_device_properties(device)
    return props['major'], props['minor']


def is_bf16_supported(including_emulation=True):
    return is_available() and get_device_capability()[0] >= 8


def synchronize(device=None):
    _lazy_init()
    with _cupy().cuda.Device(_index(device)):
        _cupy().cuda.runtime.deviceSynchronize()


def manual_seed(seed):
    """Seed the current GPU's generator (silently ignored without CUDA, as torch does)."""
    if is_available():
        _cupy().random.seed(int(seed) % (2 ** 32))


def manual_seed_all(seed):
    if is_available():
        for i in range(device_count()):
            with _cupy().cuda.Device(i):
                _cupy().random.seed(int(seed) % (2 ** 32))


def seed():
    if is_available():
        _cupy().random.seed()


seed_all = seed


def _pool():
    cp = _cupy()
    return cp.get_default_memory_pool() if cp is not None else None


_peak = {'allocated': 0, 'reserved': 0}


def memory_allocated(device=None):
    """Bytes held by live CUDA tensors (CuPy memory pool's used bytes); 0 without CUDA."""
    pool = _pool()
    if pool is None:
        return 0
    used = pool.used_bytes()
    _peak['allocated'] = max(_peak['allocated'], used)
    return used


def max_memory_allocated(device=None):
    memory_allocated(device)
    return _peak['allocated']


def memory_reserved(device=None):
    pool = _pool()
    if pool is None:
        return 0
    total = pool.total_bytes()
    _peak['reserved'] = max(_peak['reserved'], total)
    return total


def max_memory_reserved(device=None):
    memory_reserved(device)
    return _peak['reserved']


def reset_peak_memory_stats(device=None):
    _peak['allocated'] = memory_allocated(device)
    _peak['reserved'] = memory_reserved(device)


def empty_cache():
    pool = _pool()
    if pool is not None:
        pool.free_all_blocks()


def __getattr__(name):
    """`ember.cuda.amp` is imported lazily (it needs ember.amp, imported after ember.cuda)."""
    if name == 'amp':
        import importlib
        return importlib.import_module(__name__ + '.amp')
    raise AttributeError(f"module 'ember.cuda' has no attribute '{name}'")
