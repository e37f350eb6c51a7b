"""scatter/gather of (nested) inputs and outputs along a dimension, as DataParallel uses."""
from ..._tensor import Tensor


def _to(t, device):
    return t if device is None else t.to(device)


def scatter(inputs, target_gpus, dim=0):
    """Split every tensor in `inputs` into len(target_gpus) chunks along dim; non-tensors are
    repeated. Returns one structure per chunk."""
    n = len(target_gpus)

    def split(obj):
        if isinstance(obj, Tensor):
            return [_to(c, d) for c, d in zip(obj.chunk(n, dim), target_gpus)]
        if isinstance(obj, tuple) and len(obj) > 0:
            return list(zip(*map(split, obj)))
        if isinstance(obj, list) and len(obj) > 0:
            return [list(x) for x in zip(*map(split, obj))]
        if isinstance(obj, dict) and len(obj) > 0:
            return [type(obj)(x) for x in zip(*map(split, obj.items()))]
        return [obj for _ in target_gpus]
    return split(inputs)


def scatter_kwargs(inputs, kwargs, target_gpus, dim=0):
    inputs = scatter(inputs, target_gpus, dim) if inputs else []
    kwargs = scatter(kwargs, target_gpus, dim) if kwargs else []
    if len(inputs) < len(kwargs):
        inputs.extend(() for _ in range(len(kwargs) - len(inputs)))
    elif len(kwargs) < len(inputs):
        kwargs.extend({} for _ in range(len(inputs) - len(kwargs)))
    return tuple(inputs), tuple(kwargs)


def gather(outputs, target_device, dim=0):
    """Concatenate per-replica outputs (same structure) along dim on target_device."""
    from ... import cat

    def g(outs):
        first = outs[0]
        if isinstance(first, Tensor):
            return cat([_to(o, target_device) for o in outs], dim)
        if first is None:
            return None
        if isinstance(first, dict):
            return type(first)((k, g([o[k] for o in outs])) for k in first)
        if isinstance(first, (list, tuple)):
            return type(first)(map(g, zip(*outs)))
        return outs
    return g(outputs)
