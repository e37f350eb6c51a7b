"""Vector and matrix norms (torch.linalg.vector_norm / matrix_norm / norm and torch.norm).

vector_norm is one Function (torch's LinalgVectorNormBackward0); matrix norms are built from it
and from svdvals. Signs, tie masks and zero masks in the backward are piecewise-constant, so
they enter the graph as constants and the gradient stays differentiable.
"""
import math

from ..autograd.function import Function
from ._util import write_out, dims_arg
from .linalg_decomp import _check_float, _lapack_dtype, _const, svdvals

__all__ = []


class _VectorNorm(Function, node_name='LinalgVectorNormBackward0'):
    @staticmethod
    def forward(ctx, x, ord, dims, keepdim):
        xp = x._storage.device.xp
        arr, low = _lapack_dtype(x._data)
        a = xp.abs(arr)
        if ord == 2:
            r = xp.sqrt(xp.sum(a * a, axis=dims, keepdims=True))
        elif ord == math.inf:
            r = xp.max(a, axis=dims, keepdims=True) if a.size else _empty_max(xp, a, dims)
        elif ord == -math.inf:
            r = xp.min(a, axis=dims, keepdims=True)
        elif ord == 0:
            r = xp.sum(a != 0, axis=dims, keepdims=True).astype(a.dtype)
        elif ord == 1:
            r = xp.sum(a, axis=dims, keepdims=True)
        else:
            with xp.errstate(divide='ignore'):
                r = xp.sum(a ** ord, axis=dims, keepdims=True) ** (1.0 / ord)
        ctx.ord, ctx.dims, ctx.keepdim = ord, dims, keepdim
        ctx.keep_shape = r.shape
        out = r if keepdim else r.reshape(tuple(s for i, s in enumerate(r.shape) if i not in dims))
        out = _const(x, out.astype(low) if low is not None else out)
        if ctx.needs_input_grad:
            ctx.save_for_backward(x, out)    # the output itself: its history makes grads differentiable
        return out

    @staticmethod
    def backward(ctx, g):
        x, norm = ctx.saved_tensors
        ord, dims = ctx.ord, ctx.dims
        if not ctx.keepdim:
            g = g.reshape(ctx.keep_shape)
            norm = norm.reshape(ctx.keep_shape)
        xp = x._storage.device.xp
        xa = x._data
        if ord == 0:
            return x * 0, None, None, None
        # the sign (and ties / zero masks) are piecewise constant: constants in the graph
        sgn = _const(x, xp.sign(xa) if xa.dtype.kind != 'c' else
                     xp.where(xa == 0, 0, xa / xp.where(xa == 0, 1, xp.abs(xa))))
        if ord == 1:
            return g * sgn, None, None, None
        if ord in (math.inf, -math.inf):
            ties = xp.abs(xa) == norm._data
            count = ties.sum(axis=dims, keepdims=True)
            w = _const(x, (ties / xp.maximum(count, 1)).astype(xa.dtype))
            return g * sgn * w, None, None, None
        zero = norm._data == 0
        safe = norm + _const(x, zero.astype(norm._data.dtype))
        nz = _const(x, (~zero).astype(norm._data.dtype))
        if ord == 2:
            return x * (g * nz / safe), None, None, None
        ax = x * sgn.conj() if xa.dtype.kind == 'c' else x * sgn                 # |x|, differentiable
        scale = g * nz / safe ** (ord - 1)
        return sgn * ax ** (ord - 1) * scale, None, None, None


def _empty_max(xp, a, dims):
    raise RuntimeError("linalg.vector_norm cannot compute the inf norm on an empty tensor because the "
                       "operation does not have an identity")


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None, out=None):
    """The ord-norm of x over dim (all elements by default); ord may be inf, -inf, 0 or any p."""
    _check_float(x, 'linalg.vector_norm')
    if isinstance(ord, str):
        raise RuntimeError(f"linalg.vector_norm: Expected a numeric ord, but got {ord}")
    if dtype is not None:
        x = x.to(dtype)
    n = x._data.ndim
    dims = dims_arg(dim, n) if not (isinstance(dim, (tuple, list)) and len(dim) == 0) else tuple(range(n))
    if n == 0:
        dims = ()
    ord = float(ord)
    if ord < 0 and x._data.size == 0:
        raise RuntimeError("linalg.vector_norm cannot compute the -inf norm on an empty tensor because "
                           "the operation does not have an identity")
    r = _VectorNorm.apply(x, ord, dims, keepdim)
    if r._data.dtype.kind == 'c':
        r = r.real
    return r if out is None else write_out(out, r)


