"""Parity with torch for the assorted math ops in ember/_ops/misc.py."""
import numpy as np
import pytest
import torch

import ember
from ember.autograd import gradcheck
from helpers import parity, rand, raises_like, assert_same


@pytest.mark.parametrize('n,dim', [(1, -1), (2, 0), (3, 1), (0, 1)])
def test_diff(n, dim):
    parity(lambda L, x: L.diff(x, n=n, dim=dim), rand(4, 5))
    parity(lambda L, x: x.t().diff(n, dim), rand(4, 5))


def test_diff_prepend_append_bool_int():
    parity(lambda L, x, p, a: L.diff(x, 2, 0, prepend=p, append=a), rand(3, 2), rand(1, 2), rand(2, 2))
    parity(lambda L, x: L.diff(x), np.array([True, False, False, True]))
    parity(lambda L, x: L.diff(x, dim=0), rand(4, 3, dtype='int32'))
    raises_like(lambda L, x: L.diff(x), np.float64(1.0))


@pytest.mark.parametrize('minlength', [0, 10])
def test_bincount(minlength):
    x = np.array([0, 1, 1, 3, 5, 5, 5])
    parity(lambda L, x: L.bincount(x, minlength=minlength), x)
    for dt in ('float32', 'float64', 'int32'):
        parity(lambda L, x, w: L.bincount(x, w, minlength), x, rand(7, dtype=dt), grad=False)
    parity(lambda L, x: x.bincount(), np.zeros(0, dtype='int64'))
    raises_like(lambda L, x: L.bincount(x), np.array([-1, 2]))
    raises_like(lambda L, x: L.bincount(x), rand(3))


def test_histogram():
    x = rand(50)
    parity(lambda L, x: L.histogram(x, 5), x, grad=False)
    parity(lambda L, x: L.histogram(x, 4, range=(-1., 1.), density=True), x, grad=False)
    parity(lambda L, x, w: L.histogram(x, 3, weight=w), x, rand(50, low=0), grad=False)
    parity(lambda L, x, b: L.histogram(x, b), x, np.array([-2., 0., 0.5, 2.]), grad=False)
    e = ember.histogram(ember.tensor(x), 3)
    assert e.hist.shape == (3,) and e.bin_edges.shape == (4,)


@pytest.mark.parametrize('kw', [{}, {'correction': 0}, {'correction': 2}])
def test_cov_corrcoef(kw):
    parity(lambda L, x: L.cov(x, **kw), rand(3, 6))
    parity(lambda L, x: L.cov(x.t(), **kw), rand(6, 3))
    parity(lambda L, x: L.cov(x, **kw), rand(6))
    parity(lambda L, x: L.corrcoef(x), rand(3, 6))


def test_cov_weights():
    fw = np.array([1, 2, 1, 3, 1])
    aw = rand(5, low=0.1, high=1.0)
    parity(lambda L, x, f, a: L.cov(x, fweights=f, aweights=a), rand(2, 5), fw, aw)
    parity(lambda L, x, f: L.cov(x, fweights=f), rand(2, 5), fw)
    parity(lambda L, x: L.cov(x), rand(2, 4, dtype='int64'))


@pytest.mark.parametrize('interp', ['linear', 'lower', 'higher', 'midpoint', 'nearest'])
def test_quantile(interp):
    x = rand(4, 7)
    parity(lambda L, x: L.quantile(x, 0.3, interpolation=interp), x)
    parity(lambda L, x, q: L.quantile(x, q, dim=1, keepdim=True, interpolation=interp), x,
           np.array([0.1, 0.5, 0.75]), grad=False)
    parity(lambda L, x: x.t().quantile(0.6, dim=-1, interpolation=interp), x)
    parity(lambda L, x: L.quantile(x, 0.25, dim=0, interpolation=interp), x)


