"""torch.* names that are adapters of nn.functional ops (with the ATen argument orders that
torch.* uses, e.g. `torch.embedding(weight, indices)` and integer `reduction` enums), the
function forms of in-place Tensor methods (`torch.exp_(x)`), and the small tensor predicates
(`torch.is_complex`, `torch.is_nonzero` ...)."""
from .. import _dtype as D
from .._tensor import Tensor, register_methods

__all__ = [
    'relu', 'relu_', 'selu', 'selu_', 'celu', 'celu_', 'rrelu', 'rrelu_', 'threshold', 'threshold_',
    'hardshrink', 'prelu', 'softmax', 'log_softmax', 'dropout', 'dropout_', 'alpha_dropout',
    'alpha_dropout_', 'feature_alpha_dropout', 'feature_alpha_dropout_', 'feature_dropout',
    'feature_dropout_', 'conv1d', 'conv2d', 'conv3d', 'conv_transpose1d', 'conv_transpose2d',
    'conv_transpose3d', 'convolution', 'max_pool1d', 'max_pool2d', 'max_pool3d',
    'max_pool1d_with_indices', 'avg_pool1d', 'adaptive_avg_pool1d', 'adaptive_max_pool1d',
    'batch_norm', 'layer_norm', 'group_norm', 'instance_norm', 'rms_norm', 'embedding',
    'embedding_bag', 'bilinear', 'pixel_shuffle', 'pixel_unshuffle', 'channel_shuffle',
    'native_channel_shuffle', 'cosine_similarity', 'pairwise_distance', 'pdist', 'cdist',
    'binary_cross_entropy_with_logits', 'cosine_embedding_loss', 'ctc_loss',
    'hinge_embedding_loss', 'kl_div', 'margin_ranking_loss', 'poisson_nll_loss',
    'triplet_margin_loss', 'constant_pad_nd', 'affine_grid_generator', 'grid_sampler',
    'fill', 'fill_', 'zero_', 'detach', 'detach_', 'is_complex', 'is_floating_point',
    'is_nonzero', 'is_same_size', 'is_signed', 'is_inference', 'is_conj', 'is_neg',
    'resolve_conj', 'resolve_neg', 'adjoint', 'scalar_tensor', 'typename',
]


def _F():
    from ..nn import functional
    return functional


_REDUCTION = {0: 'none', 1: 'mean', 2: 'sum'}


def _red(reduction):
    """ATen's integer reduction enum (0 none, 1 mean, 2 sum) as nn.functional's string."""
    if isinstance(reduction, str):
        return reduction
    try:
        return _REDUCTION[int(reduction)]
    except (KeyError, TypeError, ValueError):
        raise ValueError(f"{reduction} is not a valid value for reduction") from None


# ---------------------------------------------------------------------------- activations
def relu(input):
    return _F().relu(input)


def relu_(input):
    return _F().relu_(input)


def selu(input):
    return _F().selu(input)


def selu_(input):
    return _F().selu(input, inplace=True)


def celu(input, alpha=1.0):
    return _F().celu(input, alpha)


def celu_(input, alpha=1.0):
    return _F().celu(input, alpha, inplace=True)


def rrelu(input, lower=1. / 8, upper=1. / 3, training=False, generator=None):
    return _F().rrelu(input, lower, upper, training)


def rrelu_(input, lower=1. / 8, upper=1. / 3, training=False, generator=None):
    return _F().rrelu(input, lower, upper, training, inplace=True)


def threshold(input, threshold, value, *, out=None):
    from ._util import write_out
    return write_out(out, _F().threshold(input, threshold, value))


def threshold_(input, threshold, value):
    return _F().threshold(input, threshold, value, inplace=True)


def hardshrink(input, lambd=0.5):
    return _F().hardshrink(input, lambd)


def prelu(input, weight):
    return _F().prelu(input, weight)


def softmax(input, dim, dtype=None):
    return _F().softmax(input, dim, dtype=dtype)


