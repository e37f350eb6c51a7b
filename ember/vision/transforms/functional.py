"""ember.vision.transforms.functional (= torchvision.transforms.functional).

Every function accepts a PIL image or a tensor image (..., C, H, W) where torchvision does, and
dispatches to the PIL kernels (Pillow) or the tensor kernels (ember ops)."""
import math
import numbers
from enum import Enum

import numpy as np

import ember
from ..._tensor import Tensor
from . import _functional_tensor as F_t

try:
    from PIL import Image
    from . import _functional_pil as F_pil
except ImportError:  # pragma: no cover - Pillow is an optional dependency
    Image = None
    F_pil = None

__all__ = ['InterpolationMode', 'get_dimensions', 'get_image_size', 'get_image_num_channels',
           'to_tensor', 'pil_to_tensor', 'to_pil_image', 'convert_image_dtype', 'normalize',
           'resize', 'pad', 'crop', 'center_crop', 'resized_crop', 'hflip', 'vflip', 'five_crop',
           'ten_crop', 'rotate', 'affine', 'adjust_brightness', 'adjust_contrast',
           'adjust_saturation', 'adjust_hue', 'adjust_gamma', 'adjust_sharpness',
           'rgb_to_grayscale', 'to_grayscale', 'erase', 'invert']


class InterpolationMode(Enum):
    """Interpolation modes (values are the tensor mode names)."""
    NEAREST = 'nearest'
    NEAREST_EXACT = 'nearest-exact'
    BILINEAR = 'bilinear'
    BICUBIC = 'bicubic'
    BOX = 'box'
    HAMMING = 'hamming'
    LANCZOS = 'lanczos'


def _pil_interp(mode):
    return {InterpolationMode.NEAREST: Image.NEAREST, InterpolationMode.NEAREST_EXACT: Image.NEAREST,
            InterpolationMode.BILINEAR: Image.BILINEAR, InterpolationMode.BICUBIC: Image.BICUBIC,
            InterpolationMode.BOX: Image.BOX, InterpolationMode.HAMMING: Image.HAMMING,
            InterpolationMode.LANCZOS: Image.LANCZOS}[mode]


def _interpolation_modes_from_int(i):
    return {0: InterpolationMode.NEAREST, 2: InterpolationMode.BILINEAR,
            3: InterpolationMode.BICUBIC, 4: InterpolationMode.BOX, 5: InterpolationMode.HAMMING,
            1: InterpolationMode.LANCZOS}[i]


def _as_mode(interpolation):
    if isinstance(interpolation, int):
        return _interpolation_modes_from_int(interpolation)
    if isinstance(interpolation, str):
        return InterpolationMode(interpolation)
    if not isinstance(interpolation, InterpolationMode):
        raise TypeError("Argument interpolation should be a InterpolationMode or a corresponding "
                        "Pillow integer constant")
    return interpolation


def _is_pil_image(img):
    return Image is not None and isinstance(img, Image.Image)


def _check_img(img):
    if not isinstance(img, Tensor) and not _is_pil_image(img):
        raise TypeError(f"img should be PIL Image or Tensor. Got {type(img)}")


def get_dimensions(img):
    """[channels, height, width]."""
    if isinstance(img, Tensor):
        return F_t.get_dimensions(img)
    _check_img(img)
    return F_pil.get_dimensions(img)


def get_image_size(img):
    """[width, height]."""
    _, h, w = get_dimensions(img)
    return [w, h]


def get_image_num_channels(img):
    return get_dimensions(img)[0]


# ---- conversion -----------------------------------------------------------------------------

