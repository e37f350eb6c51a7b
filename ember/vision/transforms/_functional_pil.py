"""PIL-image kernels behind ember.vision.transforms.functional (Pillow does the pixel work)."""
import numbers

import numpy as np
from PIL import Image, ImageEnhance, ImageOps

_PIL_FILTERS = None


def _is_pil_image(img):
    return isinstance(img, Image.Image)


def get_dimensions(img):
    channels = len(img.getbands())
    width, height = img.size
    return [channels, height, width]


def _parse_fill(fill, img, name='fillcolor'):
    """torchvision's fill convention for PIL: a number becomes one value per band."""
    num_bands = len(img.getbands())
    if fill is None:
        fill = 0
    if isinstance(fill, (int, float)) and num_bands > 1:
        fill = tuple([fill] * num_bands)
    if isinstance(fill, (list, tuple)):
        if len(fill) == 1:
            fill = fill * num_bands
        if len(fill) != num_bands:
            raise ValueError(f"The number of elements in 'fill' does not match the number of bands "
                             f"of the image ({len(fill)} != {num_bands})")
        fill = tuple(fill)
    if img.mode != 'F':
        fill = tuple(int(x) for x in fill) if isinstance(fill, tuple) else int(fill)
    return {name: fill}


def hflip(img):
    return img.transpose(Image.FLIP_LEFT_RIGHT)


def vflip(img):
    return img.transpose(Image.FLIP_TOP_BOTTOM)


def crop(img, top, left, height, width):
    return img.crop((left, top, left + width, top + height))


def resize(img, size, interpolation):
    """size = [h, w] (already computed)."""
    h, w = size
    return img.resize((w, h), interpolation)


def pad(img, padding, fill=0, padding_mode='constant'):
    left, top, right, bottom = padding
    if min(padding) < 0:  # negative padding crops
        w, h = img.size
        img = img.crop((max(-left, 0), max(-top, 0), w - max(-right, 0), h - max(-bottom, 0)))
        left, top, right, bottom = (max(p, 0) for p in (left, top, right, bottom))
    if padding_mode == 'constant':
        opts = _parse_fill(fill, img, name='fill')
        if img.mode == 'P':
            palette = img.getpalette()
            out = ImageOps.expand(img, border=(left, top, right, bottom), **opts)
            out.putpalette(palette)
            return out
        return ImageOps.expand(img, border=(left, top, right, bottom), **opts)
    palette = img.getpalette() if img.mode == 'P' else None
    arr = np.asarray(img)
    width = ((top, bottom), (left, right)) + ((0, 0),) * (arr.ndim - 2)
    out = Image.fromarray(np.pad(arr, width, mode=padding_mode))
    if palette is not None:
        out.putpalette(palette)
    return out


def adjust_brightness(img, f):
    return ImageEnhance.Brightness(img).enhance(f)


def adjust_contrast(img, f):
    return ImageEnhance.Contrast(img).enhance(f)


def adjust_saturation(img, f):
    return ImageEnhance.Color(img).enhance(f)


def adjust_sharpness(img, f):
    return ImageEnhance.Sharpness(img).enhance(f)


def adjust_hue(img, hue_factor):
    """Shift the H channel of the HSV image by hue_factor of a full turn (uint8 wrap-around)."""
    mode = img.mode
    if mode in {'L', '1', 'I', 'F'}:
        return img
    h, s, v = img.convert('HSV').split()
    np_h = np.asarray(h).astype(np.int16)
    np_h = ((np_h + int(hue_factor * 255)) % 256).astype(np.uint8)
    h = Image.fromarray(np_h, 'L')
    return Image.merge('HSV', (h, s, v)).convert(mode)


def adjust_gamma(img, gamma, gain=1.0):
    mode = img.mode
    img = img.convert('RGB')
    table = [int(min(255, max(0, (255 + 1 - 1e-3) * gain * pow(e / 255.0, gamma)))) for e in range(256)] * 3
    return img.point(table).convert(mode)


def to_grayscale(img, num_output_channels=1):
    if num_output_channels == 1:
        return img.convert('L')
    if num_output_channels == 3:
        g = np.asarray(img.convert('L'))
        return Image.fromarray(np.dstack([g, g, g]), 'RGB')
    raise ValueError("num_output_channels should be either 1 or 3")


def rotate(img, angle, interpolation, expand=False, center=None, fill=None):
    opts = _parse_fill(fill, img)
    return img.rotate(angle, interpolation, expand, center, **opts)


def affine(img, matrix, interpolation, fill=None):
    opts = _parse_fill(fill, img)
    return img.transform(img.size, Image.AFFINE, matrix, interpolation, **opts)


def is_number(x):
    return isinstance(x, numbers.Number)