def log_softmax(input, dim, dtype=None, *, out=None):
    from ._util import write_out
    return write_out(out, _F().log_softmax(input, dim, dtype=dtype))


# ---------------------------------------------------------------------------- dropout (p, train)
def dropout(input, p, train):
    return _F().dropout(input, p, train)


def dropout_(input, p, train):
    return _F().dropout(input, p, train, inplace=True)


def alpha_dropout(input, p, train):
    return _F().alpha_dropout(input, p, train)


def alpha_dropout_(input, p, train):
    return _F().alpha_dropout(input, p, train, inplace=True)


def feature_alpha_dropout(input, p, train):
    return _F().feature_alpha_dropout(input, p, train)


def feature_alpha_dropout_(input, p, train):
    return _F().feature_alpha_dropout(input, p, train, inplace=True)


def _feature_dropout(input, p, train, inplace):
    F = _F()
    nd = input.dim()
    if nd == 3:
        return F.dropout1d(input, p, train, inplace)
    if nd == 5:
        return F.dropout3d(input, p, train, inplace)
    return F.dropout2d(input, p, train, inplace)


def feature_dropout(input, p, train):
    """Zero whole channels (dim 1) with probability p."""
    return _feature_dropout(input, p, train, False)


def feature_dropout_(input, p, train):
    return _feature_dropout(input, p, train, True)


# ---------------------------------------------------------------------------- conv / pool
def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return _F().conv1d(input, weight, bias, stride, padding, dilation, groups)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return _F().conv2d(input, weight, bias, stride, padding, dilation, groups)


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return _F().conv3d(input, weight, bias, stride, padding, dilation, groups)


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    return _F().conv_transpose1d(input, weight, bias, stride, padding, output_padding, groups, dilation)


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    return _F().conv_transpose2d(input, weight, bias, stride, padding, output_padding, groups, dilation)


def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    return _F().conv_transpose3d(input, weight, bias, stride, padding, output_padding, groups, dilation)


def convolution(input, weight, bias, stride, padding, dilation, transposed, output_padding, groups):
    """ATen's generic convolution: dispatches on the spatial rank and `transposed`."""
    nd = weight.dim() - 2
    if nd not in (1, 2, 3):
        raise RuntimeError(f"Expected 3D, 4D or 5D weight for convolution, but got weight of size "
                           f"{list(weight.shape)}")
    F = _F()
    if transposed:
        fn = (F.conv_transpose1d, F.conv_transpose2d, F.conv_transpose3d)[nd - 1]
        return fn(input, weight, bias, stride, padding, output_padding, groups, dilation)
    fn = (F.conv1d, F.conv2d, F.conv3d)[nd - 1]
    return fn(input, weight, bias, stride, padding, dilation, groups)


def max_pool1d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    return _F().max_pool1d(input, kernel_size, stride or None, padding, dilation, ceil_mode)


def max_pool2d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    return _F().max_pool2d(input, kernel_size, stride or None, padding, dilation, ceil_mode)


def max_pool3d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    return _F().max_pool3d(input, kernel_size, stride or None, padding, dilation, ceil_mode)


def max_pool1d_with_indices(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    return _F().max_pool1d(input, kernel_size, stride or None, padding, dilation, ceil_mode,
                           return_indices=True)


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    return _F().avg_pool1d(input, kernel_size, stride, padding, ceil_mode, count_include_pad)


def adaptive_avg_pool1d(input, output_size):
    return _F().adaptive_avg_pool1d(input, output_size)


def adaptive_max_pool1d(input, output_size):
    """(values, indices), as torch.adaptive_max_pool1d returns both."""
    return _F().adaptive_max_pool1d(input, output_size, return_indices=True)


# ---------------------------------------------------------------------------- normalization
def batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps,
               cudnn_enabled):
    return _F().batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-05, cudnn_enable=True):
    return _F().layer_norm(input, normalized_shape, weight, bias, eps)


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-05, cudnn_enabled=True):
    return _F().group_norm(input, num_groups, weight, bias, eps)


