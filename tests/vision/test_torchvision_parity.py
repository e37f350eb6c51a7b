"""ember.vision.transforms against torchvision's own transforms, pixel for pixel, on the same
PIL images and tensors; random transforms' parameter ranges and distributions against
torchvision's. Skipped where torchvision is not installed (CI: it installs beside torch only
with `pip install --no-deps torchvision==0.28.0`, which a pyproject extra cannot express).

torchvision's package __init__ loads its compiled ops, which fail against this torch build;
only its pure-Python transforms are needed, so the package is registered without running it.
"""
import importlib.util
import os
import sys
import types

import numpy as np
import pytest

PIL = pytest.importorskip('PIL')
from PIL import Image  # noqa: E402
torch = pytest.importorskip('torch')


def _import_tv():
    spec = importlib.util.find_spec('torchvision')
    if spec is None:
        pytest.skip('torchvision is not installed', allow_module_level=True)
    if 'torchvision' not in sys.modules:
        pkg = types.ModuleType('torchvision')
        pkg.__path__ = [os.path.dirname(spec.origin)]
        sys.modules['torchvision'] = pkg
    try:
        import torchvision.transforms as T
        import torchvision.transforms.functional as F
    except Exception as e:  # pragma: no cover
        pytest.skip(f'torchvision transforms not importable: {e}', allow_module_level=True)
    return T, F


TT, TF = _import_tv()

import ember  # noqa: E402
import ember.vision.transforms as ET  # noqa: E402
import ember.vision.transforms.functional as EF  # noqa: E402

RS = np.random.RandomState(0)
ARR_RGB = RS.randint(0, 256, (23, 31, 3), dtype=np.uint8)
# a smooth image too: interpolation differences show on edges of noise
yy, xx = np.mgrid[0:40, 0:48]
ARR_SMOOTH = np.stack([xx * 5, yy * 6, (xx + yy) * 3], -1).astype(np.uint8)
IMAGES = {
    'rgb': Image.fromarray(ARR_RGB),
    'smooth': Image.fromarray(ARR_SMOOTH),
    'L': Image.fromarray(ARR_RGB[..., 0]),
}
FLOAT_IMG = RS.rand(3, 17, 22).astype(np.float32)
UINT8_IMG = RS.randint(0, 256, (3, 17, 22), dtype=np.uint8)
BATCH_IMG = RS.rand(2, 3, 12, 14).astype(np.float32)


def _np(x):
    if isinstance(x, Image.Image):
        return np.asarray(x)
    if isinstance(x, (list, tuple)):
        return [_np(v) for v in x]
    if hasattr(x, 'detach'):
        return x.detach().cpu().numpy() if 'torch' in type(x).__module__ else x.detach().numpy()
    return np.asarray(x)


def _same(a, b, atol=0):
    a, b = _np(a), _np(b)
    if isinstance(a, list):
        assert len(a) == len(b)
        for u, v in zip(a, b):
            _same_arr(u, v, atol)
    else:
        _same_arr(a, b, atol)


def _same_arr(a, b, atol):
    assert a.shape == b.shape and a.dtype == b.dtype, (a.shape, b.shape, a.dtype, b.dtype)
    if atol == 0:
        np.testing.assert_array_equal(a, b)
    else:
        np.testing.assert_allclose(a.astype(np.float64), b.astype(np.float64), atol=atol, rtol=0)


def _both(arr):
    return ember.tensor(arr), torch.tensor(arr)


def _imgs(kinds=('rgb', 'smooth', 'L')):
    return [IMAGES[k] for k in kinds]


# ------------------------------------------------------------------ conversions

@pytest.mark.parametrize('img', _imgs())
def test_to_tensor_and_pil_to_tensor(img):
    _same(ET.ToTensor()(img), TT.ToTensor()(img), atol=1e-7)
    _same(ET.PILToTensor()(img), TT.PILToTensor()(img))


