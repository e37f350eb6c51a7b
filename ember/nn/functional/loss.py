"""Loss functions (torch.nn.functional). Losses whose torch grad_fn is a fused node
(MseLossBackward0, NllLossBackward0, BinaryCrossEntropy*, Huber/SmoothL1/SoftMargin,
Multi(label)MarginLoss, CtcLoss) are one Function with the loss and its reduction computed on
arrays; the rest are compositions of ember ops, as torch composes them. Cross entropy is
log_softmax (max-shifted) + nll, and BCE-with-logits uses the softplus form, so both stay finite
for logits of any magnitude."""
import math
import warnings

from ..._tensor import Tensor
from ...autograd.function import Function
from ...autograd.grad_mode import GradState
from ..._ops._util import _type_word
from ... import where, sigmoid, broadcast_tensors, xlogy  # noqa: F401
from .activation import log_softmax, logsigmoid
from .loss_ctc import ctc_loss

__all__ = ['l1_loss', 'mse_loss', 'cross_entropy', 'nll_loss', 'poisson_nll_loss',
           'gaussian_nll_loss', 'kl_div', 'binary_cross_entropy',
           'binary_cross_entropy_with_logits', 'margin_ranking_loss', 'hinge_embedding_loss',
           'multilabel_margin_loss', 'huber_loss', 'smooth_l1_loss', 'soft_margin_loss',
           'multilabel_soft_margin_loss', 'cosine_embedding_loss', 'multi_margin_loss',
           'triplet_margin_loss', 'triplet_margin_with_distance_loss', 'ctc_loss']


# ------------------------------------------------------------------------------ reduction

def _legacy_reduction(size_average, reduce, emit_warning=True):
    """Map the deprecated size_average/reduce flags to a reduction string (as torch)."""
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    ret = ('mean' if size_average else 'sum') if reduce else 'none'
    if emit_warning:
        warnings.warn(f"size_average and reduce args will be deprecated, please use "
                      f"reduction='{ret}' instead.", stacklevel=3)
    return ret


def _reduction(size_average, reduce, reduction):
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    if reduction not in ('none', 'mean', 'sum'):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


def _reduce(loss, reduction):
    if reduction == 'mean':
        return loss.mean()
    if reduction == 'sum':
        return loss.sum()
    return loss


def _reduce_arr(xp, arr, reduction):
    if reduction == 'none':
        return arr
    s = arr.sum()
    if reduction == 'mean':
        s = _div(xp, s, arr.size)
    return xp.asarray(s, dtype=arr.dtype)


def _div(xp, a, b):
    """a / b without NumPy's 0/0 warnings (torch quietly gives nan)."""
    es = getattr(xp, 'errstate', None)
    if es is None:
        return a / b
    with es(divide='ignore', invalid='ignore'):
        return a / b


class _Null:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def _no_grad_arg(t, fname, arg):
    if isinstance(t, Tensor) and t.requires_grad and GradState.enabled:
        raise RuntimeError(f"The function '{fname}' is not differentiable with respect to argument "
                           f"'{arg}'. This input cannot have requires_grad True.")


def _check_size(input, target):
    if target.shape != input.shape:
        warnings.warn(f"Using a target size ({target.shape}) that is different to the input size "
                      f"({input.shape}). This will likely lead to incorrect results due to "
                      f"broadcasting. Please ensure they have the same size.", stacklevel=3)
        return broadcast_tensors(input, target)
    return input, target


def _mean_scale(ctx, g):
    return g / ctx.n if ctx.reduction == 'mean' and ctx.n else g


# ---------------------------------------------------------------------- pointwise losses

