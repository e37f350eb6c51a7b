"""DataLoader worker processes (= torch.utils.data._utils.worker): the worker loop, worker
info and seeding, fetchers, exception wrapping, and the shared-memory transport of tensors.

Transport: a worker pickles each result itself with a pickler that replaces every CPU tensor
by a handle (name, dtype, shape) of a POSIX shared-memory file holding its data (batches
collated in a worker are stacked directly into such a file, so they are never copied). The
main process maps the file, unlinks it at once (the mapping lives as long as the tensor) and
so takes ownership; whatever a dead or stopped worker left behind is unlinked by name prefix
when the iterator shuts down. Nothing array-sized travels through the pipe.
"""
import io
import itertools
import os
import pickle
import queue
import random
import sys
import traceback

import numpy as _np

__all__ = ['WorkerInfo', 'get_worker_info']

MP_STATUS_CHECK_INTERVAL = 5.0   # seconds between liveness checks while waiting on a queue
_DONE_CHECK_INTERVAL = 0.1       # how often an idle worker looks at the done event / its parent

_worker_info = None
_shm_prefix = None               # file-name prefix of this worker's shared-memory segments
_shm_counter = itertools.count()
_shm_registry = {}               # id(mmap) -> (name, mmap): segments this worker created


class WorkerInfo:
    """What a worker knows about itself: id, num_workers, seed and its dataset copy."""
    __initialized = False

    def __init__(self, **kwargs):
        for k, v in kwargs.items():
            setattr(self, k, v)
        self.__keys = tuple(kwargs.keys())
        self.__initialized = True

    def __setattr__(self, key, val):
        if self.__initialized:
            raise RuntimeError(f"Cannot assign attributes to {self.__class__.__name__} objects")
        return super().__setattr__(key, val)

    def __repr__(self):
        items = [f"{k}={getattr(self, k)}" for k in self.__keys]
        return f"{self.__class__.__name__}({', '.join(items)})"


def get_worker_info():
    """The WorkerInfo of the current DataLoader worker; None in the main process."""
    return _worker_info


# ---------------------------------------------------------------- shared memory transport

def _shm():
    """The shared-segment helpers (imported late: ember.multiprocessing loads after ember.nn)."""
    from ...multiprocessing import _shared_memory
    return _shared_memory


def _new_shm_prefix():
    return _shm().new_prefix('ember_dl')


def _shared_empty(shape, dtype):
    """An uninitialised CPU tensor whose memory is a fresh shared-memory file of this worker."""
    from ..._tensor import Tensor
    npdt = _np.dtype(dtype.np)
    count = int(_np.prod(shape, dtype=_np.int64))
    name = f"{_shm_prefix or _new_shm_prefix()}{os.getpid()}_{next(_shm_counter)}"
    m, _ = _shm().create_segment(count * npdt.itemsize, name=name)
    _shm_registry[id(m)] = (name, m)
    arr = _np.frombuffer(m, dtype=npdt, count=count).reshape(shape)
    return Tensor._from_array(arr)


def _segment_of(t):
    """The name of the shared segment that `t` exactly covers (contiguous, whole), else None."""
    arr = t._data
    base = arr
    while isinstance(base, _np.ndarray) and base.base is not None:
        base = base.base
    if isinstance(base, memoryview):
        base = base.obj
    hit = _shm_registry.get(id(base))
    if hit is None or hit[1] is not base:
        return None
    if not arr.flags.c_contiguous or arr.nbytes != len(base) or arr.nbytes == 0:
        return None
    return hit[0]


class _ShmPickler(pickle.Pickler):
    """Pickles CPU tensors as shared-memory handles; records the segment names it used."""

    def __init__(self, file):
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.names = []

    def persistent_id(self, obj):
        from ..._tensor import Tensor
        if not isinstance(obj, Tensor) or obj.device.type != 'cpu':
            return None
        if obj.requires_grad and not obj.is_leaf:
            raise RuntimeError("Cowardly refusing to serialize non-leaf tensor which requires_grad, "
                               "since autograd does not support crossing process boundaries.  "
                               "If you just want to transfer the data, call detach() on the tensor "
                               "before serializing (e.g., putting it on the queue).")
        name = _segment_of(obj)
        if name is None:
            if obj.numel() == 0:
                return None
            shared = _shared_empty(tuple(obj.shape), obj.dtype)
            _np.copyto(shared._data, obj._data)
            name = _segment_of(shared)
        self.names.append(name)
        return ('ember_shm', name, obj._data.dtype, tuple(obj.shape), obj.requires_grad)


