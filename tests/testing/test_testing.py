import numpy as np
import pytest
import torch

import ember

T = lambda lib, x, **k: lib.tensor(x, **k)  # noqa: E731

CASES = [
    (lambda lib: (T(lib, [1., 2., 3.]), T(lib, [1., 2., 3.5])), {}),
    (lambda lib: (T(lib, [1., 2.]), T(lib, [1., 2.], dtype=lib.float64)), {}),
    (lambda lib: (T(lib, [1., 2., 3.]), T(lib, [1., 2.])), {}),
    (lambda lib: (T(lib, [[1, 2], [3, 4]]), T(lib, [[1, 2], [3, 5]])), {}),
    (lambda lib: (T(lib, [True]), T(lib, [False])), {}),
    (lambda lib: (T(lib, 1.), T(lib, 3.)), {}),
    (lambda lib: (1.0, 1.5), {}),
    (lambda lib: (2, 3), {}),
    (lambda lib: (1, 1.0), {}),
    (lambda lib: ([T(lib, 1.), T(lib, 2.)], [T(lib, 1.), T(lib, 2.5)]), {}),
    (lambda lib: ({'a': T(lib, 1.)}, {'a': T(lib, 1.5)}), {}),
    (lambda lib: ({'a': 1}, {'b': 1}), {}),
    (lambda lib: ([[1, 2]], [[1, 3]]), {}),
    (lambda lib: ([1, 2], [1, 2, 3]), {}),
    (lambda lib: (T(lib, [1., float('nan')]), T(lib, [1., float('nan')])), {}),
    (lambda lib: (np.array([1., 2.]), np.array([1., 2.5])), {}),
    (lambda lib: (T(lib, [1., 2.]), T(lib, [1., 2.1])), {'rtol': 0, 'atol': 0}),
    (lambda lib: (T(lib, [1., 2.]), T(lib, [1., 3.])), {'msg': 'custom'}),
    (lambda lib: (lib.ones(2, 3), lib.ones(3, 2).t()), {'check_stride': True}),
]


@pytest.mark.parametrize('i', range(len(CASES)))
def test_assert_close_messages(i):
    make, kw = CASES[i]
    with pytest.raises(AssertionError) as t:
        torch.testing.assert_close(*make(torch), **kw)
    with pytest.raises(AssertionError) as e:
        ember.testing.assert_close(*make(ember), **kw)
    assert str(e.value) == str(t.value)


@pytest.mark.parametrize('make,kw', [
    (lambda lib: (T(lib, [1., float('nan')]), T(lib, [1., float('nan')])), {'equal_nan': True}),
    (lambda lib: (T(lib, [1, 2]), T(lib, [1., 2.])), {'check_dtype': False}),
    (lambda lib: (T(lib, [1., 2.]), T(lib, [1., 2. + 1e-6])), {}),
    (lambda lib: ((1, 2.0, None), (1, 2.0, None)), {}),
    (lambda lib: (T(lib, [1., 2.], dtype=lib.float16), T(lib, [1., 2.001], dtype=lib.float16)), {}),
])
def test_assert_close_passes(make, kw):
    torch.testing.assert_close(*make(torch), **kw)
    ember.testing.assert_close(*make(ember), **kw)


def test_errors():
    for lib in (torch, ember):
        with pytest.raises(TypeError):
            lib.testing.assert_close(lib.tensor([1.]), [1.])
        with pytest.raises(ValueError):
            lib.testing.assert_close(lib.tensor([1.]), lib.tensor([1.]), rtol=1e-3)


def test_assert_allclose():
    with pytest.warns(FutureWarning):
        with pytest.raises(AssertionError) as t:
            torch.testing.assert_allclose(torch.tensor([1., 2.]), [1., 2.5])
    with pytest.warns(FutureWarning):
        with pytest.raises(AssertionError) as e:
            ember.testing.assert_allclose(ember.tensor([1., 2.]), [1., 2.5])
    assert str(e.value) == str(t.value)


@pytest.mark.parametrize('dtype,lo,hi', [('float32', -9, 9), ('float64', -9, 9), ('int64', -9, 9),
                                         ('uint8', 0, 9), ('bool', 0, 1), ('complex64', -9, 9)])
def test_make_tensor(dtype, lo, hi):
    ed = getattr(ember, dtype)
    x = ember.testing.make_tensor(200, 3, dtype=ed, device='cpu')
    assert x.shape == (200, 3) and x.dtype is ed
    v = np.asarray(x.numpy())
    parts = [v.real, v.imag] if v.dtype.kind == 'c' else [v.astype(float)]
    for p in parts:
        assert p.min() >= lo and p.max() <= hi
    y = ember.testing.make_tensor((4, 3), dtype=ed, device='cpu', noncontiguous=True,
                                  exclude_zero=True, low=-1, high=2)
    assert not y.is_contiguous() and not np.any(np.asarray(y.numpy()) == 0)
    z = ember.testing.make_tensor(2, 3, 4, 5, dtype=ed, device='cpu', memory_format=ember.channels_last)
    assert z.is_contiguous(memory_format=ember.channels_last)
    if dtype.startswith('float'):
        w = ember.testing.make_tensor(3, dtype=ed, device='cpu', requires_grad=True, low=0, high=1)
        assert w.requires_grad and float(w.min()) >= 0
