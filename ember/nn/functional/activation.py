"""Activation functions (torch.nn.functional). Each is one Function with a fused forward on
arrays and a backward in ember ops (so it is twice differentiable), named as torch's grad_fn.
Composite ones (softsign, tanhshrink, softmin, selu via elu) are compositions, as in torch."""
import math

from ... import _dtype as D
from ..._tensor import Tensor
from ...autograd.function import Function
from ...autograd.grad_mode import GradState
from ..._ops._util import inplace, wrap_dim
from ... import (where, sigmoid, tanh, exp, erf, sqrt, abs as _abs)  # noqa: F401

__all__ = ['relu', 'relu_', 'relu6', 'leaky_relu', 'leaky_relu_', 'elu', 'elu_', 'selu', 'selu_',
           'celu', 'celu_', 'gelu', 'silu', 'mish', 'softplus', 'softsign', 'hardtanh',
           'hardtanh_', 'hardsigmoid', 'hardswish', 'hardshrink', 'softshrink', 'tanhshrink',
           'threshold', 'threshold_', 'logsigmoid', 'sigmoid', 'tanh', 'softmax', 'log_softmax',
           'softmin', 'glu', 'prelu', 'rrelu', 'rrelu_', 'gumbel_softmax']


def _float_check(x, name):
    if x._data.dtype.kind not in 'fcV':
        raise NotImplementedError(f"\"{name}\" not implemented for '{_word(x.dtype)}'")


def _word(d):
    from ..._ops._util import _type_word
    return _type_word(d)


class _Relu(Function, node_name='ReluBackward0'):
    @staticmethod
    def forward(ctx, x):
        xp = x._storage.device.xp
        out = Tensor._from_array(xp.maximum(x._data, 0) if x._data.dtype.kind != 'b' else x._data.copy(),
                                 x._storage.device)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        out, = ctx.saved_tensors
        if not GradState.enabled and g._data.dtype == out._data.dtype:
            # first-order backward on arrays: g * (out > 0) in one multiply (np.where is several
            # times slower, especially when g is a broadcast view as after .sum())
            return Tensor._from_array(g._data * (out._data > 0), out._storage.device)
        return g * (out > 0)


def relu(input, inplace=False):
    """max(0, x)."""
    if inplace:
        return relu_(input)
    return _Relu.apply(input)


def relu_(input):
    return inplace(input, _Relu.apply)


class _Hardtanh(Function, node_name='HardtanhBackward0'):
    @staticmethod
    def forward(ctx, x, lo, hi):
        ctx.save_for_backward(x)
        ctx.lo, ctx.hi = lo, hi
        return x._storage.device.xp.clip(x._data, lo, hi)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return g * ((x > ctx.lo) & (x < ctx.hi)), None, None


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """Clamp to [min_val, max_val]."""
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    if inplace:
        return hardtanh_(input, min_val, max_val)
    return _Hardtanh.apply(input, min_val, max_val)


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    return inplace(input, _Hardtanh.apply, min_val, max_val)


def relu6(input, inplace=False):
    return hardtanh(input, 0.0, 6.0, inplace)


class _LeakyRelu(Function, node_name='LeakyReluBackward0'):
    @staticmethod
    def forward(ctx, x, slope):
        ctx.save_for_backward(x)
        ctx.slope = slope
        a = x._data
        xp = x._storage.device.xp
        scaled = a * a.dtype.type(slope)
        # x if x > 0 else slope*x, as a max/min (a select is much slower on NumPy)
        return xp.maximum(a, scaled) if slope <= 1 else xp.minimum(a, scaled)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        s = ctx.slope
        return g * ((x > 0) * (1.0 - s) + s).to(g.dtype), None


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """x if x > 0 else negative_slope * x."""
    _float_check(input, 'leaky_relu')
    if inplace:
        return leaky_relu_(input, negative_slope)
    return _LeakyRelu.apply(input, negative_slope)


def leaky_relu_(input, negative_slope=0.01):
    return inplace(input, _LeakyRelu.apply, negative_slope)


