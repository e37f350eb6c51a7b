"""Quantized tensors (torch.quint8 / qint8 / qint32) and the fake-quantize ops.

A quantized tensor is a `QTensor`: a Tensor whose `_data` is the integer array (uint8, int8 or
int32) plus its quantization parameters: one scale/zero point (per-tensor affine) or one per
slice along `axis` (per-channel affine). Values are real = (q - zero_point) * scale.

Rounding follows torch's CPU kernels: q = nearbyint(fma(x, 1/scale, zero_point) as float32)
(round half to even) clamped to the dtype's range. Most math ops are not defined on quantized
tensors (torch raises NotImplementedError for the QuantizedCPU backend); shape ops work on the
integer data and keep the quantization parameters.
"""
from .. import _dtype as D
from .._tensor import Tensor, register_methods
from .._storage import Storage
from ..autograd.function import Function

__all__ = ['qscheme', 'per_tensor_affine', 'per_channel_affine', 'per_tensor_symmetric',
           'per_channel_symmetric', 'per_channel_affine_float_qparams', 'QTensor',
           'quantize_per_tensor', 'quantize_per_channel', 'dequantize',
           'fake_quantize_per_tensor_affine', 'fake_quantize_per_channel_affine']

_new = object.__new__


class qscheme:
    """A quantization scheme (torch.per_tensor_affine ...); compare with `is` or `==`."""

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return 'torch.' + self.name

    def __reduce__(self):
        return (_qscheme_by_name, (self.name,))


def _qscheme_by_name(name):
    return globals()[name]


per_tensor_affine = qscheme('per_tensor_affine')
per_channel_affine = qscheme('per_channel_affine')
per_tensor_symmetric = qscheme('per_tensor_symmetric')
per_channel_symmetric = qscheme('per_channel_symmetric')
per_channel_affine_float_qparams = qscheme('per_channel_affine_float_qparams')

_RANGE = {'quint8': (0, 255), 'qint8': (-128, 127), 'qint32': (-2 ** 31, 2 ** 31 - 1)}


def _qrange(dtype):
    return _RANGE[dtype.name]


def _quantize_array(xp, x, scale, zero_point, lo, hi, out_np):
    """torch's quantize: nearbyint(float32(x * float32(1/scale) + zp)) clamped to [lo, hi].

    scale/zero_point are Python numbers or arrays broadcastable against x."""
    f32 = xp.float32
    inv = (1.0 / xp.asarray(scale, dtype=f32)).astype(f32)
    v = (x.astype(xp.float64) * inv.astype(xp.float64) + xp.asarray(zero_point, dtype=xp.float64))
    v = xp.rint(v.astype(f32))
    return xp.clip(v, lo, hi).astype(out_np)


def _make_q(arr, device, dtype, scheme, scale=None, zp=None, scales=None, zps=None, axis=None):
    t = _new(QTensor)
    t._data = arr
    t._storage = Storage(arr, device)
    t._qdtype = dtype
    t._qscheme = scheme
    t._q_scale = scale
    t._q_zp = zp
    t._q_scales = scales
    t._q_zps = zps
    t._q_axis = axis
    return t


def _unsupported(name):
    def raiser(self, *args, **kwargs):
        raise NotImplementedError(
            f"Could not run 'aten::{name}' with arguments from the 'QuantizedCPU' backend. This "
            "could be because the operator doesn't exist for this backend.")
    raiser.__name__ = name
    return raiser


