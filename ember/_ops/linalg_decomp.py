"""Decompositions and matrix functions behind ember.linalg: inv, det, slogdet, solve,
cholesky, qr, svd, eigh, pinv, matrix_rank (the norms are in `linalg_norm.py`).

Forwards call the backend's LAPACK wrappers (`xp.linalg`) on whole batches. Backwards use the
standard matrix-calculus formulas written with ember ops (matmul, solve, inv ...), so the
gradients of inv, det, slogdet, solve and pinv are themselves differentiable.
"""
from .. import _dtype as D
from .._tensor import Tensor
from ..autograd.function import Function
from ._util import write_out
from .linalg import matmul, _h, _word

__all__ = []

_RT = {}


def _return_type(name, fields):
    """A named-tuple class like torch.return_types.<name> (repr included)."""
    cls = _RT.get(name)
    if cls is None:
        def __repr__(self):
            body = ',\n'.join(f"{f}={v!r}" for f, v in zip(fields, self))
            return f"torch.return_types.{name}(\n{body})"
        ns = {'__slots__': (), '_fields': fields, '__repr__': __repr__, '__module__': 'torch.return_types'}
        for i, f in enumerate(fields):
            ns[f] = property(lambda self, i=i: tuple.__getitem__(self, i))
        cls = _RT[name] = type(name, (tuple,), ns)
    return cls


class LinAlgError(RuntimeError):
    """A linear-algebra routine failed on its input (singular matrix, not positive-definite ...)."""


LinAlgError.__module__ = 'torch.linalg'


def _np_linalg_error(xp):
    err = getattr(getattr(xp, 'linalg', None), 'LinAlgError', None)
    return err if err is not None else ValueError


# ---------------------------------------------------------------------------- checks / helpers

def _check_float(t, fn):
    if not isinstance(t, Tensor):
        raise TypeError(f"{fn}(): argument 'A' (position 1) must be Tensor, not {type(t).__name__}")
    if t._data.dtype.kind not in 'fc' and t.dtype is not D.bfloat16:
        raise RuntimeError(f"{fn}: Expected a floating point or complex tensor as input. Got {_word(t)}")


def _check_square(t, fn):
    _check_float(t, fn)
    x = t._data
    if x.ndim < 2:
        raise RuntimeError(f"{fn}: The input tensor A must have at least 2 dimensions.")
    if x.shape[-1] != x.shape[-2]:
        raise RuntimeError(f"{fn}: A must be batches of square matrices, but they are "
                           f"{x.shape[-2]} by {x.shape[-1]} matrices")


def _check_matrix(t, fn):
    _check_float(t, fn)
    if t._data.ndim < 2:
        raise RuntimeError(f"{fn}: The input tensor A must have at least 2 dimensions.")


def _lapack_dtype(x):
    """Arrays LAPACK can take: half precisions are computed in float32."""
    if x.dtype.itemsize == 2 and x.dtype.kind == 'f' or x.dtype.name == 'bfloat16':
        return x.astype('float32'), x.dtype
    return x, None


def _const(t, arr):
    """A constant (no-history) tensor on t's device."""
    return Tensor._from_array(arr, t._storage.device)


def _eye(t, n):
    xp = t._storage.device.xp
    return _const(t, xp.eye(n, dtype=t._data.dtype))


def _batch_error(fn, msg, bad, x):
    """Raise LinAlgError naming the first failing batch element as torch does."""
    if x.ndim > 2:
        idx = int(bad)
        raise LinAlgError(f"{fn}: (Batch element {idx}): {msg}")
    raise LinAlgError(f"{fn}: {msg}")


# ---------------------------------------------------------------------------- inv / det / slogdet

class _Inv(Function, node_name='LinalgInvExBackward0'):
    @staticmethod
    def forward(ctx, a):
        xp = a._storage.device.xp
        x, low = _lapack_dtype(a._data)
        try:
            r = xp.linalg.inv(x)
        except _np_linalg_error(xp):
            _raise_singular(xp, x)
        if low is not None:
            r = r.astype(low)
        out = _const(a, r)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        inv_a, = ctx.saved_tensors
        ih = _h(inv_a)
        return -matmul(matmul(ih, g), ih)


