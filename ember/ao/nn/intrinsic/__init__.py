"""torch.ao.nn.intrinsic: fused modules (float), and their qat / quantized forms."""
from .modules import *  # noqa: F401,F403
from .modules import _FusedModule  # noqa: F401
from . import qat, quantized  # noqa: F401,E402
