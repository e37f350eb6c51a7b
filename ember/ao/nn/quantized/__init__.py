"""torch.ao.nn.quantized: modules over quantized tensors."""
from .modules import *  # noqa: F401,F403
from . import dynamic  # noqa: F401
