"""FakeQuantize: an observer plus quantize-then-dequantize in float, for quantization-aware
training (torch.ao.quantization.fake_quantize). Gradients pass straight through inside the
quantization range."""
from ... import _dtype as D
from ..._tensor import Tensor
from ...nn.modules.module import Module
from .._qtensor import (fake_quantize_per_tensor_affine, fake_quantize_per_channel_affine,
                        per_channel_affine, per_channel_symmetric, per_channel_affine_float_qparams,
                        per_tensor_affine, per_tensor_symmetric)
from .observer import (MovingAverageMinMaxObserver, MovingAveragePerChannelMinMaxObserver,
                       _with_args, _xp)

__all__ = ['FakeQuantizeBase', 'FakeQuantize', 'FusedMovingAvgObsFakeQuantize',
           'default_fake_quant', 'default_weight_fake_quant', 'default_per_channel_weight_fake_quant',
           'default_fused_act_fake_quant', 'default_fused_wt_fake_quant',
           'default_fused_per_channel_wt_fake_quant', 'disable_fake_quant', 'enable_fake_quant',
           'disable_observer', 'enable_observer']

_PER_CHANNEL = (per_channel_affine, per_channel_symmetric, per_channel_affine_float_qparams)


def _flag(v):
    return Tensor._from_array(_xp().asarray([v], dtype='uint8'))


class FakeQuantizeBase(Module):
    """Holds the fake_quant_enabled / observer_enabled flags (uint8 buffers)."""

    def __init__(self):
        super().__init__()
        self.register_buffer('fake_quant_enabled', _flag(1))
        self.register_buffer('observer_enabled', _flag(1))

    def enable_fake_quant(self, enabled=True):
        self.fake_quant_enabled._data[0] = 1 if enabled else 0

    def disable_fake_quant(self):
        self.enable_fake_quant(False)

    def enable_observer(self, enabled=True):
        self.observer_enabled._data[0] = 1 if enabled else 0

    def disable_observer(self):
        self.enable_observer(False)

    with_args = classmethod(_with_args)


class FakeQuantize(FakeQuantizeBase):
    """Observe x (when enabled), then return fake_quantize(x, scale, zero_point) (when enabled)."""

    def __init__(self, observer=MovingAverageMinMaxObserver, quant_min=None, quant_max=None,
                 is_dynamic=False, **observer_kwargs):
        super().__init__()
        if quant_min is not None and quant_max is not None:
            if quant_min > quant_max:
                raise AssertionError("quant_min must be less than or equal to quant_max")
            observer_kwargs['quant_min'] = quant_min
            observer_kwargs['quant_max'] = quant_max
        observer_kwargs['is_dynamic'] = is_dynamic
        self.activation_post_process = observer(**observer_kwargs)
        self.quant_min = self.activation_post_process.quant_min
        self.quant_max = self.activation_post_process.quant_max
        self.is_dynamic = self.activation_post_process.is_dynamic
        xp = _xp()
        self.register_buffer('scale', Tensor._from_array(xp.asarray([1.0], dtype='float32')))
        self.register_buffer('zero_point', Tensor._from_array(xp.asarray([0], dtype='int32')))
        self.dtype = self.activation_post_process.dtype
        self.qscheme = self.activation_post_process.qscheme
        self.ch_axis = getattr(self.activation_post_process, 'ch_axis', -1)
        self.is_per_channel = self.qscheme in _PER_CHANNEL

    def calculate_qparams(self):
        return self.activation_post_process.calculate_qparams()

    def forward(self, X):
        if self.observer_enabled._data[0] == 1:
            self.activation_post_process(X.detach())
            s, z = self.calculate_qparams()
            self.scale = Tensor._from_array(s._data.astype('float32'))
            self.zero_point = Tensor._from_array(z._data.astype('int32'))
        if self.fake_quant_enabled._data[0] == 1:
            if self.is_per_channel:
                X = fake_quantize_per_channel_affine(X, self.scale, self.zero_point, self.ch_axis,
                                                     self.quant_min, self.quant_max)
            else:
                X = fake_quantize_per_tensor_affine(X, self.scale, self.zero_point,
                                                    self.quant_min, self.quant_max)
        return X

    def extra_repr(self):
        return (f"fake_quant_enabled={self.fake_quant_enabled}, observer_enabled="
                f"{self.observer_enabled}, quant_min={self.quant_min}, quant_max={self.quant_max}, "
                f"dtype={self.dtype}, qscheme={self.qscheme}, ch_axis={self.ch_axis}, "
                f"scale={self.scale}, zero_point={self.zero_point}")


class FusedMovingAvgObsFakeQuantize(FakeQuantize):
    """torch's fused observer+fake-quant kernel; same results as FakeQuantize here."""

    def __init__(self, observer=MovingAverageMinMaxObserver, quant_min=0, quant_max=255,
                 **observer_kwargs):
        super().__init__(observer, quant_min, quant_max, **observer_kwargs)


default_fake_quant = FakeQuantize.with_args(
    observer=MovingAverageMinMaxObserver, quant_min=0, quant_max=255, dtype=D.quint8,
    qscheme=per_tensor_affine, reduce_range=True)
default_weight_fake_quant = FakeQuantize.with_args(
    observer=MovingAverageMinMaxObserver, quant_min=-128, quant_max=127, dtype=D.qint8,
    qscheme=per_tensor_symmetric, reduce_range=False)
default_per_channel_weight_fake_quant = FakeQuantize.with_args(
    observer=MovingAveragePerChannelMinMaxObserver, quant_min=-128, quant_max=127,
    dtype=D.qint8, qscheme=per_channel_symmetric, reduce_range=False, ch_axis=0)
default_fused_act_fake_quant = FusedMovingAvgObsFakeQuantize.with_args(
    observer=MovingAverageMinMaxObserver, quant_min=0, quant_max=255, dtype=D.quint8)
default_fused_wt_fake_quant = FusedMovingAvgObsFakeQuantize.with_args(
    observer=MovingAverageMinMaxObserver, quant_min=-128, quant_max=127, dtype=D.qint8,
    qscheme=per_tensor_symmetric)
default_fused_per_channel_wt_fake_quant = FusedMovingAvgObsFakeQuantize.with_args(
    observer=MovingAveragePerChannelMinMaxObserver, quant_min=-128, quant_max=127,
    dtype=D.qint8, qscheme=per_channel_symmetric)


def disable_fake_quant(mod):
    """For model.apply: turn fake quantization off in every FakeQuantize."""
    if isinstance(mod, FakeQuantizeBase):
        mod.disable_fake_quant()


def enable_fake_quant(mod):
    if isinstance(mod, FakeQuantizeBase):
        mod.enable_fake_quant()


def disable_observer(mod):
    if isinstance(mod, FakeQuantizeBase):
        mod.disable_observer()


def enable_observer(mod):
    if isinstance(mod, FakeQuantizeBase):
        mod.enable_observer()
