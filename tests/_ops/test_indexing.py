"""Indexing family against torch: getitem/setitem (views, grads), index_put, masked ops,
take/put, nonzero, gather/scatter family and index_* ops."""
import warnings

import numpy as np
import pytest
import torch

import ember
from helpers import parity, rand, raises_like, to_numpy

I64 = np.int64


def idx(*a):
    return np.array(a, dtype=I64)


# ---------------------------------------------------------------------------- getitem

X = rand(3, 4, 5)
MASK2 = X[..., 0] > 0

GETITEM_KEYS = [
    0, -1, (1, 2), (0, 1, 2), (slice(1, 3),), (slice(None, None, 2),), (slice(1, None, 2), 3),
    (Ellipsis, 0), (0, Ellipsis), (Ellipsis, None), (None, 0), (slice(None), None, 1), (),
    (Ellipsis,), (slice(None),), (slice(10, 20),), (slice(-2, None),), (slice(0, 0), None),
    (None, slice(1, None, 2), None, 1, None, Ellipsis, None),
    ([0, 2],), ([[0, 1], [2, 2]],), (slice(None), [0, -1]), (0, slice(None), [0, 1]),
    (slice(None), 0, [0, 1]), ([0, 1], slice(None), 0), ([0, 1], None, [0, 1]), (None, [0, 1], 0),
    (slice(None, None, 2), [1]), ([0, 2], [1, 3]), ([[0], [2]], [1, 3]), (True,), (False,),
    (True, [0, 1]), (0, True), (slice(None), True), (MASK2,), (X > 0,), (slice(None), [], ),
    (np.array([0, 2]),), (np.int64(1),), (np.array(1),),
]


@pytest.mark.parametrize('key', GETITEM_KEYS, ids=[str(i) for i in range(len(GETITEM_KEYS))])
def test_getitem_parity(key):
    e, t = parity(lambda m, x: (x * 1)[key], X)
    assert type(e.grad_fn).__name__ == type(t.grad_fn).__name__
    if e.numel():   # NumPy gives empty arrays all-zero strides
        assert e.stride() == t.stride()


@pytest.mark.parametrize('key', [0, (slice(1, 3),), (Ellipsis, None), (None, 0), (slice(None, None, 2), 1),
                                 (1, slice(1, None, 2)), ()])
def test_basic_getitem_is_view(key):
    base_e = ember.tensor(X)
    base_t = torch.tensor(X)
    ve, vt = base_e[key], base_t[key]
    assert ve.stride() == vt.stride()
    assert ve.storage_offset() == vt.storage_offset()
    assert ve.data_ptr() != 0 and ve.untyped_storage() is base_e.untyped_storage()
    v0 = base_e._version
    ve.add_(1) if ve.dim() else ve.add_(1)
    vt.add_(1)
    np.testing.assert_allclose(base_e.numpy(), base_t.numpy())
    assert base_e._version > v0


def test_getitem_tensor_keys():
    x = rand(3, 4, 5)
    parity(lambda m, x, i: x[i], x, idx(2, 0, 2))            # duplicates accumulate in grad
    parity(lambda m, x, i: x[:, i], x, np.array([1, -1], dtype=np.int32))
    parity(lambda m, x, i, j: x[i, :, j], x, idx(0, 1), idx([2], [3]).reshape(2, 1))
    parity(lambda m, x, mk: x[mk], x, rand(3, 4, 5) > 0)
    parity(lambda m, x: x[m.tensor(1)], x)
    parity(lambda m, x: x[m.tensor(True)], x)
    parity(lambda m, x, i: x[i], x, np.zeros(0, dtype=I64))
    parity(lambda m, x: x.t()[[1, 0]], rand(3, 4))          # non-contiguous input
    parity(lambda m, x: x[::2][:, [0, 3]], rand(5, 4))


def test_getitem_0d_and_int_dtypes():
    parity(lambda m, x: (x[()], x[None], x[...], x[True], x[False]), rand())
    parity(lambda m, x: x[1:3], np.arange(6))
    parity(lambda m, x, i: x[i], np.arange(6) > 2, idx(0, 5))


def test_getitem_uint8_mask_warns():
    x = ember.arange(4.)
    with pytest.warns(UserWarning, match='uint8'):
        r = x[ember.tensor([1, 0, 1, 0], dtype=ember.uint8)]
    assert r.tolist() == [0.0, 2.0]


