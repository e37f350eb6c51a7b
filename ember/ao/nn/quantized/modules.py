"""Quantized modules (torch.ao.nn.quantized): what convert() swaps float modules for.

Weights are stored as qint8 quantized tensors, activations flow as quint8 quantized tensors,
and Linear/Conv2d accumulate in int32 (see _kernels.py). state_dict holds plain tensors:
`weight` (the int8 values), `weight_scale`/`weight_zero_point` (one per output channel for
per-channel weights), `bias` (float), `scale`, `zero_point`, so a saved model is ~4x smaller.
"""
from .... import _dtype as D
from ...._tensor import Tensor
from ....nn.modules.module import Module
from ....nn.modules.activation import ReLU as _FloatReLU
from ..._qtensor import (quantize_per_tensor, quantize_per_channel, _make_q, QTensor,
                         per_tensor_affine, per_channel_affine, per_tensor_symmetric,
                         per_channel_symmetric)
from . import _kernels as K

__all__ = ['Quantize', 'DeQuantize', 'Linear', 'Conv2d', 'ReLU', 'ReLU6']


def _xp():
    from ...._device import CPU
    return CPU.xp


def _quantize_weight(w, observer):
    """Quantize float weight w with the (already run) weight observer's qparams."""
    scale, zp = observer.calculate_qparams()
    w = w.detach().float()
    if observer.qscheme in (per_tensor_symmetric, per_tensor_affine):
        return quantize_per_tensor(w, float(scale.item()), int(zp.item()), observer.dtype)
    if observer.qscheme in (per_channel_symmetric, per_channel_affine):
        return quantize_per_channel(w, scale.double(), zp.long(), observer.ch_axis, observer.dtype)
    raise ValueError(f"Unsupported qscheme: {observer.qscheme}")


def _weight_and_act(mod):
    """(weight observer (run on the weight), activation observer) of a prepared float module."""
    wpp = getattr(mod, 'weight_fake_quant', None)
    if wpp is None:
        if not hasattr(mod, 'qconfig') or mod.qconfig is None:
            raise AssertionError("Input float module must have qconfig defined")
        wpp = mod.qconfig.weight()
    if not hasattr(mod, 'activation_post_process'):
        raise AssertionError("Input float module must have observer attached (call prepare "
                             "and calibrate before convert)")
    return wpp, mod.activation_post_process


class Quantize(Module):
    """float -> quantized tensor with fixed scale/zero point (from QuantStub's observer)."""

    def __init__(self, scale, zero_point, dtype, factory_kwargs=None):
        super().__init__()
        xp = _xp()
        self.register_buffer('scale', Tensor._from_array(xp.asarray([scale], dtype='float32')))
        self.register_buffer('zero_point', Tensor._from_array(xp.asarray([zero_point], dtype='int64')))
        self.dtype = dtype

    def forward(self, X):
        return quantize_per_tensor(X, float(self.scale.item()), int(self.zero_point.item()),
                                   self.dtype)

    @staticmethod
    def from_float(mod, use_precomputed_fake_quant=False):
        if not hasattr(mod, 'activation_post_process'):
            raise AssertionError("Input float module must have observer attached")
        scale, zp = mod.activation_post_process.calculate_qparams()
        return Quantize(float(scale.item()), int(zp.item()), mod.activation_post_process.dtype)

    def extra_repr(self):
        return f"scale={self.scale}, zero_point={self.zero_point}, dtype={self.dtype}"


class DeQuantize(Module):
    """quantized tensor -> float32."""

    def forward(self, Xq):
        return Xq.dequantize()

    @staticmethod
    def from_float(mod, use_precomputed_fake_quant=False):
        return DeQuantize()


