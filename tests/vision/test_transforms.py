"""ember.vision.transforms: deterministic transforms vs direct PIL / torch / NumPy formulas,
random transforms for ranges and reproducibility under ember.manual_seed."""
import math

import numpy as np
import pytest
import torch
from PIL import Image, ImageEnhance, ImageOps

import ember
from ember.vision import transforms as T
from ember.vision.transforms import functional as F
from ember.vision.transforms import InterpolationMode

RNG = np.random.default_rng(0)
RGB = RNG.integers(0, 256, (13, 17, 3), dtype=np.uint8)


def pil():
    return Image.fromarray(RGB)


def etensor(a):
    return ember.from_numpy(np.ascontiguousarray(a))


def chw():
    return etensor(RGB.transpose(2, 0, 1).copy())


def arr(x):
    return x.numpy() if isinstance(x, ember.Tensor) else np.asarray(x)


def test_to_tensor_and_back():
    t = T.ToTensor()(pil())
    assert t.dtype == ember.float32 and tuple(t.shape) == (3, 13, 17)
    np.testing.assert_allclose(t.numpy(), RGB.transpose(2, 0, 1) / 255.0, rtol=1e-6)
    np.testing.assert_array_equal(arr(T.PILToTensor()(pil())), RGB.transpose(2, 0, 1))
    back = T.ToPILImage()(t)
    assert back.mode == 'RGB'
    np.testing.assert_array_equal(np.asarray(back), RGB)
    gray = F.to_pil_image(etensor(RGB[:, :, :1].transpose(2, 0, 1).copy()))
    assert gray.mode == 'L'
    # ndarray input (HWC), 2-d ndarray
    np.testing.assert_allclose(F.to_tensor(RGB).numpy(), t.numpy())
    assert tuple(F.to_tensor(RGB[:, :, 0]).shape) == (1, 13, 17)
    with pytest.raises(TypeError):
        F.to_tensor([1, 2])


def test_normalize_matches_torch():
    x = np.random.rand(2, 3, 5, 4).astype(np.float32)
    mean, std = (0.5, 0.4, 0.3), (0.2, 0.25, 0.3)
    got = T.Normalize(mean, std)(etensor(x))
    ref = (torch.from_numpy(x) - torch.tensor(mean).view(-1, 1, 1)) / torch.tensor(std).view(-1, 1, 1)
    np.testing.assert_allclose(got.numpy(), ref.numpy(), rtol=1e-6)
    t = etensor(x[0].copy())
    out = T.Normalize(mean, std, inplace=True)(t)
    assert out is t
    with pytest.raises(ValueError, match='std evaluated to zero'):
        F.normalize(etensor(x), mean, (0.0, 1, 1))
    with pytest.raises(TypeError):
        F.normalize(chw(), mean, std)


def test_reprs():
    c = T.Compose([T.ToTensor(), T.Normalize(mean=[0.5], std=[0.5])])
    assert repr(c) == "Compose(\n    ToTensor()\n    Normalize(mean=[0.5], std=[0.5])\n)"
    assert repr(T.Resize(8)) == "Resize(size=8, interpolation=bilinear, max_size=None, antialias=True)"
    assert repr(T.CenterCrop(4)) == "CenterCrop(size=(4, 4))"
    assert repr(T.RandomCrop(4, padding=2)) == "RandomCrop(size=(4, 4), padding=2)"
    assert repr(T.RandomResizedCrop(8)) == ("RandomResizedCrop(size=(8, 8), scale=(0.08, 1.0), "
                                            "ratio=(0.75, 1.3333), interpolation=bilinear, antialias=True)")
    assert repr(T.RandomHorizontalFlip()) == "RandomHorizontalFlip(p=0.5)"
    assert repr(T.ColorJitter(0.2, hue=0.1)) == ("ColorJitter(brightness=(0.8, 1.2), contrast=None, "
                                                 "saturation=None, hue=(-0.1, 0.1))")
    assert repr(T.Pad(2)) == "Pad(padding=2, fill=0, padding_mode=constant)"
    assert repr(T.RandomRotation(10)) == "RandomRotation(degrees=[-10.0, 10.0], interpolation=nearest, expand=False, fill=0)"
    assert repr(T.RandomAffine(10, translate=(0.1, 0.1))) == "RandomAffine(degrees=[-10.0, 10.0], translate=(0.1, 0.1))"
    assert repr(T.RandomErasing()) == "RandomErasing(p=0.5, scale=(0.02, 0.33), ratio=(0.3, 3.3), value=0, inplace=False)"
    assert repr(T.RandomApply([T.Grayscale()], p=0.3)) == "RandomApply(\n    p=0.3\n    Grayscale(num_output_channels=1)\n)"
    assert repr(T.ToPILImage()) == "ToPILImage()"
    assert repr(T.Lambda(lambda x: x)) == "Lambda()"


