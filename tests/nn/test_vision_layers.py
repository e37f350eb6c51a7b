"""Vision functionals/modules against torch: interpolate (all modes), pixel/channel shuffle,
grid_sample, affine_grid; values, grads, errors, reprs."""
import warnings

import numpy as np
import pytest
import torch

import ember
from helpers import parity, rand, raises_like

warnings.filterwarnings('ignore', message='.*align_corners.*')
warnings.filterwarnings('ignore', message='.*deprecated.*')

SIZES = [dict(size=(7, 4)), dict(size=3), dict(scale_factor=2), dict(scale_factor=(1.7, 0.6)),
         dict(scale_factor=2.5, recompute_scale_factor=True), dict(scale_factor=0.5), dict(size=(1, 1))]


@pytest.mark.parametrize('kw', SIZES)
@pytest.mark.parametrize('mode,ac', [('nearest', None), ('nearest-exact', None), ('area', None),
                                     ('bilinear', False), ('bilinear', True), ('bicubic', False),
                                     ('bicubic', True)])
def test_interpolate_2d(mode, ac, kw):
    x = rand(2, 3, 5, 6)
    parity(lambda L, x: L.nn.functional.interpolate(x, mode=mode, align_corners=ac, **kw), x)
    parity(lambda L, x: L.nn.functional.interpolate(x.transpose(2, 3), mode=mode, align_corners=ac, **kw),
           x.astype('float32'))


@pytest.mark.parametrize('mode,ac', [('nearest', None), ('nearest-exact', None), ('area', None),
                                     ('linear', False), ('linear', True)])
@pytest.mark.parametrize('kw', [dict(size=9), dict(scale_factor=0.7), dict(scale_factor=3)])
def test_interpolate_1d(mode, ac, kw):
    parity(lambda L, x: L.nn.functional.interpolate(x, mode=mode, align_corners=ac, **kw), rand(2, 3, 7))


@pytest.mark.parametrize('mode,ac', [('nearest', None), ('area', None), ('trilinear', False), ('trilinear', True)])
def test_interpolate_3d(mode, ac):
    x = rand(1, 2, 3, 4, 5)
    parity(lambda L, x: L.nn.functional.interpolate(x, size=(5, 3, 7), mode=mode, align_corners=ac), x)
    parity(lambda L, x: L.nn.functional.interpolate(x, scale_factor=1.5, mode=mode, align_corners=ac), x)


def test_interpolate_nearest_int_grad_fn_and_aliases():
    parity(lambda L, x: L.nn.functional.interpolate(x, scale_factor=2), rand(1, 2, 3, 3, dtype='uint8', low=0, high=9))
    raises_like(lambda L, x: L.nn.functional.interpolate(x, scale_factor=2), rand(1, 2, 3, 3, dtype='int64'),
                match='not implemented')
    parity(lambda L, x: L.nn.functional.upsample_nearest(x, scale_factor=2), rand(1, 2, 3, 3))
    parity(lambda L, x: L.nn.functional.upsample_bilinear(x, size=(5, 4)), rand(1, 2, 3, 3))
    parity(lambda L, x: L.nn.functional.upsample(x, size=(5, 4), mode='bicubic'), rand(1, 2, 3, 3))
    x = ember.tensor(rand(1, 2, 3, 3), requires_grad=True)
    for mode, name in [('nearest', 'UpsampleNearest2DBackward0'), ('bilinear', 'UpsampleBilinear2DBackward0'),
                       ('bicubic', 'UpsampleBicubic2DBackward0'), ('area', 'AdaptiveAvgPool2DBackward0')]:
        assert ember.nn.functional.interpolate(x, scale_factor=2, mode=mode).grad_fn.name() == name


def test_interpolate_errors():
    x = rand(1, 4, 5, 6)
    F = 'nn.functional.interpolate'
    raises_like(lambda L, x: L.nn.functional.interpolate(x, size=3, mode='linear'), x, match='needs 3D input')
    raises_like(lambda L, x: L.nn.functional.interpolate(x, size=3, align_corners=True), x, match='align_corners')
    raises_like(lambda L, x: L.nn.functional.interpolate(x), x, match='either size or scale_factor')
    raises_like(lambda L, x: L.nn.functional.interpolate(x, size=3, scale_factor=2), x, match='only one of')
    raises_like(lambda L, x: L.nn.functional.interpolate(x, size=(1, 2, 3)), x, match='same number of spatial')
    raises_like(lambda L, x: L.nn.functional.interpolate(x, scale_factor=(1, 2, 3)), x, match='same number of spatial')
    raises_like(lambda L, x: L.nn.functional.interpolate(x, size=3, mode='foo'), x, match='Input Error')
    raises_like(lambda L, x: L.nn.functional.interpolate(x, size=3), rand(3, 3), match='Input Error')
    raises_like(lambda L, x: L.nn.functional.interpolate(x, scale_factor=0.1), x, match='greater than 0')
    assert F


@pytest.mark.parametrize('r', [1, 2, 3])
def test_pixel_shuffle(r):
    x = rand(2, 2 * r * r, 3, 4)
    parity(lambda L, x: L.nn.functional.pixel_shuffle(x, r), x)
    parity(lambda L, x: L.nn.functional.pixel_shuffle(x, r), x[0])
    parity(lambda L, x: L.nn.functional.pixel_unshuffle(x, r), rand(2, 3, 3 * r, 2 * r))
    parity(lambda L, x: L.nn.functional.pixel_unshuffle(x.transpose(-1, -2), r), rand(1, 2, 3, 3 * r, 2 * r))
    x = ember.tensor(rand(1, 4, 2, 2), requires_grad=True)
    assert ember.nn.functional.pixel_shuffle(x, 2).grad_fn.name() == 'PixelShuffleBackward0'