class QTensor(Tensor):
    """A quantized tensor: integer data plus scale/zero point (see the module docstring)."""

    @property
    def dtype(self):
        return self._qdtype

    @property
    def is_quantized(self):
        return True

    @property
    def requires_grad(self):
        return False

    @requires_grad.setter
    def requires_grad(self, value):
        if value:
            raise RuntimeError("only Tensors of floating point dtype can require gradients")

    def qscheme(self):
        return self._qscheme

    def q_scale(self):
        self._check_per_tensor('q_scale')
        return float(self._q_scale)

    def q_zero_point(self):
        self._check_per_tensor('q_zero_point')
        return int(self._q_zp)

    def q_per_channel_scales(self):
        self._check_per_channel('q_per_channel_scales')
        return self._q_scales.clone()

    def q_per_channel_zero_points(self):
        self._check_per_channel('q_per_channel_zero_points')
        return self._q_zps.clone()

    def q_per_channel_axis(self):
        self._check_per_channel('q_per_channel_axis')
        return self._q_axis

    def _check_per_tensor(self, what):
        if self._q_axis is not None:
            raise RuntimeError(f"Expected quantizer->qscheme() == kPerTensorAffine to be true, "
                               f"but got false. ({what} on a per-channel quantized tensor)")

    def _check_per_channel(self, what):
        if self._q_axis is None:
            raise RuntimeError(f"Expected (qscheme == kPerChannelAffine || qscheme == "
                               f"kPerChannelAffineFloatQParams) to be true, but got false. ({what})")

    def int_repr(self):
        """The stored integers as a plain uint8/int8/int32 tensor (a copy)."""
        return Tensor._from_array(self._data.copy(), self._storage.device)

    def _param_arrays(self):
        """(scale, zero_point) broadcastable against the data."""
        if self._q_axis is None:
            return self._q_scale, self._q_zp
        shape = [1] * self._data.ndim
        shape[self._q_axis] = -1
        return self._q_scales._data.reshape(shape), self._q_zps._data.reshape(shape)

    def dequantize(self):
        """Real values (q - zero_point) * scale as float32."""
        xp = self._storage.device.xp
        s, z = self._param_arrays()
        f32 = xp.float32
        if self._q_axis is None:
            out = (self._data.astype(f32) - xp.asarray(z, dtype=f32)) * xp.asarray(s, dtype=f32)
        else:   # torch multiplies by the float64 per-channel scales, then rounds to float32
            out = (self._data.astype(xp.float64) - z) * xp.asarray(s, dtype=xp.float64)
        return Tensor._from_array(out.astype(f32), self._storage.device)

    def __repr__(self, *, tensor_contents=None):
        from .._printing import _tensor_str, _add_suffixes
        prefix = 'tensor('
        shape = tuple(self.shape)
        if self._data.size:
            text = _tensor_str(self.dequantize(), len(prefix))
        else:
            text = '[]'
        suffixes = [f"size={shape}", f"dtype={self._qdtype}",
                    f"quantization_scheme={self._qscheme}"]
        if self._q_axis is None:
            suffixes += [f"scale={float(self._q_scale)!r}", f"zero_point={int(self._q_zp)}"]
        else:
            suffixes += [f"scale={self._q_scales!r}", f"zero_point={self._q_zps!r}",
                         f"axis={self._q_axis}"]
        return _add_suffixes(prefix + text, suffixes, len(prefix))

    __str__ = __repr__

    # -------------------------------------------------------------- shape ops keep qparams
    def _rewrap(self, plain, axis_same=True):
        if self._q_axis is not None and not axis_same:
            raise NotImplementedError("this shape op is not supported on per-channel quantized "
                                      "tensors in ember")
        return _make_q(plain._data, self._storage.device, self._qdtype, self._qscheme,
                       self._q_scale, self._q_zp, self._q_scales, self._q_zps, self._q_axis)

    def _plain(self):
        t = _new(Tensor)
        t._data = self._data
        t._storage = self._storage
        return t

    def detach(self):
        return self._rewrap(self._plain())

    def clone(self, memory_format=None):
        return _make_q(self._data.copy(), self._storage.device, self._qdtype, self._qscheme,
                       self._q_scale, self._q_zp, self._q_scales, self._q_zps, self._q_axis)

    def contiguous(self, memory_format=None):
        return self if self._data.flags.c_contiguous else self.clone()

    def to(self, *args, **kwargs):
        for a in list(args) + list(kwargs.values()):
            if isinstance(a, D.dtype) and a is not self._qdtype:
                raise NotImplementedError("Could not run 'aten::_to_copy' with arguments from "
                                          "the 'QuantizedCPU' backend.")
        return self

    def numpy(self, *, force=False):
        raise TypeError("Got unsupported ScalarType " + self._qdtype.name.capitalize())

    def __reduce_ex__(self, protocol):
        return (_rebuild_q, (self.int_repr(), self._qdtype.name, self._qscheme.name,
                             self._q_scale, self._q_zp, self._q_scales, self._q_zps, self._q_axis))


def _rebuild_q(ints, dtype_name, scheme_name, scale, zp, scales, zps, axis):
    return _make_q(ints._data, ints._storage.device, D._BY_NAME[dtype_name],
                   globals()[scheme_name], scale, zp, scales, zps, axis)


def _shape_method(name, per_channel_ok=False):
    def method(self, *args, **kwargs):
        out = getattr(Tensor, name)(self._plain(), *args, **kwargs)
        return self._rewrap(out, axis_same=per_channel_ok)
    method.__name__ = name
    return method


for _n in ('view', 'reshape', 'flatten', 'transpose', 'permute', 'squeeze', 'unsqueeze',
           '__getitem__', 't', 'view_as', 'reshape_as', 'narrow', 'select', 'expand'):
    if hasattr(Tensor, _n):
        setattr(QTensor, _n, _shape_method(_n))
