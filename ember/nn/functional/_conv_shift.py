"""Convolution as a sum of shifted GEMMs, without im2col (private).

Stride 1 first. Lay the zero-padded input out as (C, N, *Sp) and flatten the grid: X2 is
(C, P) with P = N * prod(Sp). Output position q on that grid reads input position
q + shift(k) for kernel offset k, shift(k) = sum_i dilation_i * k_i * gridstride_i. So for
every kernel offset the (C, P - max_shift) slice of X2 starting at shift(k) is exactly the
im2col row block of that offset, already in memory: the convolution is prod(K) GEMMs

    Y[:, :Lq] += W[:, :, k] @ X2[:, shift(k) : shift(k) + Lq]          (Lq = P - max_shift)

reading X2 in place (the BLAS takes the row stride P) and accumulating into Y (beta = 1).
Positions of Y outside the valid output box are computed and thrown away, which costs a
little arithmetic and saves the im2col buffer (prod(K) times the input) and its page faults.

Stride s splits the padded input into phases: x_r = x_p[r::s] for r in [0, s) per dim.
Kernel offset k reads x_p[s*i + d*k] = x_r[i + m] with r = d*k mod s, m = d*k // s, so a
strided convolution is a stride-1 one over the phase grids (all laid out on one common grid
of ceil(Sp/s) per dim), each kernel offset one GEMM against its phase at shift(m).

The input gradient is the adjoint (GEMMs accumulating into shifted slices of the phase
grids, then scattered back), and the weight gradient contracts the same slices with the
output gradient laid out on the grid. Used for one group, float32/float64 NumPy arrays and a
BLAS that `ember._blas.gemm_into` can reach; `conv.py` keeps im2col for everything else.
"""
import itertools
from math import prod as _prod

import numpy as np

from ... import _blas


def usable(a, w, groups, channels):
    """Whether the shift path applies: one group, float NumPy arrays of one dtype, a
    reachable BLAS, and at least 8 channels contracted per GEMM (fewer starve the BLAS)."""
    return (groups == 1 and type(a) is np.ndarray and type(w) is np.ndarray
            and a.dtype.char in 'fd' and w.dtype == a.dtype and channels >= 8
            and a.size > 0 and w.size > 0 and _blas.can_gemm_into())