def _raise_singular(xp, x):
    """linalg.inv's error: the first zero pivot of LU (1-based), per batch element."""
    flat = x.reshape((-1,) + x.shape[-2:])
    det = xp.linalg.det(flat)
    bad = int(xp.argmax(det == 0)) if flat.shape[0] > 1 else 0
    # rank tells which pivot of the LU factorisation is zero first
    rank = int(xp.linalg.matrix_rank(flat[bad]))
    _batch_error('linalg.inv', f"The diagonal element {rank + 1} is zero, the inversion could not be "
                 f"completed because the input matrix is singular.", bad, x)


def inv(A, *, out=None):
    """Inverse of (batches of) square matrices; LinAlgError when singular."""
    _check_square(A, 'linalg.inv')
    r = _Inv.apply(A)
    return r if out is None else write_out(out, r)


def inv_ex(A, *, check_errors=False, out=None):
    from .creation import zeros
    r = inv(A)
    info = zeros(A._data.shape[:-2], dtype=D.int32, device=A.device)
    return _return_type('linalg_inv_ex', ('inverse', 'info'))((r, info))


class _Det(Function, node_name='LinalgDetBackward0'):
    @staticmethod
    def forward(ctx, a):
        xp = a._storage.device.xp
        x, low = _lapack_dtype(a._data)
        r = xp.asarray(xp.linalg.det(x))
        if low is not None:
            r = r.astype(low)
        out = _const(a, r)
        if ctx.needs_input_grad:
            ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, g):
        a, d = ctx.saved_tensors
        # d det(A) = det(A) tr(A^-1 dA)  ->  grad = conj(g det) A^-H  (A non-singular)
        s = g * (d.conj() if d.is_complex() else d)
        return s.unsqueeze(-1).unsqueeze(-1) * _h(inv(a))


def det(A, *, out=None):
    """Determinant of (batches of) square matrices."""
    _check_square(A, 'linalg.det')
    r = _Det.apply(A)
    return r if out is None else write_out(out, r)


class _Slogdet(Function, node_name='LinalgSlogdetBackward0'):
    @staticmethod
    def forward(ctx, a):
        xp = a._storage.device.xp
        x, low = _lapack_dtype(a._data)
        sign, logabs = xp.linalg.slogdet(x)
        sign, logabs = xp.asarray(sign), xp.asarray(logabs)
        if low is not None:
            sign, logabs = sign.astype(low), logabs.astype(low)
        if ctx.needs_input_grad:
            ctx.save_for_backward(a)
        return _const(a, sign), _const(a, logabs)

    @staticmethod
    def backward(ctx, g_sign, g_logabs):
        a, = ctx.saved_tensors
        if g_logabs is None:
            return None
        return g_logabs.unsqueeze(-1).unsqueeze(-1) * _h(inv(a))


def slogdet(A, *, out=None, _name='linalg_slogdet'):
    """(sign, log|det|) of square matrices; stable where det itself under/overflows."""
    _check_square(A, 'linalg.slogdet')
    sign, logabs = _Slogdet.apply(A)
    return _return_type(_name, ('sign', 'logabsdet'))((sign, logabs))


class _Logdet(Function, node_name='LogdetBackward0'):
    @staticmethod
    def forward(ctx, a):
        xp = a._storage.device.xp
        x, low = _lapack_dtype(a._data)
        sign, logabs = xp.linalg.slogdet(x)
        r = xp.where(sign < 0, xp.nan, logabs) if x.dtype.kind != 'c' else logabs + xp.log(sign)
        r = xp.asarray(r, dtype=x.dtype)
        if low is not None:
            r = r.astype(low)
        if ctx.needs_input_grad:
            ctx.save_for_backward(a)
        return r

    @staticmethod
    def backward(ctx, g):
        a, = ctx.saved_tensors
        return g.unsqueeze(-1).unsqueeze(-1) * _h(inv(a))


