"""Rank bodies for tests/distributed (imported by child processes; each raises on failure)."""
import os
from datetime import timedelta

import numpy as np


def _init(rank, world, method='env://'):
    import ember.distributed as dist
    dist.init_process_group('gloo', init_method=method, rank=rank, world_size=world,
                            timeout=timedelta(seconds=60))   # generous: 3 ranks share 2 cores in CI
    return dist


def _close(a, b, tol=1e-6):
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=tol, atol=tol)


def collectives(rank, world, method='env://'):
    import ember
    import ember.distributed as dist
    assert dist.is_initialized() and dist.get_rank() == rank and dist.get_world_size() == world
    assert dist.get_backend() == 'gloo'
    base = [np.arange(6, dtype=np.float64).reshape(2, 3) + 10 * r + 1 for r in range(world)]
    mine = base[rank]
    for name, ref in [('SUM', sum(base)), ('AVG', sum(base) / world),
                      ('PRODUCT', np.prod(base, 0)), ('MIN', np.min(base, 0)),
                      ('MAX', np.max(base, 0))]:
        t = ember.tensor(mine.copy())
        dist.all_reduce(t, op=getattr(dist.ReduceOp, name))
        _close(t.numpy(), ref)
    ints = [np.array([1, 2, 4 + r], dtype=np.int64) << r for r in range(world)]
    for name, fn in [('BAND', np.bitwise_and), ('BOR', np.bitwise_or), ('BXOR', np.bitwise_xor)]:
        t = ember.tensor(ints[rank].copy())
        dist.all_reduce(t, op=getattr(dist.ReduceOp, name))
        assert (t.numpy() == fn.reduce(ints, 0)).all()
    # non-contiguous in place (a transposed view) and async work
    t = ember.tensor(mine.copy()).t()
    w = dist.all_reduce(t, async_op=True)
    w.wait()
    assert w.is_completed()
    _close(t.numpy(), sum(base).T)
    t = ember.tensor(mine.copy(), dtype=ember.float32).half()
    dist.all_reduce(t)
    _close(t.float().numpy(), sum(base), 1e-2)
    # broadcast
    t = ember.tensor(mine.copy())
    dist.broadcast(t, src=world - 1)
    _close(t.numpy(), base[-1])
    # reduce
    t = ember.tensor(mine.copy())
    dist.reduce(t, dst=0, op=dist.ReduceOp.MAX)
    _close(t.numpy(), np.max(base, 0) if rank == 0 else mine)
    # all_gather / all_gather_into_tensor
    outs = [ember.zeros(2, 3, dtype=ember.float64) for _ in range(world)]
    dist.all_gather(outs, ember.tensor(mine.copy()))
    for o, b in zip(outs, base):
        _close(o.numpy(), b)
    out = ember.zeros(2 * world, 3, dtype=ember.float64)
    dist.all_gather_into_tensor(out, ember.tensor(mine.copy()))
    _close(out.numpy(), np.concatenate(base))
    # gather / scatter
    gl = [ember.zeros(2, 3, dtype=ember.float64) for _ in range(world)] if rank == 1 else None
    dist.gather(ember.tensor(mine.copy()), gl, dst=1)
    if rank == 1:
        for o, b in zip(gl, base):
            _close(o.numpy(), b)
    t = ember.zeros(2, 3, dtype=ember.float64)
    dist.scatter(t, [ember.tensor(b) for b in base] if rank == 0 else None, src=0)
    _close(t.numpy(), base[rank])
    # reduce_scatter
    inp = [np.full((2,), 100 * rank + j, dtype=np.float64) for j in range(world)]
    per = [[np.full((2,), 100 * r + j, dtype=np.float64) for j in range(world)]
           for r in range(world)]
    out = ember.zeros(2, dtype=ember.float64)
    dist.reduce_scatter(out, [ember.tensor(x) for x in inp])
    _close(out.numpy(), sum(p[rank] for p in per))
    out = ember.zeros(2, dtype=ember.float64)
    dist.reduce_scatter_tensor(out, ember.tensor(np.concatenate(inp)), op=dist.ReduceOp.AVG)
    _close(out.numpy(), sum(p[rank] for p in per) / world)
    # all_to_all(_single)
    t = ember.tensor(np.arange(world, dtype=np.float64) + 10 * rank)
    o = ember.zeros(world, dtype=ember.float64)
    dist.all_to_all_single(o, t)
    _close(o.numpy(), np.arange(world) * 10 + rank)
    ins = [ember.full((j + 1,), float(10 * rank + j), dtype=ember.float64) for j in range(world)]
    outs = [ember.zeros(rank + 1, dtype=ember.float64) for _ in range(world)]
    dist.all_to_all(outs, ins)
    for j, o in enumerate(outs):
        _close(o.numpy(), np.full(rank + 1, 10 * j + rank))
    # point to point: a ring
    nxt, prv = (rank + 1) % world, (rank - 1) % world
    buf = ember.zeros(3, dtype=ember.float64)
    s = dist.isend(ember.tensor(mine[0].copy()), dst=nxt)
    r = dist.irecv(buf, src=prv)
    s.wait()
    r.wait()
    _close(buf.numpy(), base[prv][0])
    if rank == 0:
        dist.send(ember.tensor([7.0]), dst=1)
    elif rank == 1:
        got = ember.zeros(1)
        assert dist.recv(got) == 0 and got.item() == 7.0
    # objects
    objs = [None] * world
    dist.all_gather_object(objs, {'rank': rank, 'sq': rank * rank})
    assert objs == [{'rank': r, 'sq': r * r} for r in range(world)]
    lst = [1, 'a', {'x': 3}] if rank == 0 else [None, None, None]
    dist.broadcast_object_list(lst, src=0)
    assert lst == [1, 'a', {'x': 3}]
    # sub-group
    g = dist.new_group([0, world - 1])
    t = ember.tensor([float(rank)])
    if rank in (0, world - 1):
        dist.all_reduce(t, group=g)
        assert t.item() == world - 1 and dist.get_world_size(g) == 2
    else:
        assert g == dist.GroupMember.NON_GROUP_MEMBER
    # mismatched shapes: a clear error on every rank
    try:
        dist.all_reduce(ember.ones(2 + rank))
    except RuntimeError as e:
        assert 'differ across ranks' in str(e)
    else:
        raise AssertionError("mismatched shapes did not raise")
    # sampler picks the group up
    from ember.utils.data import DistributedSampler
    parts = [None] * world
    s = DistributedSampler(list(range(11)), shuffle=True, seed=3)
    s.set_epoch(1)
    dist.all_gather_object(parts, list(s))
    assert s.num_replicas == world and s.rank == rank
    flat = sorted(i for p in parts for i in p)
    assert set(flat) == set(range(11)) and len(flat) == len(s) * world
    dist.barrier()


