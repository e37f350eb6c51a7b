"""Process groups and collectives (= torch.distributed.distributed_c10d) on MPI.

Every rank ends up in one MPI intra-communicator: under `mpiexec` it is COMM_WORLD; ranks
started independently (launcher without mpiexec, ember.multiprocessing.spawn, by hand) meet
through the init method's store: rank 0 opens an MPI port, publishes its name, and the group
grows one rank at a time with Accept/Connect + Intercomm.Merge in rank order. Tensor data
only moves through MPI's non-blocking collectives on the tensors' own memory (zero-copy when
contiguous); `Work.wait` polls them so a collective that cannot finish raises RuntimeError
after the group's timeout instead of hanging.
"""
import os
import time
from datetime import timedelta
from urllib.parse import urlparse, parse_qs

import numpy as np

from ._store import TCPStore, FileStore, PrefixStore

__all__ = ['Backend', 'ReduceOp', 'ProcessGroup', 'Work', 'Future', 'GroupMember', 'group',
           'is_available', 'is_initialized', 'is_mpi_available', 'is_gloo_available',
           'is_nccl_available', 'is_torchelastic_launched', 'init_process_group',
           'destroy_process_group', 'get_rank', 'get_world_size', 'get_backend',
           'get_process_group_ranks', 'get_global_rank', 'get_group_rank', 'new_group',
           'barrier', 'monitored_barrier', 'all_reduce', 'broadcast', 'reduce', 'all_gather',
           'all_gather_into_tensor', 'gather', 'scatter', 'reduce_scatter',
           'reduce_scatter_tensor', 'all_to_all', 'all_to_all_single', 'send', 'recv',
           'isend', 'irecv', 'all_gather_object', 'broadcast_object_list', 'gather_object',
           'scatter_object_list', 'default_pg_timeout']

default_pg_timeout = timedelta(minutes=30)
_NOT_INIT = ("Default process group has not been initialized, please make sure to call "
             "init_process_group.")


def _MPI():
    from mpi4py import MPI  # imported lazily: importing it initializes MPI
    return MPI


def is_available():
    return True


def is_mpi_available():
    try:
        import mpi4py  # noqa: F401
        return True
    except ImportError:
        return False


is_gloo_available = is_mpi_available


def is_nccl_available():
    return False


def is_torchelastic_launched():
    return os.environ.get('TORCHELASTIC_RUN_ID') is not None


class Backend(str):
    """Backend names; 'gloo' and 'mpi' both run on the MPI engine."""
    UNDEFINED = 'undefined'
    GLOO = 'gloo'
    MPI = 'mpi'
    NCCL = 'nccl'

    def __new__(cls, name):
        return str.__new__(cls, name.lower())


class _RedOp:
    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return f"RedOpType.{self.name}"

    def __reduce__(self):
        return (getattr, (ReduceOp, self.name))


class ReduceOp:
    """Reduction operators (ReduceOp.SUM, ...); AVG is SUM followed by a division."""
    SUM = _RedOp('SUM')
    AVG = _RedOp('AVG')
    PRODUCT = _RedOp('PRODUCT')
    MIN = _RedOp('MIN')
    MAX = _RedOp('MAX')
    BAND = _RedOp('BAND')
    BOR = _RedOp('BOR')
    BXOR = _RedOp('BXOR')
    RedOpType = None


ReduceOp.RedOpType = ReduceOp


def _mpi_op(op):
    MPI = _MPI()
    table = {'SUM': MPI.SUM, 'AVG': MPI.SUM, 'PRODUCT': MPI.PROD, 'MIN': MPI.MIN,
             'MAX': MPI.MAX, 'BAND': MPI.BAND, 'BOR': MPI.BOR, 'BXOR': MPI.BXOR}
    name = getattr(op, 'name', None)
    if name not in table:
        raise ValueError(f"Unsupported reduce op {op}")
    return table[name]


class ProcessGroup:
    """A set of ranks with its own MPI communicator (None on ranks outside the group)."""

    def __init__(self, comm, ranks, backend, timeout):
        self.comm = comm
        self.ranks = list(ranks)
        self.backend = backend
        self.timeout = timeout

    def rank(self):
        return self.comm.Get_rank() if self.comm is not None else -1

    def size(self):
        return len(self.ranks)

    def name(self):
        return self.backend

    def _group_rank(self, global_rank, what='rank'):
        if global_rank not in self.ranks:
            raise ValueError(f"Global rank {global_rank} is not part of group {self.ranks}")
        return self.ranks.index(global_rank)

    def __repr__(self):
        return f"ProcessGroup(backend={self.backend}, ranks={self.ranks})"


