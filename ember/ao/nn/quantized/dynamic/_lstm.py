"""Dynamically quantized LSTM: every weight matrix is stored as qint8 (per-tensor, from the
qconfig's weight observer); the recurrence runs in float on the dequantized weights."""
from ..... import _dtype as D
from .....nn.modules.module import Module
from ..modules import _quantize_weight

__all__ = ['LSTM']


class LSTM(Module):
    """Wraps a float LSTM whose weights are replaced by qint8-rounded values at conversion;
    the quantized weights are kept in `_qweights` (name -> quantized tensor)."""

    def __init__(self, mod):
        super().__init__()
        import copy
        self.mod = copy.deepcopy(mod)
        self._qweights = {}

    def _get_name(self):
        return 'DynamicQuantizedLSTM'

    def forward(self, *args, **kwargs):
        return self.mod(*args, **kwargs)

    @classmethod
    def from_float(cls, mod, use_precomputed_fake_quant=False):
        if not hasattr(mod, 'qconfig') or mod.qconfig is None:
            raise AssertionError("Input float module must have qconfig defined")
        q = cls(mod)
        from ....._ops.creation import tensor  # noqa: F401
        for name, p in list(q.mod.named_parameters()):
            if name.startswith('weight'):
                wpp = mod.qconfig.weight()
                wpp(p)
                if wpp.dtype is not D.qint8:
                    raise RuntimeError("Unsupported dtype for dynamic quantized LSTM")
                qw = _quantize_weight(p, wpp)
                q._qweights[name] = qw
                with __import__('ember').no_grad():
                    p.copy_(qw.dequantize())
        return q
