"""torch.ao.nn.qat: Linear/Conv2d whose weight passes through a FakeQuantize in forward
(quantization-aware training); from_float builds them from a float module with a qconfig."""
from ....nn.modules.linear import Linear as _Linear
from ....nn.modules.conv import Conv2d as _Conv2d
from ....nn import functional as F

__all__ = ['Linear', 'Conv2d']


class Linear(_Linear):
    """Linear with fake-quantized weight."""
    _FLOAT_MODULE = _Linear

    def __init__(self, in_features, out_features, bias=True, qconfig=None, device=None,
                 dtype=None):
        super().__init__(in_features, out_features, bias, device, dtype)
        if not qconfig:
            raise AssertionError("qconfig must be provided for QAT module")
        self.qconfig = qconfig
        self.weight_fake_quant = qconfig.weight()

    def forward(self, input):
        return F.linear(input, self.weight_fake_quant(self.weight), self.bias)

    @classmethod
    def from_float(cls, mod, use_precomputed_fake_quant=False):
        if not hasattr(mod, 'qconfig') or not mod.qconfig:
            raise AssertionError("Input float module must have a valid qconfig")
        lin = mod[0] if '0' in getattr(mod, '_modules', {}) else mod
        q = cls(lin.in_features, lin.out_features, bias=lin.bias is not None, qconfig=mod.qconfig)
        q.weight = lin.weight
        q.bias = lin.bias
        return q

    def to_float(self):
        lin = _Linear(self.in_features, self.out_features, self.bias is not None)
        lin.weight = self.weight
        lin.bias = self.bias
        return lin


class Conv2d(_Conv2d):
    """Conv2d with fake-quantized weight."""
    _FLOAT_MODULE = _Conv2d

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1,
                 groups=1, bias=True, padding_mode='zeros', qconfig=None, device=None,
                 dtype=None):
        super().__init__(in_channels, out_channels, kernel_size, stride=stride, padding=padding,
                         dilation=dilation, groups=groups, bias=bias, padding_mode=padding_mode,
                         device=device, dtype=dtype)
        if not qconfig:
            raise AssertionError("qconfig must be provided for QAT module")
        self.qconfig = qconfig
        self.weight_fake_quant = qconfig.weight()

    def forward(self, input):
        return self._conv_forward(input, self.weight_fake_quant(self.weight), self.bias)

    @classmethod
    def from_float(cls, mod, use_precomputed_fake_quant=False):
        if not hasattr(mod, 'qconfig') or not mod.qconfig:
            raise AssertionError("Input float module must have a valid qconfig")
        conv = mod[0] if '0' in getattr(mod, '_modules', {}) else mod
        q = cls(conv.in_channels, conv.out_channels, conv.kernel_size, stride=conv.stride,
                padding=conv.padding, dilation=conv.dilation, groups=conv.groups,
                bias=conv.bias is not None, padding_mode=conv.padding_mode, qconfig=mod.qconfig)
        q.weight = conv.weight
        q.bias = conv.bias
        return q

    def to_float(self):
        c = _Conv2d(self.in_channels, self.out_channels, self.kernel_size, self.stride,
                    self.padding, self.dilation, self.groups, self.bias is not None,
                    self.padding_mode)
        c.weight = self.weight
        c.bias = self.bias
        return c
