"""Convolution modules: Conv1d/2d/3d, ConvTranspose1d/2d/3d, their Lazy forms, Unfold, Fold.

Parameters are named, shaped and initialized as torch's (weight kaiming_uniform_(a=sqrt(5)),
bias U(-1/sqrt(fan_in), 1/sqrt(fan_in))), so torch state_dicts load unchanged. Non-zero
padding modes pad with F.pad first and convolve without padding.
"""
import math

from .. import functional as F
from .. import init
from ..parameter import Parameter, UninitializedParameter
from .lazy import LazyModuleMixin
from .module import Module

__all__ = ['Conv1d', 'Conv2d', 'Conv3d', 'ConvTranspose1d', 'ConvTranspose2d', 'ConvTranspose3d',
           'LazyConv1d', 'LazyConv2d', 'LazyConv3d', 'LazyConvTranspose1d', 'LazyConvTranspose2d',
           'LazyConvTranspose3d', 'Unfold', 'Fold']

_PADDING_MODES = ('zeros', 'reflect', 'replicate', 'circular')


def _ntuple(v, n):
    if isinstance(v, (list, tuple)):
        return tuple(v)
    return (v,) * n


def _pad(input, pad, mode):
    """F.pad when the padding module provides it; otherwise index_select along each dim
    (differentiable through existing ops)."""
    fpad = getattr(F, 'pad', None)
    if fpad is not None:
        return fpad(input, pad, mode=mode)
    from ..._ops.ranges import arange
    nd = len(pad) // 2
    for i in range(nd):
        dim = input.dim() - 1 - i
        lo, hi = pad[2 * i], pad[2 * i + 1]
        if lo == 0 and hi == 0:
            continue
        n = input.shape[dim]
        idx = arange(-lo, n + hi, device=input.device)
        if mode == 'reflect':
            idx = idx.abs()
            idx = (n - 1) - ((n - 1) - idx).abs()
        elif mode == 'replicate':
            idx = idx.clamp(0, n - 1)
        else:  # circular
            idx = idx.remainder(n)
        input = input.index_select(dim, idx)
    return input


class _ConvNd(Module):
    """Shared state of the convolution modules (torch's attribute names and checks)."""
    __constants__ = ['stride', 'padding', 'dilation', 'groups', 'padding_mode', 'output_padding',
                     'in_channels', 'out_channels', 'kernel_size']
    _n = 2

    def __init__(self, in_channels, out_channels, kernel_size, stride, padding, dilation, transposed,
                 output_padding, groups, bias, padding_mode, device=None, dtype=None):
        super().__init__()
        if groups <= 0:
            raise ValueError("groups must be a positive integer")
        if in_channels % groups != 0:
            raise ValueError("in_channels must be divisible by groups")
        if out_channels % groups != 0:
            raise ValueError("out_channels must be divisible by groups")
        valid_padding_strings = {'same', 'valid'}
        if isinstance(padding, str):
            if padding not in valid_padding_strings:
                raise ValueError(f"Invalid padding string {padding!r}, should be one of "
                                 f"{valid_padding_strings}")
            if padding == 'same' and any(s != 1 for s in stride):
                raise ValueError("padding='same' is not supported for strided convolutions")
        if padding_mode not in _PADDING_MODES:
            raise ValueError(f"padding_mode must be one of {set(_PADDING_MODES)}, but got "
                             f"padding_mode='{padding_mode}'")
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = kernel_size
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.transposed = transposed
        self.output_padding = output_padding
        self.groups = groups
        self.padding_mode = padding_mode
        if isinstance(padding, str):
            self._reversed_padding_repeated_twice = [0, 0] * len(kernel_size)
            if padding == 'same':
                for d, k, i in zip(dilation, kernel_size, range(len(kernel_size) - 1, -1, -1)):
                    total = d * (k - 1)
                    left = total // 2
                    self._reversed_padding_repeated_twice[2 * i] = left
                    self._reversed_padding_repeated_twice[2 * i + 1] = total - left
        else:
            self._reversed_padding_repeated_twice = [p for p in reversed(padding) for _ in range(2)]
        from ..._ops.creation import empty
        kw = {'device': device, 'dtype': dtype}
        if transposed:
            shape = (in_channels, out_channels // groups) + tuple(kernel_size)
        else:
            shape = (out_channels, in_channels // groups) + tuple(kernel_size)
        self.weight = Parameter(empty(shape, **kw))
        if bias:
            self.bias = Parameter(empty(out_channels, **kw))
        else:
            self.register_parameter('bias', None)
        self.reset_parameters()

    def reset_parameters(self):
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            if fan_in != 0:
                bound = 1 / math.sqrt(fan_in)
                init.uniform_(self.bias, -bound, bound)

    def extra_repr(self):
        s = '{in_channels}, {out_channels}, kernel_size={kernel_size}, stride={stride}'
        if self.padding != (0,) * len(self.padding):
            s += ', padding={padding}'
        if self.dilation != (1,) * len(self.dilation):
            s += ', dilation={dilation}'
        if self.output_padding != (0,) * len(self.output_padding):
            s += ', output_padding={output_padding}'
        if self.groups != 1:
            s += ', groups={groups}'
        if self.bias is None:
            s += ', bias=False'
        if self.padding_mode != 'zeros':
            s += ', padding_mode={padding_mode}'
        return s.format(**self.__dict__)

    def __setstate__(self, state):
        super().__setstate__(state)
        if not hasattr(self, 'padding_mode'):
            self.padding_mode = 'zeros'


def _conv_cls(nd):
    fn = getattr(F, f'conv{nd}d')

    class ConvNd(_ConvNd):
        _n = nd

        def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1,
                     groups=1, bias=True, padding_mode='zeros', device=None, dtype=None):
            kernel_size = _ntuple(kernel_size, nd)
            stride = _ntuple(stride, nd)
            padding = padding if isinstance(padding, str) else _ntuple(padding, nd)
            dilation = _ntuple(dilation, nd)
            super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                             False, _ntuple(0, nd), groups, bias, padding_mode, device, dtype)

        def _conv_forward(self, input, weight, bias):
            if self.padding_mode != 'zeros':
                return fn(_pad(input, self._reversed_padding_repeated_twice, self.padding_mode),
                          weight, bias, self.stride, _ntuple(0, nd), self.dilation, self.groups)
            return fn(input, weight, bias, self.stride, self.padding, self.dilation, self.groups)

        def forward(self, input):
            return self._conv_forward(input, self.weight, self.bias)

    ConvNd.__name__ = ConvNd.__qualname__ = f'Conv{nd}d'
    ConvNd.__doc__ = f"{nd}-D convolution layer (torch.nn.Conv{nd}d)."
    return ConvNd


