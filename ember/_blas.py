"""Direct BLAS calls (ctypes) for the few hot kernels NumPy's API cannot express well.

- `gemm(a, b)`: float32/float64 matrix products through Intel MKL, when the optional `mkl`
  package is installed (`pip install ember[mkl]`): 2-D products, and stacks with the same
  batch shape as one strided batch GEMM. MKL is the BLAS PyTorch's CPU wheels ship; its GEMM
  is 1.3-1.5x faster than NumPy's OpenBLAS on the layer shapes of small networks (measured in
  benchmarks/). Returns None where it does not apply (tiny or broadcast products, other
  dtypes), and the caller uses `xp.matmul`. With MKL loaded, NumPy's OpenBLAS is limited to
  one thread: two BLAS thread pools spinning on the same cores made a LeNet step 3x slower.
- `gemm_into(a, b, c, beta)`: c = a @ b + beta * c on strided views, through MKL or NumPy's
  OpenBLAS: the shifted-GEMM convolution reads and accumulates slices of larger buffers.
- `axpy(alpha, x, y)`: y += alpha * x in place, one pass, multi-threaded by the BLAS; NumPy
  needs a temporary and two single-threaded passes. Optimizer updates and gradient
  accumulation are this operation. `axpby(alpha, x, beta, y)`: y = alpha * x + beta * y.
  Both from 16K elements (below that NumPy's ufunc is cheaper than the call).

Library: MKL's `libmkl_rt` when found, otherwise the OpenBLAS that NumPy's wheels bundle (its
ILP64 `scipy_cblas_*64_` symbols) for everything but `gemm`, otherwise nothing: every function
then returns None/False and NumPy does the work. EMBER_BLAS=numpy turns the module off,
EMBER_BLAS=openblas skips MKL.
"""
import ctypes
import glob
import os
import site
import sys

import numpy as np

_LAYOUT_ROW, _NOTRANS, _TRANS = 101, 111, 112


class _Lib:
    """One loaded BLAS: its name, integer type and the routines it provides (or None)."""
    def __init__(self, name, cdll, prefix, suffix, index_t):
        self.name = name
        self.cdll = cdll
        self.index_t = index_t
        self.max_index = 2 ** (8 * ctypes.sizeof(index_t) - 1) - 1
        P = ctypes.c_void_p
        self.gemm, self.gemm_batch, self.axpy, self.axpby = {}, {}, {}, {}
        # keyed by NumPy's dtype char: 'f' float32 (BLAS 's'), 'd' float64 (BLAS 'd')
        for ch, b, real in (('f', 's', ctypes.c_float), ('d', 'd', ctypes.c_double)):
            self.axpy[ch] = self._bind(cdll, f'{prefix}cblas_{b}axpy{suffix}',
                                       [index_t, real, P, index_t, P, index_t])
            self.axpby[ch] = self._bind(cdll, f'{prefix}cblas_{b}axpby{suffix}',
                                        [index_t, real, P, index_t, real, P, index_t])
            self.gemm[ch] = self._bind(cdll, f'{prefix}cblas_{b}gemm{suffix}',
                                       [ctypes.c_int] * 3 + [index_t] * 3 +
                                       [real, P, index_t, P, index_t, real, P, index_t])
            self.gemm_batch[ch] = self._bind(cdll, f'{prefix}cblas_{b}gemm_batch_strided{suffix}',
                                             [ctypes.c_int] * 3 + [index_t] * 3 +
                                             [real, P, index_t, index_t, P, index_t, index_t,
                                              real, P, index_t, index_t, index_t])

    @staticmethod
    def _bind(cdll, symbol, argtypes):
        fn = getattr(cdll, symbol, None)
        if fn is not None:
            fn.argtypes, fn.restype = argtypes, None
        return fn


def _open_first(pattern_dirs, pattern, *lib_args):
    """The first library matching `pattern` in `pattern_dirs` that loads, as a _Lib, or None."""
    for d in pattern_dirs:
        for path in sorted(glob.glob(os.path.join(d, pattern))):
            try:
                return _Lib(lib_args[0], ctypes.CDLL(path), *lib_args[1:])
            except OSError:
                continue
    return None