@pytest.mark.parametrize('key, match', [
    ((5,), 'index 5 is out of bounds for dimension 0 with size 3'),
    ((-4,), 'out of bounds'), ((0, 10), 'out of bounds'),
    ((0, 0, 0, 0), 'too many indices for tensor of dimension 3'),
    ((Ellipsis, Ellipsis, 0), 'single ellipsis'),
    ((slice(None, None, -1),), 'step must be greater than zero'),
    ((slice(None, None, 0),), 'slice step cannot be zero'),
    ((1.5,), 'only integers'),
    ((slice(0.5, 2),), 'slice indices'),
])
def test_getitem_errors(key, match):
    raises_like(lambda m, x: x[key], X, match=match)


def test_getitem_tensor_index_errors():
    raises_like(lambda m, x: x[m.tensor([0., 1.])], X, match='tensors used as indices must be long, int, byte or bool')
    raises_like(lambda m, x: x[m.tensor([0, 1], dtype=m.int16)], X, match='tensors used as indices')
    raises_like(lambda m, x: x[m.tensor([5])], X, match='index 5 is out of bounds')
    raises_like(lambda m, x: x[:, m.tensor([0, -5])], X, match='out of bounds')
    raises_like(lambda m, x: x[m.tensor([0, 1]), m.tensor([0, 1, 2])], X, match='shape mismatch')
    raises_like(lambda m, x: x[m.ones(2, dtype=m.bool)], X, match='The shape of the mask [2] at index 0')
    raises_like(lambda m, x: x[0], rand(), match='invalid index of a 0-dim tensor')


def test_list_key_treated_as_tuple():
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        parity(lambda m, x: x[[[0, 1], [1, 2]]], X)
        parity(lambda m, x: x[[0, slice(None)]], X)
    parity(lambda m, x: x[[0, 1]], X)
    parity(lambda m, x: x[[True, False, True]], X)


# ---------------------------------------------------------------------------- setitem

def _set(key, value_fn=None):
    def fn(m, x, w):
        y = x * 2
        y[key] = w if value_fn is None else value_fn(m, w)
        return y
    return fn


@pytest.mark.parametrize('key, wshape', [
    (0, (4, 5)), ((slice(None), 1), (3, 5)), ((slice(None), 1), (5,)), ((Ellipsis, 0), (1,)),
    ([0, 2], (4, 5)), ((slice(None), [0, 1]), (3, 1, 5)), ((0, [1, 2]), (2, 5)),
    ((slice(1, None, 2), slice(None, None, 2)), (5,)), ((None, 0), (1, 4, 5)), (Ellipsis, ()),
    ((0, 1, 2), ()), (([0, 1], [1, 2]), (5,)),
])
def test_setitem_grads(key, wshape):
    e, t = parity(_set(key), X, rand(*wshape))
    assert (type(e.grad_fn).__name__ == 'IndexPutBackward0') == (type(t.grad_fn).__name__ == 'IndexPutBackward0')


def test_setitem_mask_and_scalar():
    parity(lambda m, x: _set_mask(m, x), X)
    parity(lambda m, x, w: _set(0, lambda m, w: w.sum())(m, x, w), X, rand(2))
    parity(lambda m, x: _set((slice(None), 0), lambda m, w: 3.5)(m, x, None), X)


def _set_mask(m, x):
    y = x * 1
    y[y > 0] = 0.
    return y


def test_setitem_leaf_not_requiring_grad_gets_history():
    def fn(m, w):
        y = m.zeros(3, 4, dtype=m.float64)
        y[1] = w
        y[:, 0] = w[0] * 3
        return y * y
    e, t = parity(fn, rand(4))
    assert not e.is_leaf


def test_setitem_through_view_and_chain():
    def fn(m, x, w):
        y = x * 1
        v = y[1:]
        v[:, [0, 2]] = w
        v.t()[0] = 7.
        return y
    parity(fn, rand(4, 3), rand(3, 1))


def test_setitem_no_grad_values_and_dtypes():
    def fn(m, x):
        x = x.clone()
        x[0] = 2.7                      # int tensor: truncated
        x[m.tensor([1, 2])] = m.tensor([7, -1])
        x[[0]] = 1.5                    # scalars and 0-dim tensors are cast
        x[x > 3] = m.tensor(4.5)        # mask key with a 0-dim value: cast
        x[x > 5] = 1
        x[..., -1] = m.tensor(True)
        return x
    parity(fn, np.arange(6).reshape(3, 2))
    parity(lambda m, x: _inplace_set(m, x), rand(3, 4, 5))