def to_tensor(pic):
    """PIL image or HWC ndarray -> CHW tensor; uint8 data scaled to float in [0, 1]."""
    if not (_is_pil_image(pic) or isinstance(pic, np.ndarray)):
        raise TypeError(f"pic should be PIL Image or ndarray. Got {type(pic)}")
    if isinstance(pic, np.ndarray):
        if pic.ndim not in (2, 3):
            raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
        if pic.ndim == 2:
            pic = pic[:, :, None]
        img = ember.from_numpy(np.ascontiguousarray(pic.transpose((2, 0, 1))))
        if img.dtype == ember.uint8:
            return img.to(ember.get_default_dtype()).div(255)
        return img
    mode_to_dtype = {'I': np.int32, 'I;16': np.int16, 'F': np.float32}
    arr = np.array(pic, mode_to_dtype.get(pic.mode, np.uint8), copy=True)
    if pic.mode == '1':
        arr = 255 * arr
    arr = arr.reshape(pic.size[1], pic.size[0], len(pic.getbands()))
    img = ember.from_numpy(np.ascontiguousarray(arr.transpose((2, 0, 1))))
    if img.dtype == ember.uint8:
        return img.to(ember.get_default_dtype()).div(255)
    return img


def pil_to_tensor(pic):
    """PIL image -> CHW tensor with the image's own dtype (no scaling)."""
    if not _is_pil_image(pic):
        raise TypeError(f"pic should be PIL Image. Got {type(pic)}")
    arr = np.array(pic, copy=True)
    arr = arr.reshape(pic.size[1], pic.size[0], len(pic.getbands()))
    return ember.from_numpy(np.ascontiguousarray(arr.transpose((2, 0, 1))))


def to_pil_image(pic, mode=None):
    """CHW tensor or HWC ndarray -> PIL image (float data is scaled by 255)."""
    if isinstance(pic, Tensor):
        if pic.dim() not in (2, 3):
            raise ValueError(f"pic should be 2/3 dimensional. Got {pic.dim()} dimensions.")
        if pic.dim() == 2:
            pic = pic.unsqueeze(0)
        if pic.shape[-3] > 4:
            raise ValueError(f"pic should not have > 4 channels. Got {pic.shape[-3]} channels.")
        if pic.is_floating_point() and mode != 'F':
            pic = pic.mul(255).byte()
        npimg = np.transpose(pic.cpu().numpy(), (1, 2, 0))
    elif isinstance(pic, np.ndarray):
        if pic.ndim not in (2, 3):
            raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
        npimg = pic[:, :, None] if pic.ndim == 2 else pic
        if npimg.shape[-1] > 4:
            raise ValueError(f"pic should not have > 4 channels. Got {npimg.shape[-1]} channels.")
    else:
        raise TypeError(f"pic should be Tensor or ndarray. Got {type(pic)}.")
    if npimg.shape[2] == 1:
        npimg = npimg[:, :, 0]
        expected = {np.uint8: 'L', np.int16: 'I;16', np.uint16: 'I;16', np.int32: 'I',
                    np.float32: 'F'}.get(npimg.dtype.type)
        if mode is not None and expected is not None and mode != expected:
            raise ValueError(f"Incorrect mode ({mode}) supplied for input type {npimg.dtype}. "
                             f"Should be {expected}")
        mode = mode or expected
        if npimg.dtype == np.int16:
            npimg = npimg.astype(np.uint16)
    elif npimg.shape[2] == 2:
        permitted = ['LA']
        if mode is not None and mode not in permitted:
            raise ValueError(f"Only modes {permitted} are supported for 2D inputs")
        if mode is None and npimg.dtype == np.uint8:
            mode = 'LA'
    elif npimg.shape[2] == 4:
        permitted = ['RGBA', 'CMYK', 'RGBX']
        if mode is not None and mode not in permitted:
            raise ValueError(f"Only modes {permitted} are supported for 4D inputs")
        if mode is None and npimg.dtype == np.uint8:
            mode = 'RGBA'
    else:
        permitted = ['RGB', 'YCbCr', 'HSV']
        if mode is not None and mode not in permitted:
            raise ValueError(f"Only modes {permitted} are supported for 3D inputs")
        if mode is None and npimg.dtype == np.uint8:
            mode = 'RGB'
    if mode is None:
        raise TypeError(f"Input type {npimg.dtype} is not supported")
    if mode in ('I;16', 'I', 'F'):
        np_t = {'I;16': np.uint16, 'I': np.int32, 'F': np.float32}[mode]
        return Image.fromarray(np.ascontiguousarray(npimg.astype(np_t, copy=False)))
    npimg = np.ascontiguousarray(npimg.astype(np.uint8, copy=False))
    if mode in ('L', 'LA', 'RGB', 'RGBA'):
        return Image.fromarray(npimg)
    return Image.frombytes(mode, (npimg.shape[1], npimg.shape[0]), npimg.tobytes())


