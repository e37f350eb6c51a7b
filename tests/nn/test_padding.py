"""F.pad (constant / reflect / replicate / circular, negative pads) and the padding modules
vs torch: values, gradients, grad_fn names, errors, reprs; gradcheck in float64."""

import numpy as np
import pytest
import torch

import ember
from helpers import parity, rand, raises_like

F = ember.nn.functional

CASES = [
    ((2, 3, 5), (1, 2)), ((3, 5), (2, 0)), ((2, 3, 5), (-1, 2)),
    ((2, 3, 4, 5), (1, 2, 3, 1)), ((3, 4, 5), (0, 1, 2, 0)), ((2, 3, 4, 5), (1, -1, -2, 2)),
    ((1, 2, 3, 4, 5), (1, 2, 0, 2, 1, 1)), ((2, 3, 4, 5), (2, 1, 1, 0, 1, 2)),
]


@pytest.mark.parametrize('mode', ['constant', 'reflect', 'replicate', 'circular'])
@pytest.mark.parametrize('shape,pad', CASES)
@pytest.mark.parametrize('dtype', ['float32', 'float64'])
def test_pad_parity(mode, shape, pad, dtype):
    parity(lambda m, x: m.nn.functional.pad(x, pad, mode), rand(*shape, dtype=dtype))


@pytest.mark.parametrize('mode', ['constant', 'reflect', 'replicate', 'circular'])
def test_pad_non_contiguous_and_grad_fn(mode):
    parity(lambda m, x: m.nn.functional.pad(x.transpose(1, 2), (1, 2), mode), rand(2, 5, 3))
    x = ember.randn(2, 3, 4, 5, requires_grad=True)
    t = torch.randn(2, 3, 4, 5, requires_grad=True)
    for pad in [(1, 1), (1, 1, 1, 1), (1, 1, 1, 1, 1, 1)]:
        xi, ti = (x[0], t[0]) if len(pad) == 2 else (x, t)
        assert type(F.pad(xi, pad, mode).grad_fn).__name__ == \
            type(torch.nn.functional.pad(ti, pad, mode).grad_fn).__name__


def test_pad_constant_extra():
    for pad in [(1,), (1, 2, 3)]:
        raises_like(lambda m, x: m.nn.functional.pad(x, pad), rand(2, 3), match='divisible by 2')
    parity(lambda m, x: m.nn.functional.pad(x, (1, 1), value=2.5), rand(2, 3))
    parity(lambda m, x: m.nn.functional.pad(x, (1, 1, 2, 0, 1, 1, 0, 1)), rand(2, 3, 2, 2))
    parity(lambda m, x: m.nn.functional.pad(x, (1, 1), value=2.5), rand(4, dtype='int64'))
    parity(lambda m, x: m.nn.functional.pad(x, (1, 1)), rand(4, dtype='bool'))
    parity(lambda m, x: m.nn.functional.pad(x, (-3, 0)), rand(2, 3))
    parity(lambda m, x: m.nn.functional.pad(x, (1, 1)), rand(2, 0))
    parity(lambda m, x: m.nn.functional.pad(x, (0, 0)), rand(2, 3))
    raises_like(lambda m, x: m.nn.functional.pad(x, (-4, 0)), rand(2, 3))
    raises_like(lambda m, x: m.nn.functional.pad(x, [1] * 6), rand(2, 3), match='Padding length should be')
    raises_like(lambda m, x: m.nn.functional.pad(x, (1.5, 1)), rand(2, 3), match='tuple of ints')


def test_pad_nonconstant_errors():
    x4 = rand(2, 3, 3, 4)
    raises_like(lambda m, x: m.nn.functional.pad(x, (4, 4), 'reflect'), x4[0],
                match='Argument #4: Padding size should be less than the corresponding input dimension, '
                      'but got: padding (4, 4) at dimension 2 of input [3, 3, 4]')
    raises_like(lambda m, x: m.nn.functional.pad(x, (1, 1, 3, 3), 'reflect'), x4,
                match='Argument #6: Padding size should be less than')
    raises_like(lambda m, x: m.nn.functional.pad(x, (5, 0), 'circular'), x4[0], match='wrapping around more')
    raises_like(lambda m, x: m.nn.functional.pad(x, (1, 1), 'reflect'), x4, match='not supported for 4D input')
    raises_like(lambda m, x: m.nn.functional.pad(x, (1, 1), 'replicate'), rand(3), match='not supported for 1D')
    raises_like(lambda m, x: m.nn.functional.pad(x, (1, 1), 'foo'), x4[0], match='Unrecognised padding mode foo')
    raises_like(lambda m, x: m.nn.functional.pad(x, (1, 1), 'reflect', 2.0), x4[0],
                match="doesn't take in value argument")
    raises_like(lambda m, x: m.nn.functional.pad(x, (1, 1), 'replicate'), rand(1, 1, 0),
                match='Expected 2D or 3D (batch mode) tensor')
    parity(lambda m, x: m.nn.functional.pad(x, (1, 1), 'reflect', 0), x4[0])
    parity(lambda m, x: m.nn.functional.pad(x, (1, 1), 'reflect'), rand(0, 3, 4))


@pytest.mark.parametrize('mode', ['constant', 'reflect', 'replicate', 'circular'])
def test_pad_gradcheck(mode):
    x = ember.tensor(rand(2, 3, 4), requires_grad=True)
    assert ember.autograd.gradcheck(lambda t: F.pad(t, (2, 1, -1, 2), mode), (x,))
    assert ember.autograd.gradgradcheck(lambda t: F.pad(t, (2, 1), mode) ** 2, (x,))


MODULES = [('ZeroPad1d', 1), ('ZeroPad2d', 2), ('ZeroPad3d', 3), ('ConstantPad1d', 1), ('ConstantPad2d', 2),
           ('ConstantPad3d', 3), ('ReflectionPad1d', 1), ('ReflectionPad2d', 2), ('ReflectionPad3d', 3),
           ('ReplicationPad1d', 1), ('ReplicationPad2d', 2), ('ReplicationPad3d', 3),
           ('CircularPad1d', 1), ('CircularPad2d', 2), ('CircularPad3d', 3)]


@pytest.mark.parametrize('name,k', MODULES)
def test_padding_modules(name, k):
    extra = (1.5,) if name.startswith('Constant') else ()
    for padding in [1, tuple(range(1, 2 * k + 1))]:
        tm, em = getattr(torch.nn, name)(padding, *extra), getattr(ember.nn, name)(padding, *extra)
        assert repr(em) == repr(tm)
        for batched in (True, False):
            shape = ((2,) if batched else ()) + (3,) + (7,) * k
            parity(lambda m, x: (tm if m is torch else em)(x), rand(*shape))
    if name.startswith('Circular'):
        raises_like(lambda m, x: getattr(m.nn, name)(1)(x), rand(3), match='expected')