class _Elu(Function, node_name='EluBackward0'):
    """scale * (x if x > 0 else alpha * (exp(x / input_scale) - 1)); covers elu, selu."""

    @staticmethod
    def forward(ctx, x, alpha, scale, input_scale):
        xp = x._storage.device.xp
        a = x._data
        t = a.dtype.type
        neg = xp.expm1(xp.minimum(a, 0) * t(input_scale)) * t(alpha)
        out = Tensor._from_array(xp.where(a > 0, a, neg) * t(scale), x._storage.device)
        ctx.save_for_backward(x)
        ctx.params = (alpha, scale, input_scale)
        return out

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        alpha, scale, input_scale = ctx.params
        neg_grad = (x.clamp(max=0) * input_scale).exp() * (alpha * scale * input_scale)
        return g * where(x > 0, scale, neg_grad).to(g.dtype), None, None, None


class _Celu(_Elu, node_name='CeluBackward0'):
    pass


def elu(input, alpha=1.0, inplace=False):
    if inplace:
        return elu_(input, alpha)
    return _Elu.apply(input, alpha, 1.0, 1.0)


def elu_(input, alpha=1.0):
    return inplace(input, _Elu.apply, alpha, 1.0, 1.0)


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def selu(input, inplace=False):
    if inplace:
        return selu_(input)
    return _Elu.apply(input, _SELU_ALPHA, _SELU_SCALE, 1.0)


def selu_(input):
    return inplace(input, _Elu.apply, _SELU_ALPHA, _SELU_SCALE, 1.0)


def celu(input, alpha=1.0, inplace=False):
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError")
    if inplace:
        return celu_(input, alpha)
    return _Celu.apply(input, alpha, 1.0, 1.0 / alpha)


def celu_(input, alpha=1.0):
    return inplace(input, _Celu.apply, alpha, 1.0, 1.0 / alpha)


class _Gelu(Function, node_name='GeluBackward0'):
    @staticmethod
    def forward(ctx, x, approximate):
        ctx.save_for_backward(x)
        ctx.approximate = approximate
        if approximate == 'tanh':
            inner = (x + x * x * x * 0.044715) * math.sqrt(2.0 / math.pi)
            return x * 0.5 * (tanh(inner) + 1.0)
        cdf = (erf(x * (1.0 / math.sqrt(2.0))) + 1.0) * 0.5
        ctx.cdf = cdf          # Phi(x): reused by backward (erf is the expensive part)
        return x * cdf

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        if ctx.approximate == 'tanh':
            k = math.sqrt(2.0 / math.pi)
            inner = (x + x * x * x * 0.044715) * k
            t = tanh(inner)
            d_inner = (x * x * (3 * 0.044715) + 1.0) * k
            return g * (0.5 * (t + 1.0) + x * 0.5 * (1.0 - t * t) * d_inner), None
        return _GeluGrad.apply(g, x, ctx.cdf), None

    saved_attrs = ('cdf',)


class _GeluGrad(Function, node_name='GeluBackwardBackward0'):
    """g * (Phi(x) + x * phi(x)), with Phi(x) from the forward; differentiable in g and x."""

    @staticmethod
    def forward(ctx, g, x, cdf):
        ctx.save_for_backward(g, x)
        ctx.cdf = cdf
        pdf = (x * x * -0.5).exp() * (1.0 / math.sqrt(2.0 * math.pi))
        return g * (cdf + x * pdf)

    @staticmethod
    def backward(ctx, gg):
        g, x = ctx.saved_tensors
        # recompute phi with ember ops so higher orders stay differentiable
        pdf = (x * x * -0.5).exp() * (1.0 / math.sqrt(2.0 * math.pi))
        cdf = (erf(x * (1.0 / math.sqrt(2.0))) + 1.0) * 0.5
        need_g, need_x = ctx.needs_input_grad[:2]
        return ((gg * (cdf + x * pdf)) if need_g else None,
                (gg * g * pdf * (2.0 - x * x)) if need_x else None, None)

    saved_attrs = ('cdf',)