def _inplace_set(m, x):
    x = x.detach().clone()
    x[0] = m.ones(1, 1, 4, 5)           # extra leading 1-dims
    x[[1, 2]] = m.ones(1, 2, 4, 5, dtype=m.float64) * 2
    x[:, 1:3, ::2] = m.arange(3, dtype=m.float64)
    return x


def test_setitem_errors_and_version():
    w = ember.tensor(X, requires_grad=True)
    with pytest.raises(RuntimeError, match='a view of a leaf Variable that requires grad'):
        w[0] = 1.
    with pytest.raises(RuntimeError, match='a leaf Variable that requires grad'):
        w[[0]] = 1.
    raises_like(lambda m, x: x.__setitem__(0, m.ones(3, 5)), X, match='expanded size')
    raises_like(lambda m, x: x.__setitem__([0, 1], m.ones(3, 5, dtype=m.float64)), X, match='shape mismatch')
    raises_like(lambda m, x: x.__setitem__((slice(None), [0]), m.tensor(1)), X, match='dtypes match')
    raises_like(lambda m, x: x.__setitem__(slice(0, 3), [1, 2, 3]), rand(4))
    x = ember.zeros(3)
    v = x._version
    x[0] = 1
    x[[1]] = 2
    assert x._version == v + 2 and x.tolist() == [1., 2., 0.]


def test_setitem_saved_tensor_modified_error():
    for m in (ember, torch):
        a = m.ones(3, requires_grad=True)
        b = a * 1
        c = b * b
        b[0] = 5.
        with pytest.raises(RuntimeError, match='modified by an inplace operation'):
            c.sum().backward()


# ---------------------------------------------------------------------------- index_put

def test_index_put():
    parity(lambda m, x, i, v: x.index_put((i,), v), X, idx(0, 2), rand(4, 5))
    parity(lambda m, x, i, v: x.index_put((i,), v, accumulate=True), X, idx(0, 2, 0, 0), rand(5))
    parity(lambda m, x, i, j, v: m.index_put(x, [i, j], v, True), X, idx(1, 1, 2), idx(0, 0, 3), rand(3, 5))
    parity(lambda m, x, mk, v: x.index_put((mk,), v), X, MASK2, rand(5))
    parity(lambda m, x, i, v: x.t().index_put((i,), v), rand(3, 4), idx(1, 1), rand(1))
    parity(lambda m, x, i, v: x.index_put((i,), v, True), np.arange(4), idx(1, 1), idx(5))


def test_index_put_inplace():
    def fn(m, x, i, v):
        y = x * 1
        y.index_put_((i,), v, accumulate=True)
        return y
    e, t = parity(fn, rand(4, 2), idx(3, 3, 0), rand(3, 2))
    assert type(e.grad_fn).__name__ == type(t.grad_fn).__name__ == 'IndexPutBackward0'

    def fn2(m, x, i):
        x = x.clone()
        return x.index_put_((i,), m.tensor([1., 2, 3], dtype=m.float64), accumulate=True)
    parity(fn2, np.zeros(3), idx(0, 0, 1))


def test_index_put_errors():
    raises_like(lambda m, x, i: x.index_put((i,), 1.), X, idx(0))
    raises_like(lambda m, x, i: x.index_put((i,), m.tensor(1., dtype=m.float32)), X, idx(0), match='dtypes match')
    raises_like(lambda m, x, i: x.index_put((i,), m.ones(3, 4, 5, dtype=m.float64)), X, idx(0, 1),
                match='shape mismatch')
    raises_like(lambda m, x: x.__setitem__([1], m.ones(1, 4, 5)), X, match='dtypes match')
    raises_like(lambda m, x, i: x.index_put((i, i), x[0, 0, :1]), rand(4), idx(0), match='too many indices')


# ---------------------------------------------------------------------------- masked ops

def test_masked_fill():
    parity(lambda m, x, mk: x.masked_fill(mk, 2.5), X, X > 0)
    parity(lambda m, x, mk: m.masked_fill(x, mk, -1), rand(4, 5), rand(3, 4, 5) > 0)   # broadcast
    parity(lambda m, x, mk, v: x.masked_fill(mk, v), X, rand(5) > 0, rand())
    parity(lambda m, x, mk: x.t().masked_fill(mk, 0.), rand(5, 3), rand(3, 5) > 0)
    parity(lambda m, x, mk: x.masked_fill(mk, 2.7), np.arange(4), np.array([1, 0, 1, 0], bool))
    parity(lambda m, x, mk: x.masked_fill(mk, 2), np.zeros(4, bool), np.array([1, 0, 1, 0], bool))
    parity(lambda m, x, mk: x.masked_fill(mk, 1.), rand(0, 3), np.zeros((0, 3), bool))
    parity(lambda m, x, mk: x.masked_fill(mk, 1.), rand(), np.array(True))
    e, t = parity(lambda m, x, mk, v: (x * 1).masked_fill_(mk, v), X, X > 0, rand())
    assert type(e.grad_fn).__name__ == type(t.grad_fn).__name__ == 'MaskedFillBackward1'


