"""Eager-mode quantization flows (torch.ao.quantization.quantize):

- prepare: give every quantizable module (per its `qconfig`) an `activation_post_process`
  observer, run as a forward hook on the module's output;
- convert: swap observed modules for quantized ones (Linear -> quantized Linear ...) using the
  observers' ranges, and remove the observers;
- prepare_qat: swap to QAT modules (fake-quantized weights) and add fake-quant observers;
- quantize_dynamic: swap Linear (/LSTM) for dynamically quantized versions;
- quantize: prepare, run a calibration function, convert.
"""
import copy
import warnings

from ... import _dtype as D
from ...nn.modules.module import Module
from ...nn.modules.linear import Linear
from ...nn.modules.conv import Conv2d
from ...nn.modules.activation import ReLU, ReLU6
from ..nn import quantized as nnq
from ..nn.quantized import dynamic as nnqd
from ..nn import qat as nnqat
from ..nn import intrinsic as nni
from ..nn.intrinsic import qat as nniqat, quantized as nniq
from .stubs import QuantStub, DeQuantStub
from .qconfig import default_dynamic_qconfig

__all__ = ['prepare', 'convert', 'prepare_qat', 'quantize', 'quantize_dynamic', 'quantize_qat',
           'propagate_qconfig_', 'add_quant_dequant', 'swap_module',
           'get_default_static_quant_module_mappings', 'get_default_qat_module_mappings',
           'get_default_dynamic_quant_module_mappings', 'get_default_qconfig_propagation_list',
           'DEFAULT_STATIC_QUANT_MODULE_MAPPINGS', 'DEFAULT_QAT_MODULE_MAPPINGS',
           'DEFAULT_DYNAMIC_QUANT_MODULE_MAPPINGS']

DEFAULT_STATIC_QUANT_MODULE_MAPPINGS = {
    QuantStub: nnq.Quantize, DeQuantStub: nnq.DeQuantize,
    Linear: nnq.Linear, Conv2d: nnq.Conv2d, ReLU: nnq.ReLU, ReLU6: nnq.ReLU6,
    nni.LinearReLU: nniq.LinearReLU, nni.ConvReLU2d: nniq.ConvReLU2d,
    nnqat.Linear: nnq.Linear, nnqat.Conv2d: nnq.Conv2d,
    nniqat.LinearReLU: nniq.LinearReLU, nniqat.ConvReLU2d: nniq.ConvReLU2d,
}
DEFAULT_QAT_MODULE_MAPPINGS = {
    Linear: nnqat.Linear, Conv2d: nnqat.Conv2d,
    nni.LinearReLU: nniqat.LinearReLU, nni.ConvReLU2d: nniqat.ConvReLU2d,
}
DEFAULT_DYNAMIC_QUANT_MODULE_MAPPINGS = {Linear: nnqd.Linear}
try:
    from ...nn import LSTM as _LSTM
    DEFAULT_DYNAMIC_QUANT_MODULE_MAPPINGS[_LSTM] = nnqd.LSTM
except ImportError:       # ember.nn.LSTM not available yet
    _LSTM = None

# modules whose output gets an observer (ReLU keeps its input's qparams: no observer)
_NO_OBSERVER = {ReLU, ReLU6, DeQuantStub}


def get_default_static_quant_module_mappings():
    return dict(DEFAULT_STATIC_QUANT_MODULE_MAPPINGS)


def get_default_qat_module_mappings():
    return dict(DEFAULT_QAT_MODULE_MAPPINGS)


def get_default_dynamic_quant_module_mappings():
    return dict(DEFAULT_DYNAMIC_QUANT_MODULE_MAPPINGS)


def get_default_qconfig_propagation_list():
    return (set(DEFAULT_STATIC_QUANT_MODULE_MAPPINGS) | set(DEFAULT_QAT_MODULE_MAPPINGS)
            | set(DEFAULT_DYNAMIC_QUANT_MODULE_MAPPINGS))


def propagate_qconfig_(module, qconfig_dict=None, prepare_custom_config_dict=None):
    """Give every submodule a `qconfig`: its own, else by type/name from qconfig_dict, else
    its parent's."""
    qconfig_dict = qconfig_dict or {}

    def visit(mod, parent_qconfig, prefix):
        q = qconfig_dict.get(type(mod), parent_qconfig)
        q = qconfig_dict.get(prefix, q)
        q = getattr(mod, 'qconfig', q)
        mod.qconfig = q
        for name, child in mod.named_children():
            visit(child, q, prefix + '.' + name if prefix else name)
    visit(module, None, '')


def _observer_forward_hook(self, input, output):
    """Forward hook added by prepare: observe (and, for fake quant, transform) the output."""
    return self.activation_post_process(output)


def _observed_types(allow_list):
    base = allow_list if allow_list is not None else get_default_qconfig_propagation_list()
    return {t for t in base if t not in _NO_OBSERVER}


def _add_observer_(module, allow_list=None):
    types = _observed_types(allow_list)

    def attach(child):
        if not hasattr(child, 'activation_post_process'):
            act = child.qconfig.activation()
            if act is not None:
                child.activation_post_process = act
                child.register_forward_hook(_observer_forward_hook)

    def visit(mod):
        for child in mod.children():
            if type(child) in types and getattr(child, 'qconfig', None) is not None:
                attach(child)
            elif not isinstance(child, nni._FusedModule):
                visit(child)
    if type(module) in types and getattr(module, 'qconfig', None) is not None:
        attach(module)
    else:
        visit(module)


