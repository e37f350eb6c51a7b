"""Gradient clipping (torch.nn.utils.clip_grad): total-norm computation and in-place scaling."""
import math

from ..._tensor import Tensor

__all__ = ['clip_grad_norm_', 'clip_grad_norm', 'clip_grad_value_', 'get_total_norm',
           'clip_grads_with_norm_']


def _no_grad():
    from ...autograd import grad_mode
    return grad_mode.no_grad()


def _as_list(tensors):
    if isinstance(tensors, Tensor):
        return [tensors]
    return list(tensors)


def _grads(parameters):
    return [p.grad for p in _as_list(parameters) if p.grad is not None]


def get_total_norm(tensors, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Norm of the norms of `tensors` (= the norm of all of them concatenated)."""
    import ember
    tensors = [t for t in _as_list(tensors) if t is not None]
    norm_type = float(norm_type)
    if len(tensors) == 0:
        return ember.tensor(0.0)
    with _no_grad():
        first_device = tensors[0].device
        norms = [ember.linalg.vector_norm(t, norm_type) for t in tensors]
        total = ember.linalg.vector_norm(ember.stack([n.to(first_device) for n in norms]), norm_type)
        if error_if_nonfinite and bool(ember.logical_or(total.isnan(), total.isinf())):
            raise RuntimeError(
                f'The total norm of order {norm_type} for gradients from `parameters` is non-finite, '
                'so it cannot be clipped. To disable this error and scale the gradients by the '
                'non-finite norm anyway, set `error_if_nonfinite=False`')
    return total


def clip_grads_with_norm_(parameters, max_norm, total_norm, foreach=None):
    """Scale grads in place by min(1, max_norm / (total_norm + 1e-6))."""
    grads = _grads(parameters)
    if len(grads) == 0:
        return
    with _no_grad():
        coef = (float(max_norm) / (total_norm + 1e-6)).clamp(max=1.0)
        for g in grads:
            g.mul_(coef.to(g.device))


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Clip the gradients' total norm to `max_norm` in place; returns the (unclipped) total norm."""
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    else:
        parameters = list(parameters)
    grads = _grads(parameters)
    total = get_total_norm(grads, norm_type, error_if_nonfinite, foreach)
    clip_grads_with_norm_(parameters, max_norm, total, foreach)
    return total


def clip_grad_norm(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Deprecated alias of clip_grad_norm_."""
    import warnings
    warnings.warn('`torch.nn.utils.clip_grad_norm` is now deprecated in favor of '
                  '`torch.nn.utils.clip_grad_norm_`.', FutureWarning, stacklevel=2)
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


def clip_grad_value_(parameters, clip_value, foreach=None):
    """Clamp every gradient element into [-clip_value, clip_value] in place."""
    clip_value = float(clip_value)
    with _no_grad():
        for g in _grads(parameters):
            g.clamp_(min=-clip_value, max=clip_value)