def test_quantile_nan_and_keepdim():
    x = rand(3, 5)
    x[0, 1] = np.nan
    x[2, :] = np.nan
    parity(lambda L, x: L.quantile(x, 0.4, dim=1), x, grad=False)
    parity(lambda L, x: L.nanquantile(x, 0.4, dim=1), x, grad=False)
    parity(lambda L, x: L.nanquantile(x, 0.4, dim=1, keepdim=True), x, grad=False)
    parity(lambda L, x: L.quantile(x, 0.5, keepdim=True), rand(2, 3))
    parity(lambda L, x, q: L.quantile(x, q), rand(6), np.array([0.0, 1.0]), grad=False)
    parity(lambda L, x: L.quantile(x, 0.5), np.array(2.0))
    raises_like(lambda L, x: L.quantile(x, 1.5), rand(3))
    raises_like(lambda L, x: L.quantile(x, 0.5), rand(3, dtype='int64'))


def test_float_power_frexp_ldexp():
    parity(lambda L, x: L.float_power(x, 2), rand(3, dtype='float32'))
    parity(lambda L, x, y: L.float_power(x, y), rand(3, dtype='int64'), rand(3, low=0))
    parity(lambda L, x: x.float_power(2.5), rand(3, low=0.1))
    parity(lambda L, x: x.clone().float_power_(2), rand(3))
    raises_like(lambda L, x: x.float_power_(2), rand(3, dtype='float32'))
    parity(lambda L, x: L.frexp(x), np.array([3., 0.5, 0., -7.25], dtype='float32'), grad=False)
    parity(lambda L, x, e: L.ldexp(x, e), rand(3, 4), rand(4, dtype='int64', low=0))  # torch: 2**e in ints
    parity(lambda L, x, e: L.ldexp(x, e), rand(3, dtype='int64'), rand(3, dtype='int64'))
    parity(lambda L, x, e: x.clone().ldexp_(e), rand(3), rand(3, dtype='int64', low=0))
    raises_like(lambda L, x: L.frexp(x), rand(3, dtype='int64'))


def test_int_ops():
    a, b = np.array([12, -18, 0, 7]), np.array([8, 6, 5, 0])
    for name in ('gcd', 'lcm'):
        parity(lambda L, a, b: getattr(L, name)(a, b), a, b)
        parity(lambda L, a, b: getattr(a.clone(), name + '_')(b), a, b)
        parity(lambda L, a, b: getattr(L, name)(a, b), a.astype('int32'), b[:1].astype('int16'))
        raises_like(lambda L, a, b: getattr(L, name)(a, b), rand(3), rand(3))
    parity(lambda L, a, b: L.heaviside(a, b), np.array([0., -1., 2.]), np.array(0.5), grad=False)
    parity(lambda L, a, b: a.clone().heaviside_(b), np.array([0, -1, 2]), np.array([5, 5, 5]))
    raises_like(lambda L, a, b: L.heaviside(a, b), np.array([0., 1.]), np.array([1, 2]))
    parity(lambda L, a, b: L.nextafter(a, b), rand(4), rand(4), grad=False)
    parity(lambda L, a, b: L.nextafter(a, b), rand(4, dtype='float32'), rand(1, dtype='float32'), grad=False)


def test_isin():
    a, b = np.array([[1, 2], [3, 4]]), np.array([2, 3, 9])
    parity(lambda L, a, b: L.isin(a, b), a, b)
    parity(lambda L, a, b: L.isin(a, b, invert=True), a, b)
    parity(lambda L, a: L.isin(a, 2), a)
    parity(lambda L, b: L.isin(3, b), b)


def test_block_diag():
    parity(lambda L, a, b, c: L.block_diag(a, b, c), rand(2, 3), rand(3), np.array(4.0))
    parity(lambda L, a, b: L.block_diag(a, b), rand(2, 2, dtype='int64'), rand(1, 2, dtype='float32'))
    parity(lambda L, a: L.block_diag(a, a.t()), rand(2, 3))
    raises_like(lambda L, a: L.block_diag(a), rand(2, 2, 2))