class GroupMember:
    WORLD = None
    NON_GROUP_MEMBER = -100


class group:
    WORLD = None


class _State:
    default_pg = None
    store = None
    port = None
    groups = []


# ---------------------------------------------------------------- futures and work handles

class Future:
    """A value that becomes available after a collective finishes (= torch.futures.Future)."""

    def __init__(self, wait_fn=None, value=None):
        self._wait_fn = wait_fn
        self._value = value
        self._done = wait_fn is None
        self._callbacks = []

    def wait(self):
        if not self._done:
            self._value = self._wait_fn()
            self._done = True
        return self._value

    def value(self):
        return self.wait()

    def done(self):
        return self._done

    def set_result(self, value):
        self._value, self._done = value, True

    def then(self, callback):
        return Future(lambda: callback(self._after_wait()))

    def _after_wait(self):
        self.wait()
        return self


class Work:
    """Handle on non-blocking MPI requests; `wait()` finishes them (and the copy-back)."""

    def __init__(self, reqs, pg, finish=None, result=None):
        self._reqs = [r for r in reqs if r is not None]
        self._pg = pg
        self._finish = finish
        self._result = result
        self._done = False
        self._ret = None

    def is_completed(self):
        if self._done:
            return True
        return self._test()

    def _test(self):
        return _MPI().Request.Testall(self._reqs)

    def wait(self, timeout=None):
        if self._done:
            return True
        MPI = _MPI()
        limit = timeout if timeout is not None else self._pg.timeout
        limit = limit.total_seconds() if isinstance(limit, timedelta) else float(limit)
        deadline = time.monotonic() + limit
        spins = 0
        try:
            while not self._test():
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"Collective operation timed out after {limit:.1f}s on {self._pg}: a "
                        "rank may have exited or never called the matching collective")
                spins += 1
                time.sleep(0 if spins < 50 else min(1e-3, 1e-5 * spins))
        except MPI.Exception as e:
            raise RuntimeError(f"MPI error in collective: {e.Get_error_string()}") from None
        self._done = True
        if self._finish is not None:
            self._ret = self._finish()
        return True

    def result(self):
        self.wait()
        return self._result

    def exception(self):
        return None

    def get_future(self):
        return Future(lambda: (self.wait(), self._result)[1])

    def synchronize(self):
        self.wait()


def _done_work(pg, result=None):
    return Work([], pg, result=result)


# ---------------------------------------------------------------- init / teardown

def is_initialized():
    return _State.default_pg is not None


def _default():
    if _State.default_pg is None:
        raise ValueError(_NOT_INIT)
    return _State.default_pg


def _pg(group):
    pg = _default()
    if group is None or group is GroupMember.WORLD:
        return pg
    return group


def _launched_by_mpiexec():
    return any(k in os.environ for k in ('PMI_RANK', 'PMIX_RANK', 'OMPI_COMM_WORLD_RANK',
                                          'PMI_SIZE'))


def _env_int(name, given, method):
    if given is not None and given >= 0:
        return given
    if name not in os.environ:
        raise ValueError(f"Error initializing torch.distributed using {method} rendezvous: "
                         f"environment variable {name} expected, but not set")
    return int(os.environ[name])


def _make_store(init_method, rank, world_size, timeout):
    """(store, rank, world_size) from an init_method URL (env://, tcp://, file://)."""
    url = urlparse(init_method)
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    if 'rank' in query and rank < 0:
        rank = int(query['rank'])
    if 'world_size' in query and world_size < 0:
        world_size = int(query['world_size'])
    if url.scheme == 'env':
        rank = _env_int('RANK', rank, 'env://')
        world_size = _env_int('WORLD_SIZE', world_size, 'env://')
        addr = os.environ.get('MASTER_ADDR')
        if addr is None:
            raise ValueError("Error initializing torch.distributed using env:// rendezvous: "
                             "environment variable MASTER_ADDR expected, but not set")
        port = _env_int('MASTER_PORT', None, 'env://')
        if world_size == 1:
            return None, rank, world_size
        return TCPStore(addr, port, world_size, rank == 0, timeout), rank, world_size
    if rank < 0 or world_size < 0:
        raise ValueError(f"rank and world_size must be given with init_method {init_method!r}")
    if world_size == 1:
        return None, rank, world_size
    if url.scheme == 'tcp':
        return TCPStore(url.hostname, url.port, world_size, rank == 0, timeout), rank, world_size
    if url.scheme == 'file':
        return FileStore(url.path, world_size, timeout), rank, world_size
    raise ValueError(f"unsupported init_method {init_method!r} (env://, tcp://, file://)")


