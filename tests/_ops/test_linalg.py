"""Matrix products (ember/_ops/linalg.py, einsum.py) against real torch."""
import warnings

import numpy as np
import pytest
import torch

import ember
from helpers import parity, rand, raises_like, assert_same

MATMUL_SHAPES = [
    ((3,), (3,)), ((3,), (3, 4)), ((2, 3), (3,)), ((2, 3), (3, 4)), ((5, 2, 3), (3, 4)),
    ((5, 2, 3), (5, 3, 4)), ((2, 3), (5, 3, 4)), ((1, 5, 2, 3), (7, 1, 3, 4)), ((5, 2, 3), (3,)),
    ((3,), (5, 3, 4)), ((5, 2, 3), (1, 3, 4)), ((2, 1, 2, 3), (3, 4)), ((4,), (2, 3, 4, 5)),
    ((0, 3), (3, 4)), ((2, 0), (0, 3)), ((0,), (0,)), ((5, 0, 3), (3, 2)), ((2, 3), (3, 0)),
]


@pytest.mark.parametrize('sa,sb', MATMUL_SHAPES)
@pytest.mark.parametrize('dtype', ['float64', 'float32'])
def test_matmul_parity(sa, sb, dtype):
    tol = 1e-5 if dtype == 'float32' else 1e-10
    parity(lambda lib, a, b: lib.matmul(a, b), rand(*sa, dtype=dtype), rand(*sb, dtype=dtype),
           atol=tol, rtol=tol)
    parity(lambda lib, a, b: a @ b, rand(*sa, dtype=dtype), rand(*sb, dtype=dtype), atol=tol, rtol=tol)


@pytest.mark.parametrize('sa,sb', MATMUL_SHAPES[:12])
def test_matmul_grad_fn_names(sa, sb):
    e = ember.matmul(ember.ones(sa, requires_grad=True), ember.ones(sb))
    t = torch.matmul(torch.ones(sa, requires_grad=True), torch.ones(sb))
    assert e.grad_fn.name() == t.grad_fn.name()


@pytest.mark.parametrize('fn,shapes,name', [
    ('mm', ((2, 3), (3, 4)), 'MmBackward0'), ('bmm', ((2, 2, 3), (2, 3, 4)), 'BmmBackward0'),
    ('mv', ((2, 3), (3,)), 'MvBackward0'), ('dot', ((3,), (3,)), 'DotBackward0'),
    ('vdot', ((3,), (3,)), 'VdotBackward0'),
])
def test_products_parity(fn, shapes, name):
    out, _ = parity(lambda lib, a, b: getattr(lib, fn)(a, b), *[rand(*s) for s in shapes])
    assert out.grad_fn.name() == name
    parity(lambda lib, a, b: getattr(a, fn)(b), *[rand(*s, dtype='float32') for s in shapes])


def test_non_contiguous():
    parity(lambda lib, a, b: a.t() @ b.t(), rand(3, 2), rand(4, 3))
    parity(lambda lib, a, b: a.transpose(0, 2) @ b[:, ::2], rand(3, 2, 5), rand(3, 8))
    parity(lambda lib, a, b: lib.bmm(a.transpose(1, 2), b), rand(4, 3, 2), rand(4, 3, 5))
    parity(lambda lib, a, b: lib.mv(a.t(), b[::2]), rand(6, 2), rand(12))
    parity(lambda lib, a, b: lib.matmul(a.permute(2, 0, 1), b.mT), rand(2, 3, 5), rand(5, 4, 3))


@pytest.mark.parametrize('dtype', ['int64', 'int32'])
def test_int_matmul(dtype):
    for sa, sb in [((2, 3), (3, 4)), ((3,), (3,)), ((2, 3), (3,)), ((5, 2, 3), (5, 3, 4)), ((4, 2, 3), (3, 2))]:
        parity(lambda lib, a, b: a @ b, rand(*sa, dtype=dtype), rand(*sb, dtype=dtype))