def gelu(input, approximate='none'):
    """x * Phi(x) (exact) or its tanh approximation."""
    if approximate not in ('none', 'tanh'):
        raise RuntimeError("approximate argument must be either none or tanh.")
    _float_check(input, 'GeluKernelImpl')
    return _Gelu.apply(input, approximate)


class _Silu(Function, node_name='SiluBackward0'):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * sigmoid(x)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        s = sigmoid(x)
        return g * (s * (1.0 + x * (1.0 - s)))


def silu(input, inplace=False):
    """x * sigmoid(x)."""
    if inplace:
        return inplace_(input, _Silu.apply)
    return _Silu.apply(input)


def inplace_(t, fn, *args):
    return inplace(t, fn, *args)


class _Softplus(Function, node_name='SoftplusBackward0'):
    @staticmethod
    def forward(ctx, x, beta, threshold):
        xp = x._storage.device.xp
        a = x._data
        t = a.dtype.type
        z = a * t(beta)
        soft = xp.logaddexp(t(0), z) / t(beta)
        ctx.save_for_backward(x)
        ctx.beta, ctx.threshold = beta, threshold
        return xp.where(z > threshold, a, soft)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        z = x * ctx.beta
        return g * where(z > ctx.threshold, 1.0, sigmoid(z)).to(g.dtype), None, None


def softplus(input, beta=1.0, threshold=20.0):
    """log(1 + exp(beta x)) / beta, linear above threshold."""
    return _Softplus.apply(input, beta, threshold)


class _Mish(Function, node_name='MishBackward0'):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * tanh(softplus(x))

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        t = tanh(softplus(x))
        return g * (t + x * sigmoid(x) * (1.0 - t * t))


def mish(input, inplace=False):
    if inplace:
        return inplace_(input, _Mish.apply)
    return _Mish.apply(input)


def softsign(input):
    return input / (input.abs() + 1)


class _Hardsigmoid(Function, node_name='HardsigmoidBackward0'):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        a = x._data
        return x._storage.device.xp.clip(a / a.dtype.type(6) + a.dtype.type(0.5), 0, 1)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return g * ((x > -3.0) & (x < 3.0)) * (1.0 / 6.0)


def hardsigmoid(input, inplace=False):
    if inplace:
        return inplace_(input, _Hardsigmoid.apply)
    return _Hardsigmoid.apply(input)


class _Hardswish(Function, node_name='HardswishBackward0'):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        a = x._data
        t = a.dtype.type
        return a * x._storage.device.xp.clip(a + t(3), 0, 6) / t(6)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        mid = where(x < -3.0, 0.0, where(x <= 3.0, x / 3.0 + 0.5, 1.0))
        return g * mid.to(g.dtype)


def hardswish(input, inplace=False):
    if inplace:
        return inplace_(input, _Hardswish.apply)
    return _Hardswish.apply(input)


class _Hardshrink(Function, node_name='HardshrinkBackward0'):
    @staticmethod
    def forward(ctx, x, lambd):
        ctx.save_for_backward(x)
        ctx.lambd = lambd
        a = x._data
        return x._storage.device.xp.where((a > lambd) | (a < -lambd), a, a.dtype.type(0))

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return g * ((x > ctx.lambd) | (x < -ctx.lambd)), None


def hardshrink(input, lambd=0.5):
    return _Hardshrink.apply(input, lambd)


class _Softshrink(Function, node_name='SoftshrinkBackward0'):
    @staticmethod
    def forward(ctx, x, lambd):
        ctx.save_for_backward(x)
        ctx.lambd = lambd
        a = x._data
        t = a.dtype.type
        xp = x._storage.device.xp
        return xp.where(a > lambd, a - t(lambd), xp.where(a < -lambd, a + t(lambd), t(0)))

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return g * ((x > ctx.lambd) | (x < -ctx.lambd)), None


def softshrink(input, lambd=0.5):
    if lambd < 0:
        raise RuntimeError(f"lambda must be greater or equal to 0, but found to be {lambd}.")
    return _Softshrink.apply(input, lambd)


