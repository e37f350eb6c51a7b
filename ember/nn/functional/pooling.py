"""Pooling (torch.nn.functional): max/avg (1d/2d/3d), adaptive, LP, fractional, max_unpool.

Every kernel works on any number of leading dims (batched or unbatched input alike) with the
last nd dims spatial. Max/avg pooling loop only over the kernel window offsets, each step a
strided slice of the padded input (no loops over pixels, batch or channels). Max pooling
keeps flat per-plane argmax indices (torch's return_indices); its backward scatters to them.
Avg pooling is linear: its backward is the adjoint window sum, whose backward is avg pooling.
"""
import itertools
import math

from ..._tensor import Tensor
from ...autograd.function import Function
from ._pool_core import PlaneScatter, named, sep, adaptive_taps

__all__ = ['max_pool1d', 'max_pool2d', 'max_pool3d', 'max_pool1d_with_indices',
           'max_pool2d_with_indices', 'max_pool3d_with_indices', 'avg_pool1d', 'avg_pool2d',
           'avg_pool3d', 'adaptive_avg_pool1d', 'adaptive_avg_pool2d', 'adaptive_avg_pool3d',
           'adaptive_max_pool1d', 'adaptive_max_pool2d', 'adaptive_max_pool3d',
           'adaptive_max_pool1d_with_indices', 'adaptive_max_pool2d_with_indices',
           'adaptive_max_pool3d_with_indices', 'lp_pool1d', 'lp_pool2d', 'lp_pool3d',
           'fractional_max_pool2d', 'fractional_max_pool3d',
           'fractional_max_pool2d_with_indices', 'fractional_max_pool3d_with_indices',
           'max_unpool1d', 'max_unpool2d', 'max_unpool3d']

_INTS = ('single int', 'tuple of two ints', 'tuple of three ints')


def _ntuple(v, nd, name, op, allow_empty=False):
    if v is None or (allow_empty and isinstance(v, (tuple, list)) and len(v) == 0):
        return None
    if isinstance(v, (tuple, list)):
        v = tuple(int(a) for a in v)
        if len(v) == 1:
            return v * nd
        if len(v) != nd:
            words = {1: 'a single int', 2: 'a single int, or a tuple of two ints',
                     3: 'a single int, or a tuple of three ints'}[nd]
            raise RuntimeError(f"{op}: {name} must either be {words[2:] if nd == 1 else words}")
        return v
    return (int(v),) * nd


def _check_dims(x, nd, op):
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}(): argument 'input' must be Tensor, not {type(x).__name__}")
    if x.dim() not in (nd + 1, nd + 2):
        raise RuntimeError(f"{op}: Expected {nd + 1}D or {nd + 2}D (batch mode) tensor with "
                           f"optional 0 dim batch size for input, but got:{list(x.shape)}")
    if any(s == 0 for s in x.shape[int(x.dim() == nd + 2):]):
        raise RuntimeError(f"{op}: Expected {nd + 1}D or {nd + 2}D (batch mode) tensor with "
                           f"optional 0 dim batch size for input, but got:{list(x.shape)}")


def _out_size(n, k, s, p, d, ceil):
    num = n + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil else 0)
    o = num // s + 1
    if ceil and (o - 1) * s >= n + p:
        o -= 1
    return o


def _geometry(x, nd, k, s, p, d, ceil, op):
    """Validate pooling args like torch; return (k, s, p, d, in_spatial, out_spatial)."""
    k = _ntuple(k, nd, 'kernel_size', op)
    s = _ntuple(s, nd, 'stride', op, allow_empty=True) or k
    p = _ntuple(p, nd, 'padding', op)
    d = _ntuple(d, nd, 'dilation', op)
    if any(v == 0 for v in s):
        raise RuntimeError("stride should not be zero")
    if any(v <= 0 for v in k):
        raise RuntimeError(f"kernel size should be greater than zero, but got kernel_size={list(k)}")
    if any(v <= 0 for v in d):
        raise RuntimeError(f"dilation should be greater than zero, but got dilation={list(d)}")
    for ki, pi, di in zip(k, p, d):
        if pi < 0 or pi > ((ki - 1) * di + 1) // 2:
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got "
                               f"pad={pi}, kernel_size={ki} and dilation={di}")
    _check_dims(x, nd, op)
    ins = tuple(x.shape[x.dim() - nd:])
    outs = tuple(_out_size(*a, ceil) for a in zip(ins, k, s, p, d))
    if any(o < 1 for o in outs):
        c = x.shape[x.dim() - nd - 1]
        raise RuntimeError(f"Given input size: ({'x'.join(str(v) for v in (c,) + ins)}). Calculated "
                           f"output size: ({'x'.join(str(v) for v in (c,) + outs)}). Output size is too small")
    return k, s, p, d, ins, outs