def logdet(A):
    """log det(A); nan for a negative determinant."""
    _check_square(A, 'linalg.logdet' if False else 'logdet')
    return _Logdet.apply(A)


# ---------------------------------------------------------------------------- solve

def _solve_arrays(xp, a, b, fn='torch.linalg.solve'):
    try:
        return xp.linalg.solve(a, b)
    except _np_linalg_error(xp):
        raise LinAlgError(f"{fn}: The solver failed because the input matrix is singular.") from None


def _broadcast_solve(xp, a, b):
    """Broadcast the batch dims of A (.., n, n) and B (.., n, k)."""
    batch = xp.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    return (xp.broadcast_to(a, batch + a.shape[-2:]), xp.broadcast_to(b, batch + b.shape[-2:]))


class _Solve(Function, node_name='LinalgSolveExBackward0'):
    @staticmethod
    def forward(ctx, a, b, vector, left):
        xp = a._storage.device.xp
        x, low = _lapack_dtype(a._data)
        y = b._data.astype(x.dtype, copy=False)
        if vector:
            y = y[..., None]
        if not left:            # X A = B  <=>  A^T X^T = B^T
            x, y = x.swapaxes(-1, -2), y.swapaxes(-1, -2)
        x, y = _broadcast_solve(xp, x, y)
        r = _solve_arrays(xp, x, y)
        if not left:
            r = r.swapaxes(-1, -2)
        if vector:
            r = r[..., 0]
        if low is not None:
            r = r.astype(low)
        out = _const(a, r)
        ctx.vector, ctx.left = vector, left
        if ctx.needs_input_grad:
            ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, g):
        a, x = ctx.saved_tensors
        vector, left = ctx.vector, ctx.left
        # A X = B: gB = A^-H g, gA = -gB X^H   (X A = B: gB = g A^-H, gA = -X^H gB)
        gb = solve(_h(a), g, left=left)
        ga = None
        if ctx.needs_input_grad[0]:
            if vector:
                ga = -(gb.unsqueeze(-1) * (x.conj() if x.is_complex() else x).unsqueeze(-2))
            elif left:
                ga = -matmul(gb, _h(x))
            else:
                ga = -matmul(_h(x), gb)
        return ga, gb, None, None


def solve(A, B, *, left=True, out=None):
    """X with A X = B (or X A = B when left=False); B may be a (batch of) vector(s)."""
    _check_square(A, 'linalg.solve')
    if not isinstance(B, Tensor):
        raise TypeError(f"linalg_solve(): argument 'B' (position 2) must be Tensor, not {type(B).__name__}")
    if A._data.dtype != B._data.dtype:
        raise RuntimeError(f"linalg.solve: Expected A and B to have the same dtype, but found A of type "
                           f"{_word(A)} and B of type {_word(B)} instead")
    a, b = A._data, B._data
    vector = left and (b.ndim == 1 or (b.ndim == a.ndim - 1 and b.shape == a.shape[:-1]))
    n = a.shape[-1]
    bshape = (b.shape[-1], 1) if vector else b.shape[-2:]
    if b.ndim == 0 or (bshape[0] if left else bshape[-1]) != n:
        shown = f"{bshape[0]}x{bshape[1]}" if b.ndim else "0"
        raise RuntimeError(f"linalg.solve: Incompatible shapes of A and B for the equation "
                           f"{'AX = B' if left else 'XA = B'} ({n}x{n} and {shown})")
    r = _Solve.apply(A, B, vector, left)
    return r if out is None else write_out(out, r)