def _model(seed=0, bn=False):
    import ember
    import ember.nn as nn
    ember.manual_seed(seed)
    layers = [nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 2)]
    if bn:
        layers.insert(1, nn.BatchNorm1d(8))
    return nn.Sequential(*layers)


def _data(n=12):
    rng = np.random.default_rng(0)
    return rng.standard_normal((n, 4)), rng.standard_normal((n, 2))


def _reference(steps, n_per_rank, world, bn=False):
    """Single-process training on the concatenated batch."""
    import ember
    import ember.nn.functional as F
    model = _model(bn=bn)
    opt = ember.optim.SGD(model.parameters(), lr=0.1)
    x, y = _data(n_per_rank * world)
    for _ in range(steps):
        opt.zero_grad()
        F.mse_loss(model(ember.tensor(x, dtype=ember.float32)),
                   ember.tensor(y, dtype=ember.float32)).backward()
        opt.step()
    return [p.detach().numpy().copy() for p in model.parameters()]


def ddp(rank, world, method='env://'):
    import ember
    import ember.nn.functional as F
    from ember.nn.parallel import DistributedDataParallel as DDP
    from ember.distributed.algorithms.ddp_comm_hooks import default_hooks
    import ember.distributed as dist
    n = 4
    x, y = _data(n * world)
    xs = ember.tensor(x[rank * n:(rank + 1) * n], dtype=ember.float32)
    ys = ember.tensor(y[rank * n:(rank + 1) * n], dtype=ember.float32)
    ref = _reference(3, n, world)
    for hook in [None, default_hooks.allreduce_hook, default_hooks.fp16_compress_hook]:
        model = _model(seed=rank)  # different init: DDP must broadcast rank 0's
        m = DDP(model, bucket_cap_mb=0.0001)  # several buckets
        assert len(m._buckets) > 1
        if hook is not None:
            m.register_comm_hook(None, hook)
        opt = ember.optim.SGD(m.parameters(), lr=0.1)
        for _ in range(3):
            opt.zero_grad()
            F.mse_loss(m(xs), ys).backward()
            opt.step()
        tol = 1e-5 if hook is not default_hooks.fp16_compress_hook else 2e-3
        for p, r in zip(m.module.parameters(), ref):
            _close(p.detach().numpy(), r, tol)
    assert all(k.startswith('module.') for k in m.state_dict())
    # no_sync: two half-batches accumulated locally, then a synced step == one full step
    model = DDP(_model())
    opt = ember.optim.SGD(model.parameters(), lr=0.1)
    with model.no_sync():
        (F.mse_loss(model(xs[:2]), ys[:2]) / 2).backward()
    g_local = [p.grad.numpy().copy() for p in model.parameters()]
    gathered = [None] * world
    dist.all_gather_object(gathered, g_local[0])
    assert rank == 0 or not np.allclose(gathered[0], gathered[rank])  # not synced yet
    (F.mse_loss(model(xs[2:]), ys[2:]) / 2).backward()
    opt.step()
    ref = _reference(1, n, world)
    for p, r in zip(model.module.parameters(), ref):
        _close(p.detach().numpy(), r, 1e-5)
    # join with uneven inputs: rank r runs r + 1 steps
    model = DDP(_model())
    opt = ember.optim.SGD(model.parameters(), lr=0.1)
    with model.join():
        for i in range(rank + 1):
            opt.zero_grad()
            F.mse_loss(model(xs), ys).backward()
            opt.step()
    ps = [None] * world
    dist.all_gather_object(ps, [p.detach().numpy() for p in model.parameters()])
    for other in ps:
        for a, b in zip(other, ps[-1]):
            _close(a, b, 0)