def test_masked_fill_errors():
    raises_like(lambda m, x: x.masked_fill(m.ones(5), 1.), X, match='only supports boolean masks')
    raises_like(lambda m, x: x.masked_fill(x > 0, m.tensor([1.])), X, match='0-dimensional value')
    raises_like(lambda m, x: x.masked_fill_(m.ones(3, 4, 5, dtype=m.bool), 1.), rand(4, 5),
                match="doesn't match the broadcast shape")
    w = ember.tensor(X, requires_grad=True)
    with pytest.raises(RuntimeError, match='leaf Variable'):
        w.masked_fill_(w > 0, 0.)


def test_masked_select_and_scatter():
    parity(lambda m, x, mk: x.masked_select(mk), X, X > 0)
    parity(lambda m, x, mk: m.masked_select(x, mk), rand(4, 5), rand(3, 4, 5) > 0)
    parity(lambda m, x, mk: x.t().masked_select(mk), rand(5, 3), rand(3, 5) > 0)
    parity(lambda m, x, mk: x.masked_select(mk), rand(), np.array(True))
    parity(lambda m, x, mk, s: x.masked_scatter(mk, s), X, X > 0, rand(70))
    parity(lambda m, x, mk, s: x.masked_scatter(mk, s), rand(4, 5), rand(3, 4, 5) > 0, rand(6, 10))
    parity(lambda m, x, mk, s: (x * 1).masked_scatter_(mk, s), rand(4, 5), rand(5) > 0, rand(20))
    raises_like(lambda m, x, s: x.masked_scatter(m.ones(4, 5, dtype=m.bool), s), rand(4, 5), rand(3),
                match='Number of elements of source')
    raises_like(lambda m, x: x.masked_select(m.ones(5)), X, match='BoolTensor')
    raises_like(lambda m, x, s: x.masked_scatter(x > 0, s), X, rand(60).astype(np.float32), match='same dtypes')


# ---------------------------------------------------------------------------- take / put

def test_take_put():
    parity(lambda m, x, i: x.take(i), X, idx([0, -1], [59, 0]))
    parity(lambda m, x, i: m.take(x.t(), i), rand(3, 4), idx(1, 1, 5))
    parity(lambda m, x, i: x.take(i), rand(), idx(0, 0))
    parity(lambda m, x, i: x.take(i), X, np.zeros((0, 2), I64))
    parity(lambda m, x, i, s: x.put(i, s), rand(3, 4), idx([0, -1], [5, 7]), rand(4))
    parity(lambda m, x, i, s: x.put(i, s, accumulate=True), rand(3, 4), idx(1, 1, -1), rand(3))
    parity(lambda m, x, i, s: (x * 1).put_(i, s, accumulate=True), rand(3, 4), idx(1, 1, -1), rand(3))
    parity(lambda m, x, i, s: x.t().clone().put_(i, s), np.arange(6).reshape(2, 3), idx(0, 4), idx(9, 8))
    raises_like(lambda m, x, i: x.take(i), X, idx(60), match='out of range: tried to access index 60')
    raises_like(lambda m, x, i: x.take(i.int()), X, idx(1), match='Expected a long tensor')
    raises_like(lambda m, x, i, s: x.put(i, s), rand(4), idx(1, 2), rand(3), match='same number of elements')


# ---------------------------------------------------------------------------- nonzero

@pytest.mark.parametrize('x', [np.array([[0, 1], [1, 1]]), rand(3, 4) > 0, np.array(1.), np.array(0.),
                               np.zeros((0, 3)), rand(2, 3, 4).round()])
def test_nonzero(x):
    parity(lambda m, x: (x.nonzero(), m.nonzero(x, as_tuple=True), m.argwhere(x)), x)
    from ember._ops.indexing import where_nonzero
    got = where_nonzero(ember.tensor(x))
    want = torch.where(torch.tensor(x))
    assert len(got) == len(want)
    for a, b in zip(got, want):
        np.testing.assert_array_equal(to_numpy(a), to_numpy(b))


