"""Sorting and searching: sort, argsort, msort, topk, unique, unique_consecutive,
searchsorted, bucketize, histc.

Sorts are stable (ties keep their order; NaN sorts as the largest value, as torch); the
backward of sort/topk scatters the gradient back to the source positions (put_along)."""
from .. import return_types as R
from .._tensor import Tensor, register_methods
from ..autograd.function import Function
from ._util import write_out, _type_word
from ._reduce_util import one_dim, put_along, along_index

__all__ = ['sort', 'argsort', 'msort', 'topk', 'unique', 'unique_consecutive', 'searchsorted',
           'bucketize', 'histc']


def _order(xp, x, dim, descending):
    """Stable argsort along dim; descending keeps ties in original order and NaN first."""
    if not descending:
        return xp.argsort(x, axis=dim, kind='stable')
    n = x.shape[dim]
    rev = xp.flip(x, axis=dim)
    o = xp.flip(xp.argsort(rev, axis=dim, kind='stable'), axis=dim)
    return (n - 1) - o


def _check_sortable(x, name):
    if x.dtype.kind == 'c':
        raise RuntimeError(f"{name}(): complex inputs are not supported")


class _Sort(Function, node_name='SortBackward0'):
    """(values, indices) of the first k of a stable ordering along dim (k=None: all)."""
    @staticmethod
    def forward(ctx, a, dim, descending, k):
        x = a._data
        xp = a._storage.device.xp
        _check_sortable(x, 'sort')
        scalar = x.ndim == 0
        if scalar:
            x = x.reshape(1)
        idx = _order(xp, x, dim, descending).astype(xp.int64)
        if k is not None:
            idx = xp.take(idx, xp.arange(k), axis=dim)
        v = x[along_index(xp, idx, dim)]
        ctx.idx, ctx.dim, ctx.shape = idx, dim, a._data.shape
        if scalar:
            return v.reshape(()), idx.reshape(())
        return v, idx

    @staticmethod
    def backward(ctx, g, gi=None):
        return put_along(g, ctx.idx, ctx.dim, ctx.shape), None, None, None


class _Topk(_Sort, node_name='TopkBackward0'):
    pass


def sort(input, dim=-1, descending=False, *, stable=False, out=None):
    """Sorted values along dim and their source indices (stable; NaN as largest)."""
    d = one_dim(dim, input._data.ndim)
    v, i = _Sort.apply(input, d, descending, None)
    if out is not None:
        write_out(out[0], v)
        write_out(out[1], i)
        v, i = out
    return R.sort(v, i)


def argsort(input, dim=-1, descending=False, *, stable=False):
    """Indices that sort input along dim."""
    x = input._data
    _check_sortable(x, 'argsort')
    d = one_dim(dim, x.ndim)
    xp = input._storage.device.xp
    if x.ndim == 0:
        return Tensor._from_array(xp.zeros((), dtype=xp.int64), input._storage.device)
    return Tensor._from_array(_order(xp, x, d, descending).astype(xp.int64), input._storage.device)


def msort(input, *, out=None):
    """Sort along the first dim (values only)."""
    return write_out(out, sort(input, 0).values)


def topk(input, k, dim=-1, largest=True, sorted=True, *, out=None):
    """The k largest (or smallest) elements along dim and their indices."""
    x = input._data
    d = one_dim(dim, x.ndim)
    n = x.shape[d] if x.ndim else 1
    if not 0 <= k <= n:
        raise RuntimeError("selected index k out of range")
    v, i = _Topk.apply(input, d, largest, k)
    if out is not None:
        write_out(out[0], v)
        write_out(out[1], i)
        v, i = out
    return R.topk(v, i)


# ---------------------------------------------------------------------------- unique

class _Unique(Function, node_name='Unique2Backward0'):
    """Forward only: torch has no derivative for unique (backward raises)."""
    @staticmethod
    def forward(ctx, a, out):
        return Tensor._from_array(out, a._storage.device)

    @staticmethod
    def backward(ctx, g):
        raise NotImplementedError("the derivative for '_unique2' is not implemented.")


class _UniqueDim(_Unique, node_name='UniqueDimBackward0'):
    @staticmethod
    def backward(ctx, g):
        raise NotImplementedError("the derivative for 'unique_dim' is not implemented.")


class _UniqueConsecutive(_Unique, node_name='UniqueConsecutiveBackward0'):
    @staticmethod
    def backward(ctx, g):
        raise NotImplementedError("the derivative for 'unique_consecutive' is not implemented.")


def _pack(cls, input, vals, inv, cnt, return_inverse, return_counts):
    dev = input._storage.device
    xp = dev.xp
    res = [cls.apply(input, vals)]
    if return_inverse:
        res.append(Tensor._from_array(xp.asarray(inv).astype(xp.int64), dev))
    if return_counts:
        res.append(Tensor._from_array(xp.asarray(cnt).astype(xp.int64), dev))
    return res[0] if len(res) == 1 else tuple(res)


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    """Distinct elements (sorted), optionally the inverse map and counts; dim: unique slices."""
    x = input._data
    xp = input._storage.device.xp
    if dim is None:
        vals, inv, cnt = xp.unique(x.reshape(-1), return_inverse=True, return_counts=True)
        return _pack(_Unique, input, vals, inv.reshape(x.shape), cnt, return_inverse, return_counts)
    d = one_dim(dim, x.ndim)
    if x.shape[d] == 0:
        vals, inv, cnt = x, xp.zeros(0, xp.int64), xp.zeros(0, xp.int64)
    else:
        vals, inv, cnt = xp.unique(x, return_inverse=True, return_counts=True, axis=d)
    return _pack(_UniqueDim, input, vals, inv.reshape(-1), cnt, return_inverse, return_counts)


