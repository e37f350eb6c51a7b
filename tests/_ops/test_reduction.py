"""Parity with torch for sum/mean/nansum/nanmean/prod, var/std (+_mean), vector norm,
logsumexp, all/any/count_nonzero (values, dtypes, shapes, gradients, errors)."""
import math
import warnings

import numpy as np
import pytest
import torch

import ember
from ember._ops.reduction import norm as ember_vector_norm
from helpers import parity, rand, raises_like

DIMS = [None, 0, -1, (0, 2), (-1, 0), (), [1]]


def _dimkw(dim, keepdim):
    return {'dim': None, 'keepdim': True} if dim is None and keepdim else \
        {} if dim is None else {'dim': dim, 'keepdim': keepdim}


@pytest.mark.parametrize('name', ['sum', 'mean', 'nansum', 'nanmean'])
@pytest.mark.parametrize('dim', DIMS)
@pytest.mark.parametrize('keepdim', [False, True])
def test_sum_mean_dims(name, dim, keepdim):
    x = rand(2, 3, 4)
    parity(lambda lib, x: getattr(lib, name)(x, **_dimkw(dim, keepdim)), x)
    parity(lambda lib, x: getattr(x, name)(**_dimkw(dim, keepdim)), x)


@pytest.mark.parametrize('name', ['sum', 'mean', 'nansum', 'nanmean', 'prod'])
def test_noncontiguous_and_grad_fn(name):
    x = rand(3, 4, 5)
    dim = 1
    e, t = parity(lambda lib, x: getattr(lib, name)(x.permute(2, 0, 1), dim), x)
    assert type(e.grad_fn).__name__ == type(t.grad_fn).__name__
    e, t = parity(lambda lib, x: getattr(lib, name)(x.transpose(0, 2)), x)
    assert type(e.grad_fn).__name__ == type(t.grad_fn).__name__


@pytest.mark.parametrize('name', ['sum', 'mean', 'nansum', 'nanmean', 'prod'])
def test_zero_dim_and_empty(name):
    parity(lambda lib, x: getattr(lib, name)(x), rand())
    parity(lambda lib, x: getattr(lib, name)(x, 0), rand())
    parity(lambda lib, x: getattr(lib, name)(x, -1, keepdim=True), rand())
    e = np.zeros((0, 3))
    parity(lambda lib, x: getattr(lib, name)(x), e)
    parity(lambda lib, x: getattr(lib, name)(x, 0), e)
    parity(lambda lib, x: getattr(lib, name)(x, 1, keepdim=True), e)
    raises_like(lambda lib, x: getattr(lib, name)(x, 2), rand(2, 3))


@pytest.mark.parametrize('dtype', ['int64', 'int32', 'uint8', 'bool', 'float16', 'float32'])
@pytest.mark.parametrize('name', ['sum', 'prod', 'nansum'])
def test_sum_prod_dtypes(name, dtype):
    x = rand(3, 4, dtype=dtype)
    tol = 1e-2 if dtype == 'float16' else 1e-5
    parity(lambda lib, x: getattr(lib, name)(x), x, atol=tol, rtol=tol)
    parity(lambda lib, x: getattr(lib, name)(x, 1), x, atol=tol, rtol=tol)
    parity(lambda lib, x: getattr(lib, name)(x, 0, dtype=lib.float64), x, atol=tol, rtol=tol)
    if dtype != 'float16':
        parity(lambda lib, x: getattr(lib, name)(x, dtype=lib.int32), x, grad=False)
    if dtype.startswith('float'):
        raises_like(lambda lib, x: getattr(lib, name)(x.requires_grad_(), dtype=lib.int64), x,
                    match='Autograd not support dtype')


def test_mean_dtype_rules():
    parity(lambda lib, x: lib.mean(x, dtype=lib.float64), rand(3, 4, dtype='int64'))
    parity(lambda lib, x: x.mean(1, dtype=lib.float32), rand(3, 4))
    parity(lambda lib, x: x.mean(), rand(3, 4, dtype='float32'))
    for dt in ['int64', 'bool', 'uint8']:
        raises_like(lambda lib, x: lib.mean(x), rand(3, dtype=dt), match='could not infer output dtype')
        raises_like(lambda lib, x: lib.nanmean(x), rand(3, dtype=dt), match='floating point')


def test_nan_handling():
    x = np.array([[1.0, np.nan, 2.0], [np.nan, np.nan, 3.0]])
    parity(lambda lib, x: lib.nansum(x, 1), x)
    parity(lambda lib, x: lib.nanmean(x, 0), x)
    parity(lambda lib, x: lib.nanmean(x), x)
    parity(lambda lib, x: lib.sum(x, 1), x, grad=False)


@pytest.mark.parametrize('values', [[[1., 2., 3.], [4., 5., 6.]], [[0., 2., 3.], [4., 0., 0.]],
                                    [[0., 0., 3.], [4., 2., 0.5]]])
