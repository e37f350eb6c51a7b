"""pad (torch.nn.functional.pad): constant, reflect, replicate and circular padding.

constant is one Function (ConstantPadNdBackward0) whose backward is the same op with the
pads negated (negative pads crop). The other modes gather through one index array per padded
dim (xp.take); their backward scatter-adds the gradient back with index_add per dim, so it
is differentiable again. grad_fn names follow torch (ReflectionPad2DBackward0, ...).
"""
from ..._tensor import Tensor
from ...autograd.function import Function, _FunctionMeta

__all__ = ['pad']


def _pairs(pad, ndim):
    """[(dim, left, right)] from torch's last-dim-first pad list."""
    return [(ndim - 1 - i, pad[2 * i], pad[2 * i + 1]) for i in range(len(pad) // 2)]


class _ConstantPad(Function, node_name='ConstantPadNdBackward0'):
    @staticmethod
    def forward(ctx, x, pad, value):
        ctx.pad = pad
        xp = x._storage.device.xp
        a = x._data
        shape = list(a.shape)
        src, dst = [slice(None)] * a.ndim, [slice(None)] * a.ndim
        for d, lo, hi in _pairs(pad, a.ndim):
            n = shape[d]
            new = n + lo + hi
            kept = n - max(-lo, 0) - max(-hi, 0)
            if new < 0 or kept < 0:
                if new < 0:
                    raise RuntimeError(f"The input size {n}, plus negative padding {lo} and {hi} "
                                       f"resulted in a negative output size, which is invalid. "
                                       f"Check dimension {d} of your input.")
                raise RuntimeError("narrow(): length must be non-negative.")
            src[d] = slice(max(-lo, 0), max(-lo, 0) + kept)
            dst[d] = slice(max(lo, 0), max(lo, 0) + kept)
            shape[d] = new
        out = xp.full(shape, value, dtype=a.dtype)
        out[tuple(dst)] = a[tuple(src)]
        return out

    @staticmethod
    def backward(ctx, g):
        return _ConstantPad.apply(g, tuple(-p for p in ctx.pad), 0), None, None


class _IndexPad(Function):
    """out = x gathered along each padded dim through an index array (reflect/replicate/circular)."""

    @staticmethod
    def forward(ctx, x, index):
        ctx.index, ctx.in_shape = index, x._data.shape
        xp = x._storage.device.xp
        out = x._data
        for d, ix in index:
            out = xp.take(out, ix, axis=d)
        return out

    @staticmethod
    def backward(ctx, g):
        from ... import zeros
        dev = g._storage.device
        for d, ix in reversed(ctx.index):
            shape = list(g.shape)
            shape[d] = ctx.in_shape[d]
            g = zeros(shape, dtype=g.dtype, device=dev).index_add(d, Tensor._from_array(ix, dev), g)
        return g, None


_INDEX_PADS = {}
for _mode, _name in (('reflect', 'ReflectionPad'), ('replicate', 'ReplicationPad')):
    for _k in (1, 2, 3):
        _INDEX_PADS[_mode, _k] = _FunctionMeta(f'_{_name}{_k}d', (_IndexPad,), {},
                                               node_name=f'{_name}{_k}DBackward0')
for _k in (1, 2, 3):   # torch builds circular padding from slice copies
    _INDEX_PADS['circular', _k] = _FunctionMeta(f'_CircularPad{_k}d', (_IndexPad,), {},
                                                node_name='CopySlices')


def _source_index(xp, mode, n, lo, hi):
    i = xp.arange(-lo, n + hi)
    if mode == 'reflect':
        i = (n - 1) - xp.abs((n - 1) - xp.abs(i))
    elif mode == 'replicate':
        i = xp.clip(i, 0, n - 1)
    else:   # circular wraps within the window left after any cropping (negative pads)
        off = max(-lo, 0)
        m = n - off - max(-hi, 0)
        i = off + (xp.arange(-max(lo, 0), m + max(hi, 0)) % max(m, 1))
    return i


def _check_nonconstant(input, pad, mode):
    k = len(pad) // 2
    nd = input.dim()
    if k not in (1, 2, 3) or nd not in (k + 1, k + 2):
        raise NotImplementedError(
            f"Padding size {len(pad)} is not supported for {nd}D input tensor.\n"
            "Supported combinations for non-constant padding:\n"
            "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
            "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
            "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")
    shape = list(input.shape)
    if mode in ('reflect', 'replicate'):
        first = 1 if nd == k + 2 else 0
        if any(s == 0 for s in shape[first:]):
            raise RuntimeError(f"Expected {k + 1}D or {k + 2}D (batch mode) tensor with possibly 0 "
                               f"batch size and other non-zero dimensions for input, but got: {shape}")
    for d, lo, hi in reversed(_pairs(pad, nd)):
        n = shape[d]
        if mode == 'reflect' and (lo >= n or hi >= n):
            raise RuntimeError(f"Argument #{2 * k + 2}: Padding size should be less than the "
                               f"corresponding input dimension, but got: padding ({lo}, {hi}) at "
                               f"dimension {d} of input {shape}")
        if mode == 'circular' and (lo > n or hi > n):
            raise RuntimeError("Padding value causes wrapping around more than once.")
        if n + lo + hi < 0:
            raise RuntimeError(f"input tensor is too small for the negative padding ({lo}, {hi}) "
                               f"at dimension {d}")


def pad(input, pad, mode='constant', value=None):
    """Pad (or, with negative amounts, crop) the last len(pad)//2 dims of input.

    pad = (left_last, right_last, left_second_last, right_second_last, ...).
    """
    if isinstance(pad, Tensor) or not isinstance(pad, (tuple, list)):
        raise TypeError(f"pad(): argument 'pad' (position 2) must be tuple of ints, not "
                        f"{type(pad).__name__}")
    for i, p in enumerate(pad):
        if not isinstance(p, int) or isinstance(p, bool):
            if hasattr(p, '__index__') and not isinstance(p, bool):
                continue
            raise TypeError(f"pad(): argument 'pad' (position 2) must be tuple of ints, but found "
                            f"element of type {type(p).__name__} at pos {i}")
    pad = tuple(int(p) for p in pad)
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) // 2 > input.dim():
        raise RuntimeError(f"Padding length should be less than or equal to two times the input "
                           f"dimension but got padding length {len(pad)} and input of dimension "
                           f"{input.dim()}")
    if mode == 'constant':
        return _ConstantPad.apply(input, pad, 0 if value is None else value)
    if mode not in ('reflect', 'replicate', 'circular'):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if value is not None and value != 0:
        raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument')
    _check_nonconstant(input, pad, mode)
    xp = input._storage.device.xp
    index = [(d, _source_index(xp, mode, input.shape[d], lo, hi))
             for d, lo, hi in reversed(_pairs(pad, input.dim())) if lo or hi]
    if not index:
        return input.clone()
    return _INDEX_PADS[mode, len(pad) // 2].apply(input, index)
