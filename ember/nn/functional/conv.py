"""Convolutions (torch.nn.functional): conv1d/2d/3d, conv_transpose1d/2d/3d, unfold and fold.

All dimensionalities share three array kernels written for N spatial dims:
- `_conv_fwd`: im2col (a strided window view of the padded input, copied once into columns)
  followed by one batched matmul over the groups;
- `_convT_fwd`: one batched matmul into columns, then col2im (a loop over the kernel offsets
  adding strided slices; never over pixels or batch items);
- `_conv_wgrad`: the weight gradient, im2col again and one matmul contracting batch and pixels.

Single-group float convolutions with 8+ channels skip im2col: each kernel computes the same
result as shifted GEMMs over the padded grid (`_conv_shift.py`), which is faster and needs
no column buffer; the kernels here fall back to im2col/col2im for everything else.

Three Functions wrap them (`_Conv`, `_ConvT`, `_ConvWgrad`). Each one's backward is written
with the other two, so gradients of any order are available (create_graph=True). Padding is
kept as (lo, hi) per dimension internally, so padding='same' may be asymmetric as in torch.
"""
import itertools

from ..._tensor import Tensor
from ...autograd.function import Function
from ..._ops.linalg import _mm_arrays
from . import _conv_shift
from ... import _dtype as _D

_bool, _long = _D.bool, _D.int64

__all__ = ['conv1d', 'conv2d', 'conv3d', 'conv_transpose1d', 'conv_transpose2d',
           'conv_transpose3d', 'unfold', 'fold']


# ----------------------------------------------------------------------------- array kernels
def _prod(seq):
    p = 1
    for s in seq:
        p *= s
    return p


def _pad_input(xp, a, lo, hi):
    """Zero-pad the spatial dims of a (N, C, *S) array by lo/hi (hi may be negative: crop)."""
    if any(h < 0 for h in hi):
        a = a[(slice(None), slice(None)) + tuple(slice(0, s + min(h, 0)) for s, h in zip(a.shape[2:], hi))]
        hi = tuple(max(h, 0) for h in hi)
    if not any(lo) and not any(hi):
        return a
    shape = a.shape[:2] + tuple(s + l + h for s, l, h in zip(a.shape[2:], lo, hi))
    out = xp.zeros(shape, a.dtype)
    out[(slice(None), slice(None)) + tuple(slice(l, l + s) for l, s in zip(lo, a.shape[2:]))] = a
    return out


def _windows(xp, a, ksize, out, stride, dilation):
    """Strided view (N, C, *K, *out) of the padded input: element [n, c, k.., o..] is
    a[n, c, o*stride + k*dilation]."""
    st = a.strides
    nd = len(ksize)
    strides = st[:2] + tuple(st[2 + i] * dilation[i] for i in range(nd)) + \
        tuple(st[2 + i] * stride[i] for i in range(nd))
    return xp.lib.stride_tricks.as_strided(a, a.shape[:2] + tuple(ksize) + tuple(out), strides)


