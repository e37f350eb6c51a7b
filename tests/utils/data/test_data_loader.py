"""DataLoader arguments, len arithmetic and single-process iteration, against torch."""
import multiprocessing
import warnings

import numpy as np
import pytest
import torch
import torch.utils.data as tdata

import ember
import ember.utils.data as edata


def _ds(lib_data, n):
    class Sq(lib_data.Dataset):
        def __len__(self):
            return n

        def __getitem__(self, i):
            return i * i
    return Sq()


def _it(lib_data, n, with_len=True):
    class It(lib_data.IterableDataset):
        def __iter__(self):
            return iter(range(n))
    if with_len:
        It.__len__ = lambda self: n
    return It()


def _both(fn):
    out = []
    for lib, data in ((ember, edata), (torch, tdata)):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                out.append(fn(lib, data))
        except Exception as e:   # noqa: BLE001
            out.append((type(e), str(e)))
    return out


def _plain(batches):
    return [b.tolist() if hasattr(b, 'tolist') else b for b in batches]


@pytest.mark.parametrize("n,bs,drop_last", [(87, 8, False), (87, 8, True), (80, 8, False),
                                           (80, 8, True), (3, 5, False), (3, 5, True), (0, 2, False)])
def test_len_and_batches(n, bs, drop_last):
    e, t = _both(lambda lib, d: (len(d.DataLoader(_ds(d, n), batch_size=bs, drop_last=drop_last)),
                                 _plain(d.DataLoader(_ds(d, n), batch_size=bs, drop_last=drop_last))))
    assert e == t


def test_epoch_iteration_arithmetic():
    assert len(edata.DataLoader(range(80), batch_size=8)) == 10
    assert len(edata.DataLoader(range(87), batch_size=8, drop_last=True)) == 10
    assert len(edata.DataLoader(range(87), batch_size=8, drop_last=False)) == 11


@pytest.mark.parametrize("bs,drop_last", [(4, False), (4, True), (None, False), (1, False)])
def test_iterable_dataset(bs, drop_last):
    e, t = _both(lambda lib, d: (len(d.DataLoader(_it(d, 10), batch_size=bs, drop_last=drop_last)),
                                 _plain(d.DataLoader(_it(d, 10), batch_size=bs, drop_last=drop_last))))
    assert e == t
    e, t = _both(lambda lib, d: len(d.DataLoader(_it(d, 10, with_len=False), batch_size=bs)))
    assert e[0] == t[0] == TypeError


def test_batch_size_none_and_batch_sampler_and_sampler():
    e, t = _both(lambda lib, d: _plain(d.DataLoader(_ds(d, 4), batch_size=None)))
    assert e == t == [0, 1, 4, 9]
    e, t = _both(lambda lib, d: _plain(d.DataLoader(_ds(d, 6), batch_sampler=[[0, 5], [2], [1, 3, 4]])))
    assert e == t
    e, t = _both(lambda lib, d: _plain(d.DataLoader(_ds(d, 6), sampler=[5, 4, 3, 0], batch_size=3)))
    assert e == t
    e, t = _both(lambda lib, d: len(d.DataLoader(_ds(d, 6), batch_sampler=[[0, 5], [2]])))
    assert e == t == 2
    # numpy samples without batching are converted to tensors
    out = list(edata.DataLoader([np.ones(2, np.float32)], batch_size=None))
    assert isinstance(out[0], ember.Tensor) and out[0].dtype == ember.float32


def test_shuffle_covers_every_index_and_is_seeded():
    def epoch(g):
        return [i for b in edata.DataLoader(range(87), batch_size=8, shuffle=True, generator=g)
                for i in b.tolist()]
    g = ember.Generator().manual_seed(7)
    e1, e2 = epoch(g), epoch(g)
    assert sorted(e1) == sorted(e2) == list(range(87)) and e1 != e2
    g2 = ember.Generator().manual_seed(7)
    assert epoch(g2) == e1
    ember.manual_seed(11)
    a = epoch(None)
    ember.manual_seed(11)
    assert epoch(None) == a


@pytest.mark.parametrize("kwargs", [
    dict(num_workers=-1), dict(timeout=-1), dict(prefetch_factor=2), dict(persistent_workers=True),
    dict(sampler=[0, 1], shuffle=True), dict(batch_sampler=[[0]], batch_size=2),
    dict(batch_sampler=[[0]], shuffle=True), dict(batch_sampler=[[0]], sampler=[0]),
    dict(batch_sampler=[[0]], drop_last=True), dict(batch_size=None, drop_last=True),
    dict(multiprocessing_context='fork'), dict(num_workers=1, multiprocessing_context='nope'),
    dict(num_workers=1, multiprocessing_context=3), dict(batch_size=0), dict(drop_last=1),
])
def test_argument_validation(kwargs):
    e, t = _both(lambda lib, d: d.DataLoader(_ds(d, 4), **kwargs) and None)
    assert e == t, (e, t)


