"""Shared pieces of the reduction, scan and sort families: dim normalization for reductions,
broadcasting a reduced gradient back, constant masks, and a differentiable pair of
"take along dim" / "put along dim" Functions used by every index-selecting backward
(max(dim), sort, topk, median, cummax ...)."""
from .._tensor import Tensor
from ..autograd.function import Function
from ._util import dims_arg

__all__ = []


def red_dims(dim, ndim):
    """Reduction dims as a sorted tuple; None or () mean all dims (0-dim inputs reduce over ())."""
    if dim is None or (isinstance(dim, (tuple, list)) and len(dim) == 0):
        return tuple(range(ndim))
    dims = dims_arg(dim, ndim)
    return dims if ndim else ()


def one_dim(dim, ndim):
    """A single wrapped dim (0-dim tensors accept 0 and -1)."""
    from .._tensor import _wrap_dim
    if isinstance(dim, (tuple, list)):
        raise TypeError(f"expected an int dim, got {type(dim).__name__}")
    return _wrap_dim(int(dim), ndim)


def count(shape, dims):
    n = 1
    for d in dims:
        n *= shape[d]
    return n


def reduced_shape(shape, dims, keepdim):
    if keepdim:
        return tuple(1 if i in dims else s for i, s in enumerate(shape))
    return tuple(s for i, s in enumerate(shape) if i not in dims)


def expand_back(g, shape, dims, keepdim):
    """Broadcast a reduced gradient (ember Tensor) back to the input's shape."""
    if not keepdim and dims:
        if len(dims) == len(shape):
            return g.expand(shape)     # a full reduction: g is 0-dim
        kept = list(g.shape)
        for d in dims:
            kept.insert(d, 1)
        g = g.reshape(kept)
    return g.expand(shape)


def const(arr, like):
    """A constant (no-grad) ember Tensor for a backend array, on like's device."""
    return Tensor._from_array(arr, like._storage.device)


def along_index(xp, idx, dim):
    """Advanced-index tuple picking `idx` (integer array) along `dim`, other dims aligned."""
    nd = idx.ndim
    res = []
    for d in range(nd):
        if d == dim:
            res.append(idx)
        else:
            shape = [1] * nd
            shape[d] = idx.shape[d]
            res.append(xp.arange(idx.shape[d]).reshape(shape))
    return tuple(res)


class TakeAlong(Function, node_name='GatherBackward0'):
    """out = a[..., idx, ...] along dim (torch.gather); backward scatters back."""
    @staticmethod
    def forward(ctx, a, idx, dim):
        ctx.idx, ctx.dim, ctx.shape = idx, dim, a._data.shape
        xp = a._storage.device.xp
        return a._data[along_index(xp, idx, dim)]

    @staticmethod
    def backward(ctx, g):
        return PutAlong.apply(g, ctx.idx, ctx.dim, ctx.shape), None, None


class PutAlong(Function, node_name='ScatterAddBackward0'):
    """A zero tensor of `shape` with `g` added at idx along dim (duplicates accumulate)."""
    @staticmethod
    def forward(ctx, g, idx, dim, shape):
        ctx.idx, ctx.dim = idx, dim
        xp = g._storage.device.xp
        out = xp.zeros(shape, dtype=g._data.dtype)
        if g._data.size:
            xp.add.at(out, along_index(xp, idx, dim), g._data)
        return out

    @staticmethod
    def backward(ctx, gg):
        return TakeAlong.apply(gg, ctx.idx, ctx.dim), None, None, None


def put_along(g, idx, dim, shape, keepdim=True):
    """Gradient of an index-selecting op: g (reduced over dim unless keepdim) placed at idx."""
    if not keepdim:
        g = g.unsqueeze(dim)
    if len(shape) == 0:
        return g.reshape(())
    return PutAlong.apply(g, idx, dim, shape)


def check_nonempty_dim(name, x, dims):
    for d in dims:
        if x.shape[d] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")


def is_float(x):
    return x.dtype.kind in 'fcV'