def convert_image_dtype(image, dtype=ember.float32):
    if not isinstance(image, Tensor):
        raise TypeError("Input img should be Tensor Image")
    return F_t.convert_image_dtype(image, dtype)


def normalize(tensor, mean, std, inplace=False):
    """(tensor - mean[c]) / std[c] per channel of a float tensor image."""
    if not isinstance(tensor, Tensor):
        raise TypeError(f"img should be Tensor Image. Got {type(tensor)}")
    if not tensor.is_floating_point():
        raise TypeError(f"Input tensor should be a float tensor. Got {tensor.dtype}.")
    if tensor.dim() < 3:
        raise ValueError(f"Expected tensor to be a tensor image of size (..., C, H, W). Got "
                         f"tensor.size() = {tuple(tensor.shape)}")
    if not inplace:
        tensor = tensor.clone()
    dtype = tensor.dtype
    mean = ember.as_tensor(mean, dtype=dtype)
    std = ember.as_tensor(std, dtype=dtype)
    if bool((std == 0).any()):
        raise ValueError(f"std evaluated to zero after conversion to {dtype}, leading to division "
                         f"by zero.")
    if mean.dim() == 1:
        mean = mean.view(-1, 1, 1)
    if std.dim() == 1:
        std = std.view(-1, 1, 1)
    return tensor.sub_(mean).div_(std)


# ---- geometry -------------------------------------------------------------------------------

def _compute_resized_output_size(image_size, size, max_size=None):
    h, w = image_size
    if size is None or isinstance(size, int) or len(size) == 1:
        short, long = (w, h) if w <= h else (h, w)
        if size is None:
            requested = short
        else:
            requested = size if isinstance(size, int) else size[0]
        new_short, new_long = requested, int(requested * long / short)
        if max_size is not None:
            if max_size <= requested:
                raise ValueError(f"max_size = {max_size} must be strictly greater than the requested "
                                 f"size for the smaller edge size = {size}")
            if new_long > max_size:
                new_short, new_long = int(max_size * new_short / new_long), max_size
        new_w, new_h = (new_short, new_long) if w <= h else (new_long, new_short)
        return [new_h, new_w]
    return [size[0], size[1]]


def resize(img, size, interpolation=InterpolationMode.BILINEAR, max_size=None, antialias=True):
    """Resize to size (int: the smaller edge; (h, w): exact)."""
    interpolation = _as_mode(interpolation)
    if isinstance(size, (list, tuple)):
        if len(size) not in (1, 2):
            raise ValueError(f"Size must be an int or a 1 or 2 element tuple/list, not a "
                             f"{len(size)} element tuple/list")
        if max_size is not None and len(size) != 1:
            raise ValueError("max_size should only be passed if size specifies the length of the "
                             "smaller edge, i.e. size should be an int or a sequence of length 1 in "
                             "torchscript mode.")
    elif not isinstance(size, int) and size is not None:
        raise TypeError(f"Size should be int or sequence. Got {type(size)}")
    _, h, w = get_dimensions(img)
    out = _compute_resized_output_size((h, w), size, max_size)
    if [h, w] == out:
        return img
    if _is_pil_image(img):   # NEAREST_EXACT maps to Pillow's NEAREST, as torchvision
        return F_pil.resize(img, out, _pil_interp(interpolation))
    _check_img(img)
    aa = bool(antialias) and interpolation in (InterpolationMode.BILINEAR, InterpolationMode.BICUBIC)
    return F_t.resize(img, out, interpolation.value, antialias=aa)