class _SolveTriangular(Function, node_name='LinalgSolveTriangularBackward0'):
    @staticmethod
    def forward(ctx, a, b, upper, left, unitriangular):
        xp = a._storage.device.xp
        x, low = _lapack_dtype(a._data)
        tri = _tri_mask(xp, x.shape[-1], upper, x.dtype)
        x = x * tri
        if unitriangular:
            n = x.shape[-1]
            x = x * (1 - xp.eye(n, dtype=x.dtype)) + xp.eye(n, dtype=x.dtype)
        y = b._data.astype(x.dtype, copy=False)
        if not left:
            x, y = x.swapaxes(-1, -2), y.swapaxes(-1, -2)
        x, y = _broadcast_solve(xp, x, y)
        r = _solve_arrays(xp, x, y, 'linalg.solve_triangular')
        if not left:
            r = r.swapaxes(-1, -2)
        if low is not None:
            r = r.astype(low)
        out = _const(a, r)
        ctx.opts = (upper, left, unitriangular)
        if ctx.needs_input_grad:
            ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, g):
        a, x = ctx.saved_tensors
        upper, left, unit = ctx.opts
        gb = solve_triangular(_h(a), g, upper=not upper, left=left, unitriangular=unit)
        ga = None
        if ctx.needs_input_grad[0]:
            ga = -matmul(gb, _h(x)) if left else -matmul(_h(x), gb)
            xp = a._storage.device.xp
            n = a._data.shape[-1]
            mask = _tri_mask(xp, n, upper, a._data.dtype)
            if unit:
                mask = mask * (1 - xp.eye(n, dtype=a._data.dtype))
            ga = ga * _const(a, mask)
        return ga, gb, None, None, None


def _tri_mask(xp, n, upper, dtype):
    ones = xp.ones((n, n), dtype=dtype)
    return xp.triu(ones) if upper else xp.tril(ones)


def solve_triangular(A, B, *, upper, left=True, unitriangular=False, out=None):
    """X with A X = B for triangular A (only A's upper/lower triangle is read)."""
    _check_square(A, 'linalg.solve_triangular')
    r = _SolveTriangular.apply(A, B, upper, left, unitriangular)
    return r if out is None else write_out(out, r)


# ---------------------------------------------------------------------------- cholesky / qr

class _Cholesky(Function, node_name='LinalgCholeskyExBackward0'):
    @staticmethod
    def forward(ctx, a, upper):
        xp = a._storage.device.xp
        x, low = _lapack_dtype(a._data)
        try:
            r = xp.linalg.cholesky(x)
        except _np_linalg_error(xp):
            raise LinAlgError("linalg.cholesky: The factorization could not be completed because the "
                              "input is not positive-definite.") from None
        if upper:
            r = r.swapaxes(-1, -2).conj() if r.dtype.kind == 'c' else r.swapaxes(-1, -2)
        if low is not None:
            r = r.astype(low)
        out = _const(a, xp.ascontiguousarray(r))
        ctx.upper = upper
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        L, = ctx.saved_tensors
        if ctx.upper:
            L, g = _h(L), _h(g)
        xp = L._storage.device.xp
        n = L._data.shape[-1]
        # Phi(L^H gL): lower triangle with its diagonal halved
        phi_mask = _const(L, xp.tril(xp.ones((n, n), dtype=L._data.dtype)) - 0.5 * xp.eye(n, dtype=L._data.dtype))
        p = matmul(_h(L), g) * phi_mask
        # gA = L^-H Phi L^-1, symmetrised
        linv = solve_triangular(L, _eye(L, n), upper=False)
        s = matmul(matmul(_h(linv), p), linv)
        return (s + _h(s)) * 0.5, None


def cholesky(A, *, upper=False, out=None):
    """Cholesky factor L (A = L L^H) of Hermitian positive-definite matrices."""
    _check_square(A, 'linalg.cholesky')
    r = _Cholesky.apply(A, upper)
    return r if out is None else write_out(out, r)


def cholesky_ex(A, *, upper=False, check_errors=False, out=None):
    from .creation import zeros
    L = cholesky(A, upper=upper)
    info = zeros(A._data.shape[:-2], dtype=D.int32, device=A.device)
    return _return_type('linalg_cholesky_ex', ('L', 'info'))((L, info))


