"""torch.* runtime settings and interop: thread counts, default device, determinism flags,
matmul precision, DLPack/buffer interop, compile/vmap stand-ins and autocast state."""
from .. import _blas, _dtype as D
from .._tensor import Tensor


# ---------------------------------------------------------------------------- runtime settings
__all__ = ['get_num_threads', 'set_num_threads', 'get_num_interop_threads',
            'set_num_interop_threads', 'set_default_device', 'get_default_device',
            'use_deterministic_algorithms', 'are_deterministic_algorithms_enabled',
            'is_deterministic_algorithms_warn_only_enabled', 'set_deterministic_debug_mode',
            'get_deterministic_debug_mode', 'set_float32_matmul_precision',
            'get_float32_matmul_precision', 'set_warn_always', 'is_warn_always_enabled',
            'from_dlpack', 'to_dlpack', 'frombuffer', 'compile', 'vmap', 'autocast',
            'is_autocast_enabled', 'get_autocast_dtype', 'set_autocast_enabled',
            'set_autocast_dtype', 'is_autocast_cpu_enabled', 'get_autocast_cpu_dtype',
            'get_autocast_gpu_dtype', 'set_flush_denormal', 'is_storage', 'is_vulkan_available',
            'init_num_threads']


class _Settings:
    num_threads = None
    interop_threads = None
    deterministic = False
    deterministic_warn_only = False
    matmul_precision = 'highest'
    warn_always = False
    default_device = None


def _cpu_count():
    import os
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def get_num_threads():
    """Threads used for intra-op parallelism (BLAS). Defaults to the usable CPU count."""
    if _Settings.num_threads is None:
        try:
            from threadpoolctl import threadpool_info
            n = [i['num_threads'] for i in threadpool_info() if i.get('user_api') == 'blas']
            if n:
                return int(n[0])
        except ImportError:
            pass
        return _cpu_count()
    return _Settings.num_threads


def set_num_threads(int):
    """Limit BLAS threads. Uses threadpoolctl when installed (takes effect now); otherwise the
    value is recorded and exported as OMP/OPENBLAS/MKL_NUM_THREADS, which only affects BLAS
    libraries loaded afterwards (e.g. in DataLoader worker processes)."""
    n = int.__index__() if hasattr(int, '__index__') else int
    if n <= 0:
        raise RuntimeError("set_num_threads expects a positive integer")
    _Settings.num_threads = n
    _blas.set_num_threads(n)
    try:
        from threadpoolctl import threadpool_limits
        threadpool_limits(n)
    except ImportError:
        import os
        for var in ('OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS'):
            os.environ[var] = str(n)


def init_num_threads():
    return None


def get_num_interop_threads():
    return _Settings.interop_threads or _cpu_count()


def set_num_interop_threads(int):
    """Recorded only: ember runs ops on the calling thread (no inter-op pool)."""
    if int <= 0:
        raise RuntimeError("Expected positive number of threads")
    if _Settings.interop_threads is not None:
        raise RuntimeError("Error: cannot set number of interop threads after parallel work has "
                           "started or set_num_interop_threads called")
    _Settings.interop_threads = int


def set_default_device(device):
    """Device that factory functions (zeros, tensor, arange ...) use when none is given.

    It sits at the bottom of the `with device:` stack, so context managers still override it."""
    from .._device import _DeviceContext, as_device
    stack = _DeviceContext.stack
    if _Settings.default_device is not None and stack and stack[0] is _Settings.default_device:
        stack.pop(0)
    _Settings.default_device = None
    if device is not None:
        d = as_device(device)
        _Settings.default_device = d
        stack.insert(0, d)


def get_default_device():
    from .._device import as_device
    return as_device(None)


def use_deterministic_algorithms(mode, *, warn_only=False):
    """Recorded for code that checks it; ember's CPU kernels are already deterministic."""
    _Settings.deterministic = bool(mode)
    _Settings.deterministic_warn_only = bool(warn_only)


def are_deterministic_algorithms_enabled():
    return _Settings.deterministic


def is_deterministic_algorithms_warn_only_enabled():
    return _Settings.deterministic_warn_only