def matrix_norm(A, ord='fro', dim=(-2, -1), keepdim=False, *, dtype=None, out=None):
    """Frobenius, nuclear, spectral (2, -2) or induced (1, -1, inf, -inf) norm of matrices."""
    _check_float(A, 'linalg.matrix_norm')
    if A._data.ndim < 2:
        raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 dimensions.")
    if dtype is not None:
        A = A.to(dtype)
    n = A._data.ndim
    d0, d1 = (int(dim[0]) % n, int(dim[1]) % n)
    if d0 == d1:
        raise RuntimeError(f"linalg.matrix_norm: dims must be different. Got ({dim[0]}, {dim[1]})")
    if ord == 'fro':
        r = vector_norm(A, 2, (d0, d1), keepdim)
    elif ord == 'nuc' or ord in (2, -2):
        rest = [i for i in range(n) if i not in (d0, d1)]
        s = svdvals(A.permute(rest + [d0, d1]))
        if ord == 'nuc':
            r = s.sum(-1)
        else:
            r = vector_norm(s, math.inf if ord == 2 else -math.inf, -1)
        if keepdim:
            for d in sorted((d0, d1)):
                r = r.unsqueeze(d)
    elif ord in (1, -1, math.inf, -math.inf):
        inner_dim, outer_dim = (d0, d1) if ord in (1, -1) else (d1, d0)
        s = vector_norm(A, 1, inner_dim, True)
        r = vector_norm(s, math.inf if ord > 0 else -math.inf, outer_dim, True)
        if not keepdim:
            r = r.squeeze((d0, d1))
    else:
        raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    return r if out is None else write_out(out, r)


def norm(A, ord=None, dim=None, keepdim=False, *, dtype=None, out=None):
    """Vector norm (1-D input or an int dim) or matrix norm (2-D input or a 2-tuple dim)."""
    _check_float(A, 'linalg.vector_norm' if ord is None or not isinstance(ord, str) else 'linalg.matrix_norm')
    if dim is not None and not isinstance(dim, int):
        dim = tuple(dim)
    if dim is None and ord is None:
        r = vector_norm(A, 2, None, keepdim, dtype=dtype)
    elif dim is None:
        if A._data.ndim == 2:
            r = matrix_norm(A, ord, (-2, -1), keepdim, dtype=dtype)
        elif A._data.ndim == 1:
            r = vector_norm(A, ord, None, keepdim, dtype=dtype)
        else:
            raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must be 1D "
                               f"or 2D. Got {A._data.ndim}D.")
    elif isinstance(dim, int) or len(dim) == 1:
        if isinstance(ord, str):
            raise RuntimeError(f"linalg.norm: If dim is specified, it must be of length 2 when ord is a "
                               f"string. Got {dim}")
        r = vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype)
    else:
        r = matrix_norm(A, 'fro' if ord is None else ord, dim, keepdim, dtype=dtype)
    return r if out is None else write_out(out, r)


def torch_norm(input, p='fro', dim=None, keepdim=False, dtype=None):
    """torch.norm: the legacy entry point over vector_norm / matrix_norm."""
    if isinstance(dim, int):
        dim = (dim,)
    if isinstance(p, str):
        if p == 'fro' and (dim is None or len(dim) <= 2):
            return vector_norm(input, 2, dim, keepdim, dtype=dtype)
        if dim is None:
            dim = (0, 1)
        return matrix_norm(input, p, dim, keepdim, dtype=dtype)
    return vector_norm(input, 2 if p is None else p, dim, keepdim, dtype=dtype)
