"""Matrix products: matmul (all of torch's 1-D/2-D/batched cases), mm, bmm, mv, dot, addmm and
friends. einsum is in `einsum.py`; tensordot, kron, cross, trace, multi_dot, matrix_power and the
torch-namespace decomposition wrappers in `linalg_products.py`.

Products run straight through the backend's `matmul` (BLAS on the CPU, cuBLAS on CUDA) on whole
arrays; batched operands with a 2-D partner are folded into one big GEMM. Backwards are written
with these same ember ops, so gradients are themselves differentiable (double backward).
Decompositions (det, inv, solve, norms, svd ...) live in `linalg_decomp.py`.
"""
from .. import _blas
from .._tensor import Tensor, register_methods
from ..autograd.function import Function
from ._util import inplace, write_out, device_of

__all__ = ['matmul', 'mm', 'bmm', 'mv', 'dot', 'vdot', 'addmm', 'addmv', 'addr', 'baddbmm', 'addbmm',
           'einsum']

# C++ type names torch prints in its dtype-mismatch messages
_CNAME = {'float32': 'float', 'float64': 'double', 'float16': 'c10::Half', 'bfloat16': 'c10::BFloat16',
          'int64': 'long int', 'int32': 'int', 'int16': 'short int', 'int8': 'signed char',
          'uint8': 'unsigned char', 'bool': 'bool', 'complex64': 'c10::complex<float>',
          'complex128': 'c10::complex<double>'}
_WORD = {'float32': 'Float', 'float64': 'Double', 'float16': 'Half', 'bfloat16': 'BFloat16',
         'int64': 'Long', 'int32': 'Int', 'int16': 'Short', 'int8': 'Char', 'uint8': 'Byte',
         'bool': 'Bool', 'complex64': 'ComplexFloat', 'complex128': 'ComplexDouble'}


def _word(t):
    return _WORD.get(t.dtype.name, t.dtype.name)


def _shape_str(shape):
    return 'x'.join(str(s) for s in shape)


def _check_tensor(x, fn, name='input', pos=1):
    if not isinstance(x, Tensor):
        raise TypeError(f"{fn}(): argument '{name}' (position {pos}) must be Tensor, not {type(x).__name__}")


def _h(t):
    """Conjugate transpose of the last two dims (plain transpose for real tensors)."""
    t = t.transpose(-2, -1)
    return t.conj() if t._data.dtype.kind == 'c' else t


def _conj(t):
    return t.conj() if t._data.dtype.kind == 'c' else t


def _mm_arrays(x, y):
    """x @ y on backend arrays. Half precision accumulates in float32 (as torch's CPU kernels)."""
    dt = x.dtype
    if dt.char in 'fd':
        out = _blas.gemm(x, y)
        if out is not None:
            return out
    elif dt.itemsize == 2 and (dt.kind == 'f' or dt.name == 'bfloat16'):
        return (x.astype('float32') @ y.astype('float32')).astype(dt)
    return x @ y


def _bool_check(t, kernel):
    if t._data.dtype.kind == 'b':
        raise NotImplementedError(f'"{kernel}" not implemented for \'Bool\'')


# ---------------------------------------------------------------------------- 2-D / 1-D kernels

class _Mm(Function, node_name='MmBackward0'):
    @staticmethod
    def forward(ctx, a, b):
        if ctx.needs_input_grad:
            ctx.save_for_backward(a if ctx.needs_input_grad[1] else None,
                                  b if ctx.needs_input_grad[0] else None)
        return _mm_arrays(a._data, b._data)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        ga, gb = ctx.needs_input_grad
        return (mm(g, _h(b)) if ga else None), (mm(_h(a), g) if gb else None)