def worthwhile(L, K, stride, dilation):
    """Whether the grid's extra positions stay cheap: the grid (output L plus the kernel's
    reach, in phase units) must be at most twice the output. On small maps with large
    kernels most of the grid is border and im2col wins (measured: 4x4 maps, 3x3 kernels)."""
    return _prod(l + (d * (k - 1)) // s for l, k, s, d in zip(L, K, stride, dilation)) <= 2 * _prod(L)


class _Plan:
    """The common phase grid of a convolution: grid size G per dim, the phases with their
    kernel taps, the flat shift of every tap and the GEMM width Lq."""

    def __init__(self, Sp, K, stride, dilation):
        self.G = tuple(-(-p // s) for p, s in zip(Sp, stride))
        st = [1] * len(K)
        for i in range(len(K) - 2, -1, -1):
            st[i] = st[i + 1] * self.G[i + 1]
        phases = {}
        for kflat, koff in enumerate(itertools.product(*[range(k) for k in K])):
            reach = [d * k for d, k in zip(dilation, koff)]
            r = tuple(e % s for e, s in zip(reach, stride))
            shift = sum((e // s) * g for e, s, g in zip(reach, stride, st))
            phases.setdefault(r, []).append((kflat, shift))
        self.phases = sorted(phases.items())
        self.max_shift = sum(((d * (k - 1)) // s) * g for k, s, d, g in zip(K, stride, dilation, st))
        self.stride = stride

    def lq(self, P):
        return P - self.max_shift

    def _windows(self, r, lo, S):
        """(grid slice, source slice) per dim: which phase-grid cells hold input positions."""
        grid, src = [], []
        for ri, s, l, n in zip(r, self.stride, lo, S):
            j0 = max(0, -((ri - l) // s))               # first j with r + s*j >= lo
            j1 = -((ri - l - n) // s)                    # first j with r + s*j >= lo + S
            start = ri + s * j0 - l
            grid.append(slice(j0, max(j0, j1)))
            src.append(slice(start, start + s * max(0, j1 - j0 - 1) + 1, s) if j1 > j0 else slice(0, 0))
        return tuple(grid), tuple(src)

    def on_grid(self, a, r, lo):
        """Phase r of the zero-padded (N, C, *S) array a as a flat (C, N * prod(G)) grid."""
        N, C = a.shape[:2]
        out = np.zeros((C, N) + self.G, a.dtype)
        grid, src = self._windows(r, lo, a.shape[2:])
        out[(slice(None), slice(None)) + grid] = a.swapaxes(0, 1)[(slice(None), slice(None)) + src]
        return out.reshape(C, -1)

    def scatter_back(self, buf, r, lo, out):
        """Adjoint of on_grid: phase r's cells of the flat (C, P) buf into out (N, C, *S)."""
        N, C = out.shape[:2]
        grid, src = self._windows(r, lo, out.shape[2:])
        view = buf.reshape((C, N) + self.G)[(slice(None), slice(None)) + grid]
        out.swapaxes(0, 1)[(slice(None), slice(None)) + src] = view


def _output_on_grid(gy, G):
    """(N, O, *L) output gradient -> zero-filled flat (O, N * prod(G)) grid at offset 0."""
    N, O = gy.shape[:2]
    out = np.zeros((O, N) + tuple(G), gy.dtype)
    out[(slice(None), slice(None)) + tuple(slice(0, n) for n in gy.shape[2:])] = gy.swapaxes(0, 1)
    return out.reshape(O, -1)


def forward(x, w, b, stride, lo, hi, dilation):
    """conv(x, w) + b for one group; x (N, C, *S), w (O, C, *K), lo/hi >= 0."""
    N = x.shape[0]
    O, C = w.shape[:2]
    K = w.shape[2:]
    Sp = tuple(s + l + h for s, l, h in zip(x.shape[2:], lo, hi))
    L = tuple((p - d * (k - 1) - 1) // s + 1 for p, k, s, d in zip(Sp, K, stride, dilation))
    plan = _Plan(Sp, K, stride, dilation)
    P = N * _prod(plan.G)
    Lq = plan.lq(P)
    Y = np.empty((O, P), x.dtype)
    wk = np.ascontiguousarray(np.moveaxis(w.reshape(O, C, -1), 2, 0))     # (prod K, O, C)
    first = True
    for r, taps in plan.phases:
        X2 = plan.on_grid(x, r, lo)
        for kflat, s in taps:
            _blas.gemm_into(wk[kflat], X2[:, s:s + Lq], Y[:, :Lq], beta=0.0 if first else 1.0)
            first = False
    box = (slice(None), slice(None)) + tuple(slice(0, n) for n in L)
    view = Y.reshape((O, N) + plan.G)[box].swapaxes(0, 1)
    out = np.empty(view.shape, x.dtype)
    if b is None:
        np.copyto(out, view)
    else:
        np.add(view, b.reshape((O,) + (1,) * len(K)), out=out)
    return out


def input_grad(gy, w, stride, lo, dilation, S):
    """Adjoint of `forward` in x (a transposed convolution): gy (N, O, *L), w (O, C, *K) ->
    (N, C, *S) for an input box starting at lo of the padded frame. None if lo < 0."""
    if any(l < 0 for l in lo):
        return None
    N = gy.shape[0]
    O, C = w.shape[:2]
    K = w.shape[2:]
    L = gy.shape[2:]
    Sp = tuple(max(l + n, s * (m - 1) + d * (k - 1) + 1)
               for l, n, s, m, d, k in zip(lo, S, stride, L, dilation, K))
    plan = _Plan(Sp, K, stride, dilation)
    G = _output_on_grid(gy, plan.G)                                      # (O, P)
    Lq = plan.lq(G.shape[1])
    wk = np.moveaxis(w.reshape(O, C, -1), 2, 0)                          # (prod K, O, C)
    out = np.zeros((N, C) + tuple(S), gy.dtype)
    for r, taps in plan.phases:
        GX = np.zeros((C, G.shape[1]), gy.dtype)
        for kflat, s in taps:
            _blas.gemm_into(wk[kflat].T, G[:, :Lq], GX[:, s:s + Lq], beta=1.0)
        plan.scatter_back(GX, r, lo, out)
    return out


def weight_grad(x, gy, K, stride, lo, hi, dilation):
    """d(sum gy * conv(x, w))/dw for one group: (O, C, *K)."""
    O = gy.shape[1]
    C = x.shape[1]
    Sp = tuple(s + l + h for s, l, h in zip(x.shape[2:], lo, hi))
    plan = _Plan(Sp, K, stride, dilation)
    G = _output_on_grid(gy, plan.G)
    Lq = plan.lq(G.shape[1])
    gw = np.empty((_prod(K), O, C), x.dtype)
    for r, taps in plan.phases:
        X2 = plan.on_grid(x, r, lo)
        for kflat, s in taps:
            _blas.gemm_into(G[:, :Lq], X2[:, s:s + Lq].T, gw[kflat], beta=0.0)
    return np.ascontiguousarray(np.moveaxis(gw, 0, 2)).reshape((O, C) + tuple(K))