class _Pointwise(Function):
    """Elementwise loss(x, t) reduced in forward; subclasses give the loss on arrays and the
    gradients (ember ops) of the unreduced loss."""

    @staticmethod
    def forward(ctx, x, t, reduction, param):
        xp = x._storage.device.xp
        ctx.save_for_backward(x, t)
        ctx.reduction, ctx.param, ctx.n = reduction, param, x._data.size
        cls = ctx._fwd_cls
        return _reduce_arr(xp, cls._loss(xp, x._data, t._data, param), reduction)

    @staticmethod
    def backward(ctx, g):
        x, t = ctx.saved_tensors
        g = _mean_scale(ctx, g)
        gx, gt = ctx._fwd_cls._grads(x, t, ctx.param)
        return (g * gx if gx is not None else None,
                g * gt if gt is not None else None, None, None)


class _MseLoss(_Pointwise, node_name='MseLossBackward0'):
    @staticmethod
    def _loss(xp, x, t, p):
        d = x - t
        return d * d

    @staticmethod
    def _grads(x, t, p):
        d = (x - t) * 2.0
        return d, -d


class _HuberLoss(_Pointwise, node_name='HuberLossBackward0'):
    @staticmethod
    def _loss(xp, x, t, delta):
        d = xp.abs(x - t)
        k = x.dtype.type
        return xp.where(d < delta, k(0.5) * d * d, k(delta) * (d - k(0.5 * delta)))

    @staticmethod
    def _grads(x, t, delta):
        d = (x - t).clamp(-delta, delta)
        return d, -d


class _SmoothL1Loss(_Pointwise, node_name='SmoothL1LossBackward0'):
    @staticmethod
    def _loss(xp, x, t, beta):
        d = xp.abs(x - t)
        k = x.dtype.type
        return xp.where(d < beta, k(0.5) * d * d / k(beta), d - k(0.5 * beta))

    @staticmethod
    def _grads(x, t, beta):
        d = ((x - t) / beta).clamp(-1.0, 1.0)
        return d, -d


class _SoftMarginLoss(_Pointwise, node_name='SoftMarginLossBackward0'):
    @staticmethod
    def _loss(xp, x, t, p):
        return xp.logaddexp(x.dtype.type(0), -t * x)

    @staticmethod
    def _grads(x, t, p):
        return -t * sigmoid(-t * x), None


def _weighted(loss, weight, reduction, mean_by_weight):
    if weight.shape != loss.shape:
        raise ValueError("Weights and input must have the same size.")
    loss = loss * weight
    if reduction == 'mean' and mean_by_weight:
        return loss.sum() / weight.sum()
    return _reduce(loss, reduction)


def l1_loss(input, target, size_average=None, reduce=None, reduction='mean', weight=None):
    """Mean absolute error |input - target|."""
    reduction = _reduction(size_average, reduce, reduction)
    input, target = _check_size(input, target)
    loss = (input - target).abs()
    if weight is not None:
        return _weighted(loss, weight, reduction, True)
    return _reduce(loss, reduction)


def mse_loss(input, target, size_average=None, reduce=None, reduction='mean', weight=None):
    """Mean squared error (input - target)^2."""
    reduction = _reduction(size_average, reduce, reduction)
    input, target = _check_size(input, target)
    if weight is not None:
        return _weighted(_MseLoss.apply(input, target, 'none', None), weight, reduction, True)
    return _MseLoss.apply(input, target, reduction, None)


def huber_loss(input, target, reduction='mean', delta=1.0, weight=None):
    """0.5 d^2 where |d| < delta, else delta (|d| - delta / 2)."""
    reduction = _reduction(None, None, reduction)
    input, target = _check_size(input, target)
    if weight is not None:
        return _weighted(_HuberLoss.apply(input, target, 'none', delta), weight, reduction, False)
    return _HuberLoss.apply(input, target, reduction, delta)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction='mean', beta=1.0):
    """0.5 d^2 / beta where |d| < beta, else |d| - beta / 2 (beta = 0: L1)."""
    reduction = _reduction(size_average, reduce, reduction)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    if beta == 0:
        return l1_loss(input, target, reduction=reduction)
    input, target = _check_size(input, target)
    return _SmoothL1Loss.apply(input, target, reduction, beta)


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction='mean'):
    """log(1 + exp(-y x)), computed stably."""
    reduction = _reduction(size_average, reduce, reduction)
    _no_grad_arg(target, 'soft_margin_loss', 'target')
    input, target = _check_size(input, target)
    return _SoftMarginLoss.apply(input, target, reduction, None)