Conv1d = _conv_cls(1)
Conv2d = _conv_cls(2)
Conv3d = _conv_cls(3)


class _ConvTransposeNd(_ConvNd):
    def _output_padding(self, input, output_size, stride, padding, kernel_size, num_spatial_dims,
                        dilation=None):
        """output_padding that makes the result exactly output_size (torch's rule)."""
        if output_size is None:
            return _ntuple(self.output_padding, num_spatial_dims)
        has_batch_dim = input.dim() == num_spatial_dims + 2
        num_non_spatial = 2 if has_batch_dim else 1
        output_size = list(output_size)
        if len(output_size) == num_non_spatial + num_spatial_dims:
            output_size = output_size[num_non_spatial:]
        if len(output_size) != num_spatial_dims:
            raise ValueError(f"ConvTranspose{num_spatial_dims}D: for {input.dim()}D input, output_size "
                             f"must have {num_spatial_dims} or {num_non_spatial + num_spatial_dims} "
                             f"elements (got {len(output_size)})")
        min_sizes, max_sizes = [], []
        for d in range(num_spatial_dims):
            dim_size = ((input.size(d + num_non_spatial) - 1) * stride[d] - 2 * padding[d]
                        + (dilation[d] if dilation is not None else 1) * (kernel_size[d] - 1) + 1)
            min_sizes.append(dim_size)
            max_sizes.append(min_sizes[d] + stride[d] - 1)
        for i in range(len(output_size)):
            size = output_size[i]
            if size < min_sizes[i] or size > max_sizes[i]:
                raise ValueError(f"requested an output size of {output_size}, but valid sizes range "
                                 f"from {min_sizes} to {max_sizes} (for an input of "
                                 f"{input.size()[num_non_spatial:]})")
        return tuple(output_size[d] - min_sizes[d] for d in range(num_spatial_dims))


def _conv_transpose_cls(nd):
    fn = getattr(F, f'conv_transpose{nd}d')

    class ConvTransposeNd(_ConvTransposeNd):
        _n = nd

        def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0,
                     output_padding=0, groups=1, bias=True, dilation=1, padding_mode='zeros',
                     device=None, dtype=None):
            if padding_mode != 'zeros':
                raise ValueError(f'Only "zeros" padding mode is supported for {type(self).__name__}')
            if isinstance(padding, str):
                raise TypeError(f"{fn.__name__}(): argument 'padding' must be tuple of ints, not str")
            super().__init__(in_channels, out_channels, _ntuple(kernel_size, nd), _ntuple(stride, nd),
                             _ntuple(padding, nd), _ntuple(dilation, nd), True,
                             _ntuple(output_padding, nd), groups, bias, padding_mode, device, dtype)

        def forward(self, input, output_size=None):
            if self.padding_mode != 'zeros':
                raise ValueError(f'Only "zeros" padding mode is supported for {type(self).__name__}')
            output_padding = self._output_padding(input, output_size, self.stride, self.padding,
                                                  self.kernel_size, nd, self.dilation)
            return fn(input, self.weight, self.bias, self.stride, self.padding, output_padding,
                      self.groups, self.dilation)

    ConvTransposeNd.__name__ = ConvTransposeNd.__qualname__ = f'ConvTranspose{nd}d'
    ConvTransposeNd.__doc__ = f"{nd}-D transposed convolution layer (torch.nn.ConvTranspose{nd}d)."
    return ConvTransposeNd


