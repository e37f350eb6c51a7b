"""Host memory caching: keep freed array memory in the process instead of giving it back.

Every ember op returns a fresh NumPy array, and a training step allocates and frees the same
large buffers (activations, gradients, im2col columns) over and over. glibc's malloc hands
blocks above its mmap threshold (128 KiB, raised dynamically to at most 32 MiB) straight back
to the kernel on free, and trims the heap top, so the next step page-faults the whole buffer
in again. On the machines ember is measured on, those faults cost more than the arithmetic:
a 115 MB im2col buffer took 24 ms fresh and 16 ms reused, and an MLP training step spent a
quarter of its time faulting.

`enable()` (called once at `import ember`) raises the mmap threshold and the trim threshold
to their maximum, so freed blocks stay in the heap and are reused — the CPU counterpart of
PyTorch's CUDA caching allocator. The cost is that the process keeps its peak heap until it
exits. Set EMBER_HOST_MEMORY_CACHE=0 to keep glibc's defaults. Other C libraries (musl,
macOS, Windows) are left alone.
"""
import ctypes
import os
import sys

_M_TRIM_THRESHOLD = -1      # glibc's mallopt parameter numbers (malloc.h)
_M_MMAP_THRESHOLD = -3
_INT_MAX = 2 ** 31 - 1      # mallopt takes an int

enabled = False


def enable():
    """Tune glibc malloc to cache freed blocks; returns whether the settings were applied."""
    global enabled
    if enabled:
        return True
    if not sys.platform.startswith('linux') or os.environ.get('EMBER_HOST_MEMORY_CACHE', '1') == '0':
        return False
    try:
        libc = ctypes.CDLL(None)
        if not hasattr(libc, 'gnu_get_libc_version'):     # not glibc: mallopt differs or is a no-op
            return False
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    enabled = bool(mallopt(_M_MMAP_THRESHOLD, _INT_MAX)) and bool(mallopt(_M_TRIM_THRESHOLD, _INT_MAX))
    return enabled
