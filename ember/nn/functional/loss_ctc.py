"""Connectionist Temporal Classification loss. The forward (alpha) and backward (beta)
recursions run in log space over the blank-extended label sequence, vectorized over the batch
and the label positions; only the time steps are a Python loop."""
from ..._tensor import Tensor
from ...autograd.function import Function

__all__ = ['ctc_loss']


def _lse3(xp, a, b, c):
    """log(exp(a) + exp(b) + exp(c)), -inf where all three are -inf."""
    m = xp.maximum(xp.maximum(a, b), c)
    ms = xp.where(xp.isfinite(m), m, m.dtype.type(0))
    with _quiet(xp):
        return ms + xp.log(xp.exp(a - ms) + xp.exp(b - ms) + xp.exp(c - ms))


class _quiet:
    def __init__(self, xp):
        es = getattr(xp, 'errstate', None)
        self.cm = es(divide='ignore', invalid='ignore', over='ignore') if es else None

    def __enter__(self):
        if self.cm is not None:
            self.cm.__enter__()

    def __exit__(self, *exc):
        if self.cm is not None:
            self.cm.__exit__(*exc)


def _shift(xp, a, k, fill):
    """a shifted right (k > 0) or left (k < 0) along the last axis, filled with `fill`."""
    out = xp.full(a.shape, fill, dtype=a.dtype)
    if k > 0:
        out[:, k:] = a[:, :-k]
    else:
        out[:, :k] = a[:, -k:]
    return out


class _CtcLoss(Function, node_name='CtcLossBackward0'):
    """Per-sample negative log likelihood of the targets; grad as torch's (the gradient with
    respect to the logits before a log_softmax: exp(lp) - posterior occupancy)."""

    @staticmethod
    def forward(ctx, log_probs, tg, il, tl, blank, zero_infinity):
        xp = log_probs._storage.device.xp
        lp = log_probs._data
        T, N, C = lp.shape
        ninf = lp.dtype.type(-float('inf'))
        Sp = 2 * tg.shape[1] + 1
        s_idx = xp.arange(Sp)[None, :]
        valid_s = s_idx < (2 * tl[:, None] + 1)
        ext = xp.full((N, Sp), blank, dtype=tg.dtype)
        ext[:, 1::2] = tg
        ext = xp.where(valid_s, ext, blank)
        skip = xp.zeros((N, Sp), dtype=bool)
        skip[:, 2:] = (ext[:, 2:] != blank) & (ext[:, 2:] != ext[:, :-2])
        lpe = xp.take_along_axis(lp, xp.broadcast_to(ext[None], (T, N, Sp)), axis=2)
        active_t = xp.arange(T)[:, None] < il[None, :]            # (T, N)

        alpha = xp.full((T, N, Sp), ninf, dtype=lp.dtype)
        if T:
            a0 = xp.full((N, Sp), ninf, dtype=lp.dtype)
            a0[:, 0] = lpe[0, :, 0]
            if Sp > 1:
                a0[:, 1] = lpe[0, :, 1]
            alpha[0] = xp.where(valid_s, a0, ninf)
        for t in range(1, T):
            prev = alpha[t - 1]
            new = _lse3(xp, prev, _shift(xp, prev, 1, ninf),
                        xp.where(skip, _shift(xp, prev, 2, ninf), ninf)) + lpe[t]
            new = xp.where(valid_s, new, ninf)
            alpha[t] = xp.where(active_t[t][:, None], new, prev)
        last = alpha[T - 1] if T else xp.full((N, Sp), ninf, dtype=lp.dtype)
        e1 = xp.take_along_axis(last, (2 * tl)[:, None], axis=1)[:, 0]
        e2 = xp.take_along_axis(last, xp.maximum(2 * tl - 1, 0)[:, None], axis=1)[:, 0]
        e2 = xp.where(tl > 0, e2, ninf)
        nll = -_lse3(xp, e1, e2, xp.full(e1.shape, ninf, dtype=lp.dtype))
        inf = xp.isinf(nll)
        loss = xp.where(inf, lp.dtype.type(0), nll) if zero_infinity else nll
        ctx.saved = (lp, lpe, alpha, ext, skip, valid_s, active_t, il, tl, nll, inf, zero_infinity)
        return loss

    @staticmethod
    def backward(ctx, g):
        lp, lpe, alpha, ext, skip, valid_s, active_t, il, tl, nll, inf, zero_inf = ctx.saved
        xp = g._storage.device.xp
        T, N, C = lp.shape
        Sp = ext.shape[1]
        ninf = lp.dtype.type(-float('inf'))
        s_idx = xp.arange(Sp)[None, :]
        end = ((s_idx == 2 * tl[:, None]) | ((s_idx == 2 * tl[:, None] - 1) & (tl[:, None] > 0)))
        skip2 = _shift(xp, skip, -2, False)
        beta = xp.full((T, N, Sp), ninf, dtype=lp.dtype)
        cur = xp.full((N, Sp), ninf, dtype=lp.dtype)
        for t in range(T - 1, -1, -1):
            rec = _lse3(xp, cur, _shift(xp, cur, -1, ninf),
                        xp.where(skip2, _shift(xp, cur, -2, ninf), ninf)) + lpe[t]
            init = xp.where(end, lpe[t], ninf)
            is_last = (il - 1 == t)[:, None]
            cur = xp.where(is_last, init, xp.where((t < il - 1)[:, None], rec, ninf))
            cur = xp.where(valid_s, cur, ninf)
            beta[t] = cur
        with _quiet(xp):
            occ = xp.exp(alpha + beta - lpe + nll[None, :, None])   # posterior of each position
            occ = xp.where(active_t[:, :, None], occ, lp.dtype.type(0))
            onehot = (ext[:, :, None] == xp.arange(C)[None, None, :]).astype(lp.dtype)  # (N, Sp, C)
            q = xp.matmul(occ.transpose(1, 0, 2), onehot).transpose(1, 0, 2)           # (T, N, C)
            grad = xp.where(active_t[:, :, None], xp.exp(lp) - q, lp.dtype.type(0))
        if zero_inf:
            grad = xp.where(inf[None, :, None], lp.dtype.type(0), grad)
        grad = Tensor._from_array(grad.astype(g._data.dtype, copy=False), g._storage.device)
        return grad * g.reshape(1, -1, 1), None, None, None, None, None


