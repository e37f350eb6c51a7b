"""ember.device and ember.Size, compared with torch.device and torch.Size."""
import pickle

import pytest
import torch

import ember

GOOD = [('cpu',), ('cuda',), ('cuda:0',), ('cuda:1',), ('cuda:12',), ('cpu:0',), ('meta',),
        ('cuda', 0), ('cuda', 3), ('cpu', 0), ('cuda', None)]


@pytest.mark.parametrize('args', GOOD, ids=str)
def test_device_parse_repr_str(args):
    e, t = ember.device(*args), torch.device(*args)
    assert repr(e) == repr(t)
    assert str(e) == str(t)
    assert e.type == t.type
    assert e.index == t.index


@pytest.mark.parametrize('args', GOOD, ids=str)
def test_device_copy_hash_pickle(args):
    e = ember.device(*args)
    assert ember.device(e) == e
    assert hash(ember.device(*args)) == hash(e)
    assert pickle.loads(pickle.dumps(e)) == e
    assert {e: 1}[ember.device(*args)] == 1


@pytest.mark.parametrize('a,b', [('cpu', 'cpu'), ('cuda:0', ('cuda', 0)), ('cuda', 'cuda:0'),
                                 ('cuda:0', 'cuda:1'), ('cpu', 'cuda'), ('cpu', 'cpu:0')], ids=str)
def test_device_equality(a, b):
    a = a if isinstance(a, tuple) else (a,)
    b = b if isinstance(b, tuple) else (b,)
    assert (ember.device(*a) == ember.device(*b)) == (torch.device(*a) == torch.device(*b))
    assert (ember.device(*a) != ember.device(*b)) == (torch.device(*a) != torch.device(*b))


def test_device_not_equal_to_string():
    assert (ember.device('cpu') == 'cpu') == (torch.device('cpu') == 'cpu')
    assert (ember.device('cpu') != 'cpu') == (torch.device('cpu') != 'cpu')


BAD = [('cuda:-1',), ('cuda:x',), ('gpu',), ('cuda:0:1',), ('',), ('CPU',), ('cuda: 1',),
       ('cuda:01',), ('cuda', -1), ('cuda:1', 0), ('cuda', '1'), (None,)]


@pytest.mark.parametrize('args', BAD, ids=str)
def test_device_errors(args):
    with pytest.raises(Exception) as te:
        torch.device(*args)
    with pytest.raises(type(te.value)):
        ember.device(*args)


def test_device_error_messages():
    with pytest.raises(RuntimeError, match="Invalid device string: 'cuda:x'"):
        ember.device('cuda:x')
    with pytest.raises(RuntimeError, match='Device index must not be negative'):
        ember.device('cuda', -1)
    with pytest.raises(RuntimeError, match='device type at start of device string: gpu'):
        ember.device('gpu')
    with pytest.raises(RuntimeError, match='must not include an index'):
        ember.device('cuda:1', 0)


def test_tensor_device():
    e, t = ember.zeros(2), torch.zeros(2)
    assert repr(e.device) == repr(t.device)
    assert e.is_cuda == t.is_cuda
    assert e.device.type == 'cpu'
    assert repr(ember.zeros(2, device='cpu').device) == repr(torch.zeros(2, device='cpu').device)
    assert repr(ember.zeros(2, device=ember.device('cpu')).device) == "device(type='cpu')"


# ---------------------------------------------------------------------------- Size
SHAPES = [(), (0,), (3,), (2, 3), (2, 0, 4), (1, 2, 3, 4, 5)]


@pytest.mark.parametrize('shape', SHAPES, ids=str)
def test_size_repr_numel(shape):
    e, t = ember.Size(shape), torch.Size(shape)
    assert repr(e) == repr(t)
    assert str(e) == str(t)
    assert e.numel() == t.numel()
    assert e == t and tuple(e) == tuple(t)
    assert len(e) == len(t)
    assert isinstance(e, tuple)


@pytest.mark.parametrize('shape', SHAPES, ids=str)
def test_tensor_shape_is_size(shape):
    e, t = ember.zeros(shape), torch.zeros(shape)
    assert isinstance(e.shape, ember.Size) and isinstance(e.size(), ember.Size)
    assert repr(e.shape) == repr(t.shape)
    assert repr(e.size()) == repr(t.size())


@pytest.mark.parametrize('item', [0, -1, slice(1, None), slice(None, 2), slice(None, None, -1),
                                  slice(0, 0)], ids=str)
def test_size_indexing(item):
    e, t = ember.Size((2, 3, 4)), torch.Size((2, 3, 4))
    re, rt = e[item], t[item]
    assert type(re).__name__ == type(rt).__name__
    assert repr(re) == repr(rt)


def test_size_concat_and_pickle():
    e, t = ember.Size((2, 3)), torch.Size((2, 3))
    assert repr(e + (4,)) == repr(t + (4,))
    assert repr(e + ember.Size((5,))) == repr(t + torch.Size((5,)))
    assert pickle.loads(pickle.dumps(e)) == e
    assert isinstance(pickle.loads(pickle.dumps(e)), ember.Size)
    assert hash(e) == hash(t)
    assert ember.zeros(e).shape == e