@pytest.mark.parametrize('src', ['float', 'uint8'])
@pytest.mark.parametrize('dtype', ['float64', 'uint8', 'int32', 'float32'])
def test_convert_image_dtype(src, dtype):
    arr = FLOAT_IMG if src == 'float' else UINT8_IMG
    e, t = _both(arr)
    if src == 'float' and dtype == 'int32':      # torch refuses the unsafe cast
        with pytest.raises(RuntimeError):
            TT.ConvertImageDtype(torch.int32)(t)
        with pytest.raises(RuntimeError, match='cannot be performed safely'):
            ET.ConvertImageDtype(ember.int32)(e)
        return
    _same(ET.ConvertImageDtype(getattr(ember, dtype))(e),
          TT.ConvertImageDtype(getattr(torch, dtype))(t))


def test_to_pil_image_round_trip():
    e, t = _both(FLOAT_IMG)
    _same(EF.to_pil_image(e), TF.to_pil_image(t))
    e, t = _both(UINT8_IMG)
    _same(EF.to_pil_image(e), TF.to_pil_image(t))


@pytest.mark.parametrize('inplace', [False, True])
def test_normalize(inplace):
    e, t = _both(BATCH_IMG)
    m, s = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]
    _same(ET.Normalize(m, s, inplace)(e), TT.Normalize(m, s, inplace)(t), atol=1e-6)


# ------------------------------------------------------------------ geometry

@pytest.mark.parametrize('size', [10, [9, 13], (30, 50)])
@pytest.mark.parametrize('interp', ['NEAREST', 'BILINEAR', 'BICUBIC'])
@pytest.mark.parametrize('img', _imgs())
def test_resize_pil(img, size, interp):
    _same(ET.Resize(size, getattr(ET.InterpolationMode, interp))(img),
          TT.Resize(size, getattr(TT.InterpolationMode, interp))(img))


def test_resize_pil_max_size_and_other_filters():
    img = IMAGES['smooth']
    _same(ET.Resize(20, max_size=22)(img), TT.Resize(20, max_size=22)(img))
    for interp in ['BOX', 'HAMMING', 'LANCZOS', 'NEAREST_EXACT']:
        _same(ET.Resize([11, 17], getattr(ET.InterpolationMode, interp))(img),
              TT.Resize([11, 17], getattr(TT.InterpolationMode, interp))(img))


@pytest.mark.parametrize('size', [8, [9, 13], (30, 50)])
@pytest.mark.parametrize('interp', ['NEAREST', 'NEAREST_EXACT', 'BILINEAR', 'BICUBIC'])
@pytest.mark.parametrize('antialias', [True, False])
@pytest.mark.parametrize('src', ['float', 'batch', 'uint8'])
def test_resize_tensor(src, size, interp, antialias):
    arr = {'float': FLOAT_IMG, 'batch': BATCH_IMG, 'uint8': UINT8_IMG}[src]
    e, t = _both(arr)
    out_e = ET.Resize(size, getattr(ET.InterpolationMode, interp), antialias=antialias)(e)
    out_t = TT.Resize(size, getattr(TT.InterpolationMode, interp), antialias=antialias)(t)
    # uint8: torch's kernels round .5 ties after its own float arithmetic order; a few
    # pixels sitting on a tie may differ by one level
    _same(out_e, out_t, atol=1 if src == 'uint8' else 1e-5)
    if src == 'uint8':
        assert (_np(out_e) != _np(out_t)).mean() < 0.01


@pytest.mark.parametrize('size', [10, [7, 12], [30, 40], [23, 31]])
def test_center_crop(size):
    img = IMAGES['rgb']
    _same(ET.CenterCrop(size)(img), TT.CenterCrop(size)(img))
    e, t = _both(FLOAT_IMG)
    _same(ET.CenterCrop(size)(e), TT.CenterCrop(size)(t))


@pytest.mark.parametrize('mode', ['constant', 'edge', 'reflect', 'symmetric'])
@pytest.mark.parametrize('padding', [3, [2, 5], [1, 2, 3, 4]])
def test_pad(mode, padding):
    fill = 7 if mode == 'constant' else 0
    for img in _imgs():
        _same(ET.Pad(padding, fill, mode)(img), TT.Pad(padding, fill, mode)(img))
    for arr in (FLOAT_IMG, UINT8_IMG, BATCH_IMG):
        e, t = _both(arr)
        _same(ET.Pad(padding, fill, mode)(e), TT.Pad(padding, fill, mode)(t))