def _find_mkl():
    """MKL's single dynamic library, where the `mkl` wheel puts it (<prefix>/lib)."""
    dirs = [os.path.join(p, 'lib') for p in (sys.prefix, sys.base_prefix, site.USER_BASE or '')]
    return _open_first(dirs, 'libmkl_rt.so*', 'mkl', '', '', ctypes.c_int)


def _find_numpy_openblas():
    """The OpenBLAS inside NumPy's wheel (already loaded by NumPy: same handle, same threads)."""
    libdir = os.path.join(os.path.dirname(os.path.dirname(np.__file__)), 'numpy.libs')
    return _open_first([libdir], 'libscipy_openblas64_*.so', 'openblas', 'scipy_', '64_', ctypes.c_int64)


def _load():
    choice = os.environ.get('EMBER_BLAS', '').lower()
    if choice == 'numpy':
        return None, None
    mkl = _find_mkl() if choice != 'openblas' else None
    level1 = mkl if mkl is not None and mkl.axpy['f'] else _find_numpy_openblas()
    return mkl, level1


def _single_thread_numpy_blas():
    """With MKL serving GEMMs, limit NumPy's OpenBLAS (still used by np.linalg, einsum, ...)
    to one thread: two BLAS thread pools spinning on the same cores slowed a LeNet step 3x."""
    openblas = _find_numpy_openblas()
    fn = getattr(openblas.cdll, 'scipy_openblas_set_num_threads64_', None) if openblas else None
    if fn is not None:
        fn.argtypes = [ctypes.c_int]
        fn(1)


_mkl, _level1 = _load()
if _mkl is not None:
    _single_thread_numpy_blas()
# strided GEMM with accumulation (gemm_into): MKL, else NumPy's own OpenBLAS
_gemm_lib = _mkl if _mkl is not None else (_level1 if _level1 is not None and _level1.gemm['f'] else None)


def info():
    """Which library serves GEMM and which serves the level-1 routines (names or None)."""
    return {'gemm': _mkl.name if _mkl else None, 'level1': _level1.name if _level1 else None}


def set_num_threads(n):
    """Forward a thread limit to MKL (OpenBLAS is limited through threadpoolctl/env)."""
    fn = getattr(_mkl.cdll, 'MKL_Set_Num_Threads', None) if _mkl is not None else None
    if fn is not None:
        fn(ctypes.c_int(int(n)))


def _char(a):
    return a.dtype.char if type(a) is np.ndarray and a.dtype.char in 'fd' else None


