"""Copying rearrangements: flip/fliplr/flipud, roll, rot90, repeat/tile, repeat_interleave,
tril/triu, diag/diag_embed/diagflat. Each returns new memory (as torch does); backwards are
the inverse rearrangement of the gradient, written with ember ops."""
from .._tensor import Tensor, register_methods, _wrap_dim
from ..autograd.function import Function
from ._util import write_out, dims_arg, inplace
from .shape import _xp, reshape, flatten, unsqueeze, expand, contiguous, view, _sizes
from .strided import _IndexSelect, _DiagonalScatter, _diagonal_op, _diagonal_array, diagonal

__all__ = ['flip', 'fliplr', 'flipud', 'roll', 'rot90', 'tile', 'repeat_interleave', 'tril',
           'triu', 'diag', 'diag_embed', 'diagflat']


def _int_tuple(v):
    if isinstance(v, Tensor):
        v = v.tolist()
    return (int(v),) if not isinstance(v, (tuple, list)) else tuple(int(s) for s in v)


# ---------------------------------------------------------------------------- flip / roll / rot90

class _Flip(Function, node_name='FlipBackward0'):
    @staticmethod
    def forward(ctx, a, dims):
        ctx.dims = dims
        xp = _xp(a)
        return xp.flip(a._data, dims).copy() if dims and a._data.ndim else a._data.copy()

    @staticmethod
    def backward(ctx, g):
        return _Flip.apply(g, ctx.dims), None


def _flip_method(input, *dims):
    """Reverse the order of elements along dims (a copy)."""
    if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
        dims = tuple(dims[0])
    n = input._data.ndim
    dims = dims_arg(dims, n) if dims else ()
    return _Flip.apply(input, dims)


def flip(input, dims):
    """Reverse the order of elements along dims (a sequence of ints); a copy."""
    if isinstance(dims, int):
        raise TypeError("flip(): argument 'dims' (position 2) must be tuple of ints, not int")
    return _flip_method(input, tuple(dims))


def fliplr(input):
    """Flip left/right (dim 1); needs >= 2-D."""
    if input._data.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return flip(input, (1,))


def flipud(input):
    """Flip up/down (dim 0); needs >= 1-D."""
    if input._data.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return flip(input, (0,))


class _Roll(Function, node_name='RollBackward0'):
    @staticmethod
    def forward(ctx, a, shifts, dims):
        ctx.shifts, ctx.dims = shifts, dims
        xp = _xp(a)
        if dims is None:
            return xp.roll(a._data.reshape(-1), shifts[0]).reshape(a._data.shape)
        return xp.roll(a._data, shifts, dims)

    @staticmethod
    def backward(ctx, g):
        return _Roll.apply(g, tuple(-s for s in ctx.shifts), ctx.dims), None, None


def roll(input, shifts, dims=None):
    """Shift elements circularly along dims (flattened when dims is None); a copy."""
    shifts = _int_tuple(shifts)
    if dims is None:
        if len(shifts) != 1:
            raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:0")
        return _Roll.apply(input, shifts, None)
    dims = _int_tuple(dims)
    if not shifts:
        raise RuntimeError("`shifts` required")
    if len(shifts) != len(dims):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:{len(dims)}")
    n = input._data.ndim
    return _Roll.apply(input, shifts, tuple(_wrap_dim(d, n) for d in dims))


class _Rot90(Function, node_name='Rot90Backward0'):
    @staticmethod
    def forward(ctx, a, k, d0, d1):
        ctx.k, ctx.dims = k, (d0, d1)
        xp = _xp(a)
        x = a._data
        # flip into fresh memory, then transpose (a view of it): the strides torch reports
        if k == 1:
            return xp.flip(x, d1).copy().swapaxes(d0, d1)
        if k == 2:
            return xp.flip(x, (d0, d1)).copy()
        if k == 3:
            return xp.flip(x, d0).copy().swapaxes(d0, d1)
        return x.copy()

    @staticmethod
    def backward(ctx, g):
        return _Rot90.apply(g, (4 - ctx.k) % 4, *ctx.dims), None, None, None


def rot90(input, k=1, dims=(0, 1)):
    """Rotate by 90 degrees k times in the plane of dims (from dims[0] towards dims[1])."""
    dims = tuple(dims)
    n = input._data.ndim
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if n < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {n}")
    d0, d1 = _wrap_dim(dims[0], n), _wrap_dim(dims[1], n)
    if d0 == d1:
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {d0} and dim1 = {d1}")
    return _Rot90.apply(input, int(k) % 4, d0, d1)