@pytest.mark.parametrize('size', [8, (6, 9), [20]])
@pytest.mark.parametrize('mode', [InterpolationMode.NEAREST, InterpolationMode.BILINEAR,
                                  InterpolationMode.BICUBIC])
def test_resize_pil_is_pil_resize(size, mode):
    out = T.Resize(size, interpolation=mode)(pil())
    h, w = 13, 17
    if isinstance(size, int) or len(size) == 1:
        s = size if isinstance(size, int) else size[0]
        oh, ow = s, int(s * w / h)
    else:
        oh, ow = size
    pm = {InterpolationMode.NEAREST: Image.NEAREST, InterpolationMode.BILINEAR: Image.BILINEAR,
          InterpolationMode.BICUBIC: Image.BICUBIC}[mode]
    np.testing.assert_array_equal(np.asarray(out), np.asarray(pil().resize((ow, oh), pm)))


def test_resize_max_size():
    out = F.resize(pil(), 10, max_size=12)
    assert out.size == (12, 9)  # long edge capped, short edge int(12 * 10 / 13)
    with pytest.raises(ValueError):
        F.resize(pil(), 10, max_size=10)


@pytest.mark.parametrize('mode', ['bilinear', 'bicubic', 'nearest', 'nearest-exact'])
@pytest.mark.parametrize('antialias', [False, True])
@pytest.mark.parametrize('size', [(7, 9), (20, 31)])
def test_resize_tensor_matches_torch_interpolate(mode, antialias, size):
    x = np.random.rand(2, 3, 13, 17).astype(np.float32)
    got = F.resize(etensor(x), list(size), InterpolationMode(mode), antialias=antialias)
    kw = {'align_corners': False} if mode in ('bilinear', 'bicubic') else {}
    aa = antialias and mode in ('bilinear', 'bicubic')
    ref = torch.nn.functional.interpolate(torch.from_numpy(x), size=size, mode=mode, antialias=aa, **kw)
    np.testing.assert_allclose(got.numpy(), ref.numpy(), atol=1e-5)


def test_resize_tensor_uint8_rounds():
    x = chw()
    got = F.resize(x, [7, 9], antialias=True)
    ref = torch.nn.functional.interpolate(torch.from_numpy(RGB.transpose(2, 0, 1)[None].astype(np.float32)),
                                          size=(7, 9), mode='bilinear', antialias=True)[0]
    assert got.dtype == ember.uint8
    assert np.abs(got.numpy().astype(int) - ref.round().clamp(0, 255).numpy().astype(int)).max() <= 1