def _check_mm(a, b):
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: "
                           f"{_CNAME.get(a.dtype.name)} != {_CNAME.get(b.dtype.name)}")
    if a._data.shape[-1] != b._data.shape[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({_shape_str(a._data.shape)} "
                           f"and {_shape_str(b._data.shape)})")
    _bool_check(a, 'addmm_impl_cpu_')


def mm(input, mat2, *, out=None):
    """Matrix product of two 2-D tensors (no broadcasting)."""
    _check_tensor(input, 'mm')
    _check_tensor(mat2, 'mm', 'mat2', 2)
    if input._data.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if mat2._data.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    device_of(input, mat2)
    _check_mm(input, mat2)
    r = _Mm.apply(input, mat2)
    return r if out is None else write_out(out, r)


class _Bmm(_Mm, node_name='BmmBackward0'):
    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        ga, gb = ctx.needs_input_grad
        return (bmm(g, _h(b)) if ga else None), (bmm(_h(a), g) if gb else None)


def bmm(input, mat2, *, out=None):
    """Batched matrix product of two 3-D tensors with the same batch size."""
    _check_tensor(input, 'bmm')
    _check_tensor(mat2, 'bmm', 'mat2', 2)
    a, b = input._data, mat2._data
    if a.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if b.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    device_of(input, mat2)
    if a.dtype != b.dtype:
        raise RuntimeError(f"expected scalar type {_word(input)} but found {_word(mat2)}")
    if b.shape[:2] != (a.shape[0], a.shape[2]):
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{a.shape[0]}, {a.shape[2]}] but got: [{b.shape[0]}, {b.shape[1]}].")
    _bool_check(input, 'bmm')
    r = _Bmm.apply(input, mat2)
    return r if out is None else write_out(out, r)


class _Mv(Function, node_name='MvBackward0'):
    @staticmethod
    def forward(ctx, a, v):
        if ctx.needs_input_grad:
            ctx.save_for_backward(a if ctx.needs_input_grad[1] else None,
                                  v if ctx.needs_input_grad[0] else None)
        return _mm_arrays(a._data, v._data)

    @staticmethod
    def backward(ctx, g):
        a, v = ctx.saved_tensors
        ga, gv = ctx.needs_input_grad
        return (g.unsqueeze(-1) * _conj(v) if ga else None), (mv(_h(a), g) if gv else None)


def _check_mv(a, v):
    if a._data.dtype != v._data.dtype:
        raise RuntimeError(f"addmv input tensors must have the same dtype, but got {_word(v)}, "
                           f"{_word(a)}, and {_word(v)}")
    if a._data.shape[1] != v._data.shape[0]:
        raise RuntimeError(f"size mismatch, got input ({a._data.shape[0]}), mat "
                           f"({_shape_str(a._data.shape)}), vec ({v._data.shape[0]})")
    _bool_check(a, 'addmv_impl_cpu')


def mv(input, vec, *, out=None):
    """Matrix (n, m) times vector (m,)."""
    _check_tensor(input, 'mv')
    _check_tensor(vec, 'mv', 'vec', 2)
    if input._data.ndim != 2 or vec._data.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got 1, {input._data.ndim}, {vec._data.ndim}")
    device_of(input, vec)
    _check_mv(input, vec)
    r = _Mv.apply(input, vec)
    return r if out is None else write_out(out, r)


class _Dot(Function, node_name='DotBackward0'):
    @staticmethod
    def forward(ctx, a, b):
        if ctx.needs_input_grad:
            ctx.save_for_backward(a if ctx.needs_input_grad[1] else None,
                                  b if ctx.needs_input_grad[0] else None)
        return a._storage.device.xp.asarray(_mm_arrays(a._data, b._data))

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        ga, gb = ctx.needs_input_grad
        return (g * _conj(b) if ga else None), (g * _conj(a) if gb else None)


class _Vdot(Function, node_name='VdotBackward0'):
    @staticmethod
    def forward(ctx, a, b):
        if ctx.needs_input_grad:
            ctx.save_for_backward(a if ctx.needs_input_grad[1] else None,
                                  b if ctx.needs_input_grad[0] else None)
        xp = a._storage.device.xp
        return xp.asarray(xp.vdot(a._data, b._data))

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        ga, gb = ctx.needs_input_grad
        return (_conj(g) * b if ga else None), (g * a if gb else None)


