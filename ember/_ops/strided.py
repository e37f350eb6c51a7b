"""Views with computed strides: diagonal, unfold (sliding windows), as_strided (storage
geometry). Like the views in shape.py they share memory and report torch's strides; their
backwards scatter the gradient back (summing where windows overlap) with Functions whose own
backward re-applies the view, so double backward works."""
from .._tensor import Tensor, register_methods, _wrap_dim
from ..autograd.function import Function
from .shape import _ViewScatter, _bincount, _strided, _elem_strides, _xp

__all__ = ['diagonal', 'as_strided']


class _DiagonalScatter(_ViewScatter, node_name='DiagonalBackwardBackward0'):
    pass


class _UnfoldScatter(_ViewScatter, node_name='UnfoldBackwardBackward0'):
    pass


class _IndexSelect(Function, node_name='IndexSelectBackward0'):
    """x.take(idx, dim) with an int64 index array; backward sums back with bincount."""

    @staticmethod
    def forward(ctx, a, idx, dim):
        ctx.idx, ctx.dim, ctx.n = idx, dim, a._data.shape[dim]
        return _xp(a).take(a._data, idx, axis=dim)

    @staticmethod
    def backward(ctx, g):
        return _IndexAdd.apply(g, ctx.idx, ctx.dim, ctx.n), None, None


class _IndexAdd(Function, node_name='IndexAddBackward0'):
    """Zeros with n rows along dim, g's rows summed into rows idx (adjoint of _IndexSelect)."""

    @staticmethod
    def forward(ctx, g, idx, dim, n):
        ctx.idx, ctx.dim = idx, dim
        xp = _xp(g)
        gd = xp.moveaxis(g._data, dim, 0)
        rest = gd.shape[1:]
        r = 1
        for s in rest:
            r *= s
        flat = (idx[:, None] * r + xp.arange(r, dtype='int64')[None, :]).reshape(-1)
        out = _bincount(xp, flat, gd.reshape(-1), n * r).reshape((n,) + rest)
        return xp.ascontiguousarray(xp.moveaxis(out, 0, dim))

    @staticmethod
    def backward(ctx, gg):
        return _IndexSelect.apply(gg, ctx.idx, ctx.dim), None, None, None


# ---------------------------------------------------------------------------- diagonal / strided

class _Diagonal(Function, node_name='DiagonalBackward0'):
    @staticmethod
    def forward(ctx, a, offset, d1, d2):
        ctx.in_shape, ctx.geom = a._data.shape, (offset, d1, d2)
        return a._view(_diagonal_array(_xp(a), a._data, offset, d1, d2), _diagonal_op, ctx.geom)

    @staticmethod
    def backward(ctx, g):
        return _DiagonalScatter.apply(g, ctx.in_shape, _diagonal_op, ctx.geom), None, None, None


def _diagonal_array(xp, arr, offset, d1, d2):
    shape, st = arr.shape, _elem_strides(arr)
    if offset >= 0:
        n = max(0, min(shape[d1], shape[d2] - offset))
        start = offset * st[d2]
    else:
        n = max(0, min(shape[d1] + offset, shape[d2]))
        start = -offset * st[d1]
    if n == 0:
        start = 0
    keep = [i for i in range(arr.ndim) if i not in (d1, d2)]
    return _strided(xp, arr, tuple(shape[i] for i in keep) + (n,),
                    tuple(st[i] for i in keep) + (st[d1] + st[d2],), start)


def _diagonal_op(t, offset, d1, d2):
    return _Diagonal.apply(t, offset, d1, d2)


def diagonal(input, offset=0, dim1=0, dim2=1):
    """The diagonal of the (dim1, dim2) planes, appended as the last dim (a view)."""
    n = input._data.ndim
    d1, d2 = _wrap_dim(dim1, n), _wrap_dim(dim2, n)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return _Diagonal.apply(input, int(offset), d1, d2)


class _Unfold(Function, node_name='UnfoldBackward0'):
    @staticmethod
    def forward(ctx, a, dim, size, step):
        ctx.in_shape, ctx.geom = a._data.shape, (dim, size, step)
        arr = a._data
        if arr.ndim == 0:
            return a._view(_strided(_xp(a), arr, (size,), (1,)), _unfold_op, ctx.geom)
        shape, st = arr.shape, _elem_strides(arr)
        n = (shape[dim] - size) // step + 1
        new_shape = shape[:dim] + (n,) + shape[dim + 1:] + (size,)
        new_st = st[:dim] + (st[dim] * step,) + st[dim + 1:] + (st[dim],)
        return a._view(_strided(_xp(a), arr, new_shape, new_st), _unfold_op, ctx.geom)

    @staticmethod
    def backward(ctx, g):
        dim, size, step = ctx.geom
        return (_UnfoldScatter.apply(g, ctx.in_shape, _unfold_op, ctx.geom, step < size),
                None, None, None)