def instance_norm(input, weight, bias, running_mean, running_var, use_input_stats, momentum, eps,
                  cudnn_enabled):
    return _F().instance_norm(input, running_mean, running_var, weight, bias, use_input_stats,
                              momentum, eps)


def rms_norm(input, normalized_shape, weight=None, eps=None):
    return _F().rms_norm(input, normalized_shape, weight, eps)


# ---------------------------------------------------------------------------- sparse / vision
def embedding(weight, indices, padding_idx=-1, scale_grad_by_freq=False, sparse=False):
    """ATen order: weight first. padding_idx=-1 means none (as in ATen)."""
    return _F().embedding(indices, weight, None if padding_idx == -1 else padding_idx,
                          scale_grad_by_freq=scale_grad_by_freq, sparse=sparse)


def embedding_bag(weight, indices, offsets, scale_grad_by_freq=False, mode=0, sparse=False,
                  per_sample_weights=None, include_last_offset=False, padding_idx=None):
    """ATen form: returns (output, offset2bag, bag_size, max_indices); only the output is
    computed by ember, the three bookkeeping tensors are empty int64 placeholders."""
    from .. import empty
    names = {0: 'sum', 1: 'mean', 2: 'max'}
    out = _F().embedding_bag(indices, weight, offsets, scale_grad_by_freq=scale_grad_by_freq,
                             mode=names[int(mode)], sparse=sparse,
                             per_sample_weights=per_sample_weights,
                             include_last_offset=include_last_offset, padding_idx=padding_idx)
    e = empty(0, dtype=D.int64, device=weight.device)
    return out, e, e.clone(), e.clone()


def bilinear(input1, input2, weight, bias=None):
    return _F().bilinear(input1, input2, weight, bias)


def pixel_shuffle(input, upscale_factor):
    return _F().pixel_shuffle(input, upscale_factor)


def pixel_unshuffle(input, downscale_factor):
    return _F().pixel_unshuffle(input, downscale_factor)


def channel_shuffle(input, groups):
    return _F().channel_shuffle(input, groups)


native_channel_shuffle = channel_shuffle


def constant_pad_nd(input, pad, value=0):
    return _F().pad(input, pad, 'constant', value)


def affine_grid_generator(theta, size, align_corners):
    return _F().affine_grid(theta, size, align_corners)


def grid_sampler(input, grid, interpolation_mode, padding_mode, align_corners):
    """ATen enums: interpolation 0 bilinear / 1 nearest / 2 bicubic; padding 0 zeros / 1 border
    / 2 reflection."""
    mode = ('bilinear', 'nearest', 'bicubic')[interpolation_mode]
    pad = ('zeros', 'border', 'reflection')[padding_mode]
    return _F().grid_sample(input, grid, mode, pad, align_corners)


# ---------------------------------------------------------------------------- distances
def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    return _F().cosine_similarity(x1, x2, dim, eps)


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    return _F().pairwise_distance(x1, x2, p, eps, keepdim)


def pdist(input, p=2):
    return _F().pdist(input, p)


def cdist(x1, x2, p=2.0, compute_mode='use_mm_for_euclid_dist_if_necessary'):
    """p-norm distance between each pair of rows of x1 (..., P, M) and x2 (..., R, M).

    Computed as the norm of the broadcast difference (exact; torch's matmul shortcut for large
    Euclidean inputs only changes rounding)."""
    if x1.dim() < 2 or x2.dim() < 2:
        raise RuntimeError(f"cdist only supports at least 2D tensors, X{1 if x1.dim() < 2 else 2} "
                           f"got: {(x1 if x1.dim() < 2 else x2).dim()}D")
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: {x1.shape[-1]} "
                           f"X2: {x2.shape[-1]}")
    if p < 0:
        raise RuntimeError("cdist only supports non-negative p values")
    diff = x1.unsqueeze(-2) - x2.unsqueeze(-3)
    if p == 0:   # count of differing coordinates; zero gradient (kept in the graph like torch)
        return (diff != 0).to(diff.dtype).sum(-1) + (diff * 0).sum(-1)
    if p == 2:
        # masked sqrt so that the gradient at zero distance is 0 (as in torch)
        sq = (diff * diff).sum(-1)
        pos = sq > 0
        from .. import where
        safe = where(pos, sq, sq.new_ones(()))
        return where(pos, safe.sqrt(), sq.new_zeros(()))
    return diff.abs().pow(p).sum(-1).pow(1.0 / p) if p != float('inf') else diff.abs().amax(-1)