# ---------------------------------------------------------------------------- gather / scatter

def test_gather():
    g = np.random.default_rng(3)
    parity(lambda m, x, i: x.gather(1, i), X, g.integers(0, 4, (3, 6, 5)))
    parity(lambda m, x, i: m.gather(x, -1, i), X, g.integers(0, 5, (2, 3, 2)))     # smaller index
    parity(lambda m, x, i: x.t().gather(0, i), rand(3, 4), g.integers(0, 4, (2, 3)))
    parity(lambda m, x, i: x.gather(1, i), X, np.zeros((3, 0, 5), I64))
    parity(lambda m, x, i: x.gather(0, i), rand(), idx(0, 0))
    parity(lambda m, x, i: x.gather(0, i.int()), np.arange(5), idx(4, 0))
    raises_like(lambda m, x: x.gather(1, m.full((3, 2, 5), 4)), X, match='index 4 is out of bounds for dimension 1')
    raises_like(lambda m, x: x.gather(1, m.full((3, 2, 5), -1)), X, match='out of bounds')
    raises_like(lambda m, x: x.gather(1, m.zeros(3, 2, dtype=m.long)), X, match='same number of dimensions')
    raises_like(lambda m, x: x.gather(1, m.zeros(3, 2, 6, dtype=m.long)), X, match='Size does not match')
    raises_like(lambda m, x: x.gather(1, m.zeros(3, 2, 5)), X, match='int32/int64')


def test_take_along_dim():
    g = np.random.default_rng(4)
    parity(lambda m, x, i: m.take_along_dim(x, i, 1), X, g.integers(0, 4, (1, 2, 1)))
    parity(lambda m, x, i: x.take_along_dim(i, dim=-1), X, g.integers(-5, 5, (3, 4, 2)))
    parity(lambda m, x, i: m.take_along_dim(x, i), X, g.integers(0, 60, (7,)))
    parity(lambda m, x: m.take_along_dim(x, m.argsort(x, 1), 1) if hasattr(m, 'argsort') else x, rand(3, 4))
    raises_like(lambda m, x: m.take_along_dim(x, m.zeros(2, 2, 1, dtype=m.long), 1), X, match='must match')
    raises_like(lambda m, x: m.take_along_dim(x, m.zeros(2, 1, dtype=m.long), 1), X, match='same number of dim')
    raises_like(lambda m, x: m.take_along_dim(x, m.zeros(1, 2, 1, dtype=m.int32), 1), X, match='Long')


def test_scatter():
    g = np.random.default_rng(5)
    i = np.stack([g.permutation(4)[:2] for _ in range(15)]).reshape(3, 5, 2).transpose(0, 2, 1).copy()
    parity(lambda m, x, i, s: x.scatter(1, i, s), X, i, rand(3, 2, 5))        # unique targets
    parity(lambda m, x, i, s: x.scatter(1, i, s), X, i, rand(3, 3, 6), grad=False)   # larger src
    parity(lambda m, x, i: m.scatter(x, -2, i, 1.5), X, i)
    parity(lambda m, x, i, s: x.t().scatter(0, i, s), rand(3, 4), idx([0, 2, 1]), rand(1, 3))
    parity(lambda m, x, i, s: x.scatter(1, i, s), X, np.zeros((3, 0, 5), I64), rand(3, 0, 5))
    parity(lambda m, x, i: x.scatter(0, i, 5.), rand(), np.array(0))
    parity(lambda m, x, i, s: (x * 1).scatter_(1, i, s), X, i, rand(3, 2, 5))
    parity(lambda m, x, i: x.clone().scatter_(1, i, 2), np.arange(60).reshape(3, 4, 5), i)
    e, t = parity(lambda m, x, i: (x * 1).scatter(1, i, 1.0), X, i)
    assert type(e.grad_fn).__name__ == 'ScatterBackward1'


