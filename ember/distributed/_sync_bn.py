"""SyncBatchNorm's cross-process statistics: per-channel sums and counts are all-reduced so
every rank normalizes with the mean/variance of the whole (all-ranks) batch; the gradient of
the all-reduce is again an all-reduce, so backward matches BatchNorm over the full batch."""
from ..autograd.function import Function
from ..autograd.grad_mode import no_grad


class _AllReduceSum(Function):
    node_name = 'AllReduceBackward'

    @staticmethod
    def forward(ctx, x, group):
        from . import distributed_c10d as c10d
        ctx.group = group
        out = x.detach().clone()
        c10d._all_reduce_unchecked(out, c10d.ReduceOp.SUM, c10d._pg(group)).wait()
        return out

    @staticmethod
    def backward(ctx, grad):
        return _AllReduceSum.apply(grad.contiguous(), ctx.group), None


def _sync_batch_norm(input, running_mean, running_var, weight, bias, momentum, eps, group):
    """Batch norm (training mode) over the union of all ranks' batches."""
    c = input.shape[1]
    dims = [0] + list(range(2, input.dim()))
    local_n = input.numel() // c
    s1 = input.sum(dims)
    s2 = (input * input).sum(dims)
    from .. import full, cat
    n_t = full((1,), float(local_n), dtype=input.dtype)
    stats = _AllReduceSum.apply(cat([s1, s2, n_t]), group)
    n = stats[2 * c]
    mean = stats[:c] / n
    var = (stats[c:2 * c] / n - mean * mean).clamp(min=0)
    shape = [1, c] + [1] * (input.dim() - 2)
    y = (input - mean.reshape(shape)) * (var + eps).rsqrt().reshape(shape)
    if weight is not None:
        y = y * weight.reshape(shape)
    if bias is not None:
        y = y + bias.reshape(shape)
    if running_mean is not None and momentum is not None:
        with no_grad():
            total = float(n.item())
            unbiased = var.detach() * (total / max(total - 1.0, 1.0))
            running_mean.mul_(1 - momentum).add_(mean.detach().to(running_mean.dtype) * momentum)
            running_var.mul_(1 - momentum).add_(unbiased.to(running_var.dtype) * momentum)
    return y
