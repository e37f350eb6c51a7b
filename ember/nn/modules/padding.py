"""Padding modules (ZeroPad, ConstantPad, ReflectionPad, ReplicationPad, CircularPad in 1d/2d/3d):
thin wrappers over F.pad with torch's argument normalization and repr."""
from .. import functional as F
from .module import Module

__all__ = ['ZeroPad1d', 'ZeroPad2d', 'ZeroPad3d', 'ConstantPad1d', 'ConstantPad2d',
           'ConstantPad3d', 'ReflectionPad1d', 'ReflectionPad2d', 'ReflectionPad3d',
           'ReplicationPad1d', 'ReplicationPad2d', 'ReplicationPad3d', 'CircularPad1d',
           'CircularPad2d', 'CircularPad3d']


def _ntuple(padding, n):
    if isinstance(padding, (tuple, list)):
        return tuple(padding)
    return (padding,) * n


class _PadNd(Module):
    _k = 1
    _mode = 'constant'

    def __init__(self, padding):
        super().__init__()
        self.padding = _ntuple(padding, 2 * self._k)

    def forward(self, input):
        return F.pad(input, self.padding, self._mode)

    def extra_repr(self):
        return f'{self.padding}'


class _ConstantPadNd(_PadNd):
    def __init__(self, padding, value):
        super().__init__(padding)
        self.value = value

    def forward(self, input):
        return F.pad(input, self.padding, 'constant', self.value)

    def extra_repr(self):
        return f'padding={self.padding}, value={self.value}'


class ConstantPad1d(_ConstantPadNd):
    _k = 1


class ConstantPad2d(_ConstantPadNd):
    _k = 2


class ConstantPad3d(_ConstantPadNd):
    _k = 3


class ZeroPad1d(ConstantPad1d):
    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f'{self.padding}'


class ZeroPad2d(ConstantPad2d):
    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f'{self.padding}'


class ZeroPad3d(ConstantPad3d):
    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f'{self.padding}'


class ReflectionPad1d(_PadNd):
    _k, _mode = 1, 'reflect'


class ReflectionPad2d(_PadNd):
    _k, _mode = 2, 'reflect'


class ReflectionPad3d(_PadNd):
    _k, _mode = 3, 'reflect'


class ReplicationPad1d(_PadNd):
    _k, _mode = 1, 'replicate'


class ReplicationPad2d(_PadNd):
    _k, _mode = 2, 'replicate'


class ReplicationPad3d(_PadNd):
    _k, _mode = 3, 'replicate'


class _CircularPadNd(_PadNd):
    _mode = 'circular'

    def forward(self, input):
        if input.dim() not in (self._k + 1, self._k + 2):
            raise ValueError(f"expected {self._k + 1}D or {self._k + 2}D input "
                             f"(got {input.dim()}D input)")
        return F.pad(input, self.padding, 'circular')


class CircularPad1d(_CircularPadNd):
    _k = 1


class CircularPad2d(_CircularPadNd):
    _k = 2


class CircularPad3d(_CircularPadNd):
    _k = 3