def _rendezvous(store, rank, world_size, timeout):
    """Join `world_size` independently started processes into one MPI communicator."""
    MPI = _MPI()
    gen = store.add('ember/init_count', 1) if rank == 0 else None
    store.add('ember/arrived', 1)
    deadline = time.monotonic() + timeout.total_seconds()
    while int(store.get('ember/arrived')) < world_size:
        if time.monotonic() > deadline:
            raise RuntimeError(f"Timed out after {timeout.total_seconds():.1f}s waiting for "
                               f"{world_size} ranks to join the process group "
                               f"({int(store.get('ember/arrived'))} arrived)")
        time.sleep(0.005)
    del gen
    if rank == 0:
        port = MPI.Open_port()
        store.set('ember/port', port)
        comm = MPI.COMM_SELF
        start = 1
    else:
        store.wait(['ember/port', f'ember/turn{rank}'], timedelta(seconds=max(
            1.0, deadline - time.monotonic())))
        port = store.get('ember/port').decode()
        inter = MPI.COMM_SELF.Connect(port, root=0)
        comm = inter.Merge(high=True)
        inter.Free()
        start = rank + 1
    for k in range(start, world_size):
        if comm.Get_rank() == 0:
            store.set(f'ember/turn{k}', '1')
        inter = comm.Accept(port, root=0)
        new = inter.Merge(high=False)
        inter.Free()
        if comm is not MPI.COMM_SELF:
            comm.Free()
        comm = new
    if rank == 0:
        MPI.Close_port(port)
    if comm.Get_rank() != rank:
        raise RuntimeError(f"rendezvous produced rank {comm.Get_rank()} for rank {rank}")
    return comm


def init_process_group(backend=None, init_method=None, timeout=None, world_size=-1, rank=-1,
                       store=None, group_name='', pg_options=None, device_id=None):
    """Join this process to the default group. backend 'gloo'/'mpi' run on MPI; init_method
    env:// (RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT), tcp://host:port, file://path, or
    an explicit `store`; under mpiexec COMM_WORLD is used directly."""
    if _State.default_pg is not None:
        raise ValueError("trying to initialize the default process group twice!")
    name = str(backend or 'gloo').lower()
    if ':' in name:  # 'cpu:gloo,cuda:nccl'
        parts = dict(p.split(':') for p in name.split(','))
        name = parts.get('cpu', next(iter(parts.values())))
    if name == 'nccl':
        raise RuntimeError("Distributed package doesn't have NCCL built in: the NCCL backend "
                           "needs CUDA tensors; use backend='gloo' (MPI) for CPU tensors")
    if name not in ('gloo', 'mpi'):
        raise ValueError(f"Invalid backend: '{backend}'")
    if not is_mpi_available():
        raise RuntimeError("ember.distributed needs mpi4py (pip install 'ember[mpi]')")
    timeout = timeout if timeout is not None else default_pg_timeout
    if not isinstance(timeout, timedelta):
        raise TypeError(f"Expected timeout argument to be of type datetime.timedelta, got {timeout}")
    if store is None and init_method in (None, 'env://') and _launched_by_mpiexec():
        MPI = _MPI()
        comm = MPI.COMM_WORLD.Dup()
        if world_size >= 0 and world_size != comm.Get_size():
            raise ValueError(f"world_size={world_size} but mpiexec started {comm.Get_size()}")
        if rank >= 0 and rank != comm.Get_rank():
            raise ValueError(f"rank={rank} but mpiexec gave rank {comm.Get_rank()}")
        world_size = comm.Get_size()
    else:
        if store is None:
            store, rank, world_size = _make_store(init_method or 'env://', rank, world_size,
                                                  timeout)
        elif rank < 0 or world_size < 0:
            raise ValueError("rank and world_size must be given with store")
        if rank >= world_size or rank < 0:
            raise ValueError(f"Invalid rank {rank} for world_size {world_size}")
        MPI = _MPI()
        if world_size == 1:
            comm = MPI.COMM_SELF.Dup()
        else:
            comm = _rendezvous(store, rank, world_size, timeout)
        _State.store = store
    pg = ProcessGroup(comm, range(world_size), Backend(name), timeout)
    _State.default_pg = pg
    group.WORLD = GroupMember.WORLD = pg
    _State.groups = [pg]
    barrier()


