"""ember.linalg (= torch.linalg) against real torch: values, dtypes, shapes, gradients, errors."""
import math

import numpy as np
import pytest
import torch

import ember
from helpers import parity, rand, raises_like, assert_same


def well_conditioned(*shape, dtype='float64'):
    """Random square matrices with a strong diagonal (safely invertible)."""
    n = shape[-1]
    return (rand(*shape) + 3 * np.eye(n)).astype(dtype)


def spd(*shape, dtype='float64'):
    a = rand(*shape)
    return (a @ np.swapaxes(a, -1, -2) + shape[-1] * np.eye(shape[-1])).astype(dtype)


def sym(*shape):
    a = rand(*shape)
    return a + np.swapaxes(a, -1, -2)


@pytest.mark.parametrize('shape', [(3, 3), (2, 4, 4), (1, 1), (2, 0, 0)])
@pytest.mark.parametrize('dtype', ['float64', 'float32'])
def test_inv_det_slogdet(shape, dtype):
    tol = 1e-4 if dtype == 'float32' else 1e-8
    a = well_conditioned(*shape, dtype=dtype)
    out, t = parity(lambda lib, x: lib.linalg.inv(x), a, atol=tol, rtol=tol)
    assert out.grad_fn.name() == t.grad_fn.name() == 'LinalgInvExBackward0'
    out, t = parity(lambda lib, x: lib.linalg.det(x), a, atol=tol, rtol=tol)
    assert out.grad_fn.name() == 'LinalgDetBackward0'
    parity(lambda lib, x: tuple(lib.linalg.slogdet(x)), a, atol=tol, rtol=tol)
    parity(lambda lib, x: lib.linalg.det(x.mT), a, atol=tol, rtol=tol)


def test_slogdet_negative_and_return_type():
    a = well_conditioned(3, 3)
    a[[0, 1]] = a[[1, 0]]
    parity(lambda lib, x: tuple(lib.linalg.slogdet(x)), a, atol=1e-8)
    parity(lambda lib, x: lib.logdet(x), np.stack([a, well_conditioned(3, 3)]), grad=False)
    r = ember.linalg.slogdet(ember.tensor(a))
    assert type(r).__name__ == 'linalg_slogdet' and r.sign is r[0] and r.logabsdet is r[1]
    assert repr(r).startswith('torch.return_types.linalg_slogdet(\nsign=')


def test_inv_errors():
    raises_like(lambda lib, x: lib.linalg.inv(x), np.zeros((3, 3)), match='input matrix is singular')
    raises_like(lambda lib, x: lib.linalg.inv(x), np.zeros((2, 3, 3)), match='(Batch element 0)')
    raises_like(lambda lib, x: lib.linalg.inv(x), rand(3, 4),
                match='linalg.inv: A must be batches of square matrices, but they are 3 by 4 matrices')
    raises_like(lambda lib, x: lib.linalg.inv(x), rand(3, 3, dtype='int64'),
                match='Expected a floating point or complex tensor as input. Got Long')
    raises_like(lambda lib, x: lib.linalg.det(x), rand(3), match='must have at least 2 dimensions')
    e = raises_like(lambda lib, x: lib.linalg.inv(x), np.zeros((3, 3)))
    assert isinstance(e, ember.linalg.LinAlgError) and isinstance(e, RuntimeError)


@pytest.mark.parametrize('sa,sb,left', [
    ((3, 3), (3,), True), ((3, 3), (3, 2), True), ((2, 3, 3), (2, 3), True), ((2, 3, 3), (3, 4), True),
    ((3, 3), (2, 3, 4), True), ((3, 3), (2, 3), False), ((2, 3, 3), (2, 4, 3), False),
])
def test_solve(sa, sb, left):
    out, t = parity(lambda lib, a, b: lib.linalg.solve(a, b, left=left), well_conditioned(*sa), rand(*sb),
                    atol=1e-8)
    assert out.grad_fn.name() == 'LinalgSolveExBackward0'
    parity(lambda lib, a, b: lib.linalg.solve(a, b, left=left),
           well_conditioned(*sa, dtype='float32'), rand(*sb, dtype='float32'), atol=1e-4, rtol=1e-4)