def _forget(names):
    """Worker side: drop the registry entries of segments handed to the main process."""
    for key, (name, _) in list(_shm_registry.items()):
        if name in names:
            del _shm_registry[key]


class _ShmUnpickler(pickle.Unpickler):
    """Rebuilds tensors from shared-memory handles and unlinks each segment once mapped."""

    def __init__(self, file):
        super().__init__(file)
        self.maps = {}

    def persistent_load(self, pid):
        from ..._tensor import Tensor
        _, name, npdt, shape, requires_grad = pid
        m = self.maps.get(name)
        if m is None:
            m = self.maps[name] = _shm().open_segment(name, unlink=True)
        count = int(_np.prod(shape, dtype=_np.int64))
        t = Tensor._from_array(_np.frombuffer(m, dtype=npdt, count=count).reshape(shape))
        if requires_grad:
            t.requires_grad_(True)
        return t


def _dumps(obj):
    buf = io.BytesIO()
    p = _ShmPickler(buf)
    p.dump(obj)
    _forget(set(p.names))
    return buf.getvalue()


def _loads(data):
    return _ShmUnpickler(io.BytesIO(data)).load()


def _segment_pattern(prefix):
    return _shm().segment_pattern(prefix)


def _cleanup_segments(pattern):
    """Unlink every segment matching `pattern` (results never received, dead workers)."""
    _shm().cleanup_segments(pattern)


# ---------------------------------------------------------------- exceptions

class KeyErrorMessage(str):
    """A str whose repr is itself, so a re-raised KeyError shows its traceback readably."""

    def __repr__(self):
        return self


class ExceptionWrapper:
    """An exception caught in a worker: its type and formatted traceback, picklable."""

    def __init__(self, exc_info=None, where="in background"):
        if exc_info is None:
            exc_info = sys.exc_info()
        self.exc_type = exc_info[0]
        self.exc_msg = "".join(traceback.format_exception(*exc_info))
        self.where = where

    def reraise(self):
        msg = f"Caught {self.exc_type.__name__} {self.where}.\nOriginal {self.exc_msg}"
        if self.exc_type is KeyError:
            msg = KeyErrorMessage(msg)
        elif getattr(self.exc_type, "message", None):
            raise self.exc_type(message=msg)
        try:
            exception = self.exc_type(msg)
        except Exception:
            raise RuntimeError(msg) from None
        raise exception


# ---------------------------------------------------------------- fetchers

def _tensor_dataset_batch(dataset, indices, collate_fn):
    """default_collate([dataset[i] for i in indices]) for a plain TensorDataset, computed as one
    row gather per tensor instead of len(indices) index ops and a stack: the same list of
    batched tensors (in a worker, in shared memory, as collate would place them). None where
    that shortcut does not apply (another dataset or collate_fn, tensors needing grad or off
    the CPU, an index out of range: the per-sample path then runs and raises as usual)."""
    from .dataset import TensorDataset
    from ._collate import default_collate
    if type(dataset) is not TensorDataset or collate_fn is not default_collate or not indices:
        return None
    tensors = dataset.tensors
    n = len(dataset)
    if any(t.requires_grad or t.device.type != 'cpu' or t.dim() == 0 for t in tensors):
        return None
    try:
        idx = _np.asarray(indices, dtype=_np.int64)
    except (TypeError, ValueError):
        return None
    if idx.ndim != 1 or idx.min() < -n or idx.max() >= n:
        return None
    from ..._tensor import Tensor
    in_worker = get_worker_info() is not None
    out = []
    for t in tensors:
        rows = t._data
        if in_worker:
            dst = _shared_empty((len(idx),) + tuple(t.shape[1:]), t.dtype)
            _np.take(rows, idx, axis=0, out=dst._data)
            out.append(dst)
        else:
            out.append(Tensor._from_array(_np.take(rows, idx, axis=0), t._storage.device))
    return out


class _MapDatasetFetcher:
    def __init__(self, dataset, auto_collation, collate_fn, drop_last):
        self.dataset, self.auto_collation = dataset, auto_collation
        self.collate_fn, self.drop_last = collate_fn, drop_last

    def fetch(self, possibly_batched_index):
        if self.auto_collation:
            batch = _tensor_dataset_batch(self.dataset, possibly_batched_index, self.collate_fn)
            if batch is not None:
                return batch
            getitems = getattr(self.dataset, '__getitems__', None)
            if callable(getitems):
                data = getitems(possibly_batched_index)
            else:
                data = [self.dataset[idx] for idx in possibly_batched_index]
        else:
            data = self.dataset[possibly_batched_index]
        return self.collate_fn(data)