ConvTranspose1d = _conv_transpose_cls(1)
ConvTranspose2d = _conv_transpose_cls(2)
ConvTranspose3d = _conv_transpose_cls(3)


# ----------------------------------------------------------------------------- lazy forms
class _LazyConvMixin(LazyModuleMixin):
    """Lazy convolution: in_channels is inferred from the first input (channel dim)."""
    cls_to_become = None

    def _make_lazy(self, bias, device, dtype):
        self.weight = UninitializedParameter(device=device, dtype=dtype)
        if bias:
            self.bias = UninitializedParameter(device=device, dtype=dtype)
        self._register_lazy_hooks()

    def reset_parameters(self):
        if not self.has_uninitialized_params() and self.in_channels != 0:
            super().reset_parameters()

    def _get_in_channels(self, input):
        nsd = self._n
        if input.dim() == nsd + 1:
            return input.shape[0]
        if input.dim() == nsd + 2:
            return input.shape[1]
        raise RuntimeError(f"Expected {nsd + 1}D (unbatched) or {nsd + 2}D (batched) input to "
                           f"{type(self).__name__}, but got input of size: {list(input.shape)}")

    def initialize_parameters(self, input, *args, **kwargs):
        if not self.has_uninitialized_params():
            return
        self.in_channels = self._get_in_channels(input)
        if self.in_channels % self.groups != 0:
            raise ValueError("in_channels must be divisible by groups")
        if self.transposed:
            shape = (self.in_channels, self.out_channels // self.groups) + tuple(self.kernel_size)
        else:
            shape = (self.out_channels, self.in_channels // self.groups) + tuple(self.kernel_size)
        from ...autograd.grad_mode import no_grad
        with no_grad():
            self.weight.materialize(shape)
            if self.bias is not None:
                self.bias.materialize((self.out_channels,))
            self.reset_parameters()


def _lazy_cls(base, transposed):
    nd = base._n

    if transposed:
        def __init__(self, out_channels, kernel_size, stride=1, padding=0, output_padding=0, groups=1,
                     bias=True, dilation=1, padding_mode='zeros', device=None, dtype=None):
            base.__init__(self, 0, 0, kernel_size, stride, padding, output_padding, groups, False,
                          dilation, padding_mode, device, dtype)
            self.out_channels = out_channels
            self._make_lazy(bias, device, dtype)
    else:
        def __init__(self, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1,
                     bias=True, padding_mode='zeros', device=None, dtype=None):
            base.__init__(self, 0, 0, kernel_size, stride, padding, dilation, groups, False,
                          padding_mode, device, dtype)
            self.out_channels = out_channels
            self._make_lazy(bias, device, dtype)

    name = f"Lazy{base.__name__}"
    cls = type(name, (_LazyConvMixin, base), {'__init__': __init__, 'cls_to_become': base,
                                              '__module__': __name__,
                                              '__doc__': f"{base.__name__} with in_channels "
                                                         f"inferred from the first input."})
    cls.__qualname__ = name
    return cls


LazyConv1d = _lazy_cls(Conv1d, False)
LazyConv2d = _lazy_cls(Conv2d, False)
LazyConv3d = _lazy_cls(Conv3d, False)
LazyConvTranspose1d = _lazy_cls(ConvTranspose1d, True)
LazyConvTranspose2d = _lazy_cls(ConvTranspose2d, True)
LazyConvTranspose3d = _lazy_cls(ConvTranspose3d, True)


# ----------------------------------------------------------------------------- fold / unfold
class Unfold(Module):
    """Extract sliding local blocks (F.unfold)."""

    def __init__(self, kernel_size, dilation=1, padding=0, stride=1):
        super().__init__()
        self.kernel_size, self.dilation, self.padding, self.stride = kernel_size, dilation, padding, stride

    def forward(self, input):
        return F.unfold(input, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self):
        return (f"kernel_size={self.kernel_size}, dilation={self.dilation}, padding={self.padding}, "
                f"stride={self.stride}")


class Fold(Module):
    """Combine sliding local blocks into a tensor (F.fold)."""

    def __init__(self, output_size, kernel_size, dilation=1, padding=0, stride=1):
        super().__init__()
        self.output_size, self.kernel_size = output_size, kernel_size
        self.dilation, self.padding, self.stride = dilation, padding, stride

    def forward(self, input):
        return F.fold(input, self.output_size, self.kernel_size, self.dilation, self.padding,
                      self.stride)

    def extra_repr(self):
        return (f"output_size={self.output_size}, kernel_size={self.kernel_size}, "
                f"dilation={self.dilation}, padding={self.padding}, stride={self.stride}")

