"""Observers: modules that watch the values flowing through them during calibration and turn
the observed range into a scale and zero point (torch.ao.quantization.observer).

`calculate_qparams()` follows torch's formulas (float32 arithmetic):
- affine: scale = (max(max,0) - min(min,0)) / (qmax - qmin), at least eps;
  zero_point = clamp(qmin - round(min(min,0) / scale), qmin, qmax)
- symmetric: scale = max(-min(min,0), max(max,0)) / ((qmax - qmin) / 2), at least eps;
  zero_point = 0 (128 for quint8, or the midpoint of a custom range)
- per_channel_affine_float_qparams: scale = (max - min) / (qmax - qmin) (1 where <= eps),
  zero_point = -min / scale (float).
"""
import math
import warnings

from ... import _dtype as D
from ..._tensor import Tensor
from ...nn.modules.module import Module
from .._qtensor import (per_tensor_affine, per_tensor_symmetric, per_channel_affine,
                        per_channel_symmetric, per_channel_affine_float_qparams)

__all__ = ['ObserverBase', 'UniformQuantizationObserverBase', 'MinMaxObserver',
           'MovingAverageMinMaxObserver', 'PerChannelMinMaxObserver',
           'MovingAveragePerChannelMinMaxObserver', 'HistogramObserver', 'PlaceholderObserver',
           'NoopObserver', 'default_observer', 'default_weight_observer',
           'default_per_channel_weight_observer', 'default_histogram_observer',
           'default_dynamic_quant_observer', 'default_float_qparams_observer',
           'default_placeholder_observer', 'default_debug_observer', 'get_observer_state_dict',
           'load_observer_state_dict']

_EPS = float.fromhex('0x1p-23')   # torch.finfo(torch.float32).eps


def _t(arr):
    return Tensor._from_array(arr)


def _xp():
    from ..._device import CPU
    return CPU.xp


class _PartialWrapper:
    """What `Observer.with_args(...)` returns: a factory that fills in the given kwargs."""

    def __init__(self, p, kwargs):
        self.p = p
        self.kwargs = kwargs

    def __call__(self, *args, **kwargs):
        kw = dict(self.kwargs)
        kw.update(kwargs)
        return self.p(*args, **kw)

    def with_args(self, **kwargs):
        kw = dict(self.kwargs)
        kw.update(kwargs)
        return _PartialWrapper(self.p, kw)

    def __repr__(self):
        def r(v):
            if isinstance(v, type):
                return f"<class '{_torch_name(v)}'>"
            return repr(v)
        args = ', '.join(f"{k}={r(v)}" for k, v in self.kwargs.items())
        return f"functools.partial(<class '{_torch_name(self.p)}'>, {args}){{}}"


def _torch_name(cls):
    return f"{cls.__module__.replace('ember', 'torch', 1)}.{cls.__name__}"


def _with_args(cls_or_self, **kwargs):
    return _PartialWrapper(cls_or_self, kwargs)


def _calculate_qmin_qmax(quant_min, quant_max, custom, dtype, reduce_range):
    if custom:
        if not quant_min <= 0 <= quant_max:
            raise AssertionError("Used-specified quantization range must include 0.")
        if quant_min >= quant_max:
            raise AssertionError("qmin must be strictly less than qmax for user-specified "
                                 "quantization range.")
        n = quant_max - quant_min + 1
        if dtype in (D.qint8, D.int8) and not 0 < n <= 256:
            raise AssertionError("quantization range should be positive and not exceed the "
                                 "maximum bit range (=256).")
        if reduce_range:
            quant_min, quant_max = quant_min // 2, quant_max // 2
        return quant_min, quant_max
    if dtype in (D.qint8, D.int8):
        return (-64, 63) if reduce_range else (-128, 127)
    if dtype in (D.quint8, D.uint8):
        return (0, 127) if reduce_range else (0, 255)
    if dtype in (D.qint32, D.int32):
        return -2 ** 31, 2 ** 31 - 1
    if dtype is D.int16:
        return -2 ** 15, 2 ** 15 - 1
    if dtype is D.uint16:
        return 0, 2 ** 16 - 1
    return 0, 15