def test_solve_errors():
    raises_like(lambda lib, a, b: lib.linalg.solve(a, b), np.zeros((3, 3)), rand(3),
                match='The solver failed because the input matrix is singular')
    raises_like(lambda lib, a, b: lib.linalg.solve(a, b), well_conditioned(3, 3), rand(4),
                match='Incompatible shapes of A and B for the equation AX = B (3x3 and 4x1)')


@pytest.mark.parametrize('upper,left,unit', [(False, True, False), (True, True, False), (True, False, False),
                                             (False, True, True)])
def test_solve_triangular(upper, left, unit):
    a = well_conditioned(2, 3, 3)
    b = rand(2, 3, 4) if left else rand(2, 4, 3)
    parity(lambda lib, x, y: lib.linalg.solve_triangular(x, y, upper=upper, left=left, unitriangular=unit),
           a, b, atol=1e-8)


@pytest.mark.parametrize('shape', [(3, 3), (2, 4, 4)])
@pytest.mark.parametrize('upper', [False, True])
def test_cholesky(shape, upper):
    out, _ = parity(lambda lib, x: lib.linalg.cholesky(x, upper=upper), spd(*shape), atol=1e-8)
    assert out.grad_fn.name() == 'LinalgCholeskyExBackward0'
    raises_like(lambda lib, x: lib.linalg.cholesky(x), -np.eye(3), match='not positive-definite')
    parity(lambda lib, x: tuple(lib.linalg.cholesky_ex(x)), spd(3, 3), grad=False)


@pytest.mark.parametrize('shape', [(4, 3), (3, 3), (2, 5, 3)])
def test_qr(shape):
    out, t = parity(lambda lib, x: tuple(lib.linalg.qr(x)), rand(*shape), atol=1e-8)
    assert out[0].grad_fn.name() == 'LinalgQrBackward0'
    parity(lambda lib, x: tuple(lib.linalg.qr(x, mode='complete')), rand(*shape), grad=False, atol=1e-8)
    parity(lambda lib, x: lib.linalg.qr(x, mode='r')[1], rand(*shape), grad=False, atol=1e-8)
    assert type(ember.linalg.qr(ember.tensor(rand(*shape)))).__name__ == 'linalg_qr'


@pytest.mark.parametrize('shape', [(4, 3), (3, 4), (3, 3), (2, 5, 3)])
def test_svd(shape):
    # singular vectors are defined up to sign: compare sign-invariant functions of them
    def f(lib, x, full=False):
        u, s, vh = lib.linalg.svd(x, full_matrices=full)
        k = s.shape[-1]
        res = u[..., :k] * u[..., :k], s, vh[..., :k, :] * vh[..., :k, :]
        return res if full else res + ((u * s.unsqueeze(-2)) @ vh,)
    out, t = parity(f, rand(*shape), atol=1e-7)
    assert out[1].grad_fn.name() == 'LinalgSvdBackward0'
    parity(lambda lib, x: f(lib, x, True), rand(*shape), atol=1e-7)
    u, s, vh = ember.linalg.svd(ember.tensor(rand(*shape)))
    assert u.shape[-1] == shape[-2] and vh.shape[-1] == shape[-1]
    parity(lambda lib, x: lib.linalg.svdvals(x), rand(*shape), atol=1e-8)
    parity(lambda lib, x: lib.linalg.svdvals(x), rand(*shape, dtype='float32'), atol=1e-4)


@pytest.mark.parametrize('shape', [(3, 3), (2, 4, 4)])
def test_eigh(shape):
    def f(lib, x):
        w, v = lib.linalg.eigh(x)
        return w, v * v
    out, _ = parity(f, sym(*shape), atol=1e-7)
    assert out[0].grad_fn.name() == 'LinalgEighBackward0'
    parity(lambda lib, x: lib.linalg.eigvalsh(x), sym(*shape), atol=1e-8)
    parity(lambda lib, x: lib.linalg.eigvalsh(x, UPLO='U'), rand(*shape), grad=False, atol=1e-8)
    parity(lambda lib, x: lib.linalg.eigvalsh(x), sym(*shape).astype('float32'), atol=1e-4)
    raises_like(lambda lib, x: lib.linalg.eigh(x), rand(2, 3), match='must be batches of square matrices')


