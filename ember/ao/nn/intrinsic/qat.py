"""torch.ao.nn.intrinsic.qat: QAT modules with a fused ReLU."""
from ..qat import Linear as _QatLinear, Conv2d as _QatConv2d
from ....nn import functional as F

__all__ = ['LinearReLU', 'ConvReLU2d']


class LinearReLU(_QatLinear):
    """QAT Linear followed by ReLU (from a fused LinearReLU)."""

    def forward(self, input):
        return F.relu(super().forward(input))


class ConvReLU2d(_QatConv2d):
    """QAT Conv2d followed by ReLU (from a fused ConvReLU2d)."""

    def forward(self, input):
        return F.relu(super().forward(input))
