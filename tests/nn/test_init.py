"""nn.init against torch: gains, fan computation, every initializer's distribution (checked
statistically on large tensors against torch's formulas / torch's own samples), exact values
of the deterministic ones, generator= reproducibility, no_grad, deprecated names, errors, and
the default initialization of the layers."""
import math
import warnings

import numpy as np
import pytest
import torch

import ember
from helpers import raises_like, to_numpy

E, T = ember.nn.init, torch.nn.init


def _fresh(lib, *shape, dtype=None, requires_grad=False):
    dtype = dtype or lib.float32
    return lib.empty(*shape, dtype=dtype, requires_grad=requires_grad)


# ---------------------------------------------------------------- calculate_gain
@pytest.mark.parametrize('nl,param', [
    ('linear', None), ('conv1d', None), ('conv2d', None), ('conv3d', None),
    ('conv_transpose1d', None), ('conv_transpose2d', None), ('conv_transpose3d', None),
    ('sigmoid', None), ('tanh', None), ('relu', None), ('selu', None), ('relu', 3.0),
    ('leaky_relu', None), ('leaky_relu', 0), ('leaky_relu', 0.2), ('leaky_relu', 5),
    ('leaky_relu', math.sqrt(5)), ('tanh', 7)])
def test_calculate_gain(nl, param):
    got, want = E.calculate_gain(nl, param), T.calculate_gain(nl, param)
    assert type(got) is type(want)
    assert got == pytest.approx(want, rel=1e-15)


@pytest.mark.parametrize('nl,param', [('foo', None), ('leaky_relu', True), ('leaky_relu', 'x'),
                                      ('leaky_relu', [0.1]), ('ReLU', None)])
def test_calculate_gain_errors(nl, param):
    err = raises_like(lambda lib: lib.nn.init.calculate_gain(nl, param))
    with pytest.raises(ValueError) as t:
        T.calculate_gain(nl, param)
    assert str(err) == str(t.value)


# ---------------------------------------------------------------- fans
@pytest.mark.parametrize('shape', [(2, 3), (4, 3, 5), (6, 2, 3, 3), (2, 3, 1, 2, 2), (0, 3), (3, 0, 2)])
def test_fan_in_and_fan_out(shape):
    assert (E._calculate_fan_in_and_fan_out(ember.empty(*shape))
            == T._calculate_fan_in_and_fan_out(torch.empty(*shape)))


@pytest.mark.parametrize('mode', ['fan_in', 'fan_out', 'FAN_IN'])
def test_correct_fan(mode):
    assert (E._calculate_correct_fan(ember.empty(6, 2, 3), mode)
            == T._calculate_correct_fan(torch.empty(6, 2, 3), mode))


@pytest.mark.parametrize('shape', [(3,), ()])
def test_fan_needs_two_dims(shape):
    err = raises_like(lambda lib: lib.nn.init._calculate_fan_in_and_fan_out(lib.empty(shape)))
    assert 'fewer than 2 dimensions' in str(err)


def test_bad_mode():
    err = raises_like(lambda lib: lib.nn.init.kaiming_uniform_(lib.empty(3, 3), mode='bad'))
    with pytest.raises(ValueError) as t:
        T.kaiming_uniform_(torch.empty(3, 3), mode='bad')
    assert str(err) == str(t.value)


# ---------------------------------------------------------------- distributions
N_SHAPE = (300, 400)   # 120k samples: std of the sample mean ~ 0.003 sigma


def _np(t):
    return to_numpy(t).astype(np.float64)


@pytest.mark.parametrize('a,b', [(0.0, 1.0), (-3.0, 0.5), (2.0, 2.5)])
def test_uniform(a, b):
    w = E.uniform_(ember.empty(*N_SHAPE), a, b)
    x = _np(w)
    assert x.min() >= a and x.max() <= b
    width = b - a
    assert x.min() - a < 1e-3 * width and b - x.max() < 1e-3 * width
    assert x.mean() == pytest.approx((a + b) / 2, abs=0.01 * width)
    assert x.std() == pytest.approx(width / math.sqrt(12), rel=0.01)