def test_scatter_legacy_reduce():
    i = idx([0, 1, 0], [2, 2, 2])
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        parity(lambda m, x, i, s: x.scatter(1, i, s, reduce='add'), rand(2, 4), i, rand(2, 3), grad=False)
        parity(lambda m, x, i, s: x.scatter(1, i, s, reduce='multiply'), rand(2, 4), i, rand(2, 3), grad=False)
        parity(lambda m, x, i: x.clone().scatter_(1, i, 2., reduce='multiply'), rand(2, 4), i, grad=False)
        for m in (ember, torch):
            w = m.ones(2, 4, requires_grad=True)
            y = (w * 1).scatter(1, m.tensor(i), 2., reduce='add')
            assert type(y.grad_fn).__name__ == 'NotImplemented'
            with pytest.raises(RuntimeError, match='derivative for aten::scatter is not implemented'):
                y.sum().backward()
    raises_like(lambda m, x, i: x.scatter(1, i, 1.0, reduce='max'), rand(2, 4), i, match='either add or multiply')


def test_scatter_errors():
    L = dict(dtype=torch.long)
    raises_like(lambda m, x: x.scatter(1, m.full((3, 2, 5), 4), 1.0), X, match='index 4 is out of bounds')
    raises_like(lambda m, x: x.scatter(1, m.zeros(3, 2, 5, dtype=m.long), m.zeros(3, 1, 5, dtype=m.float64)),
                X, match='no larger size than src')
    raises_like(lambda m, x: x.scatter(1, m.zeros(3, 2, 5, dtype=m.long), m.zeros(3, 2, 5, dtype=m.float32)),
                X, match='self.dtype to be equal to src.dtype')
    raises_like(lambda m, x: x.scatter(1, m.zeros(3, 2, dtype=m.long), 1.), X, match='same number of dimensions')
    raises_like(lambda m, x: x.scatter_add(1, m.zeros(3, 2, 5), x), X, match='int32/int64')
    raises_like(lambda m, x: x.scatter_add(1, m.zeros(3, 2, 5, dtype=m.long), 1.), X)
    del L


def test_scatter_add():
    g = np.random.default_rng(6)
    parity(lambda m, x, i, s: x.scatter_add(1, i, s), X, g.integers(0, 4, (3, 6, 5)), rand(3, 6, 5))
    parity(lambda m, x, i, s: m.scatter_add(x, 0, i, s), rand(3, 4), g.integers(0, 3, (5, 2)), rand(5, 2))
    parity(lambda m, x, i, s: m.scatter_add(x, 0, i, s), rand(3, 4), g.integers(0, 3, (5, 2)), rand(6, 4),
           grad=False)
    parity(lambda m, x, i, s: (x * 1).scatter_add_(-1, i, s), X, g.integers(0, 5, (3, 4, 7)), rand(3, 4, 7))
    parity(lambda m, x, i, s: x.clone().scatter_add_(0, i, s), np.arange(4), idx(1, 1, 3), idx(5, 6, 7))


@pytest.mark.parametrize('reduce', ['sum', 'prod', 'mean', 'amax', 'amin'])
@pytest.mark.parametrize('include_self', [True, False])
def test_scatter_reduce(reduce, include_self):
    g = np.random.default_rng(7)
    x = rand(3, 4)
    src = rand(3, 6)
    i = g.integers(0, 4, (3, 6))
    if reduce in ('amax', 'amin'):               # ties between self and src
        x[0, 0] = src[0, 0]
        i[0, 0] = 0
    if reduce == 'prod':                          # one and two zeros in a group
        src[1, :2] = 0.
        i[1, :3] = 2
        src[2, 0] = 0.
    fn = lambda m, x, i, s: x.scatter_reduce(1, i, s, reduce, include_self=include_self)
    parity(fn, x, i, src)
    parity(lambda m, x, i, s: (x * 1).scatter_reduce_(1, i, s, reduce, include_self=include_self), x, i, src)
    parity(lambda m, x, i, s: x.scatter_reduce(0, i, s, reduce, include_self=include_self),
           np.array([1, 1, 5]), idx(0, 0, 1, 0), np.array([-2, -3, -4, 7]))    # integer (floor mean)


def test_scatter_reduce_errors():
    raises_like(lambda m, x: x.scatter_reduce(0, m.tensor([0]), x, 'foo'), rand(3), match='reduce argument')
    parity(lambda m, x, s: (x.scatter_reduce(0, m.tensor([0, 0]), s, 'max'),
                            x.scatter_reduce(0, m.tensor([0, 0]), s, 'min')), rand(3), rand(2), grad=False)
    raises_like(lambda m, x: x.scatter_reduce(0, m.tensor([0]), x.double(), 'sum'), rand(3).astype(np.float32),
                match='self.dtype to be equal')


# ---------------------------------------------------------------------------- index_* ops