def test_empty_gives_zeros():
    e, t = parity(lambda lib, a, b: a @ b, rand(2, 0), rand(0, 3))
    assert np.all(e.detach().numpy() == 0) and e.shape == (2, 3)


def test_half_precision():
    parity(lambda lib, a, b: a @ b, rand(4, 8, dtype='float16'), rand(8, 3, dtype='float16'),
           grad=False, atol=1e-2, rtol=1e-2)


@pytest.mark.parametrize('sa,sb,match', [
    ((2, 3), (4, 5), 'mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)'),
    ((5, 2, 3), (4, 5), 'mat1 and mat2 shapes cannot be multiplied (10x3 and 4x5)'),
    ((3,), (4, 5), 'mat1 and mat2 shapes cannot be multiplied (1x3 and 4x5)'),
    ((2, 3), (4,), 'size mismatch, got input (2), mat (2x3), vec (4)'),
    ((3,), (4,), 'inconsistent tensor size'),
    ((5, 2, 3), (5, 4, 5), 'Expected size for first two dimensions of batch2 tensor'),
    ((5, 2, 3), (4, 3, 4), 'The size of tensor a (5) must match the size of tensor b (4)'),
    ((), (3,), 'both arguments to matmul need to be at least 1D, but they are 0D and 1D'),
    ((3,), (), 'both arguments to matmul need to be at least 1D, but they are 1D and 0D'),
])
def test_matmul_errors(sa, sb, match):
    raises_like(lambda lib, a, b: lib.matmul(a, b), rand(*sa), rand(*sb), match=match)


def test_dtype_errors():
    raises_like(lambda lib, a, b: a @ b, rand(2, 3, dtype='float32'), rand(3, 4),
                match='expected m1 and m2 to have the same dtype, but got: float != double')
    raises_like(lambda lib, a, b: a @ b, rand(2, 3, dtype='int64'), rand(3, 4, dtype='int32'),
                match='expected m1 and m2 to have the same dtype, but got: long int != int')
    raises_like(lambda lib, a, b: lib.dot(a, b), rand(3, dtype='float32'), rand(3),
                match='dot : expected both vectors to have same dtype, but found Float and Double')
    raises_like(lambda lib, a, b: lib.bmm(a, b), rand(2, 2, 3, dtype='float32'), rand(2, 3, 4),
                match='expected scalar type Float but found Double')
    raises_like(lambda lib, a, b: lib.mm(a, b), rand(2, 3, dtype='bool'), rand(3, 4, dtype='bool'))
    raises_like(lambda lib, a, b: lib.mm(a, b), rand(3), rand(3, 4), match='self must be a matrix')
    raises_like(lambda lib, a, b: lib.bmm(a, b), rand(2, 3), rand(3, 3, 5), match='batch1 must be a 3D tensor')
    raises_like(lambda lib, a, b: lib.dot(a, b), rand(2, 1), rand(2, 1),
                match='1D tensors expected, but got 2D and 2D tensors')


def test_double_backward_matmul():
    for sa, sb in [((2, 3), (3, 4)), ((5, 2, 3), (3, 4)), ((3,), (3, 4)), ((2, 3), (3,)), ((2, 2, 3), (2, 3, 4))]:
        a, b, c = rand(*sa), rand(*sb), rand(*sb)
        res = []
        for lib in (ember, torch):
            x, y = lib.tensor(a, requires_grad=True), lib.tensor(b, requires_grad=True)
            out = (lib.matmul(x, y) ** 2).sum()
            gx, = lib.autograd.grad(out, x, create_graph=True)
            gy, = lib.autograd.grad((gx * gx).sum() + (gx.sum() * lib.tensor(c)).sum(), y)
            res.append((gx, gy))
        assert_same(res[0][0], res[1][0], atol=1e-10, rtol=1e-10)
        assert_same(res[0][1], res[1][1], atol=1e-10, rtol=1e-10)


