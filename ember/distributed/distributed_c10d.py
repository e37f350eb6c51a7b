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


from .collectives import (barrier, monitored_barrier, all_reduce, broadcast, reduce,  # noqa: E402,F401
                          all_gather, all_gather_into_tensor, gather, scatter, reduce_scatter,
                          reduce_scatter_tensor, all_to_all, all_to_all_single, send, recv, isend,
                          irecv, _all_reduce_unchecked)
# (_all_reduce_unchecked: DDP's buckets and SyncBatchNorm skip the per-call shape check)
from ._objects import (all_gather_object, gather_object, broadcast_object_list,  # noqa: E402
                       scatter_object_list)
