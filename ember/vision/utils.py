"""ember.vision.utils: make_grid and save_image (= torchvision.utils)."""
import math
import pathlib

import ember
from ..nn import functional as F

__all__ = ['make_grid', 'save_image']


def _norm_range(t, value_range):
    if value_range is not None:
        low, high = value_range
    else:
        low, high = float(t.min()), float(t.max())
    t = t.clamp(min=low, max=high)
    return (t - low) / max(high - low, 1e-5)


def make_grid(tensor, nrow=8, padding=2, normalize=False, value_range=None, scale_each=False,
              pad_value=0.0, **kwargs):
    """Tile a (B, C, H, W) batch (or list of images) into one (C, H', W') image, `nrow` per row."""
    if not (isinstance(tensor, ember.Tensor) or (
            isinstance(tensor, list) and all(isinstance(t, ember.Tensor) for t in tensor))):
        raise TypeError(f"tensor or list of tensors expected, got {type(tensor)}")
    if 'range' in kwargs:
        value_range = kwargs['range']
    if isinstance(tensor, list):
        tensor = ember.stack(tensor, dim=0)
    if tensor.dim() == 2:
        tensor = tensor.unsqueeze(0)
    if tensor.dim() == 3:
        if tensor.size(0) == 1:
            tensor = ember.cat((tensor, tensor, tensor), 0)
        tensor = tensor.unsqueeze(0)
    if tensor.dim() == 4 and tensor.size(1) == 1:
        tensor = ember.cat((tensor, tensor, tensor), 1)
    if normalize:
        if value_range is not None and not isinstance(value_range, tuple):
            raise TypeError("value_range has to be a tuple (min, max) if specified. min and max are numbers")
        if scale_each:
            if value_range is not None:
                tensor = _norm_range(tensor, value_range)
            else:  # per-image min/max, vectorised over the batch
                flat = tensor.reshape(tensor.size(0), -1)
                low = flat.min(1).values.view(-1, 1, 1, 1)
                high = flat.max(1).values.view(-1, 1, 1, 1)
                tensor = (tensor - low) / (high - low).clamp(min=1e-5)
        else:
            tensor = _norm_range(tensor, value_range)
    if tensor.size(0) == 1:
        return tensor.squeeze(0)
    nmaps, c, h, w = tensor.shape
    xmaps = min(nrow, nmaps)
    ymaps = int(math.ceil(float(nmaps) / xmaps))
    p = padding
    cells = F.pad(tensor, (p, 0, p, 0), value=float(pad_value))
    extra = ymaps * xmaps - nmaps
    if extra:
        blank = ember.full((extra, c, h + p, w + p), float(pad_value), dtype=tensor.dtype)
        cells = ember.cat([cells, blank], 0)
    grid = cells.reshape(ymaps, xmaps, c, h + p, w + p).permute(2, 0, 3, 1, 4)
    grid = grid.reshape(c, ymaps * (h + p), xmaps * (w + p))
    return F.pad(grid, (0, p, 0, p), value=float(pad_value))


def save_image(tensor, fp, format=None, **kwargs):
    """make_grid(tensor, **kwargs), scaled from [0, 1] to uint8, written with Pillow."""
    from PIL import Image
    grid = make_grid(tensor, **kwargs)
    ndarr = grid.mul(255).add_(0.5).clamp_(0, 255).permute(1, 2, 0).to('cpu', ember.uint8).numpy()
    if ndarr.shape[2] == 1:
        ndarr = ndarr[:, :, 0]
    im = Image.fromarray(ndarr)
    if isinstance(fp, pathlib.Path):
        fp = str(fp)
    im.save(fp, format=format)
