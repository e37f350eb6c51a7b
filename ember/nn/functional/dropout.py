"""Dropout family (torch.nn.functional): dropout, channel-wise dropout1d/2d/3d, alpha and
feature-alpha dropout.

Compositions of ember ops, as in torch (grad_fn MulBackward0 / AddBackward0): a Bernoulli(1-p)
mask drawn with ember's RNG (so `ember.manual_seed` reproduces it) and scaled by 1/(1-p) is
multiplied into the input; channel-wise variants draw one mask value per (batch, channel).
"""
import math
import warnings

__all__ = ['dropout', 'dropout1d', 'dropout2d', 'dropout3d', 'alpha_dropout',
           'feature_alpha_dropout']

_SELU_ALPHA_SCALE = 1.7580993408473766   # -(selu alpha * selu scale): SELU's negative saturation


def _check_p(p):
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _noise_shape(input, feature):
    if not feature:
        return tuple(input.shape)
    if input.dim() < 2:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    return tuple(input.shape[:2]) + (1,) * (input.dim() - 2)


def _dropout_impl(input, p, training, inplace, feature=False, alpha=False):
    """Shared kernel: mask of shape input (or (N, C, 1, ...) when feature) times the input."""
    _check_p(p)
    if not training or p == 0:
        return input
    shape = _noise_shape(input, feature)
    if p == 1:
        zero = input.new_zeros(shape)
        return input.mul_(zero) if inplace else input * zero
    noise = input.new_empty(shape).bernoulli_(1 - p)
    if not alpha:
        noise.div_(1 - p)
        return input.mul_(noise) if inplace else input * noise
    a = 1.0 / math.sqrt((_SELU_ALPHA_SCALE ** 2 * p + 1) * (1 - p))
    b = noise.add(-1).mul_(_SELU_ALPHA_SCALE * a).add_(_SELU_ALPHA_SCALE * a * p)
    noise.mul_(a)
    if inplace:
        return input.mul_(noise).add_(b)
    return input * noise + b


def dropout(input, p=0.5, training=True, inplace=False):
    """Zero each element with probability p and scale the rest by 1/(1-p) (training only)."""
    return _dropout_impl(input, p, training, inplace)


def alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Dropout that keeps SELU's self-normalizing mean and variance."""
    return _dropout_impl(input, p, training, inplace, alpha=True)


def feature_alpha_dropout(input, p=0.5, training=False, inplace=False):
    """alpha_dropout with one mask value per (batch, channel)."""
    return _dropout_impl(input, p, training, inplace, feature=True, alpha=True)


def _channelwise(input, p, training, inplace, batched_dim):
    """Channel-wise dropout; an unbatched input (rank batched_dim - 1) gets a batch dim."""
    _check_p(p)
    if input.dim() == batched_dim - 1:
        x = input.unsqueeze(0)
        out = _dropout_impl(x, p, training, inplace, feature=True)
        if inplace:
            return input
        return out.squeeze(0) if out is not x else input
    return _dropout_impl(input, p, training, inplace, feature=True)


def dropout1d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, L) or (C, L) inputs with probability p."""
    _check_p(p)
    if input.dim() not in (2, 3):
        raise RuntimeError(f"dropout1d: Expected 2D or 3D input, but received a {input.dim()}D "
                           "input. Note that dropout1d exists to provide channel-wise dropout on "
                           "inputs with 1 spatial dimension, a channel dimension, and an optional "
                           "batch dimension (i.e. 2D or 3D inputs).")
    return _channelwise(input, p, training, inplace, 3)


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, H, W) or (C, H, W) inputs with probability p.

    As in torch, a 3-D input is (for now) read as (N, C, L) and gets 1-D channel dropout.
    """
    _check_p(p)
    d = input.dim()
    if d not in (3, 4):
        warnings.warn(f"dropout2d: Received a {d}-D input to dropout2d, which is deprecated and "
                      "will result in an error in a future release. To retain the behavior and "
                      "silence this warning, please use dropout instead. Note that dropout2d "
                      "exists to provide channel-wise dropout on inputs with 2 spatial "
                      "dimensions, a channel dimension, and an optional batch dimension (i.e. 3D "
                      "or 4D inputs).", stacklevel=2)
    if d == 3:
        warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that channel-wise "
                      "1D dropout behavior is desired - input is interpreted as shape (N, C, L), "
                      "where C is the channel dim. This behavior will change in a future release "
                      "to interpret the input as one without a batch dimension, i.e. shape "
                      "(C, H, W). To maintain the 1D channel-wise dropout behavior, please switch "
                      "to using dropout1d instead.", stacklevel=2)
    return _dropout_impl(input, p, training, inplace, feature=True)


def dropout3d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, D, H, W) or (C, D, H, W) inputs with probability p."""
    _check_p(p)
    d = input.dim()
    if d not in (4, 5):
        warnings.warn(f"dropout3d: Received a {d}-D input to dropout3d, which is deprecated and "
                      "will result in an error in a future release. To retain the behavior and "
                      "silence this warning, please use dropout instead. Note that dropout3d "
                      "exists to provide channel-wise dropout on inputs with 3 spatial "
                      "dimensions, a channel dimension, and an optional batch dimension (i.e. 4D "
                      "or 5D inputs).", stacklevel=2)
        return _dropout_impl(input, p, training, inplace, feature=True)
    return _channelwise(input, p, training, inplace, 5)
