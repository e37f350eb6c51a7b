"""Fused float modules (torch.ao.nn.intrinsic): Sequential containers that fuse_modules
builds, which prepare/convert treat as one unit (one observer on the fused output)."""
from ....nn.modules.container import Sequential
from ....nn.modules.conv import Conv1d, Conv2d, Conv3d
from ....nn.modules.linear import Linear
from ....nn.modules.activation import ReLU
from ....nn.modules.batchnorm import BatchNorm1d, BatchNorm2d, BatchNorm3d

__all__ = ['_FusedModule', 'ConvReLU1d', 'ConvReLU2d', 'ConvReLU3d', 'LinearReLU', 'ConvBn1d',
           'ConvBn2d', 'ConvBn3d', 'ConvBnReLU1d', 'ConvBnReLU2d', 'ConvBnReLU3d', 'BNReLU2d',
           'BNReLU3d', 'LinearBn1d']


class _FusedModule(Sequential):
    pass


def _check(mods, types, name):
    if len(mods) != len(types) or not all(type(m) is t for m, t in zip(mods, types)):
        raise AssertionError(f"Incorrect types for input modules{tuple(type(m) for m in mods)}")


def _fused(name, types, doc):
    def __init__(self, *mods):
        _check(mods, types, name)
        _FusedModule.__init__(self, *mods)
    return type(name, (_FusedModule,), {'__init__': __init__, '__doc__': doc,
                                        '__module__': __name__})


ConvReLU1d = _fused('ConvReLU1d', (Conv1d, ReLU), "Conv1d followed by ReLU.")
ConvReLU2d = _fused('ConvReLU2d', (Conv2d, ReLU), "Conv2d followed by ReLU.")
ConvReLU3d = _fused('ConvReLU3d', (Conv3d, ReLU), "Conv3d followed by ReLU.")
LinearReLU = _fused('LinearReLU', (Linear, ReLU), "Linear followed by ReLU.")
ConvBn1d = _fused('ConvBn1d', (Conv1d, BatchNorm1d), "Conv1d followed by BatchNorm1d.")
ConvBn2d = _fused('ConvBn2d', (Conv2d, BatchNorm2d), "Conv2d followed by BatchNorm2d.")
ConvBn3d = _fused('ConvBn3d', (Conv3d, BatchNorm3d), "Conv3d followed by BatchNorm3d.")
ConvBnReLU1d = _fused('ConvBnReLU1d', (Conv1d, BatchNorm1d, ReLU), "Conv1d, BatchNorm1d, ReLU.")
ConvBnReLU2d = _fused('ConvBnReLU2d', (Conv2d, BatchNorm2d, ReLU), "Conv2d, BatchNorm2d, ReLU.")
ConvBnReLU3d = _fused('ConvBnReLU3d', (Conv3d, BatchNorm3d, ReLU), "Conv3d, BatchNorm3d, ReLU.")
BNReLU2d = _fused('BNReLU2d', (BatchNorm2d, ReLU), "BatchNorm2d followed by ReLU.")
BNReLU3d = _fused('BNReLU3d', (BatchNorm3d, ReLU), "BatchNorm3d followed by ReLU.")
LinearBn1d = _fused('LinearBn1d', (Linear, BatchNorm1d), "Linear followed by BatchNorm1d.")