def _check_dot(a, b, fn):
    if a._data.ndim != 1 or b._data.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {a._data.ndim}D and {b._data.ndim}D tensors")
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(f"{fn} : expected both vectors to have same dtype, but found "
                           f"{_word(a)} and {_word(b)}")
    n, m = a._data.shape[0], b._data.shape[0]
    if n != m:
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{n}] and src [{m}] to have the "
                           f"same number of elements, but got {n} and {m} elements respectively")
    _bool_check(a, fn)
    device_of(a, b)


def dot(input, tensor, *, out=None):
    """Inner product of two 1-D tensors (no conjugation)."""
    _check_tensor(input, 'dot')
    _check_tensor(tensor, 'dot', 'tensor', 2)
    _check_dot(input, tensor, 'dot')
    r = _Dot.apply(input, tensor)
    return r if out is None else write_out(out, r)


def vdot(input, other, *, out=None):
    """Inner product of two 1-D tensors, conjugating the first."""
    _check_tensor(input, 'vdot')
    _check_tensor(other, 'vdot', 'other', 2)
    _check_dot(input, other, 'vdot')
    r = _Vdot.apply(input, other)
    return r if out is None else write_out(out, r)


# ---------------------------------------------------------------------------- matmul

class _Matmul(Function, node_name='UnsafeViewBackward0'):
    """Any matmul involving a >2-D operand (and 1-D @ 2-D), on whole arrays in one call.

    A batched operand times a 2-D/1-D one is folded into a single GEMM over all rows.
    """

    @staticmethod
    def forward(ctx, a, b):
        if ctx.needs_input_grad:
            ctx.save_for_backward(a if ctx.needs_input_grad[1] else None,
                                  b if ctx.needs_input_grad[0] else None)
        ctx.dims = (a._data.ndim, b._data.ndim)
        x, y = a._data, b._data
        if x.ndim > 2 and y.ndim <= 2:
            # fold the batch into the rows: one (B*n, k) @ (k, m) GEMM
            lead = x.shape[:-1]
            r = _mm_arrays(x.reshape(-1, x.shape[-1]), y)
            return r.reshape(lead + y.shape[1:])
        return _mm_arrays(x, y)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        ga, gb = ctx.needs_input_grad
        da, db = ctx.dims
        g2 = g
        if db == 1:
            g2 = g2.unsqueeze(-1)
        if da == 1:
            g2 = g2.unsqueeze(-2)
        grad_a = grad_b = None
        if ga:
            b2 = b.unsqueeze(-1) if db == 1 else b
            grad_a = matmul(g2, _h(b2))              # broadcast batch dims: the engine sums them
            if da == 1:
                grad_a = grad_a.squeeze(-2)
        if gb:
            a2 = a.unsqueeze(0) if da == 1 else a
            if db <= 2 and da > 2:
                # b was shared by every batch item: one GEMM over all rows
                k = a2.shape[-1]
                grad_b = mm(_h(a2.reshape(-1, k)), g2.reshape(-1, g2.shape[-1]))
            else:
                grad_b = matmul(_h(a2), g2)
            if db == 1:
                grad_b = grad_b.squeeze(-1)
        return grad_a, grad_b


class _MatmulT(_Matmul, node_name='CloneBackward0'):
    """2-D @ batched: torch computes it transposed and its result's node is a clone."""


class _VecMat(_Matmul, node_name='SqueezeBackward4'):
    """1-D @ 2-D: torch computes it as (1, k) @ (k, m) squeezed."""


def _broadcast_batch(sa, sb):
    """Broadcast two batch shapes with torch's error message."""
    n = max(len(sa), len(sb))
    sa = (1,) * (n - len(sa)) + tuple(sa)
    sb = (1,) * (n - len(sb)) + tuple(sb)
    out = []
    for i, (p, q) in enumerate(zip(sa, sb)):
        if p != q and p != 1 and q != 1:
            raise RuntimeError(f"The size of tensor a ({p}) must match the size of tensor b ({q}) at "
                               f"non-singleton dimension {i}")
        out.append(q if p == 1 else p)
    return tuple(out)


