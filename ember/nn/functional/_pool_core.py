"""Kernels shared by pooling and resampling (private).

- `plane_gather` / `plane_scatter`: take values at flat per-plane indices, and its adjoint
  (scatter-add). Max pooling, adaptive/fractional max pooling and max_unpool are built on
  this pair; each is the other's backward, so double backward works.
- `sep_apply` / `sep_adjoint`: a separable linear map applied per spatial dim as a few
  "taps" (gather along the dim + weighted sum), and its adjoint (a matmul with the dense
  (out, in) tap matrix per dim, BLAS speed). Adaptive average pooling and every
  interpolation mode are such maps.
Arrays carry any number of leading (batch, channel) dims; the last `nd` dims are spatial.
"""
from ..._tensor import Tensor
from ...autograd.function import Function

_classes = {}


def named(base, node_name):
    """Subclass of Function `base` whose grad_fn is called `node_name` (cached)."""
    key = (base, node_name)
    cls = _classes.get(key)
    if cls is None:
        cls = type(base)(base.__name__ + '_' + node_name, (base,), {'__module__': base.__module__},
                         node_name=node_name)
        _classes[key] = cls
    return cls


def _planes(shape, nd):
    lead = shape[:len(shape) - nd]
    b = 1
    for s in lead:
        b *= s
    n = 1
    for s in shape[len(shape) - nd:]:
        n *= s
    return b, n


def gather_arr(a, idx, nd):
    """a: lead + in_spatial; idx: lead + out_spatial flat indices per plane."""
    xp = _xp(a)
    b, n = _planes(a.shape, nd)
    _, m = _planes(idx.shape, nd)
    flat = xp.ascontiguousarray(a).reshape(b, n)
    out = xp.take_along_axis(flat, idx.reshape(b, m), axis=1)
    return out.reshape(idx.shape)


def scatter_arr(g, idx, in_spatial, nd, accumulate=True, unique=False):
    """Adjoint of gather_arr: zeros of lead + in_spatial with g added at idx."""
    xp = _xp(g)
    lead = g.shape[:g.ndim - nd]
    b, m = _planes(g.shape, nd)
    n = 1
    for s in in_spatial:
        n *= s
    if b * m == 0:
        return xp.zeros(lead + tuple(in_spatial), dtype=g.dtype)
    rows = (xp.arange(b, dtype=idx.dtype) * n).reshape(b, 1)
    flat = (idx.reshape(b, m) + rows).ravel()
    gv = g.reshape(-1)
    if unique or not accumulate:
        out = xp.zeros(b * n, dtype=g.dtype)
        out[flat] = gv
    elif g.dtype.kind == 'f' and g.dtype.itemsize <= 8:
        out = xp.bincount(flat, weights=gv, minlength=b * n).astype(g.dtype, copy=False)
    else:
        out = xp.zeros(b * n, dtype=g.dtype)
        xp.add.at(out, flat, gv)
    return out.reshape(lead + tuple(in_spatial))


def _xp(a):
    import sys
    mod = type(a).__module__.split('.')[0]
    return sys.modules['numpy' if mod == 'numpy' else mod]


class PlaneGather(Function, node_name='MaxPool2DWithIndicesBackwardBackward0'):
    """out[..., j] = x.flat_plane[idx[..., j]]."""

    @staticmethod
    def forward(ctx, x, idx, nd, unique):
        ctx.idx, ctx.nd, ctx.unique = idx, nd, unique
        ctx.in_spatial = x.shape[x.dim() - nd:]
        return gather_arr(x._data, idx._data, nd)

    @staticmethod
    def backward(ctx, g):
        return PlaneScatter.apply(g, ctx.idx, tuple(ctx.in_spatial), ctx.nd, True, ctx.unique), None, None, None


class PlaneScatter(Function, node_name='MaxPool2DWithIndicesBackwardBackward0'):
    """Adjoint of PlaneGather (accumulate=False: plain assignment, as max_unpool)."""

    @staticmethod
    def forward(ctx, g, idx, in_spatial, nd, accumulate, unique):
        ctx.idx, ctx.nd, ctx.unique = idx, nd, unique
        return scatter_arr(g._data, idx._data, in_spatial, nd, accumulate, unique)

    @staticmethod
    def backward(ctx, gg):
        return PlaneGather.apply(gg, ctx.idx, ctx.nd, ctx.unique), None, None, None, None, None


# ----------------------------------------------------------------------- separable tap maps

def sep_apply_arr(a, taps):
    """taps: one (idx (T, out) int, w (T, out) or None) per trailing spatial dim."""
    xp = _xp(a)
    nd = len(taps)
    for d, (idx, w) in enumerate(taps):
        axis = a.ndim - nd + d
        bshape = (-1,) + (1,) * (nd - 1 - d)
        acc = None
        for t in range(idx.shape[0]):
            v = xp.take(a, idx[t], axis=axis)
            if w is not None:
                v *= w[t].reshape(bshape)
            if acc is None:
                acc = v
            else:
                acc += v
        a = acc
    return a


def tap_matrix(xp, idx, w, n_in, dtype):
    out = idx.shape[1]
    m = xp.zeros((out, n_in), dtype=dtype)
    rows = xp.arange(out)
    for t in range(idx.shape[0]):
        if w is None:
            m[rows, idx[t]] += 1
        else:
            xp.add.at(m, (rows, idx[t]), w[t].astype(dtype))
    return m


def sep_adjoint_arr(g, taps, in_spatial):
    xp = _xp(g)
    nd = len(taps)
    for d in reversed(range(nd)):
        idx, w = taps[d]
        axis = g.ndim - nd + d
        m = tap_matrix(xp, idx, w, in_spatial[d], g.dtype)
        g = xp.moveaxis(xp.matmul(xp.moveaxis(g, axis, -1), m), -1, axis)
    return xp.ascontiguousarray(g)


class SepApply(Function, node_name='UpsampleBilinear2DBackward0'):
    @staticmethod
    def forward(ctx, x, taps, back_name):
        ctx.taps, ctx.back_name = taps, back_name
        ctx.in_spatial = tuple(x.shape[x.dim() - len(taps):])
        return sep_apply_arr(x._data, taps)

    @staticmethod
    def backward(ctx, g):
        return named(SepAdjoint, ctx.back_name).apply(g, ctx.taps, ctx.in_spatial), None, None


class SepAdjoint(Function, node_name='UpsampleBilinear2DBackwardBackward0'):
    @staticmethod
    def forward(ctx, g, taps, in_spatial):
        ctx.taps = taps
        return sep_adjoint_arr(g._data, taps, in_spatial)

    @staticmethod
    def backward(ctx, gg):
        return SepApply.apply(gg, ctx.taps, 'SepAdjointBackward0'), None, None


def sep(x, taps, node_name):
    """Apply the separable map with grad_fn `node_name`."""
    return named(SepApply, node_name).apply(x, taps, node_name.replace('Backward0', 'BackwardBackward0'))


def adaptive_taps(xp, n_in, n_out, dtype=None):
    """Windows [floor(i*in/out), ceil((i+1)*in/out)) as taps; weights 1/len when dtype given."""
    o = xp.arange(n_out, dtype='int64')
    start = (o * n_in) // n_out
    end = ((o + 1) * n_in + n_out - 1) // n_out
    length = end - start
    kmax = int(length.max()) if n_out else 1
    t = xp.arange(kmax, dtype='int64').reshape(-1, 1)
    idx = xp.minimum(start + t, end - 1)
    if dtype is None:
        return idx, None
    w = (t < length).astype(dtype) / length.astype(dtype)
    return idx, w