@pytest.mark.parametrize('fn,shapes,kw', [
    ('addmm', ((2, 4), (2, 3), (3, 4)), {}), ('addmm', ((4,), (2, 3), (3, 4)), dict(beta=0.5, alpha=2.0)),
    ('addmm', ((1, 1), (2, 3), (3, 4)), dict(beta=0)),
    ('addmv', ((2,), (2, 3), (3,)), dict(beta=2, alpha=-1)), ('addmv', ((), (2, 3), (3,)), {}),
    ('addr', ((2, 3), (2,), (3,)), dict(alpha=3)), ('addr', ((3,), (2,), (3,)), {}),
    ('baddbmm', ((5, 2, 3), (5, 2, 4), (5, 4, 3)), dict(beta=0.5)),
    ('baddbmm', ((2, 3), (5, 2, 4), (5, 4, 3)), {}),
    ('addbmm', ((2, 3), (5, 2, 4), (5, 4, 3)), dict(alpha=0.5)), ('addbmm', ((3,), (5, 2, 4), (5, 4, 3)), {}),
])
def test_add_products(fn, shapes, kw):
    out, t = parity(lambda lib, i, a, b: getattr(lib, fn)(i, a, b, **kw), *[rand(*s) for s in shapes])
    assert out.grad_fn.name() == t.grad_fn.name()
    parity(lambda lib, i, a, b: getattr(i, fn)(a, b, **kw), *[rand(*s, dtype='float32') for s in shapes])


@pytest.mark.parametrize('fn,shapes', [
    ('addmm', ((2, 4), (2, 3), (3, 4))), ('addmv', ((2,), (2, 3), (3,))), ('addr', ((2, 3), (2,), (3,))),
    ('baddbmm', ((5, 2, 3), (5, 2, 4), (5, 4, 3))), ('addbmm', ((2, 3), (5, 2, 4), (5, 4, 3))),
])
def test_add_products_inplace_and_int(fn, shapes):
    parity(lambda lib, i, a, b: getattr(i.clone(), fn + '_')(a, b, beta=2, alpha=0.5), *[rand(*s) for s in shapes])
    parity(lambda lib, i, a, b: getattr(lib, fn)(i, a, b, beta=2), *[rand(*s, dtype='int64') for s in shapes])


def test_addmm_beta_zero_ignores_nan():
    parity(lambda lib, a, b: lib.addmm(lib.full((2, 4), float('nan'), dtype=lib.float64), a, b, beta=0),
           rand(2, 3), rand(3, 4))


def test_add_product_errors():
    raises_like(lambda lib, i, a, b: lib.addmm(i, a, b), rand(3, 4), rand(2, 3), rand(3, 4))
    raises_like(lambda lib, i, a, b: lib.addmm(i, a, b), rand(2, 4), rand(2, 3), rand(4, 5),
                match='mat1 and mat2 shapes cannot be multiplied')
    raises_like(lambda lib, i, a, b: lib.addr(i, a, b, alpha=0.5), rand(2, 2, dtype='int64'),
                rand(2, dtype='int64'), rand(2, dtype='int64'), match='argument alpha must not be')
    for fn, shapes in (('addmm', ((2, 2), (2, 3), (3, 2))), ('addmv', ((2,), (2, 3), (3,)))):
        parity(lambda lib, i, a, b: getattr(lib, fn)(i, a, b, alpha=1.7, beta=0.5),
               *[rand(*s, dtype='int64') for s in shapes])


def test_outer_inner():
    parity(lambda lib, a, b: lib.outer(a, b), rand(2), rand(3))
    parity(lambda lib, a, b: lib.ger(a, b), rand(2), rand(0))
    parity(lambda lib, a, b: a.outer(b), rand(2, dtype='int64'), rand(3))
    parity(lambda lib, a, b: lib.inner(a, b), rand(2, 3), rand(4, 3))
    parity(lambda lib, a, b: lib.inner(a, b), rand(3), rand(3))
    parity(lambda lib, a, b: lib.inner(a, b), rand(2, 5, 3), rand(4, 3))
    parity(lambda lib, a, b: lib.inner(a, b), rand(), rand(2, 3))
    raises_like(lambda lib, a, b: lib.inner(a, b), rand(2, 3), rand(4), match='inner() the last dimension')