def test_trapezoid():
    y, x = rand(3, 5), np.sort(rand(5))
    parity(lambda L, y: L.trapezoid(y), y)
    parity(lambda L, y: L.trapezoid(y, dx=0.5, dim=0), y)
    parity(lambda L, y, x: L.trapezoid(y, x), y, x)
    parity(lambda L, y, x: L.trapz(y, x, dim=-1), y, x)
    parity(lambda L, y: L.trapz(y, dx=2.0), y)
    parity(lambda L, y: L.trapezoid(y), rand(4, dtype='int64'))
    parity(lambda L, y, x: L.cumulative_trapezoid(y, x), y, x)
    parity(lambda L, y: L.cumulative_trapezoid(y, dx=0.3, dim=0), y)
    parity(lambda L, y, x: L.trapezoid(y, x, dim=0), rand(4, 3), rand(4, 3))


def test_unravel_index():
    parity(lambda L, i: L.unravel_index(i, (2, 3, 4)), np.array([0, 5, 23, 7]))
    parity(lambda L, i: L.unravel_index(i, (2, 3)), np.array([-1, 7]))
    parity(lambda L, i: L.unravel_index(i, 6), np.array(4))
    raises_like(lambda L, i: L.unravel_index(i, (2, 3)), rand(2))


def test_view_as_real_complex():
    z = rand(3, 2, dtype='complex128')
    parity(lambda L, z: L.view_as_real(z) * 2, z)
    parity(lambda L, x: L.view_as_complex(x) * 3, rand(3, 2))
    xe = ember.zeros(4, 2)
    c = ember.view_as_complex(xe)
    c[1] = 1 + 2j
    assert xe[1].tolist() == [1.0, 2.0]
    r = ember.view_as_real(c)
    r[0, 0] = 5.0
    assert c[0].item() == 5 + 0j
    raises_like(lambda L, x: L.view_as_complex(x), rand(3, 3))
    raises_like(lambda L, x: L.view_as_complex(x.t()), rand(2, 3))
    raises_like(lambda L, x: L.view_as_real(x), rand(3))


def test_dist_renorm_i0_mvlgamma():
    parity(lambda L, a, b: L.dist(a, b), rand(3, 4), rand(4))
    parity(lambda L, a, b: L.dist(a, b, 1), rand(3, 4), rand(3, 4))
    parity(lambda L, a, b: a.dist(b, float('inf')), rand(3, 4), rand(3, 4))
    parity(lambda L, a: L.renorm(a, 2, 0, 1.0), rand(3, 4))
    parity(lambda L, a: L.renorm(a, 1, -1, 0.5), rand(3, 4))
    parity(lambda L, a: a.clone().renorm_(2, 1, 1.5), rand(3, 4))
    parity(lambda L, a: L.i0(a), rand(5))
    parity(lambda L, a: L.i0(a), rand(5, dtype='int64'))
    parity(lambda L, a: a.clone().i0_(), rand(5))
    parity(lambda L, a: L.mvlgamma(a, 3), rand(4, low=2.0, high=4.0))


def test_vander():
    parity(lambda L, x: L.vander(x), np.array([1, 2, 3]))
    parity(lambda L, x: L.vander(x, N=4, increasing=True), rand(3), grad=False)  # torch's own backward errors
    parity(lambda L, x: L.vander(x, 2), rand(3, dtype='float32'), grad=False)
    assert gradcheck(lambda x: ember.vander(x, 4), (ember.tensor(rand(3), requires_grad=True),))


def test_index_reduce():
    idx = np.array([0, 2, 0])
    for red in ('prod', 'mean', 'amax', 'amin'):
        for inc in (True, False):
            parity(lambda L, x, s, i: L.index_reduce(x, 0, i, s, red, include_self=inc),
                   rand(3, 2), rand(3, 2), idx)
            parity(lambda L, x, s, i: x.clone().index_reduce_(1, i, s, red, include_self=inc),
                   rand(2, 3), rand(2, 3), idx, grad=False)
    raises_like(lambda L, x, s, i: L.index_reduce(x, 0, i, s, 'sum'), rand(3, 2), rand(3, 2), idx)


