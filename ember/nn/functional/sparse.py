"""embedding, embedding_bag and one_hot (torch.nn.functional).

embedding and embedding_bag are fused Functions (EmbeddingBackward0 / EmbeddingBagBackward0):
the forward gathers rows with one `take`, the backward scatter-adds the gradient rows into a
zero weight gradient with one vectorized index_add (duplicates summed), written with ember ops
so it is differentiable again. Weight gradients are dense, also when sparse=True is passed.
"""
from ... import _dtype as D
from ..._tensor import Tensor
from ...autograd.function import Function
from ...autograd.grad_mode import no_grad

__all__ = ['embedding', 'embedding_bag', 'one_hot']


def _tensor(arr, device):
    return Tensor._from_array(arr, device)


def _check_indices(indices, name='indices', fn='embedding'):
    if indices.dtype not in (D.int64, D.int32):
        from ..._printing import type_name
        raise RuntimeError(f"Expected tensor for argument #1 '{name}' to have one of the following "
                           f"scalar types: Long, Int; but got {type_name(indices)} instead (while "
                           f"checking arguments for {fn})")


def _check_range(idx, num):
    if idx.size and bool(((idx < 0) | (idx >= num)).any()):
        raise IndexError("index out of range in self")


def _renorm_(weight, idx, max_norm, norm_type):
    """Rescale (in place, no grad) the looked-up rows whose norm exceeds max_norm."""
    xp = weight._storage.device.xp
    rows = xp.unique(idx.reshape(-1))
    if rows.size == 0:
        return
    w = weight._data
    sel = w[rows]
    a = xp.abs(sel)
    if norm_type == float('inf'):
        norms = a.max(axis=1)
    elif norm_type == 0:
        norms = (a != 0).sum(axis=1).astype(w.dtype)
    else:
        norms = (a ** norm_type).sum(axis=1) ** (1.0 / norm_type)
    scale = xp.where(norms > max_norm, max_norm / (norms + 1e-7), 1.0).astype(w.dtype)
    w[rows] = sel * scale[:, None]
    weight._storage.version += 1


def _freq(xp, idx, num):
    return xp.bincount(idx.reshape(-1), minlength=num)


class _Embedding(Function, node_name='EmbeddingBackward0'):
    @staticmethod
    def forward(ctx, weight, indices, padding_idx, scale_grad_by_freq):
        xp = weight._storage.device.xp
        idx = indices._data.reshape(-1)
        ctx.idx, ctx.num, ctx.dim = idx, weight._data.shape[0], weight._data.shape[1:]
        ctx.padding_idx, ctx.scale = padding_idx, scale_grad_by_freq
        rows = xp.take(weight._data, idx, axis=0)
        return rows.reshape(indices._data.shape + weight._data.shape[1:])

    @staticmethod
    def backward(ctx, g):
        from ... import zeros
        dev = g._storage.device
        xp = dev.xp
        idx = ctx.idx
        g2 = g.reshape((idx.shape[0],) + tuple(ctx.dim))
        factor = None
        if ctx.padding_idx is not None:
            factor = (idx != ctx.padding_idx).astype(g._data.dtype)
        if ctx.scale:
            inv = 1.0 / _freq(xp, idx, ctx.num)[idx].astype(g._data.dtype)
            factor = inv if factor is None else factor * inv
        if factor is not None:
            g2 = g2 * _tensor(factor.reshape((-1,) + (1,) * len(ctx.dim)), dev)
        gw = zeros((ctx.num,) + tuple(ctx.dim), dtype=g.dtype, device=dev)
        return gw.index_add(0, _tensor(idx, dev), g2), None, None, None


def _padding_idx(padding_idx, num):
    if padding_idx is None:
        return None
    if padding_idx > 0:
        assert padding_idx < num, 'Padding_idx must be within num_embeddings'
    elif padding_idx < 0:
        assert padding_idx >= -num, 'Padding_idx must be within num_embeddings'
        padding_idx = num + padding_idx
    return padding_idx


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0,
              scale_grad_by_freq=False, sparse=False):
    """Rows of `weight` at the integer positions in `input`: shape input.shape + (dim,)."""
    padding_idx = _padding_idx(padding_idx, weight.shape[0])
    _check_indices(input)
    _check_range(input._data, weight.shape[0])
    if max_norm is not None:
        with no_grad():
            _renorm_(weight, input._data, max_norm, norm_type)
    return _Embedding.apply(weight, input, padding_idx, scale_grad_by_freq)


