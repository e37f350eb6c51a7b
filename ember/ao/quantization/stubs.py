"""QuantStub / DeQuantStub mark where a model's quantized region starts and ends; convert()
swaps them for Quantize / DeQuantize. QuantWrapper puts a module between the two."""
from ...nn.modules.module import Module

__all__ = ['QuantStub', 'DeQuantStub', 'QuantWrapper']


class QuantStub(Module):
    """Identity before convert; observes its output after prepare (the input range)."""

    def __init__(self, qconfig=None):
        super().__init__()
        if qconfig:
            self.qconfig = qconfig

    def forward(self, x):
        return x


class DeQuantStub(Module):
    """Identity before convert; becomes DeQuantize (quantized -> float) after."""

    def __init__(self, qconfig=None):
        super().__init__()
        if qconfig:
            self.qconfig = qconfig

    def forward(self, x):
        return x


class QuantWrapper(Module):
    """quant -> module -> dequant, with the module's qconfig on the stubs."""

    def __init__(self, module):
        super().__init__()
        qconfig = getattr(module, 'qconfig', None)
        self.add_module('quant', QuantStub(qconfig))
        self.add_module('dequant', DeQuantStub(qconfig))
        self.add_module('module', module)
        self.train(module.training)

    def forward(self, X):
        X = self.quant(X)
        X = self.module(X)
        return self.dequant(X)