@pytest.mark.parametrize('eq,shapes', [
    ('ij,jk->ik', ((2, 3), (3, 4))), ('ij,jk', ((2, 3), (3, 4))), ('bij,bjk->bik', ((5, 2, 3), (5, 3, 4))),
    ('ii', ((3, 3),)), ('ii->i', ((3, 3),)), ('ij->ji', ((2, 3),)), ('ij->', ((2, 3),)),
    ('i,j->ij', ((2,), (3,))), ('i,i->', ((4,), (4,))), ('...ij,...jk->...ik', ((2, 5, 2, 3), (5, 3, 4))),
    ('ij,jk,kl->il', ((2, 3), (3, 4), (4, 5))), ('bn,anm,bm->ba', ((2, 3), (4, 3, 5), (2, 5))),
    ('ij,ij->ij', ((1, 3), (4, 3))), ('ij,ij->i', ((2, 3), (2, 1))), ('iij->j', ((3, 3, 2),)),
    ('ba,cb', ((2, 3), (4, 2))), ('Ba,ab', ((2, 3), (3, 2))), ('i...->...', ((2, 3, 4),)),
    ('ik,jk->ijk', ((2, 0), (3, 0))), ('ij, jk -> ik', ((2, 3), (3, 4))),
])
def test_einsum(eq, shapes):
    parity(lambda lib, *ops: lib.einsum(eq, *ops), *[rand(*s) for s in shapes])
    parity(lambda lib, *ops: lib.einsum(eq, list(ops)), *[rand(*s, dtype='float32') for s in shapes])


def test_einsum_int_sublist_and_double_backward():
    parity(lambda lib, a, b: lib.einsum('ij,jk->ik', a, b), rand(2, 3, dtype='int64'), rand(3, 4, dtype='int64'))
    parity(lambda lib, a, b: lib.einsum(a, [0, 1], b, [1, 2]), rand(2, 3), rand(3, 4))
    parity(lambda lib, a, b: lib.einsum(a, [0, Ellipsis], b, [Ellipsis, 2], [0, 2]), rand(2, 3), rand(3, 4))
    a, b = rand(3, 3), rand(3, 4)
    res = []
    for lib in (ember, torch):
        x, y = lib.tensor(a, requires_grad=True), lib.tensor(b, requires_grad=True)
        out = (lib.einsum('ij,jk,ii->k', x, y, x) ** 2).sum()
        gx, = lib.autograd.grad(out, x, create_graph=True)
        res.append(lib.autograd.grad((gx ** 2).sum(), (x, y)))
    for e, t in zip(*res):
        assert_same(e, t, atol=1e-8, rtol=1e-8)


@pytest.mark.parametrize('eq,shapes,match', [
    ('ij,jk', ((2, 3), (4, 5)), 'subscript j has size 4 for operand 1'),
    ('ij,jk', ((2, 3),), 'fewer operands'),
    ('ijk,jk', ((2, 3), (3, 3)), 'does not match the number of dimensions'),
    ('ij->ii', ((2, 2),), 'appears more than once'),
])
def test_einsum_errors(eq, shapes, match):
    raises_like(lambda lib, *ops: lib.einsum(eq, *ops), *[rand(*s) for s in shapes], match=match)
    raises_like(lambda lib, a, b: lib.einsum('i,i', a, b), rand(2, dtype='float32'), rand(2),
                match='expected scalar type Float but found Double')


