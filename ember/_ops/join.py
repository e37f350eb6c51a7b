"""Joining and splitting: cat/stack and their h/v/d/column variants, split/chunk/tensor_split
and h/v/dsplit, meshgrid, cartesian_prod, combinations.

Split-family outputs are views of the input (like torch); their backward concatenates the
output gradients. cat promotes dtypes across inputs and skips 1-D empty tensors (torch's
legacy rule), so `cat([x, torch.tensor([])])` works for any x.
"""
import warnings

from .. import _dtype as D
from .._tensor import Tensor, register_methods, _wrap_dim
from ..autograd.function import Function
from ._util import write_out, device_of
from .shape import (_Slice, _slice_op, _narrow_array, _xp, reshape,
                    atleast_1d, atleast_2d, atleast_3d, expand)
from .strided import _IndexSelect

__all__ = ['cat', 'concat', 'concatenate', 'stack', 'hstack', 'vstack', 'row_stack', 'dstack',
           'column_stack', 'split', 'chunk', 'tensor_split', 'hsplit', 'vsplit', 'dsplit',
           'meshgrid', 'cartesian_prod', 'combinations']


def _tensor_list(tensors, fname):
    if isinstance(tensors, Tensor):
        raise TypeError(f"{fname}(): argument 'tensors' (position 1) must be tuple of Tensors, not Tensor")
    tensors = list(tensors)
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got {type(t).__name__}")
    return tensors


# ---------------------------------------------------------------------------- cat / stack

class _Cat(Function, node_name='CatBackward0'):
    @staticmethod
    def forward(ctx, dim, dtype, *tensors):
        ctx.dim = dim
        ctx.sizes = [t._data.shape[dim] for t in tensors]
        xp = _xp(tensors[0])
        return xp.concatenate([t._data.astype(dtype, copy=False) for t in tensors], axis=dim)

    @staticmethod
    def backward(ctx, g):
        out, start = [None, None], 0
        for s in ctx.sizes:
            out.append(_slice_op(g, ctx.dim, start, start + s))
            start += s
        return tuple(out)


def cat(tensors, dim=0, *, out=None):
    """Concatenate tensors along an existing dim (dtypes promoted; 1-D empty tensors skipped)."""
    tensors = _tensor_list(tensors, 'cat')
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    for i, t in enumerate(tensors):
        if t._data.ndim == 0:
            raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be concatenated")
    device_of(*tensors)
    dtype = D.result_type(*tensors) if len(tensors) > 1 else tensors[0].dtype
    used = [t for t in tensors if t._data.shape != (0,)]
    if not used:
        r = _Cat.apply(0, dtype.np, *tensors)
        return write_out(out, r)
    ref = used[0]._data.shape
    d = _wrap_dim(dim, len(ref))
    for i, t in enumerate(tensors):
        s = t._data.shape
        if s == (0,):
            continue
        if len(s) != len(ref):
            raise RuntimeError(f"Tensors must have same number of dimensions: got {len(ref)} and {len(s)}")
        for k in range(len(ref)):
            if k != d and s[k] != ref[k]:
                raise RuntimeError(f"Sizes of tensors must match except in dimension {d}. Expected size "
                                   f"{ref[k]} but got size {s[k]} for tensor number {i} in the list.")
    if len(used) == len(tensors):
        r = _Cat.apply(d, dtype.np, *tensors)
    else:
        r = _CatSkip.apply(d, dtype.np, tuple(t._data.shape == (0,) for t in tensors), *tensors)
    return write_out(out, r)


class _CatSkip(Function, node_name='CatBackward0'):
    """cat where some inputs are skipped 1-D empty tensors (they get no gradient)."""

    @staticmethod
    def forward(ctx, dim, dtype, skip, *tensors):
        ctx.dim, ctx.skip = dim, skip
        ctx.sizes = [t._data.shape[dim] if not s else 0 for t, s in zip(tensors, skip)]
        xp = _xp(tensors[0])
        return xp.concatenate([t._data.astype(dtype, copy=False)
                               for t, s in zip(tensors, skip) if not s], axis=dim)

    @staticmethod
    def backward(ctx, g):
        out, start = [None, None, None], 0
        for s, sk in zip(ctx.sizes, ctx.skip):
            out.append(_slice_op(g.reshape(-1), 0, 0, 0) if sk else _slice_op(g, ctx.dim, start, start + s))
            start += s
        return tuple(out)


concat = concatenate = cat


class _Stack(Function, node_name='StackBackward0'):
    @staticmethod
    def forward(ctx, dim, dtype, *tensors):
        ctx.dim = dim
        xp = _xp(tensors[0])
        return xp.stack([t._data.astype(dtype, copy=False) for t in tensors], axis=dim)

    @staticmethod
    def backward(ctx, g):
        from .shape import unbind
        return (None, None) + tuple(unbind(g, ctx.dim))


