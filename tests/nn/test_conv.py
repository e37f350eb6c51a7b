"""Convolutions, transposed convolutions, unfold/fold and the conv modules against torch."""
import math

import numpy as np
import pytest
import torch

import ember
from helpers import parity, rand, raises_like, assert_same

pytestmark = pytest.mark.filterwarnings("ignore:Using padding=.same.")


def F(lib):
    return lib.nn.functional


# ----------------------------------------------------------------------------- functional conv
CONV2D = [
    dict(),
    dict(stride=2, padding=1),
    dict(stride=(2, 1), padding=(1, 2), dilation=(2, 1)),
    dict(padding='same', dilation=2),
    dict(padding='same'),
    dict(padding='valid', stride=3),
    dict(groups=2, padding=1),
    dict(groups=2, stride=2, dilation=2, padding=2),
]


@pytest.mark.parametrize('kw', CONV2D)
@pytest.mark.parametrize('dtype', ['float32', 'float64'])
def test_conv2d(kw, dtype):
    tol = 1e-4 if dtype == 'float32' else 1e-10
    parity(lambda lib, x, w, b: F(lib).conv2d(x, w, b, **kw),
           rand(2, 4, 7, 6, dtype=dtype), rand(6, 4 // kw.get('groups', 1), 3, 2, dtype=dtype),
           rand(6, dtype=dtype), atol=tol, rtol=tol)


def test_conv2d_even_kernel_same():
    # 'same' with an even dilated kernel pads one more on the right, as torch does
    parity(lambda lib, x, w: F(lib).conv2d(x, w, padding='same'), rand(1, 2, 5, 6), rand(3, 2, 4, 2))


def test_conv2d_depthwise_no_bias():
    parity(lambda lib, x, w: F(lib).conv2d(x, w, None, 1, 1, 1, 4), rand(3, 4, 6, 6), rand(8, 1, 3, 3))


def test_conv2d_noncontiguous_batch1_unbatched():
    x = rand(6, 5, 1, 3)
    parity(lambda lib, x, w: F(lib).conv2d(x.permute(2, 3, 0, 1), w, padding=1), x, rand(2, 3, 3, 3))
    parity(lambda lib, x, w: F(lib).conv2d(x[:, :, ::2, 1:], w.transpose(2, 3)), rand(1, 3, 9, 7),
           rand(2, 3, 3, 2))
    out, _ = parity(lambda lib, x, w, b: F(lib).conv2d(x, w, b, stride=2), rand(3, 7, 7),
                    rand(4, 3, 3, 3), rand(4))
    assert out.shape == (4, 3, 3)


def test_conv_integer():
    parity(lambda lib, x, w: F(lib).conv2d(x, w, stride=2, padding=1), rand(2, 3, 5, 5, dtype='int64'),
           rand(4, 3, 3, 3, dtype='int64'))
    parity(lambda lib, x, w: F(lib).conv2d(x, w), rand(2, 3, 5, 5, dtype='int32'), rand(4, 3, 3, 3, dtype='int32'))
    parity(lambda lib, x, w: F(lib).conv_transpose2d(x, w, stride=2), rand(2, 3, 5, 5, dtype='int64'),
           rand(3, 2, 3, 3, dtype='int64'))


def test_conv2d_empty_batch_and_grad_fn():
    parity(lambda lib, x, w: F(lib).conv2d(x, w), rand(0, 3, 5, 5), rand(2, 3, 3, 3), grad=False)
    x = ember.randn(1, 3, 5, 5, requires_grad=True)
    y = ember.nn.functional.conv2d(x, ember.randn(2, 3, 3, 3))
    assert y.grad_fn.name() == 'ConvolutionBackward0'
    assert ember.nn.functional.conv_transpose2d(x, ember.randn(3, 2, 3, 3)).grad_fn.name() == \
        'ConvolutionBackward0'


@pytest.mark.parametrize('kw', [dict(), dict(stride=2, padding=3, dilation=2), dict(groups=3, padding='same')])
def test_conv1d(kw):
    parity(lambda lib, x, w, b: F(lib).conv1d(x, w, b, **kw), rand(2, 6, 11),
           rand(9, 6 // kw.get('groups', 1), 3), rand(9))


@pytest.mark.parametrize('kw', [dict(), dict(stride=(1, 2, 1), padding=1), dict(groups=2, dilation=(2, 1, 1))])
def test_conv3d(kw):
    parity(lambda lib, x, w, b: F(lib).conv3d(x, w, b, **kw), rand(2, 4, 5, 6, 5),
           rand(4, 4 // kw.get('groups', 1), 2, 3, 2), rand(4))


CONVT = [
    dict(),
    dict(stride=2, padding=1, output_padding=1),
    dict(stride=(2, 3), padding=(1, 2), dilation=(2, 1), output_padding=(1, 2)),
    dict(groups=2, stride=2),
    dict(dilation=3, output_padding=2),   # output_padding < dilation is allowed
]


@pytest.mark.parametrize('kw', CONVT)
@pytest.mark.parametrize('dtype', ['float32', 'float64'])
def test_conv_transpose2d(kw, dtype):
    tol = 1e-4 if dtype == 'float32' else 1e-10
    parity(lambda lib, x, w, b: F(lib).conv_transpose2d(x, w, b, **kw),
           rand(2, 4, 5, 4, dtype=dtype), rand(4, 3, 3, 2, dtype=dtype),
           rand(3 * kw.get('groups', 1), dtype=dtype), atol=tol, rtol=tol)


def test_conv_transpose_1d_3d_unbatched():
    parity(lambda lib, x, w, b: F(lib).conv_transpose1d(x, w, b, 3, 1, 2, 1, 2), rand(2, 4, 6),
           rand(4, 5, 3), rand(5))
    parity(lambda lib, x, w: F(lib).conv_transpose3d(x, w, stride=2, padding=1, output_padding=1),
           rand(1, 2, 3, 4, 3), rand(2, 3, 2, 3, 2))
    out, _ = parity(lambda lib, x, w: F(lib).conv_transpose2d(x, w, stride=2), rand(3, 4, 4),
                    rand(3, 2, 3, 3))
    assert out.shape == (2, 9, 9)


# ----------------------------------------------------------------------------- errors
def test_conv_errors():
    x, w = rand(2, 4, 5, 5), rand(8, 3, 3, 3)
    e = raises_like(lambda lib, x, w: F(lib).conv2d(x, w), x, w)
    assert str(e) == ("Given groups=1, weight of size [8, 3, 3, 3], expected input[2, 4, 5, 5] to "
                      "have 3 channels, but got 4 channels instead")
    e = raises_like(lambda lib, x, w: F(lib).conv2d(x, w), rand(2, 3, 2, 2), w)
    assert str(e) == ("Calculated padded input size per channel: (2 x 2). Kernel size: (3 x 3). "
                      "Kernel size can't be greater than actual input size")
    raises_like(lambda lib, x, w: F(lib).conv2d(x, w), rand(2, 3), w, match='Expected 3D (unbatched)')
    raises_like(lambda lib, x, w: F(lib).conv2d(x, w, groups=2), rand(2, 4, 5, 5), rand(3, 2, 3, 3),
                match='divisible by 2')
    raises_like(lambda lib, x, w: F(lib).conv2d(x, w, stride=2, padding='same'), rand(2, 3, 5, 5), w,
                match="padding='same' is not supported for strided convolutions")
    raises_like(lambda lib, x, w: F(lib).conv2d(x, w, padding='foo'), rand(2, 3, 5, 5), w,
                match='Invalid padding string')
    raises_like(lambda lib, x, w: F(lib).conv2d(x, w, padding=-1), rand(2, 3, 5, 5), w, match='negative padding')
    raises_like(lambda lib, x, w: F(lib).conv2d(x, w, stride=0), rand(2, 3, 5, 5), w, match='non-positive stride')
    raises_like(lambda lib, x, w: F(lib).conv2d(x, w, stride=(1, 1, 1)), rand(2, 3, 5, 5), w,
                match='list of 2 values')
    raises_like(lambda lib, x, w: F(lib).conv2d(x, w), rand(2, 3, 5, 5), rand(8, 3, 3))
    raises_like(lambda lib, x, w, b: F(lib).conv2d(x, w, b), rand(2, 3, 5, 5), w, rand(7),
                match='expected bias to be 1-dimensional with 8 elements')
    raises_like(lambda lib, x, w: F(lib).conv2d(x, w.float()), rand(2, 3, 5, 5), w)
    raises_like(lambda lib, x, w: F(lib).conv2d(x.bool(), w.bool()), rand(2, 3, 5, 5), w, match='Bool')
    raises_like(lambda lib, x, w: F(lib).conv_transpose2d(x.int(), w.int()), rand(2, 8, 5, 5), w,
                match="not implemented for 'Int'")
    raises_like(lambda lib, x, w: F(lib).conv_transpose2d(x, w, output_padding=1), rand(2, 8, 5, 5), w,
                match='output padding must be smaller than either stride or dilation')
    raises_like(lambda lib, x, w: F(lib).conv_transpose2d(x, w, padding='same'), rand(2, 8, 5, 5), w)
    raises_like(lambda lib, x, w: F(lib).conv_transpose2d(x, w), rand(2, 7, 5, 5), w,
                match='Given transposed=1, weight of size [8, 3, 3, 3], expected input[2, 7, 5, 5] to have 8')
    raises_like(lambda lib, x, w: F(lib).conv_transpose2d(x, w, padding=3), rand(1, 8, 1, 1), w,
                match='Output size is too small')


# ----------------------------------------------------------------------------- unfold / fold
@pytest.mark.parametrize('kw', [dict(kernel_size=2), dict(kernel_size=(2, 3), dilation=(1, 2), padding=1, stride=(2, 1))])
def test_unfold(kw):
    parity(lambda lib, x: F(lib).unfold(x, **kw), rand(2, 3, 6, 7))
    parity(lambda lib, x: F(lib).unfold(x, **kw), rand(3, 6, 7))
    parity(lambda lib, x: lib.nn.Unfold(**kw)(x), rand(1, 2, 5, 6))


def test_fold():
    parity(lambda lib, x: F(lib).fold(x, (5, 6), (2, 3), padding=1, stride=(2, 1)), rand(2, 12, 18))
    parity(lambda lib, x: F(lib).fold(x, 4, 2), rand(8, 9))
    parity(lambda lib, x: lib.nn.Fold((4, 5), 2, dilation=(1, 2))(x), rand(1, 8, 9))
    x = ember.randn(1, 8, 9, requires_grad=True)
    assert ember.nn.functional.fold(x, 4, 2).grad_fn.name() == 'Col2ImBackward0'
    assert ember.nn.functional.unfold(x.reshape(1, 2, 6, 6), 2).grad_fn.name() == 'Im2ColBackward0'
    raises_like(lambda lib, x: F(lib).fold(x, (4, 4), 2), rand(2, 12, 5), match='sliding blocks')
    raises_like(lambda lib, x: F(lib).fold(x, (4, 4), 2), rand(2, 13, 9), match='divisible')
    raises_like(lambda lib, x: F(lib).unfold(x, 3), rand(2, 3, 2, 2), match='at least one')
    assert repr(ember.nn.Unfold(2)) == repr(torch.nn.Unfold(2))
    assert repr(ember.nn.Fold((4, 4), 2, stride=2)) == repr(torch.nn.Fold((4, 4), 2, stride=2))


# ----------------------------------------------------------------------------- gradcheck
def _t(*shape):
    return ember.tensor(rand(*shape), requires_grad=True)


def test_gradcheck_and_gradgradcheck():
    from ember.autograd import gradcheck, gradgradcheck
    F_ = ember.nn.functional
    x, w, b = _t(2, 4, 5, 4), _t(4, 2, 3, 2), _t(4)
    fn = lambda x, w, b: F_.conv2d(x, w, b, stride=2, padding=(1, 0), dilation=(1, 2), groups=2)  # noqa: E731
    assert gradcheck(fn, (x, w, b))
    assert gradgradcheck(fn, (x, w, b))
    fn = lambda x, w, b: F_.conv_transpose2d(x, w, b, 2, (1, 0), 1, 2)  # noqa: E731
    assert gradcheck(fn, (x, w, b))
    assert gradgradcheck(fn, (x, w, b))
    x1, w1 = _t(2, 3, 7), _t(2, 3, 3)
    assert gradgradcheck(lambda x, w: F_.conv1d(x, w, padding='same', dilation=2), (x1, w1))
    x3, w3 = _t(1, 2, 3, 4, 3), _t(2, 2, 2, 2, 2)
    assert gradgradcheck(lambda x, w: F_.conv3d(x, w, stride=2, padding=1), (x3, w3))
    assert gradgradcheck(lambda x, w: F_.conv_transpose3d(x, w, stride=2), (x3, w3))
    assert gradgradcheck(lambda x: F_.fold(F_.unfold(x, 2, padding=1, stride=2) * 2, (5, 4), 2,
                                           padding=1, stride=2), (x,))


def test_double_backward_matches_torch():
    def fn(lib, x, w):
        y = F(lib).conv2d(x, w, stride=2, padding=1)
        gx, gw = lib.autograd.grad((y ** 2).sum(), (x, w), create_graph=True)
        return (gx ** 2).sum() + (gw * gw).sum()
    parity(fn, rand(2, 3, 6, 5), rand(4, 3, 3, 3))
    x = ember.randn(1, 2, 4, 4, requires_grad=True)
    w = ember.randn(3, 2, 3, 3, requires_grad=True)
    gw, = ember.autograd.grad(ember.nn.functional.conv2d(x, w).sum(), w, create_graph=True)
    assert gw.grad_fn.name() == 'ConvolutionBackwardBackward0'


# ----------------------------------------------------------------------------- modules
def _load(e, t):
    e.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in t.state_dict().items()})


MODULES = [
    ('Conv2d', (3, 8, 3), {}),
    ('Conv2d', (3, 8, 3), dict(padding='same', bias=False, padding_mode='reflect')),
    ('Conv2d', (4, 8, (3, 2)), dict(stride=2, padding=(1, 2), padding_mode='replicate')),
    ('Conv2d', (4, 8, 3), dict(padding=1, padding_mode='circular', groups=4, dilation=2)),
    ('Conv1d', (4, 8, (3,), 2, 1, 2, 2), {}),
    ('Conv1d', (4, 6, 4), dict(padding='same', padding_mode='reflect')),
    ('Conv3d', (2, 4, (1, 2, 3)), dict(padding=(1, 0, 1), padding_mode='circular')),
    ('ConvTranspose2d', (3, 6, 3), dict(stride=2, output_padding=1, groups=3)),
    ('ConvTranspose1d', (3, 4, 3), dict(stride=3, padding=1, dilation=2, bias=False)),
    ('ConvTranspose3d', (2, 4, 2), dict(stride=(1, 2, 2))),
]


@pytest.mark.parametrize('name,args,kw', MODULES)
def test_modules(name, args, kw):
    t = getattr(torch.nn, name)(*args, **kw).double()
    e = getattr(ember.nn, name)(*args, **kw).double()
    assert repr(e) == repr(t)
    assert [(k, tuple(v.shape)) for k, v in e.named_parameters()] == \
        [(k, tuple(v.shape)) for k, v in t.named_parameters()]
    _load(e, t)
    nd = int(name[-2])
    shape = (2, args[0]) + (7, 6, 5)[:nd]

    def fn(lib, x, *params):
        m = e if lib is ember else t
        return m(x)
    parity(fn, rand(*shape))
    parity(fn, rand(*shape[1:]))
    # parameter gradients
    xe = ember.tensor(rand(*shape, rng=np.random.default_rng(3)))
    xt = torch.tensor(xe.numpy())
    e(xe).pow(2).sum().backward()
    t(xt).pow(2).sum().backward()
    for (k, pe), (_, pt) in zip(e.named_parameters(), t.named_parameters()):
        assert_same(pe.grad, pt.grad, atol=1e-8, rtol=1e-8, what=k)


def test_module_init_distribution():
    m = ember.nn.Conv2d(16, 32, 3)
    bound = 1 / math.sqrt(16 * 9)
    w, b = m.weight.detach().numpy(), m.bias.detach().numpy()
    assert m.weight.dtype is ember.float32 and m.weight.requires_grad
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.9 * bound   # kaiming_uniform_(a=sqrt(5))
    assert np.abs(b).max() <= bound and np.abs(b).std() > 0
    mt = ember.nn.ConvTranspose2d(8, 4, 3, groups=2)
    assert tuple(mt.weight.shape) == (8, 2, 3, 3)
    assert np.abs(mt.bias.detach().numpy()).max() <= 1 / math.sqrt(2 * 9)


def test_module_errors():
    for args, kw in [((3, 8, 3), dict(padding_mode='foo')), ((3, 8, 3), dict(groups=2)),
                     ((4, 7, 3), dict(groups=2)), ((4, 8, 3), dict(groups=0)),
                     ((4, 8, 3), dict(padding='same', stride=2)), ((4, 8, 3), dict(padding='bad'))]:
        with pytest.raises(ValueError) as ti:
            torch.nn.Conv2d(*args, **kw)
        with pytest.raises(ValueError) as ei:
            ember.nn.Conv2d(*args, **kw)
        assert str(ei.value).split('{')[0] == str(ti.value).split('{')[0]
    with pytest.raises(ValueError, match='Only "zeros" padding mode'):
        ember.nn.ConvTranspose2d(4, 8, 3, padding_mode='reflect')


def test_conv_transpose_output_size():
    t = torch.nn.ConvTranspose2d(4, 8, 3, stride=2)
    e = ember.nn.ConvTranspose2d(4, 8, 3, stride=2)
    _load(e, t)
    x = rand(1, 4, 5, 5, dtype='float32')
    for size in [(12, 12), [1, 8, 11, 12], (11, 11)]:
        assert_same(e(ember.tensor(x), output_size=size), t(torch.tensor(x), output_size=size), atol=1e-5)
    with pytest.raises(ValueError) as ei:
        e(ember.tensor(x), output_size=(20, 20))
    assert 'valid sizes range from [11, 11] to [12, 12]' in str(ei.value)


@pytest.mark.parametrize('name,base', [('LazyConv1d', 'Conv1d'), ('LazyConv2d', 'Conv2d'),
                                       ('LazyConv3d', 'Conv3d'),
                                       ('LazyConvTranspose2d', 'ConvTranspose2d'),
                                       ('LazyConvTranspose1d', 'ConvTranspose1d'),
                                       ('LazyConvTranspose3d', 'ConvTranspose3d')])
def test_lazy(name, base):
    nd = int(name[-2])
    e = getattr(ember.nn, name)(6, 3, groups=2)
    t = getattr(torch.nn, name)(6, 3, groups=2)
    assert repr(e) == repr(t)
    assert isinstance(e.weight, ember.nn.UninitializedParameter)
    x = ember.randn(*((4,) + (5,) * nd))           # unbatched: channels at dim 0
    y = e(x)
    yt = t(torch.randn(*((4,) + (5,) * nd)))
    assert type(e) is getattr(ember.nn, base)
    assert repr(e) == repr(t)
    assert tuple(e.weight.shape) == tuple(t.weight.shape)
    assert type(e.weight) is ember.nn.Parameter and type(e.bias) is ember.nn.Parameter
    assert tuple(y.shape) == tuple(yt.shape)
    m = ember.nn.LazyConv2d(3, 2)
    m(ember.randn(2, 5, 4, 4)).sum().backward()
    assert m.in_channels == 5 and m.weight.grad.shape == (3, 5, 2, 2)


@pytest.mark.parametrize('mode', ['reflect', 'replicate', 'circular'])
def test_private_pad_fallback(mode, monkeypatch):
    from ember.nn.modules import conv as conv_mod
    monkeypatch.delattr(ember.nn.functional, 'pad', raising=False)
    x = rand(2, 3, 5, 6)
    parity(lambda lib, x: conv_mod._pad(x, [2, 1, 1, 3], mode) if lib is ember
           else torch.nn.functional.pad(x, [2, 1, 1, 3], mode=mode), x)


# ------------------------------------------------- stride-1 shifted-GEMM path (>= 8 channels)
SHIFT_CASES = [
    (2, dict(padding=1)),
    (2, dict(padding=(2, 0), dilation=(2, 1))),
    (2, dict(padding='same', dilation=2)),
    (2, dict()),
    (1, dict(padding=3, dilation=2)),
    (3, dict(padding=1)),
    (2, dict(stride=2, padding=1)),                       # strided: the phase decomposition
    (2, dict(stride=(2, 1), padding=(1, 0), dilation=(1, 2))),
    (2, dict(stride=3)),
    (2, dict(stride=(3, 2), padding=(2, 1), dilation=2)),
    (1, dict(stride=2, padding=2, dilation=3)),
    (3, dict(stride=2, padding=1)),
]


@pytest.mark.parametrize('nd,kw', SHIFT_CASES)
@pytest.mark.parametrize('dtype', ['float32', 'float64'])
def test_conv_shift_path_matches_torch(nd, kw, dtype, monkeypatch):
    from ember.nn.functional import _conv_shift
    calls = []
    for name in ('forward', 'input_grad', 'weight_grad'):
        real = getattr(_conv_shift, name)
        monkeypatch.setattr(_conv_shift, name, lambda *a, _real=real, _name=name: calls.append(_name) or _real(*a))
    x = rand(2, 9, *([12, 11, 10][:nd]), dtype=dtype)
    w = rand(10, 9, *([3, 2, 3][:nd]), dtype=dtype)
    tol = 1e-4 if dtype == 'float32' else 1e-10
    conv = {1: 'conv1d', 2: 'conv2d', 3: 'conv3d'}[nd]
    parity(lambda lib, x, w, b: getattr(F(lib), conv)(x, w, b, **kw), x, w, rand(10, dtype=dtype),
           atol=tol, rtol=tol)
    assert set(calls) == {'forward', 'input_grad', 'weight_grad'}     # all three took the shift path


@pytest.mark.parametrize('kw', [dict(), dict(padding=1), dict(padding=2, dilation=2),
                                dict(padding=1, output_padding=0), dict(stride=2, padding=1),
                                dict(stride=2, padding=1, output_padding=1),
                                dict(stride=(3, 2), output_padding=(2, 1), dilation=(1, 2))])
def test_conv_transpose_shift_path_matches_torch(kw):
    parity(lambda lib, x, w, b: F(lib).conv_transpose2d(x, w, b, **kw),
           rand(2, 9, 5, 6), rand(9, 8, 3, 3), rand(8), atol=1e-10, rtol=1e-10)


def test_conv_shift_path_gradcheck():
    from ember.autograd import gradcheck, gradgradcheck
    F_ = ember.nn.functional
    x, w, b = _t(1, 8, 4, 5), _t(8, 8, 3, 2), _t(8)
    fn = lambda x, w, b: F_.conv2d(x, w, b, padding=(1, 2), dilation=(1, 2))  # noqa: E731
    assert gradcheck(fn, (x, w, b))
    assert gradgradcheck(fn, (x, w, b))
    x2 = _t(1, 8, 7, 6)
    fn = lambda x, w, b: F_.conv2d(x, w, b, stride=2, padding=1)  # noqa: E731
    assert gradcheck(fn, (x2, w, b))
    assert gradgradcheck(fn, (x2, w, b))


def test_conv_shift_path_numpy_fallback_agrees(monkeypatch):
    """The same stride-1 convolution through the shift path and through im2col."""
    from ember import _blas
    x, w = rand(2, 8, 9, 8, dtype='float32'), rand(12, 8, 3, 3, dtype='float32')
    f = lambda: ember.nn.functional.conv2d(ember.tensor(x), ember.tensor(w), padding=1).numpy()  # noqa: E731
    shifted = f()
    monkeypatch.setattr(_blas, '_gemm_lib', None)
    np.testing.assert_allclose(shifted, f(), rtol=1e-5, atol=1e-5)