def _im2col(xp, a, ksize, out, stride, dilation, groups):
    """Columns (N, groups, C/groups * prod(K), prod(out)) of the padded input a (unfold)."""
    N, C = a.shape[:2]
    win = _windows(xp, a, ksize, out, stride, dilation)
    return win.reshape(N, groups, (C // groups) * _prod(ksize), _prod(out))


def _im2col_t(xp, a, ksize, out, stride, dilation, groups):
    """Columns (groups, C/groups * prod(K), N * prod(out)) of the padded input a: batch and
    pixels side by side, so one GEMM per group covers the whole batch."""
    N, C = a.shape[:2]
    nd = len(ksize)
    win = _windows(xp, a, ksize, out, stride, dilation)              # (N, C, *K, *out)
    perm = (1,) + tuple(range(2, 2 + nd)) + (0,) + tuple(range(2 + nd, 2 + 2 * nd))
    return win.transpose(perm).reshape(groups, (C // groups) * _prod(ksize), N * _prod(out))


def _col2im(xp, cols, C, L, K, stride, dilation, lo, S, batch_first=True):
    """Scatter-add columns back into an (N, C, *S) image whose padded frame starts at -lo (the
    adjoint of _im2col). cols holds (N, C, *K, *L) values, or (C, *K, N, *L) when not
    batch_first; the loop runs over kernel offsets only."""
    nd = len(K)
    N = cols.shape[0] if batch_first else cols.size // (C * _prod(K) * _prod(L))
    full = tuple(max((L[i] - 1) * stride[i] + dilation[i] * (K[i] - 1) + 1, lo[i] + S[i])
                 for i in range(nd))
    out = xp.zeros((N, C) + full, cols.dtype)
    head = (slice(None), slice(None))
    if batch_first:
        cols = cols.reshape((N, C) + tuple(K) + tuple(L))
        dst = out
    else:
        cols = cols.reshape((C,) + tuple(K) + (N,) + tuple(L))
        dst = out.swapaxes(0, 1)
    for koff in itertools.product(*[range(k) for k in K]):
        idx = head + tuple(slice(koff[i] * dilation[i],
                                 koff[i] * dilation[i] + (L[i] - 1) * stride[i] + 1, stride[i])
                           for i in range(nd))
        dst[idx] += cols[head + koff] if batch_first else cols[(slice(None),) + koff]
    if any(lo) or full != tuple(S):
        out = xp.ascontiguousarray(out[head + tuple(slice(l, l + s) for l, s in zip(lo, S))])
    return out


def _conv_out_size(padded, K, stride, dilation):
    return tuple((p - d * (k - 1) - 1) // s + 1 for p, k, s, d in zip(padded, K, stride, dilation))


def _bn_to_nb(y, N, groups, Cg, L):
    """(g, Cg, N*L) GEMM result -> contiguous (N, g*Cg, L)."""
    return y.reshape(groups, Cg, N, L).transpose(2, 0, 1, 3).reshape(N, groups * Cg, L)


def _shift_ok(x, other, wshape, L, stride, lo, hi, dilation, groups):
    """Whether _conv_shift serves this convolution (weight shape wshape, output size L);
    `other` is the second array operand (weight or output gradient)."""
    return (min(lo + hi) >= 0 and _conv_shift.usable(x, other, groups, min(wshape[:2]))
            and _conv_shift.worthwhile(L, wshape[2:], stride, dilation))


def _conv_fwd(xp, x, w, b, stride, lo, hi, dilation, groups):
    L = _conv_out_size([s + l + h for s, l, h in zip(x.shape[2:], lo, hi)], w.shape[2:], stride, dilation)
    if _shift_ok(x, w, w.shape, L, stride, lo, hi, dilation, groups):
        return _conv_shift.forward(x, w, b, stride, lo, hi, dilation)
    N = x.shape[0]
    O = w.shape[0]
    K = w.shape[2:]
    a = _pad_input(xp, x, lo, hi)
    out = _conv_out_size(a.shape[2:], K, stride, dilation)
    cols = _im2col_t(xp, a, K, out, stride, dilation, groups)          # (g, CgK, N*L)
    y = _mm_arrays(w.reshape(groups, O // groups, -1), cols)          # (g, Og, N*L)
    y = _bn_to_nb(y, N, groups, O // groups, _prod(out)).reshape((N, O) + out)
    if b is not None:
        y += b.reshape((O,) + (1,) * len(K))
    return y


def _nb_to_bn(xp, x, groups):
    """(N, g*Cg, *L) -> (g, Cg, N*L) (one copy)."""
    N, C = x.shape[:2]
    L = _prod(x.shape[2:])
    return x.reshape(N, groups, C // groups, L).transpose(1, 2, 0, 3).reshape(groups, C // groups, N * L)


def _convT_fwd(xp, x, w, b, stride, lo, dilation, groups, S):
    if _shift_ok(x, w, w.shape, x.shape[2:], stride, lo, (), dilation, groups):
        y = _conv_shift.input_grad(x, w, stride, lo, dilation, S)
        if y is not None:
            if b is not None:
                y += b.reshape((-1,) + (1,) * len(S))
            return y
    N, Cin = x.shape[:2]
    L = x.shape[2:]
    K = w.shape[2:]
    Cout = w.shape[1] * groups
    wm = w.reshape(groups, Cin // groups, -1).swapaxes(1, 2)          # (g, CoK, Cig)
    cols = _mm_arrays(wm, _nb_to_bn(xp, x, groups))                    # (g, CoK, N*L)
    y = _col2im(xp, cols, Cout, L, K, stride, dilation, lo, S, batch_first=False)
    if b is not None:
        y += b.reshape((Cout,) + (1,) * len(K))
    return y


def _conv_wgrad(xp, x, gy, wshape, stride, lo, hi, dilation, groups):
    """d(sum gy * conv(x, w))/dw: one GEMM per group contracting batch and pixels together."""
    K = tuple(wshape[2:])
    if _shift_ok(x, gy, wshape, gy.shape[2:], stride, lo, hi, dilation, groups):
        return _conv_shift.weight_grad(x, gy, K, stride, lo, hi, dilation)
    L = gy.shape[2:]
    a = _pad_input(xp, x, lo, hi)
    cols = _im2col_t(xp, a, K, L, stride, dilation, groups)           # (g, CgK, N*L)
    gw = _mm_arrays(_nb_to_bn(xp, gy, groups), cols.swapaxes(1, 2))   # (g, Og, CgK)
    return gw.reshape(wshape)


# ----------------------------------------------------------------------------- Functions
class _Conv(Function, node_name='ConvolutionBackward0'):
    """y = conv(x, w) + b with explicit (lo, hi) padding."""

    @staticmethod
    def forward(ctx, x, w, b, stride, lo, hi, dilation, groups):
        ctx.save_for_backward(x, w)
        ctx.p = (stride, lo, hi, dilation, groups)
        xp = x._storage.device.xp
        return _conv_fwd(xp, x._data, w._data, None if b is None else b._data,
                         stride, lo, hi, dilation, groups)

    @staticmethod
    def backward(ctx, gy):
        x, w = ctx.saved_tensors
        stride, lo, hi, dilation, groups = ctx.p
        need = ctx.needs_input_grad
        gx = gw = gb = None
        if need[0]:
            gx = _ConvT.apply(gy, w, None, stride, lo, dilation, groups, tuple(x.shape[2:]))
        if need[1]:
            gw = _ConvWgrad.apply(x, gy, tuple(w.shape), stride, lo, hi, dilation, groups)
        if len(need) > 2 and need[2]:
            gb = gy.sum([0] + list(range(2, gy.dim())))
        return gx, gw, gb, None, None, None, None, None


class _ConvT(Function, node_name='ConvolutionBackward0'):
    """y = conv_transpose(x, w) + b: the adjoint of _Conv, cropped at lo to spatial size S."""

    @staticmethod
    def forward(ctx, x, w, b, stride, lo, dilation, groups, S):
        ctx.save_for_backward(x, w)
        K = w.shape[2:]
        L = x.shape[2:]
        full = [(l - 1) * s + d * (k - 1) + 1 for l, s, d, k in zip(L, stride, dilation, K)]
        hi = tuple(f - p - s for f, p, s in zip(full, lo, S))   # padding of the adjoint conv
        ctx.p = (stride, lo, hi, dilation, groups)
        xp = x._storage.device.xp
        return _convT_fwd(xp, x._data, w._data, None if b is None else b._data,
                          stride, lo, dilation, groups, S)

    @staticmethod
    def backward(ctx, gy):
        x, w = ctx.saved_tensors
        stride, lo, hi, dilation, groups = ctx.p
        need = ctx.needs_input_grad
        gx = gw = gb = None
        if need[0]:
            gx = _Conv.apply(gy, w, None, stride, lo, hi, dilation, groups)
        if need[1]:
            gw = _ConvWgrad.apply(gy, x, tuple(w.shape), stride, lo, hi, dilation, groups)
        if len(need) > 2 and need[2]:
            gb = gy.sum([0] + list(range(2, gy.dim())))
        return gx, gw, gb, None, None, None, None, None


class _ConvWgrad(Function, node_name='ConvolutionBackwardBackward0'):
    """gw = d<gy, conv(x, w)>/dw (bilinear in x and gy)."""

    @staticmethod
    def forward(ctx, x, gy, wshape, stride, lo, hi, dilation, groups):
        ctx.save_for_backward(x, gy)
        ctx.p = (stride, lo, hi, dilation, groups)
        xp = x._storage.device.xp
        gyd = gy._data
        if gyd.dtype != x._data.dtype:
            gyd = gyd.astype(x._data.dtype)
        return _conv_wgrad(xp, x._data, gyd, wshape, stride, lo, hi, dilation, groups)

    @staticmethod
    def backward(ctx, ggw):
        x, gy = ctx.saved_tensors
        stride, lo, hi, dilation, groups = ctx.p
        need = ctx.needs_input_grad
        gx = ggy = None
        if need[0]:
            gx = _ConvT.apply(gy, ggw, None, stride, lo, dilation, groups, tuple(x.shape[2:]))
        if need[1]:
            ggy = _Conv.apply(x, ggw, None, stride, lo, hi, dilation, groups)
        return gx, ggy, None, None, None, None, None, None


# ----------------------------------------------------------------------------- argument checks
_TYPE_NAMES = {'float32': 'Float', 'float64': 'Double', 'float16': 'Half', 'bfloat16': 'BFloat16',
               'int64': 'Long', 'int32': 'Int', 'int16': 'Short', 'int8': 'Char', 'uint8': 'Byte',
               'bool': 'Bool', 'complex64': 'ComplexFloat', 'complex128': 'ComplexDouble'}


def _tname(t):
    return _TYPE_NAMES.get(str(t.dtype).split('.')[-1], str(t.dtype))


def _expand(v, n, what):
    """int or sequence -> n-tuple, with torch's message for a wrong length."""
    if isinstance(v, int):
        return (v,) * n
    v = tuple(int(i) for i in v)
    if len(v) == 1:
        return v * n
    if len(v) != n:
        raise RuntimeError(f"expected {what} to be a single integer value or a list of {n} values to "
                           f"match the convolution dimensions, but got {what}={list(v)}")
    return v


def _size_str(s):
    return '(' + ' x '.join(str(i) for i in s) + ')'


def _check_common(input, weight, bias, nd, name, stride, dilation, groups):
    if not isinstance(input, Tensor) or not isinstance(weight, Tensor):
        raise TypeError(f"{name}() expected Tensor arguments for input and weight, got "
                        f"{type(input).__name__} and {type(weight).__name__}")
    if input.dim() not in (nd + 1, nd + 2):
        raise RuntimeError(f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to {name}, "
                           f"but got input of size: {list(input.shape)}")
    stride = _expand(stride, nd, 'stride')
    dilation = _expand(dilation, nd, 'dilation')
    if weight.dim() != nd + 2:
        raise RuntimeError(f"expected stride to be a single integer value or a list of "
                           f"{weight.dim() - 2} values to match the convolution dimensions, "
                           f"but got stride={list(stride)}")
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(d <= 0 for d in dilation):
        raise RuntimeError("non-positive dilation is not supported")
    if not isinstance(groups, int) or groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    if input.dtype != weight.dtype or (bias is not None and bias.dtype != weight.dtype):
        other = weight if input.dtype != weight.dtype else bias
        raise RuntimeError(f"Input type (torch.{_tname(input)}Tensor) and weight type "
                           f"(torch.{_tname(other)}Tensor) should be the same or input should be a "
                           f"MKLDNN tensor and weight is a dense tensor")
    kind = input._data.dtype.kind
    transposed = name.startswith('conv_transpose')
    if kind not in 'fViu' or input.dtype is _bool or (transposed and kind in 'iu' and input.dtype is not _long):
        op = f"slow_conv_transpose{nd}d_out_cpu" if transposed else f"slow_conv{nd}d_cpu"
        raise NotImplementedError(f"\"{op}\" not implemented for '{_tname(input)}'")
    if input.device != weight.device:
        raise RuntimeError(f"Expected all tensors to be on the same device, but found at least two "
                           f"devices, {weight.device} and {input.device}!")
    return stride, dilation


def _unbatched(input, nd):
    return input.dim() == nd + 1


def _convnd(input, weight, bias, stride, padding, dilation, groups, nd):
    name = f'conv{nd}d'
    stride, dilation = _check_common(input, weight, bias, nd, name, stride, dilation, groups)
    K = tuple(weight.shape[2:])
    if isinstance(padding, str):
        if padding == 'valid':
            lo = hi = (0,) * nd
        elif padding == 'same':
            if any(s != 1 for s in stride):
                raise RuntimeError("padding='same' is not supported for strided convolutions")
            total = [d * (k - 1) for d, k in zip(dilation, K)]
            lo = tuple(t // 2 for t in total)
            hi = tuple(t - t // 2 for t in total)
        else:
            raise RuntimeError(f"Invalid padding string: '{padding}'")
    else:
        lo = hi = _expand(padding, nd, 'padding')
        if any(p < 0 for p in lo):
            raise RuntimeError("negative padding is not supported")
    unbatched = _unbatched(input, nd)
    if unbatched:
        input = input.unsqueeze(0)
    O = weight.shape[0]
    if O % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} at "
                           f"dimension 0, but got weight of size [{list(weight.shape)}] instead")
    if input.shape[1] != weight.shape[1] * groups:
        raise RuntimeError(f"Given groups={groups}, weight of size {list(weight.shape)}, expected "
                           f"input{list(input.shape)} to have {weight.shape[1] * groups} channels, "
                           f"but got {input.shape[1]} channels instead")
    if bias is not None and (bias.dim() != 1 or bias.shape[0] != O):
        raise RuntimeError(f"Given weight of size {list(weight.shape)}, expected bias to be "
                           f"1-dimensional with {O} elements, but got bias of size "
                           f"{list(bias.shape)} instead")
    padded = [s + l + h for s, l, h in zip(input.shape[2:], lo, hi)]
    dk = [d * (k - 1) + 1 for d, k in zip(dilation, K)]
    if any(p < k for p, k in zip(padded, dk)):
        raise RuntimeError(f"Calculated padded input size per channel: {_size_str(padded)}. Kernel "
                           f"size: {_size_str(dk)}. Kernel size can't be greater than actual input size")
    out = _Conv.apply(input, weight, bias, stride, lo, hi, dilation, groups)
    return out.squeeze(0) if unbatched else out


def _conv_transposend(input, weight, bias, stride, padding, output_padding, groups, dilation, nd):
    name = f'conv_transpose{nd}d'
    if isinstance(padding, str):
        raise TypeError(f"{name}(): argument 'padding' must be tuple of ints, not str")
    stride, dilation = _check_common(input, weight, bias, nd, name, stride, dilation, groups)
    padding = _expand(padding, nd, 'padding')
    output_padding = _expand(output_padding, nd, 'output_padding')
    if any(p < 0 for p in padding):
        raise RuntimeError("negative padding is not supported")
    if any(op >= s and op >= d for op, s, d in zip(output_padding, stride, dilation)):
        names = {1: ['width'], 2: ['height', 'width'], 3: ['depth', 'height', 'width']}[nd]
        parts = [f"{kind}_{n}: {v}" for kind, vals in (('output_padding', output_padding),
                                                          ('stride', stride), ('dilation', dilation))
                 for n, v in zip(names, vals)]
        raise RuntimeError("output padding must be smaller than either stride or dilation, but got "
                           + ' '.join(parts))
    unbatched = _unbatched(input, nd)
    if unbatched:
        input = input.unsqueeze(0)
    Cin = weight.shape[0]
    if Cin % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} at "
                           f"dimension 0, but got weight of size [{list(weight.shape)}] instead")
    if input.shape[1] != Cin:
        raise RuntimeError(f"Given transposed=1, weight of size {list(weight.shape)}, expected "
                           f"input{list(input.shape)} to have {Cin} channels, but got "
                           f"{input.shape[1]} channels instead")
    Cout = weight.shape[1] * groups
    if bias is not None and (bias.dim() != 1 or bias.shape[0] != Cout):
        raise RuntimeError(f"Given transposed=1, weight of size {list(weight.shape)}, expected bias "
                           f"to be 1-dimensional with {Cout} elements, but got bias of size "
                           f"{list(bias.shape)} instead")
    K = tuple(weight.shape[2:])
    L = tuple(input.shape[2:])
    S = tuple((l - 1) * s - 2 * p + d * (k - 1) + op + 1
              for l, s, p, d, k, op in zip(L, stride, padding, dilation, K, output_padding))
    if any(s <= 0 for s in S):
        raise RuntimeError(f"Given input size per channel: {_size_str(L)}. Calculated output size per "
                           f"channel: {_size_str(S)}. Output size is too small")
    out = _ConvT.apply(input, weight, bias, stride, padding, dilation, groups, S)
    return out.squeeze(0) if unbatched else out


# ----------------------------------------------------------------------------- public API
def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-D convolution (cross-correlation) over (N, C, L) or unbatched (C, L) input."""
    return _convnd(input, weight, bias, stride, padding, dilation, groups, 1)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-D convolution (cross-correlation) over (N, C, H, W) or unbatched (C, H, W) input."""
    return _convnd(input, weight, bias, stride, padding, dilation, groups, 2)


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """3-D convolution (cross-correlation) over (N, C, D, H, W) or unbatched input."""
    return _convnd(input, weight, bias, stride, padding, dilation, groups, 3)


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    """1-D transposed convolution (the gradient of conv1d with respect to its input)."""
    return _conv_transposend(input, weight, bias, stride, padding, output_padding, groups, dilation, 1)


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    """2-D transposed convolution (the gradient of conv2d with respect to its input)."""
    return _conv_transposend(input, weight, bias, stride, padding, output_padding, groups, dilation, 2)


def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    """3-D transposed convolution (the gradient of conv3d with respect to its input)."""
    return _conv_transposend(input, weight, bias, stride, padding, output_padding, groups, dilation, 3)


# ----------------------------------------------------------------------------- unfold / fold
class _Unfold(Function, node_name='Im2ColBackward0'):
    """(N, C, H, W) -> (N, C*kh*kw, L) sliding blocks."""

    @staticmethod
    def forward(ctx, x, K, dilation, padding, stride, out):
        ctx.p = (tuple(x.shape[2:]), K, dilation, padding, stride)
        xp = x._storage.device.xp
        a = _pad_input(xp, x._data, padding, padding)
        N, C = a.shape[:2]
        return _im2col(xp, a, K, out, stride, dilation, 1).reshape(N, C * _prod(K), _prod(out))

    @staticmethod
    def backward(ctx, g):
        S, K, dilation, padding, stride = ctx.p
        return _Fold.apply(g, S, K, dilation, padding, stride), None, None, None, None, None


class _Fold(Function, node_name='Col2ImBackward0'):
    """(N, C*kh*kw, L) -> (N, C, H, W), summing overlapping blocks (adjoint of _Unfold)."""

    @staticmethod
    def forward(ctx, x, S, K, dilation, padding, stride):
        L = _conv_out_size([s + 2 * p for s, p in zip(S, padding)], K, stride, dilation)
        ctx.p = (S, K, dilation, padding, stride, L)
        xp = x._storage.device.xp
        C = x.shape[1] // _prod(K)
        return _col2im(xp, x._data, C, L, K, stride, dilation, padding, S)

    @staticmethod
    def backward(ctx, g):
        S, K, dilation, padding, stride, L = ctx.p
        return _Unfold.apply(g, K, dilation, padding, stride, L), None, None, None, None, None


def _fold_args(kernel_size, dilation, padding, stride):
    out = []
    for v, what in ((kernel_size, 'kernel_size'), (dilation, 'dilation'), (padding, 'padding'),
                    (stride, 'stride')):
        v = (v, v) if isinstance(v, int) else tuple(v)
        if len(v) != 2:
            raise RuntimeError(f"It is expected {what} equals to 2, but got size {len(v)}")
        out.append(v)
    return out


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """Extract sliding local blocks: (N, C, H, W) -> (N, C * prod(kernel_size), L)."""
    K, dilation, padding, stride = _fold_args(kernel_size, dilation, padding, stride)
    if input.dim() not in (3, 4):
        raise RuntimeError(f"Expected 3D or 4D (batch mode) tensor with possibly 0 batch size and "
                           f"other non-zero dimensions for input, but got: {list(input.shape)}")
    unbatched = input.dim() == 3
    if unbatched:
        input = input.unsqueeze(0)
    S = tuple(input.shape[2:])
    out = _conv_out_size([s + 2 * p for s, p in zip(S, padding)], K, stride, dilation)
    if any(o < 1 for o in out):
        raise RuntimeError(f"Given input with spatial size {S}, kernel_size={K}, dilation={dilation}, "
                           f"padding={padding}, calculated shape of the array of sliding blocks as "
                           f"{out}, but its components must be at least one.")
    y = _Unfold.apply(input, K, dilation, padding, stride, out)
    return y.squeeze(0) if unbatched else y


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """Combine sliding local blocks into a tensor: (N, C * prod(kernel_size), L) -> (N, C, *output_size)."""
    S = (output_size, output_size) if isinstance(output_size, int) else tuple(output_size)
    if len(S) != 2:
        raise RuntimeError(f"It is expected output_size equals to 2, but got size {len(S)}")
    K, dilation, padding, stride = _fold_args(kernel_size, dilation, padding, stride)
    if input.dim() not in (2, 3):
        raise RuntimeError(f"Expected 2D or 3D (batch mode) tensor with possibly 0 batch size and "
                           f"non-zero dimensions for input, but got: {list(input.shape)}")
    unbatched = input.dim() == 2
    if unbatched:
        input = input.unsqueeze(0)
    if input.shape[1] % _prod(K):
        raise RuntimeError(f"Expected size of input's dimension 1 to be divisible by the product of "
                           f"kernel_size, but got input.size(1)={input.shape[1]} and "
                           f"kernel_size={K}.")
    L = _conv_out_size([s + 2 * p for s, p in zip(S, padding)], K, stride, dilation)
    if _prod(L) != input.shape[2] or any(l < 1 for l in L):
        raise RuntimeError(f"Given output_size={S}, kernel_size={K}, dilation={dilation}, "
                           f"padding={padding}, stride={stride}, expected size of input's dimension 2 "
                           f"to match the calculated number of sliding blocks {L[0]} * {L[1]} = "
                           f"{_prod(L)}, but got input.size(2)={input.shape[2]}.")
    y = _Fold.apply(input, S, K, dilation, padding, stride)
    return y.squeeze(0) if unbatched else y