class ObserverBase(Module):
    """Base of all observers: a module with a target `dtype`; calculate_qparams is abstract."""

    def __init__(self, dtype, is_dynamic=False):
        super().__init__()
        self.dtype = dtype
        self.is_dynamic = is_dynamic

    def forward(self, x):
        raise NotImplementedError

    def calculate_qparams(self, **kwargs):
        raise NotImplementedError

    with_args = classmethod(_with_args)


_QSCHEMES = (per_tensor_affine, per_tensor_symmetric, per_channel_affine, per_channel_symmetric,
             per_channel_affine_float_qparams)
_DTYPES = (D.qint8, D.quint8, D.qint32, D.int8, D.uint8, D.int16, D.int32, D.uint16)


class UniformQuantizationObserverBase(ObserverBase):
    """Common range/qscheme handling and torch's qparams formulas (module docstring)."""

    def __init__(self, dtype=D.quint8, qscheme=per_tensor_affine, reduce_range=False,
                 quant_min=None, quant_max=None, factory_kwargs=None, eps=_EPS,
                 is_dynamic=False, **kwargs):
        super().__init__(dtype=dtype, is_dynamic=is_dynamic)
        self.qscheme = qscheme
        if reduce_range:
            warnings.warn("Please use quant_min and quant_max to specify the range for "
                          "observers. reduce_range will be deprecated in a future release of "
                          "PyTorch.", stacklevel=2)
        self.reduce_range = reduce_range
        self.register_buffer('eps', _t(_xp().asarray([eps], dtype='float32')))
        if qscheme not in _QSCHEMES:
            raise AssertionError("Default Observer only works for per_tensor_affine, "
                                 "per_tensor_symmetric, per_channel_affine, "
                                 "per_channel_symmetric and per_channel_float_qparams "
                                 "quantization scheme")
        if dtype not in _DTYPES:
            raise AssertionError(f"Default Observer only works for {_DTYPES} data type")
        self.has_customized_qrange = quant_min is not None and quant_max is not None
        self.quant_min, self.quant_max = _calculate_qmin_qmax(
            quant_min, quant_max, self.has_customized_qrange, dtype, reduce_range)

    def _calculate_qparams(self, min_val, max_val):
        """(scale float32, zero_point) tensors from observed min/max tensors."""
        xp = _xp()
        mn = min_val.detach()._data.astype('float32')
        mx = max_val.detach()._data.astype('float32')
        if not _valid(xp, mn, mx):
            return _t(xp.asarray([1.0], dtype='float32')), _t(xp.asarray([0], dtype='int64'))
        qmin, qmax = self.quant_min, self.quant_max
        eps = self.eps._data.astype('float32')
        mn_neg = xp.minimum(mn, xp.float32(0))
        mx_pos = xp.maximum(mx, xp.float32(0))
        zp = xp.zeros(mn.shape, dtype='int64')
        if self.qscheme in (per_tensor_symmetric, per_channel_symmetric):
            mx_pos = xp.maximum(-mn_neg, mx_pos)
            scale = (mx_pos / xp.float32(float(qmax - qmin) / 2)).astype('float32')
            scale = xp.maximum(scale, eps.reshape(()) if mn.ndim == 0 else eps)
            if self.dtype in (D.quint8, D.uint8):
                zp = xp.full(mn.shape, (qmin + qmax) // 2 if self.has_customized_qrange else 128,
                             dtype='int64')
            elif self.dtype is D.uint16:
                zp = xp.full(mn.shape, 2 ** 15, dtype='int64')
        elif self.qscheme is per_channel_affine_float_qparams:
            scale = ((mx - mn) / xp.float32(float(qmax - qmin))).astype('float32')
            scale = xp.where(scale > eps, scale, xp.float32(1)).astype('float32')
            zp = (-1 * mn / scale).astype('float32')
        else:
            scale = ((mx_pos - mn_neg) / xp.float32(float(qmax - qmin))).astype('float32')
            scale = xp.maximum(scale, eps.reshape(()) if mn.ndim == 0 else eps)
            zp = qmin - xp.rint(mn_neg / scale).astype('int32')
            zp = xp.clip(zp, qmin, qmax).astype('int32')
        scale = xp.asarray(scale, dtype='float32').reshape(-1) if scale.ndim == 0 else scale
        zp = zp.reshape(-1) if zp.ndim == 0 else zp
        return _t(xp.ascontiguousarray(scale)), _t(xp.ascontiguousarray(zp))

    def reset_min_max_vals(self):
        raise NotImplementedError("Cannot reset min/max values in the given observer.")


