"""ember._blas: the direct BLAS kernels agree with NumPy for every operand layout they accept,
decline what they do not handle, and the ops built on them match torch on both paths."""
import os
import sys

import numpy as np
import pytest
import torch

import ember
from ember import _blas

sys.path.insert(0, os.path.join(os.path.dirname(__file__), 'optim'))
from optim_harness import run_parity  # noqa: E402

RNG = np.random.default_rng(7)
needs_mkl = pytest.mark.skipif(_blas.info()['gemm'] is None, reason='MKL (pip install ember[mkl]) not installed')
needs_level1 = pytest.mark.skipif(_blas.info()['level1'] is None, reason='no BLAS library found')


def _layouts(m, n, dtype):
    """The same (m, n) values as C-contiguous, transposed (F-order), row-sliced and fully
    strided arrays."""
    base = RNG.standard_normal((m, n)).astype(dtype)
    wide = np.zeros((m, n + 5), dtype)
    wide[:, :n] = base
    strided = np.zeros((2 * m, 2 * n), dtype)
    strided[::2, ::2] = base
    return {'c': base, 'f': np.asfortranarray(base), 'rows': wide[:, :n],
            'strided': strided[::2, ::2], 'transposed_view': base.T.copy().T}


@needs_mkl
@pytest.mark.parametrize('dtype', ['float32', 'float64'])
@pytest.mark.parametrize('la', ['c', 'f', 'rows', 'strided', 'transposed_view'])
@pytest.mark.parametrize('lb', ['c', 'f', 'rows', 'strided'])
def test_gemm_matches_numpy_for_every_layout(dtype, la, lb):
    a = _layouts(70, 90, dtype)[la]
    b = _layouts(90, 60, dtype)[lb]
    out = _blas.gemm(a, b)
    assert out is not None and out.dtype == np.dtype(dtype) and out.shape == (70, 60)
    tol = 1e-4 if dtype == 'float32' else 1e-10
    np.testing.assert_allclose(out, a.astype('float64') @ b.astype('float64'), rtol=tol, atol=tol)


@needs_mkl
def test_gemm_declines_what_it_does_not_handle():
    a = RNG.standard_normal((80, 80)).astype('float32')
    assert _blas.gemm(a.astype('int64'), a.astype('int64')) is None          # integer
    assert _blas.gemm(a, a.astype('float64')) is None                         # mixed dtypes
    assert _blas.gemm(a, a[:10]) is None                                      # mismatched (NumPy raises)
    assert _blas.gemm(a[:, :0], a[:0, :]) is None                             # empty contraction
    assert _blas.gemm(a[None], np.stack([a, a])) is None                      # broadcast batch
    assert _blas.gemm(a[None], a) is None                                     # mixed ranks


@needs_mkl
@pytest.mark.parametrize('dtype', ['float32', 'float64'])
def test_batched_gemm_matches_numpy_for_batch_layouts(dtype):
    r = np.random.default_rng(11)
    a = r.standard_normal((2, 3, 40, 30)).astype(dtype)
    b = r.standard_normal((2, 3, 30, 20)).astype(dtype)
    variants = {
        'contiguous': (a, b),
        'transposed matrices': (np.ascontiguousarray(a.swapaxes(-1, -2)).swapaxes(-1, -2),
                                np.ascontiguousarray(b.swapaxes(-1, -2)).swapaxes(-1, -2)),
        'permuted batch dims': (np.ascontiguousarray(a.transpose(1, 0, 2, 3)).transpose(1, 0, 2, 3), b),
        'strided rows': (a[:, :, ::2], b),
        'one batch dim': (a[0], b[0]),
        'a single matrix': (a[:1, :1], b[:1, :1]),
    }
    tol = 1e-4 if dtype == 'float32' else 1e-10
    for name, (x, y) in variants.items():
        out = _blas.gemm(x, y)
        assert out is not None and out.shape == x.shape[:-1] + y.shape[-1:], name
        np.testing.assert_allclose(out, x.astype('float64') @ y, rtol=tol, atol=tol, err_msg=name)


@needs_mkl
def test_gemm_small_and_degenerate_shapes():
    # vector-shaped products go to MKL; tiny ones are left to NumPy (None)
    for m, k, n in [(1, 300, 20), (300, 1, 20), (2, 3, 1000), (64, 64, 1)]:
        a = RNG.standard_normal((m, k)).astype('float32')
        b = RNG.standard_normal((k, n)).astype('float32')
        np.testing.assert_allclose(_blas.gemm(a, b), a @ b, rtol=1e-5, atol=1e-5)
    for m, k, n in [(1, 1, 1), (4, 4, 4), (0, 5, 5)]:
        assert _blas.gemm(np.ones((m, k), 'float32'), np.ones((k, n), 'float32')) is None