class _Plan:
    """Index bookkeeping of one embedding_bag call (arrays on the weight's device)."""

    def __init__(self, idx, bag, pos, nbags, n, counts, freq, num):
        self.idx, self.bag, self.pos = idx, bag, pos    # the kept entries
        self.nbags, self.n, self.counts, self.freq = nbags, n, counts, freq
        self.num = num                                  # rows of the weight


class _EmbeddingBag(Function, node_name='EmbeddingBagBackward0'):
    @staticmethod
    def forward(ctx, weight, psw, plan, mode):
        from ... import zeros
        dev = weight._storage.device
        xp = dev.xp
        ctx.plan, ctx.mode = plan, mode
        d = weight._data.shape[1]
        rows = xp.take(weight._data, plan.idx, axis=0)
        bag_t = _tensor(plan.bag, dev)
        if mode == 'max':
            out = zeros((plan.nbags, d), dtype=weight.dtype, device=dev)
            rows_t = _tensor(rows, dev)
            bidx = _tensor(xp.broadcast_to(plan.bag[:, None], rows.shape).copy(), dev)
            out = out.scatter_reduce(0, bidx, rows_t, 'amax', include_self=False)
            # position (among kept entries) of the first maximum of each (bag, column)
            nv = rows.shape[0]
            hit = rows == out._data[plan.bag]
            pos = xp.where(hit, xp.arange(nv)[:, None], nv)
            first = _tensor(xp.full((plan.nbags, d), nv, dtype=pos.dtype), dev)
            first = first.scatter_reduce(0, bidx, _tensor(pos, dev), 'amin')._data
            ctx.first = first
            return out
        if psw is not None:
            ctx.save_for_backward(weight, psw)
            rows = rows * xp.take(psw._data.reshape(-1), plan.pos)[:, None]
        out = zeros((plan.nbags, d), dtype=weight.dtype, device=dev)
        out = out.index_add(0, bag_t, _tensor(rows, dev))
        if mode == 'mean':
            out = out / _tensor(xp.maximum(plan.counts, 1).astype(rows.dtype)[:, None], dev)
        return out

    @staticmethod
    def backward(ctx, g):
        from ... import zeros
        plan, dev = ctx.plan, g._storage.device
        xp = dev.xp
        num, d = plan.num, g.shape[1]
        if ctx.mode == 'max':
            first = ctx.first
            nv = plan.idx.shape[0]
            keep = (first < nv).reshape(-1)
            cols = xp.broadcast_to(xp.arange(d), first.shape).reshape(-1)[keep]
            rows = plan.idx[first.reshape(-1)[keep]]
            src = g.reshape(-1).index_select(0, _tensor(xp.nonzero(keep)[0], dev))
            gw = zeros(num * d, dtype=g.dtype, device=dev)
            gw = gw.index_add(0, _tensor(rows * d + cols, dev), src).reshape(num, d)
            return gw, None, None, None
        bag_t = _tensor(plan.bag, dev)
        idx_t = _tensor(plan.idx, dev)
        gr = g.index_select(0, bag_t)
        factor = xp.ones(plan.idx.shape[0], dtype=g._data.dtype)
        if ctx.mode == 'mean':
            factor = factor / xp.maximum(plan.counts, 1)[plan.bag]
        if plan.freq is not None:
            factor = factor / plan.freq[plan.idx]
        gpsw = None
        if ctx.needs_input_grad[1]:
            weight, psw = ctx.saved_tensors
            val = (gr * weight.index_select(0, idx_t)).sum(1)
            gpsw = zeros(plan.n, dtype=g.dtype, device=dev).index_add(
                0, _tensor(plan.pos, dev), val).reshape(psw.shape)
        if ctx.needs_input_grad[0]:
            if len(ctx.saved_tensors) == 2:
                _, psw = ctx.saved_tensors
                gr = gr * psw.reshape(-1).index_select(0, _tensor(plan.pos, dev)).unsqueeze(1)
            gr = gr * _tensor(factor.astype(g._data.dtype)[:, None], dev)
            gw = zeros((num, d), dtype=g.dtype, device=dev).index_add(0, idx_t, gr)
        else:
            gw = None
        return gw, gpsw, None, None


