"""Views share memory like torch's: same strides, storage offsets, data pointers and
contiguity as torch reports; writes through a view reach the base and the reverse; version
counters are shared; in-place ops on views of non-leaf tensors give torch's gradients."""
import numpy as np
import pytest
import torch

import ember
from helpers import rand, assert_same

X = np.arange(60, dtype='float64').reshape(3, 4, 5)

VIEWS = {
    'transpose': lambda L, a: a.transpose(0, 2),
    'permute': lambda L, a: a.permute(1, 2, 0),
    'movedim': lambda L, a: a.movedim(-1, 0),
    'mT': lambda L, a: a.mT,
    't': lambda L, a: a.select(0, 1).t(),
    'view': lambda L, a: a.view(12, 5),
    'view_split': lambda L, a: a.view(3, 2, 2, 5),
    'view_nc': lambda L, a: a.transpose(0, 1).view(4, 3, 5),
    'view_nc_merge': lambda L, a: a.narrow(2, 0, 2).view(12, 2),
    'view_size1': lambda L, a: a.narrow(1, 0, 1).view(3, 1, 1, 5),
    'reshape_view': lambda L, a: a.permute(2, 0, 1).reshape(5, 12),
    'unflatten': lambda L, a: a.unflatten(1, (2, 2)),
    'flatten': lambda L, a: a.flatten(1),
    'unsqueeze': lambda L, a: a.unsqueeze(1),
    'unsqueeze_last': lambda L, a: a.transpose(0, 1).unsqueeze(3),
    'unsqueeze_nc': lambda L, a: a.transpose(0, 2).unsqueeze(1),
    'squeeze': lambda L, a: a.narrow(1, 2, 1).squeeze(1),
    'squeeze_tuple': lambda L, a: a.narrow(1, 2, 1).unsqueeze(0).squeeze((0, 2)),
    'expand': lambda L, a: a.narrow(1, 1, 1).expand(2, 3, 4, 5),
    'narrow': lambda L, a: a.narrow(1, 1, 2),
    'narrow_last': lambda L, a: a.narrow(-1, 3, 2),
    'narrow_empty': lambda L, a: a.narrow(1, 4, 0),
    'select': lambda L, a: a.select(1, 2),
    'select_neg': lambda L, a: a.select(-1, -2),
    'select_chain': lambda L, a: a.select(0, 2).select(0, 1),
    'unbind': lambda L, a: a.unbind(2)[3],
    'split': lambda L, a: a.split(2, 1)[1],
    'split_sizes': lambda L, a: a.split([1, 4], 2)[1],
    'chunk': lambda L, a: a.chunk(2, 2)[1],
    'tensor_split': lambda L, a: a.tensor_split(3, 2)[2],
    'hsplit': lambda L, a: a.hsplit([1, 3])[1],
    'diagonal': lambda L, a: a.diagonal(),
    'diagonal_off': lambda L, a: a.diagonal(1, 1, 2),
    'diagonal_neg': lambda L, a: a.diagonal(-1, 2, 0),
    'diagonal_empty': lambda L, a: a.diagonal(7, 1, 2),
    'unfold': lambda L, a: a.unfold(2, 2, 2),
    'unfold_overlap': lambda L, a: a.unfold(1, 3, 1),
    'as_strided': lambda L, a: a.as_strided((4, 3), (2, 5), 7),
    'as_strided_of_view': lambda L, a: a.narrow(0, 1, 2).as_strided((3, 3), (1, 4)),
    'broadcast_to': lambda L, a: a.select(1, 0).broadcast_to(2, 3, 5),
    'atleast_3d': lambda L, a: L.atleast_3d(a.select(0, 0).select(0, 0)),
    'ravel': lambda L, a: a.narrow(0, 1, 1).ravel(),
    'meshgrid': lambda L, a: L.meshgrid(a.select(0, 0).select(0, 0), a.select(0, 1).select(1, 2), indexing='ij')[1],
    'chain': lambda L, a: a.transpose(0, 1).narrow(1, 1, 2).select(2, 3).t(),
}


def _pair():
    return ember.tensor(X.copy()), torch.tensor(X.copy())


@pytest.mark.parametrize('name', list(VIEWS))
def test_view_geometry_matches_torch(name):
    fn = VIEWS[name]
    eb, tb = _pair()
    ev, tv = fn(ember, eb), fn(torch, tb)
    assert tuple(ev.shape) == tuple(tv.shape)
    assert ev.stride() == tv.stride()
    assert ev.storage_offset() == tv.storage_offset()
    assert ev.is_contiguous() == tv.is_contiguous()
    if tv.numel():
        assert ev.data_ptr() - eb.data_ptr() == tv.data_ptr() - tb.data_ptr()
    else:
        assert ev.data_ptr() == tv.data_ptr() == 0
    assert_same(ev, tv)


SHAREABLE = [n for n in VIEWS if n not in ('expand', 'broadcast_to', 'unfold_overlap', 'meshgrid')]