def test_index_select():
    parity(lambda m, x, i: x.index_select(1, i), X, idx(3, 0, 3))
    parity(lambda m, x, i: m.index_select(x, -1, i), X, np.array([4, 1], dtype=np.int32))
    parity(lambda m, x, i: x.t().index_select(0, i), rand(3, 4), np.array(2))
    parity(lambda m, x, i: x.index_select(0, i), rand(3, 4), np.zeros(0, I64))
    parity(lambda m, x, i: x.index_select(0, i), rand(), idx(0))
    parity(lambda m, x, i: x.index_select(0, i), np.arange(5) > 2, idx(4, 4))
    raises_like(lambda m, x: x.index_select(1, m.zeros(2, 2, dtype=m.long)), X, match='supposed to be a vector')
    raises_like(lambda m, x: x.index_select(1, m.tensor([9])), X, match='out of DATA bounds')
    raises_like(lambda m, x: x.index_select(1, m.tensor([1.])), X, match='int32 or int64')


def test_index_add():
    parity(lambda m, x, i, s: x.index_add(1, i, s), X, idx(0, 3, 0, 0), rand(3, 4, 5))
    parity(lambda m, x, i, s: m.index_add(x, -1, i, s, alpha=2.5), X, idx(4, 2), rand(3, 4, 2))
    parity(lambda m, x, i, s: x.t().index_add(0, i, s), rand(3, 4), idx(1, 1), rand(2, 3))
    parity(lambda m, x, i, s: (x * 1).index_add_(0, i, s, alpha=-1), rand(3, 4), idx(2, 2, 0), rand(3, 4))
    parity(lambda m, x, i, s: x.clone().index_add_(0, i, s), np.arange(4), idx(1, 1), idx(5, 6))
    parity(lambda m, x, i, s: x.index_add(0, i, s), rand(), idx(0), rand())
    raises_like(lambda m, x: x.index_add(1, m.tensor([4]), m.ones(3, 1, 5, dtype=m.float64)), X, match='index out of range in self')
    raises_like(lambda m, x: x.index_add(1, m.tensor([1]), m.ones(3, 2, 5, dtype=m.float64)), X, match='Number of indices')
    raises_like(lambda m, x: x.index_add(1, m.tensor([1]), m.ones(3, 1, 4, dtype=m.float64)), X, match='source tensor shape')
    raises_like(lambda m, x: x.index_add(1, m.tensor([1]), m.ones(3, 1, 5, dtype=m.float32)), X,
                match='same scalar type')
    raises_like(lambda m, x: x.index_add(1, m.tensor([[1]]), m.ones(3, 1, 5, dtype=m.float64)), X, match='supposed to be a vector')


def test_index_copy_and_fill():
    parity(lambda m, x, i, s: x.index_copy(1, i, s), X, idx(3, 0), rand(3, 2, 5))
    parity(lambda m, x, i, s: (x * 1).index_copy_(-1, i, s), X, idx(4, 1), rand(3, 4, 2))
    parity(lambda m, x, i: x.index_fill(1, i, -2.), X, idx(3, 0, 3))
    parity(lambda m, x, i, v: x.index_fill(1, i, v), X, idx(0, 0, 2), rand())
    parity(lambda m, x, i, v: x.t().index_fill(0, i, v), rand(3, 4), np.array(1), rand())
    parity(lambda m, x, i: (x * 1).index_fill_(0, i, 0), rand(3, 4), idx(2))
    parity(lambda m, x, i: x.clone().index_fill_(0, i, 7), np.arange(4), idx(1, -1))
    e, t = parity(lambda m, x, i, v: x.index_fill(0, i, v), rand(3), idx(1), rand())
    assert type(e.grad_fn).__name__ == type(t.grad_fn).__name__ == 'IndexFillBackward1'
    raises_like(lambda m, x: x.index_copy(1, m.tensor([4]), m.ones(3, 1, 5, dtype=m.float64)), X,
                match='out of bounds')
    raises_like(lambda m, x: x.index_copy(1, m.tensor([1], dtype=m.int32), m.ones(3, 1, 5, dtype=m.float64)), X,
                match='long tensor')
    raises_like(lambda m, x: x.index_copy(1, m.tensor([1, 2]), m.ones(3, 1, 5, dtype=m.float64)), X,
                match='Number of indices')
    raises_like(lambda m, x: x.index_fill(1, m.tensor([4]), 1.), X, match='index 4 is out of bounds')
    raises_like(lambda m, x: x.index_fill(1, m.tensor([1]), m.tensor([1.])), X, match='0-dimensional')
    raises_like(lambda m, x: x.index_fill(1, m.tensor([1], dtype=m.int32), 1.), X, match='int64')


