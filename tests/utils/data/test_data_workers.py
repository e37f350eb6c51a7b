"""DataLoader with real worker processes: ordering, seeding, sharding, failures, cleanup."""
import gc
import glob
import multiprocessing
import os
import sys
import time

import pytest

sys.path.insert(0, os.path.dirname(__file__))
import ember  # noqa: E402
import ember.utils.data as edata  # noqa: E402
import ember_data_helpers as H  # noqa: E402


def _segments():
    # only this process's loaders (segment names start with the parent pid): other test
    # processes running in parallel have their own
    return set(glob.glob(f'/dev/shm/ember_dl_{os.getpid()}_*'))


@pytest.fixture(autouse=True)
def _no_leaks():
    before = _segments()
    yield
    gc.collect()
    assert multiprocessing.active_children() == []
    assert _segments() - before == set()


def _gone(pids, timeout=3.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        alive = []
        for pid in pids:
            try:
                os.kill(pid, 0)
                alive.append(pid)
            except ProcessLookupError:
                pass
        if not alive:
            return True
        time.sleep(0.02)
    return False


def _flat(batches):
    return [(b[0].tolist(), b[1].tolist()) for b in batches]


def test_workers_match_single_process():
    ds = H.RangeDataset(13)
    ref = _flat(edata.DataLoader(ds, batch_size=3))
    out = list(edata.DataLoader(ds, batch_size=3, num_workers=2))
    assert _flat(out) == ref
    assert out[0][0].dtype == ember.float32 and out[0][1].dtype == ember.int64
    # the batch tensors are writable and independent
    out[0][0].add_(1)
    assert out[0][0].tolist()[0] == [1.0, 1.0]


def test_order_preserved_with_uneven_worker_speed():
    out = list(edata.DataLoader(H.SlowEvenDataset(10), batch_size=1, num_workers=2, prefetch_factor=3))
    assert [b[1].item() for b in out] == list(range(10))


def test_out_of_order_delivery_covers_everything():
    out = list(edata.DataLoader(H.SlowEvenDataset(8), batch_size=1, num_workers=2, in_order=False))
    assert sorted(b[1].item() for b in out) == list(range(8))


def test_batch_size_none_and_shuffle_with_workers():
    out = list(edata.DataLoader(H.RangeDataset(5), batch_size=None, num_workers=2))
    assert [o[1] for o in out] == list(range(5)) and isinstance(out[0][0], ember.Tensor)
    g = ember.Generator().manual_seed(3)
    idx = [i for b in edata.DataLoader(H.RangeDataset(11), batch_size=4, shuffle=True,
                                       num_workers=2, generator=g) for i in b[1].tolist()]
    assert sorted(idx) == list(range(11))
    g = ember.Generator().manual_seed(3)
    ref = [i for b in edata.DataLoader(H.RangeDataset(11), batch_size=4, shuffle=True, generator=g)
           for i in b[1].tolist()]
    assert idx == ref


def test_worker_info_seeding_and_init_fn():
    def run():
        g = ember.Generator().manual_seed(5)
        return list(edata.DataLoader(H.InfoDataset(4), batch_size=None, num_workers=2,
                                     worker_init_fn=H.init_fn, generator=g))
    a, b = run(), run()
    assert [s['id'] for s in a] == [0, 1, 0, 1]
    assert all(s['num_workers'] == 2 and s['same_dataset'] for s in a)
    assert [s['init'] for s in a] == ['init0', 'init1', 'init0', 'init1']
    assert a[1]['seed'] == a[0]['seed'] + 1
    assert a[0]['pid'] != a[1]['pid'] and os.getpid() not in (a[0]['pid'], a[1]['pid'])
    for key in ('py', 'np', 'ember'):
        assert a[0][key] != a[1][key]                      # distinct per worker
        assert [s[key] for s in a] == [s[key] for s in b]  # reproducible from the generator
    assert edata.get_worker_info() is None


def test_worker_info_is_frozen():
    info = edata.WorkerInfo(id=0, num_workers=1, seed=3, dataset=None)
    with pytest.raises(RuntimeError, match="Cannot assign attributes to WorkerInfo objects"):
        info.id = 1
    assert repr(info) == "WorkerInfo(id=0, num_workers=1, seed=3, dataset=None)"


def test_iterable_dataset_sharding():
    out = [i for b in edata.DataLoader(H.ShardedIterable(0, 10), batch_size=2, num_workers=2)
           for i in b.tolist()]
    assert sorted(out) == list(range(10))
    out = list(edata.DataLoader(H.ShardedIterable(0, 5), batch_size=None, num_workers=2))
    assert sorted(out) == list(range(5))
    dl = edata.DataLoader(H.ShardedIterable(0, 7), batch_size=2, num_workers=2, drop_last=True)
    assert all(len(b) == 2 for b in dl)


def test_worker_exception_is_reraised():
    with pytest.raises(ValueError) as ei:
        list(edata.DataLoader(H.FailingDataset(8), batch_size=2, num_workers=2))
    msg = str(ei.value)
    assert "Caught ValueError in DataLoader worker process 0." in msg
    assert "Original Traceback (most recent call last):" in msg and "bad sample 5" in msg
    assert "ember_data_helpers.py" in msg
    it = iter(edata.DataLoader(H.FailingDataset(8), batch_size=2, num_workers=2))
    got = []
    for _ in range(4):                      # as in torch, the iterator goes on after the error
        try:
            got.append(next(it)[1].tolist())
        except ValueError:
            got.append('error')
    assert got == [[0, 1], [2, 3], 'error', [6, 7]]


def test_worker_keyerror_and_init_error():
    with pytest.raises(KeyError, match="Caught KeyError in DataLoader worker process"):
        next(iter(edata.DataLoader(H.KeyErrorDataset(4), num_workers=1)))
    with pytest.raises(TypeError, match="init failed in"):
        list(edata.DataLoader(H.RangeDataset(4), num_workers=2, worker_init_fn=H.bad_init_fn))


@pytest.mark.parametrize("ds", [H.KilledDataset, H.ExitDataset])
def test_dead_worker_raises_with_pid(ds):
    it = iter(edata.DataLoader(ds(8), batch_size=1, num_workers=2))
    pids = list(it._worker_pids)
    t0 = time.monotonic()
    with pytest.raises(RuntimeError, match=r"DataLoader worker \(pid\(s\) \d+\) exited unexpectedly") as ei:
        list(it)
    assert time.monotonic() - t0 < 3
    assert any(str(p) in str(ei.value) for p in pids)
    if ds is H.KilledDataset:
        assert "killed by signal" in str(ei.value.__cause__)
    del it
    assert _gone(pids)


def test_timeout():
    it = iter(edata.DataLoader(H.SleepyDataset(4), num_workers=1, timeout=0.2))
    pids = list(it._worker_pids)
    with pytest.raises(RuntimeError, match=r"DataLoader timed out after 0.2 seconds"):
        next(it)
    assert _gone(pids)


def test_persistent_workers_across_epochs():
    dl = edata.DataLoader(H.InfoDataset(4), batch_size=None, num_workers=2, persistent_workers=True)
    e1 = [s['pid'] for s in dl]
    it = dl._iterator
    e2 = [s['pid'] for s in dl]
    assert dl._iterator is it and e1 == e2
    half = iter(dl)
    next(half)                                  # abandon mid-epoch, then start again
    e3 = [s['pid'] for s in dl]
    assert e3 == e1
    pids = list(it._worker_pids)
    assert all(not _gone([p], 0.0) for p in pids)
    del dl, it, half
    gc.collect()
    assert _gone(pids)


def test_persistent_iterable_dataset_resets():
    dl = edata.DataLoader(H.ShardedIterable(0, 6), batch_size=2, num_workers=2, persistent_workers=True)
    for _ in range(2):
        assert sorted(i for b in dl for i in b.tolist()) == list(range(6))
    del dl
    gc.collect()


def test_iterator_deletion_mid_epoch_shuts_workers_down():
    it = iter(edata.DataLoader(H.RangeDataset(64), batch_size=2, num_workers=2, prefetch_factor=4))
    next(it)
    pids = list(it._worker_pids)
    assert len(multiprocessing.active_children()) == 2
    del it
    gc.collect()
    assert _gone(pids)


def test_exhaustion_shuts_workers_down():
    it = iter(edata.DataLoader(H.RangeDataset(4), batch_size=2, num_workers=2))
    pids = list(it._worker_pids)
    list(it)
    assert it._shutdown and _gone(pids)


def test_non_collated_tensors_cross_through_shared_memory():
    out = list(edata.DataLoader(H.RangeDataset(3), batch_size=None, num_workers=1,
                                collate_fn=lambda s: (s[0].t() if s[0].dim() > 1 else s[0] * 2, s[1])))
    assert [o[0].tolist() for o in out] == [[0.0, 0.0], [2.0, 2.0], [4.0, 4.0]]


@pytest.mark.slow
@pytest.mark.parametrize("method", ['spawn', 'forkserver'])
def test_spawn_and_forkserver_contexts(method):
    dl = edata.DataLoader(H.RangeDataset(6), batch_size=2, num_workers=2, multiprocessing_context=method,
                          worker_init_fn=H.init_fn)
    assert _flat(dl) == _flat(edata.DataLoader(H.RangeDataset(6), batch_size=2))


def test_shared_memory_transport_round_trip():
    from ember.utils.data import _worker
    big = ember.arange(200000, dtype=ember.float64).reshape(400, 500)
    payload = _worker._dumps({'a': big, 'b': [big[1:3].t(), 'text'], 'e': ember.zeros(0, 3)})
    assert len(payload) < 2000                  # the data went through shared memory
    out = _worker._loads(payload)
    assert out['a'].tolist() == big.tolist() and out['a'].dtype == ember.float64
    assert out['b'][0].tolist() == big[1:3].t().tolist() and out['b'][1] == 'text'
    assert tuple(out['e'].shape) == (0, 3)
    out['a'].add_(1)                            # owned, writable memory
    assert out['a'][0, 0].item() == 1.0 and big[0, 0].item() == 0.0