def prepare(model, inplace=False, allow_list=None, observer_non_leaf_module_list=None,
            prepare_custom_config_dict=None):
    """Copy of model (unless inplace) with observers attached per the modules' qconfig."""
    if not inplace:
        model = copy.deepcopy(model)
    propagate_qconfig_(model)
    if not any(getattr(m, 'qconfig', None) for m in model.modules()):
        warnings.warn("None of the submodule got qconfig applied. Make sure you passed correct "
                      "configuration through `qconfig_dict` or by assigning the `.qconfig` "
                      "attribute directly on submodules", stacklevel=2)
    _add_observer_(model, allow_list)
    return model


def _remove_observers(module):
    for m in module.modules():
        hooks = getattr(m, '_forward_hooks', None)
        if hooks:
            for k in [k for k, h in hooks.items() if h is _observer_forward_hook]:
                del hooks[k]
        if 'activation_post_process' in m._modules and not _is_fake_quant_host(m):
            del m._modules['activation_post_process']


def _is_fake_quant_host(m):
    from .fake_quantize import FakeQuantizeBase
    return isinstance(m, FakeQuantizeBase)


def _remove_qconfig(module):
    for m in module.modules():
        if 'qconfig' in m.__dict__:
            del m.__dict__['qconfig']
    _remove_observers(module)


def swap_module(mod, mapping, custom_module_class_mapping=None, use_precomputed_fake_quant=False):
    """The quantized replacement of mod (from_float) when its type is mapped and it has a
    qconfig; otherwise mod itself. Non-observer hooks are carried over."""
    if getattr(mod, 'qconfig', None) is None or type(mod) not in mapping:
        return mod
    new = mapping[type(mod)].from_float(mod)
    for h in getattr(mod, '_forward_pre_hooks', {}).values():
        new.register_forward_pre_hook(h)
    for h in getattr(mod, '_forward_hooks', {}).values():
        if h is not _observer_forward_hook:
            new.register_forward_hook(h)
    return new


def _convert(module, mapping, is_dynamic=False, check=False):
    swaps = {}
    for name, child in module.named_children():
        if not isinstance(child, nni._FusedModule) and type(child) not in mapping:
            _convert(child, mapping, is_dynamic, check)
        if (check and type(child) in mapping and type(child) not in _NO_OBSERVER
                and getattr(child, 'qconfig', None) is not None
                and not hasattr(child, 'activation_post_process')):
            raise AssertionError(f"Module {type(child).__name__} must have "
                                 "activation_post_process attribute (call prepare() and "
                                 "calibrate before convert())")
        new = swap_module(child, mapping)
        if new is not child:
            swaps[name] = new
    for name, new in swaps.items():
        module._modules[name] = new


def convert(module, mapping=None, inplace=False, remove_qconfig=True, is_reference=False,
            convert_custom_config_dict=None, use_precomputed_fake_quant=False):
    """Swap observed float/QAT modules for quantized modules (copy unless inplace)."""
    if mapping is None:
        mapping = DEFAULT_STATIC_QUANT_MODULE_MAPPINGS
    if not inplace:
        module = copy.deepcopy(module)
    _convert(module, mapping, check=mapping is DEFAULT_STATIC_QUANT_MODULE_MAPPINGS)
    if remove_qconfig:
        _remove_qconfig(module)
    return module


def prepare_qat(model, mapping=None, inplace=False):
    """Swap to QAT modules (fake-quantized weights) and attach fake-quant observers."""
    if not model.training:
        raise AssertionError("prepare_qat only works on models in training mode")
    if mapping is None:
        mapping = DEFAULT_QAT_MODULE_MAPPINGS
    if not inplace:
        model = copy.deepcopy(model)
    propagate_qconfig_(model)
    _convert(model, mapping)
    prepare(model, inplace=True)
    return model


def quantize(model, run_fn, run_args, mapping=None, inplace=False):
    """Post-training static quantization: prepare, run_fn(model, *run_args), convert."""
    if not inplace:
        model = copy.deepcopy(model)
    model.eval()
    prepare(model, inplace=True)
    run_fn(model, *run_args)
    convert(model, mapping, inplace=True)
    return model


def quantize_qat(model, run_fn, run_args, inplace=False):
    """QAT: prepare_qat, run_fn(model, *run_args) (training), convert."""
    if not inplace:
        model = copy.deepcopy(model)
    model.train()
    prepare_qat(model, inplace=True)
    run_fn(model, *run_args)
    convert(model, inplace=True)
    return model


def quantize_dynamic(model, qconfig_spec=None, dtype=D.qint8, mapping=None, inplace=False):
    """Replace Linear (and LSTM) by dynamically quantized versions: qint8 weights, activations
    quantized on the fly."""
    if dtype is not D.qint8:
        raise ValueError(f"Don't know how to quantize with default settings for {dtype}. "
                         "Provide full qconfig please")
    if qconfig_spec is None:
        qconfig_spec = {t: default_dynamic_qconfig for t in DEFAULT_DYNAMIC_QUANT_MODULE_MAPPINGS}
    elif isinstance(qconfig_spec, set):
        qconfig_spec = dict.fromkeys(qconfig_spec, default_dynamic_qconfig)
    if mapping is None:
        mapping = DEFAULT_DYNAMIC_QUANT_MODULE_MAPPINGS
    if not inplace:
        model = copy.deepcopy(model)
    model.eval()
    propagate_qconfig_(model, qconfig_spec)
    _convert(model, mapping, is_dynamic=True)
    _remove_qconfig(model)
    return model


def add_quant_dequant(module):
    """Wrap every leaf module that has a qconfig in QuantWrapper."""
    from .stubs import QuantWrapper
    if not list(module.children()) and getattr(module, 'qconfig', None):
        return QuantWrapper(module)
    for name, child in module.named_children():
        module._modules[name] = add_quant_dequant(child)
    return module
