import math
import pickle

import numpy as np
import pytest
import torch

import ember


def test_constants():
    for n in ['inf', 'pi', 'e', 'newaxis']:
        assert getattr(ember, n) == getattr(torch, n)
    assert math.isnan(ember.nan)
    for n in ['contiguous_format', 'channels_last', 'channels_last_3d', 'preserve_format']:
        assert repr(getattr(ember, n)) == repr(getattr(torch, n))
        assert isinstance(getattr(ember, n), ember.memory_format)
        assert pickle.loads(pickle.dumps(getattr(ember, n))) is getattr(ember, n)
    assert ember.version.__version__ == ember.__version__
    assert ember.version.cuda is None and ember.version.debug is False


@pytest.mark.parametrize('shape,fmt', [((2, 3, 4, 5), 'channels_last'),
                                       ((2, 3, 4, 5, 2), 'channels_last_3d'),
                                       ((2, 3, 4, 5), 'contiguous_format')])
def test_memory_format(shape, fmt):
    a = np.random.default_rng(0).standard_normal(shape)
    for lib in (torch, ember):
        pass
    t, e = torch.tensor(a), ember.tensor(a)
    tf, ef = getattr(torch, fmt), getattr(ember, fmt)
    for op in (lambda x, f: x.contiguous(memory_format=f), lambda x, f: x.to(memory_format=f),
               lambda x, f: x.clone(memory_format=f)):
        ty, ey = op(t, tf), op(e, ef)
        assert ty.stride() == ey.stride()
        np.testing.assert_array_equal(ey.numpy(), ty.numpy())
        for f in ('channels_last', 'channels_last_3d', 'contiguous_format'):
            assert ey.is_contiguous(memory_format=getattr(ember, f)) == \
                ty.is_contiguous(memory_format=getattr(torch, f))
        assert ey.contiguous().stride() == ty.contiguous().stride()


def test_memory_format_errors_and_grad():
    with pytest.raises(RuntimeError, match='rank 5'):
        ember.randn(2, 3, 4, 5).contiguous(memory_format=ember.channels_last_3d)
    x = ember.randn(2, 3, 4, 5, requires_grad=True)
    y = x.contiguous(memory_format=ember.channels_last)
    assert type(y.grad_fn).__name__ == 'CloneBackward0'
    (y * 2).sum().backward()
    assert np.all(x.grad.numpy() == 2)
