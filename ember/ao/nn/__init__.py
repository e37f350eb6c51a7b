"""torch.ao.nn: quantized, dynamic, qat and fused (intrinsic) modules."""
from . import quantized, qat, intrinsic  # noqa: F401