# --------------------------------------------------------------------------- NLL / CE

def _at_target_class(xp, ts, vals, shape):
    """Zeros of `shape` (N, C, ...) holding vals[n, ...] at class ts[n, ...] along dim 1."""
    out = xp.zeros(shape, dtype=vals.dtype)
    xp.put_along_axis(out, xp.expand_dims(ts, 1), xp.expand_dims(vals, 1), axis=1)
    return out


class _NllLoss(Function, node_name='NllLossBackward0'):
    @staticmethod
    def forward(ctx, input, target, weight, ignore_index, reduction):
        xp = input._storage.device.xp
        x = input._data
        t = target._data.astype('int64')
        batched = x.ndim >= 2
        if not batched:
            x, t = x[None], t[None]
        C = x.shape[1]
        valid = t != ignore_index
        bad = valid & ((t < 0) | (t >= C))
        if t.size and bool(bad.any()):
            raise IndexError(f"Target {int(t[bad][0])} is out of bounds.")
        ts = xp.where(valid, t, 0)
        picked = xp.take_along_axis(x, xp.expand_dims(ts, 1), axis=1)[:, 0]
        if weight is not None:
            w = weight._data.astype(x.dtype)[ts]
        else:
            w = xp.ones(ts.shape, dtype=x.dtype)
        w = xp.where(valid, w, x.dtype.type(0))
        loss = -picked * w
        if reduction == 'none':
            out, coef = loss, -w
        elif reduction == 'sum':
            out, coef = loss.sum(), -w
        else:
            tw = w.sum()
            out = _div(xp, loss.sum(), tw)
            coef = xp.where(valid, _div(xp, -w, tw), x.dtype.type(0))
        ctx.coef, ctx.ts, ctx.shape, ctx.batched = coef, ts, x.shape, batched
        ctx.reduction = reduction
        out = xp.asarray(out, dtype=x.dtype)
        return out if batched or reduction != 'none' else out[0]

    @staticmethod
    def backward(ctx, g):
        dev = g._storage.device
        coef = ctx.coef.astype(g._data.dtype, copy=False)
        if ctx.reduction == 'none':
            g = g.unsqueeze(1) if ctx.batched else g.reshape(1, 1)
        if GradState.enabled:       # double backward: keep g in the graph
            gi = Tensor._from_array(_at_target_class(dev.xp, ctx.ts, coef, ctx.shape), dev) * g
        else:                       # one scatter of coef * g: no dense one-hot, no extra pass
            gd = g._data[:, 0] if ctx.reduction == 'none' else g._data
            gi = Tensor._from_array(_at_target_class(dev.xp, ctx.ts, coef * gd, ctx.shape), dev)
        return (gi if ctx.batched else gi[0]), None, None, None, None


class _NllLoss2d(_NllLoss, node_name='NllLoss2DBackward0'):
    pass


