"""Vision functionals (torch.nn.functional): interpolate/upsample, pixel_(un)shuffle,
channel_shuffle, grid_sample, affine_grid.

interpolate is a separable linear map: per spatial dim, precomputed source indices and
weights ("taps") with torch's coordinate formulas, applied as gather + weighted sum (see
_pool_core.sep); its backward is the adjoint (a matmul per dim). grid_sample is written
with differentiable ember ops (gather + weights), so gradients flow to input and grid.
"""
import math
import warnings

from ...autograd.function import Function
from ._pool_core import sep
from .pooling import adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_avg_pool3d

__all__ = ['interpolate', 'upsample', 'upsample_nearest', 'upsample_bilinear', 'pixel_shuffle',
           'pixel_unshuffle', 'channel_shuffle', 'native_channel_shuffle', 'grid_sample',
           'affine_grid']


# ------------------------------------------------------------------------ pixel (un)shuffle

def _shuffle_arr(a, r, up):
    lead = a.shape[:-3]
    c, h, w = a.shape[-3:]
    nl = len(lead)
    if up:
        oc = c // (r * r)
        a = a.reshape(lead + (oc, r, r, h, w))
        perm = tuple(range(nl)) + tuple(nl + i for i in (0, 3, 1, 4, 2))
        return a.transpose(perm).reshape(lead + (oc, h * r, w * r))
    a = a.reshape(lead + (c, h // r, r, w // r, r))
    perm = tuple(range(nl)) + tuple(nl + i for i in (0, 2, 4, 1, 3))
    return a.transpose(perm).reshape(lead + (c * r * r, h // r, w // r))


class _PixelShuffle(Function, node_name='PixelShuffleBackward0'):
    @staticmethod
    def forward(ctx, x, r):
        ctx.r = r
        return _shuffle_arr(x._data, r, True)

    @staticmethod
    def backward(ctx, g):
        return _PixelUnshuffle.apply(g, ctx.r), None


class _PixelUnshuffle(Function, node_name='PixelUnshuffleBackward0'):
    @staticmethod
    def forward(ctx, x, r):
        ctx.r = r
        return _shuffle_arr(x._data, r, False)

    @staticmethod
    def backward(ctx, g):
        return _PixelShuffle.apply(g, ctx.r), None


def pixel_shuffle(input, upscale_factor):
    """(*, C*r*r, H, W) -> (*, C, H*r, W*r)."""
    r = int(upscale_factor)
    if input.dim() < 3:
        raise RuntimeError(f"pixel_shuffle expects input to have at least 3 dimensions, but got "
                           f"input with {input.dim()} dimension(s)")
    if r <= 0:
        raise RuntimeError(f"pixel_shuffle expects a positive upscale_factor, but got {r}")
    c = input.shape[-3]
    if c % (r * r):
        raise RuntimeError(f"pixel_shuffle expects its input's 'channel' dimension to be divisible "
                           f"by the square of upscale_factor, but input.size(-3)={c} is not "
                           f"divisible by {r * r}")
    return _PixelShuffle.apply(input, r)


def pixel_unshuffle(input, downscale_factor):
    """(*, C, H*r, W*r) -> (*, C*r*r, H, W)."""
    r = int(downscale_factor)
    if input.dim() < 3:
        raise RuntimeError(f"pixel_unshuffle expects input to have at least 3 dimensions, but got "
                           f"input with {input.dim()} dimension(s)")
    if r <= 0:
        raise RuntimeError(f"pixel_unshuffle expects a positive downscale_factor, but got {r}")
    h, w = input.shape[-2:]
    if h % r:
        raise RuntimeError(f"pixel_unshuffle expects height to be divisible by downscale_factor, "
                           f"but input.size(-2)={h} is not divisible by {r}")
    if w % r:
        raise RuntimeError(f"pixel_unshuffle expects width to be divisible by downscale_factor, "
                           f"but input.size(-1)={w} is not divisible by {r}")
    return _PixelUnshuffle.apply(input, r)


class _ChannelShuffle(Function, node_name='ChannelShuffleBackward0'):
    @staticmethod
    def forward(ctx, x, groups):
        a = x._data
        n, c = a.shape[:2]
        rest = a.shape[2:]
        ctx.groups, ctx.c = groups, c
        out = a.reshape((n, groups, c // groups) + rest).swapaxes(1, 2).reshape(a.shape)
        return x._storage.device.xp.ascontiguousarray(out)

    @staticmethod
    def backward(ctx, g):
        return _ChannelShuffle.apply(g, ctx.c // ctx.groups), None


def channel_shuffle(input, groups):
    """Split channels into `groups` and transpose (ShuffleNet)."""
    if input.dim() < 3:
        raise RuntimeError(f"channel_shuffle expects input to have at least 3 dimensions, but got "
                           f"input with {input.dim()} dimension(s)")
    groups = int(groups)
    if groups <= 0:
        raise RuntimeError(f"Number of groups to divide channels in must be positive. Value of groups:{groups}")
    c = input.shape[1]
    if c % groups:
        raise RuntimeError(f"Number of channels must be divisible by groups. Got {c} channels and {groups} groups.")
    return _ChannelShuffle.apply(input, groups)


native_channel_shuffle = channel_shuffle


# ------------------------------------------------------------------------------ interpolate

_MODES = 'nearest | linear | bilinear | bicubic | trilinear | lanczos | area | nearest-exact'
_NEEDS = {'linear': 3, 'bilinear': 4, 'bicubic': 4, 'trilinear': 5}


def _cubic_weights(t, A=-0.75):
    def c1(x):
        return ((A + 2) * x - (A + 3)) * x * x + 1

    def c2(x):
        return ((A * x - 5 * A) * x + 8 * A) * x - 4 * A
    return [c2(t + 1), c1(t), c1(1 - t), c2(2 - t)]


def _taps(xp, mode, n_in, n_out, align, scale, dtype):
    """(idx (T, out), weights (T, out) or None) of one spatial dim, torch's formulas."""
    o = xp.arange(n_out, dtype='int64')
    if mode in ('nearest', 'nearest-exact'):
        f32 = xp.float32
        if mode == 'nearest' and n_out == n_in:
            return o[None], None
        if mode == 'nearest' and n_out == 2 * n_in:
            return (o >> 1)[None], None
        sc = f32(1.0 / scale) if scale is not None and scale > 0 else f32(n_in) / f32(n_out)
        of = o.astype(f32)
        if mode == 'nearest-exact':
            of = of + f32(0.5)
        idx = xp.minimum(xp.floor(of * sc).astype('int64'), n_in - 1)
        return idx[None], None
    t = dtype.type
    if align:
        sc = t((n_in - 1) / (n_out - 1)) if n_out > 1 else t(0)
    else:
        sc = t(1.0 / scale) if scale is not None and scale > 0 else t(n_in) / t(n_out)
    of = o.astype(dtype)
    if mode == 'bicubic':
        src = sc * of if align else sc * (of + t(0.5)) - t(0.5)
        i0 = xp.minimum(xp.floor(src).astype('int64'), n_in - 1)
        lam = xp.clip(src - i0.astype(dtype), t(0), t(1))
        idx = xp.stack([xp.clip(i0 + j, 0, n_in - 1) for j in (-1, 0, 1, 2)])
        return idx, xp.stack(_cubic_weights(lam)).astype(dtype)
    if n_out == n_in:
        return o[None], None
    src = sc * of if align else xp.maximum(sc * (of + t(0.5)) - t(0.5), t(0))
    i0 = xp.minimum(xp.floor(src).astype('int64'), n_in - 1)
    lam = xp.clip(src - i0.astype(dtype), t(0), t(1))
    i1 = i0 + (i0 < n_in - 1)
    return xp.stack([i0, i1]), xp.stack([t(1) - lam, lam])


def interpolate(input, size=None, scale_factor=None, mode='nearest', align_corners=None,
                recompute_scale_factor=None, antialias=False):
    """Resize the spatial dims (torch.nn.functional.interpolate)."""
    if mode in ('nearest', 'area', 'nearest-exact'):
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating modes: "
                             "linear | bilinear | bicubic | trilinear")
    elif align_corners is None:
        align_corners = False
    dim = input.dim() - 2
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    spatial = list(input.shape[2:])
    if size is not None:
        if isinstance(size, (list, tuple)):
            if len(size) != dim:
                raise ValueError(
                    f"Input and output must have the same number of spatial dimensions, but got input "
                    f"with spatial dimensions of {spatial} and output size of {size}. Please provide "
                    f"input tensor in (N, C, d1, d2, ...,dK) format and output size in (o1, o2, ...,oK) format.")
            output_size = [int(v) for v in size]
        else:
            output_size = [int(size)] * dim
        scales = [None] * dim
    elif scale_factor is not None:
        if isinstance(scale_factor, (list, tuple)):
            if len(scale_factor) != dim:
                raise ValueError(
                    f"Input and scale_factor must have the same number of spatial dimensions, but got "
                    f"input with spatial dimensions of {spatial} and scale_factor of shape "
                    f"{scale_factor}. Please provide input tensor in (N, C, d1, d2, ...,dK) format and "
                    f"scale_factor in (s1, s2, ...,sK) format.")
            scales = [float(v) for v in scale_factor]
        else:
            scales = [float(scale_factor)] * dim
        output_size = None
    else:
        raise ValueError("either size or scale_factor should be defined")
    if recompute_scale_factor is not None and recompute_scale_factor and size is not None:
        raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
    if mode == 'area' and output_size is None:
        recompute_scale_factor = True
    if output_size is None:
        output_size = [int(math.floor(float(n * s))) for n, s in zip(spatial, scales)]
        if recompute_scale_factor:
            scales = [None] * dim
    if antialias and not (mode in ('bilinear', 'bicubic') and input.dim() == 4):
        raise ValueError("Anti-alias option is restricted to bilinear and bicubic modes and "
                         "requires a 4-D tensor as input")
    nd = input.dim()
    if nd not in (3, 4, 5) or mode not in ('nearest', 'nearest-exact', 'area') + tuple(_NEEDS):
        raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported (got "
                                  f"{nd}D) for the modes: {_MODES} (got {mode})")
    if mode in _NEEDS and _NEEDS[mode] != nd:
        raise NotImplementedError(f"Got {nd}D input, but {mode} mode needs {_NEEDS[mode]}D input")
    if antialias:
        raise NotImplementedError("ember: interpolate(antialias=True) is not supported")
    if mode == 'area':
        return (adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_avg_pool3d)[dim - 1](input, output_size)
    if any(o <= 0 for o in output_size):
        raise RuntimeError(f"Input and output sizes should be greater than 0, but got input "
                           f"({', '.join(f'{c}: {v}' for c, v in zip('DHW'[3 - dim:], spatial))}) "
                           f"output ({', '.join(f'{c}: {v}' for c, v in zip('DHW'[3 - dim:], output_size))})")
    xp = input._storage.device.xp
    dtype = input._data.dtype
    if dtype.kind != 'f' and (mode not in ('nearest', 'nearest-exact') or dtype.name != 'uint8'):
        from ..._ops._util import _type_word
        raise NotImplementedError(f'"upsample_{mode.replace("-", "_")}{dim}d" not implemented for '
                                  f"'{_type_word(input.dtype)}'")
    taps = [_taps(xp, mode, n, o, align_corners, s, dtype)
            for n, o, s in zip(spatial, output_size, scales)]
    name = {'nearest': f'UpsampleNearest{dim}D', 'nearest-exact': f'UpsampleNearestExact{dim}D',
            'linear': 'UpsampleLinear1D', 'bilinear': 'UpsampleBilinear2D',
            'bicubic': 'UpsampleBicubic2D', 'trilinear': 'UpsampleTrilinear3D'}[mode]
    return sep(input, taps, name + 'Backward0')


def upsample(input, size=None, scale_factor=None, mode='nearest', align_corners=None):
    warnings.warn("nn.functional.upsample is deprecated. Use nn.functional.interpolate instead.",
                  stacklevel=2)
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    warnings.warn("nn.functional.upsample_nearest is deprecated. Use nn.functional.interpolate "
                  "instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode='nearest')


def upsample_bilinear(input, size=None, scale_factor=None):
    warnings.warn("nn.functional.upsample_bilinear is deprecated. Use nn.functional.interpolate "
                  "instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode='bilinear', align_corners=True)


# ------------------------------------------------------------------ grid_sample / affine_grid

def _reflect(c, twice_low, twice_high):
    from ... import where, zeros_like
    if twice_low == twice_high:
        return zeros_like(c)
    lo = twice_low / 2
    span = (twice_high - twice_low) / 2
    c = (c - lo).abs()
    extra = c.fmod(span)
    flips = (c / span).floor()
    return where(flips.fmod(2) == 0, extra + lo, span - extra + lo)


def _source_coord(c, size, padding_mode, align_corners):
    if align_corners:
        c = (c + 1) / 2 * (size - 1)
    else:
        c = ((c + 1) * size - 1) / 2
    if padding_mode == 'border':
        c = c.clamp(0, size - 1)
    elif padding_mode == 'reflection':
        if align_corners:
            c = _reflect(c, 0, 2 * (size - 1))
        else:
            c = _reflect(c, -1, 2 * size - 1)
        c = c.clamp(0, size - 1)
    return c


def grid_sample(input, grid, mode='bilinear', padding_mode='zeros', align_corners=None):
    """Sample input at the normalized (x, y[, z]) locations of grid."""
    import itertools
    if mode not in ('bilinear', 'nearest', 'bicubic'):
        raise ValueError(f"nn.functional.grid_sample(): expected mode to be 'bilinear', 'nearest' "
                         f"or 'bicubic', but got: '{mode}'")
    if padding_mode not in ('zeros', 'border', 'reflection'):
        raise ValueError(f"nn.functional.grid_sample(): expected padding_mode to be 'zeros', "
                         f"'border', or 'reflection', but got: '{padding_mode}'")
    if align_corners is None:
        warnings.warn("Default grid_sample and affine_grid behavior has changed to align_corners=False "
                      "since 1.3.0. Please specify align_corners=True if the old behavior is desired. "
                      "See the documentation of grid_sample for details.")
        align_corners = False
    if input.dim() not in (4, 5) or grid.dim() != input.dim():
        raise RuntimeError(f"grid_sampler(): expected 4D or 5D input and grid with same number of "
                           f"dimensions, but got input with sizes {list(input.shape)} and grid with "
                           f"sizes {list(grid.shape)}")
    if input.shape[0] != grid.shape[0]:
        raise RuntimeError(f"grid_sampler(): expected grid and input to have same batch size, but got "
                           f"input with sizes {list(input.shape)} and grid with sizes {list(grid.shape)}")
    nd = input.dim() - 2
    if grid.shape[-1] != nd:
        raise RuntimeError(f"grid_sampler(): expected grid to have size {nd} in last dimension, but "
                           f"got grid with sizes {list(grid.shape)}")
    if mode == 'bicubic':
        raise NotImplementedError("ember: grid_sample(mode='bicubic') is not supported")
    from ... import gather
    n, c = input.shape[:2]
    sizes = list(input.shape[2:])
    out_sp = list(grid.shape[1:-1])
    m = 1
    for v in out_sp:
        m *= v
    flat_in = input.reshape(n, c, -1)
    coords = [_source_coord(grid[..., nd - 1 - d].reshape(n, m), sizes[d], padding_mode, align_corners)
              for d in range(nd)]

    def sample(ints):
        valid = None
        flat = None
        for d, i in enumerate(ints):
            ok = (i >= 0) & (i <= sizes[d] - 1)
            valid = ok if valid is None else valid & ok
            ic = i.clamp(0, sizes[d] - 1).long()
            flat = ic if flat is None else flat * sizes[d] + ic
        vals = gather(flat_in, 2, flat.unsqueeze(1).expand(n, c, m))
        return vals, valid.unsqueeze(1)

    if mode == 'nearest':
        vals, valid = sample([co.detach().round() for co in coords])
        out = vals * valid.to(vals.dtype)
    else:
        lows = [co.detach().floor() for co in coords]
        fr = [co - lo for co, lo in zip(coords, lows)]
        out = None
        for corner in itertools.product((0, 1), repeat=nd):
            w = None
            for d, b in enumerate(corner):
                wd = fr[d] if b else 1 - fr[d]
                w = wd if w is None else w * wd
            vals, valid = sample([lo + b for lo, b in zip(lows, corner)])
            term = vals * (w.unsqueeze(1) * valid.to(w.dtype))
            out = term if out is None else out + term
    return out.reshape([n, c] + out_sp)


def _base_coords(steps, align_corners, like):
    from ... import linspace, zeros
    if steps <= 1:
        return zeros(max(steps, 1) if steps else 0, dtype=like.dtype, device=like.device)[:steps]
    r = linspace(-1, 1, steps, dtype=like.dtype, device=like.device)
    return r if align_corners else r * ((steps - 1) / steps)


def affine_grid(theta, size, align_corners=None):
    """Sampling grid (N, H, W, 2) / (N, D, H, W, 3) of the affine maps theta for grid_sample."""
    from ... import stack, ones
    if align_corners is None:
        warnings.warn("Default grid_sample and affine_grid behavior has changed to align_corners=False "
                      "since 1.3.0. Please specify align_corners=True if the old behavior is desired. "
                      "See the documentation of grid_sample for details.")
        align_corners = False
    if not theta.is_floating_point():
        raise ValueError(f"Expected theta to have floating point type, but got {theta.dtype}")
    size = list(size)
    if len(size) == 4:
        if theta.dim() != 3 or tuple(theta.shape[-2:]) != (2, 3):
            raise ValueError(f"Expected a batch of 2D affine matrices of shape Nx2x3 for size "
                             f"{tuple(size)}. Got {theta.shape}.")
        spatial = size[2:]
    elif len(size) == 5:
        if theta.dim() != 3 or tuple(theta.shape[-2:]) != (3, 4):
            raise ValueError(f"Expected a batch of 3D affine matrices of shape Nx3x4 for size "
                             f"{tuple(size)}. Got {theta.shape}.")
        spatial = size[2:]
    else:
        raise NotImplementedError(f"affine_grid only supports 4D and 5D sizes, for 2D and 3D affine "
                                  f"transforms, respectively. Got size {tuple(size)}.")
    if min(size) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {tuple(size)}")
    nd = len(spatial)
    axes = [_base_coords(s, align_corners, theta) for s in spatial]   # D/H/W order
    shape = spatial
    comps = []
    for d in reversed(range(nd)):    # x (last dim) first
        v = [1] * nd
        v[d] = spatial[d]
        comps.append(axes[d].reshape(v).expand(*shape))
    comps.append(ones(*shape, dtype=theta.dtype, device=theta.device))
    base = stack(comps, -1).reshape(1, -1, nd + 1)
    grid = base.matmul(theta.transpose(1, 2))
    return grid.reshape([size[0]] + spatial + [nd])

