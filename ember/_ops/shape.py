"""Shape and view ops. View ops return tensors on the same memory (`Tensor._view`), which
records how to replay the view so in-place writes through it reach the base's history.

Strides, storage offsets and contiguity follow torch exactly (computed here and realized with
the array module's `as_strided`), so `stride()`/`storage_offset()`/`data_ptr()` match torch.
The backward of a view that picks a region (select, slice; diagonal, unfold, as_strided live
in strided.py) writes the gradient into zeros through the same view; that write is itself a
Function whose backward re-applies the view, so double backward works.
"""
from .._tensor import Tensor, register_methods, _wrap_dim, Size
from ..autograd.function import Function

__all__ = ['reshape', 'transpose', 'swapaxes', 'swapdims', 'permute', 'unsqueeze', 'squeeze',
           't', 'flatten', 'unflatten', 'ravel', 'clone', 'narrow', 'select', 'unbind',
           'movedim', 'moveaxis', 'broadcast_to', 'broadcast_tensors',
           'broadcast_shapes', 'atleast_1d', 'atleast_2d', 'atleast_3d']


# ---------------------------------------------------------------------------- helpers

def _sizes(args):
    """Accept f(2, 3) and f((2, 3)) / f([2, 3]) / f(Size)."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = args[0]
    return tuple(int(s) for s in args)


def _xp(t):
    return t._storage.device.xp


def _strided(xp, arr, shape, strides, offset=0):
    """View of arr's memory with `shape`, element `strides`, starting `offset` elements after
    arr's first element (torch's as_strided geometry on a NumPy/CuPy array)."""
    ast = xp.lib.stride_tricks.as_strided
    item = arr.itemsize
    if offset:
        arr = ast(arr, (offset + 1,), (item,))[offset:]
    return ast(arr, tuple(shape), tuple(s * item for s in strides))


def _narrow_array(xp, arr, dim, start, end, step=1):
    """arr[start:end:step] along dim with torch's storage offset even when empty."""
    if end > start:   # basic slicing: fast, and numpy's pointer/strides agree with torch here
        return arr[(slice(None),) * dim + (slice(start, end, step),)]
    st = _elem_strides(arr)
    shape = arr.shape[:dim] + (0,) + arr.shape[dim + 1:]
    return _strided(xp, arr, shape, st[:dim] + (st[dim] * step,) + st[dim + 1:], start * st[dim])


