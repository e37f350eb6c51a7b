"""Embedding, EmbeddingBag and one_hot vs torch: values, weight gradients (padding_idx,
scale_grad_by_freq, max_norm renorm), bag modes/offsets/per_sample_weights, errors, reprs."""
import numpy as np
import pytest
import torch

import ember
from helpers import assert_same, parity, rand, raises_like, to_numpy

F = ember.nn.functional
IDX = np.array([[1, 2, 4, 4], [3, 0, 4, 9]])


@pytest.mark.parametrize('dtype', ['float32', 'float64'])
@pytest.mark.parametrize('kw', [{}, {'padding_idx': 4}, {'padding_idx': -1}, {'scale_grad_by_freq': True},
                                {'padding_idx': 0, 'scale_grad_by_freq': True}])
def test_embedding_parity(dtype, kw):
    parity(lambda m, w, i: m.nn.functional.embedding(i, w, **kw), rand(10, 3, dtype=dtype), IDX)


@pytest.mark.parametrize('idx', [np.array(3), np.array([], dtype='int64'), IDX.T, IDX.astype('int32'),
                                 np.array([[[1, 1, 1]]])])
def test_embedding_shapes(idx):
    parity(lambda m, w, i: m.nn.functional.embedding(i, w), rand(10, 3), idx)
    parity(lambda m, w, i: m.nn.functional.embedding(i, w.t()), rand(3, 10), idx)


def test_embedding_grad_fn_and_gradcheck():
    w = ember.tensor(rand(6, 3), requires_grad=True)
    i = ember.tensor([[0, 2, 2], [5, 1, 2]])
    assert type(F.embedding(i, w).grad_fn).__name__ == 'EmbeddingBackward0'
    assert ember.autograd.gradcheck(lambda w: F.embedding(i, w), (w,))
    assert ember.autograd.gradgradcheck(lambda w: F.embedding(i, w) ** 2, (w,))


@pytest.mark.parametrize('norm_type', [2.0, 1.0, float('inf')])
def test_embedding_max_norm(norm_type):
    w = rand(10, 4, dtype='float64')
    tw, ew = torch.tensor(w, requires_grad=True), ember.tensor(w, requires_grad=True)
    ti, ei = torch.tensor(IDX), ember.tensor(IDX)
    to = torch.nn.functional.embedding(ti, tw, max_norm=1.0, norm_type=norm_type)
    eo = F.embedding(ei, ew, max_norm=1.0, norm_type=norm_type)
    assert_same(eo, to)
    assert_same(ew, tw)   # looked-up rows were renormalized in place
    assert not np.allclose(to_numpy(ew), w)
    to.sum().backward()
    eo.sum().backward()
    assert_same(ew.grad, tw.grad)


def test_embedding_errors():
    w = rand(5, 3)
    raises_like(lambda m, w, i: m.nn.functional.embedding(i, w), w, np.array([1, 7]), match='index out of range')
    raises_like(lambda m, w, i: m.nn.functional.embedding(i, w), w, np.array([-1]), match='index out of range')
    raises_like(lambda m, w, i: m.nn.functional.embedding(i, w), w, np.array([1.0]),
                match="Expected tensor for argument #1 'indices'")
    raises_like(lambda m, w, i: m.nn.functional.embedding(i, w, padding_idx=5), w, np.array([1]))
    raises_like(lambda m: m.nn.Embedding(5, 3, padding_idx=-6))


@pytest.mark.parametrize('kw', [{}, {'padding_idx': 2}, {'padding_idx': -1, 'max_norm': 1.0, 'norm_type': 1.0},
                                {'scale_grad_by_freq': True}, {'sparse': True}])
@pytest.mark.parametrize('dtype', ['float32', 'float64'])
def test_embedding_module(kw, dtype):
    """sparse=True is accepted; ember's weight gradient is dense (same values)."""
    tm = torch.nn.Embedding(10, 3, dtype=getattr(torch, dtype), **kw)
    em = ember.nn.Embedding(10, 3, dtype=getattr(ember, dtype), **kw)
    assert repr(em) == repr(tm) and em.padding_idx == tm.padding_idx
    if tm.padding_idx is not None:
        assert np.all(to_numpy(em.weight[em.padding_idx]) == 0)
    em.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in tm.state_dict().items()})
    to, eo = tm(torch.tensor(IDX)), em(ember.tensor(IDX))
    assert_same(eo, to)
    cot = rand(*to.shape, dtype=dtype)
    to.backward(torch.tensor(cot))
    eo.backward(ember.tensor(cot))
    assert_same(em.weight.grad, _dense(tm.weight.grad))
    if tm.padding_idx is not None:
        assert np.all(to_numpy(em.weight.grad[em.padding_idx]) == 0)


