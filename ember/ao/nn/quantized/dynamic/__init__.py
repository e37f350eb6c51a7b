"""torch.ao.nn.quantized.dynamic: float in, float out; weights stored as qint8 and the input
quantized at run time (fbgemm's qparams choice), int32 GEMM, float bias added after."""
from ..... import _dtype as D
from ....._tensor import Tensor
from .....nn.modules.module import Module
from ..modules import Linear as _QLinear, _quantize_weight
from .. import _kernels as K

__all__ = ['Linear', 'LSTM']


class Linear(_QLinear):
    """Dynamically quantized Linear (float activations, qint8 weights)."""

    def __init__(self, in_features, out_features, bias_=True, dtype=D.qint8):
        super().__init__(in_features, out_features, bias_, dtype)
        self.version = 4

    def _get_name(self):
        return 'DynamicQuantizedLinear'

    def forward(self, x):
        return K.dynamic_linear(x, self._weight, self._bias, reduce_range=True)

    def extra_repr(self):
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"dtype={self._weight.dtype}, qscheme={self._weight.qscheme()}")

    @classmethod
    def from_float(cls, mod, use_precomputed_fake_quant=False):
        if not hasattr(mod, 'qconfig') or mod.qconfig is None:
            raise AssertionError("Input float module must have qconfig defined")
        lin = mod[0] if '0' in getattr(mod, '_modules', {}) else mod
        wpp = mod.qconfig.weight()
        wpp(lin.weight)
        if wpp.dtype is not D.qint8:
            raise RuntimeError(f"Unsupported dtype specified for dynamic quantized Linear: "
                               f"{wpp.dtype}")
        q = cls(lin.in_features, lin.out_features)
        q.set_weight_bias(_quantize_weight(lin.weight, wpp),
                          None if lin.bias is None else lin.bias.detach().float().clone())
        return q


from ._lstm import LSTM  # noqa: E402
