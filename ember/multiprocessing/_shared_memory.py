"""Shared memory for CPU tensors: the segment primitives the DataLoader transport and
`Tensor.share_memory_()` both use, and the ForkingPickler reducer that sends a shared tensor
to another process as a reference to its segment (torch's "file_descriptor" strategy).

A tensor's segment is a file in /dev/shm that is unlinked as soon as it is created: only the
open file descriptor (kept while the memory is mapped) and the mappings hold the memory, so
nothing can leak when processes exit or crash. Sending a tensor sends a duplicate of that
descriptor (passed at process start under spawn/forkserver, over a Unix socket otherwise);
the receiver maps the same pages, so writes on either side are seen by the other. Under
fork, children inherit the MAP_SHARED mapping itself.
"""
import glob
import itertools
import mmap
import os
import tempfile
import weakref

import numpy as _np

__all__ = ['shm_dir', 'new_prefix', 'create_segment', 'open_segment', 'segment_pattern',
           'cleanup_segments', 'share_tensor_', 'is_shared', 'register_reducers']

_counter = itertools.count()


# ------------------------------------------------------------------ segment primitives

def shm_dir():
    """Where segment files live: /dev/shm (RAM) when present."""
    return '/dev/shm' if os.path.isdir('/dev/shm') else tempfile.gettempdir()


def new_prefix(tag='ember'):
    """A file-name prefix unique to this process and call."""
    return f"{tag}_{os.getpid()}_{os.urandom(4).hex()}_"


def create_segment(nbytes, name=None, keep_fd=False):
    """A fresh shared file of `nbytes` mapped MAP_SHARED. With a name the file stays (another
    process opens it by name); without, it is unlinked at once. Returns (mmap, fd or None)."""
    nbytes = max(int(nbytes), 1)
    path = os.path.join(shm_dir(), name or f"{new_prefix()}{next(_counter)}")
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        if name is None:
            os.unlink(path)
        os.ftruncate(fd, nbytes)
        m = mmap.mmap(fd, nbytes)
    except BaseException:
        os.close(fd)
        raise
    if not keep_fd:
        os.close(fd)
        fd = None
    return m, fd


def open_segment(name, unlink=False):
    """Map the named segment another process created; `unlink` takes ownership of it."""
    path = os.path.join(shm_dir(), name)
    fd = os.open(path, os.O_RDWR)
    try:
        return mmap.mmap(fd, os.fstat(fd).st_size)
    finally:
        os.close(fd)
        if unlink:
            os.unlink(path)


def segment_pattern(prefix):
    return os.path.join(shm_dir(), glob.escape(prefix) + '*')


def cleanup_segments(pattern):
    """Unlink every named segment matching `pattern` (e.g. left by a dead worker)."""
    for path in glob.glob(pattern):
        try:
            os.unlink(path)
        except OSError:
            pass


# ------------------------------------------------------------------ tensors in shared memory

class _Segment:
    """A descriptor-backed segment: fd stays open while the mapping lives."""
    __slots__ = ('fd', 'nbytes', 'key', '__weakref__')

    def __init__(self, fd, nbytes, key):
        self.fd, self.nbytes, self.key = fd, nbytes, key


_by_map = {}                              # id(mmap) -> _Segment
_maps = weakref.WeakValueDictionary()     # segment key -> mmap mapped in this process


def _track(m, fd, nbytes, key):
    _by_map[id(m)] = _Segment(fd, nbytes, key)
    _maps[key] = m
    weakref.finalize(m, _release, id(m), fd)


def _release(mid, fd):
    _by_map.pop(mid, None)
    try:
        os.close(fd)
    except OSError:
        pass


def _root(arr):
    """The object that owns an array's memory (an mmap for shared tensors)."""
    while isinstance(arr, _np.ndarray) and arr.base is not None:
        arr = arr.base
    if isinstance(arr, memoryview):
        arr = arr.obj
    return arr


def _segment(t):
    m = _root(t._storage.base)
    seg = _by_map.get(id(m)) if isinstance(m, mmap.mmap) else None
    return (m, seg) if seg is not None and _maps.get(seg.key) is m else (None, None)


def is_shared(t):
    """True when the tensor's storage lives in a shared segment (always True on CUDA, as torch)."""
    if t._storage.device.type != 'cpu':
        return True
    return _segment(t)[1] is not None


def _bounds(arr):
    lo, hi = _np.lib.array_utils.byte_bounds(arr)
    return lo, max(hi, lo)


