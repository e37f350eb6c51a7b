"""ember.utils.data datasets and samplers against torch.utils.data."""
import math
import warnings

import numpy as np
import pytest
import torch
import torch.utils.data as tdata

import ember
import ember.utils.data as edata


class _Sq:
    """A plain map-style dataset (both libraries): i -> i * i."""

    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return i * i


def _make(lib_data, n):
    class Sq(lib_data.Dataset):
        def __len__(self):
            return n

        def __getitem__(self, i):
            return i * i
    return Sq()


def _iterable(lib_data, items):
    class It(lib_data.IterableDataset):
        def __iter__(self):
            return iter(items)

        def __len__(self):
            return len(items)
    return It()


def _both(fn):
    """Run fn(lib, lib_data) for ember and torch; return both results (or exception types)."""
    out = []
    for lib, data in ((ember, edata), (torch, tdata)):
        try:
            out.append(fn(lib, data))
        except Exception as e:   # noqa: BLE001
            out.append(type(e))
    return out


def test_dataset_base_and_add():
    for lib_data in (edata, tdata):
        with pytest.raises(NotImplementedError):
            lib_data.Dataset()[0]
    e, t = _both(lambda lib, d: [(_make(d, 3) + _make(d, 2))[i] for i in range(-5, 5)])
    assert e == t
    c = _make(edata, 3) + _make(edata, 2)
    assert isinstance(c, edata.ConcatDataset) and c.cumulative_sizes == [3, 5] and len(c) == 5
    ch = _iterable(edata, [1, 2]) + _iterable(edata, [3])
    assert isinstance(ch, edata.ChainDataset) and list(ch) == [1, 2, 3] and len(ch) == 3


def test_concat_errors():
    e, t = _both(lambda lib, d: d.ConcatDataset([_make(d, 3)])[-4])
    assert e == t == ValueError
    e, t = _both(lambda lib, d: d.ConcatDataset([]))
    assert e == t == AssertionError
    e, t = _both(lambda lib, d: d.ConcatDataset([_iterable(d, [1])]))
    assert e == t == AssertionError
    e, t = _both(lambda lib, d: d.ConcatDataset([_make(d, 2), _make(d, 0), _make(d, 3)])[2])
    assert e == t == 0


def test_tensor_dataset():
    x = np.arange(12, dtype=np.float32).reshape(4, 3)
    y = np.arange(4)
    e, t = _both(lambda lib, d: d.TensorDataset(lib.tensor(x), lib.tensor(y)))
    assert len(e) == len(t) == 4
    for i in (0, 3, -1):
        for a, b in zip(e[i], t[i]):
            np.testing.assert_array_equal(a.numpy(), b.numpy())
            assert str(a.dtype) == str(b.dtype)
    sl = e[1:3]
    assert tuple(sl[0].shape) == (2, 3)
    with pytest.raises(AssertionError, match="Size mismatch between tensors"):
        edata.TensorDataset(ember.zeros(3), ember.zeros(4))
    with pytest.raises(AssertionError, match="Size mismatch between tensors"):
        tdata.TensorDataset(torch.zeros(3), torch.zeros(4))


def test_subset_and_stack_dataset():
    e, t = _both(lambda lib, d: [d.Subset(_make(d, 10), [9, 2, 4])[i] for i in range(3)])
    assert e == t == [81, 4, 16]
    assert len(edata.Subset(_Sq(10), [1, 2])) == 2
    assert edata.Subset(_Sq(10), [1, 2, 3]).__getitems__([0, 2]) == [1, 9]
    e, t = _both(lambda lib, d: [d.StackDataset(_make(d, 3), _make(d, 3))[i] for i in range(3)])
    assert e == t
    e, t = _both(lambda lib, d: d.StackDataset(a=_make(d, 3), b=_make(d, 3))[2])
    assert e == t == {'a': 4, 'b': 4}
    e, t = _both(lambda lib, d: d.StackDataset(a=_make(d, 3), b=_make(d, 3)).__getitems__([0, 2]))
    assert e == t
    for bad in (lambda lib, d: d.StackDataset(_make(d, 3), _make(d, 2)),
                lambda lib, d: d.StackDataset(),
                lambda lib, d: d.StackDataset(_make(d, 3), b=_make(d, 3))):
        e, t = _both(bad)
        assert e == t == ValueError