# ---------------------------------------------------------------------------- losses (int reduction)
def binary_cross_entropy_with_logits(input, target, weight=None, pos_weight=None, reduction=1):
    return _F().binary_cross_entropy_with_logits(input, target, weight, reduction=_red(reduction),
                                                 pos_weight=pos_weight)


def cosine_embedding_loss(input1, input2, target, margin=0.0, reduction=1):
    return _F().cosine_embedding_loss(input1, input2, target, margin, reduction=_red(reduction))


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction=1,
             zero_infinity=False):
    return _F().ctc_loss(log_probs, targets, input_lengths, target_lengths, blank,
                         _red(reduction), zero_infinity)


def hinge_embedding_loss(input, target, margin=1.0, reduction=1):
    return _F().hinge_embedding_loss(input, target, margin, reduction=_red(reduction))


def kl_div(input, target, reduction=1, *, log_target=False):
    return _F().kl_div(input, target, reduction=_red(reduction), log_target=log_target)


def margin_ranking_loss(input1, input2, target, margin=0.0, reduction=1):
    return _F().margin_ranking_loss(input1, input2, target, margin, reduction=_red(reduction))


def poisson_nll_loss(input, target, log_input, full, eps, reduction):
    return _F().poisson_nll_loss(input, target, log_input, full, eps=eps, reduction=_red(reduction))


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2.0, eps=1e-06, swap=False,
                        reduction=1):
    return _F().triplet_margin_loss(anchor, positive, negative, margin, p, eps, swap,
                                    reduction=_red(reduction))


# ---------------------------------------------------------------------------- tensor utilities
def fill(input, value):
    """Out-of-place fill: a tensor like input holding value (differentiable in value)."""
    if isinstance(value, Tensor):
        if value.dim() != 0:
            raise RuntimeError(f"fill only supports 0-dimension value tensor but got tensor with "
                               f"{value.dim()} dimensions.")
        return (input * 0).add(value.to(input.dtype)) if input._requires_grad or value._requires_grad \
            else value.to(input.dtype).expand(input.shape).clone()
    from .. import full_like
    res = full_like(input, value)
    if input._requires_grad:
        from ..autograd.grad_mode import GradState
        if GradState.enabled:
            return input * 0 + res   # keeps the graph: zero gradient for input, like FillBackward0
    return res


def fill_(input, value):
    return input.fill_(value)


def zero_(input):
    return input.zero_()


def detach(input):
    return input.detach()


def detach_(input):
    return input.detach_()


def is_complex(input):
    return input.is_complex()


def is_floating_point(input):
    return input.is_floating_point()


def is_nonzero(input):
    """The truth value of a one-element tensor (RuntimeError otherwise)."""
    n = input.numel()
    if n != 1:
        raise RuntimeError("Boolean value of Tensor with no values is ambiguous" if n == 0 else
                           "Boolean value of Tensor with more than one value is ambiguous")
    return bool(input.item())


def is_same_size(input, other):
    return tuple(input.shape) == tuple(other.shape)


def is_signed(input):
    return input.dtype.is_signed


def is_inference(input):
    return input.is_inference()


def is_conj(input):
    return input.is_conj()


def is_neg(input):
    return input.is_neg()


def resolve_conj(input):
    return input.resolve_conj()


def resolve_neg(input):
    return input.resolve_neg()