def _check_nll_args(input, target, weight):
    if input.dim() < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {input.dim()})")
    if target.dtype.name not in ('int64', 'uint8'):
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got {_type_word(target.dtype)}")
    if input.dim() == 1 and target.dim() != 0 and not (target.dim() == 1 and target.shape[0] == 1):
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if input.dim() >= 2 and input.shape[0] != (target.shape[0] if target.dim() else -1):
        raise ValueError(f"Expected input batch_size ({input.shape[0]}) to match target batch_size "
                         f"({target.shape[0] if target.dim() else 0}).")
    if input.dim() == 2 and target.dim() != 1:
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if input.dim() > 2 and tuple(target.shape) != tuple(input.shape[:1] + input.shape[2:]):
        raise RuntimeError(f"Expected target size {list(input.shape[:1] + input.shape[2:])}, got "
                           f"{list(target.shape)}")
    C = input.shape[1] if input.dim() >= 2 else input.shape[0]
    if weight is not None and (weight.dim() != 1 or weight.shape[0] != C):
        raise RuntimeError(f"weight tensor should be defined either for all {C} classes or no classes "
                           f"but got weight tensor of shape: {list(weight.shape)}")


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
             reduction='mean'):
    """-input[n, target[n]] * weight[target[n]], over (C), (N, C) or (N, C, d1, ...) inputs;
    'mean' divides by the total weight of the non-ignored targets."""
    reduction = _reduction(size_average, reduce, reduction)
    _check_nll_args(input, target, weight)
    _no_grad_arg(weight, 'nll_loss_forward', 'weight')
    if input.dim() == 1 and target.dim() == 1:
        target = target.reshape(())
    if input.dim() <= 2:
        return _NllLoss.apply(input, target, weight, ignore_index, reduction)
    if input.dim() == 4:
        return _NllLoss2d.apply(input, target, weight, ignore_index, reduction)
    # other K-dim inputs go through the 2-d kernel on a (N, C, d1, rest) view, as torch does
    n, c, d1 = input.shape[:3]
    rest = 1
    for s in input.shape[3:]:
        rest *= s
    out = _NllLoss2d.apply(input.reshape(n, c, d1, rest), target.reshape(n, d1, rest), weight,
                           ignore_index, reduction)
    return out.reshape(target.shape) if reduction == 'none' else out


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction='mean', label_smoothing=0.0):
    """log_softmax over the class dim followed by nll_loss; or, for float targets shaped like
    the input, -sum(p * log_softmax(x)) with class probabilities p."""
    reduction = _reduction(size_average, reduce, reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    if input.dim() == 0:
        raise ValueError("Expected 1 or more dimensions (got 0)")
    cdim = 0 if input.dim() == 1 else 1
    C = input.shape[cdim]
    logp = log_softmax(input, cdim)
    wview = None
    if weight is not None:
        if weight.dim() != 1 or weight.shape[0] != C:
            raise RuntimeError(f"weight tensor should be defined either for all {C} classes or no "
                               f"classes but got weight tensor of shape: {list(weight.shape)}")
        shape = [1] * input.dim()
        shape[cdim] = C
        wview = weight.reshape(shape)
    if target.shape == input.shape and target.is_floating_point():
        # class probabilities
        if label_smoothing > 0:
            target = target * (1 - label_smoothing) + label_smoothing / C
        prod = logp * target if wview is None else logp * target * wview
        if reduction == 'none':
            return -prod.sum(cdim)
        if reduction == 'sum':
            return -prod.sum()
        n = input.numel() // C if C else 0
        return -prod.sum() / n
    nll = nll_loss(logp, target, weight, None, ignore_index, None, reduction)
    if label_smoothing <= 0:
        return nll
    ignore = target == ignore_index
    smooth = -(logp if wview is None else logp * wview).sum(cdim)
    smooth = where(ignore, 0.0, smooth).to(smooth.dtype)
    if reduction == 'mean':
        if weight is not None:
            tsafe = where(ignore, 0, target)
            den = where(ignore, 0.0, weight[tsafe]).to(weight.dtype).sum()
        else:
            den = (~ignore).sum()
        smooth = smooth.sum() / den
    elif reduction == 'sum':
        smooth = smooth.sum()
    return nll * (1 - label_smoothing) + smooth * (label_smoothing / C)


# ------------------------------------------------------------------------- likelihoods

def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-8,
                     reduce=None, reduction='mean'):
    """exp(x) - t x (log_input) or x - t log(x + eps); full adds Stirling's term for t > 1."""
    reduction = _reduction(size_average, reduce, reduction)
    if log_input:
        loss = input.exp() - target * input
    else:
        loss = input - target * (input + eps).log()
    if full:
        stirling = target * target.log() - target + (target * (2 * math.pi)).log() * 0.5
        loss = loss + where(target > 1, stirling, 0.0).to(stirling.dtype)
    return _reduce(loss, reduction)


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction='mean'):
    """0.5 (log var + (x - t)^2 / var) with var clamped at eps (the clamp passes gradients
    through unchanged, as torch's in-place no_grad clamp does)."""
    if not isinstance(var, Tensor):
        from ..._ops.creation import full_like
        var = full_like(input, var)
    if var.shape != input.shape:
        if input.shape[:-1] == var.shape:
            var = var.unsqueeze(-1)
        elif input.shape[:-1] == var.shape[:-1] and var.dim() and var.shape[-1] == 1:
            pass
        else:
            raise ValueError("var is of incorrect size")
    if reduction not in ('none', 'mean', 'sum'):
        raise ValueError(reduction + " is not valid")
    if bool((var < 0).any()):
        raise ValueError("var has negative entry/entries")
    vd = var.detach()
    var = var + (vd.clamp(min=eps) - vd)
    loss = (var.log() + (input - target) ** 2 / var) * 0.5
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)