class _IterableDatasetFetcher:
    def __init__(self, dataset, auto_collation, collate_fn, drop_last):
        self.dataset, self.auto_collation = dataset, auto_collation
        self.collate_fn, self.drop_last = collate_fn, drop_last
        self.dataset_iter = iter(dataset)
        self.ended = False

    def fetch(self, possibly_batched_index):
        if self.ended:
            raise StopIteration
        if self.auto_collation:
            data = []
            for _ in possibly_batched_index:
                try:
                    data.append(next(self.dataset_iter))
                except StopIteration:
                    self.ended = True
                    break
            if len(data) == 0 or (self.drop_last and len(data) < len(possibly_batched_index)):
                raise StopIteration
        else:
            data = next(self.dataset_iter)
        return self.collate_fn(data)


def create_fetcher(is_iterable, dataset, auto_collation, collate_fn, drop_last):
    cls = _IterableDatasetFetcher if is_iterable else _MapDatasetFetcher
    return cls(dataset, auto_collation, collate_fn, drop_last)


# ---------------------------------------------------------------- worker loop

class _IterableDatasetStopIteration:
    """Sent by a worker whose IterableDataset copy is exhausted."""

    def __init__(self, worker_id):
        self.worker_id = worker_id


class _ResumeIteration:
    """Sent to persistent workers at the start of a new epoch (and echoed back)."""

    def __init__(self, seed=None):
        self.seed = seed


def _numpy_seed(base_seed, worker_id):
    """A NumPy legacy seed (4 x uint32) mixed from base_seed and worker_id."""
    ss = _np.random.SeedSequence([worker_id, base_seed & 0xffffffff, (base_seed >> 32) & 0xffffffff])
    return ss.generate_state(4)


def _seed_worker(seed, base_seed, worker_id):
    """Seed Python's `random`, ember's global RNG and NumPy's legacy global RNG, as torch does."""
    random.seed(seed)
    _np.random.seed(_numpy_seed(base_seed, worker_id))
    try:
        from ... import random as ember_random
    except ImportError:
        return
    if hasattr(ember_random, 'manual_seed'):
        ember_random.manual_seed(seed)


def _worker_loop(is_iterable, dataset, index_queue, data_queue, done_event, auto_collation,
                 collate_fn, drop_last, base_seed, init_fn, worker_id, num_workers,
                 persistent_workers, shm_prefix):
    """Body of one worker process: fetch the batches named on index_queue, send results."""
    global _worker_info, _shm_prefix
    try:
        _shm_prefix = shm_prefix
        seed = base_seed + worker_id
        _seed_worker(seed, base_seed, worker_id)
        _worker_info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed, dataset=dataset)
        parent = os.getppid()

        init_exception = None
        try:
            if init_fn is not None:
                init_fn(worker_id)
            fetcher = create_fetcher(is_iterable, dataset, auto_collation, collate_fn, drop_last)
        except Exception:
            init_exception = ExceptionWrapper(where=f"in DataLoader worker process {worker_id}")

        iteration_end = False
        while os.getppid() == parent:
            try:
                r = index_queue.get(timeout=_DONE_CHECK_INTERVAL)
            except queue.Empty:
                if done_event.is_set():
                    break      # shutdown, even if the None sentinel was lost with a queue's feeder
                continue
            if isinstance(r, _ResumeIteration):
                data_queue.put((r, None))
                iteration_end = False
                if is_iterable and init_exception is None:
                    fetcher = create_fetcher(is_iterable, dataset, auto_collation, collate_fn, drop_last)
                continue
            if r is None:
                break
            if done_event.is_set() or iteration_end:
                continue
            idx, index = r
            if init_exception is not None:
                data, init_exception = init_exception, None
            else:
                try:
                    data = fetcher.fetch(index)
                except Exception as e:
                    if isinstance(e, StopIteration) and is_iterable:
                        data = _IterableDatasetStopIteration(worker_id)
                        iteration_end = True
                    else:
                        data = ExceptionWrapper(where=f"in DataLoader worker process {worker_id}")
            try:
                payload = _dumps(data)
            except Exception:
                payload = _dumps(ExceptionWrapper(where=f"in DataLoader worker process {worker_id}"))
            data_queue.put((idx, payload))
            del data, idx, index, r, payload
    except KeyboardInterrupt:
        pass   # the main process raises KeyboardInterrupt itself
    if done_event.is_set():
        data_queue.cancel_join_thread()
        data_queue.close()