def stack(tensors, dim=0, *, out=None):
    """Join equal-shaped tensors along a new dim."""
    tensors = _tensor_list(tensors, 'stack')
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    ref = tensors[0]._data.shape
    d = _wrap_dim(dim, len(ref) + 1)
    for i, t in enumerate(tensors):
        if t._data.shape != ref:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got {list(ref)} at entry 0 "
                               f"and {list(t._data.shape)} at entry {i}")
    device_of(*tensors)
    dtype = D.result_type(*tensors) if len(tensors) > 1 else tensors[0].dtype
    return write_out(out, _Stack.apply(d, dtype.np, *tensors))


def hstack(tensors, *, out=None):
    """Concatenate column-wise: along dim 0 for 1-D inputs, else dim 1."""
    ts = atleast_1d(_tensor_list(tensors, 'hstack'))
    if ts and all(t._data.ndim == 1 for t in ts):
        return cat(ts, 0, out=out)
    return cat(ts, 1, out=out)


def vstack(tensors, *, out=None):
    """Concatenate row-wise (1-D inputs become rows)."""
    return cat(atleast_2d(_tensor_list(tensors, 'vstack')), 0, out=out)


row_stack = vstack


def dstack(tensors, *, out=None):
    """Concatenate depth-wise along dim 2 (inputs made at least 3-D)."""
    return cat(atleast_3d(_tensor_list(tensors, 'dstack')), 2, out=out)


def column_stack(tensors, *, out=None):
    """Stack as columns: 0-D/1-D inputs become (N, 1) columns, then concatenate along dim 1."""
    ts = [reshape(t, (t._data.size, 1)) if t._data.ndim <= 1 else t
          for t in _tensor_list(tensors, 'column_stack')]
    return cat(ts, 1, out=out)


# ---------------------------------------------------------------------------- split family

class _Split(Function, node_name='SplitBackward0'):
    """Views of consecutive pieces along dim (sizes given); backward concatenates."""

    @staticmethod
    def forward(ctx, a, dim, sizes):
        ctx.dim, ctx.sizes = dim, sizes
        xp = _xp(a)
        arr = a._data
        outs, start = [], 0
        for s in sizes:
            v = _narrow_array(xp, arr, dim, start, start + s)
            outs.append(a._view(v, _slice_op, (dim, start, start + s, 1)))
            start += s
        return tuple(outs)

    @staticmethod
    def backward(ctx, *grads):
        return cat(grads, ctx.dim), None, None


class _SplitWithSizes(_Split, node_name='SplitWithSizesBackward0'):
    pass


def _split_apply(cls, t, d, sizes):
    out = cls.apply(t, d, tuple(sizes))
    return out if isinstance(out, tuple) else (out,)


