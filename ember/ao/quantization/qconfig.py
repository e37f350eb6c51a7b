"""QConfig: which observer (or fake-quant) class makes the activation and weight ranges, and
torch's default configurations per backend ('x86', 'fbgemm', 'qnnpack')."""
from collections import namedtuple

from ... import _dtype as D
from ...nn.modules.module import Module
from .._qtensor import per_channel_symmetric
from .observer import (default_observer, default_weight_observer, HistogramObserver,
                       default_per_channel_weight_observer, default_dynamic_quant_observer,
                       default_placeholder_observer, default_float_qparams_observer,
                       MovingAverageMinMaxObserver, MovingAveragePerChannelMinMaxObserver,
                       PlaceholderObserver, _PartialWrapper)
from .fake_quantize import (default_fake_quant, default_weight_fake_quant,
                            default_per_channel_weight_fake_quant, FusedMovingAvgObsFakeQuantize,
                            default_fused_wt_fake_quant)

__all__ = ['QConfig', 'QConfigDynamic', 'default_qconfig', 'default_debug_qconfig',
           'default_per_channel_qconfig', 'default_dynamic_qconfig', 'float16_dynamic_qconfig',
           'float16_static_qconfig', 'per_channel_dynamic_qconfig',
           'float_qparams_weight_only_qconfig', 'default_qat_qconfig',
           'default_weight_only_qconfig', 'default_activation_only_qconfig',
           'get_default_qconfig', 'get_default_qat_qconfig', 'qconfig_equals']


class QConfig(namedtuple('QConfig', ['activation', 'weight'])):
    """(activation, weight): observer classes or `with_args` factories, not instances."""
    __slots__ = ()

    def __new__(cls, activation, weight):
        if isinstance(activation, Module) or isinstance(weight, Module):
            raise ValueError("QConfig received observer instance, please pass observer class "
                             "instead. Use MyObserver.with_args(x=1) to override arguments to "
                             "constructor if needed")
        return super().__new__(cls, activation, weight)

    def __repr__(self):
        def r(v):
            if isinstance(v, type):
                from .observer import _torch_name
                return f"<class '{_torch_name(v)}'>"
            return repr(v)
        return f"QConfig(activation={r(self.activation)}, weight={r(self.weight)})"


QConfigDynamic = QConfig

default_qconfig = QConfig(activation=default_observer, weight=default_weight_observer)
default_debug_qconfig = QConfig(weight=default_weight_observer, activation=default_observer)
default_per_channel_qconfig = QConfig(activation=default_observer,
                                      weight=default_per_channel_weight_observer)
default_dynamic_qconfig = QConfig(activation=default_dynamic_quant_observer,
                                  weight=default_weight_observer)
float16_dynamic_qconfig = QConfig(
    activation=PlaceholderObserver.with_args(dtype=D.float16, is_dynamic=True),
    weight=PlaceholderObserver.with_args(dtype=D.float16))
float16_static_qconfig = QConfig(activation=PlaceholderObserver.with_args(dtype=D.float16),
                                 weight=PlaceholderObserver.with_args(dtype=D.float16))
per_channel_dynamic_qconfig = QConfig(activation=default_dynamic_quant_observer,
                                      weight=default_per_channel_weight_observer)
float_qparams_weight_only_qconfig = QConfig(activation=default_placeholder_observer,
                                            weight=default_float_qparams_observer)
default_qat_qconfig = QConfig(activation=default_fake_quant, weight=default_weight_fake_quant)
default_weight_only_qconfig = QConfig(activation=lambda: None, weight=default_weight_fake_quant)
default_activation_only_qconfig = QConfig(activation=default_fake_quant, weight=lambda: None)

_BACKENDS = ('x86', 'fbgemm', 'qnnpack', 'onednn')


def _check_backend(backend):
    if backend not in _BACKENDS + ('none',):
        raise AssertionError(f"backend: {backend} not supported. backend must be one of "
                             f"{list(_BACKENDS)}")


def get_default_qconfig(backend='x86', version=0):
    """Post-training static quantization config for a backend."""
    _check_backend(backend)
    if backend in ('x86', 'fbgemm', 'onednn'):
        return QConfig(activation=HistogramObserver.with_args(reduce_range=backend != 'onednn'),
                       weight=default_per_channel_weight_observer)
    if backend == 'qnnpack':
        return QConfig(activation=HistogramObserver.with_args(reduce_range=False),
                       weight=default_weight_observer)
    return default_qconfig


def get_default_qat_qconfig(backend='x86', version=1):
    """Quantization-aware-training config (fake quantize modules) for a backend."""
    _check_backend(backend)
    if version == 0:
        if backend in ('x86', 'fbgemm'):
            act = default_fake_quant.with_args(reduce_range=True)
            return QConfig(activation=act, weight=default_per_channel_weight_fake_quant)
        return default_qat_qconfig
    if backend in ('x86', 'fbgemm', 'onednn'):
        return QConfig(
            activation=FusedMovingAvgObsFakeQuantize.with_args(
                observer=MovingAverageMinMaxObserver, quant_min=0, quant_max=255,
                reduce_range=backend != 'onednn'),
            weight=FusedMovingAvgObsFakeQuantize.with_args(
                observer=MovingAveragePerChannelMinMaxObserver, quant_min=-128, quant_max=127,
                dtype=D.qint8, qscheme=per_channel_symmetric))
    return QConfig(
        activation=FusedMovingAvgObsFakeQuantize.with_args(
            observer=MovingAverageMinMaxObserver, quant_min=0, quant_max=255,
            reduce_range=False),
        weight=default_fused_wt_fake_quant)


def qconfig_equals(q1, q2):
    """Whether two qconfigs describe the same observers."""
    if q1 is None or q2 is None:
        return q1 == q2

    def eq(a, b):
        if isinstance(a, _PartialWrapper) and isinstance(b, _PartialWrapper):
            return a.p == b.p and a.kwargs == b.kwargs
        return a == b
    return eq(q1.activation, q2.activation) and eq(q1.weight, q2.weight)