def _valid(xp, mn, mx):
    """torch's check_min_max_valid: not the untouched +/-inf state, and min <= max."""
    if mn.size == 0 or mx.size == 0:
        warnings.warn("must run observer before calling calculate_qparams. Returning default "
                      "values.", stacklevel=3)
        return False
    if mn.ndim == 0 or mn.size == 1:
        if float(mn.reshape(-1)[0]) == math.inf and float(mx.reshape(-1)[0]) == -math.inf:
            warnings.warn("must run observer before calling calculate_qparams. Returning "
                          "default values.", stacklevel=3)
            return False
    if not bool(xp.all(mn <= mx)):
        raise AssertionError(f"min {mn} should be less than max {mx}")
    return True


class MinMaxObserver(UniformQuantizationObserverBase):
    """Tracks the running min and max of everything it sees."""

    def __init__(self, dtype=D.quint8, qscheme=per_tensor_affine, reduce_range=False,
                 quant_min=None, quant_max=None, factory_kwargs=None, eps=_EPS,
                 is_dynamic=False, **kwargs):
        if qscheme not in (per_tensor_affine, per_tensor_symmetric) and \
                type(self) in (MinMaxObserver, MovingAverageMinMaxObserver):
            raise NotImplementedError("MinMaxObserver's qscheme only support "
                                      "torch.per_tensor_symmetric and torch.per_tensor_affine.")
        super().__init__(dtype, qscheme, reduce_range, quant_min, quant_max, factory_kwargs,
                         eps, is_dynamic, **kwargs)
        xp = _xp()
        self.register_buffer('min_val', _t(xp.asarray(math.inf, dtype='float32')))
        self.register_buffer('max_val', _t(xp.asarray(-math.inf, dtype='float32')))
        if qscheme is per_tensor_symmetric and reduce_range and dtype is D.quint8:
            raise NotImplementedError("Cannot reduce range for symmetric quantization for quint8")

    def _minmax(self, x_orig):
        x = x_orig.detach()._data.astype('float32')
        return x.min(), x.max()

    def forward(self, x_orig):
        if x_orig.numel() == 0:
            return x_orig
        xp = _xp()
        cmin, cmax = self._minmax(x_orig)
        self.min_val = _t(xp.minimum(cmin, self.min_val._data).astype('float32'))
        self.max_val = _t(xp.maximum(cmax, self.max_val._data).astype('float32'))
        return x_orig

    def calculate_qparams(self):
        return self._calculate_qparams(self.min_val, self.max_val)

    def extra_repr(self):
        return f"min_val={float(self.min_val)}, max_val={float(self.max_val)}"

    def reset_min_max_vals(self):
        xp = _xp()
        self.min_val = _t(xp.asarray(math.inf, dtype='float32'))
        self.max_val = _t(xp.asarray(-math.inf, dtype='float32'))