def destroy_process_group(group=None):
    """Free the group's communicator (all groups when group is None / WORLD)."""
    if _State.default_pg is None:
        raise ValueError(_NOT_INIT)
    MPI = _MPI()
    if _State.default_pg.comm is not None and group in (None, GroupMember.WORLD):
        barrier()  # nobody still needs the store when rank 0 closes it
    targets = list(_State.groups) if group in (None, GroupMember.WORLD) else [group]
    for pg in targets:
        if pg.comm is not None and pg.comm != MPI.COMM_NULL:
            pg.comm.Free()
        pg.comm = None
        if pg in _State.groups:
            _State.groups.remove(pg)
    if group in (None, GroupMember.WORLD) or group is _State.default_pg:
        st = _State.store
        if isinstance(st, TCPStore):
            st.close()
        _State.default_pg = _State.store = None
        globals()['group'].WORLD = GroupMember.WORLD = None


def get_rank(group=None):
    pg = _pg(group)
    if pg.comm is None:
        return -1
    return pg.ranks[pg.comm.Get_rank()] if group is None else pg.comm.Get_rank()


def get_world_size(group=None):
    pg = _pg(group)
    return pg.size() if pg.comm is not None else -1


def get_backend(group=None):
    return _pg(group).backend


def get_process_group_ranks(group):
    return list(_pg(group).ranks)


def get_global_rank(group, group_rank):
    return _pg(group).ranks[group_rank]


def get_group_rank(group, global_rank):
    return _pg(group)._group_rank(global_rank)


def new_group(ranks=None, timeout=None, backend=None, pg_options=None, use_local_synchronization=False,
              group_desc=None, device_id=None):
    """A sub-group of the default group; every rank of the default group must call it."""
    MPI = _MPI()
    world = _default()
    me = world.comm.Get_rank()
    ranks = sorted(range(world.size())) if ranks is None else list(ranks)
    if sorted(set(ranks)) != sorted(ranks) or any(r < 0 or r >= world.size() for r in ranks):
        raise ValueError(f"Invalid ranks {ranks} for new_group")
    color = 0 if me in ranks else MPI.UNDEFINED
    key = ranks.index(me) if me in ranks else 0
    comm = world.comm.Split(color, key)
    pg = ProcessGroup(comm if comm != MPI.COMM_NULL else None, ranks,
                      Backend(backend or world.backend), timeout or world.timeout)
    _State.groups.append(pg)
    if pg.comm is None:
        return GroupMember.NON_GROUP_MEMBER
    return pg


# ---------------------------------------------------------------- buffers

_STAGE = {'float16': np.float32, 'bfloat16': np.float32, 'bool': np.uint8}


def _arr(t):
    from .._ops import _util
    if getattr(t, '_base', None) is not None and hasattr(_util, '_refresh_view'):
        _util._refresh_view(t)
    a = t._data
    if not isinstance(a, np.ndarray):  # device arrays are staged through host memory
        a = a.get()
    return a


def _send_buf(t):
    """A contiguous, MPI-typed copy-or-view of tensor t for reading."""
    a = _arr(t)
    stage = _STAGE.get(a.dtype.name)
    if stage is not None:
        return np.ascontiguousarray(a, dtype=stage)
    return np.ascontiguousarray(a)


class _Out:
    """Destination buffer for tensor t: its own memory when possible, else a staging array
    copied back by `commit()`."""

    def __init__(self, t, shape=None):
        self.t = t
        a = _arr(t)
        self.a = a
        stage = _STAGE.get(a.dtype.name)
        direct = (stage is None and a.flags.c_contiguous and a.flags.writeable
                  and isinstance(t._data, np.ndarray))
        self.buf = a if direct else np.empty(a.shape, dtype=stage or a.dtype)
        self.direct = direct

    def commit(self, scale=None):
        if scale is not None:
            if np.issubdtype(self.buf.dtype, np.integer):
                self.buf //= scale
            else:
                self.buf /= scale
        if not self.direct:
            if isinstance(self.t._data, np.ndarray):
                self.t._data[...] = self.buf.astype(self.a.dtype, copy=False)
            else:
                self.t._data[...] = self.t._storage.device.xp.asarray(self.buf.astype(self.a.dtype))
        self.t._storage.version += 1