class _Qr(Function, node_name='LinalgQrBackward0'):
    @staticmethod
    def forward(ctx, a, mode):
        xp = a._storage.device.xp
        x, low = _lapack_dtype(a._data)
        if mode == 'r':
            q = xp.zeros((0,), dtype=x.dtype)
            r = xp.linalg.qr(x, mode='r')
        else:
            q, r = xp.linalg.qr(x, mode='complete' if mode == 'complete' else 'reduced')
        if low is not None:
            q, r = q.astype(low), r.astype(low)
        qt, rt = _const(a, q), _const(a, r)
        ctx.mode = mode
        ctx.save_for_backward(qt, rt)
        return qt, rt

    @staticmethod
    def backward(ctx, gq, gr):
        q, r = ctx.saved_tensors
        m, n = q._data.shape[-2], r._data.shape[-1]
        if ctx.mode == 'r' or (ctx.mode == 'complete' and m > n) or m < n:
            raise RuntimeError("The derivative of linalg.qr depends on Q, which is not computed when "
                               "mode='r'. Please use linalg.qr(A, mode='reduced') if you are going to "
                               "differentiate through linalg.qr." if ctx.mode == 'r' else
                               "The QR decomposition is not differentiable when mode='complete' and "
                               "nrows > ncols." if m > n else
                               "linalg.qr backward is only implemented for tall or square inputs in ember")
        xp = q._storage.device.xp
        if gq is None:
            gq = q * 0
        if gr is None:
            gr = r * 0
        # M = R gR^H - gQ^H Q; gA = (gQ + Q copyltu(M)) R^-H
        M = matmul(r, _h(gr)) - matmul(_h(gq), q)
        k = M._data.shape[-1]
        low = _const(q, xp.tril(xp.ones((k, k), dtype=q._data.dtype), -1))
        diag = _const(q, xp.eye(k, dtype=q._data.dtype))
        ml = M * low
        copyltu = ml + _h(ml) + M * diag
        b = gq + matmul(q, copyltu)
        return solve_triangular(_h(r), b, upper=False, left=False), None


def qr(A, mode='reduced', *, out=None, _name='linalg_qr'):
    """QR decomposition: A = Q R with orthonormal Q and upper-triangular R."""
    _check_matrix(A, 'linalg.qr')
    if mode not in ('reduced', 'complete', 'r'):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of 'reduced' "
                           f"(default), 'r', or 'complete'")
    q, r = _Qr.apply(A, mode)
    return _return_type(_name, ('Q', 'R'))((q, r))


# ---------------------------------------------------------------------------- svd / eigh