def adjoint(input):
    """Conjugate transpose of the last two dims (a view for real tensors)."""
    if input.dim() < 2:
        raise RuntimeError("tensor.adjoint() is only supported on matrices or batches of matrices. "
                           f"Got {input.dim()}-D tensor.")
    t = input.transpose(-2, -1)
    return t.conj() if input.is_complex() else t


def scalar_tensor(s, *, dtype=None, layout=None, device=None, pin_memory=None, requires_grad=False):
    """A 0-dim tensor holding s, in the default float dtype unless dtype is given."""
    from .. import tensor
    return tensor(s, dtype=dtype or D.get_default_dtype(), device=device, requires_grad=requires_grad)


def typename(obj):
    """'torch.FloatTensor' for tensors, else the object's qualified type name."""
    if isinstance(obj, Tensor):
        from .._printing import type_name
        return type_name(obj)
    module = ''
    class_name = ''
    if hasattr(obj, '__module__') and obj.__module__ not in ('builtins', '__builtin__', None):
        module = obj.__module__ + '.'
    if hasattr(obj, '__qualname__'):
        class_name = obj.__qualname__
    elif hasattr(obj, '__name__'):
        class_name = obj.__name__
    else:
        class_name = obj.__class__.__name__
        cm = obj.__class__.__module__
        module = '' if cm in ('builtins', None) else cm + '.'
    if module.startswith('ember.'):
        module = 'torch.' + module[len('ember.'):]
    return module + class_name


# ---------------------------------------------------------------------------- in-place function forms
def _inplace_fn(name):
    def fn(input, *args, **kwargs):
        return getattr(input, name)(*args, **kwargs)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"torch.{name}(input, ...): the function form of Tensor.{name}."
    return fn


_INPLACE = ['abs_', 'acos_', 'acosh_', 'addmv_', 'arccos_', 'arccosh_', 'arcsin_', 'arcsinh_',
            'arctan_', 'arctanh_', 'asin_', 'asinh_', 'atan_', 'atanh_', 'ceil_', 'clamp_',
            'clamp_max_', 'clamp_min_', 'clip_', 'conj_physical_', 'cos_', 'cosh_', 'deg2rad_',
            'erf_', 'erfc_', 'exp2_', 'exp_', 'expm1_', 'fix_', 'floor_', 'frac_', 'gcd_',
            'i0_', 'lcm_', 'ldexp_', 'log10_', 'log1p_', 'log2_', 'log_', 'logit_',
            'nan_to_num_', 'neg_', 'negative_', 'rad2deg_', 'reciprocal_', 'round_', 'rsqrt_',
            'sigmoid_', 'sin_', 'sinc_', 'sinh_', 'sqrt_', 'square_', 'tan_', 'tanh_', 'trunc_',
            'xlogy_', 'resize_as_', 'as_strided_']
for _n in _INPLACE:
    globals()[_n] = _inplace_fn(_n)
__all__ += _INPLACE


# ---------------------------------------------------------------------------- Tensor methods
def _softmax_method(self, dim, dtype=None):
    return _F().softmax(self, dim, dtype=dtype)


def _log_softmax_method(self, dim, dtype=None):
    return _F().log_softmax(self, dim, dtype=dtype)


register_methods({
    'relu': relu, 'relu_': relu_, 'softmax': _softmax_method, 'log_softmax': _log_softmax_method,
    'hardshrink': hardshrink, 'prelu': prelu, 'adjoint': adjoint,
    'is_nonzero': is_nonzero, 'is_same_size': is_same_size,
})
Tensor.mH = property(lambda self: adjoint(self))
Tensor.H = property(lambda self: adjoint(self) if self.dim() == 2 else _H_error(self))


def _H_error(self):
    if self.dim() == 0:
        return self
    raise RuntimeError(f"tensor.H is only supported on matrices (2-D tensors). Got {self.dim()}-D tensor.")


from .toplevel_runtime import *  # noqa: F401,F403,E402  (runtime settings, interop, autocast)
from .toplevel_runtime import __all__ as _runtime_all  # noqa: E402
__all__ += _runtime_all