def matmul(input, other, *, out=None):
    """Matrix product with torch's rules: 1-D.1-D dot, 2-D.1-D mv, 1-D.2-D, 2-D.2-D mm, and
    batched products broadcasting the leading dims."""
    _check_tensor(input, 'matmul')
    _check_tensor(other, 'matmul', 'other', 2)
    da, db = input._data.ndim, other._data.ndim
    if da == 2 and db == 2:
        device_of(input, other)
        _check_mm(input, other)
        r = _Mm.apply(input, other)
    elif da == 0 or db == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are {da}D and {db}D")
    elif da == 1 and db == 1:
        r = dot(input, other)
    elif da == 2 and db == 1:
        r = mv(input, other)
    else:
        device_of(input, other)
        _check_matmul(input, other)
        if da == 1:
            r = (_VecMat if db == 2 else _Matmul).apply(input, other)
        elif da == 2:
            r = _MatmulT.apply(input, other)
        else:
            r = _Matmul.apply(input, other)
    return r if out is None else write_out(out, r)


def _check_matmul(a, b):
    """Errors of the batched / mixed-rank matmul cases, with torch's messages."""
    x, y = a._data, b._data
    da, db = x.ndim, y.ndim
    if da >= 3 and db <= 2:
        rows = 1
        for s in x.shape[:-1]:
            rows *= s
        if db == 1:
            if x.dtype != y.dtype:
                raise RuntimeError(f"addmv input tensors must have the same dtype, but got {_word(b)}, "
                                   f"{_word(a)}, and {_word(b)}")
            if x.shape[-1] != y.shape[0]:
                raise RuntimeError(f"size mismatch, got input ({rows}), mat ({rows}x{x.shape[-1]}), "
                                   f"vec ({y.shape[0]})")
            _bool_check(a, 'addmv_impl_cpu')
            return
        folded = (rows, x.shape[-1])
        if x.dtype != y.dtype:
            raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: "
                               f"{_CNAME.get(a.dtype.name)} != {_CNAME.get(b.dtype.name)}")
        if x.shape[-1] != y.shape[0]:
            raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({_shape_str(folded)} "
                               f"and {_shape_str(y.shape)})")
        _bool_check(a, 'addmm_impl_cpu_')
        return
    if da == 1 and db == 2:
        _check_mm(a.unsqueeze(0), b)
        return
    if x.dtype != y.dtype:
        if da == 1:
            raise RuntimeError(f"addmv input tensors must have the same dtype, but got {_word(a)}, "
                               f"{_word(b)}, and {_word(a)}")
        raise RuntimeError(f"expected scalar type {_word(a)} but found {_word(b)}")
    k = x.shape[-1]
    kb = y.shape[-2] if db >= 2 else y.shape[0]
    batch = _broadcast_batch(x.shape[:-2], y.shape[:-2])
    if k != kb:
        nb = 1
        for s in batch:
            nb *= s
        if da == 1:
            raise RuntimeError(f"size mismatch, got input ({y.shape[-1]}), mat ({y.shape[-1]}x{kb}), vec ({k})")
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: [{nb}, {k}] "
                           f"but got: [{nb}, {kb}].")
    _bool_check(a, 'bmm')


def _rmatmul(self, other):
    return matmul(other, self)


# ---------------------------------------------------------------------------- add* products

def _scaled(t, s):
    return t if s == 1 else t * s


def _int_scalars(kind, t, beta, alpha):
    """Integer tensors: addr rejects float scalars; the others truncate them (as torch does)."""
    if t._data.dtype.kind not in 'iub':
        return beta, alpha
    if kind == 'addr':
        for name, v in (('beta', beta), ('alpha', alpha)):
            if isinstance(v, (float, complex)):
                raise RuntimeError(f"For integral input tensors, argument {name} must not be a "
                                   f"floating point number.")
    return int(beta), int(alpha)


