"""torch.ao: quantization (ember.ao.quantization, also ember.quantization) and its modules."""
from . import nn, quantization  # noqa: F401