def _parse_padding(padding):
    if isinstance(padding, numbers.Number):
        if not isinstance(padding, int):
            raise TypeError(f"Got inappropriate padding arg: {padding}")
        return [padding] * 4
    if not isinstance(padding, (list, tuple)):
        raise TypeError("Got inappropriate padding arg")
    if len(padding) not in (1, 2, 4):
        raise ValueError(f"Padding must be an int or a 1, 2, or 4 element tuple, not a "
                         f"{len(padding)} element tuple")
    if len(padding) == 1:
        return [padding[0]] * 4
    if len(padding) == 2:
        return [padding[0], padding[1], padding[0], padding[1]]
    return list(padding)


def pad(img, padding, fill=0, padding_mode='constant'):
    """Pad (int, (lr, tb) or (l, t, r, b)); modes constant, edge, reflect, symmetric."""
    if padding_mode not in ('constant', 'edge', 'reflect', 'symmetric'):
        raise ValueError("Padding mode should be either constant, edge, reflect or symmetric")
    p = _parse_padding(padding)
    if _is_pil_image(img):
        return F_pil.pad(img, p, fill, padding_mode)
    _check_img(img)
    if isinstance(fill, (list, tuple)):
        if padding_mode == 'constant' and len(set(fill)) > 1:
            c = img.shape[-3]
            parts = [F_t.pad(img[..., k:k + 1, :, :], p, fill[k % len(fill)]) for k in range(c)]
            return ember.cat(parts, dim=-3)
        fill = fill[0] if fill else 0
    return F_t.pad(img, p, fill, padding_mode)


def crop(img, top, left, height, width):
    if _is_pil_image(img):
        return F_pil.crop(img, top, left, height, width)
    _check_img(img)
    return F_t.crop(img, top, left, height, width)