def _padded(xp, a, nd, k, s, p, d, ins, outs, value):
    pads = [(0, 0)] * (a.ndim - nd)
    for ki, si, pi, di, n, o in zip(k, s, p, d, ins, outs):
        pads.append((pi, max(0, (o - 1) * si + di * (ki - 1) + 1 - n - pi)))
    if all(a == (0, 0) for a in pads):
        return a
    return xp.pad(a, pads, mode='constant', constant_values=value)


def _window_slices(nd, k, s, d, outs):
    """(flat offset number, tuple of per-dim offsets, slice tuple) for every kernel offset."""
    for kk, offs in enumerate(itertools.product(*[range(v) for v in k])):
        sl = tuple(slice(o * di, o * di + si * (n - 1) + 1, si) for o, si, di, n in zip(offs, s, d, outs))
        yield kk, offs, (Ellipsis,) + sl


# ------------------------------------------------------------------------------- max pool

def _running_max(xp, ap, nd, k, s, d, outs, nk, check_nan):
    """Running max over the kernel offsets of padded `ap`, and the winning offset number."""
    best = arg = None
    idt = 'int8' if nk < 128 else 'int16' if nk < 32768 else 'int64'
    for kk, offs, sl in _window_slices(nd, k, s, d, outs):
        v = ap[sl]
        if best is None:
            best = v.copy()
            arg = xp.zeros(best.shape, dtype=idt)
            continue
        if check_nan:
            m = (v > best) | (v != v)          # torch: a NaN wins, the last NaN of a window
            xp.copyto(best, v, where=m)
        else:
            m = v > best
            xp.maximum(best, v, out=best)
        # arg = kk where m, as integer arithmetic (much faster than masked assignment)
        mi = m.view(idt) if idt == 'int8' else m.astype(idt)
        arg += mi * (kk - arg)
    return best, arg


def _maxpool_arrays(xp, a, nd, k, s, p, d, ins, outs):
    """(max over each window, flat per-plane index of the first maximum) -- torch's indices.

    One pass per kernel offset, updating the running max and the winning offset in place.
    NaN wins a window, as in torch: the plain pass propagates NaN into the max, so a NaN in
    the result (checked on the small output) sends the windows through the NaN-aware pass.
    """
    if a.dtype.kind == 'f':
        low = -xp.inf
    elif a.dtype.kind == 'b':
        low = False
    else:
        low = xp.iinfo(a.dtype).min
    ap = _padded(xp, a, nd, k, s, p, d, ins, outs, low)
    nk = 1
    for v in k:
        nk *= v
    offsets = [offs for _, offs, _ in _window_slices(nd, k, s, d, outs)]
    best, arg = _running_max(xp, ap, nd, k, s, d, outs, nk, check_nan=False)
    if a.dtype.kind == 'f' and best.size and bool(xp.isnan(best).any()):
        best, arg = _running_max(xp, ap, nd, k, s, d, outs, nk, check_nan=True)
    # flat index = sum_d (o_d*s_d - p_d + k_d*dil_d) * plane_stride_d, split into a per-offset
    # table (indexed by the winning offset) and a per-output-position grid
    pstrides = [1] * nd
    for i in range(nd - 2, -1, -1):
        pstrides[i] = pstrides[i + 1] * ins[i + 1]
    table = xp.asarray([sum(o * d[i] * pstrides[i] for i, o in enumerate(offs)) for offs in offsets],
                       dtype='int64')
    base = None
    for i in range(nd):
        shape = (-1,) + (1,) * (nd - 1 - i)
        term = ((xp.arange(outs[i], dtype='int64') * s[i] - p[i]) * pstrides[i]).reshape(shape)
        base = term if base is None else base + term
    return best, xp.take(table, arg) + base


