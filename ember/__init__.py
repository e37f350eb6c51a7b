"""ember: PyTorch rebuilt in readable Python, on NumPy (CPU) and CuPy (CUDA).

`import ember as torch` gives the torch namespace: tensors, autograd, nn, optim, data ...
"""
__version__ = '0.1.0'

from . import _host_allocator
_host_allocator.enable()   # reuse freed array memory instead of page-faulting it back in

from ._dtype import (dtype, float32, float, float64, double, float16, half, bfloat16,  # noqa: F401
                     int8, int16, short, int32, int, int64, long, uint8, uint16, uint32, uint64,
                     bool, complex64, cfloat, complex128, cdouble, get_default_dtype,
                     set_default_dtype, promote_types, result_type as _result_type, can_cast,
                     finfo, iinfo)
from ._device import device  # noqa: F401
from ._tensor import Tensor, Size  # noqa: F401
from ._storage import Storage as UntypedStorage  # noqa: F401
from . import autograd  # noqa: F401
from .autograd.anomaly import is_anomaly_enabled, is_anomaly_check_nan_enabled  # noqa: F401
from .autograd.grad_mode import (no_grad, enable_grad, set_grad_enabled, inference_mode,  # noqa: F401
                                 is_grad_enabled, is_inference_mode_enabled)
from . import _ops  # noqa: F401  (attaches Tensor methods)
from ._ops.elementwise import *  # noqa: F401,F403
from ._ops.ternary import *  # noqa: F401,F403
from ._ops.pointwise import *  # noqa: F401,F403
from ._ops.reduction import *  # noqa: F401,F403
from ._ops.sort import *  # noqa: F401,F403
from ._ops.shape import *  # noqa: F401,F403
from ._ops.join import *  # noqa: F401,F403
from ._ops.strided import *  # noqa: F401,F403
from ._ops.rearrange import *  # noqa: F401,F403
from ._ops.indexing import *  # noqa: F401,F403
from ._ops.linalg import *  # noqa: F401,F403
from ._ops.creation import *  # noqa: F401,F403
from ._ops.ranges import *  # noqa: F401,F403
from ._ops.random_ops import *  # noqa: F401,F403
from ._ops.misc import *  # noqa: F401,F403
from ._ops.toplevel import *  # noqa: F401,F403
from .random import *  # noqa: F401,F403
from ._printing import set_printoptions, get_printoptions  # noqa: F401
from . import utils  # noqa: F401
from . import linalg  # noqa: F401
from . import cuda, accelerator, backends  # noqa: F401
from . import nn  # noqa: F401
from . import optim  # noqa: F401
from . import distributed, multiprocessing  # noqa: F401  (torch exposes both after `import torch`)
from . import serialization  # noqa: F401
from .serialization import save, load  # noqa: F401
from ._dtype import quint8, qint8, qint32  # noqa: F401,E402
from .ao._qtensor import (qscheme, per_tensor_affine, per_channel_affine,  # noqa: F401,E402
                          per_tensor_symmetric, per_channel_symmetric,
                          per_channel_affine_float_qparams, quantize_per_tensor,
                          quantize_per_channel, dequantize, fake_quantize_per_tensor_affine,
                          fake_quantize_per_channel_affine)
from . import ao, quantization  # noqa: F401,E402


class _Layout:
    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return 'torch.' + self.name


strided = _Layout('strided')


def result_type(tensor, other):
    """dtype of an op between tensor and other under torch's promotion rules."""
    return _result_type(tensor, other)


def is_tensor(obj):
    return isinstance(obj, Tensor)


def numel(input):
    return input.numel()

from ._alias import enable_torch_alias, disable_torch_alias  # noqa: E402,F401
from ._constants import *  # noqa: F401,F403,E402
from . import testing, special, version  # noqa: F401,E402

from . import amp, cpu, distributions  # noqa: F401,E402