@pytest.mark.parametrize('name', SHAREABLE)
def test_write_through_view_reaches_base(name):
    fn = VIEWS[name]
    eb, tb = _pair()
    ev, tv = fn(ember, eb), fn(torch, tb)
    ev.mul_(-2)
    tv.mul_(-2)
    assert_same(eb, tb)
    assert ev._version == eb._version == tv._version == tb._version
    # and the other way: writing into the base is seen by the view
    eb.add_(1)
    tb.add_(1)
    assert_same(ev, tv)
    assert ev._version == eb._version


def test_views_of_views_share_version_and_base():
    b = ember.tensor(X.copy())
    v1 = b.mT
    v2 = v1.narrow(1, 1, 2)
    v3 = v2.select(2, 0)
    v3.add_(1)
    assert b._version == v1._version == v2._version == v3._version == 1
    assert v3._base is b and v2._base is b
    assert float(b[:, 0, 1].sum()) == X[:, 0, 1].sum() + 3


def test_view_errors_and_copies():
    e = ember.tensor(X.copy())
    with pytest.raises(RuntimeError, match='view size is not compatible'):
        e.transpose(0, 1).view(-1)
    # reshape of a non-viewable layout copies: writes don't reach the base
    r = e.transpose(0, 1).reshape(-1)
    r.mul_(0)
    assert float(e.sum()) == X.sum()
    for f in (lambda a: a.flip(0), lambda a: a.roll(1, 0), lambda a: a.repeat(1, 1, 1),
              lambda a: ember.cat([a, a]), lambda a: ember.stack([a]), lambda a: a.tril(),
              lambda a: a.rot90(1, (0, 1)), lambda a: a.contiguous().clone()):
        c = f(e)
        c.mul_(0)
        assert float(e.sum()) == X.sum()


# ---------------------------------------------------------------------------- autograd through views

INPLACE = {
    'transpose': lambda y: y.transpose(0, 2).mul_(2),
    't_of_select': lambda y: y.select(0, 1).t().add_(3),
    'narrow': lambda y: y.narrow(1, 1, 2).mul_(y.narrow(1, 0, 2).detach() + 1),
    'select': lambda y: y.select(2, 4).mul_(-1),
    'diagonal': lambda y: y.diagonal(0, 1, 2).mul_(3),
    'diagonal_off': lambda y: y.diagonal(1, 0, 2).add_(1),
    'view': lambda y: y.view(12, 5).mul_(2),
    'unsqueeze': lambda y: y.unsqueeze(0).mul_(0.5),
    'movedim': lambda y: y.movedim(0, 2).narrow(0, 1, 2).mul_(4),
    'unfold': lambda y: y.unfold(2, 2, 2).mul_(3),
    'as_strided': lambda y: y.as_strided((2, 3), (20, 1), 4).mul_(5),
    'chain': lambda y: y.transpose(0, 1).narrow(1, 1, 2).select(2, 3).mul_(7),
    'twice': lambda y: (y.select(0, 0).mul_(2), y.narrow(2, 1, 3).mul_(3)),
    'tensor_split': lambda y: y.tensor_split(2, 1)[1].mul_(2),
}


@pytest.mark.parametrize('name', list(INPLACE))
def test_inplace_on_view_of_nonleaf_gives_torch_grads(name):
    op = INPLACE[name]
    w = rand(3, 4, 5)
    grads = {}
    for L in (torch, ember):
        x = L.tensor(X / 10, requires_grad=True)
        y = x * 1
        op(y)
        out = (y * y * L.tensor(w)).sum()
        out.backward()
        grads[L.__name__] = (x.grad, y.detach().clone(), y.grad_fn.name())
    assert_same(grads['ember'][1], grads['torch'][1])
    assert_same(grads['ember'][0], grads['torch'][0])


def test_inplace_on_view_with_tensor_operand_grads():
    """The operand of an in-place op on a view gets its gradient too."""
    grads = {}
    for L in (torch, ember):
        x = L.tensor(X / 10, requires_grad=True)
        s = L.tensor(np.linspace(1, 2, 4), requires_grad=True)
        y = x * 1
        y.select(2, 1).mul_(s)
        (y * y).sum().backward()
        grads[L.__name__] = (x.grad, s.grad)
    for e, t in zip(grads['ember'], grads['torch']):
        assert_same(e, t)


def test_inplace_on_view_of_leaf_errors():
    for L in (torch, ember):
        x = L.tensor(X, requires_grad=True)
        with pytest.raises(RuntimeError, match='view of a leaf Variable'):
            x.narrow(0, 0, 1).mul_(2)


def test_view_of_nonleaf_then_base_modified():
    """Reading a view after modifying its non-leaf base in place uses the new values."""
    res = {}
    for L in (torch, ember):
        x = L.tensor(X / 10, requires_grad=True)
        y = x * 2
        v = y.transpose(0, 1)
        d = y.diagonal(0, 1, 2)
        y.mul_(3)
        d.add_(1)
        (v * v).sum().backward()
        res[L.__name__] = x.grad
    assert_same(res['ember'], res['torch'])