@needs_level1
@pytest.mark.parametrize('dtype', ['float32', 'float64'])
def test_axpy_and_axpby_match_numpy(dtype):
    x = RNG.standard_normal((300, 70)).astype(dtype)
    y = RNG.standard_normal((300, 70)).astype(dtype)
    expect = y.astype('float64') - 0.25 * x
    assert _blas.axpy(-0.25, x, y)
    np.testing.assert_allclose(y, expect, rtol=1e-6, atol=1e-6)
    expect = 1.5 * x.astype('float64') + 0.9 * y
    assert _blas.axpby(1.5, x, 0.9, y)
    np.testing.assert_allclose(y, expect, rtol=1e-6, atol=1e-6)


@needs_level1
def test_level1_declines_and_leaves_data_alone():
    x = RNG.standard_normal((200, 200)).astype('float32')
    y = x.copy()
    before = y.copy()
    assert _blas.axpy(0.0, x, y)                        # this size and layout take the BLAS path
    small = x[:10, :10].copy()
    assert not _blas.axpy(1.0, small, small.copy())     # small: NumPy's ufunc is faster
    assert not _blas.axpy(1.0, x.T, y)                  # non-contiguous operand
    assert not _blas.axpy(1.0, x, y[:, ::2].copy())     # shape mismatch
    assert not _blas.axpy(1.0, y, y)                    # overlapping
    assert not _blas.axpy(1.0, x.astype('int32'), y.astype('int32'))
    assert not _blas.axpby(1.0, x.astype('float64'), 1.0, y)
    ro = x.copy()
    ro.flags.writeable = False
    assert not _blas.axpy(1.0, x, ro)
    np.testing.assert_array_equal(y, before)


def _big_linear_step(lib, state, x, g):
    lin = lib.nn.Linear(300, 200, dtype=getattr(lib, x.dtype.name))
    lin.load_state_dict({k: lib.tensor(v) for k, v in state.items()})
    xt = lib.tensor(x, requires_grad=True)
    out = lin(xt)
    out.backward(lib.tensor(g))
    return out, xt.grad, lin.weight.grad, lin.bias.grad


@pytest.mark.parametrize('path', ['blas', 'numpy'])
@pytest.mark.parametrize('dtype', ['float32', 'float64'])
def test_linear_forward_backward_matches_torch_on_both_paths(path, dtype, monkeypatch):
    if path == 'numpy':
        monkeypatch.setattr(_blas, '_mkl', None)
    state = {'weight': RNG.standard_normal((200, 300)).astype(dtype) * 0.05,
             'bias': RNG.standard_normal(200).astype(dtype)}
    x = RNG.standard_normal((128, 300)).astype(dtype)
    g = RNG.standard_normal((128, 200)).astype(dtype)
    tol = 1e-4 if dtype == 'float32' else 1e-10
    for e, t in zip(_big_linear_step(ember, state, x, g), _big_linear_step(torch, state, x, g)):
        assert str(e.dtype).split('.')[-1] == str(t.dtype).split('.')[-1]
        np.testing.assert_allclose(e.detach().numpy(), t.detach().numpy(), rtol=tol, atol=tol)


@pytest.mark.parametrize('kwargs', [dict(lr=0.1, momentum=0.9), dict(lr=0.1, momentum=0.5, dampening=0.3)])
def test_sgd_numpy_fallback_matches_torch(kwargs, monkeypatch):
    monkeypatch.setattr(_blas, '_level1', None)
    run_parity('SGD', kwargs)


@pytest.mark.parametrize('kwargs', [dict(lr=0.05), dict(lr=0.05, momentum=0.9),
                                    dict(lr=0.05, momentum=0.5, dampening=0.3, weight_decay=0.01)])
def test_sgd_on_large_parameters_matches_torch(kwargs):
    """Parameters big enough for the BLAS axpy/axpby updates and gradient accumulation."""
    w0 = RNG.standard_normal((256, 128)).astype('float32')
    x = RNG.standard_normal((64, 256)).astype('float32')
    results = []
    for lib in (ember, torch):
        w = lib.nn.Parameter(lib.tensor(w0.copy()))
        opt = lib.optim.SGD([w], **kwargs)
        xs = lib.tensor(x)
        for step in range(4):
            opt.zero_grad()
            for _ in range(2):                   # two backward passes: the grad accumulates
                (lib.tanh(xs @ w) ** 2).mean().backward()
            opt.step()
        results.append(w.detach().numpy().copy())
    np.testing.assert_allclose(results[0], results[1], rtol=1e-5, atol=1e-6)


def test_ember_blas_numpy_env_turns_the_module_off():
    import subprocess
    code = 'import ember._blas as b; print(b.info())'
    out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, check=True,
                         env=dict(os.environ, EMBER_BLAS='numpy')).stdout
    assert out.strip() == "{'gemm': None, 'level1': None}"