class _QWeighted(Module):
    """Shared state of quantized Linear/Conv: qint8 weight, float bias, output scale/zp."""
    _FLOAT_NAME = ''

    def _init_q(self, out_ch, weight_shape, bias, dtype=D.qint8):
        xp = _xp()
        self.scale = 1.0
        self.zero_point = 0
        w = Tensor._from_array(xp.zeros(weight_shape, dtype='float32'))
        self.set_weight_bias(quantize_per_tensor(w, 1.0, 0, dtype),
                             Tensor._from_array(xp.zeros(out_ch, dtype='float32')) if bias else None)

    def set_weight_bias(self, w, b):
        self._weight = w
        self._bias = b

    def weight(self):
        return self._weight

    def bias(self):
        return self._bias

    def _weight_bias(self):
        return self._weight, self._bias

    # state dict as plain tensors
    def _save_to_state_dict(self, destination, prefix, keep_vars):
        super()._save_to_state_dict(destination, prefix, keep_vars)
        w = self._weight
        xp = _xp()
        destination[prefix + 'weight'] = w.int_repr()
        if w.qscheme() is per_tensor_affine:
            destination[prefix + 'weight_scale'] = Tensor._from_array(xp.asarray([w.q_scale()], dtype='float64'))
            destination[prefix + 'weight_zero_point'] = Tensor._from_array(xp.asarray([w.q_zero_point()], dtype='int64'))
        else:
            destination[prefix + 'weight_scale'] = w.q_per_channel_scales()
            destination[prefix + 'weight_zero_point'] = w.q_per_channel_zero_points()
        if self._bias is not None:
            destination[prefix + 'bias'] = self._bias.detach()
        destination[prefix + 'scale'] = Tensor._from_array(xp.asarray(self.scale, dtype='float32'))
        destination[prefix + 'zero_point'] = Tensor._from_array(xp.asarray(self.zero_point, dtype='int64'))

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys,
                              unexpected_keys, error_msgs):
        keys = ['weight', 'weight_scale', 'weight_zero_point', 'scale', 'zero_point']
        if self._bias is not None:
            keys.append('bias')
        for k in keys:
            if prefix + k not in state_dict:
                missing_keys.append(prefix + k)
        if any(prefix + k not in state_dict for k in keys):
            return
        w = state_dict[prefix + 'weight']
        s, z = state_dict[prefix + 'weight_scale'], state_dict[prefix + 'weight_zero_point']
        qd = {'int8': D.qint8, 'uint8': D.quint8, 'int32': D.qint32}[w.dtype.name]
        dev = w._storage.device
        arr = w.detach()._data.copy()
        if s.numel() == 1 and self._weight._q_axis is None:
            q = _make_q(arr, dev, qd, per_tensor_affine, float(s.item()), int(z.item()))
        else:
            q = _make_q(arr, dev, qd, per_channel_affine, scales=s.double(), zps=z.long(), axis=0)
        self.set_weight_bias(q, state_dict[prefix + 'bias'].detach().float()
                             if self._bias is not None else None)
        self.scale = float(state_dict[prefix + 'scale'].item())
        self.zero_point = int(state_dict[prefix + 'zero_point'].item())


class Linear(_QWeighted):
    """Quantized linear: quint8 in, qint8 weight, int32 accumulation, quint8 out."""
    _FUSED_RELU = False

    def __init__(self, in_features, out_features, bias_=True, dtype=D.qint8):
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        self._init_q(out_features, (out_features, in_features), bias_, dtype)

    def _get_name(self):
        return 'QuantizedLinear' + ('ReLU' if self._FUSED_RELU else '')

    def forward(self, x):
        return K.quantized_linear(x, self._weight, self._bias, self.scale, self.zero_point,
                                  relu=self._FUSED_RELU)

    def extra_repr(self):
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"scale={self.scale}, zero_point={self.zero_point}, "
                f"qscheme={self._weight.qscheme()}")

    @classmethod
    def from_float(cls, mod, use_precomputed_fake_quant=False):
        wpp, app = _weight_and_act(mod)
        if hasattr(mod, '_modules') and '0' in mod._modules:       # fused LinearReLU
            mod = mod[0]
        if not use_precomputed_fake_quant:
            wpp(mod.weight)
        if wpp.dtype is not D.qint8:
            raise AssertionError("Weight observer must have dtype torch.qint8")
        qw = _quantize_weight(mod.weight, wpp)
        scale, zp = app.calculate_qparams()
        q = cls(mod.in_features, mod.out_features)
        q.set_weight_bias(qw, None if mod.bias is None else mod.bias.detach().float().clone())
        q.scale, q.zero_point = float(scale.item()), int(zp.item())
        return q