def tanhshrink(input):
    return input - input.tanh()


class _Threshold(Function, node_name='ThresholdBackward0'):
    @staticmethod
    def forward(ctx, x, threshold, value):
        ctx.save_for_backward(x)
        ctx.threshold = threshold
        a = x._data
        return x._storage.device.xp.where(a > threshold, a, a.dtype.type(value))

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return g * (x > ctx.threshold), None, None


def threshold(input, threshold, value, inplace=False):
    """x if x > threshold else value."""
    if inplace:
        return threshold_(input, threshold, value)
    return _Threshold.apply(input, threshold, value)


def threshold_(input, threshold, value):
    return inplace(input, _Threshold.apply, threshold, value)


class _LogSigmoid(Function, node_name='LogSigmoidBackward0'):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        a = x._data
        return -x._storage.device.xp.logaddexp(a.dtype.type(0), -a)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return g * sigmoid(-x)


def logsigmoid(input):
    """log(sigmoid(x)), computed stably."""
    return _LogSigmoid.apply(input)


def _softmax_dim(ndim):
    return 0 if ndim in (0, 1, 3) else 1


def _prep_softmax(input, dim, dtype, name):
    if dim is None:
        import warnings
        warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call "
                      "to include dim=X as an argument.", stacklevel=3)
        dim = _softmax_dim(input.dim())
    if dtype is not None:
        input = input.to(dtype)
    elif input._data.dtype.kind in 'iub':
        raise NotImplementedError(f'"{name}_lastdim_kernel_impl" not implemented for \'{_word(input.dtype)}\'')
    return input, wrap_dim(dim, input.dim())


class _Softmax(Function, node_name='SoftmaxBackward0'):
    @staticmethod
    def forward(ctx, x, dim):
        xp = x._storage.device.xp
        a = x._data
        if a.size == 0:
            out = a.copy()
        else:
            out = xp.asarray(a - a.max(axis=dim, keepdims=True))   # new array (0-d too)
            xp.exp(out, out=out)
            out /= out.sum(axis=dim, keepdims=True)
        out = Tensor._from_array(out, x._storage.device)
        ctx.save_for_backward(out)
        ctx.dim = dim
        return out

    @staticmethod
    def backward(ctx, g):
        out, = ctx.saved_tensors
        if not GradState.enabled:      # first-order backward: fused on arrays
            o, gd = out._data, g._data
            r = gd * o
            s = r.sum(axis=ctx.dim, keepdims=True)
            r -= o * s
            return Tensor._from_array(r, out._storage.device), None
        return out * (g - (g * out).sum(ctx.dim, keepdim=True)), None


class _LogSoftmax(Function, node_name='LogSoftmaxBackward0'):
    @staticmethod
    def forward(ctx, x, dim):
        xp = x._storage.device.xp
        a = x._data
        if a.size == 0:
            out = a.copy()
        else:
            out = a - a.max(axis=dim, keepdims=True)
            out -= xp.log(xp.exp(out).sum(axis=dim, keepdims=True))
        out = Tensor._from_array(out, x._storage.device)
        ctx.save_for_backward(out)
        ctx.dim = dim
        return out

    @staticmethod
    def backward(ctx, g):
        out, = ctx.saved_tensors
        if not GradState.enabled:      # first-order backward: fused on arrays
            xp = out._storage.device.xp
            r = xp.exp(out._data)
            r *= g._data.sum(axis=ctx.dim, keepdims=True)
            xp.subtract(g._data, r, out=r)
            return Tensor._from_array(r, out._storage.device), None
        return g - out.exp() * g.sum(ctx.dim, keepdim=True), None


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    """exp(x) / sum(exp(x)) along dim (max-shifted for stability)."""
    input, dim = _prep_softmax(input, dim, dtype, 'softmax')
    return _Softmax.apply(input, dim)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """x - logsumexp(x) along dim, computed stably in one pass."""
    input, dim = _prep_softmax(input, dim, dtype, 'log_softmax')
    return _LogSoftmax.apply(input, dim)


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    return softmax(-input, dim, dtype=dtype)