def test_pad_rgb_fill_tuple_and_negative():
    img = IMAGES['rgb']
    _same(ET.Pad(2, (10, 20, 30))(img), TT.Pad(2, (10, 20, 30))(img))
    e, t = _both(FLOAT_IMG)
    _same(EF.pad(e, [-2, 1, 3, -1]), TF.pad(t, [-2, 1, 3, -1]))


@pytest.mark.parametrize('fn', ['hflip', 'vflip'])
def test_flips(fn):
    for img in _imgs():
        _same(getattr(EF, fn)(img), getattr(TF, fn)(img))
    e, t = _both(BATCH_IMG)
    _same(getattr(EF, fn)(e), getattr(TF, fn)(t))


@pytest.mark.parametrize('size', [8, (6, 9)])
def test_five_and_ten_crop(size):
    img = IMAGES['rgb']
    _same(ET.FiveCrop(size)(img), TT.FiveCrop(size)(img))
    _same(ET.TenCrop(size)(img), TT.TenCrop(size)(img))
    _same(ET.TenCrop(size, vertical_flip=True)(img), TT.TenCrop(size, vertical_flip=True)(img))
    e, t = _both(FLOAT_IMG)
    _same(ET.FiveCrop(size)(e), TT.FiveCrop(size)(t))
    _same(ET.TenCrop(size)(e), TT.TenCrop(size)(t))


def test_crop_resized_crop():
    img = IMAGES['smooth']
    _same(EF.crop(img, 3, 4, 10, 12), TF.crop(img, 3, 4, 10, 12))
    _same(EF.crop(img, -3, 40, 10, 12), TF.crop(img, -3, 40, 10, 12))
    _same(EF.resized_crop(img, 3, 4, 20, 25, [9, 11]), TF.resized_crop(img, 3, 4, 20, 25, [9, 11]))
    e, t = _both(FLOAT_IMG)
    _same(EF.crop(e, -2, 15, 10, 12), TF.crop(t, -2, 15, 10, 12))


@pytest.mark.parametrize('angle', [0, 30, -45.5, 90, 180])
@pytest.mark.parametrize('expand', [False, True])
@pytest.mark.parametrize('interp', ['NEAREST', 'BILINEAR'])
def test_rotate_pil(angle, expand, interp):
    for img in _imgs(('rgb', 'smooth')):
        _same(EF.rotate(img, angle, getattr(ET.InterpolationMode, interp), expand),
              TF.rotate(img, angle, getattr(TT.InterpolationMode, interp), expand))
    img = IMAGES['smooth']
    _same(EF.rotate(img, angle, center=[5, 7], fill=[9, 8, 7]),
          TF.rotate(img, angle, center=[5, 7], fill=[9, 8, 7]))


@pytest.mark.parametrize('args', [(0, [0, 0], 1.0, [0.0, 0.0]), (25, [3, -2], 1.2, [10.0, 0.0]),
                                  (-40, [0, 5], 0.8, [5.0, -7.0]), (90, [1, 1], 1.0, [0.0, 20.0])])
@pytest.mark.parametrize('interp', ['NEAREST', 'BILINEAR'])
def test_affine_pil(args, interp):
    for img in _imgs(('rgb', 'smooth', 'L')):
        _same(EF.affine(img, *args, interpolation=getattr(ET.InterpolationMode, interp), fill=3),
              TF.affine(img, *args, interpolation=getattr(TT.InterpolationMode, interp), fill=3))


@pytest.mark.parametrize('args', [(0, [0, 0], 1.0, [0.0, 0.0]), (25, [3, -2], 1.2, [10.0, 0.0])])
@pytest.mark.parametrize('interp', ['NEAREST', 'BILINEAR'])
def test_affine_and_rotate_tensor(args, interp):
    e, t = _both(FLOAT_IMG)
    mode_e, mode_t = getattr(ET.InterpolationMode, interp), getattr(TT.InterpolationMode, interp)
    _same(EF.affine(e, *args, interpolation=mode_e), TF.affine(t, *args, interpolation=mode_t),
          atol=1e-5)
    _same(EF.rotate(e, args[0], mode_e, expand=True), TF.rotate(t, args[0], mode_t, expand=True),
          atol=1e-5)


# ------------------------------------------------------------------ color

