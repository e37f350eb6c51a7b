"""The rest of the matrix-product family: outer/inner, tensordot, kron, cross, trace,
multi_dot/chain_matmul, matrix_power, and the torch.* entry points of the decompositions
(det, inverse, cholesky, svd, norm ... which live in `linalg_decomp.py`).

Composite ops here are built from mm/matmul/mul/reshape, so their gradients (and higher-order
gradients) come from those ops; cross and trace have their own Functions.
"""
from .._tensor import Tensor, register_methods, _wrap_dim
from ..autograd.function import Function
from ._util import write_out, device_of
from .linalg import mm, matmul, _check_tensor, _h, _conj, _word, _broadcast_batch

__all__ = ['inner', 'outer', 'ger', 'tensordot', 'kron', 'cross', 'trace', 'chain_matmul',
           'matrix_power', 'det', 'logdet', 'slogdet', 'inverse', 'norm', 'pinverse', 'cholesky',
           'qr', 'svd', 'cholesky_inverse', 'cholesky_solve']


def outer(input, vec2, *, out=None):
    """Outer product of two 1-D tensors (types promote, as torch's mul does)."""
    _check_tensor(input, 'outer')
    _check_tensor(vec2, 'outer', 'vec2', 2)
    if input._data.ndim != 1 or vec2._data.ndim != 1:
        raise RuntimeError(f"outer: Expected 1-D argument self, but got {input._data.ndim}-D"
                           if input._data.ndim != 1 else
                           f"outer: Expected 1-D argument vec2, but got {vec2._data.ndim}-D")
    r = input.reshape(-1, 1) * vec2
    return r if out is None else write_out(out, r)


ger = outer


def inner(input, other, *, out=None):
    """Sum over the last dims of input and other (scalars multiply)."""
    _check_tensor(input, 'inner')
    _check_tensor(other, 'inner', 'other', 2)
    if input._data.ndim == 0 or other._data.ndim == 0:
        r = input * other
        return r if out is None else write_out(out, r)
    if input._data.dtype != other._data.dtype:
        raise RuntimeError("both inputs should have same dtype")
    if input._data.shape[-1] != other._data.shape[-1]:
        raise RuntimeError(f"inner() the last dimension must match on both input tensors but got shapes "
                           f"{list(input._data.shape)} and {list(other._data.shape)}")
    r = tensordot(input, other, dims=([-1], [-1]))
    return r if out is None else write_out(out, r)


def tensordot(a, b, dims=2, out=None):
    """Contract dims of a with dims of b (an int n: a's last n with b's first n); one GEMM."""
    _check_tensor(a, 'tensordot', 'a')
    _check_tensor(b, 'tensordot', 'b', 2)
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        da = list(range(a._data.ndim - dims, a._data.ndim))
        db = list(range(dims))
    else:
        da, db = dims
        da = [da] if isinstance(da, int) else list(da)
        db = [db] if isinstance(db, int) else list(db)
    if len(da) != len(db):
        raise RuntimeError("both dimension lists should have same length")
    if a._data.dtype != b._data.dtype:
        raise RuntimeError("both inputs should have same dtype")
    na, nb = a._data.ndim, b._data.ndim
    da = [_wrap_dim(d, na) for d in da]
    db = [_wrap_dim(d, nb) for d in db]
    sa, sb = a._data.shape, b._data.shape
    for x, y in zip(da, db):
        if sa[x] != sb[y] and sa[x] != 1 and sb[y] != 1:
            raise RuntimeError(f"contracted dimensions need to match, but first has size {sa[x]} in dim "
                               f"{x} and second has size {sb[y]} in dim {y}")
    free_a = [d for d in range(na) if d not in da]
    free_b = [d for d in range(nb) if d not in db]
    k = 1
    for d in da:
        k *= max(sa[d], sb[db[da.index(d)]])
    a2 = a.permute(free_a + da) if free_a + da != list(range(na)) else a
    b2 = b.permute(db + free_b) if db + free_b != list(range(nb)) else b
    # size-1 contracted dims broadcast against the partner's size
    if any(sa[x] != sb[y] for x, y in zip(da, db)):
        a2 = a2.expand(tuple(sa[d] for d in free_a) + tuple(max(sa[x], sb[y]) for x, y in zip(da, db)))
        b2 = b2.expand(tuple(max(sa[x], sb[y]) for x, y in zip(da, db)) + tuple(sb[d] for d in free_b))
    out_shape = tuple(sa[d] for d in free_a) + tuple(sb[d] for d in free_b)
    m = 1
    for d in free_a:
        m *= sa[d]
    r = mm(a2.reshape(m, k), b2.reshape(k, -1)).reshape(out_shape)
    return r if out is None else write_out(out, r)


