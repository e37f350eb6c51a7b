"""Reductions: sum, mean, ... over all elements or given dims (keepdim), torch's dtypes."""
from .. import _dtype as D
from .._tensor import Tensor, register_methods
from ..autograd.function import Function
from ._util import dims_arg, write_out

__all__ = ['sum', 'mean']


def _expand_back(g, shape, dims, keepdim):
    """Broadcast a reduced gradient back to the input's shape."""
    if not keepdim and dims:
        kept = list(g.shape)
        for d in dims:
            kept.insert(d, 1)
        g = g.reshape(kept)
    return g.expand(shape)


class _Sum(Function, node_name='SumBackward1'):
    @staticmethod
    def forward(ctx, a, dims, keepdim, dtype):
        x = a._data
        if dtype is not None:
            x = x.astype(dtype.np)
        elif x.dtype.kind in 'iub':
            x = x.astype('int64') if x.dtype.kind != 'u' or x.dtype.itemsize < 8 else x
        ctx.shape, ctx.dims, ctx.keepdim = a._data.shape, dims, keepdim
        xp = a._storage.device.xp
        return xp.asarray(x.sum(axis=dims, keepdims=keepdim))

    @staticmethod
    def backward(ctx, g):
        return _expand_back(g, ctx.shape, ctx.dims, ctx.keepdim), None, None, None


class _SumAll(_Sum, node_name='SumBackward0'):
    pass


def sum(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """Sum of elements (over `dim`, an int or tuple); ints and bools sum in int64."""
    if dim is None or (isinstance(dim, (tuple, list)) and len(dim) == 0):
        r = _SumAll.apply(input, tuple(range(input._data.ndim)), keepdim if dim is not None else False, dtype)
    else:
        r = _Sum.apply(input, dims_arg(dim, input._data.ndim), keepdim, dtype)
    return r if out is None else write_out(out, r)


class _Mean(Function, node_name='MeanBackward1'):
    @staticmethod
    def forward(ctx, a, dims, keepdim, dtype):
        x = a._data
        if dtype is not None:
            x = x.astype(dtype.np)
        elif x.dtype.kind in 'iub':
            raise RuntimeError(f"mean(): could not infer output dtype. Input dtype must be either a "
                               f"floating point or complex dtype. Got: {_word(a.dtype)}")
        ctx.shape, ctx.dims, ctx.keepdim = a._data.shape, dims, keepdim
        n = 1
        for d in dims:
            n *= a._data.shape[d]
        ctx.count = n
        xp = a._storage.device.xp
        with xp.errstate(invalid='ignore', divide='ignore'):
            return xp.asarray(x.mean(axis=dims, keepdims=keepdim) if n else
                              x.sum(axis=dims, keepdims=keepdim) / x.dtype.type(0))

    @staticmethod
    def backward(ctx, g):
        return _expand_back(g, ctx.shape, ctx.dims, ctx.keepdim) / ctx.count, None, None, None


class _MeanAll(_Mean, node_name='MeanBackward0'):
    pass


def _word(d):
    from ._util import _type_word
    return _type_word(d)


def mean(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """Arithmetic mean (over `dim`); float/complex inputs only, as torch."""
    if dim is None or (isinstance(dim, (tuple, list)) and len(dim) == 0):
        r = _MeanAll.apply(input, tuple(range(input._data.ndim)), keepdim if dim is not None else False, dtype)
    else:
        r = _Mean.apply(input, dims_arg(dim, input._data.ndim), keepdim, dtype)
    return r if out is None else write_out(out, r)


register_methods({'sum': sum, 'mean': mean})