class MovingAverageMinMaxObserver(MinMaxObserver):
    """min/max as exponential moving averages: v += averaging_constant * (current - v)."""

    def __init__(self, averaging_constant=0.01, dtype=D.quint8, qscheme=per_tensor_affine,
                 reduce_range=False, quant_min=None, quant_max=None, eps=_EPS, is_dynamic=False,
                 **kwargs):
        if is_dynamic and averaging_constant != 1:
            raise NotImplementedError("MovingAverageMinMaxObserver doesn't support dynamic "
                                      "quantization for averaging constant of "
                                      f"{averaging_constant}")
        super().__init__(dtype=dtype, qscheme=qscheme, reduce_range=reduce_range,
                         quant_min=quant_min, quant_max=quant_max, eps=eps,
                         is_dynamic=is_dynamic, **kwargs)
        self.averaging_constant = averaging_constant

    def forward(self, x_orig):
        if x_orig.numel() == 0:
            return x_orig
        xp = _xp()
        cmin, cmax = self._minmax(x_orig)
        mn, mx = self.min_val._data, self.max_val._data
        c = xp.float32(self.averaging_constant)
        if float(mn) == math.inf and float(mx) == -math.inf:
            mn, mx = cmin, cmax
        else:
            mn = mn + c * (cmin - mn)
            mx = mx + c * (cmax - mx)
        self.min_val = _t(xp.asarray(mn, dtype='float32'))
        self.max_val = _t(xp.asarray(mx, dtype='float32'))
        return x_orig


class PerChannelMinMaxObserver(UniformQuantizationObserverBase):
    """Running min/max per slice along ch_axis (weights: one scale per output channel)."""

    def __init__(self, ch_axis=0, dtype=D.quint8, qscheme=per_channel_affine,
                 reduce_range=False, quant_min=None, quant_max=None, factory_kwargs=None,
                 eps=_EPS, is_dynamic=False, **kwargs):
        if qscheme not in (per_channel_affine, per_channel_symmetric,
                           per_channel_affine_float_qparams):
            raise NotImplementedError("PerChannelMinMaxObserver's qscheme only support "
                                      "torch.per_channel_symmetric, torch.per_channel_affine "
                                      "and torch.per_channel_affine_float_qparams.")
        super().__init__(dtype, qscheme, reduce_range, quant_min, quant_max, factory_kwargs,
                         eps, is_dynamic, **kwargs)
        self.ch_axis = ch_axis
        xp = _xp()
        self.register_buffer('min_val', _t(xp.zeros((0,), dtype='float32')))
        self.register_buffer('max_val', _t(xp.zeros((0,), dtype='float32')))

    def _channel_minmax(self, x_orig):
        xp = _xp()
        x = x_orig.detach()._data.astype('float32')
        axis = self.ch_axis if self.ch_axis >= 0 else self.ch_axis + x.ndim
        y = xp.moveaxis(x, axis, 0).reshape(x.shape[axis], -1)
        return y.min(axis=1), y.max(axis=1)

    def forward(self, x_orig):
        if x_orig.numel() == 0:
            return x_orig
        xp = _xp()
        cmin, cmax = self._channel_minmax(x_orig)
        mn, mx = self.min_val._data, self.max_val._data
        if mn.size == 0 or mx.size == 0:
            mn, mx = cmin, cmax
        else:
            mn, mx = xp.minimum(cmin, mn), xp.maximum(cmax, mx)
        self.min_val = _t(mn.astype('float32'))
        self.max_val = _t(mx.astype('float32'))
        return x_orig

    def calculate_qparams(self):
        return self._calculate_qparams(self.min_val, self.max_val)

    def extra_repr(self):
        return f"min_val={self.min_val}, max_val={self.max_val}"

    def reset_min_max_vals(self):
        xp = _xp()
        self.min_val = _t(xp.zeros((0,), dtype='float32'))
        self.max_val = _t(xp.zeros((0,), dtype='float32'))


class MovingAveragePerChannelMinMaxObserver(PerChannelMinMaxObserver):
    """Per-channel min/max as exponential moving averages."""

    def __init__(self, averaging_constant=0.01, ch_axis=0, dtype=D.quint8,
                 qscheme=per_channel_affine, reduce_range=False, quant_min=None,
                 quant_max=None, eps=_EPS, is_dynamic=False, **kwargs):
        super().__init__(ch_axis=ch_axis, dtype=dtype, qscheme=qscheme,
                         reduce_range=reduce_range, quant_min=quant_min, quant_max=quant_max,
                         eps=eps, is_dynamic=is_dynamic, **kwargs)
        self.averaging_constant = averaging_constant

    def forward(self, x_orig):
        if x_orig.numel() == 0:
            return x_orig
        cmin, cmax = self._channel_minmax(x_orig)
        mn, mx = self.min_val._data, self.max_val._data
        if mn.size == 0 or mx.size == 0:
            mn, mx = cmin, cmax
        else:
            c = _xp().float32(self.averaging_constant)
            mn = mn + c * (cmin - mn)
            mx = mx + c * (cmax - mx)
        self.min_val = _t(mn.astype('float32'))
        self.max_val = _t(mx.astype('float32'))
        return x_orig


