"""Normalization functions (torch.nn.functional): batch_norm, instance_norm, layer_norm,
group_norm, rms_norm, local_response_norm.

batch/instance/layer/group norm share one fused Function (`_Normalize`, fused for speed:
batch and layer norm are the hottest non-matmul ops of a training step): the input is viewed
as `vshape`, statistics are taken over the axes `R` (a sum, then the centred values reused
for the variance, via einsum, and for the output, in place). The backward is the closed form
    dx = rstd * (gy - mean_R(gy) - xhat * mean_R(gy * xhat)),   gy = g * weight
computed on arrays for a plain backward, and from ember ops (statistics recomputed from x)
under create_graph, so double backward works. rms_norm and local_response_norm are
compositions, as in torch; CrossMapLRN2d keeps torch's legacy forward and backward.
"""
from ... import _dtype as D
from ..._tensor import Tensor
from ...autograd.function import Function
from ...autograd.grad_mode import GradState

__all__ = ['batch_norm', 'instance_norm', 'layer_norm', 'group_norm', 'rms_norm',
           'local_response_norm']


def _type_word(d):
    from ..._ops._util import _type_word as tw
    return tw(d)


def _float_check(x, name):
    if x._data.dtype.kind not in 'fV':
        raise NotImplementedError(f"\"{name}\" not implemented for '{_type_word(x.dtype)}'")


def _check_dtypes(input, *others):
    """torch (CPU) refuses float32/float64 inputs with parameters of another dtype; half and
    bfloat16 inputs may use float32 parameters."""
    dt = input._data.dtype
    for t in others:
        if t is not None and t._data.dtype != dt:
            if dt.itemsize < 4 and t._data.dtype.itemsize == 4:
                continue
            raise RuntimeError("mixed dtype (CPU): all inputs must share same datatype.")


def _prod(shape):
    n = 1
    for s in shape:
        n *= s
    return n


_LETTERS = 'abcdefghijklmnop'


def _dot_over(xp, a, b, R):
    """sum over axes R of a * b, keepdims (einsum: no full-size temporary, BLAS-speed)."""
    sub = _LETTERS[:a.ndim]
    keep = ''.join(c for i, c in enumerate(sub) if i not in R)
    r = xp.einsum(f'{sub},{sub}->{keep}', a, b)
    return r.reshape(tuple(1 if i in R else n for i, n in enumerate(a.shape)))