class _AddProduct(Function):
    """beta * input + alpha * prod(m1, m2) for the add* family; `kind` picks the product."""

    @staticmethod
    def forward(ctx, input, m1, m2, beta, alpha, kind):
        ctx.beta, ctx.alpha, ctx.kind = beta, alpha, kind
        ctx.in_shape = input._data.shape
        if ctx.needs_input_grad:
            ctx.save_for_backward(m1 if ctx.needs_input_grad[2] else None,
                                  m2 if ctx.needs_input_grad[1] else None)
        x, y = m1._data, m2._data
        if kind == 'addr':
            p = x[:, None] * y[None, :]
        elif kind == 'addbmm':
            # sum over the batch of m1[b] @ m2[b] == one GEMM over the concatenated inner dim
            B, n, k = x.shape
            p = _mm_arrays(x.transpose(1, 0, 2).reshape(n, B * k), y.reshape(B * k, y.shape[2]))
        else:
            p = _mm_arrays(x, y)
        if alpha != 1:
            p = p * alpha
        if beta == 0:
            xp = m1._storage.device.xp
            return xp.broadcast_to(p, xp.broadcast_shapes(p.shape, input._data.shape)).copy()
        return p + (input._data if beta == 1 else input._data * beta)

    @staticmethod
    def backward(ctx, g):
        m1, m2 = ctx.saved_tensors
        gi, g1, g2 = ctx.needs_input_grad[:3]
        kind = ctx.kind
        gin = _scaled(g, ctx.beta) if gi else None
        gp = _scaled(g, _conj_scalar(ctx.alpha))
        r1 = r2 = None
        if kind == 'addmm':
            r1 = mm(gp, _h(m2)) if g1 else None
            r2 = mm(_h(m1), gp) if g2 else None
        elif kind == 'addmv':
            r1 = gp.unsqueeze(-1) * _conj(m2) if g1 else None
            r2 = mv(_h(m1), gp) if g2 else None
        elif kind == 'addr':
            r1 = mv(gp, _conj(m2)) if g1 else None
            r2 = mv(_h(gp), _conj(m1)) if g2 else None
        elif kind == 'baddbmm':
            r1 = bmm(gp, _h(m2)) if g1 else None
            r2 = bmm(_h(m1), gp) if g2 else None
        else:  # addbmm: gp is (n, m), shared by every batch item
            r1 = matmul(gp, _h(m2)) if g1 else None
            r2 = matmul(_h(m1), gp) if g2 else None
        return gin, r1, r2, None, None, None


def _conj_scalar(s):
    return s.conjugate() if isinstance(s, complex) else s


def _node(name):
    return type(f'_{name}', (_AddProduct,), {}, node_name=name)


_ADD_NODES = {k: _node(v) for k, v in (('addmm', 'AddmmBackward0'), ('addmv', 'AddmvBackward0'),
                                        ('addr', 'AddrBackward0'), ('baddbmm', 'BaddbmmBackward0'),
                                        ('addbmm', 'AddbmmBackward0'))}


def _add_product(kind, input, m1, m2, beta, alpha, out, out_shape):
    device_of(input, m1, m2)
    beta, alpha = _int_scalars(kind, m1, beta, alpha)
    ok = input._data.ndim <= len(out_shape) and all(
        s == 1 or s == o for s, o in zip(reversed(input._data.shape), reversed(out_shape)))
    if not ok:
        raise RuntimeError(f"The expanded size of the tensor ({out_shape[-1] if out_shape else 1}) must "
                           f"match the existing size ({input._data.shape[-1]}) at non-singleton dimension "
                           f"{input._data.ndim - 1}.  Target sizes: {list(out_shape)}.  Tensor sizes: "
                           f"{list(input._data.shape)}")
    if input._data.dtype != m1._data.dtype:
        raise RuntimeError(f"self and mat2 must have the same dtype, but got {_word(input)} and {_word(m1)}")
    r = _ADD_NODES[kind].apply(input, m1, m2, beta, alpha, kind)
    return r if out is None else write_out(out, r)