_KL_MEAN_WARNING = ("reduction: 'mean' divides the total loss by both the batch size and the "
                    "support size.'batchmean' divides only by the batch size, and aligns with the "
                    "KL div math definition.'mean' will be changed to behave the same as "
                    "'batchmean' in the next major release.")


def kl_div(input, target, size_average=None, reduce=None, reduction='mean', log_target=False):
    """Pointwise KL divergence target * (log target - input), input given as log-probabilities."""
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    elif reduction == 'mean':
        warnings.warn(_KL_MEAN_WARNING, stacklevel=2)
    if reduction not in ('none', 'mean', 'sum', 'batchmean'):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if log_target:
        loss = target.exp() * (target - input)
    else:
        loss = xlogy(target, target) - target * input
    if reduction == 'batchmean':
        return loss.sum() / input.shape[0] if input.dim() else loss.sum()
    return _reduce(loss, reduction)


class _BinaryCrossEntropy(Function, node_name='BinaryCrossEntropyBackward0'):
    @staticmethod
    def forward(ctx, x, t, w, reduction):
        xp = x._storage.device.xp
        a, b = x._data, t._data
        if a.size and bool((~((a >= 0) & (a <= 1))).any()):   # NaN is out of range too (as in torch)
            raise RuntimeError("all elements of input should be between 0 and 1")
        k = a.dtype.type
        es = getattr(xp, 'errstate', None)
        with (es(divide='ignore') if es else _Null()):      # log(0) = -inf, clamped to -100
            loss = -(b * xp.maximum(xp.log(a), k(-100)) + (k(1) - b) * xp.maximum(xp.log(k(1) - a), k(-100)))
        if w is not None:
            loss = loss * w._data
        ctx.save_for_backward(x, t, w)
        ctx.reduction, ctx.n = reduction, a.size
        return _reduce_arr(xp, loss.astype(a.dtype, copy=False), reduction)

    @staticmethod
    def backward(ctx, g):
        x, t, w = ctx.saved_tensors
        g = _mean_scale(ctx, g)
        if w is not None:
            g = g * w
        gx = g * (x - t) / ((1.0 - x) * x).clamp(min=1e-12)
        gt = g * ((1.0 - x).log().clamp(min=-100) - x.log().clamp(min=-100))
        return gx, gt, None, None


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None,
                         reduction='mean'):
    """-w (t log x + (1 - t) log(1 - x)) with each log clamped at -100, as torch."""
    reduction = _reduction(size_average, reduce, reduction)
    if target.shape != input.shape:
        raise ValueError(f"Using a target size ({target.shape}) that is different to the input size "
                         f"({input.shape}) is deprecated. Please ensure they have the same size.")
    if weight is not None:
        weight = weight.expand(input.shape)
    return _BinaryCrossEntropy.apply(input, target, weight, reduction)