def test_crops_pil_and_tensor():
    np.testing.assert_array_equal(np.asarray(F.crop(pil(), 2, 3, 5, 6)), RGB[2:7, 3:9])
    np.testing.assert_array_equal(arr(F.crop(chw(), 2, 3, 5, 6)), RGB[2:7, 3:9].transpose(2, 0, 1))
    # centre crop: top = round((13 - 5) / 2) = 4, left = round((17 - 6) / 2) = 6 (banker's: 5.5 -> 6)
    np.testing.assert_array_equal(np.asarray(T.CenterCrop((5, 6))(pil())), RGB[4:9, 6:12])
    np.testing.assert_array_equal(arr(T.CenterCrop((5, 6))(chw())), RGB[4:9, 6:12].transpose(2, 0, 1))
    big = T.CenterCrop((15, 20))(chw())  # larger than the image: zero padded around it
    assert tuple(big.shape) == (3, 15, 20)
    np.testing.assert_array_equal(arr(big)[:, 1:14, 1:18], RGB.transpose(2, 0, 1))
    assert np.asarray(T.CenterCrop((15, 20))(pil())).shape == (15, 20, 3)
    crops = T.FiveCrop(4)(chw())
    assert len(crops) == 5
    np.testing.assert_array_equal(arr(crops[1]), RGB[:4, 13:].transpose(2, 0, 1))
    np.testing.assert_array_equal(arr(crops[2]), RGB[9:, :4].transpose(2, 0, 1))
    ten = T.TenCrop(4)(pil())
    np.testing.assert_array_equal(np.asarray(ten[5]), RGB[:, ::-1][:4, :4])
    tenv = T.TenCrop(4, vertical_flip=True)(chw())
    np.testing.assert_array_equal(arr(tenv[5]), RGB[::-1][:4, :4].transpose(2, 0, 1))
    with pytest.raises(ValueError):
        F.five_crop(chw(), 20)


def test_flips():
    np.testing.assert_array_equal(np.asarray(T.RandomHorizontalFlip(1.0)(pil())), RGB[:, ::-1])
    np.testing.assert_array_equal(np.asarray(T.RandomVerticalFlip(1.0)(pil())), RGB[::-1])
    np.testing.assert_array_equal(arr(T.RandomHorizontalFlip(1.0)(chw())), RGB[:, ::-1].transpose(2, 0, 1))
    np.testing.assert_array_equal(arr(T.RandomVerticalFlip(0.0)(chw())), RGB.transpose(2, 0, 1))


@pytest.mark.parametrize('mode', ['constant', 'edge', 'reflect', 'symmetric'])
@pytest.mark.parametrize('padding', [2, (1, 3), (1, 2, 3, 4)])
def test_pad_matches_numpy(mode, padding):
    p = [padding] * 4 if isinstance(padding, int) else (list(padding) * 2 if len(padding) == 2 else list(padding))
    l, t, r, b = p
    kw = {'constant_values': 7} if mode == 'constant' else {}
    ref = np.pad(RGB, ((t, b), (l, r), (0, 0)), mode=mode, **kw)
    np.testing.assert_array_equal(np.asarray(T.Pad(padding, fill=7, padding_mode=mode)(pil())), ref)
    np.testing.assert_array_equal(arr(T.Pad(padding, fill=7, padding_mode=mode)(chw())), ref.transpose(2, 0, 1))


def test_pad_doc_examples_and_rgb_fill():
    row = etensor(np.array([[[1, 2, 3, 4]]], dtype=np.float32))
    # the seed's examples: reflect [1,2,3,4] -> [3,2,1,2,3,4,3,2], symmetric -> [2,1,1,2,3,4,4,3]
    assert arr(F.pad(row, [2, 0], padding_mode='reflect'))[0, 0].tolist() == [3, 2, 1, 2, 3, 4, 3, 2]
    assert arr(F.pad(row, [2, 0], padding_mode='symmetric'))[0, 0].tolist() == [2, 1, 1, 2, 3, 4, 4, 3]
    out = np.asarray(F.pad(pil(), 1, fill=(10, 20, 30)))
    assert out[0, 0].tolist() == [10, 20, 30]
    out = arr(F.pad(chw(), 1, fill=(10, 20, 30)))
    assert out[:, 0, 0].tolist() == [10, 20, 30]


def test_grayscale():
    g = np.asarray(T.Grayscale()(pil()))
    np.testing.assert_array_equal(g, np.asarray(pil().convert('L')))
    g3 = T.Grayscale(3)(pil())
    assert g3.mode == 'RGB'
    x = chw()
    got = T.Grayscale()(x)
    r, gg, b = torch.from_numpy(RGB.transpose(2, 0, 1).copy()).unbind(0)
    ref = (0.2989 * r + 0.587 * gg + 0.114 * b).to(torch.uint8)
    np.testing.assert_array_equal(arr(got)[0], ref.numpy())
    assert tuple(T.Grayscale(3)(x).shape) == (3, 13, 17)
    assert T.RandomGrayscale(1.0)(pil()).mode == 'RGB'   # keeps the channel count
    assert tuple(T.RandomGrayscale(1.0)(x).shape) == (3, 13, 17)