def test_scatter_family():
    parity(lambda L, x, s: L.select_scatter(x, s, 1, 0), rand(3, 4), rand(3))
    parity(lambda L, x, s: L.slice_scatter(x, s, 1, 1, 4, 2), rand(3, 4), rand(3, 2))
    parity(lambda L, x, s: L.slice_scatter(x, s), rand(3, 4), rand(3, 4))
    parity(lambda L, x, s: L.diagonal_scatter(x, s, 1), rand(3, 4), rand(3))
    # values only: torch's input gradient here is not the masked cotangent (autograd quirk)
    parity(lambda L, x, s: L.as_strided_scatter(x, s, (2, 2), (1, 2)), rand(3, 4), rand(2, 2), grad=False)
    parity(lambda L, x, s: x.select_scatter(s, -1, -1), rand(3, 4), rand(3))
    raises_like(lambda L, x, s: L.select_scatter(x, s, 0, 0), rand(3, 4), rand(3))


def test_splits_and_sum_to_size_matrix_exp():
    parity(lambda L, x: L.split_with_sizes(x, [1, 3], 1), rand(2, 4))
    parity(lambda L, x: x.split_with_sizes([2, 2]), rand(4, 2))
    parity(lambda L, x: L.unsafe_split(x, 3), rand(7))
    parity(lambda L, x: L.unsafe_chunk(x, 3, -1), rand(2, 7))
    parity(lambda L, x: L.unsafe_split_with_sizes(x, [3, 4]), rand(7))
    raises_like(lambda L, x: L.split_with_sizes(x, [1, 1]), rand(3))
    parity(lambda L, x: x.sum_to_size(3, 1), rand(2, 3, 4))
    parity(lambda L, x: x.sum_to_size((1, 4)), rand(2, 3, 4))
    parity(lambda L, x: x.sum_to_size(2, 3, 4), rand(2, 3, 4))
    raises_like(lambda L, x: x.sum_to_size(5), rand(2, 3))
    parity(lambda L, x: L.matrix_exp(x), rand(3, 3))
    parity(lambda L, x: x.matrix_exp(), rand(2, 3, 3))


@pytest.mark.parametrize('shape,wrap', [((3, 3), False), ((7, 3), True), ((7, 3), False),
                                        ((3, 5), False), ((3, 3, 3), False)])
def test_fill_diagonal(shape, wrap):
    parity(lambda L, x: x.clone().fill_diagonal_(2.5, wrap), rand(*shape))
    raises_like(lambda L, x: x.fill_diagonal_(1), rand(3))


def test_gradcheck():
    dbl = lambda *s: ember.tensor(rand(*s), requires_grad=True)  # noqa: E731
    assert gradcheck(lambda x: ember.quantile(x, 0.3, dim=1), (dbl(3, 4),))
    assert gradcheck(lambda x: ember.cov(x), (dbl(2, 5),))
    assert gradcheck(lambda x: ember.corrcoef(x), (dbl(3, 5),))
    assert gradcheck(lambda x: ember.diff(x, 2), (dbl(3, 5),))
    assert gradcheck(lambda x: ember.i0(x), (dbl(4),))
    assert gradcheck(lambda x: ember.view_as_real(ember.view_as_complex(x) * 3.0), (dbl(3, 2),))
    assert gradcheck(lambda x, y: ember.trapezoid(x, y), (dbl(3, 4), dbl(4)))
    assert gradcheck(lambda x: ember.renorm(x, 2, 0, 1.0), (dbl(3, 4),))
    assert gradcheck(lambda x, s: ember.slice_scatter(x, s, 1, 0, 2), (dbl(3, 4), dbl(3, 2)))