class _BCEWithLogits(Function, node_name='BinaryCrossEntropyWithLogitsBackward0'):
    @staticmethod
    def forward(ctx, x, t, w, pw, reduction):
        xp = x._storage.device.xp
        a, b = x._data, t._data
        k = a.dtype.type
        sp = xp.log1p(xp.exp(-xp.abs(a))) + xp.maximum(-a, k(0))   # softplus(-x), stable
        if pw is None:
            loss = (k(1) - b) * a + sp
        else:
            loss = (k(1) - b) * a + (k(1) + (pw._data - k(1)) * b) * sp
        if w is not None:
            loss = loss * w._data
        ctx.save_for_backward(x, t, w, pw)
        ctx.reduction, ctx.n = reduction, a.size
        return _reduce_arr(xp, loss.astype(a.dtype, copy=False), reduction)

    @staticmethod
    def backward(ctx, g):
        x, t, w, pw = ctx.saved_tensors
        g = _mean_scale(ctx, g)
        if w is not None:
            g = g * w
        if pw is None:
            gx = sigmoid(x) - t
            gt = -x
        else:
            gx = (1.0 - t) - (1.0 + (pw - 1.0) * t) * sigmoid(-x)
            sp = (-x).clamp(min=0) + (-x.abs()).exp().log1p()
            gt = -x + (pw - 1.0) * sp
        return g * gx, g * gt, None, None, None


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction='mean', pos_weight=None):
    """BCE on sigmoid(input), as (1 - t) x + (1 + (pw - 1) t) softplus(-x): finite for any x."""
    reduction = _reduction(size_average, reduce, reduction)
    if target.shape != input.shape:
        raise ValueError(f"Target size ({target.shape}) must be the same as input size ({input.shape})")
    _no_grad_arg(weight, 'binary_cross_entropy_with_logits', 'weight')
    _no_grad_arg(pos_weight, 'binary_cross_entropy_with_logits', 'pos_weight')
    return _BCEWithLogits.apply(input, target, weight, pos_weight, reduction)


# ------------------------------------------------------------------------ margin losses

def margin_ranking_loss(input1, input2, target, margin=0, size_average=None, reduce=None,
                        reduction='mean'):
    """max(0, -y (x1 - x2) + margin)."""
    reduction = _reduction(size_average, reduce, reduction)
    if not (input1.dim() == input2.dim() == target.dim()):
        raise RuntimeError(f"margin_ranking_loss : All input tensors should have same dimension but "
                           f"got sizes: input1: {input1.shape}, input2: {input2.shape}, target: "
                           f"{target.shape} ")
    return _reduce((-target * (input1 - input2) + margin).clamp_min(0), reduction)


def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None,
                         reduction='mean'):
    """x where y = 1, max(0, margin - x) where y = -1."""
    reduction = _reduction(size_average, reduce, reduction)
    zero = input.new_zeros(())
    out_margin = where(target != 1, (margin - input).clamp_min(0), zero)
    out_self = where(target != -1, input, zero)
    return _reduce(out_margin + out_self, reduction)


class _MultilabelMarginLoss(Function, node_name='MultilabelMarginLossBackward0'):
    """sum over targets j and non-targets i of max(0, 1 - (x[y_j] - x[i])) / C; piecewise
    linear, so the gradient (a constant per input) is built in forward."""

    @staticmethod
    def forward(ctx, input, target, reduction):
        xp = input._storage.device.xp
        x = input._data
        y = target._data
        batched = x.ndim == 2
        if not batched:
            x, y = x.reshape(1, -1), y.reshape(1, -1)
        N, C = x.shape
        if y.size and bool(((y < -1) | (y >= C)).any()):
            raise RuntimeError("argument #2 'target' is out of range")
        valid = xp.cumprod(y >= 0, axis=1).astype(bool)            # before the first -1
        ys = xp.where(valid, y, 0)
        onehot = (ys[:, :, None] == xp.arange(C)[None, None, :]) & valid[:, :, None]  # (N, J, C)
        is_target = onehot.any(axis=1)                               # (N, C)
        xy = xp.take_along_axis(x, ys, axis=1)                       # (N, J)
        h = x.dtype.type(1) - xy[:, :, None] + x[:, None, :]         # (N, J, C)
        active = (h > 0) & valid[:, :, None] & ~is_target[:, None, :]
        k = x.dtype.type
        loss = xp.where(active, h, k(0)).sum(axis=(1, 2)) / k(C) if C else xp.zeros(N, x.dtype)
        a = active.astype(x.dtype)
        grad = (a.sum(axis=1) - (onehot * a.sum(axis=2)[:, :, None]).sum(axis=1)) / k(max(C, 1))
        ctx.grad, ctx.reduction, ctx.batched, ctx.n = grad, reduction, batched, N
        out = _reduce_arr(xp, loss.astype(x.dtype), reduction)
        return out if batched or reduction != 'none' else out[0]

    @staticmethod
    def backward(ctx, g):
        gr = Tensor._from_array(ctx.grad.astype(g._data.dtype), g._storage.device)
        if ctx.reduction == 'none':
            g = g.reshape(-1, 1)
        elif ctx.reduction == 'mean' and ctx.n:
            g = g / ctx.n
        gi = gr * g
        return (gi if ctx.batched else gi[0]), None, None


