"""linear and bilinear (torch.nn.functional).

linear is one fused Function (a single BLAS GEMM for x @ W^T + b), named as torch's grad_fn
for 2-D inputs (AddmmBackward0 with a bias, MmBackward0 without); other ranks are reshaped
to 2-D around it, as torch does. bilinear is a composition (one GEMM plus a reduction).
"""
import math

from ..._tensor import Tensor
from ...autograd.function import Function
from ...autograd.grad_mode import GradState
from ..._ops.linalg import _mm_arrays

__all__ = ['linear', 'bilinear']


class _LinearBias(Function, node_name='AddmmBackward0'):
    @staticmethod
    def forward(ctx, x, w, b):
        ctx.save_for_backward(x, w)
        ctx.bias_1d = b._data.ndim == 1
        out = _mm_arrays(x._data, w._data.T)
        out += b._data
        return out

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        if not GradState.enabled and g._data.dtype.char in 'fd' and ctx.bias_1d:
            gx, gw = _first_order_grads(g, x, w, need)
            gb = Tensor._from_array(g._data.sum(0), g._storage.device) if need[2] else None
            return gx, gw, gb
        gx = g.mm(w) if need[0] else None
        gw = g.t().mm(x) if need[1] else None
        return gx, gw, (g if need[2] else None)


class _LinearNoBias(Function, node_name='MmBackward0'):
    @staticmethod
    def forward(ctx, x, w):
        ctx.save_for_backward(x, w)
        return _mm_arrays(x._data, w._data.T)

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        if not GradState.enabled and g._data.dtype.char in 'fd':
            return _first_order_grads(g, x, w, need)
        return (g.mm(w) if need[0] else None), (g.t().mm(x) if need[1] else None)


def _first_order_grads(g, x, w, need):
    """(g @ w, g^T @ x) straight on arrays: the backward of a plain backward() call (no graph
    to record), saving the op dispatch of two mm calls per layer."""
    dev = g._storage.device
    gx = Tensor._from_array(_mm_arrays(g._data, w._data), dev) if need[0] else None
    gw = Tensor._from_array(_mm_arrays(g._data.T, x._data), dev) if need[1] else None
    return gx, gw


def _dtype_name(t):
    n = t.dtype.name
    return {'float32': 'float', 'float64': 'double', 'float16': 'c10::Half',
            'bfloat16': 'c10::BFloat16'}.get(n, n)


def _check_linear(input, weight, bias):
    if input.dim() == 0 or weight.dim() == 0:
        raise RuntimeError(f"both arguments to linear need to be at least 1D, but they are "
                           f"{input.dim()}D and {weight.dim()}D")
    if weight.dim() == 2 and input.shape[-1] != weight.shape[1]:
        rows = math.prod(input.shape[:-1])
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({rows}x{input.shape[-1]} "
                           f"and {weight.shape[1]}x{weight.shape[0]})")
    if input.dtype != weight.dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: "
                           f"{_dtype_name(input)} != {_dtype_name(weight)}")
    if bias is not None and bias.dtype != input.dtype:
        from ..._ops._util import _type_word
        raise RuntimeError(f"self and mat2 must have the same dtype, but got "
                           f"{_type_word(bias.dtype)} and {_type_word(input.dtype)}")


def linear(input, weight, bias=None):
    """y = input @ weight.T + bias, over the last dimension of input (any leading dims)."""
    _check_linear(input, weight, bias)
    if weight.dim() != 2:
        if weight.dim() == 1 and bias is not None and bias.dim() == 0:
            raise RuntimeError("mat2 must be a matrix, got 1-D tensor")
        out = input.matmul(weight.t() if weight.dim() == 2 else weight)
        return out if bias is None else out + bias
    if bias is not None:
        n_out = weight.shape[0]
        bshape = tuple(bias.shape)
        ok = len(bshape) <= 2 and all(s in (1, n_out) for s in bshape[-1:])
        if not ok:
            raise RuntimeError(f"The expanded size of the tensor ({n_out}) must match the existing "
                               f"size ({bshape[-1]}) at non-singleton dimension 1.  Target sizes: "
                               f"[{input.shape[0] if input.dim() > 1 else 1}, {n_out}].  Tensor "
                               f"sizes: {list(bshape)}")
    if input.dim() == 2:
        return _LinearNoBias.apply(input, weight) if bias is None else \
            _LinearBias.apply(input, weight, bias)
    if input.dim() == 1:
        x2 = input.unsqueeze(0)
        if bias is None:
            return _LinearNoBias.apply(x2, weight).squeeze(0)
        return _LinearBias.apply(x2, weight, bias).view(weight.shape[0])
    lead = tuple(input.shape[:-1])
    x2 = input.reshape(-1, input.shape[-1])
    y = _LinearNoBias.apply(x2, weight) if bias is None else _LinearBias.apply(x2, weight, bias)
    return y.view(*lead, weight.shape[0])


def bilinear(input1, input2, weight, bias=None):
    """y[..., o] = sum_ij input1[..., i] * weight[o, i, j] * input2[..., j] + bias[o]."""
    if input1.dim() != input2.dim():
        raise RuntimeError(f"bilinear(): input dimensions do not match: got {input1.dim()} and "
                           f"{input2.dim()}")
    for d in range(input1.dim() - 1):
        if input1.shape[d] != input2.shape[d]:
            raise RuntimeError(f"bilinear(): input batch dimensions do not match at dim {d}: got "
                               f"{input1.shape[d]} and {input2.shape[d]}")
    if weight.dim() != 3:
        raise RuntimeError(f"bilinear(): weight must be 3-dimensional, got {weight.dim()}")
    out_f, in1, in2 = weight.shape
    if input1.shape[-1] != in1:
        raise RuntimeError(f"bilinear(): input1 size does not match weight size: got "
                           f"{input1.shape[-1]} but expected {in1}")
    if input2.shape[-1] != in2:
        raise RuntimeError(f"bilinear(): input2 size does not match weight size: got "
                           f"{input2.shape[-1]} but expected {in2}")
    if bias is not None and (bias.dim() != 1 or bias.shape[0] != out_f):
        raise RuntimeError(f"bilinear(): bias size does not match weight size: got "
                           f"{bias.shape[-1] if bias.dim() else 0} but expected {out_f}")
    # one GEMM: (..., in1) @ (in1, out*in2) -> (..., out, in2), then contract with input2
    w2 = weight.permute(1, 0, 2).reshape(in1, out_f * in2)
    t = input1.matmul(w2).reshape(*input1.shape[:-1], out_f, in2)
    y = (t * input2.unsqueeze(-2)).sum(-1)
    return y if bias is None else y + bias