def kron(input, other, *, out=None):
    """Kronecker product: every element of input scales a copy of other."""
    _check_tensor(input, 'kron')
    _check_tensor(other, 'kron', 'other', 2)
    n = max(input._data.ndim, other._data.ndim)
    sa = (1,) * (n - input._data.ndim) + tuple(input._data.shape)
    sb = (1,) * (n - other._data.ndim) + tuple(other._data.shape)
    a = input.reshape(tuple(x for s in sa for x in (s, 1)))
    b = other.reshape(tuple(x for s in sb for x in (1, s)))
    r = (a * b).reshape(tuple(p * q for p, q in zip(sa, sb)))
    return r if out is None else write_out(out, r)


class _Cross(Function, node_name='LinalgCrossBackward0'):
    @staticmethod
    def forward(ctx, a, b, dim):
        ctx.dim = dim
        if ctx.needs_input_grad:
            ctx.save_for_backward(a if ctx.needs_input_grad[1] else None,
                                  b if ctx.needs_input_grad[0] else None)
        xp = a._storage.device.xp
        x, y = a._data, b._data
        shape = xp.broadcast_shapes(x.shape, y.shape)
        x, y = xp.broadcast_to(x, shape), xp.broadcast_to(y, shape)
        x1, x2, x3 = (xp.take(x, i, axis=dim) for i in range(3))
        y1, y2, y3 = (xp.take(y, i, axis=dim) for i in range(3))
        return xp.stack([x2 * y3 - x3 * y2, x3 * y1 - x1 * y3, x1 * y2 - x2 * y1], axis=dim)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        ga, gb = ctx.needs_input_grad[:2]
        d = ctx.dim
        return (_cross(_conj(b), g, d) if ga else None), (_cross(g, _conj(a), d) if gb else None), None


def _cross(a, b, dim):
    n = max(a._data.ndim, b._data.ndim)
    return _Cross.apply(a, b, _wrap_dim(dim, n))


def _check_cross(a, b, dim, fn):
    if a._data.ndim != b._data.ndim:
        raise RuntimeError(f"{fn}: inputs must have the same number of dimensions.")
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(f"{fn}: expected both inputs to have the same dtype, but got {_word(a)} "
                           f"and {_word(b)}")
    device_of(a, b)
    da, db = _wrap_dim(dim, a._data.ndim), _wrap_dim(dim, b._data.ndim)
    if a._data.shape[da] != 3 or b._data.shape[db] != 3:
        raise RuntimeError(f"{fn}: inputs dimension {dim} must have length 3. Got "
                           f"{a._data.shape[da]} and {b._data.shape[db]}")
    try:
        _broadcast_batch(a._data.shape, b._data.shape)
    except RuntimeError:
        raise RuntimeError(f"{fn}: inputs must be broadcastable") from None


def cross(input, other, dim=None, *, out=None):
    """Cross product of 3-vectors along `dim` (default: the first dim of size 3)."""
    _check_tensor(input, 'cross')
    _check_tensor(other, 'cross', 'other', 2)
    if dim is None:
        import warnings
        warnings.warn("Using torch.cross without specifying the dim arg is deprecated.\nPlease either "
                      "pass the dim explicitly or simply use torch.linalg.cross.\nThe default value of "
                      "dim will change to agree with that of linalg.cross in a future release.")
        shape = _broadcast_batch(input._data.shape, other._data.shape)
        dim = next((i for i, s in enumerate(shape) if s == 3), None)
        if dim is None:
            raise RuntimeError("no dimension of size 3 in input")
    _check_cross(input, other, dim, 'linalg.cross')
    r = _cross(input, other, dim)
    return r if out is None else write_out(out, r)