def test_inplace_ops_on_leaf_raise_and_bump_version():
    w = ember.tensor(X, requires_grad=True)
    i = ember.zeros(3, 2, 5, dtype=ember.long)
    for f in (lambda: w.scatter_(1, i, 1.), lambda: w.index_add_(0, ember.tensor([0]), w[:1].detach()),
              lambda: w.index_fill_(0, ember.tensor([0]), 1.), lambda: w.masked_fill_(w > 0, 1.),
              lambda: w.index_put_((ember.tensor([0]),), ember.tensor(1., dtype=ember.float64))):
        with pytest.raises(RuntimeError, match='leaf Variable that requires grad'):
            f()
    x = ember.zeros(3, 4, 5)
    v = x._version
    x.scatter_(1, i, 1.)
    x.index_fill_(0, ember.tensor([0]), 2.)
    x.masked_fill_(x > 1, 3.)
    assert x._version == v + 3


def test_gradcheck_float64():
    gradcheck = pytest.importorskip('ember.autograd.gradcheck').gradcheck
    x = ember.tensor(rand(3, 4), requires_grad=True)
    s = ember.tensor(rand(3, 4), requires_grad=True)
    i = ember.tensor(np.random.default_rng(8).integers(0, 4, (3, 4)))
    assert gradcheck(lambda x: x[[0, 2], 1:] * x[1, None, 1:], (x,))
    assert gradcheck(lambda x, s: x.gather(1, i) * s.scatter_add(1, i, x), (x, s))
    assert gradcheck(lambda x, s: x.index_add(0, ember.tensor([0, 0]), s[:2]).masked_fill(x > 0, 1.), (x, s))
    assert gradcheck(lambda x, s: x.scatter_reduce(1, i, s, 'mean', include_self=False), (x, s))
    assert gradcheck(lambda x, s: x.take(ember.tensor([1, 1, 5])) + s.masked_select(s > 0).sum(), (x, s))


@pytest.mark.parametrize('fn', [
    lambda m, x, i: (x[i] ** 3).sum() + (x[1:, None] ** 2).sum(),
    lambda m, x, i: (x.gather(0, i[:, None].expand(3, 4)) ** 3).sum(),
    lambda m, x, i: (m.zeros(5, 4, dtype=m.float64).index_add(0, i, x[:3] ** 2) ** 2).sum(),
    lambda m, x, i: ((x * 1).index_put_((i,), x[:3] ** 2, accumulate=True) ** 2).sum(),
    lambda m, x, i: (x.masked_select(x > 0) ** 3).sum() + (x.take(i) ** 3).sum(),
    lambda m, x, i: (_set((i,), lambda m, w: w ** 2)(m, x, x[:3]) ** 2).sum(),
])
def test_double_backward(fn):
    x = rand(5, 4)
    i = idx(0, 3, 3)
    xe, xt = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ge, = ember.autograd.grad(fn(ember, xe, ember.tensor(i)), xe, create_graph=True)
    gt, = torch.autograd.grad(fn(torch, xt, torch.tensor(i)), xt, create_graph=True)
    np.testing.assert_allclose(to_numpy(ge), to_numpy(gt), rtol=1e-6)
    c = rand(5, 4)
    hge, = ember.autograd.grad((ge * ember.tensor(c)).sum(), xe)
    hgt, = torch.autograd.grad((gt * torch.tensor(c)).sum(), xt)
    np.testing.assert_allclose(to_numpy(hge), to_numpy(hgt), rtol=1e-6)


def test_setitem_more_patterns():
    def aug(m, x, w):
        y = x * 1
        y[[0, 2]] += w                  # getitem, iadd, setitem
        y[1:, 0] *= 2
        return y
    parity(aug, rand(3, 4), rand(4))

    def masked(m, x, w):
        y = x * 1
        y[y > 0] = w[:int((x > 0).sum())]
        return y
    x = rand(3, 4)
    parity(masked, x, rand(12))

    def zero_dim(m, x, w):
        y = x * 1
        y[()] = w
        z = x * 2
        z[...] = 3.
        return y, z
    parity(zero_dim, rand(), rand())

    def view_of_plain(m, w):
        y = m.zeros(3, 4, dtype=m.float64)
        v = y[1]
        v[[0, 3]] = w
        return y
    parity(view_of_plain, rand(2))
