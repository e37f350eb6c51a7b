"""Collectives and point-to-point ops of ember.distributed, on MPI's non-blocking calls.

Buffers are the tensors' own memory when contiguous (zero-copy); float16/bfloat16/bool are
staged through a wider type MPI can reduce. Every call returns a Work (wait() polls the MPI
requests and raises after the group's timeout instead of hanging).
"""
import numpy as np

from .distributed_c10d import ReduceOp, Work, _MPI, _mpi_op, _pg

__all__ = ['barrier', 'monitored_barrier', 'all_reduce', 'broadcast', 'reduce', 'all_gather',
           'all_gather_into_tensor', 'gather', 'scatter', 'reduce_scatter', 'reduce_scatter_tensor',
           'all_to_all', 'all_to_all_single', 'send', 'recv', 'isend', 'irecv']


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
    """Receive into tensor; src=None takes the first message from any rank.

    A receive from "any rank" does not post MPI_ANY_SOURCE: MPICH sometimes never matches a
    wildcard receive between ranks joined with Connect/Accept (seen with 3 ranks). Instead
    each poll probes the group's ranks one by one and then receives from the one that sent.
    """
    MPI = _MPI()
    pg = _pg(group)
    out = _Out(tensor)
    status = MPI.Status()
    if group_src is not None or src is not None:
        peer = group_src if group_src is not None else pg._group_rank(src)
        req = pg.comm.Irecv(out.buf, source=peer, tag=tag)
        reqs = [req]
    else:
        req = None
        reqs = []
    state = {'req': req}

    def test():
        if state['req'] is None:
            me = pg.comm.Get_rank()
            for r in range(pg.comm.Get_size()):
                if r != me and pg.comm.Iprobe(source=r, tag=tag):
                    state['req'] = pg.comm.Irecv(out.buf, source=r, tag=tag)
                    reqs.append(state['req'])
                    break
            else:
                return False
        return state['req'].Test(status)

    def finish():
        out.commit()
        return pg.ranks[status.Get_source()]
    w = Work(reqs, pg, finish, [tensor])
    w._test = test  # keeps the sender in `status`
    return w


def send(tensor, dst=None, group=None, tag=0, group_dst=None):
    isend(tensor, dst, group, tag, group_dst).wait()


def recv(tensor, src=None, group=None, tag=0, group_src=None):
    """Receive into tensor; returns the sender's rank."""
    w = irecv(tensor, src, group, tag, group_src)
    w.wait()
    return w._ret