class _Glu(Function, node_name='GluBackward0'):
    @staticmethod
    def forward(ctx, x, dim):
        ctx.save_for_backward(x)
        ctx.dim = dim
        a, b = x.chunk(2, dim)
        return a * sigmoid(b)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        a, b = x.chunk(2, ctx.dim)
        s = sigmoid(b)
        from ... import cat
        return cat([g * s, g * a * s * (1.0 - s)], ctx.dim), None


def gumbel_softmax(logits, tau=1, hard=False, eps=1e-10, dim=-1):
    """Sample from Gumbel-Softmax: softmax((logits + g) / tau) with g ~ Gumbel(0, 1). With
    hard=True the forward value is the one-hot argmax and the gradient is the soft sample's
    (straight-through estimator)."""
    if eps != 1e-10:
        import warnings
        warnings.warn("`eps` parameter is deprecated and has no effect.", stacklevel=2)
    from ... import empty_like, zeros_like
    gumbels = -empty_like(logits).exponential_().log()
    y_soft = softmax((logits + gumbels) / tau, dim)
    if not hard:
        return y_soft
    index = y_soft.max(dim, keepdim=True)[1]
    y_hard = zeros_like(logits).scatter_(dim, index, 1.0)
    return y_hard - y_soft.detach() + y_soft


def glu(input, dim=-1):
    """a * sigmoid(b) where a, b are the halves of input along dim."""
    if input.dim() == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    dim = wrap_dim(dim, input.dim())
    if input.shape[dim] % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {dim} is size {input.shape[dim]}")
    return _Glu.apply(input, dim)


class _Prelu(Function, node_name='PreluKernelBackward0'):
    @staticmethod
    def forward(ctx, x, w):
        wv = _prelu_weight_view(x, w)
        ctx.save_for_backward(x, w)
        return where(x > 0, x, x * wv)

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        wv = _prelu_weight_view(x, w)
        pos = x > 0
        gx = where(pos, g, g * wv)
        gw = where(pos, 0.0, g * x).to(g.dtype)
        if w.numel() == 1:
            gw = gw.sum().reshape(w.shape)
        else:
            dims = [d for d in range(x.dim()) if d != 1]
            gw = gw.sum(dims).reshape(w.shape)
        return gx, gw


def _prelu_weight_view(x, w):
    if w.numel() == 1 or x.dim() < 2:
        return w.reshape(()) if w.numel() == 1 else w
    return w.reshape([1, -1] + [1] * (x.dim() - 2))


def prelu(input, weight):
    """x if x > 0 else weight * x (weight per channel, dim 1, or a single value)."""
    if weight.numel() != 1:
        ch = input.shape[1] if input.dim() >= 2 else input.shape[0] if input.dim() == 1 else 1
        if weight.numel() != ch:
            raise RuntimeError(f"Mismatch of parameter numbers and input channel size. Found parameter "
                               f"numbers = {weight.numel()} and channel size = {ch}.")
    return _Prelu.apply(input, weight)


class _RreluWithNoise(Function, node_name='RreluWithNoiseBackward0'):
    @staticmethod
    def forward(ctx, x, slopes):
        ctx.save_for_backward(slopes)
        return x * slopes

    @staticmethod
    def backward(ctx, g):
        slopes, = ctx.saved_tensors
        return g * slopes, None


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False):
    """Randomized leaky ReLU: random negative slope in [lower, upper] when training, mean slope otherwise."""
    if not training:
        return leaky_relu(input, (lower + upper) / 2, inplace)
    from ..._ops.creation import empty_like
    noise = empty_like(input).uniform_(lower, upper)
    slopes = where(input > 0, 1.0, noise).to(input.dtype)
    if inplace:
        return inplace_(input, _RreluWithNoise.apply, slopes)
    return _RreluWithNoise.apply(input, slopes)


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False):
    return rrelu(input, lower, upper, training, True)
