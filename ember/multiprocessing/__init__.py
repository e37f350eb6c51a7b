"""ember.multiprocessing (= torch.multiprocessing): Python's multiprocessing plus `spawn` /
`start_processes` returning a ProcessContext, as torch provides for launching ranks.

Tensors cross processes through shared memory (see `_shared_memory`): `Tensor.share_memory_()`
moves a tensor's storage into a shared segment in place, `Module.share_memory()` does it for
every parameter and buffer, and multiprocessing's ForkingPickler (Queue, Pipe, Process args
under spawn/forkserver) sends CPU tensors as references to their segment, so Hogwild-style
training of one model from several processes works. Only the file-descriptor transport is
implemented; the sharing-strategy setting is accepted for compatibility."""
import multiprocessing
import multiprocessing.connection
import signal
import sys
import time
import traceback
from multiprocessing import *  # noqa: F401,F403

__all__ = ['spawn', 'start_processes', 'ProcessContext', 'SpawnContext', 'ProcessRaisedException',
           'ProcessExitedException', 'ProcessException', 'set_sharing_strategy',
           'get_sharing_strategy', 'get_all_sharing_strategies'] + list(multiprocessing.__all__)

from . import _shared_memory

_sharing_strategy = 'file_descriptor'


def get_all_sharing_strategies():
    return {'file_descriptor', 'file_system'}


def set_sharing_strategy(new_strategy):
    global _sharing_strategy
    if new_strategy not in get_all_sharing_strategies():
        raise ValueError(f"invalid sharing strategy {new_strategy!r}")
    _sharing_strategy = new_strategy


def get_sharing_strategy():
    return _sharing_strategy


class ProcessException(Exception):
    def __init__(self, msg, error_index, pid):
        super().__init__(msg)
        self.msg = msg
        self.error_index = error_index
        self.pid = pid

    def __reduce__(self):
        return type(self), (self.msg, self.error_index, self.pid)


class ProcessRaisedException(ProcessException):
    """A child raised: the message carries its traceback."""


class ProcessExitedException(ProcessException):
    """A child exited with a non-zero code (or a signal)."""

    def __init__(self, msg, error_index, error_pid, exit_code, signal_name=None):
        super().__init__(msg, error_index, error_pid)
        self.exit_code = exit_code
        self.signal_name = signal_name

    def __reduce__(self):
        return type(self), (self.msg, self.error_index, self.pid, self.exit_code, self.signal_name)


def _wrap(fn, i, args, error_queue):
    try:
        fn(i, *args)
    except KeyboardInterrupt:
        pass
    except Exception:
        error_queue.put(traceback.format_exc())
        sys.exit(1)


class ProcessContext:
    def __init__(self, processes, error_queues):
        self.error_queues = error_queues
        self.processes = processes
        self.sentinels = {p.sentinel: i for i, p in enumerate(processes)}

    def pids(self):
        return [int(p.pid) for p in self.processes]

    def join(self, timeout=None, grace_period=None):
        """Wait for the children; True when all exited cleanly. On the first failure the
        others are terminated and the child's error is raised here."""
        if len(self.sentinels) == 0:
            return True
        ready = multiprocessing.connection.wait(self.sentinels.keys(), timeout=timeout)
        error_index = None
        for s in ready:
            i = self.sentinels.pop(s)
            p = self.processes[i]
            p.join()
            if p.exitcode != 0:
                error_index = i
                break
        if error_index is None:
            return len(self.sentinels) == 0
        for p in self.processes:
            if p.is_alive():
                p.terminate()
        deadline = time.monotonic() + (grace_period or 5)
        for p in self.processes:
            p.join(max(0.0, deadline - time.monotonic()))
            if p.is_alive():
                p.kill()
                p.join()
        failed = self.processes[error_index]
        if self.error_queues[error_index].empty():
            code = failed.exitcode
            if code < 0:
                name = signal.Signals(-code).name
                raise ProcessExitedException(
                    f"process {error_index} terminated with signal {name}", error_index,
                    failed.pid, code, name)
            raise ProcessExitedException(f"process {error_index} terminated with exit code "
                                         f"{code}", error_index, failed.pid, code)
        tb = self.error_queues[error_index].get()
        raise ProcessRaisedException(f"\n\n-- Process {error_index} terminated with the "
                                     f"following error:\n{tb}", error_index, failed.pid)


SpawnContext = ProcessContext


def start_processes(fn, args=(), nprocs=1, join=True, daemon=False, start_method='spawn'):
    """Run fn(i, *args) in `nprocs` new processes (i = 0..nprocs-1)."""
    mp = multiprocessing.get_context(start_method)
    error_queues, processes = [], []
    for i in range(nprocs):
        q = mp.SimpleQueue()
        p = mp.Process(target=_wrap, args=(fn, i, args, q), daemon=daemon)
        p.start()
        error_queues.append(q)
        processes.append(p)
    ctx = ProcessContext(processes, error_queues)
    if not join:
        return ctx
    while not ctx.join():
        pass


def spawn(fn, args=(), nprocs=1, join=True, daemon=False, start_method='spawn'):
    """start_processes with the 'spawn' start method (fresh interpreters: MPI must not be
    inherited through fork)."""
    return start_processes(fn, args, nprocs, join, daemon, start_method)


def _share_memory_(self):
    """Move this tensor's storage into shared memory (no-op if already shared or on CUDA)."""
    return _shared_memory.share_tensor_(self)


def _is_shared(self):
    """Whether this tensor's storage is in shared memory."""
    return _shared_memory.is_shared(self)


def _install():
    from .._tensor import register_methods
    register_methods({'share_memory_': _share_memory_, 'is_shared': _is_shared})
    _shared_memory.register_reducers()


_install()