class PlaceholderObserver(ObserverBase):
    """Records nothing; carries the dtype (and options) a later pass will use."""

    def __init__(self, dtype=D.float32, custom_op_name='', compute_dtype=None, quant_min=None,
                 quant_max=None, qscheme=None, eps=None, is_dynamic=False):
        super().__init__(dtype=dtype, is_dynamic=is_dynamic)
        if qscheme is None:
            qscheme = per_tensor_affine
        if eps is None:
            eps = _EPS
        self.quant_min = quant_min
        self.quant_max = quant_max
        self.qscheme = qscheme
        self.eps = eps
        self.custom_op = custom_op_name
        if compute_dtype:
            self.is_dynamic = True

    def forward(self, x):
        return x

    def calculate_qparams(self):
        raise Exception("calculate_qparams should not be called for PlaceholderObserver")

    def extra_repr(self):
        return f"dtype={self.dtype}, is_dynamic={self.is_dynamic}"


class NoopObserver(ObserverBase):
    """Passes values through (used for float16 placeholders)."""

    def __init__(self, dtype=D.float16, custom_op_name=''):
        super().__init__(dtype=dtype)
        self.dtype = dtype
        self.custom_op = custom_op_name

    def forward(self, x):
        return x

    def calculate_qparams(self):
        raise Exception("calculate_qparams should not be called for NoopObserver")


class RecordingObserver(ObserverBase):
    """Keeps every tensor it sees in `tensor_val` (debugging)."""

    def __init__(self, dtype=D.quint8):
        super().__init__(dtype=dtype)
        self.tensor_val = []

    def forward(self, x):
        self.tensor_val.append(x.clone())
        return x

    def calculate_qparams(self):
        raise Exception("calculate_qparams should not be called for RecordingObserver")

    def get_tensor_value(self):
        return self.tensor_val


from ._histogram import HistogramObserver  # noqa: E402
HistogramObserver.__module__ = __name__


def get_observer_state_dict(mod):
    """The state_dict entries of every observer/fake-quant module in mod."""
    from collections import OrderedDict
    od = OrderedDict()
    for k, v in mod.state_dict().items():
        if 'observer' in k or 'activation_post_process' in k:
            od[k] = v
    od._metadata = getattr(mod.state_dict(), '_metadata', None)
    return od


def load_observer_state_dict(mod, obs_dict):
    missing, unexpected = mod.load_state_dict(obs_dict, strict=False)
    for k in missing:
        if 'observer' in k or 'activation_post_process' in k:
            raise Exception(f"Missing keys for observer {k} in state_dict")
    for k in unexpected:
        if 'observer' in k or 'activation_post_process' in k:
            raise Exception(f"Unexpected keys for observer {k} in state_dict")


default_observer = MinMaxObserver.with_args(quant_min=0, quant_max=127)
default_placeholder_observer = PlaceholderObserver
default_debug_observer = RecordingObserver
default_weight_observer = MinMaxObserver.with_args(dtype=D.qint8, qscheme=per_tensor_symmetric)
default_histogram_observer = HistogramObserver.with_args(quant_min=0, quant_max=127)
default_per_channel_weight_observer = PerChannelMinMaxObserver.with_args(
    dtype=D.qint8, qscheme=per_channel_symmetric)
default_dynamic_quant_observer = PlaceholderObserver.with_args(
    dtype=D.quint8, quant_min=0, quant_max=255, is_dynamic=True)
default_float_qparams_observer = PerChannelMinMaxObserver.with_args(
    dtype=D.quint8, qscheme=per_channel_affine_float_qparams, ch_axis=0)