@pytest.mark.parametrize('dim', [None, 0, 1, -1])
def test_prod_with_zeros(values, dim):
    x = np.array(values)
    kw = {} if dim is None else {'dim': dim}
    e, t = parity(lambda lib, x: lib.prod(x, **kw), x)
    assert type(e.grad_fn).__name__ == type(t.grad_fn).__name__
    parity(lambda lib, x: x.prod(**kw, **({} if dim is None else {'keepdim': True})), x)


def test_prod_dim_tuple_raises():
    raises_like(lambda lib, x: lib.prod(x, (0, 1)), rand(2, 3))


def test_dims_errors():
    raises_like(lambda lib, x: lib.sum(x, (0, 0)), rand(2, 3), match='multiple times')
    raises_like(lambda lib, x: lib.sum(x, 3), rand(2, 3), match='out of range')
    raises_like(lambda lib, x: lib.mean(x, -3), rand(2, 3), match='out of range')


def test_out_argument():
    x = rand(2, 3)
    for name in ['sum', 'mean', 'prod', 'nansum', 'std', 'var']:
        e_out, t_out = ember.empty(3, dtype=ember.float64), torch.empty(3, dtype=torch.float64)
        r = getattr(ember, name)(ember.tensor(x), 0, out=e_out)
        getattr(torch, name)(torch.tensor(x), 0, out=t_out)
        assert r is e_out
        np.testing.assert_allclose(e_out.numpy(), t_out.numpy())


# ---------------------------------------------------------------------------- var / std

VAR_CALLS = [
    lambda lib, f, x: f(x),
    lambda lib, f, x: f(x, 0),
    lambda lib, f, x: f(x, -1, keepdim=True),
    lambda lib, f, x: f(x, (0, 2)),
    lambda lib, f, x: f(x, 1, False),
    lambda lib, f, x: f(x, 1, True, True),
    lambda lib, f, x: f(x, False),
    lambda lib, f, x: f(x, dim=1, correction=0),
    lambda lib, f, x: f(x, dim=(0, 1), correction=2, keepdim=True),
    lambda lib, f, x: f(x, unbiased=False),
    lambda lib, f, x: f(x.permute(2, 1, 0), 0),
]


@pytest.mark.parametrize('name', ['var', 'std', 'var_mean', 'std_mean'])
@pytest.mark.parametrize('call', range(len(VAR_CALLS)))
def test_var_std(name, call):
    x = rand(3, 4, 5)
    e, t = parity(lambda lib, x: VAR_CALLS[call](lib, getattr(lib, name), x), x)
    if name.endswith('_mean'):
        assert isinstance(e, tuple) and len(e) == 2
        assert type(e[0].grad_fn).__name__ == type(t[0].grad_fn).__name__
    else:
        assert type(e.grad_fn).__name__ == type(t.grad_fn).__name__
        method = lambda *a, **k: getattr(a[0], name)(*a[1:], **k)  # noqa: E731
        parity(lambda lib, x: VAR_CALLS[call](lib, method, x), x)


def test_var_std_edge_cases():
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        parity(lambda lib, x: lib.std(x), rand(), grad=False)
        parity(lambda lib, x: lib.var(x), rand(1), grad=False)
        parity(lambda lib, x: lib.var(x, 0), np.zeros((0, 3)), grad=False)
        parity(lambda lib, x: lib.std(x, 1), np.zeros((0, 3)), grad=False)
    with pytest.warns(UserWarning, match='degrees of freedom'):
        ember.var(ember.tensor([1.0]))
    raises_like(lambda lib, x: lib.var(x), rand(3, dtype='int64'), match='floating point')
    raises_like(lambda lib, x: lib.std(x), rand(3, dtype='bool'))


# ---------------------------------------------------------------------------- vector norm

NORMS = [('fro', None), (2, None), (1, None), (math.inf, None), (-math.inf, None), (0, None),
         (3, None), (0.5, None), (2, 1), (1, -1), (math.inf, 0), (3, (0, 1)), ('fro', (0, 1)),
         (-math.inf, (1,))]


@pytest.mark.parametrize('p,dim', NORMS)
@pytest.mark.parametrize('keepdim', [False, True])
def test_norm(p, dim, keepdim):
    x = rand(3, 4)
    x[0, 0] = 0.0

    def f(lib, x):
        fn = ember_vector_norm if lib is ember else torch.norm
        return fn(x.t(), p, dim, keepdim)
    e, t = parity(f, x)
    assert type(e.grad_fn).__name__ == type(t.grad_fn).__name__


def test_norm_zero_vector_and_ties():
    for p in [2, 3, math.inf]:
        parity(lambda lib, x: (ember_vector_norm if lib is ember else torch.norm)(x, p, 1),
               np.array([[0.0, 0.0, 0.0], [1.0, -3.0, 3.0]]))