@pytest.mark.parametrize("kwargs", [dict(shuffle=True), dict(sampler=[0]), dict(batch_sampler=[[0]])])
def test_iterable_dataset_validation(kwargs):
    e, t = _both(lambda lib, d: d.DataLoader(_it(d, 4), **kwargs) and None)
    assert e[0] == t[0] == ValueError
    assert e[1].split(' but got')[0] == t[1].split(' but got')[0]


def test_context_object_and_frozen_attributes():
    dl = edata.DataLoader(range(4), num_workers=1, multiprocessing_context=multiprocessing.get_context('spawn'))
    assert dl.multiprocessing_context.get_start_method() == 'spawn'
    dl = edata.DataLoader(range(4), num_workers=1, multiprocessing_context='fork')
    assert dl.prefetch_factor == 2
    for attr in ('batch_size', 'sampler', 'batch_sampler', 'drop_last', 'dataset', 'persistent_workers'):
        e, t = _both(lambda lib, d: setattr(d.DataLoader(range(4)), attr, None))
        assert e == t and e[0] == ValueError
    dl.num_workers = 0   # other attributes stay settable, as in torch


def test_default_collate_choice_and_custom_collate():
    assert edata.DataLoader(range(3)).collate_fn is edata.default_collate
    assert edata.DataLoader(range(3), batch_size=None).collate_fn is edata.default_convert
    out = list(edata.DataLoader(range(5), batch_size=2, collate_fn=lambda b: sum(b)))
    assert out == [1, 5, 4]


def test_pin_memory_is_noop_on_cpu():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = list(edata.DataLoader(range(4), batch_size=2, pin_memory=True))
    assert [b.tolist() for b in out] == [[0, 1], [2, 3]]


def test_getitems_is_used():
    class Batched(edata.Dataset):
        calls = []

        def __len__(self):
            return 6

        def __getitem__(self, i):
            raise AssertionError("should use __getitems__")

        def __getitems__(self, idx):
            self.calls.append(list(idx))
            return [i * 10 for i in idx]
    out = [b.tolist() for b in edata.DataLoader(Batched(), batch_size=4)]
    assert out == [[0, 10, 20, 30], [40, 50]] and Batched.calls == [[0, 1, 2, 3], [4, 5]]


def test_get_worker_info_none_in_main():
    assert edata.get_worker_info() is None


class _CountingTensorDataset(edata.TensorDataset):
    """A TensorDataset subclass: the per-sample path (the batched gather is for the exact type)."""


@pytest.mark.parametrize('num_workers', [0, 2])
def test_tensor_dataset_batches_match_torch_and_the_per_sample_path(num_workers):
    rng = np.random.default_rng(3)
    xs, ys = rng.standard_normal((37, 3, 4)).astype('float32'), rng.integers(0, 5, 37)
    order = [int(i) for i in rng.permutation(37)]

    def batches(lib, data, cls=None):
        ds = (cls or data.TensorDataset)(lib.tensor(xs), lib.tensor(ys))
        sampler = data.BatchSampler(order, batch_size=8, drop_last=False)
        loader = data.DataLoader(ds, batch_sampler=sampler, num_workers=num_workers)
        return [(type(b).__name__, [(tuple(t.shape), str(t.dtype).split('.')[-1], t.numpy().copy()) for t in b])
                for b in loader]

    fast = batches(ember, edata)
    slow = batches(ember, edata, _CountingTensorDataset)
    ref = batches(torch, tdata)
    for got in (fast, slow):
        assert len(got) == len(ref) == 5
        for (gtype, gts), (rtype, rts) in zip(got, ref):
            assert gtype == rtype == 'list'
            for (gs, gd, ga), (rs, rd, ra) in zip(gts, rts):
                assert gs == rs and gd == rd
                np.testing.assert_array_equal(ga, ra)


def test_tensor_dataset_fast_path_falls_back_for_bad_indices_and_grad():
    ds = edata.TensorDataset(ember.arange(10.0), ember.arange(10))
    with pytest.raises(IndexError):                      # same error as the per-sample path
        next(iter(edata.DataLoader(ds, batch_sampler=[[3, 10]])))
    assert [int(v) for v in next(iter(edata.DataLoader(ds, batch_sampler=[[-1, 0]])))[1]] == [9, 0]
    w = ember.arange(6.0, requires_grad=True)
    batch = next(iter(edata.DataLoader(edata.TensorDataset(w * 2), batch_size=3)))[0]
    assert batch.grad_fn is not None and batch.grad_fn.name() == 'StackBackward0'
