"""Shape and view ops. View ops return tensors on the same memory (`Tensor._view`), which
records how to replay the view so in-place writes through it reach the base's history."""
from .._tensor import Tensor, register_methods, _wrap_dim
from ..autograd.function import Function

__all__ = ['reshape', 'transpose', 'swapaxes', 'swapdims', 'permute', 'unsqueeze', 'squeeze',
           't', 'flatten', 'clone']


def _sizes(args):
    """Accept f(2, 3) and f((2, 3)) / f([2, 3]) / f(Size)."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = args[0]
    return tuple(int(s) for s in args)


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
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '[{', '.join(map(str, shape))}]' is invalid for input of size {numel}")
        shape = tuple(numel // known if s == -1 else s for s in shape)
    elif known != numel:
        raise RuntimeError(f"shape '[{', '.join(map(str, shape))}]' is invalid for input of size {numel}")
    return shape


class _View(Function, node_name='ViewBackward0'):
    @staticmethod
    def forward(ctx, a, shape):
        ctx.in_shape = a._data.shape
        xp = a._storage.device.xp
        try:
            arr = xp.reshape(a._data, shape, copy=False)
        except ValueError:
            raise RuntimeError("view size is not compatible with input tensor's size and stride (at "
                               "least one dimension spans across two contiguous subspaces). Use "
                               ".reshape(...) instead.") from None
        return a._view(arr, _view_op, (shape,))

    @staticmethod
    def backward(ctx, g):
        return g.reshape(ctx.in_shape), None


class _ReshapeCopy(Function, node_name='UnsafeViewBackward0'):
    @staticmethod
    def forward(ctx, a, shape):
        ctx.in_shape = a._data.shape
        return a._data.reshape(shape).copy() if a._data.size else a._data.reshape(shape)

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
    xp = input._storage.device.xp
    try:
        xp.reshape(input._data, shape, copy=False)
    except ValueError:
        return _ReshapeCopy.apply(input, shape)
    return _View.apply(input, shape)


def view_as(self, other):
    return view(self, other.shape)


def reshape_as(self, other):
    return reshape(self, other.shape)


class _Expand(Function, node_name='ExpandBackward0'):
    @staticmethod
    def forward(ctx, a, shape):
        xp = a._storage.device.xp
        return a._view(xp.broadcast_to(a._data, shape), _expand_op, (shape,))

    @staticmethod
    def backward(ctx, g):
        return g, None   # the engine sums the broadcast gradient back to the input's shape


def _expand_op(t, shape):
    return _Expand.apply(t, shape)


def expand(self, *sizes):
    """Broadcast to `sizes` without copying (-1 keeps a dim)."""
    sizes = _sizes(sizes)
    shape = self._data.shape
    if len(sizes) < len(shape):
        raise RuntimeError(f"expand(torch.FloatTensor{{[{', '.join(map(str, shape))}]}}, size=[{', '.join(map(str, sizes))}]): "
                           f"the number of sizes provided ({len(sizes)}) must be greater or equal to the number "
                           f"of dimensions in the tensor ({len(shape)})")
    lead = len(sizes) - len(shape)
    out = []
    for i, s in enumerate(sizes):
        if i < lead:
            if s < 0:
                raise RuntimeError(f"The expanded size of the tensor ({s}) isn't allowed in a leading, non-existing dimension {i}")
            out.append(s)
            continue
        cur = shape[i - lead]
        if s == -1:
            s = cur
        if cur != s and cur != 1:
            raise RuntimeError(f"The expanded size of the tensor ({s}) must match the existing size ({cur}) at "
                               f"non-singleton dimension {i}.  Target sizes: [{', '.join(map(str, sizes))}].  "
                               f"Tensor sizes: [{', '.join(map(str, shape))}]")
        out.append(s)
    out = tuple(out)
    if out == shape:
        return _Expand.apply(self, out)
    return _Expand.apply(self, out)


def expand_as(self, other):
    return expand(self, other.shape)


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


class _Unsqueeze(Function, node_name='UnsqueezeBackward0'):
    @staticmethod
    def forward(ctx, a, dim):
        ctx.dim = dim
        xp = a._storage.device.xp
        return a._view(xp.expand_dims(a._data, dim), unsqueeze, (dim,))

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


def _squeeze_op(t, dims):
    return _Squeeze.apply(t, dims)


def squeeze(input, dim=None):
    """Remove size-1 dims (all, or those in `dim`); a view."""
    n = input._data.ndim
    if dim is None:
        return _SqueezeAll.apply(input, tuple(i for i, s in enumerate(input._data.shape) if s == 1))
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    return _Squeeze.apply(input, tuple(_wrap_dim(d, n) for d in dims) if n else ())


def flatten(input, start_dim=0, end_dim=-1):
    """Merge dims start_dim..end_dim into one."""
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


class _Clone(Function, node_name='CloneBackward0'):
    @staticmethod
    def forward(ctx, a):
        return a._data.copy()

    @staticmethod
    def backward(ctx, g):
        return g


def clone(input, *, memory_format=None):
    """A copy with its own memory (differentiable)."""
    return _Clone.apply(input)


def contiguous(self, memory_format=None):
    """self if already C-contiguous, else a contiguous copy."""
    if self._data.flags.c_contiguous:
        return self
    return _Clone.apply(self)


register_methods({
    'view': view, 'reshape': reshape, 'view_as': view_as, 'reshape_as': reshape_as,
    'expand': expand, 'expand_as': expand_as, 'transpose': transpose, 'swapaxes': transpose,
    'swapdims': transpose, 't': t, 'permute': permute, 'unsqueeze': unsqueeze,
    'squeeze': squeeze, 'flatten': flatten, 'clone': clone, 'contiguous': contiguous,
    'T': property(lambda self: permute(self, tuple(range(self._data.ndim - 1, -1, -1)))),
    'mT': property(lambda self: transpose(self, -2, -1)),
})