@pytest.mark.parametrize("lengths", [[3, 7], [0.3, 0.7], [0.5, 0.5], [0.33, 0.33, 0.34],
                                     [1 / 3, 1 / 3, 1 / 3], [0.1, 0.2, 0.3, 0.4], [10, 0]])
def test_random_split_lengths(lengths):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        e = edata.random_split(_Sq(10), lengths, generator=ember.Generator().manual_seed(0))
        t = tdata.random_split(_Sq(10), lengths, generator=torch.Generator().manual_seed(0))
    assert [len(s) for s in e] == [len(s) for s in t]
    idx = sorted(i for s in e for i in s.indices)
    assert idx == list(range(10))
    e2 = edata.random_split(_Sq(10), lengths, generator=ember.Generator().manual_seed(0))
    assert [s.indices for s in e] == [s.indices for s in e2]


def test_random_split_errors_and_warning():
    e, t = _both(lambda lib, d: d.random_split(_Sq(10), [3, 3]))
    assert e == t == ValueError
    e, t = _both(lambda lib, d: d.random_split(_Sq(10), [1.5, -0.5]))
    assert e == t == ValueError
    with pytest.warns(UserWarning, match="Length of split at index 1 is 0"):
        edata.random_split(_Sq(3), [1.0, 0.0])


# ------------------------------------------------------------------ samplers

def test_sequential_and_batch_sampler():
    for n, bs, dl in [(87, 8, False), (87, 8, True), (80, 8, True), (0, 3, False), (5, 7, True)]:
        e = edata.BatchSampler(edata.SequentialSampler(range(n)), bs, dl)
        t = tdata.BatchSampler(tdata.SequentialSampler(range(n)), bs, dl)
        assert list(e) == list(t) and len(e) == len(t)
    assert len(edata.BatchSampler(range(87), 8, False)) == 11
    assert len(edata.BatchSampler(range(87), 8, True)) == 10
    for args in [(0, False), (True, False), (2.0, False), (2, 1)]:
        e, t = _both(lambda lib, d: d.BatchSampler(range(4), *args))
        assert e == t == ValueError


@pytest.mark.parametrize("replacement,num_samples", [(False, None), (False, 25), (False, 4),
                                                     (True, None), (True, 70)])
def test_random_sampler(replacement, num_samples):
    g = ember.Generator().manual_seed(1)
    s = edata.RandomSampler(range(10), replacement=replacement, num_samples=num_samples, generator=g)
    ts = tdata.RandomSampler(range(10), replacement=replacement, num_samples=num_samples)
    out = list(s)
    assert len(out) == len(s) == len(ts) == len(list(ts))
    assert all(0 <= i < 10 for i in out)
    if not replacement and num_samples is None:
        assert sorted(out) == list(range(10))
    if not replacement and num_samples == 25:
        assert sorted(out[:10]) == sorted(out[10:20]) == list(range(10))
    again = list(edata.RandomSampler(range(10), replacement, num_samples,
                                     generator=ember.Generator().manual_seed(1)))
    assert again == out


def test_random_sampler_global_seed_and_errors():
    ember.manual_seed(3)
    a = list(edata.RandomSampler(range(20)))
    ember.manual_seed(3)
    b = list(edata.RandomSampler(range(20)))
    assert a == b and sorted(a) == list(range(20))
    e, t = _both(lambda lib, d: d.RandomSampler(range(3), replacement=1))
    assert e == t == TypeError
    e, t = _both(lambda lib, d: d.RandomSampler(range(3), num_samples=0))
    assert e == t == ValueError
    e, t = _both(lambda lib, d: d.RandomSampler(range(0)))
    assert e == t == ValueError