@pytest.mark.parametrize('n', [1, 3])
def test_grayscale(n):
    for img in _imgs(('rgb', 'smooth')):
        _same(ET.Grayscale(n)(img), TT.Grayscale(n)(img))
    for arr in (FLOAT_IMG, UINT8_IMG):
        e, t = _both(arr)
        _same(ET.Grayscale(n)(e), TT.Grayscale(n)(t), atol=1e-6 if arr is FLOAT_IMG else 0)


ADJUST = [('adjust_brightness', [0.0, 0.5, 1.3]), ('adjust_contrast', [0.0, 0.6, 1.7]),
          ('adjust_saturation', [0.0, 0.4, 2.0]), ('adjust_hue', [-0.5, -0.2, 0.0, 0.1, 0.5]),
          ('adjust_gamma', [0.5, 1.0, 2.2]), ('adjust_sharpness', [0.0, 0.5, 2.0])]


@pytest.mark.parametrize('name,factors', ADJUST)
def test_color_adjust_pil(name, factors):
    for img in _imgs(('rgb', 'smooth')):
        for f in factors:
            _same(getattr(EF, name)(img, f), getattr(TF, name)(img, f))


@pytest.mark.parametrize('name,factors', ADJUST)
@pytest.mark.parametrize('src', ['float', 'uint8'])
def test_color_adjust_tensor(name, factors, src):
    e, t = _both(FLOAT_IMG if src == 'float' else UINT8_IMG)
    for f in factors:
        _same(getattr(EF, name)(e, f), getattr(TF, name)(t, f),
              atol=1e-5 if src == 'float' else 0)


def test_invert_and_color_jitter_fixed_factors():
    img = IMAGES['smooth']
    _same(EF.invert(img), TF.invert(img))
    e, t = _both(FLOAT_IMG)
    _same(EF.invert(e), TF.invert(t))
    # ColorJitter with fixed factors == its functional pipeline in a fixed order
    for fn_e, fn_t in [(EF.adjust_brightness, TF.adjust_brightness),
                       (EF.adjust_contrast, TF.adjust_contrast),
                       (EF.adjust_saturation, TF.adjust_saturation)]:
        img_e, img_t = fn_e(img, 1.2), fn_t(img, 1.2)
        _same(img_e, img_t)
    jit_e = ET.ColorJitter(brightness=(1.1, 1.1), contrast=(0.8, 0.8), saturation=(1.3, 1.3),
                           hue=(0.05, 0.05))
    jit_t = TT.ColorJitter(brightness=(1.1, 1.1), contrast=(0.8, 0.8), saturation=(1.3, 1.3),
                           hue=(0.05, 0.05))
    # the order of the four is random; apply each order with the functional API on both sides
    fns = ['adjust_brightness', 'adjust_contrast', 'adjust_saturation', 'adjust_hue']
    facs = [1.1, 0.8, 1.3, 0.05]
    out_e, out_t = img, img
    for i in [2, 0, 3, 1]:
        out_e = getattr(EF, fns[i])(out_e, facs[i])
        out_t = getattr(TF, fns[i])(out_t, facs[i])
    _same(out_e, out_t)
    assert _np(jit_e(img)).shape == _np(jit_t(img)).shape


def test_linear_transformation_and_erase():
    e, t = _both(FLOAT_IMG[:, :4, :5].copy())
    m = RS.rand(60, 60).astype(np.float32)
    mean = RS.rand(60).astype(np.float32)
    _same(ET.LinearTransformation(ember.tensor(m), ember.tensor(mean))(e),
          TT.LinearTransformation(torch.tensor(m), torch.tensor(mean))(t), atol=1e-4)
    e, t = _both(FLOAT_IMG)
    _same(EF.erase(e, 2, 3, 5, 6, ember.tensor(0.5)), TF.erase(t, 2, 3, 5, 6, torch.tensor(0.5)))


# ------------------------------------------------------------------ random parameters

N = 2000


def _stats(samples):
    a = np.asarray(samples, dtype=np.float64)
    return a.min(0), a.max(0), a.mean(0), a.std(0)