class _Trace(Function, node_name='TraceBackward0'):
    @staticmethod
    def forward(ctx, a):
        ctx.shape = a._data.shape
        x = a._data
        xp = a._storage.device.xp
        r = xp.trace(x)
        if x.dtype.kind in 'iub':
            r = r.astype('int64')
        return xp.asarray(r, dtype=x.dtype if x.dtype.kind not in 'iub' else 'int64')

    @staticmethod
    def backward(ctx, g):
        n, m = ctx.shape
        xp = g._storage.device.xp
        eye = Tensor._from_array(xp.eye(n, m, dtype=g._data.dtype), g._storage.device)
        return g * eye


def trace(input):
    """Sum of the main diagonal of a 2-D tensor (integers sum in int64)."""
    _check_tensor(input, 'trace')
    if input._data.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {input._data.ndim}")
    return _Trace.apply(input)


def _multi_dot(tensors, fn):
    """Product of a chain of matrices in the cheapest order (first/last may be 1-D)."""
    tensors = list(tensors)
    n = len(tensors)
    if n < 2:
        raise RuntimeError(f"{fn}(): expected at least 2 tensors but got {n}")
    first_1d = tensors[0]._data.ndim == 1
    last_1d = tensors[-1]._data.ndim == 1
    if first_1d:
        tensors[0] = tensors[0].unsqueeze(0)
    if last_1d:
        tensors[-1] = tensors[-1].unsqueeze(-1)
    for i, t in enumerate(tensors):
        if t._data.ndim != 2:
            where = 'first' if i == 0 else 'last' if i == n - 1 else None
            if where:
                raise RuntimeError(f"{fn}(): the {where} tensor must be 1D or 2D but got {t._data.ndim}D")
            raise RuntimeError(f"{fn}(): tensor {i} must be 2D but got {t._data.ndim}D")
        if t._data.dtype != tensors[0]._data.dtype:
            raise RuntimeError(f"{fn}(): all tensors must have be the same dtype but tensor 0 is "
                               f"{_word(tensors[0])} and tensor {i} {_word(t)}")
    for i in range(n - 1):
        if tensors[i]._data.shape[1] != tensors[i + 1]._data.shape[0]:
            a, b = tensors[i]._data.shape, tensors[i + 1]._data.shape
            raise RuntimeError(f"{fn}(): tensors {i} and {i + 1} with shapes ({a[0]}, {a[1]}) and "
                               f"({b[0]}, {b[1]}) cannot be multiplied")
    dims = [t._data.shape[0] for t in tensors] + [tensors[-1]._data.shape[1]]
    # classic O(n^3) matrix-chain order (n is the number of matrices, never elements)
    cost = [[0] * n for _ in range(n)]
    split = [[0] * n for _ in range(n)]
    for length in range(1, n):
        for i in range(n - length):
            j = i + length
            cost[i][j] = None
            for k in range(i, j):
                c = cost[i][k] + cost[k + 1][j] + dims[i] * dims[k + 1] * dims[j + 1]
                if cost[i][j] is None or c < cost[i][j]:
                    cost[i][j], split[i][j] = c, k

    def prod(i, j):
        if i == j:
            return tensors[i]
        k = split[i][j]
        return mm(prod(i, k), prod(k + 1, j))

    r = prod(0, n - 1)
    if first_1d and last_1d:
        return r.reshape(())
    if first_1d:
        return r.reshape(-1)
    if last_1d:
        return r.reshape(-1)
    return r


def chain_matmul(*matrices, out=None):
    """Product of 2-D matrices in the cheapest order (deprecated in torch for linalg.multi_dot)."""
    if len(matrices) == 1:
        return matrices[0].clone()
    r = _multi_dot(matrices, 'chain_matmul')
    return r if out is None else write_out(out, r)