def syncbn(rank, world, method='env://'):
    import ember
    import ember.nn as nn
    import ember.distributed as dist
    rng = np.random.default_rng(1)
    full = rng.standard_normal((4 * world, 3, 5)) * 2 + 1
    mine = full[4 * rank:4 * (rank + 1)]
    bn = nn.BatchNorm1d(3).double()
    sbn = nn.SyncBatchNorm.convert_sync_batchnorm(nn.Sequential(nn.BatchNorm1d(3))).double()
    xf = ember.tensor(full, requires_grad=True)
    w = ember.tensor(rng.standard_normal(full.shape))
    (bn(xf) * w).sum().backward()
    xm = ember.tensor(mine.copy(), requires_grad=True)
    (sbn(xm) * w[4 * rank:4 * (rank + 1)]).sum().backward()
    _close(sbn(xm).detach().numpy() if False else sbn[0].running_mean.numpy(),
           bn.running_mean.numpy(), 1e-10)
    _close(sbn[0].running_var.numpy(), bn.running_var.numpy(), 1e-10)
    _close(xm.grad.numpy(), xf.grad.numpy()[4 * rank:4 * (rank + 1)], 1e-8)
    g = sbn[0].weight.grad.clone()
    dist.all_reduce(g)
    _close(g.numpy(), bn.weight.grad.numpy(), 1e-8)
    out = sbn(xm)
    ref = bn(xf)
    _close(out.detach().numpy(), ref.detach().numpy()[4 * rank:4 * (rank + 1)], 1e-8)


def early_exit(rank, world, method='env://'):
    import ember
    dist = _init(rank, world, method)
    dist.barrier()
    if rank == 1:
        return
    import time
    t0 = time.monotonic()
    dist.distributed_c10d._default().timeout = timedelta(seconds=2)
    try:
        dist.all_reduce(ember.ones(3))
    except RuntimeError as e:
        assert 'timed out' in str(e), e
        assert time.monotonic() - t0 < 10
    else:
        raise AssertionError("no timeout")


def all_in_one(rank, world, method='env://', parts=('collectives', 'ddp', 'syncbn')):
    dist = _init(rank, world, method)
    for p in parts:
        globals()[p](rank, world)
    dist.destroy_process_group()
    assert not dist.is_initialized()


def _unused(rank, world, method='env://'):
    collectives(rank, world, method)
    ddp(rank, world, method)
    syncbn(rank, world, method)


def boom(rank):
    if rank == 1:
        raise ValueError("boom")