def _unfold_op(t, dim, size, step):
    return _Unfold.apply(t, dim, size, step)


def unfold(self, dimension, size, step):
    """Windows of `size` elements every `step` along `dimension`, as a new last dim (a view)."""
    shape = self._data.shape
    d = _wrap_dim(dimension, len(shape))
    cur = shape[d] if shape else 1
    if size > cur:
        raise RuntimeError(f"maximum size for tensor at dimension {d} is {cur} but size is {size}")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    if size < 0:
        raise RuntimeError(f"size is {size} but must be >= 0")
    return _Unfold.apply(self, d, int(size), int(step))


def _storage_flat(t):
    """1-D array over t's whole storage (in t's dtype)."""
    base = t._storage.base
    xp = _xp(t)
    if base.dtype != t._data.dtype:
        base = base.reshape(-1).view(t._data.dtype)
    return _strided(xp, base, (base.size,), (1,))


class _AsStrided(Function, node_name='AsStridedBackward0'):
    @staticmethod
    def forward(ctx, a, size, stride, offset):
        ctx.in_geom = (a._data.shape, _elem_strides(a._data), a.storage_offset())
        ctx.out_geom = (size, stride, offset)
        arr = _strided(_xp(a), _storage_flat(a), size, stride, offset)
        return a._view(arr, _as_strided_op, ctx.out_geom)

    @staticmethod
    def backward(ctx, g):
        # gradient through the shared storage: sum the output's gradients into the storage
        # positions they view, read the input's positions (averaged where the input overlaps)
        xp = _xp(g)
        (ishape, istride, ioff), (oshape, ostride, ooff) = ctx.in_geom, ctx.out_geom

        def extent(shape, stride, off):
            if any(s == 0 for s in shape):
                return off
            return off + sum((s - 1) * st for s, st in zip(shape, stride)) + 1
        n = max(extent(ishape, istride, ioff), extent(oshape, ostride, ooff))
        pos = xp.arange(n, dtype='int64')
        idx_out = _strided(xp, pos, oshape, ostride, ooff).reshape(-1)
        idx_in = _strided(xp, pos, ishape, istride, ioff).reshape(-1)
        buf = _IndexAdd.apply(g.reshape(-1), idx_out, 0, n)
        gi = _IndexSelect.apply(buf, idx_in, 0)
        count = xp.bincount(idx_in, minlength=n)[idx_in]
        if count.size and int(count.max()) > 1:
            gi = gi / Tensor._from_array(count.astype(g._data.dtype), g._storage.device)
        return gi.reshape(ishape), None, None, None


def _as_strided_op(t, size, stride, offset):
    return _AsStrided.apply(t, size, stride, offset)


def as_strided(input, size, stride, storage_offset=None):
    """A view of input's storage with the given size, stride (elements) and storage offset."""
    size, stride = tuple(int(s) for s in size), tuple(int(s) for s in stride)
    if len(size) != len(stride):
        raise RuntimeError(f"mismatch in length of strides and shape")
    if any(s < 0 for s in stride):
        raise RuntimeError(f"as_strided: Negative strides are not supported at the moment, got strides: {list(stride)}")
    offset = input.storage_offset() if storage_offset is None else int(storage_offset)
    if offset < 0:
        raise RuntimeError(f"Tensor: invalid storage offset {offset}")
    if any(s < 0 for s in size):
        raise RuntimeError(f"Trying to create tensor with negative dimension {min(size)}: {list(size)}")
    item = input._data.itemsize
    need = 0 if any(s == 0 for s in size) else offset + 1 + sum((s - 1) * st for s, st in zip(size, stride))
    have = input._storage.base.nbytes
    if need * item > have:
        raise RuntimeError(f"setStorage: sizes [{', '.join(map(str, size))}], strides [{', '.join(map(str, stride))}], "
                           f"storage offset {offset}, and itemsize {item} requiring a storage size of "
                           f"{need * item} are out of bounds for storage of size {have}")
    return _AsStrided.apply(input, size, stride, offset)


register_methods({'diagonal': diagonal, 'unfold': unfold, 'as_strided': as_strided})