def multilabel_margin_loss(input, target, size_average=None, reduce=None, reduction='mean'):
    reduction = _reduction(size_average, reduce, reduction)
    if input.dim() > 2 or target.shape != input.shape:
        raise RuntimeError(f"inconsistent target size: {list(target.shape)} for input of size: "
                           f"{list(input.shape)}")
    return _MultilabelMarginLoss.apply(input, target, reduction)


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None,
                                reduction='mean'):
    """Per-class logistic loss averaged over classes."""
    reduction = _reduction(size_average, reduce, reduction)
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    loss = loss.sum(dim=input.dim() - 1) / input.shape[-1]
    return _reduce(loss, reduction)


def cosine_embedding_loss(input1, input2, target, margin=0, size_average=None, reduce=None,
                          reduction='mean'):
    """1 - cos(x1, x2) where y = 1, max(0, cos - margin) where y = -1."""
    reduction = _reduction(size_average, reduce, reduction)
    if target.dim() > 1 or input1.dim() != target.dim() + 1 or input1.shape != input2.shape:
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    d = input1.dim() - 1
    eps = 1e-12
    prod = (input1 * input2).sum(d)
    denom = (((input1 * input1).sum(d) + eps) * ((input2 * input2).sum(d) + eps)).sqrt()
    cos = prod / denom
    zero = cos.new_zeros(())
    out = where(target == 1, 1 - cos, zero) + where(target == -1, (cos - margin).clamp_min(0), zero)
    return _reduce(out, reduction)


class _MultiMarginLoss(Function, node_name='MultiMarginLossBackward0'):
    """sum_{i != y} w[y] max(0, margin - x[y] + x[i])^p / C."""

    @staticmethod
    def forward(ctx, input, target, weight, p, margin, reduction):
        xp = input._storage.device.xp
        x = input._data
        batched = x.ndim == 2
        x2 = x if batched else x.reshape(1, -1)
        C = x2.shape[1]
        y = target._data.reshape(-1).astype('int64')
        if y.size and bool(((y < 0) | (y >= C)).any()):
            raise RuntimeError("target out of range")
        onehot = xp.arange(C)[None, :] == y[:, None]
        h = _mm_terms(xp, x2, y, onehot, weight, p, margin)
        loss = h.sum(axis=1)
        ctx.save_for_backward(input)
        ctx.params = (y, onehot, weight, p, margin, reduction, batched, x2.shape[0])
        out = _reduce_arr(xp, loss.astype(x.dtype), reduction)
        return out if batched or reduction != 'none' else out.reshape(())

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        y, onehot, weight, p, margin, reduction, batched, n = ctx.params
        dev = x._storage.device
        x2 = x if batched else x.reshape(1, -1)
        C = x2.shape[1]
        oh = Tensor._from_array(onehot, dev)
        xy = (x2 * oh).sum(1, keepdim=True)
        h = (margin - xy + x2)
        act = (h > 0) & ~oh
        d = where(act, h * 2.0 if p == 2 else h.new_ones(()), h.new_zeros(()))
        if weight is not None:
            d = d * weight.to(x.dtype)[Tensor._from_array(y, dev)].unsqueeze(1)
        d = d / C
        gi = d - oh * d.sum(1, keepdim=True)
        if reduction == 'none':
            g = g.reshape(-1, 1)
        elif reduction == 'mean' and n:
            g = g / n
        gi = gi * g
        return (gi if batched else gi.reshape(x.shape)), None, None, None, None, None