def _rebuilt_like(arr, m, low):
    from .._storage import _ptr
    return _np.ndarray(arr.shape, arr.dtype, buffer=m, offset=_ptr(arr) - low, strides=arr.strides)


def share_tensor_(t):
    """Move t's storage into a new shared segment in place (Tensor.share_memory_).

    The tensor keeps its identity, Storage object and version counter; its base array and
    `_data` (and its autograd base's, when it is a view) become views of the segment holding
    the same values. Other view tensors made earlier keep looking at the old memory.
    """
    if t._storage.device.type != 'cpu' or is_shared(t):
        return t
    register_reducers()
    storage, data = t._storage, t._data
    others = [t._base] if t._base is not None and t._base._storage is storage else []
    arrays = [storage.base, data] + [o._data for o in others]
    bounds = [_bounds(a) for a in arrays if a.size]
    low = min((b[0] for b in bounds), default=0)
    high = max((b[1] for b in bounds), default=0)
    m, fd = create_segment(high - low, keep_fd=True)
    _track(m, fd, max(high - low, 1), f"{os.getpid()}_{os.urandom(6).hex()}_{next(_counter)}")
    if not bounds:       # empty tensor: nothing to copy, keep shapes
        low = None
    new = [_rebuilt_like(a, m, low) if a.size else
           _np.ndarray(a.shape, a.dtype, buffer=m, offset=0) for a in arrays]
    for src, dst in zip(arrays, new):
        if src.size:
            _np.copyto(dst, src)
    storage.base, t._data = new[0], new[1]
    for o, arr in zip(others, new[2:]):
        o._data = arr
    return t


# ------------------------------------------------------------------ pickling by reference

def _reduce_shared(t):
    """ForkingPickler reducer: CPU tensors travel as (descriptor of their segment, layout);
    a tensor not yet shared is moved into shared memory first, as torch does."""
    from .._storage import _ptr
    from ..nn.parameter import Parameter
    if t._storage.device.type != 'cpu':
        return type(t).__reduce_ex__(t, 2)
    if t.requires_grad and not t.is_leaf:
        raise RuntimeError("Cowardly refusing to serialize non-leaf tensor which requires_grad, "
                           "since autograd does not support crossing process boundaries.  "
                           "If you just want to transfer the data, call detach() on the tensor "
                           "before serializing (e.g., putting it on the queue).")
    share_tensor_(t)
    m, seg = _segment(t)
    from multiprocessing.reduction import DupFd
    start = _ptr(_np.frombuffer(m, dtype=_np.uint8))
    base, data = t._storage.base, t._data
    layout = lambda a: (a.dtype.str, a.shape, a.strides, _ptr(a) - start)  # noqa: E731
    kind = 'parameter' if type(t) is Parameter else 'tensor'
    return (_rebuild_shared, (DupFd(seg.fd), seg.nbytes, seg.key, layout(base), layout(data),
                              bool(t.requires_grad), kind))


def _rebuild_shared(dupfd, nbytes, key, base_layout, data_layout, requires_grad, kind):
    from .._tensor import Tensor
    from .._storage import Storage
    from .._device import CPU
    fd = dupfd.detach()
    m = _maps.get(key)
    if m is None:
        m = mmap.mmap(fd, nbytes)
        _track(m, fd, nbytes, key)
    elif fd != _by_map[id(m)].fd:
        os.close(fd)
    make = lambda lay: _np.ndarray(lay[1], _np.dtype(lay[0]), buffer=m, offset=lay[3],  # noqa: E731
                                   strides=lay[2])
    t = object.__new__(Tensor)
    t._data = make(data_layout)
    t._storage = Storage(make(base_layout), CPU)
    if kind == 'parameter':
        from ..nn.parameter import Parameter
        return Parameter(t, requires_grad)
    if requires_grad:
        t.requires_grad_(True)
    return t


def register_reducers():
    """Send Tensor and Parameter through ForkingPickler by reference (idempotent); other
    subclasses keep their own pickling (by value)."""
    import sys
    from multiprocessing.reduction import ForkingPickler
    from .._tensor import Tensor
    classes = [Tensor]
    param_mod = sys.modules.get('ember.nn.parameter')
    if param_mod is not None:
        classes.append(param_mod.Parameter)
    for cls in classes:
        if ForkingPickler._extra_reducers.get(cls) is not _reduce_shared:
            ForkingPickler.register(cls, _reduce_shared)