def test_norm_errors_and_dtype():
    raises_like(lambda lib, x: (ember_vector_norm if lib is ember else torch.norm)(x), rand(3, dtype='int64'))
    parity(lambda lib, x: (ember_vector_norm if lib is ember else torch.norm)(x, dtype=lib.float64),
           rand(3, dtype='float32'))
    parity(lambda lib, x: (ember_vector_norm if lib is ember else torch.norm)(x), np.zeros((0, 3)))
    parity(lambda lib, x: (ember_vector_norm if lib is ember else torch.norm)(x), rand())


# ---------------------------------------------------------------------------- logsumexp

@pytest.mark.parametrize('dim', [0, -1, (0, 1), [2, 0]])
@pytest.mark.parametrize('keepdim', [False, True])
def test_logsumexp(dim, keepdim):
    e, t = parity(lambda lib, x: lib.logsumexp(x, dim, keepdim), rand(2, 3, 4))
    assert type(e.grad_fn).__name__ == 'LogsumexpBackward0'
    parity(lambda lib, x: x.transpose(0, 2).logsumexp(dim, keepdim=keepdim), rand(2, 3, 4))


def test_logsumexp_stability_and_edges():
    x = np.array([[1000.0, 1000.0, -1000.0], [-np.inf, -np.inf, -np.inf], [np.inf, 1.0, 2.0]])
    parity(lambda lib, x: lib.logsumexp(x, 1), x, grad=False)
    parity(lambda lib, x: lib.logsumexp(x, 1), x[:1])
    parity(lambda lib, x: lib.logsumexp(x, 0), np.zeros((0, 3)))
    parity(lambda lib, x: lib.logsumexp(x, 1), np.zeros((0, 3)))
    parity(lambda lib, x: lib.logsumexp(x, 0), rand())
    parity(lambda lib, x: lib.logsumexp(x, 1), rand(2, 3, dtype='int64'))
    raises_like(lambda lib, x: lib.logsumexp(x), rand(3))


# ---------------------------------------------------------------------------- all / any / count_nonzero

@pytest.mark.parametrize('name', ['all', 'any', 'count_nonzero'])
@pytest.mark.parametrize('dtype', ['float64', 'int64', 'bool', 'uint8'])
@pytest.mark.parametrize('dim', [None, 0, -1, (0, 1)])
def test_logical_reductions(name, dtype, dim):
    x = rand(3, 4, 2, dtype=dtype)
    if dtype == 'float64':
        x[x < 0] = 0
    kw = {} if dim is None else {'dim': dim}
    parity(lambda lib, x: getattr(lib, name)(x, **kw), x)
    parity(lambda lib, x: getattr(x, name)(**kw), x)
    if name != 'count_nonzero' and dim is not None:
        parity(lambda lib, x: getattr(lib, name)(x.permute(2, 0, 1), **kw, keepdim=True), x)


def test_logical_edges():
    for name in ['all', 'any', 'count_nonzero']:
        parity(lambda lib, x: getattr(lib, name)(x), np.zeros((0, 3)))
        parity(lambda lib, x: getattr(lib, name)(x, 0), np.zeros((0, 3)))
        parity(lambda lib, x: getattr(lib, name)(x), np.array(2.0))
    for name in ['all', 'any']:
        parity(lambda lib, x: getattr(lib, name)(x, None, True), rand(2, 3))
        parity(lambda lib, x: getattr(x, name)(dim=(), keepdim=True), rand(2, 3))


# ---------------------------------------------------------------------------- gradcheck

GRADCHECK = [
    lambda x: ember.sum(x, (0, 1)),
    lambda x: ember.mean(x, -1, keepdim=True),
    lambda x: ember.nansum(x, 0),
    lambda x: ember.prod(x, 1),
    lambda x: ember.prod(x),
    lambda x: ember.var(x, 1),
    lambda x: ember.std(x, 0, correction=0),
    lambda x: ember.std_mean(x, 1),
    lambda x: ember_vector_norm(x),
    lambda x: ember_vector_norm(x, 3, 1),
    lambda x: ember.logsumexp(x, 1),
]


@pytest.mark.parametrize('i', range(len(GRADCHECK)))
def test_gradcheck(i):
    x = ember.tensor(rand(3, 4, low=0.5, high=2.0), requires_grad=True)
    assert ember.autograd.gradcheck(GRADCHECK[i], (x,))
    assert ember.autograd.gradgradcheck(GRADCHECK[i], (x,))


def test_gradcheck_prod_with_zeros():
    x = ember.tensor([[0.0, 2.0, 3.0], [1.5, 0.5, 2.0], [0.0, 0.0, 1.0]], dtype=ember.float64,
                     requires_grad=True)
    assert ember.autograd.gradcheck(lambda x: ember.prod(x, 1), (x,))
    assert ember.autograd.gradcheck(lambda x: ember.prod(x), (x,))
    y = ember.tensor([[0.0, 2.0, 3.0], [1.5, 0.5, 2.0]], dtype=ember.float64, requires_grad=True)
    assert ember.autograd.gradcheck(lambda y: ember.prod(y), (y,))
    assert ember.autograd.gradgradcheck(lambda y: ember.prod(y, 1), (y,))