class _Svd(Function, node_name='LinalgSvdBackward0'):
    @staticmethod
    def forward(ctx, a, full_matrices, compute_uv):
        xp = a._storage.device.xp
        x, low = _lapack_dtype(a._data)
        if not compute_uv:
            s = xp.linalg.svd(x, compute_uv=False)
            u, vh = xp.linalg.svd(x, full_matrices=False)[0::2] if ctx.needs_input_grad else (None, None)
        else:
            u, s, vh = xp.linalg.svd(x, full_matrices=full_matrices)
        cast = (lambda y: y.astype(low)) if low is not None else (lambda y: y)
        s_t = _const(a, cast(s))
        ctx.full, ctx.compute_uv = full_matrices, compute_uv
        if not compute_uv:
            if ctx.needs_input_grad:
                ctx.save_for_backward(_const(a, cast(u)), s_t, _const(a, cast(vh)))
            return s_t
        u_t, vh_t = _const(a, cast(u)), _const(a, cast(vh))
        ctx.save_for_backward(u_t, s_t, vh_t)
        return u_t, s_t, vh_t

    @staticmethod
    def backward(ctx, *grads):
        u, s, vh = ctx.saved_tensors
        if not ctx.compute_uv:
            gu, gs, gvh = None, grads[0], None
        else:
            gu, gs, gvh = grads
        m, n = u._data.shape[-2], vh._data.shape[-1]
        k = s._data.shape[-1]
        if ctx.full and (gu is not None or gvh is not None) and m != n:
            u, vh = u[..., :k], vh[..., :k, :]
            gu = gu[..., :k] if gu is not None else None
            gvh = gvh[..., :k, :] if gvh is not None else None
        v = _h(vh)
        res = 0
        if gs is not None:
            res = u * gs.unsqueeze(-2)
        if gu is None and gvh is None:
            return matmul(res, vh), None, None
        xp = s._storage.device.xp
        sv = s._data
        s2 = sv[..., None, :] ** 2 - sv[..., :, None] ** 2       # s_j^2 - s_i^2
        eye = xp.eye(k, dtype=bool)
        with xp.errstate(divide='ignore'):
            F = xp.where(eye, 0, 1 / xp.where(eye, 1, s2))
        F = _const(s, F.astype(sv.dtype))
        S = s.unsqueeze(-2)                                     # row vector: X * S scales columns
        inner = 0
        if gu is not None:
            J = F * matmul(_h(u), gu)
            inner = (J + _h(J)) * S
        if gvh is not None:
            gv = _h(gvh)
            K = F * matmul(_h(v), gv)
            inner = inner + s.unsqueeze(-1) * (K + _h(K))
        core = matmul(matmul(u, inner), vh)
        res = (matmul(res, vh) if gs is not None else 0) + core
        sinv = 1 / s
        if gu is not None and m > k:
            proj = gu - matmul(u, matmul(_h(u), gu))
            res = res + matmul(proj * sinv.unsqueeze(-2), vh)
        if gvh is not None and n > k:
            gv = _h(gvh)
            proj = gv - matmul(v, matmul(_h(v), gv))
            res = res + matmul(u * sinv.unsqueeze(-2), _h(proj))
        return res, None, None


def svd(A, full_matrices=True, *, driver=None, out=None):
    """Singular value decomposition A = U diag(S) Vh, singular values descending."""
    _check_matrix(A, 'linalg.svd')
    u, s, vh = _Svd.apply(A, full_matrices, True)
    return _return_type('linalg_svd', ('U', 'S', 'Vh'))((u, s, vh))


def svdvals(A, *, driver=None, out=None):
    """Singular values of A, descending."""
    _check_matrix(A, 'linalg.svd')
    r = _Svd.apply(A, False, False)
    return r if out is None else write_out(out, r)


class _Eigh(Function, node_name='LinalgEighBackward0'):
    @staticmethod
    def forward(ctx, a, uplo, vectors):
        xp = a._storage.device.xp
        x, low = _lapack_dtype(a._data)
        w, v = xp.linalg.eigh(x, UPLO=uplo)
        if low is not None:
            w, v = w.astype(low), v.astype(low)
        w_t, v_t = _const(a, w), _const(a, v)
        ctx.vectors = vectors
        ctx.save_for_backward(w_t, v_t)
        return (w_t, v_t) if vectors else w_t

    @staticmethod
    def backward(ctx, *grads):
        w, v = ctx.saved_tensors
        gw, gv = grads if ctx.vectors else (grads[0], None)
        res = 0
        if gw is not None:
            res = matmul(v * gw.unsqueeze(-2), _h(v))
        if gv is not None:
            xp = w._storage.device.xp
            wv = w._data
            d = wv[..., None, :] - wv[..., :, None]            # w_j - w_i
            eye = xp.eye(wv.shape[-1], dtype=bool)
            with xp.errstate(divide='ignore'):
                F = xp.where(eye, 0, 1 / xp.where(eye, 1, d)).astype(wv.dtype)
            inner = _const(w, F) * matmul(_h(v), gv)
            t = matmul(matmul(v, inner), _h(v))
            res = res + (t + _h(t)) * 0.5        # the input is taken as Hermitian: symmetric grad
        return res, None, None


def eigh(A, UPLO='L', *, out=None):
    """Eigenvalues (ascending) and eigenvectors of Hermitian matrices (reads one triangle)."""
    _check_square(A, 'linalg.eigh')
    if UPLO not in ('L', 'U'):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    w, v = _Eigh.apply(A, UPLO, True)
    return _return_type('linalg_eigh', ('eigenvalues', 'eigenvectors'))((w, v))


