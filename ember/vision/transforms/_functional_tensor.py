"""Tensor kernels behind ember.vision.transforms.functional, written with ember ops and the
tensor's array module (so they run on CPU and CUDA alike). Images are (..., C, H, W)."""
import math
import struct

import ember
from ..._tensor import Tensor
from ...nn import functional as F


def _xp(t):
    return t._storage.device.xp


def get_dimensions(img):
    if img.dim() < 2:
        raise TypeError(f"Tensor is not a torch image (got {img.dim()} dims).")
    channels = 1 if img.dim() == 2 else img.shape[-3]
    return [channels, img.shape[-2], img.shape[-1]]


def _max_value(dtype):
    if dtype.is_floating_point:
        return 1.0
    return ember.iinfo(dtype).max if dtype != ember.bool else 1


def convert_image_dtype(image, dtype=ember.float32):
    """Convert and rescale: ints <-> [0, 1] floats as torchvision does."""
    if image.dtype == dtype:
        return image
    if image.is_floating_point():
        if dtype.is_floating_point:
            return image.to(dtype)
        if (image.dtype == ember.float32 and dtype in (ember.int32, ember.int64)) or (
                image.dtype == ember.float64 and dtype == ember.int64):
            raise RuntimeError(f"The cast from {image.dtype} to {dtype} cannot be performed safely.")
        eps = 1e-3
        max_val = float(_max_value(dtype))
        return image.mul(max_val + 1.0 - eps).to(dtype)
    input_max = float(_max_value(image.dtype))
    if dtype.is_floating_point:
        return image.to(dtype) / input_max
    output_max = float(_max_value(dtype))
    if input_max > output_max:
        factor = int((input_max + 1) // (output_max + 1))
        return ember.div(image, factor, rounding_mode='floor').to(dtype)
    factor = int((output_max + 1) // (input_max + 1))
    return image.to(dtype) * factor


def hflip(img):
    return img.flip(-1)


def vflip(img):
    return img.flip(-2)


def crop(img, top, left, height, width):
    """Crop; regions outside the image are zero-filled (as torchvision)."""
    _, h, w = get_dimensions(img)
    right, bottom = left + width, top + height
    if left < 0 or top < 0 or right > w or bottom > h:
        inner = img[..., max(top, 0):min(bottom, h), max(left, 0):min(right, w)]
        pads = [max(-left, 0), max(right - w, 0), max(-top, 0), max(bottom - h, 0)]
        return pad(inner, [pads[0], pads[2], pads[1], pads[3]], fill=0)
    return img[..., top:bottom, left:right]


def pad(img, padding, fill=0, padding_mode='constant'):
    """padding = [left, top, right, bottom]; modes constant, edge, reflect, symmetric."""
    left, top, right, bottom = padding
    if min(padding) < 0:
        h, w = img.shape[-2], img.shape[-1]
        img = img[..., max(-top, 0):h - max(-bottom, 0), max(-left, 0):w - max(-right, 0)]
        left, top, right, bottom = (max(p, 0) for p in padding)
    xp = _xp(img)
    a = img._data
    width = ((0, 0),) * (a.ndim - 2) + ((top, bottom), (left, right))
    if padding_mode == 'constant':
        out = xp.pad(a, width, mode='constant', constant_values=fill if fill is not None else 0)
    else:
        out = xp.pad(a, width, mode=padding_mode)
    return Tensor._from_array(out.astype(a.dtype, copy=False), img.device)


# ---- resize ---------------------------------------------------------------------------------

def _cubic(x, A):
    x = abs(x)
    return ((A + 2) * x - (A + 3)) * x * x + 1, ((A * x - 5 * A) * x + 8 * A) * x - 4 * A


def _resize_matrix(xp, n_in, n_out, mode, antialias, dtype):
    """Dense (n_out, n_in) interpolation matrix along one axis."""
    scale = n_in / n_out
    i = xp.arange(n_out, dtype='float64')
    j = xp.arange(n_in, dtype='float64')
    if antialias:  # PIL-style separable filter, widened when downsampling
        ss = max(scale, 1.0)
        support = (1.0 if mode == 'bilinear' else 2.0) * ss
        center = (i + 0.5) * scale
        xmin = xp.maximum(xp.trunc(center - support + 0.5), 0)
        xmax = xp.minimum(xp.trunc(center + support + 0.5), n_in)
        x = xp.abs((j[None, :] - center[:, None] + 0.5) / ss)
        if mode == 'bilinear':
            w = xp.clip(1.0 - x, 0, None)
        else:
            near, far = _cubic(x, -0.5)
            w = xp.where(x < 1, near, xp.where(x < 2, far, 0.0))
        w = w * ((j[None, :] >= xmin[:, None]) & (j[None, :] < xmax[:, None]))
        w = w / xp.where(w.sum(1, keepdims=True) == 0, 1, w.sum(1, keepdims=True))
        return w.astype(dtype)
    src = (i + 0.5) * scale - 0.5
    if mode == 'bilinear':
        src = xp.maximum(src, 0)
        i0 = xp.floor(src)
        lam = src - i0
        idx = [i0, xp.minimum(i0 + 1, n_in - 1)]
        wts = [1 - lam, lam]
    else:
        i0 = xp.floor(src)
        t = src - i0
        idx = [xp.clip(i0 + k, 0, n_in - 1) for k in (-1, 0, 1, 2)]
        wts = [_cubic(t + 1, -0.75)[1], _cubic(t, -0.75)[0], _cubic(1 - t, -0.75)[0],
               _cubic(2 - t, -0.75)[1]]
    w = sum((ix[:, None] == j[None, :]) * wk[:, None] for ix, wk in zip(idx, wts))
    return w.astype(dtype)


def resize(img, size, interpolation='bilinear', antialias=True):
    """size = [h, w]; interpolation one of nearest, nearest-exact, bilinear, bicubic."""
    xp = _xp(img)
    h, w = img.shape[-2], img.shape[-1]
    oh, ow = size
    if (oh, ow) == (h, w):
        return img
    a = img._data
    if interpolation in ('nearest', 'nearest-exact'):
        off = 0.5 if interpolation == 'nearest-exact' else 0.0
        ri = xp.minimum(xp.floor((xp.arange(oh) + off) * (h / oh)).astype('int64'), h - 1)
        ci = xp.minimum(xp.floor((xp.arange(ow) + off) * (w / ow)).astype('int64'), w - 1)
        return Tensor._from_array(a[..., ri[:, None], ci[None, :]], img.device)
    if interpolation not in ('bilinear', 'bicubic'):
        raise ValueError(f"Interpolation mode {interpolation} is unsupported for tensors; "
                         f"use nearest, nearest-exact, bilinear or bicubic")
    ftype = a.dtype if a.dtype.kind == 'f' else xp.dtype('float32')
    wh = _resize_matrix(xp, h, oh, interpolation, antialias, ftype)
    ww = _resize_matrix(xp, w, ow, interpolation, antialias, ftype)
    out = xp.einsum('oh,...hw,pw->...op', wh, a.astype(ftype, copy=False), ww)
    if a.dtype.kind != 'f':
        info = xp.iinfo(a.dtype)
        out = xp.clip(xp.round(out), info.min, info.max)
    return Tensor._from_array(out.astype(a.dtype), img.device)


# ---- colour ---------------------------------------------------------------------------------

def _blend(img1, img2, ratio):
    ratio = float(ratio)
    bound = _max_value(img1.dtype)
    return (ratio * img1 + (1.0 - ratio) * img2).clamp(0, bound).to(img1.dtype)


def _assert_channels(img, permitted):
    c = get_dimensions(img)[0]
    if c not in permitted:
        raise TypeError(f"Input image tensor permitted channel values are {permitted}, but found {c}")


def rgb_to_grayscale(img, num_output_channels=1):
    if img.dim() < 3:
        raise TypeError(f"Input image tensor should have at least 3 dimensions, but found {img.dim()}")
    _assert_channels(img, [1, 3])
    if num_output_channels not in (1, 3):
        raise ValueError("num_output_channels should be either 1 or 3")
    if img.shape[-3] == 3:
        r, g, b = img.unbind(dim=-3)
        gray = (0.2989 * r + 0.587 * g + 0.114 * b).to(img.dtype).unsqueeze(dim=-3)
    else:
        gray = img.clone()
    if num_output_channels == 3:
        return gray.expand(img.shape[:-3] + (3,) + img.shape[-2:]).contiguous()
    return gray


def adjust_brightness(img, f):
    _assert_channels(img, [1, 3])
    return _blend(img, ember.zeros_like(img), f)


def adjust_contrast(img, f):
    _assert_channels(img, [3, 1])
    c = get_dimensions(img)[0]
    dtype = img.dtype if img.is_floating_point() else ember.float32
    src = rgb_to_grayscale(img) if c == 3 else img
    mean = src.to(dtype).mean(dim=(-3, -2, -1), keepdim=True)
    return _blend(img, mean, f)


def adjust_saturation(img, f):
    _assert_channels(img, [1, 3])
    if get_dimensions(img)[0] == 1:
        return img
    return _blend(img, rgb_to_grayscale(img), f)


def _rgb2hsv(xp, img):
    r, g, b = img[..., 0, :, :], img[..., 1, :, :], img[..., 2, :, :]
    maxc = xp.maximum(xp.maximum(r, g), b)
    minc = xp.minimum(xp.minimum(r, g), b)
    eqc = maxc == minc
    cr = maxc - minc
    s = cr / xp.where(eqc, 1, maxc)
    crd = xp.where(eqc, 1, cr)
    rc, gc, bc = (maxc - r) / crd, (maxc - g) / crd, (maxc - b) / crd
    hr = (maxc == r) * (bc - gc)
    hg = ((maxc == g) & (maxc != r)) * (2.0 + rc - bc)
    hb = ((maxc != g) & (maxc != r)) * (4.0 + gc - rc)
    h = xp.fmod((hr + hg + hb) / 6.0 + 1.0, 1.0)
    return h, s, maxc


def _hsv2rgb(xp, h, s, v):
    i = xp.floor(h * 6.0)
    f = h * 6.0 - i
    i = i.astype('int32') % 6
    p = xp.clip(v * (1.0 - s), 0.0, 1.0)
    q = xp.clip(v * (1.0 - s * f), 0.0, 1.0)
    t = xp.clip(v * (1.0 - s * (1.0 - f)), 0.0, 1.0)
    table = [(v, t, p), (q, v, p), (p, v, t), (p, q, v), (t, p, v), (v, p, q)]
    out = []
    for ch in range(3):
        val = xp.zeros_like(v)
        for k in range(6):
            val = xp.where(i == k, table[k][ch], val)
        out.append(val)
    return xp.stack(out, axis=-3)


def adjust_hue(img, hue_factor):
    _assert_channels(img, [1, 3])
    if get_dimensions(img)[0] == 1:
        return img
    orig = img.dtype
    x = convert_image_dtype(img, ember.float32)
    xp = _xp(x)
    h, s, v = _rgb2hsv(xp, x._data)
    h = xp.fmod(h + hue_factor, 1.0)
    h = xp.where(h < 0, h + 1.0, h)
    out = Tensor._from_array(_hsv2rgb(xp, h, s, v).astype(x._data.dtype), img.device)
    return convert_image_dtype(out, orig)


def adjust_gamma(img, gamma, gain=1.0):
    if gamma < 0:
        raise ValueError("Gamma should be a non-negative real number")
    result = img if img.is_floating_point() else convert_image_dtype(img, ember.float32)
    result = (gain * result ** gamma).clamp(0, 1)
    return convert_image_dtype(result, img.dtype)


def adjust_sharpness(img, f):
    _assert_channels(img, [1, 3])
    if img.shape[-1] <= 2 or img.shape[-2] <= 2:
        return img
    xp = _xp(img)
    a = img._data.astype(img._data.dtype if img.is_floating_point() else 'float32')
    k = xp.asarray([[1, 1, 1], [1, 5, 1], [1, 1, 1]], dtype=a.dtype) / 13.0
    blur = sum(k[di, dj] * a[..., di:di + a.shape[-2] - 2, dj:dj + a.shape[-1] - 2]
               for di in range(3) for dj in range(3))
    if not img.is_floating_point():
        blur = xp.round(blur)
    deg = a.copy()
    deg[..., 1:-1, 1:-1] = blur
    degenerate = Tensor._from_array(deg.astype(img._data.dtype), img.device)
    return _blend(img, degenerate, f)


def invert(img):
    bound = _max_value(img.dtype)
    return bound - img if img.is_floating_point() else (ember.full_like(img, bound) - img)


# ---- geometry -------------------------------------------------------------------------------

def _f32(v):
    return struct.unpack('f', struct.pack('f', v))[0]


def _affine_output_size(matrix, w, h):
    """Bounding box of the rotated image (rotate(expand=True))."""
    pts = [(-0.5 * w, -0.5 * h), (-0.5 * w, 0.5 * h), (0.5 * w, 0.5 * h), (0.5 * w, -0.5 * h)]
    a, b, c, d, e, f = matrix
    xs = [a * x + b * y + c + w * 0.5 for x, y in pts]   # shifted to [0, w] like PIL
    ys = [d * x + e * y + f + h * 0.5 for x, y in pts]
    def span(vals):  # float32 like torchvision, truncated to 1e-4 so 15.0000001 stays 15
        vals = [float(_f32(v)) for v in vals]
        hi = math.ceil(math.trunc(max(vals) * 1e4) / 1e4)
        lo = math.floor(math.trunc(min(vals) * 1e4) / 1e4)
        return int(hi - lo)
    return span(xs), span(ys)


def apply_affine(img, matrix, interpolation='nearest', fill=None, out_size=None):
    """Sample img through the inverse affine `matrix` (pixel units around the image centre)."""
    h, w = img.shape[-2], img.shape[-1]
    ow, oh = out_size if out_size is not None else (w, h)
    squeeze = img.dim() == 3
    x = img.unsqueeze(0) if squeeze else img
    lead = x.shape[:-3]
    x = x.reshape((-1,) + tuple(x.shape[-3:]))
    orig = x.dtype
    if not x.is_floating_point():
        x = x.to(ember.float32)
    n = x.shape[0]
    if fill is not None:
        x = ember.cat([x, ember.ones((n, 1, h, w), dtype=x.dtype)], 1)
    xp = _xp(x)
    dt = x._data.dtype
    bx = xp.arange(ow, dtype=dt) - ow * 0.5 + 0.5
    by = xp.arange(oh, dtype=dt) - oh * 0.5 + 0.5
    a, b, c, d, e, f = (float(m) for m in matrix)
    gx = (a * bx[None, :] + b * by[:, None] + c) / (0.5 * w)
    gy = (d * bx[None, :] + e * by[:, None] + f) / (0.5 * h)
    grid = xp.broadcast_to(xp.stack([gx, gy], -1)[None], (n, oh, ow, 2)).astype(dt)
    out = F.grid_sample(x, Tensor._from_array(xp.ascontiguousarray(grid), img.device),
                        mode=interpolation, padding_mode='zeros', align_corners=False)
    if fill is not None:
        mask = out[:, -1:].expand(n, out.shape[1] - 1, oh, ow)
        out = out[:, :-1]
        fl = list(fill) if isinstance(fill, (list, tuple)) else [float(fill)]
        fill_img = ember.tensor(fl, dtype=out.dtype).view(1, len(fl), 1, 1).expand_as(out)
        if interpolation == 'nearest':
            out = ember.where(mask < 0.5, fill_img, out)
        else:
            out = out * mask + (1.0 - mask) * fill_img
    if not orig.is_floating_point:
        out = out.round().clamp(_min_of(orig), _max_value(orig)).to(orig)
    out = out.reshape(tuple(lead) + tuple(out.shape[-3:]))
    return out[0] if squeeze else out


def _min_of(dtype):
    return 0 if dtype in (ember.uint8, ember.bool) else ember.iinfo(dtype).min


def erase(img, i, j, h, w, v, inplace=False):
    if not inplace:
        img = img.clone()
    img[..., i:i + h, j:j + w] = v
    return img