def embedding_bag(input, weight, offsets=None, max_norm=None, norm_type=2, scale_grad_by_freq=False,
                  mode='mean', sparse=False, per_sample_weights=None, include_last_offset=False,
                  padding_idx=None):
    """Sums, means or maxima of bags of embedding rows, without materializing the rows.

    input is 2-D (B, L: B bags of L indices) or 1-D with `offsets` giving each bag's start.
    """
    if weight.dtype == D.int64 and input.is_floating_point():
        input, weight = weight, input   # torch accepts the pre-1.0 argument order
    if per_sample_weights is not None and tuple(input.shape) != tuple(per_sample_weights.shape):
        raise ValueError(f"embedding_bag: If per_sample_weights ({per_sample_weights.shape}) is not "
                         f"None, then it must have the same shape as the input ({input.shape})")
    if weight.dim() != 2:
        raise ValueError(f"weight has to be a 2D Tensor, but got Tensor of dimension {weight.dim()}")
    if input.dim() == 2:
        if offsets is not None:
            raise ValueError("if input is 2D, then offsets has to be None, as input is treated is a "
                             "mini-batch of fixed length sequences. However, found offsets of type "
                             f"{type(offsets)}")
    elif input.dim() == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        if offsets.dim() != 1:
            raise ValueError("offsets has to be a 1D Tensor")
    else:
        raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension {input.dim()}")
    if mode not in ('sum', 'mean', 'max'):
        raise ValueError("mode has to be one of sum, mean or max")
    if scale_grad_by_freq and mode == 'max':
        raise ValueError("max mode does not support scaling the gradient by the frequency")
    if per_sample_weights is not None and mode != 'sum':
        raise NotImplementedError("embedding_bag: per_sample_weights was not None. "
                                  "per_sample_weights is only supported for mode='sum' "
                                  f"(got mode='{mode}'). Please open a feature request on GitHub.")
    _check_indices(input, 'indices', 'embedding_bag')
    num = weight.shape[0]
    padding_idx = _padding_idx(padding_idx, num)
    xp = weight._storage.device.xp
    idx = xp.asarray(input._data).reshape(-1).astype('int64')
    n = idx.shape[0]
    if input.dim() == 2:
        length = input.shape[1]
        nbags = input.shape[0]
        bag = xp.arange(n) // max(length, 1)
    else:
        _check_indices(offsets, 'offsets', 'embedding_bag')
        off = offsets._data.astype('int64')
        if off.size and int(off[0]) != 0:
            raise RuntimeError("offsets[0] has to be 0, i.e., the first sequence in the mini-batch "
                               f"has to start from position 0. However, got {int(off[0])}")
        if off.size and int(off[-1]) > n:
            raise RuntimeError(f"offsets[-1] can not be greater than input's length {n} but got "
                               f"offsets[-1] of {int(off[-1])}")
        nbags = off.shape[0] - 1 if include_last_offset else off.shape[0]
        nbags = max(nbags, 0)
        bag = xp.searchsorted(off, xp.arange(n), side='right') - 1
    if idx.size:
        bad = xp.nonzero((idx < 0) | (idx >= num))[0]
        if bad.size:
            k = int(bad[0])
            raise RuntimeError(f"Index {k} of input takes value {int(idx[k])} which is not in the "
                               f"valid range [0, {num})")
    if max_norm is not None:
        with no_grad():
            _renorm_(weight, idx, max_norm, norm_type)
    keep = (bag >= 0) & (bag < nbags)
    if padding_idx is not None:
        keep &= idx != padding_idx
    pos = xp.nonzero(keep)[0]
    kidx, kbag = idx[pos], bag[pos]
    counts = xp.bincount(kbag, minlength=nbags)[:nbags]
    freq = _freq(xp, kidx, num) if scale_grad_by_freq else None
    plan = _Plan(kidx, kbag, pos, nbags, n, counts, freq, num)
    return _EmbeddingBag.apply(weight, per_sample_weights, plan, mode)


def one_hot(tensor, num_classes=-1):
    """int64 tensor of shape tensor.shape + (num_classes,) with a 1 at each class index."""
    if not isinstance(tensor, Tensor) or tensor.dtype != D.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    dev = tensor._storage.device
    xp = dev.xp
    a = tensor._data
    if num_classes == -1:
        if a.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(a.max()) + 1
    if a.size:
        if bool((a < 0).any()):
            raise RuntimeError("Class values must be non-negative.")
        if bool((a >= num_classes).any()):
            raise RuntimeError("Class values must be smaller than num_classes.")
    elif num_classes < 0:
        raise RuntimeError("Class values must be smaller than num_classes.")
    out = (a[..., None] == xp.arange(num_classes)).astype(D.int64.np)
    return _tensor(out, dev)
