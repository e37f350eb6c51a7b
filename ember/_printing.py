"""PyTorch-identical printing of tensors (placeholder: see issue; full version in progress)."""

__all__ = ['tensor_repr', 'type_name', 'set_printoptions']

_LEGACY = {'float32': 'FloatTensor', 'float64': 'DoubleTensor', 'float16': 'HalfTensor',
           'bfloat16': 'BFloat16Tensor', 'int64': 'LongTensor', 'int32': 'IntTensor',
           'int16': 'ShortTensor', 'int8': 'CharTensor', 'uint8': 'ByteTensor', 'bool': 'BoolTensor',
           'complex64': 'ComplexFloatTensor', 'complex128': 'ComplexDoubleTensor'}


def type_name(t):
    """'torch.FloatTensor' / 'torch.cuda.FloatTensor' for t's dtype and device."""
    prefix = 'torch.cuda.' if t.device.type == 'cuda' else 'torch.'
    return prefix + _LEGACY.get(t.dtype.name, t.dtype.name)


def tensor_repr(t):
    return f"tensor({t._data!r})"


def set_printoptions(**kwargs):
    pass
