"""pairwise_distance, cosine_similarity, pdist and normalize (torch.nn.functional).

pairwise_distance, cosine_similarity and normalize are compositions of ember ops (as in
torch). pdist is one Function (PdistBackward0): it gathers all i<j row pairs at once and
its backward gives zero gradient at zero distance, as torch's does.
"""
from ..._tensor import Tensor
from ...autograd.function import Function

__all__ = ['pairwise_distance', 'cosine_similarity', 'pdist', 'normalize']


def _check_float(*ts):
    from ... import _dtype as D
    dt = D.result_type(*ts)
    if dt.category not in (D._FLOAT, D._COMPLEX):
        from ..._ops._util import _type_word
        raise RuntimeError(f"expected common dtype to be floating point, yet common dtype is "
                           f"{_type_word(dt)}")


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """p-norm of x1 - x2 + eps over the last dim (inputs broadcast)."""
    nd = max(x1.dim(), x2.dim())
    diff = x1 - x2 + eps
    if nd == 0:
        return diff.norm(p)
    return diff.norm(p, dim=-1, keepdim=keepdim)


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """sum(x1 * x2, dim) / (max(||x1||, eps) * max(||x2||, eps)).

    As torch: each input is divided by its norm first (no overflow of the product), and the
    clamp to eps changes the norm's value only; its gradient is the unclamped norm's.
    """
    _check_float(x1, x2)

    def norm(x):
        n = x.norm(2, dim=dim, keepdim=True)
        return n + (n.clamp_min(eps) - n).detach()
    return ((x1 / norm(x1)) * (x2 / norm(x2))).sum(dim)


class _Pdist(Function, node_name='PdistBackward0'):
    @staticmethod
    def forward(ctx, x, p):
        xp = x._storage.device.xp
        n = x._data.shape[0]
        i, j = xp.triu_indices(n, 1)
        diff = x._data[i] - x._data[j]
        a = xp.abs(diff)
        if p == 0:
            d = (a != 0).sum(axis=1).astype(diff.dtype)
        elif p == float('inf'):
            d = a.max(axis=1) if a.shape[1] else xp.zeros(a.shape[0], diff.dtype)
        elif p == 1:
            d = a.sum(axis=1)
        elif p == 2:
            d = xp.sqrt((a * a).sum(axis=1))
        else:
            d = (a ** p).sum(axis=1) ** (1.0 / p)
        ctx.p, ctx.i, ctx.j = p, i, j
        out = Tensor._from_array(d, x._storage.device)
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, g):
        from ... import zeros_like, where, sign
        x, d = ctx.saved_tensors
        p = ctx.p
        dev = x._storage.device
        i = Tensor._from_array(ctx.i, dev)
        j = Tensor._from_array(ctx.j, dev)
        diff = x.index_select(0, i) - x.index_select(0, j)
        dcol = d.unsqueeze(1)
        if p == 0:
            gd = diff * 0
        elif p == 1:
            gd = sign(diff) * g.unsqueeze(1)
        elif p == float('inf'):
            gd = sign(diff) * (diff.abs() == dcol) * g.unsqueeze(1)
        else:
            safe = where(dcol == 0, 1.0, dcol)
            if p == 2:
                gd = diff / safe
            else:
                gd = sign(diff) * diff.abs() ** (p - 1) / safe ** (p - 1)
            gd = where(dcol == 0, 0.0, gd) * g.unsqueeze(1)
        gx = zeros_like(x).index_add(0, i, gd).index_add(0, j, -gd)
        return gx, None


def pdist(input, p=2):
    """p-norm distances between all pairs of rows i < j of a 2-D input (n*(n-1)/2 values)."""
    if input.dim() != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input.dim()}D")
    if p < 0:
        raise RuntimeError("pdist only supports non-negative p values")
    return _Pdist.apply(input, float(p))


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """input / max(||input||_p over dim, eps)."""
    denom = input.norm(p, dim, keepdim=True).clamp_min(eps).expand_as(input)
    if out is None:
        return input / denom
    from ... import div
    return div(input, denom, out=out)