def set_deterministic_debug_mode(debug_mode):
    if isinstance(debug_mode, str):
        modes = {'default': 0, 'warn': 1, 'error': 2}
        if debug_mode not in modes:
            raise RuntimeError("invalid value of debug_mode, expected one of `default`, `warn`, "
                               f"`error`, but got {debug_mode}")
        debug_mode = modes[debug_mode]
    if debug_mode not in (0, 1, 2):
        raise RuntimeError(f"invalid value of debug_mode, expected 0, 1, or 2, but got {debug_mode}")
    use_deterministic_algorithms(debug_mode != 0, warn_only=debug_mode == 1)


def get_deterministic_debug_mode():
    if not _Settings.deterministic:
        return 0
    return 1 if _Settings.deterministic_warn_only else 2


def set_float32_matmul_precision(precision):
    """Recorded only: NumPy/BLAS float32 matmul is always full precision ('highest')."""
    if precision not in ('highest', 'high', 'medium'):
        import warnings
        warnings.warn(f"{precision} is not one of 'highest', 'high', or 'medium'; the current "
                      "setFloat32MatmulPrecision call has no effect.", UserWarning, stacklevel=2)
        return
    _Settings.matmul_precision = precision


def get_float32_matmul_precision():
    return _Settings.matmul_precision


def set_warn_always(b):
    _Settings.warn_always = bool(b)


def is_warn_always_enabled():
    return _Settings.warn_always


def set_flush_denormal(mode):
    """Not supported by NumPy: returns False like torch on CPUs without the feature."""
    return False


def is_storage(obj):
    from .._storage import Storage
    return isinstance(obj, Storage) or type(obj).__name__ == 'TypedStorage'


def is_vulkan_available():
    return False


# ---------------------------------------------------------------------------- interop
def from_dlpack(ext_tensor):
    """A tensor sharing memory with any DLPack producer (NumPy, CuPy, torch ...)."""
    if isinstance(ext_tensor, Tensor):
        return ext_tensor
    dev_type = ext_tensor.__dlpack_device__()[0] if hasattr(ext_tensor, '__dlpack_device__') else 1
    from .._device import device as _device, backend
    dev = _device('cpu') if dev_type == 1 else _device('cuda', ext_tensor.__dlpack_device__()[1])
    xp = backend(dev)
    if not hasattr(ext_tensor, '__dlpack__'):   # a raw capsule
        capsule = ext_tensor

        class _Cap:
            def __dlpack__(self, stream=None):
                return capsule

            def __dlpack_device__(self):
                return (dev_type, 0)
        ext_tensor = _Cap()
    from .._device import as_device
    return Tensor._from_array(xp.from_dlpack(ext_tensor), as_device(dev))


def to_dlpack(tensor):
    """A DLPack capsule of the tensor's memory."""
    return tensor._data.__dlpack__()


def frombuffer(buffer, *, dtype, count=-1, offset=0, requires_grad=False):
    """A 1-D CPU tensor sharing memory with a Python buffer (bytes, bytearray, memoryview ...)."""
    import warnings
    from .._device import CPU
    xp = CPU.xp
    mv = memoryview(buffer)
    nbytes = mv.nbytes
    item = xp.dtype(dtype.np).itemsize
    if nbytes == 0 or count == 0:
        raise ValueError(f"both buffer length ({nbytes}) and count ({count}) must not be 0")
    if not 0 <= offset < nbytes:
        raise ValueError(f"offset ({offset} bytes) must be non-negative and no greater than buffer "
                         f"length ({nbytes} bytes) minus 1")
    if count < 0 and (nbytes - offset) % item:
        raise ValueError(f"buffer length ({nbytes - offset} bytes) after offset ({offset} bytes) "
                         f"must be a multiple of element size ({item})")
    if count > 0 and count * item > nbytes - offset:
        raise ValueError(f"requested buffer length ({count} * {item} bytes) after offset ({offset} "
                         f"bytes) must not be greater than actual buffer length ({nbytes} bytes)")
    if mv.readonly:
        warnings.warn("The given buffer is not writable, and PyTorch does not support non-writable "
                      "tensors. This means you can write to the underlying (supposedly "
                      "non-writable) buffer using the tensor.", UserWarning, stacklevel=2)
    arr = xp.frombuffer(buffer, dtype=dtype.np, count=count, offset=offset)
    t = Tensor._from_array(arr, CPU)
    if requires_grad:
        t.requires_grad_(True)
    return t