def test_shuffle_errors_and_channel_shuffle():
    x = rand(1, 4, 5, 6)
    raises_like(lambda L, x: L.nn.functional.pixel_shuffle(x, 3), x, match='divisible')
    raises_like(lambda L, x: L.nn.functional.pixel_shuffle(x, 2), rand(4, 4), match='at least 3 dimensions')
    raises_like(lambda L, x: L.nn.functional.pixel_unshuffle(x, 4), x, match='divisible')
    raises_like(lambda L, x: L.nn.functional.channel_shuffle(x, 3), x, match='divisible by groups')
    parity(lambda L, x: L.nn.functional.channel_shuffle(x, 2), x)
    parity(lambda L, x: L.nn.functional.channel_shuffle(x, 3), rand(2, 6, 3))
    parity(lambda L, x: L.nn.ChannelShuffle(2)(x), rand(2, 4, 3, 2, 2))


@pytest.mark.parametrize('mode', ['bilinear', 'nearest'])
@pytest.mark.parametrize('pad', ['zeros', 'border', 'reflection'])
@pytest.mark.parametrize('ac', [False, True])
def test_grid_sample(mode, pad, ac):
    x = rand(2, 3, 5, 6)
    g = rand(2, 4, 7, 2, low=-1.3, high=1.3)
    grad = mode == 'bilinear'
    parity(lambda L, x, g: L.nn.functional.grid_sample(x, g, mode, pad, ac), x, g, grad=grad)
    if not grad:
        parity(lambda L, x, g: L.nn.functional.grid_sample(x, g.detach(), mode, pad, ac), x, g.copy())
    x3 = rand(1, 2, 3, 4, 5)
    g3 = rand(1, 2, 3, 4, 3, low=-1.3, high=1.3)
    parity(lambda L, x, g: L.nn.functional.grid_sample(x, g, mode, pad, ac), x3, g3, grad=grad)


def test_grid_sample_errors():
    x, g = rand(1, 4, 5, 6), rand(1, 3, 3, 2)
    raises_like(lambda L, x, g: L.nn.functional.grid_sample(x, g, mode='foo'), x, g, match='expected mode')
    raises_like(lambda L, x, g: L.nn.functional.grid_sample(x, g, padding_mode='foo'), x, g, match='padding_mode')
    raises_like(lambda L, x, g: L.nn.functional.grid_sample(x, g), x, rand(2, 3, 3, 2), match='same batch size')


@pytest.mark.parametrize('ac', [False, True])
def test_affine_grid(ac):
    parity(lambda L, t: L.nn.functional.affine_grid(t, (2, 3, 4, 5), align_corners=ac), rand(2, 2, 3))
    parity(lambda L, t: L.nn.functional.affine_grid(t, (2, 1, 1, 5), align_corners=ac), rand(2, 2, 3))
    parity(lambda L, t: L.nn.functional.affine_grid(t, (1, 3, 2, 4, 5), align_corners=ac), rand(1, 3, 4))

    def f(L, x, t):
        g = L.nn.functional.affine_grid(t, x.shape, align_corners=ac)
        return L.nn.functional.grid_sample(x, g, align_corners=ac)
    parity(f, rand(2, 3, 4, 5), rand(2, 2, 3, low=-1, high=1))


def test_affine_grid_errors():
    raises_like(lambda L, t: L.nn.functional.affine_grid(t, (1, 1, 3), False), rand(1, 2, 3), match='4D and 5D')
    raises_like(lambda L, t: L.nn.functional.affine_grid(t, (1, 1, 3, 3), False), rand(1, 3, 3), match='Nx2x3')


def test_gradcheck():
    gc = ember.autograd.gradcheck
    x = ember.tensor(rand(1, 2, 3, 4), requires_grad=True)
    for mode, ac in [('bilinear', False), ('bicubic', True), ('nearest', None), ('area', None)]:
        assert gc(lambda x: ember.nn.functional.interpolate(x, size=(5, 3), mode=mode, align_corners=ac), (x,))
    assert gc(lambda x: ember.nn.functional.pixel_shuffle(x, 1), (x,))
    g = ember.tensor(rand(1, 3, 2, 2, low=-0.9, high=0.9), requires_grad=True)
    assert gc(lambda x, g: ember.nn.functional.grid_sample(x, g, align_corners=False), (x, g))
    if hasattr(ember.autograd, 'gradgradcheck'):
        assert ember.autograd.gradgradcheck(lambda x: ember.nn.functional.interpolate(x, size=(5, 3), mode='bilinear'), (x,))


MODULES = [('PixelShuffle', (2,), {}), ('PixelUnshuffle', (3,), {}), ('Upsample', (), dict(scale_factor=2)),
           ('Upsample', (), dict(size=(3, 4), mode='bilinear', align_corners=True)),
           ('Upsample', (), dict(scale_factor=(2, 3), mode='bicubic')),
           ('UpsamplingNearest2d', (), dict(scale_factor=2)), ('UpsamplingBilinear2d', (), dict(size=3)),
           ('ChannelShuffle', (2,), {})]


@pytest.mark.parametrize('name,args,kw', MODULES)
def test_modules(name, args, kw):
    assert repr(getattr(ember.nn, name)(*args, **kw)) == repr(getattr(torch.nn, name)(*args, **kw))
    x = rand(2, 36, 6, 6)
    parity(lambda L, x: getattr(L.nn, name)(*args, **kw)(x), x)
