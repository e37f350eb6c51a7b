"""ember.vision.models (parameter counts, torchvision state_dict names, output shapes) and
ember.vision.utils (make_grid, save_image)."""
import math
import warnings

import numpy as np
import pytest
import torch
from PIL import Image

import ember
from ember.vision import models, utils


def nparams(m):
    return sum(p.numel() for p in m.parameters())


@pytest.mark.parametrize('name,count', [('resnet18', 11689512), ('resnet50', 25557032),
                                        ('alexnet', 61100840)])
def test_documented_parameter_counts(name, count):
    assert nparams(models.get_model(name)) == count


def test_googlenet_count_and_outputs():
    m = models.googlenet(aux_logits=False, init_weights=False)
    assert nparams(m) == 6624904
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        g = models.googlenet(num_classes=7)
    out = g(ember.randn(2, 3, 64, 64))
    assert isinstance(out, models.GoogLeNetOutputs) and [tuple(o.shape) for o in out] == [(2, 7)] * 3
    g.eval()
    assert tuple(g(ember.randn(1, 3, 64, 64)).shape) == (1, 7)


@pytest.mark.slow
def test_vgg16_count():
    assert nparams(models.vgg16(init_weights=False)) == 138357544


def _torch_resnet18():
    """torchvision's resnet18 layout written with torch.nn (torchvision is not installed)."""
    nn = torch.nn

    class Block(nn.Module):
        def __init__(self, i, o, s):
            super().__init__()
            self.conv1 = nn.Conv2d(i, o, 3, s, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(o)
            self.relu = nn.ReLU(inplace=True)
            self.conv2 = nn.Conv2d(o, o, 3, 1, 1, bias=False)
            self.bn2 = nn.BatchNorm2d(o)
            self.downsample = (nn.Sequential(nn.Conv2d(i, o, 1, s, bias=False), nn.BatchNorm2d(o))
                               if s != 1 or i != o else None)

    m = nn.Module()
    m.conv1 = nn.Conv2d(3, 64, 7, 2, 3, bias=False)
    m.bn1 = nn.BatchNorm2d(64)
    m.relu = nn.ReLU()
    m.maxpool = nn.MaxPool2d(3, 2, 1)
    i = 64
    for k, o in enumerate((64, 128, 256, 512)):
        s = 1 if k == 0 else 2
        setattr(m, f'layer{k + 1}', nn.Sequential(Block(i, o, s), Block(o, o, 1)))
        i = o
    m.avgpool = nn.AdaptiveAvgPool2d(1)
    m.fc = nn.Linear(512, 1000)
    return m


def _torch_vgg11():
    nn = torch.nn
    layers, c = [], 3
    for v in [64, 'M', 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512, 'M']:
        if v == 'M':
            layers.append(nn.MaxPool2d(2, 2))
        else:
            layers += [nn.Conv2d(c, v, 3, padding=1), nn.BatchNorm2d(v), nn.ReLU(True)]
            c = v
    m = nn.Module()
    m.features = nn.Sequential(*layers)
    m.avgpool = nn.AdaptiveAvgPool2d(7)
    m.classifier = nn.Sequential(nn.Linear(25088, 4096), nn.ReLU(True), nn.Dropout(),
                                 nn.Linear(4096, 4096), nn.ReLU(True), nn.Dropout(), nn.Linear(4096, 1000))
    return m


def _shapes(sd):
    return [(k, tuple(v.shape)) for k, v in sd.items()]


def test_resnet18_state_dict_matches_torchvision_layout():
    ref = _torch_resnet18().state_dict()
    m = models.resnet18()
    assert _shapes(m.state_dict()) == _shapes(ref)
    m.load_state_dict({k: ember.from_numpy(v.numpy().copy()) for k, v in ref.items()})
    assert np.array_equal(m.fc.weight.detach().numpy(), ref['fc.weight'].numpy())


def test_vgg11_bn_state_dict_matches_torchvision_layout():
    assert _shapes(models.vgg11_bn(init_weights=False).state_dict()) == _shapes(_torch_vgg11().state_dict())


def test_weights_from_path(tmp_path):
    m = models.resnet18(num_classes=3)
    p = tmp_path / 'w.pt'
    ember.save(m.state_dict(), str(p))
    m2 = models.resnet18(weights=str(p), num_classes=3)
    assert ember.equal(m2.conv1.weight, m.conv1.weight)
    with pytest.raises(RuntimeError):
        models.resnet18(weights='IMAGENET1K_V1')


def test_forward_shapes():
    x = ember.randn(1, 3, 64, 64)
    m = models.resnet18(num_classes=10).eval()
    assert tuple(m(x).shape) == (1, 10)
    assert tuple(models.LeNet()(ember.randn(2, 1, 32, 32)).shape) == (2, 10)
    assert tuple(models.LeNet(in_size=28)(ember.randn(2, 1, 28, 28)).shape) == (2, 10)


@pytest.mark.slow
def test_forward_shapes_large_models():
    x = ember.randn(1, 3, 64, 64)
    assert tuple(models.resnet50(num_classes=5).eval()(x).shape) == (1, 5)
    assert tuple(models.alexnet(num_classes=4).eval()(ember.randn(1, 3, 63, 63)).shape) == (1, 4)
    assert tuple(models.vgg11(num_classes=3).eval()(ember.randn(1, 3, 32, 32)).shape) == (1, 3)


def test_resnet_options():
    m = models.resnet18(zero_init_residual=True)
    assert (m.layer1[0].bn2.weight == 0).all().item()
    rx = models.resnext50_32x4d()
    assert tuple(rx.layer1[0].conv2.weight.shape) == (128, 4, 3, 3)
    assert nparams(rx) == 25028904
    assert models.list_models(include='vgg1*')[:2] == ['vgg11', 'vgg11_bn']


def _ref_grid(x, nrow, padding, pad_value):
    n, c, h, w = x.shape
    xm = min(nrow, n)
    ym = int(math.ceil(n / xm))
    g = np.full((c, ym * (h + padding) + padding, xm * (w + padding) + padding), pad_value, x.dtype)
    for k in range(n):
        y, xx = divmod(k, xm)
        g[:, y * (h + padding) + padding:(y + 1) * (h + padding), xx * (w + padding) + padding:(xx + 1) * (w + padding)] = x[k]
    return g


@pytest.mark.parametrize('n,nrow,padding', [(5, 2, 1), (8, 8, 2), (3, 4, 0)])
def test_make_grid(n, nrow, padding):
    x = np.random.rand(n, 3, 4, 6).astype(np.float32)
    got = utils.make_grid(ember.from_numpy(x), nrow=nrow, padding=padding, pad_value=0.25)
    np.testing.assert_allclose(got.numpy(), _ref_grid(x, nrow, padding, 0.25))


def test_make_grid_normalize_and_gray():
    x = np.random.rand(4, 1, 3, 3).astype(np.float32) * 5 - 1
    g = utils.make_grid(ember.from_numpy(x), normalize=True, padding=0)
    assert g.shape[0] == 3 and abs(g.min().item()) < 1e-6 and abs(g.max().item() - 1) < 1e-6
    g = utils.make_grid(ember.from_numpy(x), normalize=True, value_range=(0, 1), padding=0)
    assert g.min().item() >= 0 and g.max().item() <= 1
    each = utils.make_grid(ember.from_numpy(x), normalize=True, scale_each=True, padding=0)
    ref = (x - x.min(axis=(1, 2, 3), keepdims=True)) / np.ptp(x.reshape(4, -1), axis=1).reshape(4, 1, 1, 1)
    np.testing.assert_allclose(each.numpy()[0], _ref_grid(np.repeat(ref, 3, 1), 8, 0, 0)[0], atol=1e-6)
    single = utils.make_grid(ember.rand(3, 5, 5))
    assert tuple(single.shape) == (3, 5, 5)


@pytest.mark.parametrize('ext', ['png', 'jpg'])
def test_save_image(tmp_path, ext):
    x = ember.rand(2, 3, 6, 5)
    p = tmp_path / f'g.{ext}'
    utils.save_image(x, p, nrow=2, padding=1)
    img = Image.open(p)
    assert img.size == (2 * 6 + 1, 8)
    if ext == 'png':
        grid = utils.make_grid(x, nrow=2, padding=1)
        ref = (grid.numpy() * 255 + 0.5).clip(0, 255).astype(np.uint8).transpose(1, 2, 0)
        np.testing.assert_array_equal(np.asarray(img), ref)
