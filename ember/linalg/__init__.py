"""ember.linalg (= torch.linalg): decompositions, solvers, norms and matrix products.

The ops live in ember/_ops/: linalg.py + linalg_products.py (products), linalg_decomp.py
(decompositions, solvers) and linalg_norm.py (norms); this module is the public namespace.
"""
from .._ops.linalg import matmul  # noqa: F401
from .._ops.linalg_products import _multi_dot, _check_cross, _cross, matrix_power  # noqa: F401
from .._ops.linalg_decomp import (LinAlgError, inv, inv_ex, det, slogdet, solve, solve_triangular,  # noqa: F401
                                  cholesky, cholesky_ex, qr, svd, svdvals, eigh, eigvalsh, pinv,
                                  matrix_rank)
from .._ops.linalg_norm import norm, vector_norm, matrix_norm  # noqa: F401
from .._ops._util import write_out as _write_out

__all__ = ['LinAlgError', 'inv', 'inv_ex', 'det', 'slogdet', 'solve', 'solve_triangular', 'cholesky',
           'cholesky_ex', 'qr', 'svd', 'svdvals', 'eigh', 'eigvalsh', 'pinv', 'matrix_rank', 'norm',
           'vector_norm', 'matrix_norm', 'cross', 'multi_dot', 'vecdot', 'matmul', 'matrix_power',
           'solve_ex', 'diagonal', 'vander', 'matrix_exp']


def cross(input, other, *, dim=-1, out=None):
    """Cross product of 3-vectors along dim (inputs broadcast)."""
    _check_cross(input, other, dim, 'linalg.cross')
    r = _cross(input, other, dim)
    return r if out is None else _write_out(out, r)


def multi_dot(tensors, *, out=None):
    """Product of a list of matrices in the cheapest association order; the first and last may
    be 1-D (treated as row / column vectors)."""
    r = _multi_dot(tensors, 'multi_dot')
    return r if out is None else _write_out(out, r)


def vecdot(x, y, *, dim=-1, out=None):
    """Dot product of vectors along dim (conjugating x), broadcasting the other dims."""
    r = ((x.conj() if x.is_complex() else x) * y).sum(dim)
    return r if out is None else _write_out(out, r)


def solve_ex(A, B, *, left=True, check_errors=False, out=None):
    from .._ops.creation import zeros
    from .._ops.linalg_decomp import _return_type
    from .. import int32
    r = solve(A, B, left=left)
    info = zeros(A.shape[:-2], dtype=int32, device=A.device)
    return _return_type('linalg_solve_ex', ('result', 'info'))((r, info))


def diagonal(A, *, offset=0, dim1=-2, dim2=-1):
    """Diagonals of (batches of) matrices (a view)."""
    return A.diagonal(offset=offset, dim1=dim1, dim2=dim2)


def vander(x, *, N=None):
    """Vandermonde matrix: columns x**0, x**1, ..., x**(N-1)."""
    n = x.shape[-1] if N is None else N
    cols = [x.unsqueeze(-1) ** i for i in range(n)]   # n small Python-level columns, vectorized over x
    from .. import cat
    return cat(cols, -1)


def matrix_exp(A):
    """exp(A) for square matrices (scaling and squaring with a Taylor series)."""
    import math
    xp = A._storage.device.xp
    nrm = float(xp.abs(A._data).sum(-2).max()) if A._data.size else 0.0
    s = max(0, int(math.ceil(math.log2(nrm))) + 1) if nrm > 0.5 else 0
    X = A / (2 ** s)
    n = A.shape[-1]
    from .._ops.linalg_decomp import _eye
    eye = _eye(A, n)
    result = eye + X
    term = X
    for k in range(2, 18):
        term = matmul(term, X) / k
        result = result + term
    for _ in range(s):
        result = matmul(result, result)
    return result