# ---------------------------------------------------------------------------- repeat / tile

class _Repeat(Function, node_name='RepeatBackward0'):
    @staticmethod
    def forward(ctx, a, reps):
        xp = _xp(a)
        x = a._data
        lead = len(reps) - x.ndim
        ctx.in_shape, ctx.reps = x.shape, reps
        return xp.tile(x.reshape((1,) * lead + x.shape), reps)

    @staticmethod
    def backward(ctx, g):
        reps, shape = ctx.reps, ctx.in_shape
        full = (1,) * (len(reps) - len(shape)) + shape
        split = []
        for r, s in zip(reps, full):
            split += [r, s]
        g = g.reshape(split)
        return g.sum(tuple(range(0, 2 * len(reps), 2))).reshape(shape), None


def repeat(self, *sizes):
    """Tile self `sizes` times along each dim (leading new dims allowed); a copy."""
    if not sizes:
        raise TypeError('repeat() missing 1 required positional arguments: "repeats"')
    reps = _sizes(sizes)
    if len(reps) < self._data.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number of "
                           "dimensions of tensor")
    for r in reps:
        if r < 0:
            shape = (1,) * (len(reps) - self._data.ndim) + self._data.shape
            raise RuntimeError(f"Trying to create tensor with negative dimension {r}: "
                               f"{[a * b for a, b in zip(shape, reps)]}")
    return _Repeat.apply(self, reps)


def tile(input, dims):
    """repeat with dims padded by leading 1s when shorter than input.ndim."""
    dims = _int_tuple(dims)
    dims = (1,) * (input._data.ndim - len(dims)) + dims
    return repeat(input, dims)


def _tile_method(self, *dims):
    return tile(self, dims[0] if len(dims) == 1 else dims)


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    """Repeat each element (along dim, or of the flattened input) `repeats` times."""
    if repeats is None:   # torch.repeat_interleave(repeats): indices repeated by their counts
        rep = input
        if rep._data.ndim != 1:
            raise RuntimeError("repeat_interleave only accept 1D vector as repeat")
        if rep._data.dtype.kind not in 'iu':
            raise NotImplementedError(f"\"repeat_interleave_cpu\" not implemented for '{_word(rep)}'")
        xp = _xp(rep)
        return Tensor._from_array(xp.repeat(xp.arange(rep._data.shape[0], dtype='int64'), rep._data),
                                  rep._storage.device)
    if dim is None:
        input = flatten(input)
        d = 0
    else:
        d = _wrap_dim(dim, input._data.ndim)
        if input._data.ndim == 0:   # torch unsqueezes after dim d: no dim d + 1 on a 0-d input
            _wrap_dim(d + 1, 1)
    if input._data.ndim == 0:
        input = reshape(input, (1,))
    xp = _xp(input)
    n = input._data.shape[d]
    if isinstance(repeats, Tensor):
        if repeats._data.ndim > 1:
            raise RuntimeError("repeats must be 0-dim or 1-dim tensor")
        if repeats._data.dtype.kind not in 'iu':
            raise NotImplementedError(f"\"repeat_interleave_cpu\" not implemented for '{_word(repeats)}'")
        if repeats._data.ndim == 0 or repeats._data.shape[0] == 1:
            repeats = int(repeats.reshape(-1)._data[0])
        else:
            r = repeats._data
            if r.shape[0] != n:
                raise RuntimeError(f"repeats must have the same size as input along dim, but got "
                                   f"repeats.size(0) = {r.shape[0]} and input.size(0) = {n}")
            if r.size and int(r.min()) < 0:
                raise RuntimeError("repeats can not be negative")
            idx = xp.repeat(xp.arange(n, dtype='int64'), r.astype('int64'))
            if output_size is not None and idx.shape[0] != output_size:
                raise RuntimeError("allocated size does not match required size")
            return _IndexSelect.apply(input, idx, d)
    if not isinstance(repeats, int):
        raise TypeError(f"repeat_interleave(): argument 'repeats' must be Tensor or int, not "
                        f"{type(repeats).__name__}")
    if repeats < 0:
        raise RuntimeError("Repeats must be non-negative")
    shape = input._data.shape
    big = expand(unsqueeze(input, d + 1), shape[:d + 1] + (repeats,) + shape[d + 1:])
    return view(contiguous(big), shape[:d] + (n * repeats,) + shape[d + 1:])