@pytest.mark.parametrize('mean,std', [(0.0, 1.0), (2.0, 0.1), (-1.0, 3.0)])
def test_normal(mean, std):
    x = _np(E.normal_(ember.empty(*N_SHAPE), mean, std))
    assert x.mean() == pytest.approx(mean, abs=0.015 * std)
    assert x.std() == pytest.approx(std, rel=0.01)


@pytest.mark.parametrize('mean,std,a,b', [(0.0, 1.0, -2.0, 2.0), (0.5, 2.0, -1.0, 3.0),
                                          (0.0, 0.02, -0.04, 0.04), (1.0, 1.0, 0.0, 10.0)])
def test_trunc_normal(mean, std, a, b):
    x = _np(E.trunc_normal_(ember.empty(*N_SHAPE), mean, std, a, b))
    torch.manual_seed(0)
    y = T.trunc_normal_(torch.empty(*N_SHAPE), mean, std, a, b).double().numpy()
    assert x.min() >= a and x.max() <= b
    assert abs(x.min() - y.min()) < 0.01 * (b - a)
    assert x.mean() == pytest.approx(y.mean(), abs=0.01 * std)
    assert x.std() == pytest.approx(y.std(), rel=0.02)


def test_trunc_normal_warns_far_mean():
    with pytest.warns(UserWarning, match='mean is more than 2 std'):
        E.trunc_normal_(ember.empty(10), mean=10.0, std=1.0, a=-2.0, b=2.0)


@pytest.mark.parametrize('shape', [(300, 400), (64, 32, 3, 3), (100, 50, 20)])
@pytest.mark.parametrize('gain', [1.0, 2.5])
def test_xavier_uniform(shape, gain):
    x = _np(E.xavier_uniform_(ember.empty(*shape), gain=gain))
    fan_in, fan_out = T._calculate_fan_in_and_fan_out(torch.empty(*shape))
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    assert np.abs(x).max() <= bound * (1 + 1e-6)
    assert np.abs(x).max() >= bound * 0.995
    y = T.xavier_uniform_(torch.empty(*shape), gain=gain).numpy()
    assert x.std() == pytest.approx(y.std(), rel=0.03)


@pytest.mark.parametrize('shape', [(300, 400), (64, 32, 3, 3)])
@pytest.mark.parametrize('gain', [1.0, 0.3])
def test_xavier_normal(shape, gain):
    x = _np(E.xavier_normal_(ember.empty(*shape), gain=gain))
    fan_in, fan_out = T._calculate_fan_in_and_fan_out(torch.empty(*shape))
    std = gain * math.sqrt(2.0 / (fan_in + fan_out))
    y = T.xavier_normal_(torch.empty(*shape), gain=gain).numpy()
    assert x.std() == pytest.approx(std, rel=0.02)
    assert x.std() == pytest.approx(y.std(), rel=0.03)
    assert abs(x.mean()) < 0.03 * std


KAIMING = [dict(), dict(a=math.sqrt(5)), dict(a=0.2, mode='fan_out'),
           dict(nonlinearity='relu'), dict(nonlinearity='relu', mode='fan_out'),
           dict(nonlinearity='tanh'), dict(nonlinearity='linear', mode='fan_in'),
           dict(nonlinearity='selu')]


def _kaiming_std(shape, kw):
    t = torch.empty(*shape)
    fan = T._calculate_correct_fan(t, kw.get('mode', 'fan_in'))
    return T.calculate_gain(kw.get('nonlinearity', 'leaky_relu'), kw.get('a', 0)) / math.sqrt(fan)


@pytest.mark.parametrize('shape', [(256, 128), (64, 16, 5, 5)])
@pytest.mark.parametrize('kw', KAIMING)
def test_kaiming_uniform(shape, kw):
    x = _np(E.kaiming_uniform_(ember.empty(*shape), **kw))
    bound = math.sqrt(3.0) * _kaiming_std(shape, kw)
    assert np.abs(x).max() <= bound * (1 + 1e-6)
    assert np.abs(x).max() >= bound * 0.995
    y = T.kaiming_uniform_(torch.empty(*shape), **kw).numpy()
    assert x.std() == pytest.approx(y.std(), rel=0.03)