@pytest.mark.parametrize('factor', [0.3, 1.7])
def test_color_adjust_pil_and_tensor(factor):
    np.testing.assert_array_equal(np.asarray(F.adjust_brightness(pil(), factor)),
                                  np.asarray(ImageEnhance.Brightness(pil()).enhance(factor)))
    np.testing.assert_array_equal(np.asarray(F.adjust_contrast(pil(), factor)),
                                  np.asarray(ImageEnhance.Contrast(pil()).enhance(factor)))
    np.testing.assert_array_equal(np.asarray(F.adjust_saturation(pil(), factor)),
                                  np.asarray(ImageEnhance.Color(pil()).enhance(factor)))
    x = np.random.rand(3, 5, 6).astype(np.float32)
    tx = torch.from_numpy(x)
    gray = (0.2989 * tx[0] + 0.587 * tx[1] + 0.114 * tx[2])[None]
    blend = lambda a, b: (factor * a + (1 - factor) * b).clamp(0, 1)  # noqa: E731
    np.testing.assert_allclose(F.adjust_brightness(etensor(x), factor).numpy(), blend(tx, 0 * tx).numpy(), atol=1e-6)
    np.testing.assert_allclose(F.adjust_contrast(etensor(x), factor).numpy(), blend(tx, gray.mean()).numpy(), atol=1e-6)
    np.testing.assert_allclose(F.adjust_saturation(etensor(x), factor).numpy(), blend(tx, gray).numpy(), atol=1e-6)


def test_adjust_hue():
    import colorsys
    x = np.random.rand(3, 4, 5).astype(np.float32)
    got = F.adjust_hue(etensor(x), 0.2).numpy()
    ref = np.zeros_like(x)
    for i in range(4):
        for j in range(5):
            h, s, v = colorsys.rgb_to_hsv(*x[:, i, j])
            ref[:, i, j] = colorsys.hsv_to_rgb((h + 0.2) % 1.0, s, v)
    np.testing.assert_allclose(got, ref, atol=1e-5)
    np.testing.assert_allclose(F.adjust_hue(etensor(x), 0.0).numpy(), x, atol=1e-5)
    # PIL: H channel shifted with uint8 wrap-around
    out = np.asarray(F.adjust_hue(pil(), -0.25).convert('HSV'))[..., 0].astype(int)
    h0 = np.asarray(pil().convert('HSV'))[..., 0].astype(int)
    assert np.mean(np.abs(out - (h0 + int(-0.25 * 255)) % 256) <= 2) > 0.95
    with pytest.raises(ValueError):
        F.adjust_hue(pil(), 0.7)


def test_rotate_pil_and_tensor():
    np.testing.assert_array_equal(np.asarray(F.rotate(pil(), 30, fill=5)),
                                  np.asarray(pil().rotate(30, Image.NEAREST, fillcolor=(5, 5, 5))))
    np.testing.assert_array_equal(np.asarray(F.rotate(pil(), 30, expand=True)),
                                  np.asarray(pil().rotate(30, Image.NEAREST, expand=True)))
    sq = etensor(RGB[:13, :13].transpose(2, 0, 1).copy())
    np.testing.assert_array_equal(arr(F.rotate(sq, 90)), np.rot90(RGB[:13, :13], 1).transpose(2, 0, 1))
    np.testing.assert_array_equal(arr(F.rotate(sq, 180.0)), RGB[:13, :13][::-1, ::-1].transpose(2, 0, 1))
    assert tuple(F.rotate(chw(), 90, expand=True).shape) == (3, 17, 13)
    # tensor rotation agrees with PIL's on most pixels (different rounding at boundaries)
    a = arr(F.rotate(chw(), 25)).transpose(1, 2, 0).astype(int)
    b = np.asarray(pil().rotate(25)).astype(int)
    assert np.mean(a == b) > 0.9


