"""fuse_modules: merge conv+bn(+relu), conv+relu, linear+relu, linear+bn into one module so
they are quantized as a unit. In eval mode BatchNorm is folded into the preceding conv/linear:
w' = w * gamma / sqrt(var + eps), b' = (b - mean) * gamma / sqrt(var + eps) + beta."""
import copy

from ... import no_grad
from ...nn.modules.conv import Conv1d, Conv2d, Conv3d
from ...nn.modules.linear import Linear, Identity
from ...nn.modules.activation import ReLU
from ...nn.modules.batchnorm import BatchNorm1d, BatchNorm2d, BatchNorm3d
from ...nn.parameter import Parameter
from ..nn import intrinsic as nni

__all__ = ['fuse_modules', 'fuse_modules_qat', 'fuse_known_modules', 'fuse_conv_bn',
           'fuse_conv_bn_relu', 'fuse_linear_bn', 'fuse_conv_bn_eval', 'fuse_linear_bn_eval',
           'get_fuser_method']


def fuse_conv_bn_eval(conv, bn, transpose=False):
    """A copy of conv with the eval-mode BatchNorm folded into its weight and bias."""
    if conv.training or bn.training:
        raise AssertionError("Fusion only for eval!")
    fused = copy.deepcopy(conv)
    with no_grad():
        w, b = fused.weight, fused.bias
        rm, rv = bn.running_mean, bn.running_var
        gamma = bn.weight if bn.weight is not None else rm.new_ones(rm.shape)
        beta = bn.bias if bn.bias is not None else rm.new_zeros(rm.shape)
        if b is None:
            b = rm.new_zeros(rm.shape)
        rsqrt = (rv + bn.eps).rsqrt()
        shape = [1] * w.ndim
        shape[1 if transpose else 0] = -1
        fused.weight = Parameter((w * (gamma * rsqrt).reshape(shape)).to(w.dtype),
                                 w.requires_grad)
        fused.bias = Parameter(((b - rm) * rsqrt * gamma + beta).to(w.dtype), w.requires_grad)
    return fused


def fuse_linear_bn_eval(linear, bn):
    """A copy of linear with the eval-mode BatchNorm1d folded in."""
    if linear.training or bn.training:
        raise AssertionError("Fusion only for eval!")
    if linear.out_features != bn.num_features:
        raise AssertionError("To fuse, linear.out_features must equal bn.num_features")
    fused = copy.deepcopy(linear)
    with no_grad():
        w, b = fused.weight, fused.bias
        rm, rv = bn.running_mean, bn.running_var
        gamma = bn.weight if bn.weight is not None else rm.new_ones(rm.shape)
        beta = bn.bias if bn.bias is not None else rm.new_zeros(rm.shape)
        if b is None:
            b = rm.new_zeros(rm.shape)
        scale = gamma * (rv + bn.eps).rsqrt()
        fused.weight = Parameter(w * scale.unsqueeze(-1), w.requires_grad)
        fused.bias = Parameter((b - rm) * scale + beta, w.requires_grad)
    return fused


def _same_mode(a, b):
    if a.training != b.training:
        raise AssertionError("Conv and BN both must be in the same mode (train or eval).")


_CONV_BN = {Conv1d: nni.ConvBn1d, Conv2d: nni.ConvBn2d, Conv3d: nni.ConvBn3d}
_CONV_BN_RELU = {Conv1d: nni.ConvBnReLU1d, Conv2d: nni.ConvBnReLU2d, Conv3d: nni.ConvBnReLU3d}
_CONV_RELU = {Conv1d: nni.ConvReLU1d, Conv2d: nni.ConvReLU2d, Conv3d: nni.ConvReLU3d}


def fuse_conv_bn(is_qat, conv, bn):
    _same_mode(conv, bn)
    if is_qat:
        return _CONV_BN[type(conv)](conv, bn)
    return fuse_conv_bn_eval(conv, bn)


def fuse_conv_bn_relu(is_qat, conv, bn, relu):
    _same_mode(conv, bn)
    if is_qat:
        return _CONV_BN_RELU[type(conv)](conv, bn, relu)
    return _CONV_RELU[type(conv)](fuse_conv_bn_eval(conv, bn), relu)


def fuse_linear_bn(is_qat, linear, bn):
    if linear.training != bn.training:
        raise AssertionError("Linear and BN both must be in the same mode (train or eval).")
    if is_qat:
        return nni.LinearBn1d(linear, bn)
    return fuse_linear_bn_eval(linear, bn)


def _seq(cls):
    return lambda is_qat, *mods: cls(*mods)


_DEFAULT_OP_LIST_TO_FUSER_METHOD = {
    (Conv1d, BatchNorm1d): fuse_conv_bn, (Conv2d, BatchNorm2d): fuse_conv_bn,
    (Conv3d, BatchNorm3d): fuse_conv_bn,
    (Conv1d, BatchNorm1d, ReLU): fuse_conv_bn_relu, (Conv2d, BatchNorm2d, ReLU): fuse_conv_bn_relu,
    (Conv3d, BatchNorm3d, ReLU): fuse_conv_bn_relu,
    (Conv1d, ReLU): _seq(nni.ConvReLU1d), (Conv2d, ReLU): _seq(nni.ConvReLU2d),
    (Conv3d, ReLU): _seq(nni.ConvReLU3d),
    (Linear, BatchNorm1d): fuse_linear_bn, (Linear, ReLU): _seq(nni.LinearReLU),
    (BatchNorm2d, ReLU): _seq(nni.BNReLU2d), (BatchNorm3d, ReLU): _seq(nni.BNReLU3d),
}


def get_fuser_method(op_list, additional_fuser_method_mapping=None):
    mapping = dict(_DEFAULT_OP_LIST_TO_FUSER_METHOD)
    mapping.update(additional_fuser_method_mapping or {})
    fn = mapping.get(op_list)
    if fn is None:
        raise AssertionError(f"did not find fuser method for: {op_list} ")
    return fn


def fuse_known_modules(mod_list, is_qat, additional_fuser_method_mapping=None):
    """[fused module, Identity, ...] for a list of modules of a known type pattern."""
    types = tuple(type(m) for m in mod_list)
    fn = get_fuser_method(types, additional_fuser_method_mapping)
    fused = fn(is_qat, *mod_list)
    return [fused] + [Identity() for _ in mod_list[1:]]


def _fuse(model, modules_to_fuse, is_qat, inplace, fuser_func):
    if not inplace:
        model = copy.deepcopy(model)
    groups = modules_to_fuse
    if groups and all(isinstance(n, str) for n in groups):
        groups = [groups]
    for names in groups:
        mods = [model.get_submodule(n) for n in names]
        new = fuser_func(mods, is_qat)
        for n, m in zip(names, new):
            parent, _, leaf = n.rpartition('.')
            owner = model.get_submodule(parent) if parent else model
            setattr(owner, leaf, m)
    return model


def fuse_modules(model, modules_to_fuse, inplace=False, fuser_func=fuse_known_modules,
                 fuse_custom_config_dict=None):
    """Fuse the named module groups (eval mode: BN folded into conv/linear)."""
    return _fuse(model, modules_to_fuse, False, inplace, fuser_func)


def fuse_modules_qat(model, modules_to_fuse, inplace=False, fuser_func=fuse_known_modules,
                     fuse_custom_config_dict=None):
    """Fuse for quantization-aware training (BN kept as a module: ConvBn2d ...)."""
    return _fuse(model, modules_to_fuse, True, inplace, fuser_func)