def _elem_strides(arr):
    item = arr.itemsize
    return tuple(s // item for s in arr.strides)


def _contig_strides(shape):
    strides, acc = [], 1
    for s in reversed(shape):
        strides.append(acc)
        acc *= max(s, 1)
    return tuple(reversed(strides))


def infer_shape(shape, numel):
    """Resolve one -1 in `shape` and check the element count, with torch's messages."""
    neg = [i for i, s in enumerate(shape) if s == -1]
    if len(neg) > 1:
        raise RuntimeError("only one dimension can be inferred")
    for s in shape:
        if s < -1:
            raise RuntimeError(f"invalid shape dimension {s}")
    known = 1
    for s in shape:
        if s != -1:
            known *= s
    if neg:
        if known == 0:
            raise RuntimeError(f"cannot reshape tensor of 0 elements into shape [{', '.join(map(str, shape))}] "
                               f"because the unspecified dimension size -1 can be any value and is ambiguous")
        if numel % known:
            raise RuntimeError(f"shape '[{', '.join(map(str, shape))}]' is invalid for input of size {numel}")
        shape = tuple(numel // known if s == -1 else s for s in shape)
    elif known != numel:
        raise RuntimeError(f"shape '[{', '.join(map(str, shape))}]' is invalid for input of size {numel}")
    return shape


def _view_strides(old_shape, old_strides, new_shape):
    """Strides of `new_shape` viewing memory laid out as (old_shape, old_strides), or None
    when no such view exists (torch's rule: dims may only merge/split within chunks of
    memory-contiguous dims)."""
    if 0 in old_shape:
        return tuple(old_strides) if tuple(old_shape) == tuple(new_shape) else _contig_strides(new_shape)
    if not old_shape:
        old_shape, old_strides = (1,), (1,)
    new_strides = [0] * len(new_shape)
    view_d = len(new_shape) - 1
    chunk_stride = old_strides[-1]
    t_numel = v_numel = 1
    for d in range(len(old_shape) - 1, -1, -1):
        t_numel *= old_shape[d]
        if d == 0 or (old_shape[d - 1] != 1 and old_strides[d - 1] != t_numel * chunk_stride):
            while view_d >= 0 and (v_numel < t_numel or new_shape[view_d] == 1):
                new_strides[view_d] = v_numel * chunk_stride
                v_numel *= new_shape[view_d]
                view_d -= 1
            if v_numel != t_numel:
                return None
            if d > 0:
                chunk_stride = old_strides[d - 1]
                t_numel = v_numel = 1
    if view_d != -1:
        return None
    return tuple(new_strides)


def _view_array(a, shape):
    """Backend view of a._data with `shape`, or None when the strides don't allow one."""
    arr = a._data
    if arr.flags.c_contiguous and arr.size:
        return arr.reshape(shape)
    strides = _view_strides(arr.shape, _elem_strides(arr), shape)
    if strides is None:
        return None
    return _strided(_xp(a), arr, shape, strides)


class _ViewScatter(Function, node_name='ViewScatterBackward'):
    """Gradient of a region-picking view: zeros of the input's shape with `g` written (or,
    for overlapping views, summed) through the view `op(t, *args)`. Its backward applies
    the view to the incoming gradient."""

    @staticmethod
    def forward(ctx, g, shape, op, args, overlap=False):
        ctx.op, ctx.args = op, args
        xp = _xp(g)
        dev = g._storage.device
        gd = g._data
        if not overlap:
            z = xp.zeros(shape, dtype=gd.dtype)
            op(Tensor._from_array(z, dev), *args)._data[...] = gd
            return z
        n = 1
        for s in shape:
            n *= s
        idx = op(Tensor._from_array(xp.arange(n, dtype='int64').reshape(shape), dev), *args)._data
        return _bincount(xp, idx.reshape(-1), gd.reshape(-1), n).reshape(shape)

    @staticmethod
    def backward(ctx, gg):
        return ctx.op(gg, *ctx.args), None, None, None, None


def _bincount(xp, idx, w, n):
    """Sum weights w into n bins by idx (dtype of w kept; complex split in parts)."""
    if w.dtype.kind == 'c':
        re = xp.bincount(idx, weights=w.real.astype('float64'), minlength=n)
        im = xp.bincount(idx, weights=w.imag.astype('float64'), minlength=n)
        return (re + 1j * im).astype(w.dtype)
    if idx.size == 0:
        return xp.zeros(n, dtype=w.dtype)
    return xp.bincount(idx, weights=w.astype('float64'), minlength=n).astype(w.dtype)


class _SelectScatter(_ViewScatter, node_name='SelectBackwardBackward0'):
    pass


class _SliceScatter(_ViewScatter, node_name='SliceBackwardBackward0'):
    pass


# ---------------------------------------------------------------------------- view / reshape

class _View(Function, node_name='ViewBackward0'):
    @staticmethod
    def forward(ctx, a, shape):
        ctx.in_shape = a._data.shape
        arr = _view_array(a, shape)
        if arr is None:
            raise RuntimeError("view size is not compatible with input tensor's size and stride (at "
                               "least one dimension spans across two contiguous subspaces). Use "
                               ".reshape(...) instead.")
        return a._view(arr, _view_op, (shape,))

    @staticmethod
    def backward(ctx, g):
        return g.reshape(ctx.in_shape), None


class _ReshapeCopy(Function, node_name='UnsafeViewBackward0'):
    @staticmethod
    def forward(ctx, a, shape):
        ctx.in_shape = a._data.shape
        return _xp(a).ascontiguousarray(a._data).reshape(shape)

    @staticmethod
    def backward(ctx, g):
        return g.reshape(ctx.in_shape), None


def _view_op(t, shape):
    return _View.apply(t, shape)


def view(self, *shape):
    """Same memory, new shape; RuntimeError if the strides don't allow it (use reshape)."""
    if len(shape) == 1 and not isinstance(shape[0], (tuple, list, int)) and hasattr(shape[0], 'itemsize'):
        from .conversion import view_as_dtype
        return view_as_dtype(self, shape[0])
    shape = infer_shape(_sizes(shape), self._data.size)
    return _View.apply(self, shape)


def reshape(input, *shape):
    """A view when the memory layout allows it, otherwise a copy."""
    shape = infer_shape(_sizes(shape), input._data.size)
    arr = input._data
    if (arr.flags.c_contiguous and arr.size) or _view_strides(arr.shape, _elem_strides(arr), shape) is not None:
        return _View.apply(input, shape)
    return _ReshapeCopy.apply(input, shape)


def view_as(self, other):
    return view(self, other.shape)


def reshape_as(self, other):
    return reshape(self, other.shape)


def ravel(input):
    """The elements as a 1-D tensor (a view when input is contiguous)."""
    return view(contiguous(input), (-1,))


def flatten(input, start_dim=0, end_dim=-1):
    """Merge dims start_dim..end_dim into one."""
    if getattr(input, 'is_quantized', False):   # QTensor's method keeps the quantization params
        return input.flatten(start_dim, end_dim)
    n = input._data.ndim
    if n == 0:
        return reshape(input, (1,))
    s, e = _wrap_dim(start_dim, n), _wrap_dim(end_dim, n)
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:
        return input
    shape = input._data.shape
    m = 1
    for d in shape[s:e + 1]:
        m *= d
    return reshape(input, shape[:s] + (m,) + shape[e + 1:])


def unflatten(input, dim, sizes):
    """Split dim `dim` into `sizes` (one entry may be -1)."""
    shape = input._data.shape
    d = _wrap_dim(dim, len(shape))
    sizes = tuple(int(s) for s in sizes)
    if not sizes:
        raise RuntimeError("unflatten: sizes must be non-empty")
    if sizes.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = 1
    for s in sizes:
        if s != -1:
            known *= s
    if -1 in sizes:
        if known == 0 or shape[d] % known:
            raise RuntimeError(f"unflatten: Provided sizes [{', '.join(map(str, sizes))}] don't multiply "
                               f"up to the size of dim {dim} ({shape[d]}) in the input tensor")
        sizes = tuple(shape[d] // known if s == -1 else s for s in sizes)
    elif known != shape[d]:
        raise RuntimeError(f"unflatten: Provided sizes [{', '.join(map(str, sizes))}] don't multiply up "
                           f"to the size of dim {dim} ({shape[d]}) in the input tensor")
    return reshape(input, shape[:d] + sizes + shape[d + 1:])


# ---------------------------------------------------------------------------- expand / broadcast

class _Expand(Function, node_name='ExpandBackward0'):
    @staticmethod
    def forward(ctx, a, shape):
        return a._view(_xp(a).broadcast_to(a._data, shape), _expand_op, (shape,))

    @staticmethod
    def backward(ctx, g):
        return g, None   # the engine sums the broadcast gradient back to the input's shape


def _expand_op(t, shape):
    return _Expand.apply(t, shape)


def _type_label(t):
    from .._printing import type_name
    try:
        return type_name(t)
    except Exception:
        return 'torch.Tensor'


def expand(self, *sizes):
    """Broadcast to `sizes` without copying (-1 keeps a dim)."""
    sizes = _sizes(sizes)
    shape = self._data.shape
    if len(sizes) < len(shape):
        raise RuntimeError(f"expand({_type_label(self)}{{[{', '.join(map(str, shape))}]}}, size=[{', '.join(map(str, sizes))}]): "
                           f"the number of sizes provided ({len(sizes)}) must be greater or equal to the number "
                           f"of dimensions in the tensor ({len(shape)})")
    lead = len(sizes) - len(shape)
    out = [0] * len(sizes)
    for i in range(len(sizes) - 1, -1, -1):   # torch checks from the last dim
        s = sizes[i]
        if i < lead:
            if s < 0:
                raise RuntimeError(f"The expanded size of the tensor ({s}) isn't allowed in a leading, non-existing dimension {i}")
            out[i] = s
            continue
        cur = shape[i - lead]
        if s == -1:
            s = cur
        if cur != s and cur != 1:
            raise RuntimeError(f"The expanded size of the tensor ({s}) must match the existing size ({cur}) at "
                               f"non-singleton dimension {i}.  Target sizes: [{', '.join(map(str, sizes))}].  "
                               f"Tensor sizes: [{', '.join(map(str, shape))}]")
        out[i] = s
    return _Expand.apply(self, tuple(out))


def expand_as(self, other):
    return expand(self, other.shape)


def broadcast_to(input, *size):
    """input expanded to `size` (a view)."""
    return expand(input, _sizes(size))


def broadcast_shapes(*shapes):
    """The shape that tensors of the given shapes broadcast to."""
    shapes = [(int(s),) if not isinstance(s, (tuple, list)) else tuple(int(v) for v in s) for s in shapes]
    n = max((len(s) for s in shapes), default=0)
    out = [1] * n
    for i, s in enumerate(shapes):
        for j, v in enumerate(s):
            k = n - len(s) + j
            if v < 0:
                raise RuntimeError(f"Trying to create tensor with negative dimension {v}: {list(s)}")
            if v != 1 and out[k] != v:
                if out[k] != 1:
                    raise RuntimeError(f"Attempting to broadcast a dimension of length {v} at {j - len(s)}! "
                                       f"Mismatching argument at index {i} had {tuple(s)}; but expected "
                                       f"shape should be broadcastable to {out}")
                out[k] = v
    return Size(out)


def broadcast_tensors(*tensors):
    """Views of the tensors expanded to their common broadcast shape."""
    if len(tensors) == 1 and isinstance(tensors[0], (tuple, list)):
        tensors = tuple(tensors[0])
    shapes = [t._data.shape for t in tensors]
    n = max((len(s) for s in shapes), default=0)
    out = [1] * n
    for i, s in enumerate(shapes):
        for j, v in enumerate(s):
            k = n - len(s) + j
            if v != 1 and out[k] != v:
                if out[k] != 1:
                    prev = next(p for p in shapes[:i] if len(p) >= n - k and p[len(p) - n + k] == out[k])
                    raise RuntimeError(f"The size of tensor a ({prev[len(prev) - n + k]}) must match the size "
                                       f"of tensor b ({v}) at non-singleton dimension {k}")
                out[k] = v
    out = tuple(out)
    return tuple(expand(t, out) for t in tensors)


# ---------------------------------------------------------------------------- dim reordering

class _Transpose(Function, node_name='TransposeBackward0'):
    @staticmethod
    def forward(ctx, a, d0, d1):
        ctx.dims = (d0, d1)
        return a._view(a._data.swapaxes(d0, d1), transpose, (d0, d1))

    @staticmethod
    def backward(ctx, g):
        return g.transpose(*ctx.dims), None, None


def transpose(input, dim0, dim1):
    """Swap two dims (a view)."""
    n = input._data.ndim
    return _Transpose.apply(input, _wrap_dim(dim0, n), _wrap_dim(dim1, n))


swapaxes = swapdims = transpose


class _T(_Transpose, node_name='TBackward0'):
    pass


def t(input):
    """Transpose of a <= 2-D tensor."""
    n = input._data.ndim
    if n > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {n}D")
    if n < 2:
        return _T.apply(input, 0, 0)
    return _T.apply(input, 0, 1)


class _Permute(Function, node_name='PermuteBackward0'):
    @staticmethod
    def forward(ctx, a, dims):
        ctx.dims = dims
        return a._view(a._data.transpose(dims), _permute_op, (dims,))

    @staticmethod
    def backward(ctx, g):
        inv = [0] * len(ctx.dims)
        for i, d in enumerate(ctx.dims):
            inv[d] = i
        return g.permute(inv), None


def _permute_op(t, dims):
    return _Permute.apply(t, dims)


def permute(input, *dims):
    """Reorder dims (a view)."""
    dims = _sizes(dims)
    n = input._data.ndim
    if len(dims) != n:
        raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does not "
                           f"match the length of the desired ordering of dimensions i.e. input.dim() = "
                           f"{n} is not equal to len(dims) = {len(dims)}")
    dims = tuple(_wrap_dim(d, n) for d in dims)
    if len(set(dims)) != n:
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return _Permute.apply(input, dims)


def movedim(input, source, destination):
    """Move dims `source` to positions `destination` (a permute view)."""
    n = input._data.ndim
    src = (source,) if isinstance(source, int) else tuple(source)
    dst = (destination,) if isinstance(destination, int) else tuple(destination)
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({list(src)} dims) should "
                           f"contain the same number of dims as destination ({list(dst)} dims)")
    ws = [_wrap_dim(d, n) for d in src]
    wd = [_wrap_dim(d, n) for d in dst]
    if len(set(ws)) != len(ws):
        raise RuntimeError(f"movedim: repeated dim in `source` ({list(src)})")
    if len(set(wd)) != len(wd):
        raise RuntimeError(f"movedim: repeated dim in `destination` ({list(dst)})")
    order = [None] * n
    for s, d in zip(ws, wd):
        order[d] = s
    rest = iter(d for d in range(n) if d not in ws)
    order = tuple(o if o is not None else next(rest) for o in order)
    return _Permute.apply(input, order)


moveaxis = movedim


# ---------------------------------------------------------------------------- squeeze / unsqueeze

class _Unsqueeze(Function, node_name='UnsqueezeBackward0'):
    @staticmethod
    def forward(ctx, a, dim):
        ctx.dim = dim
        arr = a._data
        shape = arr.shape[:dim] + (1,) + arr.shape[dim:]
        st = _elem_strides(arr)
        if arr.flags.c_contiguous and arr.size and st == _contig_strides(arr.shape):
            return a._view(arr.reshape(shape), unsqueeze, (dim,))   # C strides = torch's here
        new = st[dim] * arr.shape[dim] if dim < arr.ndim else 1
        return a._view(_strided(_xp(a), arr, shape, st[:dim] + (new,) + st[dim:]), unsqueeze, (dim,))

    @staticmethod
    def backward(ctx, g):
        return g.squeeze(ctx.dim), None


def unsqueeze(input, dim):
    """Insert a size-1 dim at `dim` (a view)."""
    return _Unsqueeze.apply(input, _wrap_dim(dim, input._data.ndim + 1))


class _Squeeze(Function, node_name='SqueezeBackward1'):
    @staticmethod
    def forward(ctx, a, dims):
        ctx.in_shape = a._data.shape
        dims = tuple(d for d in dims if a._data.shape[d] == 1)
        return a._view(a._data.squeeze(dims), _squeeze_op, (dims,))

    @staticmethod
    def backward(ctx, g):
        return g.reshape(ctx.in_shape), None


class _SqueezeAll(_Squeeze, node_name='SqueezeBackward0'):
    pass


class _SqueezeDims(_Squeeze, node_name='SqueezeBackward2'):
    pass


def _squeeze_op(t, dims):
    return _Squeeze.apply(t, dims)


def squeeze(input, dim=None):
    """Remove size-1 dims (all, or those in `dim`, an int or tuple); a view."""
    n = input._data.ndim
    if dim is None:
        return _SqueezeAll.apply(input, tuple(i for i, s in enumerate(input._data.shape) if s == 1))
    if isinstance(dim, int):
        return _Squeeze.apply(input, (_wrap_dim(dim, n),) if n else ())
    dims = tuple(_wrap_dim(d, n) for d in dim)
    if len(set(dims)) != len(dims):
        d = next(d for d in dims if dims.count(d) > 1)
        raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
    return _SqueezeDims.apply(input, dims if n else ())


def _atleast(n, tensors):
    single = len(tensors) == 1 and isinstance(tensors[0], Tensor)
    if len(tensors) == 1 and isinstance(tensors[0], (tuple, list)):
        tensors = tuple(tensors[0])
    out = []
    for t in tensors:
        d = t._data.ndim
        if d >= n:
            out.append(t)
        elif d == 0:
            out.append(reshape(t, (1,) * n))
        elif n == 2 or d == 2:
            out.append(unsqueeze(t, 0) if n == 2 else unsqueeze(t, -1))
        else:   # 1-D to 3-D: (N,) -> (1, N, 1)
            out.append(unsqueeze(unsqueeze(t, 0), -1))
    return out[0] if single else tuple(out)


def atleast_1d(*tensors):
    """Tensors with at least 1 dim (0-d become (1,)); one tensor in, one out."""
    return _atleast(1, tensors)


def atleast_2d(*tensors):
    """Tensors with at least 2 dims: 0-d -> (1, 1), (N,) -> (1, N)."""
    return _atleast(2, tensors)


def atleast_3d(*tensors):
    """Tensors with at least 3 dims: (N,) -> (1, N, 1), (M, N) -> (M, N, 1)."""
    return _atleast(3, tensors)


# ---------------------------------------------------------------------------- select / slice

class _Select(Function, node_name='SelectBackward0'):
    @staticmethod
    def forward(ctx, a, dim, index):
        ctx.in_shape, ctx.dim, ctx.index = a._data.shape, dim, index
        arr = a._data
        return a._view(arr[(slice(None),) * dim + (index, Ellipsis)], _select_op, (dim, index))

    @staticmethod
    def backward(ctx, g):
        return _SelectScatter.apply(g, ctx.in_shape, _select_op, (ctx.dim, ctx.index)), None, None


def _select_op(t, dim, index):
    return _Select.apply(t, dim, index)


def select(input, dim, index):
    """The slice at `index` along `dim`, with that dim removed (a view)."""
    shape = input._data.shape
    if not shape:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    d = _wrap_dim(dim, len(shape))
    index = int(index)
    if not -shape[d] <= index < shape[d]:
        raise IndexError(f"select(): index {index} out of range for tensor of size "
                         f"[{', '.join(map(str, shape))}] at dimension {dim}")
    return _Select.apply(input, d, index % shape[d] if index < 0 else index)


class _Slice(Function, node_name='SliceBackward0'):
    @staticmethod
    def forward(ctx, a, dim, start, end, step):
        ctx.in_shape, ctx.geom = a._data.shape, (dim, start, end, step)
        return a._view(_narrow_array(_xp(a), a._data, dim, start, end, step), _slice_op, ctx.geom)

    @staticmethod
    def backward(ctx, g):
        return _SliceScatter.apply(g, ctx.in_shape, _slice_op, ctx.geom), None, None, None, None


def _slice_op(t, dim, start, end, step=1):
    """Elements start:end:step along dim (all already normalized to 0 <= start <= end <= size)."""
    return _Slice.apply(t, dim, start, end, step)


def narrow(input, dim, start, length):
    """Elements start .. start+length-1 along dim (a view)."""
    shape = input._data.shape
    if not shape:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    d = _wrap_dim(dim, len(shape))
    start, length = int(start), int(length)
    size = shape[d]
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    if not -size <= start <= size:
        raise IndexError(f"start out of range (expected to be in range of [{-size}, {size}], but got {start})")
    if start < 0:
        start += size
    if start + length > size:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({size}).")
    return _Slice.apply(input, d, start, start + length, 1)


class _Unbind(Function, node_name='UnbindBackward0'):
    @staticmethod
    def forward(ctx, a, dim):
        ctx.dim = dim
        arr = a._data
        pre = (slice(None),) * dim
        return tuple(a._view(arr[pre + (i, Ellipsis)], _select_op, (dim, i)) for i in range(arr.shape[dim]))

    @staticmethod
    def backward(ctx, *grads):
        from .join import stack
        return stack(grads, ctx.dim), None


def unbind(input, dim=0):
    """Tuple of all slices along dim (each a view, dim removed)."""
    shape = input._data.shape
    if not shape:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    d = _wrap_dim(dim, len(shape))
    if shape[d] == 0:
        return ()
    out = _Unbind.apply(input, d)
    return out if isinstance(out, tuple) else (out,)


# ---------------------------------------------------------------------------- copies

class _Clone(Function, node_name='CloneBackward0'):
    @staticmethod
    def forward(ctx, a, perm=None):
        if perm is None:
            return a._data.copy()
        # channels_last(_3d): copy in that dim order, then view back as NC...
        inv = [perm.index(d) for d in range(len(perm))]
        return a._data.transpose(perm).copy().transpose(inv)

    @staticmethod
    def backward(ctx, g):
        return g, None


def clone(input, *, memory_format=None):
    """A copy with its own memory (differentiable), laid out as memory_format asks."""
    from .._constants import _layout_perm
    return _Clone.apply(input, _layout_perm(memory_format, input._data.ndim))


def contiguous(self, memory_format=None):
    """self if already contiguous in memory_format (default C order), else a copy so."""
    from .._constants import _layout_perm
    perm = _layout_perm(memory_format, self._data.ndim)
    if self.is_contiguous(memory_format=memory_format if perm else None):
        return self
    return _Clone.apply(self, perm)


register_methods({
    'view': view, 'reshape': reshape, 'view_as': view_as, 'reshape_as': reshape_as,
    'expand': expand, 'expand_as': expand_as, 'broadcast_to': broadcast_to,
    'transpose': transpose, 'swapaxes': transpose, 'swapdims': transpose, 't': t,
    'permute': permute, 'movedim': movedim, 'moveaxis': movedim, 'unsqueeze': unsqueeze,
    'squeeze': squeeze, 'flatten': flatten, 'unflatten': unflatten, 'ravel': ravel,
    'clone': clone, 'contiguous': contiguous, 'narrow': narrow, 'select': select,
    'unbind': unbind,
    'T': property(lambda self: permute(self, tuple(range(self._data.ndim - 1, -1, -1)))),
    'mT': property(lambda self: transpose(self, -2, -1)),
})