class _PowZero(Function, node_name='CloneBackward0'):
    """A**0: batches of identity matrices (zero gradient)."""

    @staticmethod
    def forward(ctx, a):
        xp = a._storage.device.xp
        n = a._data.shape[-1]
        return xp.broadcast_to(xp.eye(n, dtype=a._data.dtype), a._data.shape).copy()

    @staticmethod
    def backward(ctx, g):
        return g * 0


def matrix_power(input, n):
    """input ** n for (batches of) square matrices, by repeated squaring; negative n inverts."""
    _check_tensor(input, 'matrix_power')
    x = input._data
    if x.ndim < 2 or x.shape[-1] != x.shape[-2]:
        if x.ndim < 2:
            raise RuntimeError("linalg.matrix_power: The input tensor A must have at least 2 dimensions.")
        raise RuntimeError(f"linalg.matrix_power: A must be batches of square matrices, but they are "
                           f"{x.shape[-2]} by {x.shape[-1]} matrices")
    if n == 0:
        return _PowZero.apply(input)
    if n < 0:
        from .linalg_decomp import inv
        input = inv(input)
        n = -n
    if n == 1:
        return input.clone()
    result = None
    base = input
    while n:
        if n & 1:
            result = base if result is None else matmul(result, base)
        n >>= 1
        if n:
            base = matmul(base, base)
    return result


# ---------------------------------------------------------------------------- decompositions (torch.*)

def det(input):
    from .linalg_decomp import det as f
    return f(input)


def logdet(input):
    from .linalg_decomp import logdet as f
    return f(input)


def slogdet(input):
    from .linalg_decomp import slogdet as f
    return f(input, _name='slogdet')


def inverse(input, *, out=None):
    from .linalg_decomp import inv
    return inv(input, out=out)


def pinverse(input, rcond=1e-15):
    from .linalg_decomp import pinv
    return pinv(input, rtol=rcond)


def cholesky(input, upper=False, *, out=None):
    from .linalg_decomp import cholesky as f
    r = f(input, upper=upper)
    return r if out is None else write_out(out, r)


def cholesky_solve(B, L, upper=False, *, out=None):
    """Solve A X = B given A's Cholesky factor L (A = L L^H, or U^H U when upper)."""
    from .linalg_decomp import solve
    a = matmul(_h(L), L) if upper else matmul(L, _h(L))
    r = solve(a, B)
    return r if out is None else write_out(out, r)


def cholesky_inverse(L, upper=False, *, out=None):
    """Inverse of A given A's Cholesky factor."""
    from .linalg_decomp import inv
    a = matmul(_h(L), L) if upper else matmul(L, _h(L))
    r = inv(a)
    return r if out is None else write_out(out, r)


def qr(input, some=True, *, out=None):
    from .linalg_decomp import qr as f
    r = f(input, mode='reduced' if some else 'complete', _name='qr')
    return r


def svd(input, some=True, compute_uv=True, *, out=None):
    """torch.svd: (U, S, V) with V (not V^H); zeros for U, V when compute_uv=False."""
    from .linalg_decomp import svd as f, _return_type
    U, S, Vh = f(input, full_matrices=not some)
    if not compute_uv:
        from .creation import zeros_like
        return _return_type('svd', ('U', 'S', 'V'))((zeros_like(U), S, zeros_like(Vh)))
    return _return_type('svd', ('U', 'S', 'V'))((U, S, _h(Vh)))


def norm(input, p='fro', dim=None, keepdim=False, out=None, dtype=None):
    from .linalg_norm import torch_norm
    r = torch_norm(input, p, dim, keepdim, dtype)
    return r if out is None else write_out(out, r)



register_methods({
    'inner': inner, 'outer': outer, 'ger': ger,
    'kron': kron, 'cross': cross, 'trace': trace, 'matrix_power': matrix_power, 'det': det,
    'logdet': logdet, 'slogdet': slogdet, 'inverse': inverse, 'pinverse': pinverse,
    'cholesky': cholesky, 'cholesky_solve': cholesky_solve, 'cholesky_inverse': cholesky_inverse,
    'qr': qr, 'svd': svd, 'norm': norm, 'tensordot': tensordot,
})