class _Normalize(Function, node_name='NativeBatchNormBackward0'):
    """y = (x - mean) * rstd * weight + bias over axes R of x viewed as vshape.

    layout = (vshape, R, wshape): weight/bias are viewed as `wshape` (broadcasting against
    vshape; their gradients sum over the other axes). stats: None (use the input's
    statistics) or (mean, var) arrays broadcastable to vshape (batch norm in eval mode).
    on_stats(mean, var_biased, count) receives the batch statistics (running-stat updates).
    Forward and the first-order backward work on arrays (einsum for the per-channel dot
    products, in-place updates); under create_graph the backward is built from ember ops.
    """

    @staticmethod
    def forward(ctx, x, weight, bias, layout, eps, stats, on_stats):
        vshape, R, wshape = layout
        xp = x._storage.device.xp
        a = x._data
        out_dtype = a.dtype
        if a.dtype.itemsize < 4:                     # half/bfloat16: compute in float32
            a = a.astype(xp.float32)
        a = a.reshape(vshape)
        ct = a.dtype.type
        sshape = tuple(1 if i in R else n for i, n in enumerate(vshape))
        w = weight._data.reshape(wshape).astype(a.dtype, copy=False) if weight is not None else None
        b = bias._data.reshape(wshape).astype(a.dtype, copy=False) if bias is not None else None
        if stats is None:
            count = _prod(vshape[i] for i in R)
            if a.size == 0:
                mean = xp.zeros(sshape, a.dtype)
                var = xp.full(sshape, ct('nan'), a.dtype)
            else:
                mean = a.sum(axis=R, keepdims=True) / ct(count)
            out = a - mean                           # centred values: variance, then output
            if a.size:
                var = _dot_over(xp, out, out, R) / ct(count)
            rstd = 1.0 / xp.sqrt(var + ct(eps))
            if on_stats is not None and a.size:      # an empty batch leaves the stats alone
                on_stats(mean, var, count)
            if w is None:
                out *= rstd
            elif _aligned(vshape, R, wshape):       # weight varies only along kept axes
                out *= rstd * w
            else:
                out *= rstd
                out *= w
            if b is not None:
                out += b
        else:
            mean, var = stats
            mean = mean.astype(a.dtype, copy=False)
            rstd = 1.0 / xp.sqrt(var.astype(a.dtype, copy=False) + ct(eps))
            scale = rstd if w is None else rstd * w
            shift = -mean * scale if b is None else b - mean * scale
            out = a * scale
            out += shift
        ctx.save_for_backward(x, weight, bias)
        ctx.mean, ctx.rstd = mean, rstd
        ctx.layout, ctx.eps, ctx.training = layout, eps, stats is None
        return out.reshape(x._data.shape).astype(out_dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        x, weight, bias = ctx.saved_tensors
        if GradState.enabled:
            return _Normalize._backward_graph(ctx, g, x, weight, bias)
        vshape, R, wshape = ctx.layout
        need = ctx.needs_input_grad
        dev = x._storage.device
        xp = dev.xp
        a = x._data
        gd = g._data
        if a.dtype.itemsize < 4:
            a, gd = a.astype(xp.float32), gd.astype(xp.float32)
        a, gd = a.reshape(vshape), gd.reshape(vshape).astype(a.dtype, copy=False)
        mean, rstd = ctx.mean, ctx.rstd
        waxes = tuple(i for i in range(len(vshape)) if _bcast_axis(i, vshape, wshape))
        same = set(waxes) == set(R)      # batch/instance norm: weight axes = statistic axes
        w = weight._data.reshape(wshape).astype(a.dtype, copy=False) if weight is not None else None
        gx = gw = gb = None
        sum_g = sum_gxhat = None
        if same or w is None:
            # per-channel weight folds into the per-channel sums: one reduction, one einsum
            sum_g = gd.sum(axis=R, keepdims=True)
            sum_gxhat = (_dot_over(xp, gd, a, R) - mean * sum_g) * rstd
            if need[0]:
                sum_gy = sum_g if w is None else sum_g * w
                sum_gyxhat = sum_gxhat if w is None else sum_gxhat * w
                gxa = gd * (rstd if w is None else rstd * w)
        elif need[0]:
            gxa = gd * w
            sum_gy = gxa.sum(axis=R, keepdims=True)
            sum_gyxhat = (_dot_over(xp, gxa, a, R) - mean * sum_gy) * rstd
            gxa *= rstd
        if need[0]:
            if ctx.training:
                # gx = rstd * (gy - sum_gy/M - xhat * sum_gyxhat/M), xhat = (x - mean) * rstd
                M = a.dtype.type(_prod(vshape[i] for i in R))
                coef = rstd * rstd * sum_gyxhat / -M
                gxa += a * coef
                gxa += rstd * sum_gy / -M - mean * coef
            gx = Tensor._from_array(gxa.reshape(x._data.shape).astype(x._data.dtype, copy=False), dev)
        if weight is not None and need[1]:
            if same:
                gwa = sum_gxhat
            else:
                xhat = a - mean
                xhat *= rstd
                gwa = _dot_over(xp, gd, xhat, waxes)
            gw = Tensor._from_array(gwa.reshape(tuple(weight.shape))
                                    .astype(weight._data.dtype, copy=False), dev)
        if bias is not None and need[2]:
            gba = sum_g if same else gd.sum(axis=waxes)
            gb = Tensor._from_array(gba.reshape(tuple(bias.shape))
                                    .astype(bias._data.dtype, copy=False), dev)
        return gx, gw, gb, None, None, None, None

    @staticmethod
    def _backward_graph(ctx, g, x, weight, bias):
        """The same gradients from ember ops (create_graph): the statistics are recomputed
        from x so that the result is differentiable with respect to x, weight and g."""
        vshape, R, wshape = ctx.layout
        need = ctx.needs_input_grad
        dev = x._storage.device
        waxes = tuple(i for i in range(len(vshape)) if _bcast_axis(i, vshape, wshape))
        xv = x.reshape(vshape)
        gv = g.reshape(vshape)
        if ctx.training:
            mean = xv.mean(R, keepdim=True)
            d = xv - mean
            rstd = ((d * d).mean(R, keepdim=True) + ctx.eps).rsqrt()
        else:
            dt = xv._data.dtype
            mean = Tensor._from_array(ctx.mean.astype(dt, copy=False), dev)
            rstd = Tensor._from_array(ctx.rstd.astype(dt, copy=False), dev)
            d = xv - mean
        xhat = d * rstd
        gx = gw = gb = None
        if need[0]:
            gy = gv * weight.reshape(wshape) if weight is not None else gv
            if ctx.training:
                gx = (gy - gy.mean(R, keepdim=True) - xhat * (gy * xhat).mean(R, keepdim=True)) * rstd
            else:
                gx = gy * rstd
            gx = gx.reshape(x.shape)
        if weight is not None and need[1]:
            gw = (gv * xhat).sum(waxes).reshape(weight.shape)
        if bias is not None and need[2]:
            gb = gv.sum(waxes).reshape(bias.shape)
        return gx, gw, gb, None, None, None, None


def _aligned(vshape, R, wshape):
    """True when the weight is constant along exactly the statistic axes R."""
    return all(_bcast_axis(i, vshape, wshape) == (i in R) for i in range(len(vshape)))


def _bcast_axis(i, vshape, wshape):
    """True when axis i of vshape is broadcast (not covered) by a weight of shape wshape."""
    k = i - (len(vshape) - len(wshape))
    return k < 0 or wshape[k] == 1


class _LayerNorm(_Normalize, node_name='NativeLayerNormBackward0'):
    pass


class _GroupNorm(_Normalize, node_name='NativeGroupNormBackward0'):
    pass


# --------------------------------------------------------------------------- batch norm

def _check_vec(t, name, n):
    if t is not None and t.numel() != n:
        raise RuntimeError(f"{name} should contain {n} elements not {t.numel()}")


def _update_running(running_mean, running_var, momentum, reduce_first=None):
    """on_stats callback: running = (1 - m) * running + m * batch (unbiased variance)."""
    def on_stats(mean, var, count):
        m, v = mean, var
        if count > 1:
            v = v * (count / (count - 1))
        if reduce_first is not None:            # instance norm: average the per-instance stats
            m, v = m.mean(axis=reduce_first), v.mean(axis=reduce_first)
        for buf, new in ((running_mean, m), (running_var, v)):
            if buf is None:
                continue
            arr = buf._data
            new = new.reshape(arr.shape).astype(arr.dtype, copy=False)
            arr *= arr.dtype.type(1.0 - momentum)
            arr += new * arr.dtype.type(momentum)
            buf._storage.version += 1
    return on_stats


def _verify_batch_size(size):
    n = size[0]
    for s in size[2:]:
        n *= s
    if n == 1:
        raise ValueError(f"Expected more than 1 value per channel when training, got input size {size}")


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-05):
    """Normalize each channel (dim 1) over the batch and spatial dims.

    training: use the batch statistics and update running_mean/running_var in place
    (with the unbiased variance); otherwise use the running statistics.
    """
    _float_check(input, 'batch_norm')
    if training:
        _verify_batch_size(input.shape)
    if input.dim() < 2:
        raise IndexError(f"Dimension out of range (expected to be in range of "
                         f"[-{max(input.dim(), 1)}, {max(input.dim(), 1) - 1}], but got 1)")
    C = input.shape[1]
    _check_vec(running_mean, 'running_mean', C)
    _check_vec(running_var, 'running_var', C)
    _check_vec(weight, 'weight', C)
    _check_vec(bias, 'bias', C)
    _check_dtypes(input, weight, bias, running_mean, running_var)
    layout = ((input.shape[0], C, _prod(input.shape[2:])), (0, 2), (C, 1))
    if training:
        on_stats = None
        if running_mean is not None or running_var is not None:
            on_stats = _update_running(running_mean, running_var, momentum)
        return _Normalize.apply(input, weight, bias, layout, eps, None, on_stats)
    if running_mean is None:
        raise RuntimeError("running_mean must be defined in evaluation mode")
    if running_var is None:
        raise RuntimeError("running_var must be defined in evaluation mode")
    stats = (running_mean._data.reshape(C, 1), running_var._data.reshape(C, 1))
    return _Normalize.apply(input, weight, bias, layout, eps, stats, None)


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None,
                  use_input_stats=True, momentum=0.1, eps=1e-05):
    """Normalize each (sample, channel) over its spatial dims."""
    _float_check(input, 'instance_norm')
    if use_input_stats:
        size = input.shape
        n = 1
        for s in size[2:]:
            n *= s
        if n == 1:
            raise ValueError(f"Expected more than 1 spatial element when training, got input size {size}")
    N, C = input.shape[0], input.shape[1]
    _check_vec(running_mean, 'running_mean', C)
    _check_vec(running_var, 'running_var', C)
    _check_vec(weight, 'weight', C)
    _check_vec(bias, 'bias', C)
    _check_dtypes(input, weight, bias, running_mean, running_var)
    S = _prod(input.shape[2:])
    layout = ((N, C, S), (2,), (C, 1))
    if use_input_stats:
        on_stats = None
        if running_mean is not None or running_var is not None:
            on_stats = _update_running(running_mean, running_var, momentum, reduce_first=0)
        out = _Normalize.apply(input, weight, bias, layout, eps, None, on_stats)
    else:
        if running_mean is None or running_var is None:
            raise RuntimeError("Expected running_mean and running_var to be defined when "
                               "use_input_stats is false")
        stats = (running_mean._data.reshape(C, 1), running_var._data.reshape(C, 1))
        out = _Normalize.apply(input, weight, bias, layout, eps, stats, None)
    return out.view(input.shape)