@pytest.mark.parametrize('shape', [(4, 3), (3, 4), (2, 3, 5)])
def test_pinv_and_rank(shape):
    out, _ = parity(lambda lib, x: lib.linalg.pinv(x), rand(*shape), atol=1e-7)
    assert out.grad_fn.name() == 'LinalgPinvBackward0'
    parity(lambda lib, x: lib.linalg.matrix_rank(x), rand(*shape), grad=False)
    low = rand(*shape[:-1], 1) @ rand(*shape[:-2], 1, shape[-1])
    parity(lambda lib, x: lib.linalg.matrix_rank(x), low, grad=False)
    parity(lambda lib, x: lib.linalg.matrix_rank(x, atol=1.0, rtol=0.0), rand(*shape), grad=False)
    parity(lambda lib, x: lib.linalg.matrix_rank(x, hermitian=True), sym(3, 3), grad=False)
    parity(lambda lib, x: lib.linalg.pinv(x, rtol=0.5), rand(*shape), grad=False, atol=1e-8)


@pytest.mark.parametrize('ord', [2, 1, 3, 0.5, 0, math.inf, -math.inf])
@pytest.mark.parametrize('dim,keepdim', [(None, False), (1, False), ((0, 2), True), (-1, True)])
def test_vector_norm(ord, dim, keepdim):
    out, t = parity(lambda lib, x: lib.linalg.vector_norm(x, ord, dim, keepdim), rand(2, 3, 4), atol=1e-8)
    assert out.grad_fn.name() == 'LinalgVectorNormBackward0'
    parity(lambda lib, x: lib.linalg.vector_norm(x.mT, ord, dim, keepdim), rand(2, 4, 3, dtype='float32'),
           atol=1e-5)


def test_vector_norm_special():
    parity(lambda lib, x: lib.linalg.vector_norm(x), np.zeros((3, 2)))        # zero norm: zero grad
    parity(lambda lib, x: lib.linalg.vector_norm(x, math.inf), np.array([1.0, -3.0, 3.0, 2.0]))  # ties
    parity(lambda lib, x: lib.linalg.vector_norm(x), rand())
    parity(lambda lib, x: lib.linalg.vector_norm(x), rand(0, 3))
    parity(lambda lib, x: lib.linalg.vector_norm(x, dtype=lib.float64), rand(4, dtype='float32'))
    raises_like(lambda lib, x: lib.linalg.vector_norm(x), rand(3, dtype='int64'),
                match='Expected a floating point or complex tensor as input. Got Long')


@pytest.mark.parametrize('ord', ['fro', 'nuc', 2, -2, 1, -1, math.inf, -math.inf])
def test_matrix_norm(ord):
    parity(lambda lib, x: lib.linalg.matrix_norm(x, ord), rand(3, 4), atol=1e-8)
    parity(lambda lib, x: lib.linalg.matrix_norm(x, ord, dim=(0, 2), keepdim=True), rand(3, 2, 4), atol=1e-8)
    parity(lambda lib, x: lib.linalg.norm(x, ord), rand(4, 3), atol=1e-8)
    raises_like(lambda lib, x: lib.linalg.matrix_norm(x, ord), rand(3),
                match='The input tensor A must have at least 2 dimensions')


@pytest.mark.parametrize('args', [(), (None, 1), (3, 0), (None, (0, 1)), ('fro', (1, 2), True), (2, None)])
def test_linalg_norm(args):
    shape = (3, 4) if args and args[0] == 2 else (2, 3, 4) if len(args) > 1 and args[1] == (1, 2) else (3, 4)
    if args == (3, 0):
        shape = (5,)
    parity(lambda lib, x: lib.linalg.norm(x, *args), rand(*shape), atol=1e-8)