@pytest.mark.parametrize('shape', [(256, 128), (64, 16, 5, 5)])
@pytest.mark.parametrize('kw', KAIMING)
def test_kaiming_normal(shape, kw):
    x = _np(E.kaiming_normal_(ember.empty(*shape), **kw))
    std = _kaiming_std(shape, kw)
    y = T.kaiming_normal_(torch.empty(*shape), **kw).numpy()
    assert x.std() == pytest.approx(std, rel=0.02)
    assert x.std() == pytest.approx(y.std(), rel=0.03)
    assert abs(x.mean()) < 0.03 * std


@pytest.mark.parametrize('shape,gain', [((20, 50), 1.0), ((50, 20), 1.0), ((30, 30), 2.0),
                                        ((10, 4, 3, 3), 0.5), ((1, 7), 1.0), ((7, 1), 3.0)])
@pytest.mark.parametrize('dtype', ['float32', 'float64'])
def test_orthogonal(shape, gain, dtype):
    w = E.orthogonal_(ember.empty(*shape, dtype=getattr(ember, dtype)), gain=gain)
    assert tuple(w.shape) == shape and str(w.dtype) == f'torch.{dtype}'
    m = _np(w).reshape(shape[0], -1)
    rows, cols = m.shape
    gram = m @ m.T if rows < cols else m.T @ m
    tol = 1e-4 if dtype == 'float32' else 1e-10
    np.testing.assert_allclose(gram, gain ** 2 * np.eye(min(rows, cols)), atol=tol * gain ** 2)


def test_orthogonal_is_random_and_centered():
    # entries of a Haar-random orthogonal n x n matrix have mean 0 and variance 1/n
    x = _np(E.orthogonal_(ember.empty(200, 200)))
    y = T.orthogonal_(torch.empty(200, 200)).numpy()
    assert abs(x.mean()) < 3 / 200
    assert x.std() == pytest.approx(y.std(), rel=0.01)
    assert not np.allclose(x, _np(E.orthogonal_(ember.empty(200, 200))))


@pytest.mark.parametrize('rows,cols,sparsity', [(100, 30, 0.3), (50, 10, 0.1), (7, 5, 0.5),
                                                (10, 4, 0.0), (10, 4, 1.0)])
def test_sparse(rows, cols, sparsity):
    x = _np(E.sparse_(ember.empty(rows, cols), sparsity, std=0.5))
    y = T.sparse_(torch.empty(rows, cols), sparsity, std=0.5).numpy()
    zeros_per_col = (x == 0).sum(0)
    np.testing.assert_array_equal(zeros_per_col, (y == 0).sum(0))
    assert (zeros_per_col == math.ceil(sparsity * rows)).all()


def test_sparse_std_and_zero_pattern_varies():
    x = _np(E.sparse_(ember.empty(400, 300), 0.25, std=0.2))
    nz = x[x != 0]
    assert nz.std() == pytest.approx(0.2, rel=0.02)
    pattern = x == 0
    assert not (pattern == pattern[:, :1]).all()   # each column draws its own zeros


# ---------------------------------------------------------------- deterministic ones (exact)
@pytest.mark.parametrize('shape', [(3, 4), (2, 3, 4), (5,), ()])
@pytest.mark.parametrize('dtype', ['float32', 'float64', 'int64'])
def test_constant_ones_zeros(shape, dtype):
    for name, args in [('constant_', (3,)), ('constant_', (-1.5,)), ('ones_', ()), ('zeros_', ())]:
        if dtype == 'int64' and args == (-1.5,):
            continue
        e = getattr(E, name)(ember.empty(shape, dtype=getattr(ember, dtype)), *args)
        t = getattr(T, name)(torch.empty(shape, dtype=getattr(torch, dtype)), *args)
        assert str(e.dtype) == str(t.dtype)
        np.testing.assert_array_equal(to_numpy(e), t.numpy())