def compile(model=None, *, fullgraph=False, dynamic=None, backend='inductor', mode=None,
            options=None, disable=False):
    """No compiler in ember: returns the model/function unchanged (or a decorator doing so)."""
    if model is None:
        return lambda m: m
    return model


def vmap(func, in_dims=0, out_dims=0, randomness='error', *, chunk_size=None):
    """Map func over a dimension of its inputs.

    Not vectorized: func is called once per slice of the mapped dimension and the results are
    stacked along out_dims. Gives the same values (and gradients) as torch.vmap for functions
    without in-place writes to their inputs or data-dependent batching tricks."""
    import functools

    @functools.wraps(func)
    def wrapped(*args):
        dims = in_dims if isinstance(in_dims, (tuple, list)) else (in_dims,) * len(args)
        if len(dims) != len(args):
            raise ValueError(f"vmap(f, in_dims={in_dims}, ...)(<inputs>): in_dims is not compatible "
                             f"with the structure of `inputs`. in_dims has structure {len(dims)} "
                             f"but inputs has structure {len(args)}.")
        size = None
        for a, d in zip(args, dims):
            if d is not None and isinstance(a, Tensor):
                n = a.shape[d]
                if size is not None and n != size:
                    raise ValueError("vmap: Expected all tensors to have the same size in the "
                                     f"mapped dimension, got sizes {size} and {n} for the mapped "
                                     "dimension")
                size = n
        if size is None:
            raise ValueError("vmap: at least one input must be a Tensor with a mapped dimension "
                             "(in_dims is not None)")
        results = []
        for i in range(size):   # one call per mapped index (documented: not vectorized)
            sl = [a.select(d, i) if d is not None and isinstance(a, Tensor) else a
                  for a, d in zip(args, dims)]
            results.append(func(*sl))
        from .. import stack
        first = results[0]
        if isinstance(first, tuple):
            od = out_dims if isinstance(out_dims, (tuple, list)) else (out_dims,) * len(first)
            return tuple(stack([r[k] for r in results], od[k]) for k in range(len(first)))
        return stack(results, out_dims)
    return wrapped


# ---------------------------------------------------------------------------- autocast
class _AutocastState:
    enabled = {'cpu': False, 'cuda': False}
    dtype = {'cpu': D.bfloat16, 'cuda': D.float16}


def is_autocast_enabled(device_type=None):
    return _AutocastState.enabled.get(device_type or 'cuda', False)


def set_autocast_enabled(device_type, enabled=None):
    if enabled is None:
        device_type, enabled = 'cuda', device_type
    _AutocastState.enabled[device_type] = bool(enabled)


def get_autocast_dtype(device_type):
    return _AutocastState.dtype.get(device_type, D.float16)


def set_autocast_dtype(device_type, dtype):
    _AutocastState.dtype[device_type] = dtype


def is_autocast_cpu_enabled():
    return is_autocast_enabled('cpu')


def get_autocast_cpu_dtype():
    return get_autocast_dtype('cpu')


def get_autocast_gpu_dtype():
    return get_autocast_dtype('cuda')


class autocast:
    """Mixed-precision region (context manager / decorator).

    ember records the state (is_autocast_enabled / get_autocast_dtype report it) but does not
    change op dtypes: computation stays in the inputs' dtypes, which is always correct and on
    CPU float32 is what most code expects."""

    def __init__(self, device_type, dtype=None, enabled=True, cache_enabled=None):
        if not isinstance(device_type, str):
            raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
        self.device = device_type
        self.fast_dtype = dtype if dtype is not None else get_autocast_dtype(device_type)
        self._enabled = bool(enabled)

    def __enter__(self):
        self._prev = (is_autocast_enabled(self.device), get_autocast_dtype(self.device))
        _AutocastState.enabled[self.device] = self._enabled
        _AutocastState.dtype[self.device] = self.fast_dtype
        return self

    def __exit__(self, *exc):
        _AutocastState.enabled[self.device], _AutocastState.dtype[self.device] = self._prev
        return False

    def __call__(self, func):
        import functools

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with autocast(self.device, self.fast_dtype, self._enabled):
                return func(*args, **kwargs)
        return wrapper