def _layout(shape, strides, itemsize):
    """(transpose flag, leading dimension) describing a 2-D (m, n) operand of these strides
    to a row-major BLAS, or None when neither dimension has unit stride."""
    m, n = shape
    s0, s1 = strides
    if s1 == itemsize and s0 % itemsize == 0 and s0 >= n * itemsize:
        return _NOTRANS, max(s0 // itemsize, 1)
    if s0 == itemsize and s1 % itemsize == 0 and s1 >= m * itemsize:
        return _TRANS, max(s1 // itemsize, 1)
    return None


def _operand(a):
    """(array, transpose flag, leading dimension) for a 2-D BLAS operand (copied if need be)."""
    lay = _layout(a.shape, a.strides, a.itemsize)
    if lay is None:
        a = np.ascontiguousarray(a)
        lay = _NOTRANS, max(a.shape[1], 1)
    return (a,) + lay


def _batch_operand(a):
    """(array, transpose flag, leading dimension, batch stride) for a (B, m, n) operand."""
    lay = _layout(a.shape[1:], a.strides[1:], a.itemsize)
    sb = a.strides[0]
    if lay is None or sb < 0 or sb % a.itemsize:
        a = np.ascontiguousarray(a)
        lay, sb = (_NOTRANS, max(a.shape[2], 1)), a.strides[0]
    return (a,) + lay + (sb // a.itemsize,)


_TINY_GEMM = 4096      # multiply-adds; NumPy's OpenBLAS runs one thread beside MKL, no contention


def gemm(a, b):
    """a @ b through MKL for float arrays of one dtype: 2-D products, and stacks of matrices
    with the same leading (batch) shape as one strided batch GEMM. None where it does not
    apply (the caller uses xp.matmul)."""
    if _mkl is None:
        return None
    ch = _char(a)
    if ch is None or _char(b) != ch or a.ndim < 2 or a.ndim != b.ndim or a.shape[-1] != b.shape[-2]:
        return None
    (M, K), N = a.shape[-2:], b.shape[-1]
    if M * N * K < _TINY_GEMM or max(M, N, K) > _mkl.max_index:
        return None                 # tiny (or empty): NumPy's single-threaded call is cheaper
    if a.ndim == 2:
        a, ta, lda = _operand(a)
        b, tb, ldb = _operand(b)
        out = np.empty((M, N), a.dtype)
        _mkl.gemm[ch](_LAYOUT_ROW, ta, tb, M, N, K, 1.0, a.ctypes.data, lda,
                      b.ctypes.data, ldb, 0.0, out.ctypes.data, N)
        return out
    lead = a.shape[:-2]
    if lead != b.shape[:-2] or _mkl.gemm_batch[ch] is None or 0 in lead:
        return None                                         # broadcast batches: NumPy
    if all(n == 1 for n in lead):       # one matrix: the 2-D call (MKL's batch API threads
        return gemm(a.reshape(M, K), b.reshape(K, N)).reshape(lead + (M, N))   # over the batch)
    a, ta, lda, sa = _batch_operand(a.reshape((-1, M, K)))
    b, tb, ldb, sb = _batch_operand(b.reshape((-1, K, N)))
    out = np.empty(lead + (M, N), a.dtype)
    _mkl.gemm_batch[ch](_LAYOUT_ROW, ta, tb, M, N, K, 1.0, a.ctypes.data, lda, sa,
                        b.ctypes.data, ldb, sb, 0.0, out.ctypes.data, N, M * N, a.shape[0])
    return out


def can_gemm_into():
    """Whether gemm_into has a BLAS to call."""
    return _gemm_lib is not None


def gemm_into(a, b, c, beta=0.0):
    """c = a @ b + beta * c in place, for 2-D views of one float dtype: a and b may have any
    row stride or be transposed views, c needs unit column stride (any row stride), so slices
    of larger buffers are read and written where they lie. Callers check can_gemm_into()."""
    ch = a.dtype.char
    (M, K), N = a.shape, b.shape[1]
    if c.shape != (M, N) or c.strides[1] != c.itemsize or c.strides[0] % c.itemsize or b.dtype != a.dtype \
            or c.dtype != a.dtype or max(M, N, K) > _gemm_lib.max_index or ch not in 'fd':
        raise ValueError(f'gemm_into: unsupported operands {a.shape} {b.shape} -> {c.shape}')
    a, ta, lda = _operand(a)
    b, tb, ldb = _operand(b)
    _gemm_lib.gemm[ch](_LAYOUT_ROW, ta, tb, M, N, K, 1.0, a.ctypes.data, lda,
                       b.ctypes.data, ldb, beta, c.ctypes.data,
                       max(c.strides[0] // c.itemsize, N, 1))


_LEVEL1_MIN_SIZE = 16384    # below this NumPy's in-place ufunc beats the ctypes call and checks


def _level1_ok(x, y):
    ch = _char(y)
    return (_level1 is not None and ch is not None and _LEVEL1_MIN_SIZE <= y.size <= _level1.max_index
            and _char(x) == ch and x.shape == y.shape and x.flags.c_contiguous
            and y.flags.c_contiguous and y.flags.writeable and not np.may_share_memory(x, y))


def axpy(alpha, x, y):
    """y += alpha * x in place through BLAS; False (nothing done) where it does not apply."""
    if not _level1_ok(x, y) or _level1.axpy[y.dtype.char] is None:
        return False
    _level1.axpy[y.dtype.char](y.size, alpha, x.ctypes.data, 1, y.ctypes.data, 1)
    return True


def axpby(alpha, x, beta, y):
    """y = alpha * x + beta * y in place through BLAS; False where it does not apply."""
    if not _level1_ok(x, y) or _level1.axpby[y.dtype.char] is None:
        return False
    _level1.axpby[y.dtype.char](y.size, alpha, x.ctypes.data, 1, beta, y.ctypes.data, 1)
    return True