@pytest.mark.parametrize('shapes,dims', [
    (((2, 3), (3, 4)), 1), (((2, 3, 4), (3, 4, 5)), 2), (((2, 3, 4), (4, 3, 5)), ([1, 2], [1, 0])),
    (((2, 3), (4, 5)), 0), (((3, 4), (4, 3)), ([0], [1])), (((2, 3), (2, 3)), ([-1, -2], [-1, -2])),
])
def test_tensordot(shapes, dims):
    parity(lambda lib, a, b: lib.tensordot(a, b, dims=dims), *[rand(*s) for s in shapes])
    parity(lambda lib, a, b: lib.tensordot(a, b, dims), *[rand(*s, dtype='int64') for s in shapes])
    raises_like(lambda lib, a, b: lib.tensordot(a, b, dims=1), rand(2, 3), rand(4, 5),
                match='contracted dimensions need to match')


@pytest.mark.parametrize('sa,sb', [((2, 3), (3, 4)), ((2,), (3,)), ((2, 3), (3,)), ((2,), (2, 2, 3)), ((), (2,))])
def test_kron(sa, sb):
    parity(lambda lib, a, b: lib.kron(a, b), rand(*sa), rand(*sb))
    parity(lambda lib, a, b: a.kron(b), rand(*sa, dtype='int64'), rand(*sb, dtype='float32'))


def test_cross():
    out, _ = parity(lambda lib, a, b: lib.cross(a, b, dim=1), rand(2, 3), rand(2, 3))
    assert out.grad_fn.name() == 'LinalgCrossBackward0'
    parity(lambda lib, a, b: lib.cross(a, b, dim=-1), rand(4, 1, 3), rand(1, 5, 3))
    raises_like(lambda lib, a, b: lib.cross(a, b, dim=-1), rand(4, 1, 3), rand(5, 3),
                match='inputs must have the same number of dimensions')
    parity(lambda lib, a, b: lib.linalg.cross(a, b), rand(4, 3), rand(4, 3, dtype='float64'))
    parity(lambda lib, a, b: lib.linalg.cross(a.t(), b, dim=0), rand(5, 3), rand(3, 5))
    parity(lambda lib, a, b: a.cross(b, dim=0), rand(3, 2, dtype='int64'), rand(3, 2, dtype='int64'))
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        parity(lambda lib, a, b: lib.cross(a, b), rand(2, 3), rand(2, 3))
        raises_like(lambda lib, a, b: lib.cross(a, b), rand(2, 4), rand(2, 4), match='no dimension of size 3')
    raises_like(lambda lib, a, b: lib.linalg.cross(a, b), rand(2, 4), rand(2, 4),
                match='linalg.cross: inputs dimension -1 must have length 3. Got 4 and 4')


def test_trace():
    out, _ = parity(lambda lib, a: lib.trace(a), rand(3, 3))
    assert out.grad_fn.name() == 'TraceBackward0'
    parity(lambda lib, a: a.trace(), rand(2, 4, dtype='float32'))
    parity(lambda lib, a: a.t().trace(), rand(4, 2))
    parity(lambda lib, a: lib.trace(a), rand(3, 3, dtype='int32'))
    parity(lambda lib, a: lib.trace(a), rand(0, 3))
    raises_like(lambda lib, a: lib.trace(a), rand(2, 3, 4), match='trace: expected a matrix')


@pytest.mark.parametrize('shapes', [
    ((2, 3), (3, 4)), ((2, 3), (3, 4), (4, 5)), ((10, 2), (2, 10), (10, 3), (3, 1)),
    ((3,), (3, 4), (4,)), ((3,), (3, 4), (4, 2)), ((2, 3), (3,)),
])
def test_multi_dot(shapes):
    parity(lambda lib, *ts: lib.linalg.multi_dot(list(ts)), *[rand(*s) for s in shapes])
    if all(len(s) == 2 for s in shapes):
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            parity(lambda lib, *ts: lib.chain_matmul(*ts), *[rand(*s) for s in shapes])


def test_multi_dot_errors():
    raises_like(lambda lib, a: lib.linalg.multi_dot([a]), rand(2, 2))
    raises_like(lambda lib, a, b: lib.linalg.multi_dot([a, b]), rand(2, 3), rand(4, 2))