def _unique_windows(k, s, d):
    return all(si >= (ki - 1) * di + 1 for ki, si, di in zip(k, s, d))


class _MaxPool(Function, node_name='MaxPool2DWithIndicesBackward0'):
    @staticmethod
    def forward(ctx, x, nd, geo):
        k, s, p, d, ins, outs = geo
        xp = x._storage.device.xp
        out, idx = _maxpool_arrays(xp, x._data, nd, k, s, p, d, ins, outs)
        idx = Tensor._from_array(idx, x._storage.device)
        ctx.idx, ctx.nd, ctx.ins, ctx.unique = idx, nd, ins, _unique_windows(k, s, d)
        ctx.mark_non_differentiable(idx)
        return out, idx

    @staticmethod
    def backward(ctx, g, _gi=None):
        return named(PlaneScatter, f'MaxPool{ctx.nd}DWithIndicesBackwardBackward0').apply(
            g, ctx.idx, ctx.ins, ctx.nd, True, ctx.unique), None, None


def _max_pool(nd, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices):
    op = f'max_pool{nd}d'
    if getattr(input, 'is_quantized', False):
        # max commutes with the monotone int->real map: pool the integers, keep the qparams
        if return_indices:
            raise NotImplementedError(f"Could not run 'aten::{op}_with_indices.out' with arguments "
                                      "from the 'QuantizedCPU' backend.")
        out = _max_pool(nd, input._plain(), kernel_size, stride, padding, dilation, ceil_mode, False)
        axis = input._q_axis
        return input._rewrap(out, axis_same=axis is None or axis < input.dim() - nd)
    geo = _geometry(input, nd, kernel_size, stride, padding, dilation, ceil_mode, op)
    if input._data.dtype.kind == 'c':
        raise RuntimeError(f'"{op}" not implemented for \'Complex{input.dtype.name[7:].title()}\'')
    out, idx = named(_MaxPool, f'MaxPool{max(nd, 2)}DWithIndicesBackward0').apply(input, nd, geo)
    return (out, idx) if return_indices else out


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    return _max_pool(1, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    return _max_pool(2, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    return _max_pool(3, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def max_pool1d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=False):
    return _max_pool(1, input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool2d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=False):
    return _max_pool(2, input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool3d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=False):
    return _max_pool(3, input, kernel_size, stride, padding, dilation, ceil_mode, True)


# ------------------------------------------------------------------------------- avg pool

def _avg_divisor(xp, nd, k, s, p, ins, outs, count_include_pad, divisor_override, dtype):
    if divisor_override:
        return None
    div = None
    for i in range(nd):
        start = xp.arange(outs[i], dtype='int64') * s[i] - p[i]
        end = xp.minimum(start + k[i], ins[i] + p[i])
        if count_include_pad:
            cnt = end - start
        else:
            cnt = xp.minimum(end, ins[i]) - xp.maximum(start, 0)
        cnt = cnt.reshape((-1,) + (1,) * (nd - 1 - i))
        div = cnt if div is None else div * cnt
    return div.astype(dtype)


class _AvgPool(Function, node_name='AvgPool2DBackward0'):
    @staticmethod
    def forward(ctx, x, nd, geo, cip, dov):
        k, s, p, d, ins, outs = geo
        xp = x._storage.device.xp
        a = x._data
        is_int = a.dtype.kind in 'iub'
        ap = _padded(xp, a.astype('int64') if is_int else a, nd, k, s, p, d, ins, outs, 0)
        acc = None
        for _, _, sl in _window_slices(nd, k, s, d, outs):
            if acc is None:
                acc = ap[sl].copy()
            else:
                acc += ap[sl]
        ctx.nd, ctx.geo, ctx.cip, ctx.dov = nd, geo, cip, dov
        ftype = 'float64' if is_int else a.dtype
        div = _avg_divisor(xp, nd, k, s, p, ins, outs, cip, dov, ftype)
        if is_int:
            q = acc / (div if div is not None else float(dov))
            return xp.trunc(q).astype(a.dtype)
        if div is None:
            acc /= a.dtype.type(dov)
        else:
            acc /= div
        return acc

    @staticmethod
    def backward(ctx, g):
        return named(_AvgPoolBack, f'AvgPool{max(ctx.nd, 2)}DBackwardBackward0').apply(
            g, ctx.nd, ctx.geo, ctx.cip, ctx.dov), None, None, None, None


class _AvgPoolBack(Function, node_name='AvgPool2DBackwardBackward0'):
    """Adjoint of avg pooling: spread each output grad / divisor over its window."""

    @staticmethod
    def forward(ctx, g, nd, geo, cip, dov):
        k, s, p, d, ins, outs = geo
        xp = g._storage.device.xp
        ga = g._data
        div = _avg_divisor(xp, nd, k, s, p, ins, outs, cip, dov, ga.dtype)
        ga = ga / (div if div is not None else ga.dtype.type(dov))
        pshape = list(ga.shape[:ga.ndim - nd])
        for ki, si, pi, di, n, o in zip(k, s, p, d, ins, outs):
            pshape.append(max(n + 2 * pi, (o - 1) * si + di * (ki - 1) + 1))
        gp = xp.zeros(pshape, dtype=ga.dtype)
        for _, _, sl in _window_slices(nd, k, s, d, outs):
            gp[sl] += ga
        crop = (Ellipsis,) + tuple(slice(pi, pi + n) for pi, n in zip(p, ins))
        ctx.nd, ctx.geo, ctx.cip, ctx.dov = nd, geo, cip, dov
        return xp.ascontiguousarray(gp[crop])

    @staticmethod
    def backward(ctx, gg):
        return named(_AvgPool, f'AvgPool{max(ctx.nd, 2)}DBackward0').apply(
            gg, ctx.nd, ctx.geo, ctx.cip, ctx.dov), None, None, None, None


def _avg_pool(nd, input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override):
    op = f'avg_pool{nd}d'
    if nd == 1 and isinstance(input, Tensor) and input.dim() not in (2, 3):
        raise RuntimeError(f"Expected 2 to 3 dimensions, but got {input.dim()}-dimensional tensor "
                           f"for argument #1 'self' (while checking arguments for avg_pool1d)")
    if nd == 2 and isinstance(input, Tensor) and input.dim() < 3:
        # torch's avg_pool2d indexes dim -3 before checking the rank, so it raises IndexError
        d = input.dim()
        raise IndexError(f"Dimension out of range (expected to be in range of [{-max(d, 1)}, "
                         f"{max(d, 1) - 1}], but got -3)")
    geo = _geometry(input, nd, kernel_size, stride, padding, 1, ceil_mode, op)
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    return named(_AvgPool, f'AvgPool{max(nd, 2)}DBackward0').apply(
        input, nd, geo, bool(count_include_pad), divisor_override)


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    return _avg_pool(1, input, kernel_size, stride, padding, ceil_mode, count_include_pad, None)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    return _avg_pool(2, input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override)


def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    return _avg_pool(3, input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override)


# -------------------------------------------------------------------------- adaptive pools

def _adaptive_sizes(x, nd, output_size, op):
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}(): argument 'input' must be Tensor, not {type(x).__name__}")
    if x.dim() not in (nd + 1, nd + 2):
        raise RuntimeError(f"{op}(): Expected {nd + 1}D or {nd + 2}D tensor, but got {list(x.shape)}")
    for i in range(x.dim() - nd, x.dim()):
        if x.shape[i] == 0:
            raise RuntimeError(f"{op}(): Expected input to have non-zero size for non-batch "
                               f"dimensions, but input has sizes {list(x.shape)} with dimension {i} being empty")
    ins = tuple(x.shape[x.dim() - nd:])
    if isinstance(output_size, (tuple, list)):
        if len(output_size) != nd:
            raise RuntimeError(f"{op}(): internal error: output_size.size() must be {nd}")
        outs = tuple(ins[i] if v is None else int(v) for i, v in enumerate(output_size))
    else:
        outs = (int(output_size),) * nd
    if any(o < 0 for o in outs):
        raise RuntimeError(f"{op}(): elements of output_size must be greater than or equal to 0 "
                           f"but received {list(outs)}")
    return ins, outs


def _adaptive_avg(nd, input, output_size):
    op = f'adaptive_avg_pool{nd}d'
    ins, outs = _adaptive_sizes(input, nd, output_size, op)
    if input._data.dtype.kind not in 'fc':
        from ..._ops._util import _type_word
        raise NotImplementedError(f'"{op}" not implemented for \'{_type_word(input.dtype)}\'')
    xp = input._storage.device.xp
    taps = [adaptive_taps(xp, n, o, input._data.dtype) for n, o in zip(ins, outs)]
    return sep(input, taps, f'AdaptiveAvgPool{max(nd, 2)}DBackward0')


def adaptive_avg_pool1d(input, output_size):
    return _adaptive_avg(1, input, output_size)


def adaptive_avg_pool2d(input, output_size):
    return _adaptive_avg(2, input, output_size)


def adaptive_avg_pool3d(input, output_size):
    return _adaptive_avg(3, input, output_size)


def _window_max(xp, a, nd, idx_per_dim):
    """Max over per-dim gathered windows. idx_per_dim[d]: (..., out_d, K_d) indices into dim d,
    with leading dims either empty (shared by all planes) or equal to a's lead dims.
    Returns values and flat per-plane argmax indices (first max in window order, NaN wins)."""
    lead = a.shape[:a.ndim - nd]
    ins = a.shape[a.ndim - nd:]
    nb = 1
    for v in lead:
        nb *= v
    a = a.reshape((nb,) + tuple(ins))
    ix3 = [ix.reshape((nb if ix.ndim > 2 else 1,) + ix.shape[-2:]) for ix in idx_per_dim]
    outs = tuple(ix.shape[1] for ix in ix3)
    ks = tuple(ix.shape[2] for ix in ix3)
    index = [xp.arange(nb).reshape((nb,) + (1,) * (2 * nd))]
    for d, ix in enumerate(ix3):
        index.append(ix.reshape(ix.shape[:1] + (1, 1) * d + ix.shape[1:] + (1, 1) * (nd - 1 - d)))
    w = a[tuple(index)]                                        # (B, o0, K0, o1, K1, ...)
    perm = [0] + [1 + 2 * e for e in range(nd)] + [2 + 2 * e for e in range(nd)]
    kt = 1
    for v in ks:
        kt *= v
    w = w.transpose(perm).reshape((nb,) + outs + (kt,))
    arg = w.argmax(-1)
    if a.dtype.kind == 'f':
        nan = xp.isnan(w)
        if nan.any():
            arg = xp.where(nan.any(-1), nan.argmax(-1), arg)
    vals = xp.take_along_axis(w, arg[..., None], -1)[..., 0]
    flat = None
    rem = arg
    pstride = 1
    for n in ins:
        pstride *= n
    bsel = xp.arange(nb).reshape((nb,) + (1,) * nd)
    for d, ix in enumerate(ix3):
        kstride = 1
        for v in ks[d + 1:]:
            kstride *= v
        kd, rem = rem // kstride, rem % kstride
        osel = xp.arange(outs[d]).reshape((1,) + (1,) * d + (-1,) + (1,) * (nd - 1 - d))
        pos = ix[(bsel if ix.shape[0] == nb else 0, osel, kd)]
        pstride //= ins[d]
        flat = pos * pstride if flat is None else flat + pos * pstride
    return vals.reshape(tuple(lead) + outs), flat.astype('int64').reshape(tuple(lead) + outs)


class _IndexMax(Function, node_name='AdaptiveMaxPool2DBackward0'):
    """Max over precomputed windows; returns (values, flat indices)."""

    @staticmethod
    def forward(ctx, x, nd, idx_per_dim):
        xp = x._storage.device.xp
        vals, flat = _window_max(xp, x._data, nd, idx_per_dim)
        idx = Tensor._from_array(flat, x._storage.device)
        ctx.idx, ctx.nd, ctx.ins = idx, nd, tuple(x.shape[x.dim() - nd:])
        ctx.mark_non_differentiable(idx)
        return vals, idx

    @staticmethod
    def backward(ctx, g, _gi=None):
        return PlaneScatter.apply(g, ctx.idx, ctx.ins, ctx.nd, True, False), None, None


def _adaptive_max(nd, input, output_size, return_indices):
    op = f'adaptive_max_pool{nd}d'
    ins, outs = _adaptive_sizes(input, nd, output_size, op)
    xp = input._storage.device.xp
    idx = [adaptive_taps(xp, n, o)[0].T for n, o in zip(ins, outs)]   # (out, K)
    out, ind = named(_IndexMax, f'AdaptiveMaxPool{max(nd, 2)}DBackward0').apply(input, nd, idx)
    return (out, ind) if return_indices else out


def adaptive_max_pool1d(input, output_size, return_indices=False):
    return _adaptive_max(1, input, output_size, return_indices)


def adaptive_max_pool2d(input, output_size, return_indices=False):
    return _adaptive_max(2, input, output_size, return_indices)


def adaptive_max_pool3d(input, output_size, return_indices=False):
    return _adaptive_max(3, input, output_size, return_indices)


def adaptive_max_pool1d_with_indices(input, output_size, return_indices=False):
    return _adaptive_max(1, input, output_size, True)


def adaptive_max_pool2d_with_indices(input, output_size, return_indices=False):
    return _adaptive_max(2, input, output_size, True)


def adaptive_max_pool3d_with_indices(input, output_size, return_indices=False):
    return _adaptive_max(3, input, output_size, True)


# ------------------------------------------------------------------------------ fractional

def _fractional(nd, input, kernel_size, output_size, output_ratio, return_indices, _random_samples):
    op = f'fractional_max_pool{nd}d'
    if output_size is None and output_ratio is None:
        raise ValueError(f"{op} requires specifying either an output_size or an output_ratio")
    k = _ntuple(kernel_size, nd, 'kernel_size', op)
    _check_dims(input, nd, op)
    ins = tuple(input.shape[input.dim() - nd:])
    if output_size is None:
        r = tuple(output_ratio) if isinstance(output_ratio, (tuple, list)) else (output_ratio,) * nd
        if len(r) == 1:
            r = r * nd
        outs = tuple(int(n * float(ri)) for n, ri in zip(ins, r))
    else:
        outs = _ntuple(output_size, nd, 'output_size', op)
    for o, ki, n in zip(outs, k, ins):
        if o + ki - 1 > n:
            raise RuntimeError(f"{op}(): pool height {ki} too large relative to input height {n}"
                               if nd == 2 else f"{op}(): pool size {ki} too large relative to input size {n}")
    batched = input.dim() == nd + 2
    n_b = input.shape[0] if batched else 1
    c = input.shape[1] if batched else input.shape[0]
    if _random_samples is None:
        from ... import rand
        _random_samples = rand(n_b, c, nd, dtype=input.dtype, device=input.device)
    xp = input._storage.device.xp
    smp = _random_samples._data
    if not batched:
        smp = smp[0]
    idx = []
    for d in range(nd):
        # torch's sample columns: (w, h) for 2d, (t, h, w) for 3d
        u = smp[..., (1 - d) if nd == 2 else d].astype(input._data.dtype)
        n, o, ki = ins[d], outs[d], k[d]
        if o > 1:
            alpha = input._data.dtype.type(n - ki) / input._data.dtype.type(o - 1)
            i = xp.arange(o - 1, dtype=input._data.dtype)
            seq = ((i + u[..., None]) * alpha).astype('int64') - (u * alpha).astype('int64')[..., None]
            last = xp.full(u.shape + (1,), n - ki, dtype='int64')
            seq = xp.concatenate([seq, last], axis=-1)
        else:
            seq = xp.full(u.shape + (1,), n - ki, dtype='int64')
        idx.append(seq[..., None] + xp.arange(ki, dtype='int64'))   # lead + (o, K)
    out, ind = named(_IndexMax, f'FractionalMaxPool{nd}DBackward0').apply(input, nd, idx)
    return (out, ind) if return_indices else out


def fractional_max_pool2d(input, kernel_size, output_size=None, output_ratio=None,
                          return_indices=False, _random_samples=None):
    return _fractional(2, input, kernel_size, output_size, output_ratio, return_indices, _random_samples)


def fractional_max_pool3d(input, kernel_size, output_size=None, output_ratio=None,
                          return_indices=False, _random_samples=None):
    return _fractional(3, input, kernel_size, output_size, output_ratio, return_indices, _random_samples)


def fractional_max_pool2d_with_indices(input, kernel_size, output_size=None, output_ratio=None,
                                       return_indices=False, _random_samples=None):
    return _fractional(2, input, kernel_size, output_size, output_ratio, True, _random_samples)


def fractional_max_pool3d_with_indices(input, kernel_size, output_size=None, output_ratio=None,
                                       return_indices=False, _random_samples=None):
    return _fractional(3, input, kernel_size, output_size, output_ratio, True, _random_samples)


# -------------------------------------------------------------------------------- LP pool

def _lp_pool(nd, input, norm_type, kernel_size, stride, ceil_mode):
    k = _ntuple(kernel_size, nd, 'kernel_size', f'lp_pool{nd}d')
    if norm_type == math.inf or norm_type == float('inf'):
        return _max_pool(nd, input, kernel_size, stride, 0, 1, ceil_mode, False)
    out = _avg_pool(nd, input.pow(norm_type), kernel_size, stride, 0, ceil_mode, True, None)
    kt = 1
    for v in k:
        kt *= v
    from .activation import relu
    return (out.sign() * relu(out.abs())).mul(kt).pow(1.0 / norm_type)


def lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    return _lp_pool(1, input, norm_type, kernel_size, stride, ceil_mode)


def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    return _lp_pool(2, input, norm_type, kernel_size, stride, ceil_mode)


def lp_pool3d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    return _lp_pool(3, input, norm_type, kernel_size, stride, ceil_mode)


# ------------------------------------------------------------------------------ max_unpool

def _max_unpool(nd, input, indices, kernel_size, stride, padding, output_size):
    op = f'max_unpool{nd}d'
    k = _ntuple(kernel_size, nd, 'kernel_size', op)
    s = _ntuple(stride, nd, 'stride', op, allow_empty=True) or k
    p = _ntuple(padding, nd, 'padding', op)
    ins = tuple(input.shape[input.dim() - nd:])
    default = tuple((n - 1) * si - 2 * pi + ki for n, si, pi, ki in zip(ins, s, p, k))
    if output_size is None:
        outs = default
    else:
        output_size = tuple(int(v) for v in output_size)
        if len(output_size) == nd + 2 or (len(output_size) == nd + 1):
            output_size = output_size[len(output_size) - nd:]
        if len(output_size) != nd:
            raise ValueError(f"output_size should be a sequence containing {nd} or {nd + 2} elements, "
                             f"but it has a length of '{len(output_size)}'")
        for i, (o, dflt) in enumerate(zip(output_size, default)):
            lo, hi = dflt - s[i], dflt + s[i]
            if not lo < o < hi:
                raise ValueError(f'invalid output_size "{tuple(output_size)}" (dim {i} must be between {lo} and {hi})')
        outs = output_size
    if tuple(indices.shape) != tuple(input.shape):
        raise RuntimeError(f"Expected shape of indices to be same as that of the input tensor "
                           f"({list(input.shape)}) but got indices tensor with shape: {list(indices.shape)}")
    if indices._data.dtype.kind not in 'iu':
        raise RuntimeError("elements in indices should be type int64 but got: " + str(indices.dtype))
    total = 1
    for o in outs:
        total *= o
    ia = indices._data
    if ia.size and (int(ia.max()) >= total or int(ia.min()) < 0):
        bad = int(ia.max()) if int(ia.max()) >= total else int(ia.min())
        raise RuntimeError(f"Found an invalid max index: {bad} (output volumes are of size "
                           f"{'x'.join(str(o) for o in outs)})")
    return named(PlaneScatter, f'MaxUnpool{nd}DBackward0').apply(
        input, indices.to('int64') if ia.dtype.name != 'int64' else indices, tuple(outs), nd, False, False)


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    return _max_unpool(1, input, indices, kernel_size, stride, padding, output_size)


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    return _max_unpool(2, input, indices, kernel_size, stride, padding, output_size)


def max_unpool3d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    return _max_unpool(3, input, indices, kernel_size, stride, padding, output_size)