def test_subset_random_and_weighted_sampler():
    idx = [3, 7, 11, 19]
    s = list(edata.SubsetRandomSampler(idx, generator=ember.Generator().manual_seed(0)))
    assert sorted(s) == idx and len(edata.SubsetRandomSampler(idx)) == 4
    w = edata.WeightedRandomSampler([0.0, 1.0, 0.0, 3.0], 200, generator=ember.Generator().manual_seed(0))
    out = list(w)
    assert len(out) == len(w) == 200 and set(out) <= {1, 3}
    assert 100 < out.count(3) < 190
    wn = list(edata.WeightedRandomSampler([1, 1, 1, 1], 4, replacement=False))
    assert sorted(wn) == [0, 1, 2, 3]
    assert isinstance(w.weights, ember.Tensor) and w.weights.dtype == ember.float64
    for args in [([1.0, 2.0], 0), ([1.0, 2.0], True), ([[1.0, 2.0]], 1)]:
        e, t = _both(lambda lib, d: d.WeightedRandomSampler(*args))
        assert e == t == ValueError
    e, t = _both(lambda lib, d: d.WeightedRandomSampler([1.0], 1, replacement=0))
    assert e == t == ValueError


@pytest.mark.parametrize("n", [10, 11, 3, 1])
@pytest.mark.parametrize("replicas", [1, 3, 4])
@pytest.mark.parametrize("drop_last", [False, True])
def test_distributed_sampler_no_shuffle(n, replicas, drop_last):
    for rank in range(replicas):
        e = edata.DistributedSampler(range(n), replicas, rank, shuffle=False, drop_last=drop_last)
        t = tdata.DistributedSampler(range(n), replicas, rank, shuffle=False, drop_last=drop_last)
        assert list(e) == list(t)
        assert len(e) == len(t) and e.total_size == t.total_size and e.num_samples == t.num_samples


@pytest.mark.parametrize("n,replicas,drop_last", [(10, 3, False), (10, 3, True), (12, 4, False)])
def test_distributed_sampler_shuffle(n, replicas, drop_last):
    def parts(epoch):
        out = []
        for rank in range(replicas):
            s = edata.DistributedSampler(range(n), replicas, rank, shuffle=True, seed=5, drop_last=drop_last)
            s.set_epoch(epoch)
            out.append(list(s))
        return out
    p0, p0b, p1 = parts(0), parts(0), parts(1)
    assert p0 == p0b and p0 != p1
    flat = [i for p in p0 for i in p]
    t = tdata.DistributedSampler(range(n), replicas, 0, shuffle=True, drop_last=drop_last)
    assert all(len(p) == len(t) for p in p0)
    if drop_last:
        assert len(set(flat)) == len(flat)
    else:
        assert set(flat) == set(range(n))


def test_distributed_sampler_errors():
    for rank in (3, -1):
        e, t = _both(lambda lib, d: d.DistributedSampler(range(5), 3, rank))
        assert e == t == ValueError
    with pytest.raises(ValueError, match=r"Invalid rank 3, rank should be in the interval \[0, 2\]"):
        edata.DistributedSampler(range(5), 3, 3)
    with pytest.raises((RuntimeError, ValueError)):   # no distributed package / no process group
        edata.DistributedSampler(range(5))
    assert edata.distributed.DistributedSampler is edata.DistributedSampler
    assert math.ceil(5 / 3) == len(edata.DistributedSampler(range(5), 3, 0))


def test_generic_subscripting():
    class Typed(edata.Dataset[int]):
        def __getitem__(self, i):
            return i
    assert Typed()[3] == 3
    assert edata.Sampler[int] is not None and issubclass(edata.IterableDataset, edata.Dataset)
    from collections.abc import Iterable
    assert isinstance(edata.ChainDataset([]), Iterable)