@pytest.mark.parametrize('shape', [(3, 3), (3, 5), (5, 3), (1, 4), (0, 3)])
@pytest.mark.parametrize('dtype', ['float32', 'float64', 'int64'])
def test_eye(shape, dtype):
    e = E.eye_(ember.empty(*shape, dtype=getattr(ember, dtype)))
    t = T.eye_(torch.empty(*shape, dtype=getattr(torch, dtype)))
    assert str(e.dtype) == str(t.dtype)
    np.testing.assert_array_equal(to_numpy(e), t.numpy())


@pytest.mark.parametrize('shape,groups', [((4, 3, 3), 1), ((4, 2, 3), 2), ((6, 3, 3, 3), 1),
                                          ((6, 1, 3, 3), 3), ((6, 2, 4, 5), 2), ((2, 4, 3, 3), 1),
                                          ((4, 2, 3, 3, 3), 1), ((4, 2, 2, 3, 4), 2),
                                          ((3, 3, 1), 3)])
def test_dirac(shape, groups):
    e = E.dirac_(ember.empty(*shape), groups=groups)
    t = T.dirac_(torch.empty(*shape), groups=groups)
    np.testing.assert_array_equal(to_numpy(e), t.numpy())
    # and it really is the identity convolution (per group)
    if len(shape) == 4 and shape[0] == shape[1] * groups:
        x = ember.randn(2, shape[1] * groups, 6, 7)
        y = ember.nn.functional.conv2d(x, e, padding=(shape[2] // 2, shape[3] // 2), groups=groups)
        if shape[2] % 2 and shape[3] % 2:
            np.testing.assert_allclose(to_numpy(y), to_numpy(x), atol=1e-6)


# ---------------------------------------------------------------- generator= / global stream
RANDOM_INITS = [
    ('uniform_', (-1.0, 2.0)), ('normal_', (0.5, 2.0)), ('trunc_normal_', (0.0, 1.0, -1.0, 1.0)),
    ('xavier_uniform_', ()), ('xavier_normal_', ()), ('kaiming_uniform_', ()),
    ('kaiming_normal_', ()), ('orthogonal_', ()), ('sparse_', (0.3,)),
]


@pytest.mark.parametrize('name,args', RANDOM_INITS)
def test_generator_reproducible(name, args):
    fn = getattr(E, name)

    def draw(seed):
        g = ember.Generator()
        g.manual_seed(seed)
        return _np(fn(ember.empty(12, 9), *args, generator=g))

    a, b, c = draw(7), draw(7), draw(8)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    # the global stream is untouched by a private generator and differs from it
    ember.manual_seed(123)
    before = _np(ember.rand(5))
    ember.manual_seed(123)
    glob = _np(fn(ember.empty(12, 9), *args))
    assert not np.array_equal(glob, a)
    ember.manual_seed(7)     # the same seed on the global generator gives the same stream
    np.testing.assert_array_equal(_np(fn(ember.empty(12, 9), *args)), a)
    ember.manual_seed(123)
    fn(ember.empty(12, 9), *args, generator=ember.Generator().manual_seed(3))
    np.testing.assert_array_equal(_np(ember.rand(5)), before)


@pytest.mark.parametrize('name,args', RANDOM_INITS)
def test_global_seed_reproducible(name, args):
    fn = getattr(E, name)
    ember.manual_seed(11)
    a = _np(fn(ember.empty(12, 9), *args))
    ember.manual_seed(11)
    b = _np(fn(ember.empty(12, 9), *args))
    np.testing.assert_array_equal(a, b)


# ---------------------------------------------------------------- no_grad on leaves
ALL_INITS = RANDOM_INITS + [('constant_', (0.3,)), ('ones_', ()), ('zeros_', ()), ('eye_', ())]


@pytest.mark.parametrize('name,args', ALL_INITS + [('dirac_', ())])
def test_no_grad_on_leaf(name, args):
    shape = (4, 3, 3) if name == 'dirac_' else (6, 5)
    w = ember.empty(*shape, requires_grad=True)
    r = getattr(E, name)(w, *args)
    assert r is w
    assert w.requires_grad and w.is_leaf and w.grad_fn is None
    # a parameter as well, and it still trains afterwards
    p = ember.nn.Parameter(ember.empty(*shape))
    getattr(E, name)(p, *args)
    assert p.is_leaf and p.grad_fn is None
    (p * 2).sum().backward()
    np.testing.assert_array_equal(to_numpy(p.grad), np.full(shape, 2.0, dtype=np.float32))


def test_init_on_view_writes_through():
    base = ember.zeros(6, 4)
    E.ones_(base[:, 1])
    E.eye_(base[2:5, 1:4])
    tb = torch.zeros(6, 4)
    T.ones_(tb[:, 1])
    T.eye_(tb[2:5, 1:4])
    np.testing.assert_array_equal(to_numpy(base), tb.numpy())
    q = ember.zeros(5, 8)
    E.orthogonal_(q.t())            # non-contiguous target
    m = _np(q).T
    np.testing.assert_allclose(m.T @ m, np.eye(5), atol=1e-5)


# ---------------------------------------------------------------- zero-element tensors
@pytest.mark.parametrize('name,args', ALL_INITS)
@pytest.mark.parametrize('shape', [(0, 3), (3, 0), (0, 0, 2)])
def test_zero_element(name, args, shape):
    if name == 'eye_' and len(shape) != 2 or name == 'sparse_' and len(shape) != 2:
        return
    if name.startswith('xavier') and 0 == shape[-1] == shape[0]:
        return

    def run(lib):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter('always')
            try:
                out = getattr(lib.nn.init, name)(lib.empty(*shape), *args)
                res = tuple(out.shape)
            except Exception as e:   # noqa: BLE001
                res = type(e).__name__
        return res, [str(x.message) for x in w]

    assert run(ember) == run(torch)


# ---------------------------------------------------------------- deprecated names
@pytest.mark.parametrize('name,args', [('uniform', ()), ('normal', ()), ('constant', (1.0,)),
                                       ('xavier_uniform', ()), ('xavier_normal', ()),
                                       ('kaiming_uniform', ()), ('kaiming_normal', ()),
                                       ('orthogonal', ()), ('sparse', (0.2,)), ('eye', ()),
                                       ('dirac', ())])
def test_deprecated_names_warn(name, args):
    shape = (4, 3, 3) if name == 'dirac' else (4, 3)
    with pytest.warns(FutureWarning) as rec:
        w = getattr(E, name)(ember.empty(*shape), *args)
    with pytest.warns(FutureWarning) as trec:
        getattr(T, name)(torch.empty(*shape), *args)
    assert str(rec[0].message) == str(trec[0].message)
    assert tuple(w.shape) == shape
    if name == 'constant':
        assert (_np(w) == 1.0).all()


# ---------------------------------------------------------------- errors
@pytest.mark.parametrize('fn,match', [
    (lambda lib: lib.nn.init.eye_(lib.empty(2, 2, 2)), 'Only tensors with 2 dimensions'),
    (lambda lib: lib.nn.init.eye_(lib.empty(3)), 'Only tensors with 2 dimensions'),
    (lambda lib: lib.nn.init.dirac_(lib.empty(2, 2)), 'Only tensors with 3, 4, or 5 dimensions'),
    (lambda lib: lib.nn.init.dirac_(lib.empty(2, 2, 2, 2, 2, 2)), 'Only tensors with 3, 4, or 5'),
    (lambda lib: lib.nn.init.dirac_(lib.empty(3, 2, 3), groups=2), 'divisible by groups'),
    (lambda lib: lib.nn.init.orthogonal_(lib.empty(3)), 'Only tensors with 2 or more'),
    (lambda lib: lib.nn.init.sparse_(lib.empty(3, 3, 3), 0.1), 'Only tensors with 2 dimensions'),
    (lambda lib: lib.nn.init.xavier_uniform_(lib.empty(3)), 'fewer than 2 dimensions'),
    (lambda lib: lib.nn.init.xavier_normal_(lib.empty(3)), 'fewer than 2 dimensions'),
    (lambda lib: lib.nn.init.kaiming_uniform_(lib.empty(3)), 'fewer than 2 dimensions'),
    (lambda lib: lib.nn.init.kaiming_normal_(lib.empty(5)), 'fewer than 2 dimensions'),
    (lambda lib: lib.nn.init.kaiming_normal_(lib.empty(5, 5), nonlinearity='foo'), 'Unsupported'),
])
def test_errors(fn, match):
    raises_like(fn, match=match)


# ---------------------------------------------------------------- layers' default init
LAYERS = [
    ('Linear', (300, 200)), ('Linear', (40, 3000)), ('Bilinear', (30, 40, 50)),
    ('Conv1d', (8, 64, 5)), ('Conv2d', (16, 32, 3)), ('Conv2d', (16, 32, 3), dict(groups=4)),
    ('Conv3d', (4, 32, 3)), ('ConvTranspose1d', (16, 32, 5)), ('ConvTranspose2d', (16, 32, 3)),
    ('ConvTranspose2d', (16, 32, 3), dict(groups=2)), ('ConvTranspose3d', (8, 16, 3)),
    ('Embedding', (500, 30)), ('EmbeddingBag', (500, 30)), ('LayerNorm', (64,)),
    ('BatchNorm2d', (64,)), ('GroupNorm', (4, 64)), ('InstanceNorm1d', (8,), dict(affine=True)),
    ('PReLU', (64,)), ('RNN', (20, 400)), ('LSTM', (30, 200)), ('GRU', (30, 200)),
    ('MultiheadAttention', (64, 4)),
]


def _ids(x):
    return x[0] + str(x[1]) + (str(x[2]) if len(x) > 2 else '')


@pytest.mark.parametrize('layer', LAYERS, ids=[_ids(x) for x in LAYERS])
def test_layer_default_init(layer):
    name, args = layer[0], layer[1]
    kw = layer[2] if len(layer) > 2 else {}
    ember.manual_seed(0)
    torch.manual_seed(0)
    em = getattr(ember.nn, name)(*args, **kw)
    tm = getattr(torch.nn, name)(*args, **kw)
    ep = dict(em.named_parameters())
    tp = dict(tm.named_parameters())
    assert list(ep) == list(tp)
    for k, t in tp.items():
        e = ep[k]
        assert tuple(e.shape) == tuple(t.shape), k
        x, y = _np(e), t.detach().double().numpy()
        if np.all(y == y.flat[0]):         # deterministic: ones / zeros / constants
            np.testing.assert_array_equal(x, y, err_msg=k)
            continue
        assert not np.all(x == x.flat[0]), k
        if y.std() > 0 and np.abs(y).max() / y.std() < 1.9:   # a uniform(-b, b) init
            bound = np.abs(y).max()
            # torch's max |w| over n samples is within ~b/n of b; ember's must not exceed b
            n = y.size
            assert np.abs(x).max() <= bound * (1 + 12.0 / n) + 1e-7, k
            assert np.abs(x).max() >= bound * (1 - 12.0 / n) - 1e-7, k
        assert x.std() == pytest.approx(y.std(), rel=max(0.05, 3 / math.sqrt(x.size))), k
        assert abs(x.mean() - y.mean()) < 6 * y.std() / math.sqrt(x.size) + 1e-7, k


def test_linear_conv_exact_bounds():
    ember.manual_seed(1)
    lin = ember.nn.Linear(500, 400)
    b = 1 / math.sqrt(500)
    assert np.abs(_np(lin.weight)).max() <= b and np.abs(_np(lin.weight)).max() > 0.999 * b
    assert np.abs(_np(lin.bias)).max() <= b and np.abs(_np(lin.bias)).max() > 0.98 * b
    conv = ember.nn.Conv2d(24, 384, 3, groups=3)
    b = 1 / math.sqrt(8 * 9)
    assert np.abs(_np(conv.weight)).max() <= b and np.abs(_np(conv.weight)).max() > 0.999 * b
    assert np.abs(_np(conv.bias)).max() <= b and np.abs(_np(conv.bias)).max() > 0.95 * b
    convt = ember.nn.ConvTranspose2d(16, 256, 3)      # weight (16, 256, 3, 3): fan_in = 256*9
    b = 1 / math.sqrt(256 * 9)
    assert np.abs(_np(convt.weight)).max() <= b and np.abs(_np(convt.weight)).max() > 0.999 * b
    assert np.abs(_np(convt.bias)).max() <= b and np.abs(_np(convt.bias)).max() > 0.95 * b