def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    """Collapse runs of equal consecutive elements (or slices along dim)."""
    x = input._data
    xp = input._storage.device.xp
    if dim is None:
        flat = x.reshape(-1)
        new = xp.ones(flat.shape, dtype=bool)
        new[1:] = flat[1:] != flat[:-1]
        vals = flat[new]
        inv_shape = x.shape
    else:
        d = one_dim(dim, x.ndim)
        m = xp.moveaxis(x, d, 0)
        rows = m.reshape(m.shape[0], -1)
        new = xp.ones(rows.shape[0], dtype=bool)
        new[1:] = (rows[1:] != rows[:-1]).any(axis=1)
        vals = xp.moveaxis(m[new], 0, d)
        inv_shape = (x.shape[d],)
    inv = (xp.cumsum(new) - 1).reshape(inv_shape)
    starts = xp.nonzero(new)[0]
    cnt = xp.diff(xp.concatenate([starts, xp.asarray([new.shape[0]])]))
    return _pack(_UniqueConsecutive, input, vals, inv, cnt, return_inverse, return_counts)


# ---------------------------------------------------------------------------- searching

def _search(seq, vals, right, xp):
    """Insertion points of vals in the last dim of seq (1-D seq, or matching leading dims)."""
    side = 'right' if right else 'left'
    if seq.ndim == 1:
        return xp.searchsorted(seq, vals, side=side)
    m = seq.shape[-1]
    s = seq[..., None, :]
    v = vals[..., :, None]
    # counting "not past v" with NaN-safe comparisons: NaN values land at the end, as torch
    return m - ((s > v) if right else (s >= v)).sum(axis=-1)


def searchsorted(sorted_sequence, input, *, out_int32=False, right=False, side=None, sorter=None,
                 out=None):
    """Indices where `input` would be inserted into sorted_sequence's last dim to keep order."""
    if side is not None:
        if side not in ('left', 'right'):
            raise RuntimeError(f"torch.searchsorted(): side can only be 'left' or 'right' but got {side}")
        if right and side == 'left':
            raise RuntimeError("torch.searchsorted(): side and right can't be set to opposites, got "
                               "side of left while right was True")
        right = side == 'right'
    dev = sorted_sequence._storage.device
    xp = dev.xp
    seq = sorted_sequence._data
    scalar = not isinstance(input, Tensor)
    vals = xp.asarray(input) if scalar else input._data
    if sorter is not None:
        seq = xp.take_along_axis(seq, sorter._data, axis=-1)
    if seq.ndim > 1 and (scalar or seq.shape[:-1] != vals.shape[:-1]):
        raise RuntimeError(f"torch.searchsorted(): boundaries tensor should be 1 dimension or the "
                           f"first N-1 dimensions of boundaries tensor and input value tensor must "
                           f"match, but we got boundaries tensor {list(seq.shape)} and input value "
                           f"tensor {list(vals.shape)}")
    if vals.ndim == 0 and seq.ndim == 1:
        r = xp.asarray(xp.searchsorted(seq, vals.reshape(1), side='right' if right else 'left')[0])
    else:
        r = _search(seq, vals, right, xp)
    r = xp.asarray(r).astype(xp.int32 if out_int32 else xp.int64)
    return write_out(out, Tensor._from_array(r, dev))


def bucketize(input, boundaries, *, out_int32=False, right=False, out=None):
    """Bucket index of each element given 1-D sorted boundaries."""
    if boundaries._data.ndim != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim({boundaries._data.ndim})")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right, out=out)


def histc(input, bins=100, min=0, max=0, *, out=None):
    """Histogram with `bins` equal-width bins over [min, max] (data range when both are 0)."""
    x = input._data
    if x.dtype.kind not in 'fV':
        raise NotImplementedError(f"\"histogram_cpu\" not implemented for '{_type_word(input.dtype)}'")
    xp = input._storage.device.xp
    lo, hi = float(min), float(max)
    if lo == hi and x.size:
        lo, hi = float(x.min()), float(x.max())
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    if lo > hi:
        raise RuntimeError("torch.histc: max must be larger than min")
    xs = x.reshape(-1)
    xs = xs[(xs >= lo) & (xs <= hi)]
    h, _ = xp.histogram(xs, bins=bins, range=(lo, hi))
    return write_out(out, Tensor._from_array(h.astype(x.dtype), input._storage.device))


def _sort_method(self, dim=-1, descending=False, *, stable=False):
    return sort(self, dim, descending, stable=stable)


register_methods({
    'sort': _sort_method, 'argsort': argsort, 'msort': msort, 'topk': topk, 'unique': unique,
    'unique_consecutive': unique_consecutive, 'histc': histc,
})
