"""Ternary pointwise ops: lerp, addcmul, addcdiv (broadcast, torch's promotion)."""
from .. import _dtype as D
from .._tensor import Tensor, register_methods
from ..autograd.function import Function
from ._util import write_out
from .elementwise import _check_broadcast, _conj, _quiet, _inplace_method

__all__ = ['lerp', 'addcmul', 'addcdiv']


class _Lerp(Function, node_name='LerpBackward0'):
    @staticmethod
    def forward(ctx, start, end, weight):
        xp = start._storage.device.xp
        s, e = start._data, end._data
        _check_broadcast(s.shape, e.shape)
        w = weight._data if isinstance(weight, Tensor) else s.dtype.type(weight)
        if isinstance(weight, Tensor):
            _check_broadcast(s.shape, e.shape, w.shape)
        if ctx.needs_input_grad:
            ctx.save_for_backward(start, end, weight if isinstance(weight, Tensor) else None)
            ctx.weight = weight
        d = e - s
        # torch's form: accurate at both ends (w = 0 gives start, w = 1 gives end exactly)
        return xp.where(xp.abs(w) < 0.5, s + w * d, e - d * (1 - w)).astype(s.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        start, end, wt = ctx.saved_tensors
        w = ctx.weight if wt is None else wt
        if wt is None:
            return g * (1 - w), g * w, None
        return g * _conj(1 - w), g * _conj(w), g * _conj(end - start)


class _LerpT(_Lerp, node_name='LerpBackward1'):
    pass


class _Addcmul(Function, node_name='AddcmulBackward0'):
    @staticmethod
    def forward(ctx, a, t1, t2, value):
        dt = D.result_type(a, t1, t2).np
        _check_broadcast(a._data.shape, t1._data.shape, t2._data.shape)
        x, y, z = (t._data.astype(dt, copy=False) for t in (a, t1, t2))
        ctx.value = value
        if ctx.needs_input_grad:
            ctx.save_for_backward(t1, t2)
        with _quiet(a._storage.device.xp):
            return ctx._fwd_cls.combine(x, y, z, value)

    combine = staticmethod(lambda x, y, z, v: x + (y * z if v == 1 else v * y * z))

    @staticmethod
    def backward(ctx, g):
        t1, t2 = ctx.saved_tensors
        v = ctx.value
        return g, g * (v * _conj(t2)), g * (v * _conj(t1)), None


class _Addcdiv(_Addcmul, node_name='AddcdivBackward0'):
    combine = staticmethod(lambda x, y, z, v: x + (y / z if v == 1 else v * y / z))

    @staticmethod
    def backward(ctx, g):
        t1, t2 = ctx.saved_tensors
        v = ctx.value
        return g, g * v / _conj(t2), -g * v * _conj(t1) / _conj(t2 * t2), None


# ---------------------------------------------------------------------------- public wrappers

def lerp(input, end, weight, *, out=None):
    """input + weight * (end - input); weight a scalar or a tensor."""
    if end.dtype is not input.dtype:
        raise RuntimeError(f"expected dtype {input.dtype.name.replace('float32', 'float')} for "
                           f"`end` but got dtype {end.dtype.name.replace('float64', 'double')}")
    r = (_LerpT if isinstance(weight, Tensor) else _Lerp).apply(input, end, weight)
    return r if out is None else write_out(out, r)


def addcmul(input, tensor1, tensor2, *, value=1, out=None):
    """input + value * tensor1 * tensor2."""
    r = _Addcmul.apply(input, tensor1, tensor2, value)
    return r if out is None else write_out(out, r)


def addcdiv(input, tensor1, tensor2, *, value=1, out=None):
    """input + value * tensor1 / tensor2 (integer tensors are rejected, as in torch)."""
    if tensor1._data.dtype.kind in 'iub' and tensor2._data.dtype.kind in 'iub':
        raise RuntimeError(
            "Integer division with addcdiv is no longer supported, and in a future  release "
            "addcdiv will perform a true division of tensor1 and tensor2. The historic addcdiv "
            "behavior can be implemented as (input + value * torch.trunc(tensor1 / tensor2))"
            ".to(input.dtype) for integer inputs and as (input + value * tensor1 / tensor2) for "
            "float inputs. The future addcdiv behavior is just the latter implementation: "
            "(input + value * tensor1 / tensor2), for all dtypes.")
    r = _Addcdiv.apply(input, tensor1, tensor2, value)
    return r if out is None else write_out(out, r)


register_methods({
    'lerp': lerp, 'addcmul': addcmul, 'addcdiv': addcdiv,
    'lerp_': _inplace_method(lerp), 'addcmul_': _inplace_method(addcmul),
    'addcdiv_': _inplace_method(addcdiv),
})