def test_affine():
    out = F.affine(pil(), angle=0, translate=[2, 1], scale=1.0, shear=0)
    ref = np.zeros_like(RGB)
    ref[1:, 2:] = RGB[:-1, :-2]
    np.testing.assert_array_equal(np.asarray(out), ref)
    np.testing.assert_array_equal(arr(F.affine(chw(), 0, [2, 1], 1.0, 0.0)), ref.transpose(2, 0, 1))
    a = arr(F.affine(chw(), 15, [1, -1], 1.1, [5, 3])).transpose(1, 2, 0).astype(int)
    b = np.asarray(F.affine(pil(), 15, [1, -1], 1.1, [5, 3])).astype(int)
    assert np.mean(a == b) > 0.85
    # identity
    np.testing.assert_array_equal(arr(F.affine(chw(), 0, [0, 0], 1.0, 0)), RGB.transpose(2, 0, 1))


def test_erase_and_linear_transformation():
    x = ember.rand(3, 5, 5)
    out = F.erase(x, 1, 2, 2, 3, ember.tensor(0.5))
    assert (out[:, 1:3, 2:5] == 0.5).all().item() and out is not x
    assert ember.equal(out[:, 0], x[:, 0])
    n = 3 * 2 * 2
    m = ember.randn(n, n)
    mv = ember.randn(n)
    img = ember.randn(3, 2, 2)
    got = T.LinearTransformation(m, mv)(img)
    ref = ((img.reshape(1, -1) - mv) @ m).reshape(3, 2, 2)
    assert ember.allclose(got, ref)
    with pytest.raises(ValueError):
        T.LinearTransformation(ember.randn(3, 4), ember.randn(3))


def test_convert_image_dtype():
    x = chw()
    f = T.ConvertImageDtype(ember.float32)(x)
    np.testing.assert_allclose(f.numpy(), RGB.transpose(2, 0, 1) / 255.0, rtol=1e-6)
    back = F.convert_image_dtype(f, ember.uint8)
    np.testing.assert_array_equal(back.numpy(), RGB.transpose(2, 0, 1))


# ---- random transforms ------------------------------------------------------------------------

def _run(tf, img, seed):
    ember.manual_seed(seed)
    return arr(tf(img))


@pytest.mark.parametrize('tf', [
    T.RandomCrop(8, padding=2), T.RandomResizedCrop(9), T.RandomRotation(30),
    T.ColorJitter(0.4, 0.4, 0.4, 0.1), T.RandomAffine(20, (0.1, 0.2), (0.8, 1.2), 10),
    T.RandomErasing(p=1.0, value='random'), T.RandomOrder([T.RandomHorizontalFlip(), T.Grayscale(3)]),
    T.RandomChoice([T.RandomHorizontalFlip(1.0), T.RandomVerticalFlip(1.0)]),
    T.RandomApply([T.ColorJitter(0.5)], p=0.5)])
def test_reproducible_under_manual_seed(tf):
    img = F.to_tensor(pil())
    a, b = _run(tf, img, 3), _run(tf, img, 3)
    np.testing.assert_array_equal(a, b)
    if not isinstance(tf, T.RandomErasing):
        np.testing.assert_array_equal(_run(tf, pil(), 5), _run(tf, pil(), 5))


def test_random_resized_crop_params():
    ember.manual_seed(0)
    img = ember.zeros(3, 40, 60)
    for _ in range(50):
        i, j, h, w = T.RandomResizedCrop.get_params(img, (0.08, 1.0), (3 / 4, 4 / 3))
        assert 0 <= i and i + h <= 40 and 0 <= j and j + w <= 60
        assert 0.08 * 2400 * 0.8 <= h * w <= 2400
        assert 0.7 <= w / h <= 1.4 or (h, w) == (40, 53)
    # impossible ratio -> fallback centre crop with the extreme ratio
    i, j, h, w = T.RandomResizedCrop.get_params(img, (0.99, 1.0), (4.0, 5.0))
    assert (h, w) == (15, 60) and (i, j) == (12, 0)
    out = T.RandomResizedCrop((7, 5))(pil())
    assert out.size == (5, 7)