def _pair(v):
    return tuple(v) if isinstance(v, (tuple, list)) else (v, v)


class Conv2d(_QWeighted):
    """Quantized 2-D convolution (zeros padding) over quint8 NCHW input."""
    _FUSED_RELU = False

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1,
                 groups=1, bias=True, padding_mode='zeros', device=None, dtype=None):
        super().__init__()
        if padding_mode != 'zeros':
            raise NotImplementedError("Only 'zeros' padding_mode is supported by quantized Conv2d")
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size = _pair(kernel_size)
        self.stride, self.padding, self.dilation = _pair(stride), _pair(padding), _pair(dilation)
        self.groups = groups
        self.padding_mode = padding_mode
        self._init_q(out_channels, (out_channels, in_channels // groups) + self.kernel_size, bias)

    def _get_name(self):
        return 'QuantizedConv2d' if not self._FUSED_RELU else 'QuantizedConvReLU2d'

    def forward(self, x):
        if x.ndim != 4:
            raise ValueError("Input shape must be `(N, C, H, W)`!")
        return K.quantized_conv2d(x, self._weight, self._bias, self.stride, self.padding,
                                  self.dilation, self.groups, self.scale, self.zero_point,
                                  relu=self._FUSED_RELU)

    def extra_repr(self):
        s = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
             f"stride={self.stride}, scale={self.scale}, zero_point={self.zero_point}")
        if self.padding != (0, 0):
            s += f", padding={self.padding}"
        if self.dilation != (1, 1):
            s += f", dilation={self.dilation}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self._bias is None:
            s += ", bias=False"
        return s

    @classmethod
    def from_float(cls, mod, use_precomputed_fake_quant=False):
        wpp, app = _weight_and_act(mod)
        if hasattr(mod, '_modules') and '0' in mod._modules:       # fused ConvReLU2d
            mod = mod[0]
        if mod.padding_mode != 'zeros':
            raise NotImplementedError("Only 'zeros' padding_mode is supported by quantized Conv2d")
        if isinstance(mod.padding, str):
            raise NotImplementedError("string padding is not supported by quantized Conv2d")
        if not use_precomputed_fake_quant:
            wpp(mod.weight)
        qw = _quantize_weight(mod.weight, wpp)
        scale, zp = app.calculate_qparams()
        q = cls(mod.in_channels, mod.out_channels, mod.kernel_size, mod.stride, mod.padding,
                mod.dilation, mod.groups, mod.bias is not None)
        q.set_weight_bias(qw, None if mod.bias is None else mod.bias.detach().float().clone())
        q.scale, q.zero_point = float(scale.item()), int(zp.item())
        return q


class ReLU(_FloatReLU):
    """ReLU that also takes quantized tensors: max(q, zero_point) keeps the input's qparams.
    (torch keeps nn.ReLU and dispatches on the tensor; ember swaps in this subclass.)"""

    def forward(self, input):
        if isinstance(input, QTensor):
            xp = input._storage.device.xp
            if input._q_axis is not None:
                raise NotImplementedError("relu of a per-channel quantized tensor")
            out = xp.maximum(input._data, input._data.dtype.type(input._q_zp))
            if self.inplace:
                input._data[...] = out
                return input
            return _make_q(out, input._storage.device, input._qdtype, input._qscheme,
                           input._q_scale, input._q_zp)
        return super().forward(input)

    @classmethod
    def from_float(cls, mod, use_precomputed_fake_quant=False):
        return cls(mod.inplace)


class ReLU6(Module):
    """min(max(q, zp), zp + round(6 / scale)) on quantized tensors."""

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        if not isinstance(input, QTensor):
            from ....nn import functional as F
            return F.relu6(input)
        xp = input._storage.device.xp
        hi = input._q_zp + round(6.0 / input._q_scale)
        out = xp.clip(input._data.astype(xp.int64), input._q_zp, hi).astype(input._data.dtype)
        return _make_q(out, input._storage.device, input._qdtype, input._qscheme,
                       input._q_scale, input._q_zp)

    @classmethod
    def from_float(cls, mod, use_precomputed_fake_quant=False):
        return cls(mod.inplace)
