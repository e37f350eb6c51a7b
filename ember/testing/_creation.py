"""make_tensor: random test tensors with torch.testing's default value ranges per dtype."""
import math

from .. import _dtype as D

__all__ = ['make_tensor']


def _default_range(dtype):
    if dtype is D.bool:
        return 0, 2
    if dtype.is_floating_point or dtype.is_complex:
        return -9, 9
    if not dtype.is_signed:
        return 0, 10
    return -9, 10


def make_tensor(*shape, dtype, device, low=None, high=None, requires_grad=False,
                noncontiguous=False, exclude_zero=False, memory_format=None):
    """A tensor of shape filled with values uniform in [low, high) (dtype-dependent defaults,
    clamped to the dtype's finite range); optionally non-contiguous or without zeros."""
    import ember
    if len(shape) == 1 and isinstance(shape[0], (tuple, list, ember.Size)):
        shape = tuple(shape[0])
    shape = tuple(int(s) for s in shape)
    if noncontiguous and memory_format is not None:
        raise ValueError(f"The parameters `noncontiguous` and `memory_format` are mutually "
                         f"exclusive, but got noncontiguous={noncontiguous} and "
                         f"memory_format={memory_format}")
    if requires_grad and dtype in (D.bool,) or requires_grad and not (
            dtype.is_floating_point or dtype.is_complex):
        raise ValueError(f"`requires_grad=True` is not supported for boolean and integral "
                         f"dtypes, but got dtype={dtype}")
    dlow, dhigh = _default_range(dtype)
    low = dlow if low is None else low
    high = dhigh if high is None else high
    if low > high:
        raise ValueError(f"`low` must be less than or equal to `high`, but got {low} > {high}")
    if math.isnan(low) or math.isnan(high):
        raise ValueError(f"`low` and `high` cannot be NaN, but got low={low} and high={high}")
    if dtype is D.bool:
        t = ember.randint(0, 2, shape, device=device).to(D.bool)
    elif dtype.is_floating_point or dtype.is_complex:
        info = ember.finfo(dtype)
        lo, hi = max(low, info.min), min(high, info.max)
        real = D.float32 if dtype is D.complex64 else D.float64
        def draw():
            return ember.rand(shape, dtype=real, device=device) * (hi - lo) + lo
        t = draw() if dtype.is_floating_point else ember.complex(draw(), draw())
        t = t.to(dtype)
    else:
        info = ember.iinfo(dtype)
        lo, hi = max(math.ceil(low), info.min), min(math.ceil(high), info.max + 1)
        t = ember.randint(lo, max(hi, lo + 1), shape, dtype=D.int64, device=device).to(dtype)
    if exclude_zero:
        if dtype.is_floating_point or dtype.is_complex:
            tiny = ember.finfo(dtype).tiny
        else:
            tiny = 1
        t = ember.where(t == 0, ember.tensor(tiny, dtype=t.dtype, device=t.device), t)
    if noncontiguous and t.numel() > 1:
        t = ember.repeat_interleave(t, 2, dim=-1)[..., ::2]
    elif memory_format is not None:
        t = t.clone(memory_format=memory_format)
    if requires_grad:
        t.requires_grad_(True)
    return t
