"""ember.multiprocessing: tensors in shared memory seen across fork/spawn children, tensors
passed through queues by reference, Module.share_memory keeping Parameter identity,
Hogwild training from two processes, and no leaked descriptors or segment files."""
import gc
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _mp_workers as W  # noqa: E402

import ember  # noqa: E402
import ember.multiprocessing as mp  # noqa: E402

METHODS = ['fork', 'spawn']


def _run(ctx, target, *args):
    p = ctx.Process(target=target, args=args)
    p.start()
    p.join(60)
    assert p.exitcode == 0


def test_share_memory_in_place_keeps_identity_and_values():
    t = ember.arange(12.).reshape(3, 4)
    storage, version = t._storage, t._version
    assert not t.is_shared()
    assert t.share_memory_() is t
    assert t.is_shared() and t._storage is storage and t._version == version
    assert t.tolist() == ember.arange(12.).reshape(3, 4).tolist()
    t.add_(1)
    assert t._version == version + 1 and t[0, 0].item() == 1.0
    assert t.share_memory_() is t      # second call: no-op


def test_share_memory_of_view_moves_its_base():
    base = ember.arange(6.)
    v = base[2:5]
    v.share_memory_()
    assert v.is_shared() and base.is_shared()
    v.fill_(0)
    assert base.tolist() == [0., 1., 0., 0., 0., 5.]


def test_share_memory_odd_layouts():
    for t in [ember.arange(6.).reshape(2, 3).t(), ember.tensor(3), ember.empty(0, 3),
              ember.arange(10, dtype=ember.int64).flip(0), ember.tensor([True, False])]:
        want = t.tolist()
        t.share_memory_()
        assert t.is_shared() and t.tolist() == want


def test_module_share_memory_keeps_parameters():
    m = ember.nn.Sequential(ember.nn.Linear(3, 4), ember.nn.BatchNorm1d(4))
    params = list(m.parameters())
    before = [p.detach().clone() for p in params]
    assert m.share_memory() is m
    assert [id(p) for p in m.parameters()] == [id(p) for p in params]
    assert all(p.is_shared() and p.requires_grad for p in params)
    assert all(b.is_shared() for b in m.buffers())
    assert all(ember.equal(p, b) for p, b in zip(params, before))
    m(ember.randn(5, 3)).sum().backward()
    assert params[0].grad is not None


def test_cuda_like_and_plain_pickle_copy():
    import pickle
    t = ember.ones(3).share_memory_()
    u = pickle.loads(pickle.dumps(t))     # plain pickle copies, as torch
    u.fill_(5)
    assert t.tolist() == [1., 1., 1.]


@pytest.mark.parametrize('method', METHODS)
def test_child_write_seen_by_parent(method):
    ctx = mp.get_context(method)
    t = ember.zeros(4, 5).share_memory_()
    _run(ctx, W.fill, t, 7.0)
    assert t.tolist() == [[7.0] * 5] * 4


@pytest.mark.parametrize('method', METHODS)
def test_unshared_tensor_is_shared_when_sent(method):
    ctx = mp.get_context(method)
    t = ember.zeros(3, 3)
    if method == 'spawn':      # pickled at start: moved into shared memory like torch
        _run(ctx, W.view_write, t)
        assert t.is_shared()
        assert t.tolist() == [[0., 0., 0.], [0., -0., -0.], [0., -0., -0.]]
    t = ember.ones(3, 3).share_memory_()
    _run(ctx, W.view_write, t)
    assert t.tolist() == [[1., 1., 1.], [1., -1., -1.], [1., -1., -1.]]


@pytest.mark.parametrize('method', METHODS)
def test_queue_round_trip_by_reference(method):
    ctx = mp.get_context(method)
    q_in, q_out = ctx.Queue(), ctx.Queue()
    p = ctx.Process(target=W.add_rows, args=(q_in, q_out))
    p.start()
    t = ember.zeros(2, 3)
    q_in.put(t)
    back, shared_in_child = q_out.get(timeout=60)
    q_in.put(None)
    p.join(60)
    assert p.exitcode == 0 and shared_in_child
    assert t.tolist() == [[10.] * 3, [0.] * 3]          # the child's write is seen here
    back[1] += 1                                         # and the returned tensor aliases t
    assert t.tolist() == [[10.] * 3, [1.] * 3]


def test_non_leaf_requiring_grad_refuses():
    ctx = mp.get_context('spawn')
    q = ctx.Queue()
    x = ember.ones(2, requires_grad=True) * 2
    with pytest.raises(RuntimeError, match='Cowardly refusing'):
        from multiprocessing.reduction import ForkingPickler
        ForkingPickler.dumps(x)
    q.close()


@pytest.mark.parametrize('method', ['fork', 'spawn'])
def test_hogwild_two_processes_loss_falls(method):
    ember.manual_seed(0)
    x = ember.randn(256, 4)
    y = x @ ember.tensor([[1.5], [-2.0], [0.5], [3.0]]) + 0.25
    model = ember.nn.Linear(4, 1)
    model.share_memory()
    loss0 = ember.nn.functional.mse_loss(model(x), y).item()
    ctx = mp.get_context(method)
    procs = [ctx.Process(target=W.hogwild, args=(r, model, x, y, 60)) for r in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    with ember.no_grad():
        loss1 = ember.nn.functional.mse_loss(model(x), y).item()
    assert loss1 < 0.05 * loss0


def test_hogwild_with_spawn_helper():
    model = ember.nn.Linear(4, 1)
    model.share_memory()
    w0 = model.weight.detach().clone()
    x = ember.randn(64, 4)
    y = x.sum(1, keepdim=True)
    mp.spawn(W.hogwild, args=(model, x, y, 5), nprocs=2)
    assert not ember.equal(model.weight.detach(), w0)


def _open_fds():
    return len(os.listdir('/proc/self/fd'))


def _segment_files():
    d = mp._shared_memory.shm_dir()
    return {f for f in os.listdir(d) if f.startswith('ember')}


@pytest.mark.skipif(not os.path.isdir('/proc/self/fd'), reason='needs /proc')
def test_no_leaked_segments():
    ctx = mp.get_context('spawn')
    gc.collect()
    fds, files = _open_fds(), _segment_files()
    ts = [ember.randn(100).share_memory_() for _ in range(20)]
    assert _open_fds() >= fds + 20
    _run(ctx, W.fill, ts[0], 1.0)
    del ts
    gc.collect()
    assert _open_fds() <= fds
    assert _segment_files() <= files