def _run(pg, reqs, finish, async_op, result=None):
    w = Work(reqs, pg, finish, result)
    if async_op:
        return w
    w.wait()
    return None


def _member(pg):
    return pg.comm is not None


def _check_same(pg, arr, what):
    """Raise a clear RuntimeError on every rank when ranks pass different sizes/dtypes."""
    mine = np.array([arr.size, arr.dtype.num], dtype=np.int64)
    allv = np.empty((pg.size(), 2), dtype=np.int64)
    Work([pg.comm.Iallgather(mine, allv)], pg).wait()
    if not (allv == allv[0]).all():
        raise RuntimeError(f"{what}: tensors differ across ranks (numel, dtype code per rank: "
                           f"{allv.tolist()}); every rank must pass the same shape and dtype")


def _scale(op, pg):
    return pg.size() if getattr(op, 'name', None) == 'AVG' else None


# ---------------------------------------------------------------- collectives

def all_reduce(tensor, op=ReduceOp.SUM, group=None, async_op=False):
    """Reduce `tensor` across the group in place on every rank."""
    pg = _pg(group)
    if not _member(pg):
        return None
    out = _Out(tensor)
    src = _send_buf(tensor)
    _check_same(pg, src, 'all_reduce')
    if out.direct:
        src = src.copy() if np.shares_memory(src, out.buf) else src
    req = pg.comm.Iallreduce(src, out.buf, _mpi_op(op))
    return _run(pg, [req], lambda: out.commit(_scale(op, pg)), async_op, [tensor])


def _all_reduce_unchecked(tensor, op, pg):
    out = _Out(tensor)
    src = _send_buf(tensor)
    src = src.copy() if np.shares_memory(src, out.buf) else src
    req = pg.comm.Iallreduce(src, out.buf, _mpi_op(op))
    return Work([req], pg, lambda: out.commit(_scale(op, pg)), [tensor])


def broadcast(tensor, src=None, group=None, async_op=False, group_src=None):
    """Copy rank `src`'s tensor into `tensor` on every rank."""
    pg = _pg(group)
    if not _member(pg):
        return None
    root = group_src if group_src is not None else pg._group_rank(src if src is not None else 0)
    out = _Out(tensor)
    _check_same(pg, out.buf, 'broadcast')
    if not out.direct:
        out.buf[...] = _send_buf(tensor)
    req = pg.comm.Ibcast(out.buf, root=root)
    return _run(pg, [req], out.commit, async_op, [tensor])


def reduce(tensor, dst=None, op=ReduceOp.SUM, group=None, async_op=False, group_dst=None):
    """Reduce into `tensor` on rank `dst` (other ranks' tensors are left unchanged)."""
    pg = _pg(group)
    if not _member(pg):
        return None
    root = group_dst if group_dst is not None else pg._group_rank(dst if dst is not None else 0)
    sbuf = _send_buf(tensor)
    _check_same(pg, sbuf, 'reduce')
    if pg.comm.Get_rank() == root:
        out = _Out(tensor)
        sbuf = sbuf.copy() if np.shares_memory(sbuf, out.buf) else sbuf
        req = pg.comm.Ireduce(sbuf, out.buf, _mpi_op(op), root=root)
        return _run(pg, [req], lambda: out.commit(_scale(op, pg)), async_op, [tensor])
    req = pg.comm.Ireduce(sbuf, None, _mpi_op(op), root=root)
    return _run(pg, [req], None, async_op, [tensor])


def _stacked(pg, sbuf):
    return np.empty((pg.size(),) + sbuf.shape, dtype=sbuf.dtype)


def all_gather(tensor_list, tensor, group=None, async_op=False):
    """tensor_list[i] <- rank i's tensor."""
    pg = _pg(group)
    if not _member(pg):
        return None
    if len(tensor_list) != pg.size():
        raise ValueError(f"all_gather: tensor_list has {len(tensor_list)} tensors for a group "
                         f"of {pg.size()}")
    sbuf = _send_buf(tensor)
    _check_same(pg, sbuf, 'all_gather')
    rbuf = _stacked(pg, sbuf)
    req = pg.comm.Iallgather(sbuf, rbuf)

    def finish():
        for i, t in enumerate(tensor_list):
            o = _Out(t)
            o.buf[...] = rbuf[i].reshape(o.buf.shape)
            o.commit()
    return _run(pg, [req], finish, async_op, tensor_list)