def _lengths(x, xp, n, what):
    if isinstance(x, Tensor):
        a = x._data
    else:
        a = xp.asarray(x)
    a = a.reshape(-1).astype('int64')
    if a.shape[0] != n:
        raise RuntimeError(f"{what} must be of size batch_size")
    return a


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction='mean',
             zero_infinity=False):
    """CTC loss of (T, N, C) (or unbatched (T, C)) log-probabilities against padded (N, S) or
    concatenated 1-D targets. 'mean' divides each loss by its target length, then averages."""
    if reduction not in ('none', 'mean', 'sum'):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    xp = log_probs._storage.device.xp
    unbatched = log_probs.dim() == 2
    if unbatched:
        log_probs = log_probs.unsqueeze(1)
        if targets.dim() == 1:
            targets = targets.unsqueeze(0)
    if log_probs.dim() != 3:
        raise RuntimeError(f"ctc_loss expects log_probs to be a 2-D or 3-D tensor, got {log_probs.dim()}-D")
    T, N, C = log_probs.shape
    il = _lengths(input_lengths, xp, N, 'input_lengths')
    tl = _lengths(target_lengths, xp, N, 'target_lengths')
    if N and int(il.max()) > T:
        raise RuntimeError(f"Expected input_lengths to have value at most {T}, but got value "
                           f"{int(il.max())} (while checking arguments for ctc_loss_allocate_outputs)")
    if N and int(tl.min()) < 0:
        raise RuntimeError("target_lengths must be non-negative")
    if blank < 0 or blank >= C:
        raise RuntimeError("blank must be in label range")
    tdata = targets._data.astype('int64')
    smax = int(tl.max()) if N else 0
    if targets.dim() == 2:
        if smax > targets.shape[1]:
            raise RuntimeError(f"Expected tensor to have size at least {smax} at dimension 1, but got "
                               f"size {targets.shape[1]} for argument #2 'targets' (while checking "
                               f"arguments for ctc_loss_allocate_outputs)")
        tg = tdata[:, :max(smax, 0)]
    else:
        total = int(tl.sum())
        if total > tdata.shape[0]:
            raise RuntimeError(f"Expected tensor to have size at least {total} at dimension 0, but got "
                               f"size {tdata.shape[0]} for argument #2 'targets' (while checking "
                               f"arguments for ctc_loss_allocate_outputs)")
        offs = xp.cumsum(tl) - tl
        idx = offs[:, None] + xp.arange(smax)[None, :]
        inside = xp.arange(smax)[None, :] < tl[:, None]
        tg = xp.where(inside, tdata[xp.where(inside, idx, 0)] if tdata.size else 0, blank)
    inside = xp.arange(tg.shape[1])[None, :] < tl[:, None]
    if tg.size and bool(((tg < 0) | (tg >= C))[inside].any()):
        raise RuntimeError("ctc_loss: target index out of range")
    tg = xp.where(inside, tg, blank)
    loss = _CtcLoss.apply(log_probs, tg, il, tl, blank, zero_infinity)
    if reduction == 'none':
        return loss.reshape(()) if unbatched else loss
    if reduction == 'sum':
        return loss.sum()
    tlt = Tensor._from_array(xp.maximum(tl, 1).astype(log_probs._data.dtype), log_probs._storage.device)
    return (loss / tlt).mean()