def _close_dist(se, st, tol=0.08):
    (mn_e, mx_e, mean_e, sd_e), (mn_t, mx_t, mean_t, sd_t) = _stats(se), _stats(st)
    scale = np.maximum(np.abs(mx_t - mn_t), 1e-6)
    assert np.all(mn_e >= mn_t - tol * scale) and np.all(mx_e <= mx_t + tol * scale)
    assert np.all(np.abs(mean_e - mean_t) <= tol * scale), (mean_e, mean_t)
    assert np.all(np.abs(sd_e - sd_t) <= tol * scale), (sd_e, sd_t)


def test_random_resized_crop_params():
    img = IMAGES['smooth']
    ember.manual_seed(0)
    torch.manual_seed(0)
    se = [ET.RandomResizedCrop.get_params(img, [0.08, 1.0], [3 / 4, 4 / 3]) for _ in range(N)]
    st = [TT.RandomResizedCrop.get_params(img, [0.08, 1.0], [3 / 4, 4 / 3]) for _ in range(N)]
    for i, j, h, w in se:
        assert 0 <= i and 0 <= j and i + h <= 40 and j + w <= 48 and h > 0 and w > 0
    _close_dist(se, st)


def test_random_crop_params():
    img = IMAGES['smooth']
    se = [ET.RandomCrop.get_params(img, (10, 13)) for _ in range(N)]
    st = [TT.RandomCrop.get_params(img, (10, 13)) for _ in range(N)]
    assert {tuple(p[2:]) for p in se} == {(10, 13)}
    assert min(p[0] for p in se) == 0 and max(p[0] for p in se) == 30
    assert min(p[1] for p in se) == 0 and max(p[1] for p in se) == 35
    _close_dist(se, st)


def test_color_jitter_params():
    ranges = ([0.6, 1.4], [0.7, 1.3], [0.5, 1.5], [-0.1, 0.1])
    se = [ET.ColorJitter.get_params(*ranges) for _ in range(N)]
    st = [TT.ColorJitter.get_params(*ranges) for _ in range(N)]
    assert sorted(se[0][0].tolist()) == [0, 1, 2, 3]
    fe = np.array([p[1:] for p in se], dtype=np.float64)
    ft = np.array([[float(v) for v in p[1:]] for p in st], dtype=np.float64)
    _close_dist(fe, ft)
    je, jt = ET.ColorJitter(0.4, 0.3, 0.5, 0.1), TT.ColorJitter(0.4, 0.3, 0.5, 0.1)
    for a in ('brightness', 'contrast', 'saturation', 'hue'):
        assert list(getattr(je, a)) == pytest.approx(list(getattr(jt, a)))


def test_random_affine_and_rotation_params():
    args = ([-30.0, 30.0], [0.1, 0.2], [0.8, 1.2], [-10.0, 10.0, -5.0, 5.0], [40, 48])
    se = [ET.RandomAffine.get_params(*args) for _ in range(N)]
    st = [TT.RandomAffine.get_params(*args) for _ in range(N)]
    flat = lambda ps: [[p[0], *p[1], p[2], *p[3]] for p in ps]  # noqa: E731
    _close_dist(flat(se), flat(st))
    re = [ET.RandomRotation.get_params([-20.0, 50.0]) for _ in range(N)]
    rt = [TT.RandomRotation.get_params([-20.0, 50.0]) for _ in range(N)]
    _close_dist([[r] for r in re], [[r] for r in rt])


def test_random_erasing_params():
    e, t = _both(FLOAT_IMG)
    se = [ET.RandomErasing.get_params(e, (0.02, 0.33), (0.3, 3.3), [0.0])[:4] for _ in range(N)]
    st = [TT.RandomErasing.get_params(t, (0.02, 0.33), (0.3, 3.3), [0.0])[:4] for _ in range(N)]
    _close_dist(se, st, tol=0.1)


@pytest.mark.parametrize('cls,p', [('RandomHorizontalFlip', 0.3), ('RandomVerticalFlip', 0.7),
                                   ('RandomGrayscale', 0.4), ('RandomInvert', 0.5)])
def test_random_apply_probability(cls, p):
    img = IMAGES['rgb']
    tr = getattr(ET, cls)(p)
    changed = np.mean([not np.array_equal(np.asarray(tr(img)), ARR_RGB) for _ in range(600)])
    assert abs(changed - p) < 0.08