def all_gather_into_tensor(output_tensor, input_tensor, group=None, async_op=False):
    """output_tensor <- the ranks' inputs concatenated along dim 0 (or stacked)."""
    pg = _pg(group)
    if not _member(pg):
        return None
    sbuf = _send_buf(input_tensor)
    if output_tensor.numel() != sbuf.size * pg.size():
        raise ValueError("output tensor size must be equal to world_size times input size")
    _check_same(pg, sbuf, 'all_gather_into_tensor')
    out = _Out(output_tensor)
    req = pg.comm.Iallgather(sbuf, out.buf)
    return _run(pg, [req], out.commit, async_op, [output_tensor])


def gather(tensor, gather_list=None, dst=None, group=None, async_op=False, group_dst=None):
    """gather_list[i] <- rank i's tensor, on rank dst only."""
    pg = _pg(group)
    if not _member(pg):
        return None
    root = group_dst if group_dst is not None else pg._group_rank(dst if dst is not None else 0)
    sbuf = _send_buf(tensor)
    _check_same(pg, sbuf, 'gather')
    if pg.comm.Get_rank() == root:
        if gather_list is None or len(gather_list) != pg.size():
            raise ValueError("gather: the destination rank needs a gather_list with one tensor "
                             "per rank")
        rbuf = _stacked(pg, sbuf)
        req = pg.comm.Igather(sbuf, rbuf, root=root)

        def finish():
            for i, t in enumerate(gather_list):
                o = _Out(t)
                o.buf[...] = rbuf[i].reshape(o.buf.shape)
                o.commit()
        return _run(pg, [req], finish, async_op, gather_list)
    if gather_list:
        raise ValueError("Argument ``gather_list`` must NOT be specified on non-destination ranks.")
    return _run(pg, [pg.comm.Igather(sbuf, None, root=root)], None, async_op)


def scatter(tensor, scatter_list=None, src=None, group=None, async_op=False, group_src=None):
    """tensor <- scatter_list[my rank] of rank src."""
    pg = _pg(group)
    if not _member(pg):
        return None
    root = group_src if group_src is not None else pg._group_rank(src if src is not None else 0)
    out = _Out(tensor)
    if pg.comm.Get_rank() == root:
        if scatter_list is None or len(scatter_list) != pg.size():
            raise ValueError("scatter: the source rank needs a scatter_list with one tensor "
                             "per rank")
        sbuf = np.stack([_send_buf(t).reshape(out.buf.shape) for t in scatter_list])
    else:
        if scatter_list:
            raise ValueError("Argument ``scatter_list`` must NOT be specified on non-source ranks.")
        sbuf = None
    req = pg.comm.Iscatter(sbuf, out.buf, root=root)
    return _run(pg, [req], out.commit, async_op, [tensor])


def reduce_scatter_tensor(output, input, op=ReduceOp.SUM, group=None, async_op=False):
    """output <- reduction over ranks of chunk (my rank) of input (size world * output)."""
    pg = _pg(group)
    if not _member(pg):
        return None
    sbuf = _send_buf(input)
    out = _Out(output)
    if sbuf.size != out.buf.size * pg.size():
        raise ValueError("input tensor must be the same size as output size times world size")
    _check_same(pg, sbuf, 'reduce_scatter_tensor')
    req = pg.comm.Ireduce_scatter_block(sbuf, out.buf, _mpi_op(op))
    return _run(pg, [req], lambda: out.commit(_scale(op, pg)), async_op, [output])


def reduce_scatter(output, input_list, op=ReduceOp.SUM, group=None, async_op=False):
    """output <- reduction over ranks of input_list[my rank]."""
    pg = _pg(group)
    if not _member(pg):
        return None
    if len(input_list) != pg.size():
        raise ValueError("reduce_scatter: input_list needs one tensor per rank")
    out = _Out(output)
    sbuf = np.stack([_send_buf(t).reshape(out.buf.shape) for t in input_list])
    _check_same(pg, sbuf, 'reduce_scatter')
    req = pg.comm.Ireduce_scatter_block(sbuf, out.buf, _mpi_op(op))
    return _run(pg, [req], lambda: out.commit(_scale(op, pg)), async_op, [output])


