"""torch.ao.nn.intrinsic.quantized: quantized Linear/Conv2d with the ReLU fused in
(the requantized output is clamped at the zero point)."""
from ..quantized.modules import Linear as _QLinear, Conv2d as _QConv2d

__all__ = ['LinearReLU', 'ConvReLU2d']


class LinearReLU(_QLinear):
    """Quantized Linear + ReLU."""
    _FUSED_RELU = True


class ConvReLU2d(_QConv2d):
    """Quantized Conv2d + ReLU."""
    _FUSED_RELU = True
