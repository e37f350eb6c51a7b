"""Object collectives (all_gather_object, broadcast_object_list, ...): pickled bytes moved
by MPI's non-blocking collectives (so they honour the group timeout too)."""
import pickle

import numpy as np

from .distributed_c10d import Work, _pg
from .collectives import _member


def _obj_bytes(obj):
    return np.frombuffer(pickle.dumps(obj), dtype=np.uint8)


def _allgather_bytes(pg, data):
    sizes = np.empty(pg.size(), dtype=np.int64)
    Work([pg.comm.Iallgather(np.array([data.size], dtype=np.int64), sizes)], pg).wait()
    rbuf = np.empty(int(sizes.sum()), dtype=np.uint8)
    disp = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(int).tolist()
    Work([pg.comm.Iallgatherv(data, [rbuf, (sizes.tolist(), disp)])], pg).wait()
    return [rbuf[d:d + s].tobytes() for d, s in zip(disp, sizes.tolist())]


def all_gather_object(object_list, obj, group=None):
    """object_list[i] <- rank i's picklable obj."""
    pg = _pg(group)
    if not _member(pg):
        return
    for i, b in enumerate(_allgather_bytes(pg, _obj_bytes(obj))):
        object_list[i] = pickle.loads(b)


def gather_object(obj, object_gather_list=None, dst=None, group=None, group_dst=None):
    pg = _pg(group)
    if not _member(pg):
        return
    root = group_dst if group_dst is not None else pg._group_rank(dst if dst is not None else 0)
    blobs = _allgather_bytes(pg, _obj_bytes(obj))
    if pg.comm.Get_rank() == root:
        for i, b in enumerate(blobs):
            object_gather_list[i] = pickle.loads(b)


def broadcast_object_list(object_list, src=None, group=None, device=None, group_src=None):
    """object_list <- rank src's object_list (in place)."""
    pg = _pg(group)
    if not _member(pg):
        return
    root = group_src if group_src is not None else pg._group_rank(src if src is not None else 0)
    me = pg.comm.Get_rank() == root
    data = _obj_bytes(list(object_list)) if me else None
    size = np.array([data.size if me else 0], dtype=np.int64)
    Work([pg.comm.Ibcast(size, root=root)], pg).wait()
    buf = data if me else np.empty(int(size[0]), dtype=np.uint8)
    Work([pg.comm.Ibcast(buf, root=root)], pg).wait()
    if not me:
        object_list[:] = pickle.loads(buf.tobytes())


def scatter_object_list(scatter_object_output_list, scatter_object_input_list=None, src=None,
                        group=None, group_src=None):
    pg = _pg(group)
    if not _member(pg):
        return
    root = group_src if group_src is not None else pg._group_rank(src if src is not None else 0)
    lst = [list(scatter_object_input_list) if pg.comm.Get_rank() == root else None]
    broadcast_object_list(lst, group_src=root, group=group)
    scatter_object_output_list[0] = lst[0][pg.comm.Get_rank()]