def addmm(input, mat1, mat2, *, beta=1, alpha=1, out=None):
    """beta * input + alpha * (mat1 @ mat2); input broadcasts to the product's shape."""
    if mat1._data.ndim != 2:
        raise RuntimeError("mat1 must be a matrix, got " f"{mat1._data.ndim}-D tensor")
    if mat2._data.ndim != 2:
        raise RuntimeError("mat2 must be a matrix, got " f"{mat2._data.ndim}-D tensor")
    _check_mm(mat1, mat2)
    return _add_product('addmm', input, mat1, mat2, beta, alpha, out,
                        (mat1._data.shape[0], mat2._data.shape[1]))


def addmv(input, mat, vec, *, beta=1, alpha=1, out=None):
    """beta * input + alpha * (mat @ vec)."""
    if mat._data.ndim != 2 or vec._data.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got {input._data.ndim}, "
                           f"{mat._data.ndim}, {vec._data.ndim}")
    _check_mv(mat, vec)
    return _add_product('addmv', input, mat, vec, beta, alpha, out, (mat._data.shape[0],))


def addr(input, vec1, vec2, *, beta=1, alpha=1, out=None):
    """beta * input + alpha * outer(vec1, vec2)."""
    if vec1._data.ndim != 1:
        raise RuntimeError(f"addr: Expected 1-D argument vec1, but got {vec1._data.ndim}-D")
    if vec2._data.ndim != 1:
        raise RuntimeError(f"addr: Expected 1-D argument vec2, but got {vec2._data.ndim}-D")
    if vec1._data.dtype != vec2._data.dtype:
        raise RuntimeError(f"expected scalar type {_word(vec1)} but found {_word(vec2)}")
    return _add_product('addr', input, vec1, vec2, beta, alpha, out,
                        (vec1._data.shape[0], vec2._data.shape[0]))


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    """beta * input + alpha * bmm(batch1, batch2)."""
    _check_bmm(batch1, batch2)
    b1, b2 = batch1._data.shape, batch2._data.shape
    return _add_product('baddbmm', input, batch1, batch2, beta, alpha, out, (b1[0], b1[1], b2[2]))


def addbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    """beta * input + alpha * sum_b batch1[b] @ batch2[b]."""
    _check_bmm(batch1, batch2)
    b1, b2 = batch1._data.shape, batch2._data.shape
    return _add_product('addbmm', input, batch1, batch2, beta, alpha, out, (b1[1], b2[2]))


def _check_bmm(a, b):
    x, y = a._data, b._data
    if x.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if y.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    if x.dtype != y.dtype:
        raise RuntimeError(f"expected scalar type {_word(a)} but found {_word(b)}")
    if y.shape[:2] != (x.shape[0], x.shape[2]):
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{x.shape[0]}, {x.shape[2]}] but got: [{y.shape[0]}, {y.shape[1]}].")
    _bool_check(a, 'bmm')


def _inplace_variant(fn):
    def method(self, *args, **kwargs):
        return inplace(self, fn, *args, **kwargs)
    method.__name__ = fn.__name__ + '_'
    return method


# ---------------------------------------------------------------------------- the rest of the family

from .einsum import einsum  # noqa: E402
from .linalg_products import *  # noqa: E402,F401,F403
from . import linalg_products as _lp  # noqa: E402

__all__ += _lp.__all__

register_methods({
    'matmul': matmul, '__matmul__': matmul, '__rmatmul__': _rmatmul, 'mm': mm, 'bmm': bmm,
    'mv': mv, 'dot': dot, 'vdot': vdot,
    'addmm': addmm, 'addmm_': _inplace_variant(addmm), 'addmv': addmv, 'addmv_': _inplace_variant(addmv),
    'addr': addr, 'addr_': _inplace_variant(addr), 'baddbmm': baddbmm,
    'baddbmm_': _inplace_variant(baddbmm), 'addbmm': addbmm, 'addbmm_': _inplace_variant(addbmm),
})