def test_random_crop_pad_if_needed_and_errors():
    out = T.RandomCrop((20, 25), pad_if_needed=True)(chw())
    assert tuple(out.shape) == (3, 20, 25)
    with pytest.raises(ValueError, match='larger than input image'):
        T.RandomCrop(30)(chw())
    assert T.RandomCrop((13, 17))(pil()).size == (17, 13)


def test_color_jitter_ranges():
    cj = T.ColorJitter(brightness=0.5, contrast=(0.2, 0.3), saturation=2, hue=0.2)
    assert cj.brightness == (0.5, 1.5) and cj.contrast == (0.2, 0.3)
    assert cj.saturation == (0.0, 3.0) and cj.hue == (-0.2, 0.2)
    ember.manual_seed(0)
    for _ in range(30):
        idx, b, c, s, h = T.ColorJitter.get_params(cj.brightness, cj.contrast, cj.saturation, cj.hue)
        assert sorted(idx.tolist()) == [0, 1, 2, 3]
        assert 0.5 <= b <= 1.5 and 0.2 <= c <= 0.3 and 0 <= s <= 3 and -0.2 <= h <= 0.2
    with pytest.raises(ValueError):
        T.ColorJitter(hue=0.6)
    with pytest.raises(ValueError):
        T.ColorJitter(brightness=-1)


def test_random_affine_params():
    ember.manual_seed(1)
    for _ in range(30):
        angle, (tx, ty), sc, (sx, sy) = T.RandomAffine.get_params(
            [-10.0, 10.0], (0.1, 0.2), (0.9, 1.1), [-5.0, 5.0, -3.0, 3.0], [50, 40])
        assert -10 <= angle <= 10 and abs(tx) <= 5 and abs(ty) <= 8 and isinstance(tx, int)
        assert 0.9 <= sc <= 1.1 and -5 <= sx <= 5 and -3 <= sy <= 3
    assert T.RandomAffine(0, shear=4).shear == [-4.0, 4.0]
    with pytest.raises(ValueError):
        T.RandomAffine(0, translate=(1.5, 0))


def test_random_rotation_expand_and_angle_range():
    ember.manual_seed(0)
    angles = [T.RandomRotation.get_params([-15.0, 30.0]) for _ in range(100)]
    assert min(angles) >= -15 and max(angles) <= 30 and np.std(angles) > 5
    out = T.RandomRotation((90, 90), expand=True)(pil())
    assert out.size == (13, 17)


def test_random_erasing():
    ember.manual_seed(0)
    x = ember.ones(3, 20, 20)
    out = T.RandomErasing(p=1.0, value=0)(x)
    frac = (out == 0).float().mean().item()
    assert 0.02 * 0.5 <= frac <= 0.33 * 1.1
    assert (x == 1).all().item()                           # not in place
    out = T.RandomErasing(p=1.0, value=(1, 2, 3))(ember.zeros(3, 20, 20))
    assert set(np.unique(out[1].numpy()).tolist()) <= {0.0, 2.0}
    with pytest.raises(ValueError):
        T.RandomErasing(value='noise')
    with pytest.raises(ValueError):
        T.RandomErasing(p=2)


def test_random_flip_probability():
    ember.manual_seed(0)
    flips = sum(np.array_equal(arr(T.RandomHorizontalFlip(0.3)(chw())), RGB[:, ::-1].transpose(2, 0, 1))
                for _ in range(300))
    assert 60 <= flips <= 120


def test_lambda_compose_batch():
    tf = T.Compose([T.Lambda(lambda x: x * 2), T.Normalize([0.0] * 3, [2.0] * 3)])
    x = ember.rand(4, 3, 5, 5)
    assert ember.allclose(tf(x), x)
    assert tuple(T.RandomHorizontalFlip(1.0)(x).shape) == (4, 3, 5, 5)
    assert tuple(F.resize(x, [3, 3]).shape) == (4, 3, 3, 3)
