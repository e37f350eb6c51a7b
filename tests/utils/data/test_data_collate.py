"""default_collate / default_convert against torch's."""
import collections

import numpy as np
import pytest
import torch
import torch.utils.data as tdata

import ember
import ember.utils.data as edata

Point = collections.namedtuple('Point', ['x', 'y'])


def _norm(obj):
    """A comparable structure: tensors -> ('T', dtype name, shape, values)."""
    if isinstance(obj, (ember.Tensor, torch.Tensor)):
        return ('T', str(obj.dtype), tuple(obj.shape), obj.detach().numpy().tolist())
    if isinstance(obj, dict):
        return (type(obj).__name__, {k: _norm(v) for k, v in obj.items()})
    if isinstance(obj, tuple) and hasattr(obj, '_fields'):
        return (type(obj).__name__, tuple(_norm(v) for v in obj))
    if isinstance(obj, (list, tuple)):
        return (type(obj).__name__, [_norm(v) for v in obj])
    if isinstance(obj, np.ndarray):
        return ('np', str(obj.dtype), obj.tolist())
    return (type(obj).__name__, obj)


def _samples(lib, kind):
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    if kind == 'tensors':
        return [lib.tensor(a + i) for i in range(3)]
    if kind == 'int_tensors_noncontig':
        return [lib.tensor(a.astype(np.int64)).t() + i for i in range(2)]
    if kind == 'scalars0d':
        return [lib.tensor(float(i)) for i in range(4)]
    if kind == 'ints':
        return [1, 2, 3]
    if kind == 'floats':
        return [1.5, 2.0]
    if kind == 'bools':
        return [True, False, True]
    if kind == 'numpy':
        return [a + i for i in range(3)]
    if kind == 'numpy_int32':
        return [np.arange(3, dtype=np.int32) + i for i in range(2)]
    if kind == 'numpy_scalars':
        return [np.float32(1.5), np.float32(2.5)]
    if kind == 'numpy_int_scalars':
        return [np.int16(1), np.int16(2)]
    if kind == 'numpy_bool_scalars':
        return [np.bool_(True), np.bool_(False)]
    if kind == 'strings':
        return ['a', 'bc']
    if kind == 'bytes':
        return [b'a', b'bc']
    if kind == 'tuples':
        return [(lib.tensor([i, i]), i, 'n%d' % i) for i in range(3)]
    if kind == 'lists':
        return [[i, float(i)] for i in range(3)]
    if kind == 'dicts':
        return [{'img': lib.tensor(a) * i, 'label': i, 'meta': {'name': str(i), 'w': 0.5 * i}}
                for i in range(2)]
    if kind == 'ordered':
        return [collections.OrderedDict(b=i, a=float(i)) for i in range(2)]
    if kind == 'namedtuple':
        return [Point(lib.tensor([1.0 * i]), i) for i in range(3)]
    if kind == 'nested':
        return [{'pts': [Point(i, 2.0 * i), Point(-i, 0.0)], 'np': np.array([i], dtype=np.uint8)}
                for i in range(2)]
    raise KeyError(kind)


KINDS = ['tensors', 'int_tensors_noncontig', 'scalars0d', 'ints', 'floats', 'bools', 'numpy',
         'numpy_int32', 'numpy_scalars', 'numpy_int_scalars', 'numpy_bool_scalars', 'strings',
         'bytes', 'tuples', 'lists', 'dicts', 'ordered', 'namedtuple', 'nested']


@pytest.mark.parametrize("kind", KINDS)
def test_default_collate_parity(kind):
    e = edata.default_collate(_samples(ember, kind))
    t = tdata.default_collate(_samples(torch, kind))
    assert _norm(e) == _norm(t)


@pytest.mark.parametrize("kind", KINDS)
def test_default_convert_parity(kind):
    for sample in range(2):
        e = edata.default_convert(_samples(ember, kind)[sample])
        t = tdata.default_convert(_samples(torch, kind)[sample])
        assert _norm(e) == _norm(t)


def test_namedtuple_type_kept():
    out = edata.default_collate(_samples(ember, 'namedtuple'))
    assert isinstance(out, Point) and isinstance(out.x, ember.Tensor)


@pytest.mark.parametrize("batch,exc", [
    ([[1, 2], [1]], RuntimeError),
    ([object(), object()], TypeError),
    ([np.array(['a']), np.array(['b'])], TypeError),
    ([ember.zeros(2), ember.zeros(3)], RuntimeError),
])
def test_default_collate_errors(batch, exc):
    with pytest.raises(exc):
        edata.default_collate(batch)
    tbatch = [torch.zeros(2), torch.zeros(3)] if isinstance(batch[0], ember.Tensor) else batch
    with pytest.raises(exc):
        tdata.default_collate(tbatch)


def test_error_messages():
    with pytest.raises(RuntimeError, match="each element in list of batch should be of equal size"):
        edata.default_collate([[1, 2], [1]])
    with pytest.raises(TypeError, match="default_collate: batch must contain tensors, numpy arrays, "
                                        "numbers, dicts or lists; found <class 'object'>"):
        edata.default_collate([object()])


def test_convert_keeps_string_arrays_and_others():
    a = np.array(['x', 'y'])
    assert edata.default_convert(a) is a
    o = object()
    assert edata.default_convert(o) is o
    assert edata.default_convert('abc') == 'abc'