@pytest.mark.parametrize('kw', [dict(), dict(p=1), dict(p=2, dim=1), dict(p='fro', dim=(0, 1)),
                                dict(p='nuc'), dict(p=math.inf), dict(dim=0, keepdim=True)])
def test_torch_norm(kw):
    parity(lambda lib, x: lib.norm(x, **kw), rand(3, 4), atol=1e-8)
    parity(lambda lib, x: x.norm(**kw), rand(3, 4, dtype='float32'), atol=1e-5)


def test_cross_multi_dot_vecdot_matmul():
    out, _ = parity(lambda lib, a, b: lib.linalg.cross(a, b), rand(4, 3), rand(1, 3))
    assert out.grad_fn.name() == 'LinalgCrossBackward0'
    parity(lambda lib, a, b, c: lib.linalg.multi_dot([a, b, c]), rand(2, 3), rand(3, 4), rand(4, 5))
    parity(lambda lib, a, b, c: lib.linalg.multi_dot((a, b, c)), rand(3), rand(3, 4), rand(4))
    parity(lambda lib, a, b: lib.linalg.vecdot(a, b), rand(2, 3), rand(3))
    parity(lambda lib, a, b: lib.linalg.vecdot(a, b, dim=0), rand(2, 3), rand(2, 1))
    out, _ = parity(lambda lib, a, b: lib.linalg.matmul(a, b), rand(2, 3), rand(3, 3))
    assert out.grad_fn.name() == 'MmBackward0'
    parity(lambda lib, a: lib.linalg.matrix_power(a, 3), rand(2, 3, 3))


def test_double_backward_decompositions():
    a = well_conditioned(3, 3)
    for fn in (lambda lib, x: lib.linalg.inv(x).sum() ** 2, lambda lib, x: lib.linalg.det(x) ** 2,
               lambda lib, x: lib.linalg.slogdet(x)[1] ** 2, lambda lib, x: lib.linalg.vector_norm(x) ** 3,
               lambda lib, x: (lib.linalg.solve(x, x.sum(0)) ** 2).sum()):
        res = []
        for lib in (ember, torch):
            x = lib.tensor(a, requires_grad=True)
            g, = lib.autograd.grad(fn(lib, x), x, create_graph=True)
            res.append(lib.autograd.grad((g ** 2).sum(), x)[0])
        assert_same(res[0], res[1], atol=1e-6, rtol=1e-6)


def test_gradcheck():
    gradcheck = getattr(ember.autograd, 'gradcheck', None)
    if gradcheck is None or not callable(gradcheck):
        pytest.skip('ember.autograd.gradcheck not available yet')
    a = ember.tensor(well_conditioned(3, 3), requires_grad=True)
    b = ember.tensor(rand(3, 2), requires_grad=True)
    for fn, args in [(ember.linalg.inv, (a,)), (ember.linalg.det, (a,)), (ember.linalg.solve, (a, b)),
                     (lambda x: ember.linalg.slogdet(x)[1], (a,)), (ember.linalg.pinv, (b,)),
                     (ember.linalg.vector_norm, (b,)), (lambda x: ember.linalg.matrix_norm(x, 'nuc'), (b,)),
                     (ember.linalg.svdvals, (b,)), (lambda x: ember.linalg.qr(x)[1], (b,))]:
        assert gradcheck(fn, args)


def test_extras():
    parity(lambda lib, a: lib.linalg.matrix_exp(a), rand(2, 3, 3), atol=1e-8)
    parity(lambda lib, x: lib.linalg.vander(x), rand(4))
    parity(lambda lib, a: lib.linalg.diagonal(a, offset=1), rand(2, 3, 4))
    parity(lambda lib, a, b: tuple(lib.linalg.solve_ex(a, b)), well_conditioned(3, 3), rand(3, 2),
           grad=False, atol=1e-8)
    parity(lambda lib, a: tuple(lib.linalg.inv_ex(a)), well_conditioned(2, 3, 3), grad=False, atol=1e-8)
