"""Stride-1 convolution as a sum of shifted GEMMs, without im2col (private).

Lay the zero-padded input out as (C, N, *Sp) and flatten the grid: X2 is (C, P) with
P = N * prod(Sp). Output position q on that same grid reads input position q + shift(k) for
kernel offset k, shift(k) = sum_i dilation_i * k_i * gridstride_i. So for every kernel offset,
the (C, P - max_shift) slice of X2 starting at shift(k) is exactly the im2col row block of that
offset, already in memory: the convolution is prod(K) GEMMs

    Y[:, :Lq] += W[:, :, k] @ X2[:, shift(k) : shift(k) + Lq]          (Lq = P - max_shift)

reading X2 in place (the BLAS takes the row stride P) and accumulating into Y (beta = 1).
Positions of Y outside the valid output box are computed and thrown away, which costs a
little arithmetic and saves the im2col buffer prod(K) times the input's size, and its
page faults. The input gradient is the adjoint (GEMMs accumulating into shifted slices of a
(C, P) buffer) and the weight gradient contracts the same slices with the output gradient
laid out on the grid. Used for stride 1, one group, float32/float64 NumPy arrays and a BLAS
that `ember._blas.gemm_into` can reach; `conv.py` keeps im2col for everything else.
"""
import itertools

import numpy as np

from ... import _blas


def _prod(seq):
    p = 1
    for s in seq:
        p *= s
    return p


def usable(a, w, stride, groups, channels):
    """Whether the shift path applies: stride 1, one group, float NumPy arrays of one dtype,
    a reachable BLAS, and at least 8 channels contracted per GEMM (fewer starve the BLAS)."""
    return (groups == 1 and all(s == 1 for s in stride) and type(a) is np.ndarray
            and type(w) is np.ndarray and a.dtype.char in 'fd' and w.dtype == a.dtype
            and channels >= 8 and a.size > 0 and w.size > 0 and _blas.can_gemm_into())


def worthwhile(L, K, dilation):
    """Whether the grid's extra positions stay cheap: the padded grid (output L plus the
    kernel's reach) must be at most twice the output. On small maps with large kernels most
    of the grid is border and im2col wins (measured: 4x4 maps, 3x3 kernels, 2.25x grid)."""
    return _prod(l + d * (k - 1) for l, k, d in zip(L, K, dilation)) <= 2 * _prod(L)


def _grid(Sp):
    """Flat strides of a (.., *Sp) grid."""
    st = [1] * len(Sp)
    for i in range(len(Sp) - 2, -1, -1):
        st[i] = st[i + 1] * Sp[i + 1]
    return st


def _shifts(K, dilation, Sp):
    st = _grid(Sp)
    for koff in itertools.product(*[range(k) for k in K]):
        yield koff, sum(d * k * s for d, k, s in zip(dilation, koff, st))


def _on_grid(a, lo, Sp):
    """(N, C, *S) array -> zero-filled (C, N, *Sp) copy holding it at offset lo, flattened to (C, P)."""
    N, C = a.shape[:2]
    out = np.zeros((C, N) + tuple(Sp), a.dtype)
    box = (slice(None), slice(None)) + tuple(slice(l, l + s) for l, s in zip(lo, a.shape[2:]))
    out[box] = a.swapaxes(0, 1)
    return out.reshape(C, -1)


def _from_grid(buf, N, Sp, lo, S, bias=None):
    """(C, P) grid buffer -> contiguous (N, C, *S) taken at offset lo (+ bias per channel)."""
    C = buf.shape[0]
    box = (slice(None), slice(None)) + tuple(slice(l, l + s) for l, s in zip(lo, S))
    view = buf.reshape((C, N) + tuple(Sp))[box].swapaxes(0, 1)
    out = np.empty(view.shape, buf.dtype)
    if bias is None:
        np.copyto(out, view)
    else:
        np.add(view, bias.reshape((C,) + (1,) * len(S)), out=out)
    return out


def forward(x, w, b, lo, hi, dilation):
    """conv(x, w) + b for stride 1, one group; x (N, C, *S), w (O, C, *K), lo/hi >= 0."""
    N = x.shape[0]
    O, C = w.shape[:2]
    K = w.shape[2:]
    Sp = tuple(s + l + h for s, l, h in zip(x.shape[2:], lo, hi))
    L = tuple(p - d * (k - 1) for p, k, d in zip(Sp, K, dilation))
    X2 = _on_grid(x, lo, Sp)
    P = X2.shape[1]
    shifts = list(_shifts(K, dilation, Sp))
    Lq = P - shifts[-1][1]
    Y = np.empty((O, P), x.dtype)
    wk = np.ascontiguousarray(np.moveaxis(w.reshape(O, C, -1), 2, 0))     # (prod K, O, C)
    for i, (_, s) in enumerate(shifts):
        _blas.gemm_into(wk[i], X2[:, s:s + Lq], Y[:, :Lq], beta=0.0 if i == 0 else 1.0)
    return _from_grid(Y, N, Sp, (0,) * len(K), L, b)


def input_grad(gy, w, lo, dilation, S):
    """Adjoint of `forward` in x (a stride-1 transposed convolution): gy (N, O, *L),
    w (O, C, *K) -> (N, C, *S). Returns None when the padded box would be cropped."""
    N = gy.shape[0]
    O, C = w.shape[:2]
    K = w.shape[2:]
    L = gy.shape[2:]
    Sp = tuple(l + d * (k - 1) for l, k, d in zip(L, K, dilation))
    if any(l < 0 or l + s > p for l, s, p in zip(lo, S, Sp)):
        return None
    G = _on_grid(gy, (0,) * len(K), Sp)                                  # (O, P)
    P = G.shape[1]
    shifts = list(_shifts(K, dilation, Sp))
    Lq = P - shifts[-1][1]
    GX = np.zeros((C, P), gy.dtype)
    wk = np.moveaxis(w.reshape(O, C, -1), 2, 0)                          # (prod K, O, C)
    for i, (_, s) in enumerate(shifts):
        _blas.gemm_into(wk[i].T, G[:, :Lq], GX[:, s:s + Lq], beta=1.0)
    return _from_grid(GX, N, Sp, lo, S)


def weight_grad(x, gy, K, lo, hi, dilation):
    """d(sum gy * conv(x, w))/dw for stride 1, one group: (O, C, *K)."""
    O = gy.shape[1]
    C = x.shape[1]
    Sp = tuple(s + l + h for s, l, h in zip(x.shape[2:], lo, hi))
    X2 = _on_grid(x, lo, Sp)
    G = _on_grid(gy, (0,) * len(K), Sp)
    P = X2.shape[1]
    shifts = list(_shifts(K, dilation, Sp))
    Lq = P - shifts[-1][1]
    gw = np.empty((_prod(K), O, C), x.dtype)
    for i, (_, s) in enumerate(shifts):
        _blas.gemm_into(G[:, :Lq], X2[:, s:s + Lq].T, gw[i], beta=0.0)
    return np.ascontiguousarray(np.moveaxis(gw, 0, 2)).reshape((O, C) + tuple(K))
