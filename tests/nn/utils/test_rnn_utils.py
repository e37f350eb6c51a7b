"""nn.utils.rnn vs torch: pack_padded_sequence, pad_packed_sequence, pad_sequence,
unpad_sequence, pack_sequence, unpack_sequence, PackedSequence; values, indices, gradients."""
import numpy as np
import pytest
import torch

import ember
from helpers import assert_same, parity, rand, raises_like

R = np.random.default_rng(2)


def _cmp_packed(e, t):
    assert type(e).__name__ == 'PackedSequence'
    assert_same(e.data, t.data)
    assert_same(e.batch_sizes, t.batch_sizes)
    for a, b in ((e.sorted_indices, t.sorted_indices), (e.unsorted_indices, t.unsorted_indices)):
        assert (a is None) == (b is None)
        if b is not None:
            assert_same(a, b)


@pytest.mark.parametrize('batch_first', [False, True])
@pytest.mark.parametrize('lengths,enforce', [([5, 3, 3, 1], True), ([2, 5, 1, 3], False),
                                             ([4, 4, 4, 4], True), ([1, 3, 3, 2], False)])
def test_pack_pad_roundtrip(batch_first, lengths, enforce):
    x = rand(4, 5, 3) if batch_first else rand(5, 4, 3)

    def fn(lib, x):
        p = lib.nn.utils.rnn.pack_padded_sequence(x, lib.tensor(lengths), batch_first=batch_first,
                                                  enforce_sorted=enforce)
        out, lens = lib.nn.utils.rnn.pad_packed_sequence(p, batch_first=batch_first, padding_value=-1.0,
                                                         total_length=6)
        return p.data, p.batch_sizes, out, lens
    parity(fn, x)
    te = ember.nn.utils.rnn.pack_padded_sequence(ember.tensor(x), lengths, batch_first=batch_first,
                                                 enforce_sorted=enforce)
    tt = torch.nn.utils.rnn.pack_padded_sequence(torch.tensor(x), lengths, batch_first=batch_first,
                                                 enforce_sorted=enforce)
    _cmp_packed(te, tt)


@pytest.mark.parametrize('batch_first', [False, True])
@pytest.mark.parametrize('side', ['right', 'left'])
def test_pad_sequence(batch_first, side):
    seqs = [rand(3, 2), rand(5, 2), rand(1, 2)]
    parity(lambda lib, a, b, c: lib.nn.utils.rnn.pad_sequence([a, b, c], batch_first=batch_first,
                                                              padding_value=0.5, padding_side=side),
           *seqs)
    seqs1d = [rand(3), rand(2)]
    parity(lambda lib, a, b: lib.nn.utils.rnn.pad_sequence([a, b], batch_first=batch_first), *seqs1d)


@pytest.mark.parametrize('enforce', [True, False])
def test_pack_sequence_unpack(enforce):
    seqs = [rand(4, 3), rand(4, 3), rand(2, 3)] if enforce else [rand(2, 3), rand(4, 3), rand(1, 3)]

    def fn(lib, *s):
        p = lib.nn.utils.rnn.pack_sequence(list(s), enforce_sorted=enforce)
        return [p.data] + list(lib.nn.utils.rnn.unpack_sequence(p))
    parity(fn, *seqs)


def test_unpad_sequence():
    x = rand(5, 3, 2)
    parity(lambda lib, x: lib.nn.utils.rnn.unpad_sequence(x * 1, lib.tensor([5, 2, 3])), x)
    parity(lambda lib, x: lib.nn.utils.rnn.unpad_sequence(x, lib.tensor([3, 1, 2, 2, 3]), batch_first=True), x)


def test_packed_sequence_object():
    p = ember.nn.utils.rnn.pack_sequence([ember.randn(3, 2), ember.randn(1, 2)], enforce_sorted=False)
    data, bs, si, ui = p
    assert p._fields == ('data', 'batch_sizes', 'sorted_indices', 'unsorted_indices')
    q = p.to(ember.float64)
    assert q.data.dtype == ember.float64 and q.batch_sizes is p.batch_sizes
    assert p.cpu() is p and p.double().data.dtype == ember.float64
    assert not p.is_cuda
    r = ember.nn.utils.rnn.PackedSequence(data, bs, si)
    assert r.unsorted_indices.tolist() == ui.tolist()


def test_errors():
    x = rand(5, 3, 2)
    raises_like(lambda lib, x: lib.nn.utils.rnn.pack_padded_sequence(x, [2, 5, 1]), x,
                match='must be sorted in decreasing order')
    raises_like(lambda lib, x: lib.nn.utils.rnn.pack_padded_sequence(x, [5, 2, 0]), x,
                match='Length of all samples has to be greater than 0')

    def bad_total(lib, x):
        p = lib.nn.utils.rnn.pack_padded_sequence(x, [5, 2, 1])
        lib.nn.utils.rnn.pad_packed_sequence(p, total_length=3)
    raises_like(bad_total, x, match='Expected total_length to be at least')