# --------------------------------------------------------------------------- layer / group

def _shape_list(shape):
    if isinstance(shape, int):
        return (shape,)
    return tuple(int(s) for s in shape)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-05):
    """Normalize over the trailing `normalized_shape` dims of each sample."""
    ns = _shape_list(normalized_shape)
    k = len(ns)
    if weight is not None and tuple(weight.shape) != ns:
        raise RuntimeError(f"Expected weight to be of same shape as normalized_shape, but got weight "
                           f"of shape {list(weight.shape)} and normalized_shape = {list(ns)}")
    if bias is not None and tuple(bias.shape) != ns:
        raise RuntimeError(f"Expected bias to be of same shape as normalized_shape, but got bias "
                           f"of shape {list(bias.shape)} and normalized_shape = {list(ns)}")
    shape = tuple(input.shape)
    if k == 0 or len(shape) < k or shape[len(shape) - k:] != ns:
        raise RuntimeError(_ln_msg(ns, shape))
    _float_check(input, 'LayerNormKernelImpl')
    _check_dtypes(input, weight, bias)
    K = _prod(ns)
    layout = ((_prod(shape[:len(shape) - k]), K), (1,), (K,))
    return _LayerNorm.apply(input, weight, bias, layout, eps, None, None)


def _ln_msg(ns, shape):
    inner = ', '.join(str(s) for s in ns)
    return (f"Given normalized_shape={list(ns)}, expected input with shape [*, {inner}], "
            f"but got input of size{list(shape)}")


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-05):
    """Normalize each sample over groups of num_channels // num_groups channels."""
    if input.dim() < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received {input.dim()}")
    shape = tuple(input.shape)
    N, C = shape[0], shape[1]
    G = num_groups
    if G <= 0 or C % G:
        raise RuntimeError(f"Expected number of channels in input to be divisible by num_groups, but "
                           f"got input of shape {list(shape)} and num_groups={num_groups}")
    for t in (weight, bias):
        if t is not None and (t.dim() != 1 or t.numel() != C):
            raise RuntimeError(f"Expected weight to be a vector of size equal to the number of channels "
                               f"in input, but got weight of shape {list(t.shape)} and input of shape "
                               f"{list(shape)}")
    _float_check(input, 'group_norm')
    _check_dtypes(input, weight, bias)
    S = _prod(shape[2:])
    layout = ((N, G, C // G, S), (2, 3), (G, C // G, 1))
    return _GroupNorm.apply(input, weight, bias, layout, eps, None, None)


# --------------------------------------------------------------------------- rms / lrn

def rms_norm(input, normalized_shape, weight=None, eps=None):
    """x / sqrt(mean(x**2 over the trailing dims) + eps) * weight (eps=None: finfo eps)."""
    ns = _shape_list(normalized_shape)
    shape = tuple(input.shape)
    k = len(ns)
    if len(shape) < k or shape[len(shape) - k:] != ns:
        inner = ', '.join(str(s) for s in ns)
        raise RuntimeError(f"Given normalized_shape={list(ns)}, expected input with shape [*{inner}], "
                           f"but got input of size{list(shape)}")
    if eps is None:
        eps = D.finfo(input.dtype).eps
    dims = tuple(range(len(shape) - k, len(shape)))
    rms = ((input * input).mean(dims, keepdim=True) + eps).rsqrt() if dims else (input * input + eps).rsqrt()
    out = input * rms
    if weight is not None:
        out = out * weight
    return out


def _window_matrix(C, lo, hi, like):
    """(C, C) 0/1 matrix M with M[c, j] = 1 when channel j lies in channel c's window."""
    from ... import arange
    c = arange(C, device=like.device).reshape(C, 1)
    j = arange(C, device=like.device).reshape(1, C)
    m = (j >= c - lo) & (j <= c + hi)
    return m.to(like.dtype)


def _channel_window_sum(sq, M):
    """sum over each channel's window: sq[n, j, ...] -> sum_j M[c, j] sq[n, j, ...]."""
    moved = sq.movedim(1, -1)
    return (moved @ M.t()).movedim(-1, 1)


def local_response_norm(input, size, alpha=0.0001, beta=0.75, k=1.0):
    """x / (k + alpha * mean over a window of `size` channels of x**2) ** beta."""
    if input.dim() < 3:
        raise ValueError(f"Expected 3D or higher dimensionality                          input "
                         f"(got {input.dim()} dimensions)")
    if input.numel() == 0:
        return input
    C = input.shape[1]
    M = _window_matrix(C, size // 2, (size - 1) // 2, input)
    div = _channel_window_sum(input * input, M) * (alpha / size)
    return input / (div + k).pow(beta)


class _CrossMapLRN2d(Function, node_name='CrossMapLRN2dBackward'):
    """Legacy (Lua torch) CrossMapLRN2d: y = x * scale ** -beta with
    scale = k + alpha/size * (sum of x**2 over channels (c - pre_pad, c + pre_pad - 1]
    plus channel 0, as the legacy running-sum forward produces), pre_pad = (size - 1)//2 + 1.
    Its backward is the legacy one too (window [c - (size+1)//2, c + size - 1 - (size+1)//2]
    for the ratio term), which is what torch returns."""

    @staticmethod
    def forward(ctx, x, size, alpha, beta, k):
        xp = x._storage.device.xp
        a = x._data
        C = a.shape[1]
        pre = (size - 1) // 2 + 1
        c = xp.arange(C).reshape(C, 1)
        j = xp.arange(C).reshape(1, C)
        M = (((j >= c - (pre - 1)) & (j <= c + pre - 1)) | (j == 0)).astype(a.dtype)
        t = a.dtype.type
        scale = xp.moveaxis(xp.moveaxis(a * a, 1, -1) @ M.T, -1, 1) * t(alpha / size) + t(k)
        out = a * scale ** t(-beta)
        ctx.save_for_backward(x)
        ctx.scale, ctx.out, ctx.params = scale, out, (size, alpha, beta)
        return out

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        size, alpha, beta = ctx.params
        dev = x._storage.device
        scale = Tensor._from_array(ctx.scale, dev)
        out = Tensor._from_array(ctx.out, dev)
        C = x.shape[1]
        ipp = (size + 1) // 2
        from ... import arange
        c = arange(C, device=x.device).reshape(C, 1)
        j = arange(C, device=x.device).reshape(1, C)
        B = ((j >= c - ipp) & (j <= c + size - 1 - ipp)).to(x.dtype)
        acc = _channel_window_sum(g * out / scale, B)
        return g * scale.pow(-beta) - x * acc * (2.0 * alpha * beta / size), None, None, None, None


def _cross_map_lrn2d(input, size, alpha, beta, k):
    """CrossMapLRN2d's op (4D input only)."""
    if input.dim() != 4:
        raise ValueError(f"CrossMapLRN2d: Expected input to be 4D, got {input.dim()}D instead.")
    return _CrossMapLRN2d.apply(input, size, alpha, beta, k)
