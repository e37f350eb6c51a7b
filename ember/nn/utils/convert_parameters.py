"""Flatten parameters into one vector and back (torch.nn.utils.convert_parameters)."""
from ..._tensor import Tensor

__all__ = ['parameters_to_vector', 'vector_to_parameters']


def _check_same_device(param, old_device):
    if old_device is not None and param.device != old_device:
        raise TypeError('Found two parameters on different devices, this is currently not supported.')
    return param.device


def parameters_to_vector(parameters):
    """Concatenate every parameter, flattened, into a single 1-D tensor."""
    import ember
    device = None
    vec = []
    for p in parameters:
        device = _check_same_device(p, device)
        vec.append(p.view(-1) if p.is_contiguous() else p.reshape(-1))
    return ember.cat(vec)


def vector_to_parameters(vec, parameters):
    """Copy consecutive slices of `vec` into the parameters' data (the parameters then view `vec`)."""
    if not isinstance(vec, Tensor):
        raise TypeError(f'expected torch.Tensor, but got: {type(vec).__name__}')
    device = None
    pointer = 0
    for p in parameters:
        device = _check_same_device(p, device)
        n = p.numel()
        p.data = vec[pointer:pointer + n].view_as(p).data
        pointer += n