def test_embedding_init_and_from_pretrained():
    ember.manual_seed(0)
    w = to_numpy(ember.nn.Embedding(300, 100).weight)
    assert abs(w.mean()) < 0.03 and abs(w.std() - 1) < 0.02
    pre = rand(4, 3)
    for freeze in (True, False):
        tm = torch.nn.Embedding.from_pretrained(torch.tensor(pre), freeze=freeze, padding_idx=1)
        em = ember.nn.Embedding.from_pretrained(ember.tensor(pre), freeze=freeze, padding_idx=1)
        assert repr(em) == repr(tm) and em.weight.requires_grad == tm.weight.requires_grad
        np.testing.assert_array_equal(to_numpy(em.weight), pre)   # padding row not zeroed
        eb = ember.nn.EmbeddingBag.from_pretrained(ember.tensor(pre), freeze=freeze, mode='sum')
        tb = torch.nn.EmbeddingBag.from_pretrained(torch.tensor(pre), freeze=freeze, mode='sum')
        assert repr(eb) == repr(tb) and eb.weight.requires_grad == tb.weight.requires_grad
    raises_like(lambda m, x: m.nn.Embedding.from_pretrained(x), rand(3))


def _dense(g):
    # torch gives sparse gradients for sparse=True; ember's are dense
    return g.to_dense() if g.is_sparse else g


BAG_IN = np.array([1, 2, 4, 4, 3, 0, 2, 9])
BAG_CASES = [
    ('1d_offsets', BAG_IN, np.array([0, 2, 2, 5]), {}),
    ('last_offset', BAG_IN, np.array([0, 2, 2, 5, 8]), {'include_last_offset': True}),
    ('2d', BAG_IN.reshape(2, 4), None, {}),
    ('padding', BAG_IN, np.array([0, 3, 3, 5]), {'padding_idx': 4}),
    ('padding_2d', BAG_IN.reshape(4, 2), None, {'padding_idx': 4}),
]


@pytest.mark.parametrize('mode', ['sum', 'mean', 'max'])
@pytest.mark.parametrize('name,inp,offsets,kw', BAG_CASES, ids=[c[0] for c in BAG_CASES])
@pytest.mark.parametrize('dtype', ['float32', 'float64'])
def test_embedding_bag_parity(mode, name, inp, offsets, kw, dtype):
    if mode == 'max' and kw.get('scale_grad_by_freq'):
        return
    args = (rand(10, 3, dtype=dtype), inp) + ((offsets,) if offsets is not None else ())
    parity(lambda m, w, i, *o: m.nn.functional.embedding_bag(i, w, *o, mode=mode, **kw), *args)


@pytest.mark.parametrize('mode', ['sum', 'mean'])
def test_embedding_bag_scale_grad_by_freq(mode):
    # reference: torch's F.embedding with scale_grad_by_freq, then the bag reduction (torch's
    # own embedding_bag CPU kernel divides by counts of the wrong rows in this mode)
    w, off = rand(10, 3), np.array([0, 2, 2, 5])
    tw = torch.tensor(w, requires_grad=True)
    rows = torch.nn.functional.embedding(torch.tensor(BAG_IN), tw, scale_grad_by_freq=True)
    bags = [rows[0:2], rows[2:2], rows[2:5], rows[5:]]
    ref = torch.stack([getattr(b, mode)(0) if len(b) else b.sum(0) for b in bags])
    ew = ember.tensor(w, requires_grad=True)
    out = F.embedding_bag(ember.tensor(BAG_IN), ew, ember.tensor(off), mode=mode, scale_grad_by_freq=True)
    assert_same(out, ref)
    cot = rand(4, 3)
    ref.backward(torch.tensor(cot))
    out.backward(ember.tensor(cot))
    assert_same(ew.grad, tw.grad)


@pytest.mark.parametrize('name,inp,offsets,kw', BAG_CASES[:4], ids=[c[0] for c in BAG_CASES[:4]])
def test_embedding_bag_per_sample_weights(name, inp, offsets, kw):
    args = (rand(10, 3), inp, rand(*inp.shape)) + ((offsets,) if offsets is not None else ())
    parity(lambda m, w, i, psw, *o: m.nn.functional.embedding_bag(
        i, w, *o, mode='sum', per_sample_weights=psw, **kw), *args)