def _word(t):
    from ._util import _type_word
    return _type_word(t.dtype)


# ---------------------------------------------------------------------------- tril / triu

class _Tril(Function, node_name='TrilBackward0'):
    @staticmethod
    def forward(ctx, a, k):
        ctx.k = k
        return _xp(a).tril(a._data, k)

    @staticmethod
    def backward(ctx, g):
        return _Tril.apply(g, ctx.k), None


class _Triu(Function, node_name='TriuBackward0'):
    @staticmethod
    def forward(ctx, a, k):
        ctx.k = k
        return _xp(a).triu(a._data, k)

    @staticmethod
    def backward(ctx, g):
        return _Triu.apply(g, ctx.k), None


def tril(input, diagonal=0, *, out=None):
    """Lower triangle of the last two dims (elements above `diagonal` zeroed)."""
    if input._data.ndim < 2:
        raise RuntimeError("tril: input tensor must have at least 2 dimensions")
    return write_out(out, _Tril.apply(input, int(diagonal)))


def triu(input, diagonal=0, *, out=None):
    """Upper triangle of the last two dims (elements below `diagonal` zeroed)."""
    if input._data.ndim < 2:
        raise RuntimeError("triu: input tensor must have at least 2 dimensions")
    return write_out(out, _Triu.apply(input, int(diagonal)))


# ---------------------------------------------------------------------------- diag family

class _DiagEmbed(Function, node_name='DiagEmbedBackward0'):
    @staticmethod
    def forward(ctx, a, offset, d1, d2):
        ctx.geom = (offset, d1, d2)
        x = a._data
        xp = _xp(a)
        n = x.shape[-1] + abs(offset) if x.ndim else 1 + abs(offset)
        batch = x.shape[:-1]
        shape = list(batch)
        lo, hi = min(d1, d2), max(d1, d2)
        shape.insert(lo, n)
        shape.insert(hi, n)
        out = xp.zeros(shape, dtype=x.dtype)
        _diagonal_array(xp, out, offset, d1, d2)[...] = x
        return out

    @staticmethod
    def backward(ctx, g):
        return diagonal(g, *ctx.geom), None, None, None


def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    """Tensor whose (dim1, dim2) diagonals (at `offset`) hold input's last dim; zeros elsewhere."""
    n = input._data.ndim + 1
    d1, d2 = _wrap_dim(dim1, n), _wrap_dim(dim2, n)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return _DiagEmbed.apply(input, int(offset), d1, d2)


class _DiagCopy(Function, node_name='DiagonalBackward0_copy'):
    @staticmethod
    def forward(ctx, a, offset):
        ctx.in_shape, ctx.offset = a._data.shape, offset
        return _diagonal_array(_xp(a), a._data, offset, 0, 1).copy()

    @staticmethod
    def backward(ctx, g):
        return _DiagonalScatter.apply(g, ctx.in_shape, _diagonal_op, (ctx.offset, 0, 1)), None


def diag(input, diagonal=0, *, out=None):
    """1-D input: a square matrix with it on the `diagonal`; 2-D input: that diagonal (copy)."""
    n = input._data.ndim
    if n == 1:
        r = _DiagEmbed.apply(input, int(diagonal), 0, 1)
    elif n == 2:
        r = _DiagCopy.apply(input, int(diagonal))
    else:
        raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {n}D")
    return write_out(out, r)


def diagflat(input, offset=0):
    """Square matrix with the flattened input on diagonal `offset`."""
    return _DiagEmbed.apply(reshape(input, (-1,)), int(offset), 0, 1)


def _tril_(self, diagonal=0):
    return inplace(self, tril, diagonal)


def _triu_(self, diagonal=0):
    return inplace(self, triu, diagonal)


register_methods({
    'flip': _flip_method, 'fliplr': fliplr, 'flipud': flipud, 'roll': roll, 'rot90': rot90,
    'repeat': repeat, 'tile': _tile_method, 'repeat_interleave': repeat_interleave,
    'tril': tril, 'triu': triu, 'tril_': _tril_, 'triu_': _triu_, 'diag': diag,
    'diag_embed': diag_embed, 'diagflat': diagflat,
})