def _mm_terms(xp, x, y, onehot, weight, p, margin):
    k = x.dtype.type
    xy = xp.take_along_axis(x, y[:, None], axis=1)
    h = xp.maximum(k(margin) - xy + x, k(0))
    h = xp.where(onehot, k(0), h)
    if p == 2:
        h = h * h
    if weight is not None:
        h = h * weight._data.astype(x.dtype)[y][:, None]
    return h / k(max(x.shape[1], 1))


def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, size_average=None,
                      reduce=None, reduction='mean'):
    reduction = _reduction(size_average, reduce, reduction)
    if p != 1 and p != 2:
        raise ValueError("only p == 1 and p == 2 supported")
    if weight is not None and weight.dim() != 1:
        raise ValueError("weight must be one-dimensional")
    _no_grad_arg(weight, 'multi_margin_loss', 'weight')
    if input.dim() > 2 or target.dim() > 1 or \
            (input.dim() == 2 and target.numel() != input.shape[0]) or \
            (input.dim() < 2 and target.numel() != 1):
        raise RuntimeError(f"inconsistent target size, expected {input.shape[0] if input.dim() == 2 else 1}"
                           f" but got {list(target.shape)}")
    return _MultiMarginLoss.apply(input, target, weight, p, margin, reduction)


# ----------------------------------------------------------------------- triplet losses

def _pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    from . import distance
    fn = getattr(distance, 'pairwise_distance', None)
    if fn is not None:
        return fn(x1, x2, p, eps, keepdim)
    from ...linalg import vector_norm
    dim = max(x1.dim(), x2.dim()) - 1
    return vector_norm(x1 - x2 + eps, p, dim if dim >= 0 else None, keepdim)


def _check_triplet_dims(a, p, n):
    if not (a.dim() == p.dim() == n.dim()):
        raise RuntimeError(f"The anchor, positive, and negative tensors are expected to have the same "
                           f"number of dimensions, but got: anchor {a.dim()}D, positive {p.dim()}D, "
                           f"and negative {n.dim()}D inputs")


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False,
                        size_average=None, reduce=None, reduction='mean'):
    """max(0, margin + d(a, p) - d(a, n)) with p-norm distances (swap: d(a, n) -> min with d(p, n))."""
    reduction = _reduction(size_average, reduce, reduction)
    _check_triplet_dims(anchor, positive, negative)
    d_pos = _pairwise_distance(anchor, positive, p, eps)
    d_neg = _pairwise_distance(anchor, negative, p, eps)
    if swap:
        from ... import minimum
        d_neg = minimum(d_neg, _pairwise_distance(positive, negative, p, eps))
    return _reduce((margin + d_pos - d_neg).clamp_min(0), reduction)


def triplet_margin_with_distance_loss(anchor, positive, negative, *, distance_function=None,
                                      margin=1.0, swap=False, reduction='mean'):
    """Triplet loss with any distance function (default: pairwise_distance)."""
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    if reduction not in ('none', 'mean', 'sum'):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    _check_triplet_dims(anchor, positive, negative)
    dist = distance_function if distance_function is not None else _pairwise_distance
    d_pos = dist(anchor, positive)
    d_neg = dist(anchor, negative)
    if swap:
        from ... import minimum
        d_neg = minimum(d_neg, dist(positive, negative))
    return _reduce((margin + d_pos - d_neg).clamp_min(0), reduction)