def all_to_all_single(output, input, output_split_sizes=None, input_split_sizes=None,
                      group=None, async_op=False):
    """Split input along dim 0, send piece i to rank i, concatenate the received pieces."""
    pg = _pg(group)
    if not _member(pg):
        return None
    n = pg.size()
    sbuf = _send_buf(input)
    out = _Out(output)
    row_in = int(np.prod(sbuf.shape[1:])) if sbuf.ndim else 1
    row_out = int(np.prod(out.buf.shape[1:])) if out.buf.ndim else 1
    isz = list(input_split_sizes) if input_split_sizes else [sbuf.shape[0] // n] * n
    osz = list(output_split_sizes) if output_split_sizes else [out.buf.shape[0] // n] * n
    if sum(isz) != sbuf.shape[0] or sum(osz) != out.buf.shape[0]:
        raise ValueError("all_to_all_single: split sizes do not match the tensors' first dim")
    sc = [s * row_in for s in isz]
    rc = [s * row_out for s in osz]
    sd = np.concatenate([[0], np.cumsum(sc)[:-1]]).astype(int).tolist()
    rd = np.concatenate([[0], np.cumsum(rc)[:-1]]).astype(int).tolist()
    req = pg.comm.Ialltoallv([sbuf, (sc, sd)], [out.buf, (rc, rd)])
    return _run(pg, [req], out.commit, async_op, [output])


def all_to_all(output_tensor_list, input_tensor_list, group=None, async_op=False):
    """output_tensor_list[i] <- input_tensor_list[my rank] of rank i."""
    pg = _pg(group)
    if not _member(pg):
        return None
    parts = [_send_buf(t).ravel() for t in input_tensor_list]
    sbuf = np.concatenate(parts) if parts else np.empty(0)
    outs = [_Out(t) for t in output_tensor_list]
    dtype = outs[0].buf.dtype if outs else sbuf.dtype
    sbuf = sbuf.astype(dtype, copy=False)
    rbuf = np.empty(sum(o.buf.size for o in outs), dtype=dtype)
    sc = [p.size for p in parts]
    rc = [o.buf.size for o in outs]
    sd = np.concatenate([[0], np.cumsum(sc)[:-1]]).astype(int).tolist()
    rd = np.concatenate([[0], np.cumsum(rc)[:-1]]).astype(int).tolist()
    req = pg.comm.Ialltoallv([sbuf, (sc, sd)], [rbuf, (rc, rd)])

    def finish():
        for o, off, c in zip(outs, rd, rc):
            o.buf[...] = rbuf[off:off + c].reshape(o.buf.shape)
            o.commit()
    return _run(pg, [req], finish, async_op, output_tensor_list)


def barrier(group=None, async_op=False, device_ids=None):
    pg = _pg(group)
    if not _member(pg):
        return None
    return _run(pg, [pg.comm.Ibarrier()], None, async_op)


def monitored_barrier(group=None, timeout=None, wait_all_ranks=False):
    pg = _pg(group)
    Work([pg.comm.Ibarrier()], pg).wait(timeout)


def isend(tensor, dst=None, group=None, tag=0, group_dst=None):
    pg = _pg(group)
    peer = group_dst if group_dst is not None else pg._group_rank(dst)
    sbuf = _send_buf(tensor)
    return Work([pg.comm.Isend(sbuf, dest=peer, tag=tag)], pg, result=[tensor])


def irecv(tensor, src=None, group=None, tag=0, group_src=None):
    MPI = _MPI()
    pg = _pg(group)
    if group_src is not None:
        peer = group_src
    else:
        peer = MPI.ANY_SOURCE if src is None else pg._group_rank(src)
    out = _Out(tensor)
    status = MPI.Status()
    req = pg.comm.Irecv(out.buf, source=peer, tag=tag)

    def finish():
        out.commit()
        return pg.ranks[status.Get_source()]
    w = Work([req], pg, finish, [tensor])
    w._test = lambda: req.Test(status)  # keeps the sender in `status`
    return w


def send(tensor, dst=None, group=None, tag=0, group_dst=None):
    isend(tensor, dst, group, tag, group_dst).wait()


def recv(tensor, src=None, group=None, tag=0, group_src=None):
    """Receive into tensor; returns the sender's rank."""
    w = irecv(tensor, src, group, tag, group_src)
    w.wait()
    return w._ret


from ._objects import (all_gather_object, gather_object, broadcast_object_list,  # noqa: E402
                       scatter_object_list)