def split(tensor, split_size_or_sections, dim=0):
    """Pieces of split_size along dim (last may be smaller), or of the given sizes (views)."""
    shape = tensor._data.shape
    if not shape:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    d = _wrap_dim(dim, len(shape))
    n = shape[d]
    if isinstance(split_size_or_sections, (list, tuple)):
        sizes = [int(s) for s in split_size_or_sections]
        if any(s < 0 for s in sizes):
            raise RuntimeError(f"split_with_sizes expects split_sizes have only non-negative entries, but "
                               f"got split_sizes={sizes}")
        if sum(sizes) != n:
            raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's "
                               f"size at dimension {d}), but got split_sizes={sizes}")
        return _split_apply(_SplitWithSizes, tensor, d, sizes)
    size = int(split_size_or_sections)
    if size < 0:
        raise RuntimeError(f"split expects split_size be non-negative, but got split_size={size}")
    if size == 0 and n != 0:
        raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got dimension size of {n}")
    if n == 0:
        return _split_apply(_Split, tensor, d, [0])
    sizes = [size] * (n // size) + ([n % size] if n % size else [])
    return _split_apply(_Split, tensor, d, sizes)


def _split_method(self, split_size, dim=0):
    return split(self, split_size, dim)


def chunk(input, chunks, dim=0):
    """Up to `chunks` pieces of equal size ceil(n / chunks) along dim (views)."""
    shape = input._data.shape
    if not shape:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    d = _wrap_dim(dim, len(shape))
    n = shape[d]
    size = -(-n // chunks)
    if n == 0:
        return _split_apply(_Split, input, d, [0] * chunks)
    return split(input, size, d)


def _py_bounds(start, end, n):
    """Python slicing bounds start:end on a dim of size n (negatives wrap, then clamp)."""
    if start < 0:
        start += n
    if end < 0:
        end += n
    start = min(max(start, 0), n)
    end = min(max(end, start), n)
    return start, end


def tensor_split(input, indices_or_sections, dim=0):
    """Split into `sections` near-equal pieces, or at the given indices (views; SliceBackward0)."""
    shape = input._data.shape
    if not shape:
        raise RuntimeError("tensor_split expected at least a 1-dimensional tensor, but got a tensor with 0 dims")
    d = _wrap_dim(dim, len(shape))
    n = shape[d]
    ios = indices_or_sections
    if isinstance(ios, Tensor):
        if ios.dtype is not D.int64:
            from ._util import _type_word
            raise RuntimeError(f"tensor_split expected tensor_indices_or_sections to have dtype of long, "
                               f"but got {_type_word(ios.dtype)}")
        if ios._data.ndim > 1:
            raise RuntimeError(f"tensor_split expected tensor_indices_or_sections to be a zero-dimensional or "
                               f"one-dimensional tensor, but got a tensor with {ios._data.ndim} dims")
        ios = int(ios.item()) if ios._data.ndim == 0 else [int(v) for v in ios.tolist()]
    if isinstance(ios, (list, tuple)):
        bounds = [0] + [int(i) for i in ios] + [n]
        pieces = [(bounds[i], bounds[i + 1]) for i in range(len(bounds) - 1)]
        pieces[-1] = (pieces[-1][0], None)
    else:
        k = int(ios)
        if k <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {k}")
        q, r = divmod(n, k)
        pieces, start = [], 0
        for i in range(k):
            s = q + (1 if i < r else 0)
            pieces.append((start, start + s))
            start += s
    out = []
    for s, e in pieces:
        s, e = _py_bounds(s, n if e is None else e, n)
        out.append(_Slice.apply(input, d, s, e, 1))
    return tuple(out)


def _dir_split(name, min_dim, dim, input, ios):
    nd = input._data.ndim
    if nd < min_dim:
        raise RuntimeError(f"torch.{name} requires a tensor with at least {min_dim} dimension, but got a "
                           f"tensor with {nd} dimensions!")
    if isinstance(ios, int):
        n = input._data.shape[dim]
        if ios == 0 or n % ios:
            raise RuntimeError(f"torch.{name} attempted to split along dimension {dim}, but the size of the "
                               f"dimension {n} is not divisible by the split_size {ios}!")
    return tensor_split(input, ios, dim)


def hsplit(input, indices_or_sections):
    """tensor_split along dim 1 (dim 0 for 1-D); an int must divide the size."""
    nd = input._data.ndim
    return _dir_split('hsplit', 1, 1 if nd >= 2 else 0, input, indices_or_sections)


def vsplit(input, indices_or_sections):
    """tensor_split along dim 0 (needs >= 2-D)."""
    return _dir_split('vsplit', 2, 0, input, indices_or_sections)


def dsplit(input, indices_or_sections):
    """tensor_split along dim 2 (needs >= 3-D)."""
    return _dir_split('dsplit', 3, 2, input, indices_or_sections)


# ---------------------------------------------------------------------------- grids

def meshgrid(*tensors, indexing=None):
    """Coordinate grids (views, via expand) from 0-D/1-D tensors; indexing 'ij' or 'xy'."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing is None:
        warnings.warn("torch.meshgrid: in an upcoming release, it will be required to pass the indexing "
                      "argument.", UserWarning, stacklevel=2)
        indexing = 'ij'
    if indexing not in ('ij', 'xy'):
        raise RuntimeError(f"torch.meshgrid: indexing must be one of \"xy\" or \"ij\", but received: {indexing}")
    if not tensors:
        raise RuntimeError("meshgrid expects a non-empty TensorList")
    for t in tensors:
        if t._data.ndim > 1:
            raise RuntimeError(f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got: {t}")
    ts = list(tensors)
    swap = indexing == 'xy' and len(ts) >= 2
    if swap:
        ts[0], ts[1] = ts[1], ts[0]
    shape = tuple(t._data.size for t in ts)
    n = len(ts)
    grids = []
    for i, t in enumerate(ts):
        view_shape = (1,) * i + (-1,) + (1,) * (n - i - 1)
        grids.append(expand(reshape(t, view_shape), shape))
    if swap:
        grids[0], grids[1] = grids[1], grids[0]
    return tuple(grids)


def cartesian_prod(*tensors):
    """All combinations of the elements of 1-D tensors, as rows (like itertools.product)."""
    if len(tensors) == 1:
        return tensors[0]
    grids = meshgrid(*tensors, indexing='ij')
    return stack([reshape(g, (-1,)) for g in grids], 1)


def combinations(input, r=2, with_replacement=False):
    """Rows of r elements of a 1-D tensor, in itertools.combinations(_with_replacement) order."""
    if input._data.ndim != 1:
        raise RuntimeError(f"Expect a 1D vector, but got shape {list(input._data.shape)}")
    if r < 0:
        raise RuntimeError(f"Expect a non-negative number, but got {r}")
    xp = _xp(input)
    n = input._data.shape[0]
    if r == 0:
        return Tensor._from_array(xp.zeros((0,), dtype=input._data.dtype), input._storage.device)
    grids = xp.meshgrid(*([xp.arange(n, dtype='int64')] * r), indexing='ij')
    mask = xp.ones(grids[0].shape, dtype=bool)
    for a, b in zip(grids[:-1], grids[1:]):
        mask &= (a <= b) if with_replacement else (a < b)
    cols = [_IndexSelect.apply(input, g[mask], 0) for g in grids]
    return stack(cols, 1)


register_methods({
    'split': _split_method, 'chunk': chunk, 'tensor_split': tensor_split, 'hsplit': hsplit,
    'vsplit': vsplit, 'dsplit': dsplit,
})