def test_embedding_bag_max_duplicates_and_gradcheck():
    # the same row twice in a bag: torch routes the max's gradient to one of them
    parity(lambda m, w, i, o: m.nn.functional.embedding_bag(i, w, o, mode='max'),
           rand(5, 3), np.array([1, 1, 2, 2, 2]), np.array([0, 2]))
    w = ember.tensor(rand(6, 3), requires_grad=True)
    psw = ember.tensor(rand(5), requires_grad=True)
    i, o = ember.tensor([0, 2, 5, 2, 1]), ember.tensor([0, 1, 1])
    assert type(F.embedding_bag(i, w, o).grad_fn).__name__ == 'EmbeddingBagBackward0'
    for mode in ('sum', 'mean', 'max'):
        assert ember.autograd.gradcheck(lambda w: F.embedding_bag(i, w, o, mode=mode), (w,))
    assert ember.autograd.gradcheck(lambda w, p: F.embedding_bag(i, w, o, mode='sum', per_sample_weights=p),
                                    (w, psw))
    assert ember.autograd.gradgradcheck(lambda w, p: F.embedding_bag(i, w, o, mode='sum', per_sample_weights=p),
                                        (w, psw))


def test_embedding_bag_max_norm():
    w = rand(10, 3)
    tw, ew = torch.tensor(w), ember.tensor(w)
    to = torch.nn.functional.embedding_bag(torch.tensor(BAG_IN), tw, torch.tensor([0, 3]), max_norm=1.0)
    eo = F.embedding_bag(ember.tensor(BAG_IN), ew, ember.tensor([0, 3]), max_norm=1.0)
    assert_same(eo, to)
    assert_same(ew, tw)


def test_embedding_bag_errors():
    w, i = rand(5, 3), np.array([1, 2, 4, 4, 3, 0])
    fb = lambda **kw: (lambda m, w, i, *o: m.nn.functional.embedding_bag(i, w, *o, **kw))  # noqa: E731
    raises_like(fb(), w, i.reshape(2, 3), np.array([0, 2]), match='if input is 2D')
    raises_like(fb(), w, i, match='offsets has to be a 1D Tensor')
    raises_like(fb(mode='foo'), w, i, np.array([0, 2]), match='mode has to be one of')
    raises_like(lambda m, w, i, o: m.nn.functional.embedding_bag(i, w, o, mode='mean',
                                                                 per_sample_weights=m.ones(6)),
                w, i, np.array([0, 2]), match="only supported for mode='sum'")
    raises_like(lambda m, w, i, o: m.nn.functional.embedding_bag(i, w, o, per_sample_weights=m.ones(5),
                                                                 mode='sum'),
                w, i, np.array([0, 2]), match='must have the same shape')
    raises_like(fb(), w, i, np.array([1, 2]), match='offsets[0] has to be 0')
    raises_like(fb(), w, i, np.array([0, 9]), match='offsets[-1] can not be greater')
    raises_like(fb(mode='max', scale_grad_by_freq=True), w, i, np.array([0, 2]), match='max mode')
    raises_like(fb(), w, np.array([1, 7]), np.array([0]), match='not in the valid range [0, 5)')


@pytest.mark.parametrize('kw', [{}, {'mode': 'sum'}, {'mode': 'max', 'padding_idx': 1},
                                {'max_norm': 2.0, 'norm_type': 1.0, 'include_last_offset': True,
                                 'sparse': True}])
def test_embedding_bag_module(kw):
    tm, em = torch.nn.EmbeddingBag(10, 3, **kw), ember.nn.EmbeddingBag(10, 3, **kw)
    assert repr(em) == repr(tm)
    if tm.padding_idx is not None:
        assert np.all(to_numpy(em.weight[em.padding_idx]) == 0)
    em.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in tm.state_dict().items()})
    off = np.array([0, 3, 3, 8]) if kw.get('include_last_offset') else np.array([0, 3, 3])
    to = tm(torch.tensor(BAG_IN), torch.tensor(off))
    eo = em(ember.tensor(BAG_IN), ember.tensor(off))
    assert_same(eo, to)
    to.sum().backward()
    eo.sum().backward()
    assert_same(em.weight.grad, _dense(tm.weight.grad))


@pytest.mark.parametrize('x,n', [(np.array([1, 2, 0]), -1), (np.array([[1], [3]]), 5), (np.array(2), 3),
                                 (np.zeros((0,), 'int64'), 3), (np.array([0, 0]), -1)])
def test_one_hot(x, n):
    parity(lambda m, t: m.nn.functional.one_hot(t, n), x)


@pytest.mark.parametrize('x,n,match', [
    (np.array([1.0, 2.0]), -1, 'LongTensor'), (np.array([1, 2], 'int32'), 3, 'LongTensor'),
    (np.array([-1, 2]), -1, 'non-negative'), (np.array([1, 2]), 2, 'smaller than num_classes'),
    (np.zeros((0,), 'int64'), -1, 'empty tensor'), (np.array([1, 2]), 0, 'smaller than num_classes')])
def test_one_hot_errors(x, n, match):
    raises_like(lambda m, t: m.nn.functional.one_hot(t, n), x, match=match)