def eigvalsh(A, UPLO='L', *, out=None):
    """Eigenvalues (ascending) of Hermitian matrices."""
    _check_square(A, 'linalg.eigh')
    r = _Eigh.apply(A, UPLO, False)
    return r if out is None else write_out(out, r)


# ---------------------------------------------------------------------------- pinv / rank

def _tolerance(s_arr, xp, atol, rtol, shape, dtype):
    """torch's cut-off: max(atol, rtol * largest singular value)."""
    if rtol is None:
        rtol = 0.0 if (atol is not None and not (isinstance(atol, (int, float)) and atol <= 0)) \
            else float(xp.finfo(dtype).eps) * max(shape[-2], shape[-1])
    atol = 0.0 if atol is None else atol
    atol = atol._data if isinstance(atol, Tensor) else atol
    rtol = rtol._data if isinstance(rtol, Tensor) else rtol
    smax = s_arr[..., :1] if s_arr.shape[-1] else xp.zeros(s_arr.shape[:-1] + (1,), dtype=s_arr.dtype)
    return xp.maximum(xp.asarray(atol)[..., None] if getattr(atol, 'ndim', 0) else atol,
                      (xp.asarray(rtol)[..., None] if getattr(rtol, 'ndim', 0) else rtol) * smax)


class _Pinv(Function, node_name='LinalgPinvBackward0'):
    @staticmethod
    def forward(ctx, a, atol, rtol, hermitian):
        xp = a._storage.device.xp
        x, low = _lapack_dtype(a._data)
        u, s, vh = xp.linalg.svd(x, full_matrices=False)
        tol = _tolerance(s, xp, atol, rtol, x.shape, x.dtype)
        keep = s > tol
        sinv = xp.where(keep, 1 / xp.where(keep, s, 1), 0).astype(s.dtype)
        vhh = vh.swapaxes(-1, -2).conj() if vh.dtype.kind == 'c' else vh.swapaxes(-1, -2)
        uh = u.swapaxes(-1, -2).conj() if u.dtype.kind == 'c' else u.swapaxes(-1, -2)
        r = (vhh * sinv[..., None, :]) @ uh
        if low is not None:
            r = r.astype(low)
        out = _const(a, r)
        if ctx.needs_input_grad:
            ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, g):
        a, p = ctx.saved_tensors
        m, n = a._data.shape[-2], a._data.shape[-1]
        ph, gh = _h(p), _h(g)
        res = -matmul(matmul(ph, g), ph)
        # (I - A P) g^H P P^H  +  P^H P g^H (I - P A)
        t1 = matmul(gh, matmul(p, ph))
        res = res + t1 - matmul(a, matmul(p, t1))
        t2 = matmul(matmul(ph, p), gh)
        res = res + t2 - matmul(matmul(t2, p), a)
        return res, None, None, None


def pinv(A, *, atol=None, rtol=None, hermitian=False, out=None):
    """Moore-Penrose pseudo-inverse via the SVD (singular values under the tolerance dropped)."""
    _check_matrix(A, 'linalg.pinv')
    r = _Pinv.apply(A, atol, rtol, hermitian)
    return r if out is None else write_out(out, r)


def matrix_rank(A, *, atol=None, rtol=None, hermitian=False, out=None, tol=None):
    """Number of singular values above the tolerance (int64)."""
    _check_matrix(A, 'linalg.matrix_rank')
    if tol is not None:
        atol = tol
    xp = A._storage.device.xp
    x, _ = _lapack_dtype(A._data)
    s = xp.abs(xp.linalg.eigvalsh(x)) if hermitian else xp.linalg.svd(x, compute_uv=False)
    if hermitian:
        s = xp.sort(s, axis=-1)[..., ::-1]
    tol_arr = _tolerance(s, xp, atol, rtol, x.shape, x.dtype)
    r = _const(A, xp.asarray((s > tol_arr).sum(-1), dtype='int64'))
    return r if out is None else write_out(out, r)