@pytest.mark.parametrize('n', [0, 1, 2, 3, 5, -1, -2])
def test_matrix_power(n):
    a = rand(3, 3) + 3 * np.eye(3)
    parity(lambda lib, x: lib.matrix_power(x, n), a, atol=1e-8)
    parity(lambda lib, x: x.matrix_power(n), np.stack([a, a.T]), atol=1e-8)
    if n >= 0:
        parity(lambda lib, x: lib.matrix_power(x, n), rand(2, 3, 3, dtype='int64'))
    raises_like(lambda lib, x: lib.matrix_power(x, 2), rand(2, 3), match='must be batches of square matrices')


def test_torch_namespace_decompositions():
    a = rand(3, 3) + 3 * np.eye(3)
    for fn in ('det', 'logdet', 'inverse'):
        parity(lambda lib, x: getattr(lib, fn)(x), a, atol=1e-8)
        parity(lambda lib, x: getattr(x, fn)(), a, atol=1e-8)
    parity(lambda lib, x: tuple(lib.slogdet(x)), a, atol=1e-8)
    parity(lambda lib, x: lib.pinverse(x), rand(4, 3), atol=1e-8)
    spd = a @ a.T + np.eye(3)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        parity(lambda lib, x: lib.cholesky(x), spd, atol=1e-8)
        parity(lambda lib, x: lib.cholesky(x, upper=True), spd, atol=1e-8)
    parity(lambda lib, x: lib.norm(x), rand(3, 4))
    parity(lambda lib, x: x.norm(dim=1), rand(3, 4))
    parity(lambda lib, x: x.norm(p=1, dim=(0, 1), keepdim=True), rand(3, 4))
    parity(lambda lib, x: lib.norm(x, 'nuc'), rand(3, 4), atol=1e-8)
    parity(lambda lib, x: lib.norm(x, 'fro', dim=(0, 1)), rand(3, 4))
    assert str(ember.slogdet(ember.eye(2) if hasattr(ember, 'eye') else ember.tensor(np.eye(2)))).startswith(
        'torch.return_types.slogdet(')


def test_cholesky_solve_inverse_and_svd_qr():
    a = rand(3, 3) + 3 * np.eye(3)
    spd = a @ a.T + np.eye(3)
    L = np.linalg.cholesky(spd)
    parity(lambda lib, b, l: lib.cholesky_solve(b, l), rand(3, 2), L, atol=1e-8)
    parity(lambda lib, l: lib.cholesky_inverse(l), L, atol=1e-8)
    e, t = parity(lambda lib, x: lib.svd(x)[1], rand(4, 3), atol=1e-8)
    e = ember.svd(ember.tensor(rand(4, 3)))
    assert e.V.shape == (3, 3) and e.U.shape == (4, 3)
    q, r = ember.qr(ember.tensor(rand(4, 3)))
    assert q.shape == (4, 3) and r.shape == (3, 3)


def test_rmatmul_and_imatmul():
    # torch.Tensor has no __imatmul__: `a @= b` rebinds a to a new tensor
    a, b = ember.ones(2, 2), ember.ones(2, 2)
    c = a
    a @= b
    assert a is not c and np.all(a.numpy() == 2) and np.all(c.numpy() == 1)
    assert not hasattr(ember.Tensor, '__imatmul__') or hasattr(torch.Tensor, '__imatmul__')
    assert np.allclose(ember.Tensor.__rmatmul__(ember.ones(3), ember.ones(2, 3)).numpy(), [3, 3])


def test_out_argument():
    for lib in (ember, torch):
        out = lib.empty(2, 4, dtype=lib.float64)
        r = lib.matmul(lib.ones(2, 3, dtype=lib.float64), lib.ones(3, 4, dtype=lib.float64), out=out)
        assert r is out and float(out.sum()) == 24