def center_crop(img, output_size):
    """Crop the centre (padding with zeros first when the crop is larger than the image)."""
    if isinstance(output_size, numbers.Number):
        output_size = (int(output_size), int(output_size))
    elif isinstance(output_size, (tuple, list)) and len(output_size) == 1:
        output_size = (output_size[0], output_size[0])
    _, ih, iw = get_dimensions(img)
    ch, cw = output_size
    if ch > ih or cw > iw:
        padding = [(cw - iw) // 2 if cw > iw else 0, (ch - ih) // 2 if ch > ih else 0,
                   (cw - iw + 1) // 2 if cw > iw else 0, (ch - ih + 1) // 2 if ch > ih else 0]
        img = pad(img, padding, fill=0)
        _, ih, iw = get_dimensions(img)
        if cw == iw and ch == ih:
            return img
    top = int(round((ih - ch) / 2.0))
    left = int(round((iw - cw) / 2.0))
    return crop(img, top, left, ch, cw)


def resized_crop(img, top, left, height, width, size, interpolation=InterpolationMode.BILINEAR,
                 antialias=True):
    return resize(crop(img, top, left, height, width), size, interpolation, antialias=antialias)


def hflip(img):
    if _is_pil_image(img):
        return F_pil.hflip(img)
    _check_img(img)
    return F_t.hflip(img)


def vflip(img):
    if _is_pil_image(img):
        return F_pil.vflip(img)
    _check_img(img)
    return F_t.vflip(img)


def five_crop(img, size):
    """(top-left, top-right, bottom-left, bottom-right, center) crops."""
    if isinstance(size, numbers.Number):
        size = (int(size), int(size))
    elif isinstance(size, (tuple, list)) and len(size) == 1:
        size = (size[0], size[0])
    if len(size) != 2:
        raise ValueError("Please provide only two dimensions (h, w) for size.")
    _, ih, iw = get_dimensions(img)
    ch, cw = size
    if cw > iw or ch > ih:
        raise ValueError(f"Requested crop size {size} is bigger than input size {(ih, iw)}")
    tl = crop(img, 0, 0, ch, cw)
    tr = crop(img, 0, iw - cw, ch, cw)
    bl = crop(img, ih - ch, 0, ch, cw)
    br = crop(img, ih - ch, iw - cw, ch, cw)
    return tl, tr, bl, br, center_crop(img, [ch, cw])


def ten_crop(img, size, vertical_flip=False):
    """five_crop of the image and of its (horizontally or vertically) flipped copy."""
    if isinstance(size, numbers.Number):
        size = (int(size), int(size))
    elif isinstance(size, (tuple, list)) and len(size) == 1:
        size = (size[0], size[0])
    if len(size) != 2:
        raise ValueError("Please provide only two dimensions (h, w) for size.")
    first = five_crop(img, size)
    img = vflip(img) if vertical_flip else hflip(img)
    return first + five_crop(img, size)


def _get_inverse_affine_matrix(center, angle, translate, scale, shear, inverted=True):
    """Affine matrix M = T * C * R * S * Sh * C^-1 (or its inverse), as 6 numbers.

    R rotates by `angle` degrees, Sh shears by shear=(sx, sy) degrees, S scales, C moves the
    centre, T translates; the inverse maps output pixels back to input pixels.
    """
    rot = math.radians(angle)
    sx, sy = (math.radians(s) for s in shear)
    cx, cy = center
    tx, ty = translate
    a = math.cos(rot - sy) / math.cos(sy)
    b = -math.cos(rot - sy) * math.tan(sx) / math.cos(sy) - math.sin(rot)
    c = math.sin(rot - sy) / math.cos(sy)
    d = -math.sin(rot - sy) * math.tan(sx) / math.cos(sy) + math.cos(rot)
    if inverted:
        m = [x / scale for x in (d, -b, 0.0, -c, a, 0.0)]
        m[2] += m[0] * (-cx - tx) + m[1] * (-cy - ty) + cx
        m[5] += m[3] * (-cx - tx) + m[4] * (-cy - ty) + cy
    else:
        m = [x * scale for x in (a, b, 0.0, c, d, 0.0)]
        m[2] += m[0] * (-cx) + m[1] * (-cy) + cx + tx
        m[5] += m[3] * (-cx) + m[4] * (-cy) + cy + ty
    return m


def _tensor_fill(fill, img):
    if fill is None:
        return None
    c = get_dimensions(img)[0]
    if isinstance(fill, (int, float)):
        return [float(fill)] * c
    fill = [float(f) for f in fill]
    if len(fill) not in (1, c):
        raise ValueError(f"The number of elements in 'fill' cannot broadcast to match the number "
                         f"of channels of the image ({len(fill)} != {c})")
    return fill * c if len(fill) == 1 else fill


def rotate(img, angle, interpolation=InterpolationMode.NEAREST, expand=False, center=None,
           fill=None):
    """Rotate counter-clockwise by `angle` degrees around `center` (default: image centre)."""
    interpolation = _as_mode(interpolation)
    if not isinstance(angle, (int, float)):
        raise TypeError("Argument angle should be int or float")
    if center is not None and not isinstance(center, (list, tuple)):
        raise TypeError("Argument center should be a sequence")
    if _is_pil_image(img):
        return F_pil.rotate(img, angle, _pil_interp(interpolation), expand, center, fill)
    _check_img(img)
    _, h, w = get_dimensions(img)
    center_f = [0.0, 0.0]
    if center is not None:
        center_f = [1.0 * (c - s * 0.5) for c, s in zip(center, [w, h])]
    matrix = _get_inverse_affine_matrix(center_f, -angle, [0.0, 0.0], 1.0, [0.0, 0.0])
    out_size = F_t._affine_output_size(matrix, w, h) if expand else None
    return F_t.apply_affine(img, matrix, interpolation.value, _tensor_fill(fill, img), out_size)


def affine(img, angle, translate, scale, shear, interpolation=InterpolationMode.NEAREST, fill=None,
           center=None):
    """Rotation + translation + scale + shear, keeping the image centre invariant."""
    interpolation = _as_mode(interpolation)
    if not isinstance(angle, (int, float)):
        raise TypeError("Argument angle should be int or float")
    if not isinstance(translate, (list, tuple)) or len(translate) != 2:
        raise ValueError("Argument translate should be a sequence of length 2")
    if scale <= 0.0:
        raise ValueError("Argument scale should be positive")
    if isinstance(shear, numbers.Number):
        shear = [shear, 0.0]
    if isinstance(shear, tuple):
        shear = list(shear)
    if len(shear) == 1:
        shear = [shear[0], shear[0]]
    if len(shear) != 2:
        raise ValueError(f"Shear should be a sequence containing two values. Got {shear}")
    if center is not None and not isinstance(center, (list, tuple)):
        raise TypeError("Argument center should be a sequence")
    _, h, w = get_dimensions(img)
    if _is_pil_image(img):
        c = [w * 0.5, h * 0.5] if center is None else center
        matrix = _get_inverse_affine_matrix(c, angle, translate, scale, shear)
        return F_pil.affine(img, matrix, _pil_interp(interpolation), fill)
    _check_img(img)
    center_f = [0.0, 0.0]
    if center is not None:
        center_f = [1.0 * (c - s * 0.5) for c, s in zip(center, [w, h])]
    translate_f = [1.0 * t for t in translate]
    matrix = _get_inverse_affine_matrix(center_f, angle, translate_f, scale, shear)
    return F_t.apply_affine(img, matrix, interpolation.value, _tensor_fill(fill, img))


# ---- colour ---------------------------------------------------------------------------------

def _dispatch(name, img, *args):
    if _is_pil_image(img):
        return getattr(F_pil, name)(img, *args)
    _check_img(img)
    return getattr(F_t, name)(img, *args)


def adjust_brightness(img, brightness_factor):
    if brightness_factor < 0:
        raise ValueError(f"brightness_factor ({brightness_factor}) is not non-negative.")
    return _dispatch('adjust_brightness', img, brightness_factor)


def adjust_contrast(img, contrast_factor):
    if contrast_factor < 0:
        raise ValueError(f"contrast_factor ({contrast_factor}) is not non-negative.")
    return _dispatch('adjust_contrast', img, contrast_factor)


def adjust_saturation(img, saturation_factor):
    if saturation_factor < 0:
        raise ValueError(f"saturation_factor ({saturation_factor}) is not non-negative.")
    return _dispatch('adjust_saturation', img, saturation_factor)


def adjust_sharpness(img, sharpness_factor):
    if sharpness_factor < 0:
        raise ValueError(f"sharpness_factor ({sharpness_factor}) is not non-negative.")
    return _dispatch('adjust_sharpness', img, sharpness_factor)


def adjust_hue(img, hue_factor):
    if not (-0.5 <= hue_factor <= 0.5):
        raise ValueError(f"hue_factor ({hue_factor}) is not in [-0.5, 0.5].")
    return _dispatch('adjust_hue', img, hue_factor)


def adjust_gamma(img, gamma, gain=1):
    if gamma < 0:
        raise ValueError("Gamma should be a non-negative real number")
    return _dispatch('adjust_gamma', img, gamma, gain)


def rgb_to_grayscale(img, num_output_channels=1):
    if _is_pil_image(img):
        return F_pil.to_grayscale(img, num_output_channels)
    _check_img(img)
    return F_t.rgb_to_grayscale(img, num_output_channels)


def to_grayscale(img, num_output_channels=1):
    if _is_pil_image(img):
        return F_pil.to_grayscale(img, num_output_channels)
    raise TypeError("Input should be PIL Image")


def invert(img):
    if _is_pil_image(img):
        from PIL import ImageOps
        return ImageOps.invert(img)
    _check_img(img)
    return F_t.invert(img)


def erase(img, i, j, h, w, v, inplace=False):
    """Set img[..., i:i+h, j:j+w] = v (tensor images only)."""
    if not isinstance(img, Tensor):
        raise TypeError(f"img should be Tensor Image. Got {type(img)}")
    return F_t.erase(img, i, j, h, w, v, inplace)
