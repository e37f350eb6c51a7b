"""ember.quantization = ember.ao.quantization (torch keeps the old name as an alias);
`ember.quantization.observer` etc. are the same module objects."""
import sys as _sys

from ..ao.quantization import *  # noqa: F401,F403
from ..ao.quantization import observer, fake_quantize, qconfig, stubs  # noqa: F401

for _name in ('observer', 'fake_quantize', 'qconfig', 'stubs'):
    _sys.modules[__name__ + '.' + _name] = _sys.modules['ember.ao.quantization.' + _name]
_sys.modules[__name__ + '.quantize'] = _sys.modules['ember.ao.quantization.quantize']
_sys.modules[__name__ + '.fuse_modules'] = _sys.modules['ember.ao.quantization.fuse_modules']