for _n in ('__add__', '__radd__', '__sub__', '__rsub__', '__mul__', '__rmul__', '__truediv__',
           '__matmul__', '__neg__', 'add', 'sub', 'mul', 'div', 'matmul', 'sum', 'mean',
           'exp', 'log', 'sigmoid', 'tanh', 'abs', 'pow', '__pow__', 'float', 'double',
           'backward', 'softmax'):
    setattr(QTensor, _n, _unsupported(_n.strip('_')))


# ------------------------------------------------------------------------------ creation
def _check_qdtype(dtype, fn='new_qtensor'):
    if not isinstance(dtype, D.dtype) or not dtype.is_quantized:
        name = D._SCALAR_NAME.get(dtype, str(dtype)) if isinstance(dtype, D.dtype) else dtype
        raise RuntimeError(f"ScalarType {name} is not supported in {fn}.")


def _as_float_input(input, fn):
    if not isinstance(input, Tensor):
        raise TypeError(f"{fn}(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    if input.is_quantized:
        raise RuntimeError(f"{fn}: expected a float tensor, got a quantized tensor")
    if not input.dtype.is_floating_point:
        raise RuntimeError(f"Quantize only works on Float Tensor, got {D._SCALAR_NAME[input.dtype]}")
    return input.detach()._data


def quantize_per_tensor(input, scale, zero_point, dtype):
    """Quantize a float tensor with one scale/zero point: q = clamp(round(x / scale) + zp)."""
    if isinstance(input, (list, tuple)):
        return [quantize_per_tensor(t, s, z, dtype) for t, s, z in zip(input, scale, zero_point)]
    _check_qdtype(dtype)
    x = _as_float_input(input, 'quantize_per_tensor')
    if isinstance(scale, Tensor):
        scale = float(scale.item())
    if isinstance(zero_point, Tensor):
        zero_point = int(zero_point.item())
    scale, zero_point = float(scale), int(zero_point)
    lo, hi = _qrange(dtype)
    if not lo <= zero_point <= hi:
        raise RuntimeError(f"zero_point is out of range for {dtype}: {zero_point}")
    xp = input._storage.device.xp
    arr = _quantize_array(xp, x, scale, zero_point, lo, hi, dtype.np)
    return _make_q(arr, input._storage.device, dtype, per_tensor_affine, scale, zero_point)


def quantize_per_channel(input, scales, zero_points, axis, dtype):
    """Quantize with one scale/zero point per slice along `axis` (per_channel_affine)."""
    from .._ops.creation import tensor as _tensor
    _check_qdtype(dtype)
    x = _as_float_input(input, 'quantize_per_channel')
    nd = x.ndim
    if not 0 <= axis < nd:
        raise RuntimeError(f"Channel axis out of range in per channel affine quantization. "
                           f"Got: {axis}Expected: [0, {nd})")
    scales = scales if isinstance(scales, Tensor) else _tensor(scales)
    zero_points = zero_points if isinstance(zero_points, Tensor) else _tensor(zero_points)
    n = x.shape[axis]
    if scales.numel() != n:
        raise RuntimeError(f"length of scales must equal to channel, expected {n} got, "
                           f"{scales.numel()}")
    if zero_points.numel() != n:
        raise RuntimeError(f"length of zero_points must equal to channel expected {n} got, "
                           f"{zero_points.numel()}")
    xp = input._storage.device.xp
    dev = input._storage.device
    s = scales.detach()._data.reshape(-1).astype(xp.float64)
    z = zero_points.detach()._data.reshape(-1).astype(xp.int64)
    shape = [1] * nd
    shape[axis] = n
    lo, hi = _qrange(dtype)
    arr = _quantize_array(xp, x, s.reshape(shape), z.reshape(shape), lo, hi, dtype.np)
    return _make_q(arr, dev, dtype, per_channel_affine, scales=Tensor._from_array(s, dev),
                   zps=Tensor._from_array(z, dev), axis=axis)


def dequantize(tensor):
    """torch.dequantize: float values of a quantized tensor (a float tensor is returned as is)."""
    if isinstance(tensor, (list, tuple)):
        return [dequantize(t) for t in tensor]
    return tensor.dequantize()


def _tensor_dequantize(self):
    return self


def _not_quantized(name):
    def method(self, *args, **kwargs):
        raise RuntimeError(f"{name} is only supported on quantized tensors (got a "
                           f"{self.dtype} tensor)")
    return method


# ---------------------------------------------------------------------------- fake quant
def _fq_arrays(xp, x, scale, zp, qmin, qmax):
    """(output, mask) of torch's fake quantize: float32 x * inv_scale, nearbyint, + zp."""
    dt = x.dtype
    inv = (1.0 / xp.asarray(scale, dtype=xp.float32)).astype(xp.float32)
    q = xp.rint(x * inv.astype(dt)) + xp.asarray(zp, dtype=dt)
    mask = (q >= qmin) & (q <= qmax)
    out = (xp.clip(q, qmin, qmax) - xp.asarray(zp, dtype=dt)) * xp.asarray(scale, dtype=dt)
    return out.astype(dt), mask


class _FakeQuantPT(Function, node_name='FakeQuantizePerTensorAffineCachemaskBackward0'):
    @staticmethod
    def forward(ctx, x, scale, zp, qmin, qmax):
        xp = x._storage.device.xp
        out, mask = _fq_arrays(xp, x._data, scale, zp, qmin, qmax)
        ctx.mask = Tensor._from_array(mask, x._storage.device)
        return out

    @staticmethod
    def backward(ctx, g):
        return g * ctx.mask, None, None, None, None


class _FakeQuantPTT(Function, node_name='FakeQuantizePerTensorAffineCachemaskTensorQparamsBackward0'):
    @staticmethod
    def forward(ctx, x, scale, zp, qmin, qmax):
        xp = x._storage.device.xp
        out, mask = _fq_arrays(xp, x._data, scale._data.reshape(()), zp._data.reshape(()), qmin, qmax)
        ctx.mask = Tensor._from_array(mask, x._storage.device)
        return out

    @staticmethod
    def backward(ctx, g):
        return g * ctx.mask, None, None, None, None


class _FakeQuantPC(Function, node_name='FakeQuantizePerChannelAffineCachemaskBackward0'):
    @staticmethod
    def forward(ctx, x, scale, zp, axis, qmin, qmax):
        xp = x._storage.device.xp
        shape = [1] * x._data.ndim
        shape[axis] = -1
        out, mask = _fq_arrays(xp, x._data, scale._data.reshape(shape), zp._data.reshape(shape),
                               qmin, qmax)
        ctx.mask = Tensor._from_array(mask, x._storage.device)
        return out

    @staticmethod
    def backward(ctx, g):
        return g * ctx.mask, None, None, None, None, None


def _check_fq_range(quant_min, quant_max):
    if quant_min > quant_max:
        raise RuntimeError("`quant_min` should be less than or equal to `quant_max`.")


def fake_quantize_per_tensor_affine(input, scale, zero_point, quant_min, quant_max):
    """Quantize then dequantize (float in, float out); gradient passes straight through where
    round(x / scale) + zero_point lies inside [quant_min, quant_max] and is zero elsewhere."""
    _check_fq_range(quant_min, quant_max)
    if isinstance(scale, Tensor) or isinstance(zero_point, Tensor):
        from .._ops.creation import tensor as _tensor
        s = scale if isinstance(scale, Tensor) else _tensor(float(scale))
        z = zero_point if isinstance(zero_point, Tensor) else _tensor(int(zero_point))
        return _FakeQuantPTT.apply(input, s.detach(), z.detach(), quant_min, quant_max)
    if not quant_min <= zero_point <= quant_max:
        raise RuntimeError("`zero_point` must be between `quant_min` and `quant_max`.")
    return _FakeQuantPT.apply(input, float(scale), int(zero_point), quant_min, quant_max)


def fake_quantize_per_channel_affine(input, scale, zero_point, axis, quant_min, quant_max):
    """Per-channel fake quantize along `axis` (straight-through gradient as above)."""
    _check_fq_range(quant_min, quant_max)
    nd = input.ndim
    if not 0 <= axis < nd:
        raise RuntimeError(f"`axis` must be between 0 and number of dimensions of input")
    if scale.numel() != input.shape[axis]:
        raise RuntimeError("dimensions of scale and zero-point are not consistent with input tensor")
    return _FakeQuantPC.apply(input, scale.detach(), zero_point.detach(), axis, quant_min, quant_max)


register_methods({'dequantize': _tensor_dequantize,
                  'int_repr': _not_quantized('int_repr'),
                  'q_scale': _not_quantized('q_scale'),
                  'q_zero_point': _not_quantized('q_zero_point'),
                  'qscheme': _not_quantized('qscheme'),
                  'q_per_channel_scales': _not_quantized('q_per_channel_scales'),
                  'q_per_channel_zero_points': _not_quantized('q_per_channel_zero_points'),
                  'q_per_channel_axis': _not_quantized('q_per_channel_axis')})
