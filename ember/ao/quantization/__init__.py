"""torch.ao.quantization (also ember.quantization): observers, fake quantization, qconfigs,
stubs and the eager-mode prepare/convert/QAT/dynamic flows."""
from .. import _qtensor  # noqa: F401
from .observer import *  # noqa: F401,F403
from .observer import _PartialWrapper  # noqa: F401
from .fake_quantize import *  # noqa: F401,F403
from .qconfig import *  # noqa: F401,F403
from .stubs import *  # noqa: F401,F403
from .quantize import *  # noqa: F401,F403
from .fuse_modules import *  # noqa: F401,F403
from . import observer, fake_quantize, qconfig, stubs  # noqa: F401
