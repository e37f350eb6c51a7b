"""Shared plumbing for op implementations: argument unwrapping, promotion, device checks,
in-place writes (with PyTorch's autograd semantics for views), dim normalization."""
from .. import _dtype as D
from .._device import backend
from .._tensor import Tensor, _wrap_dim
from ..autograd.function import Node, _edge, _refresh_view
from ..autograd.grad_mode import GradState, no_grad, enable_grad

__all__ = ['xp_of', 'device_of', 'unwrap', 'to_tensor', 'result_dtype', 'wrap_dim', 'dims_arg',
           'inplace', 'check_same_device', 'float_dtype_for', 'np_dtype']

wrap_dim = _wrap_dim


def np_dtype(dtype):
    return dtype.np


def device_of(*args):
    """Device shared by the tensor arguments; RuntimeError like torch when they differ."""
    dev = None
    for a in args:
        if isinstance(a, Tensor):
            d = a._storage.device
            if dev is None:
                dev = d
            elif d is not dev and d != dev and a._data.ndim != 0:
                raise RuntimeError(f"Expected all tensors to be on the same device, but found at "
                                   f"least two devices, {dev} and {d}!")
    if dev is None:
        from .._device import CPU
        dev = CPU
    return dev


check_same_device = device_of


def xp_of(*args):
    """The array module (numpy/cupy) for the tensors' device."""
    return backend(device_of(*args))


def unwrap(x):
    """Backend array of a tensor; Python scalars pass through."""
    return x._data if isinstance(x, Tensor) else x


def to_tensor(x, like=None, dtype=None):
    """A Tensor for x (scalars become 0-dim tensors on like's device)."""
    if isinstance(x, Tensor):
        return x
    from .creation import tensor
    dev = like._storage.device if like is not None else None
    return tensor(x, dtype=dtype if dtype is not None else D._scalar_dtype(x) if not hasattr(x, '__len__') else None,
                  device=dev)


def result_dtype(*args):
    return D.result_type(*args)


def float_dtype_for(dtype):
    """dtype that float-valued ops (exp, mean, ...) compute in: integers/bool -> default float."""
    return dtype if dtype.category >= 2 else D.get_default_dtype()


def dims_arg(dim, ndim):
    """Normalize dim (None, int, or sequence) to a sorted tuple of non-negative dims."""
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, (int,)) and not isinstance(dim, bool):
        return (_wrap_dim(dim, ndim),)
    dims = tuple(_wrap_dim(d, ndim) for d in dim)
    if len(set(dims)) != len(dims):
        raise RuntimeError(f"dim {dims[0]} appears multiple times in the list of dims")
    return tuple(sorted(dims))


# ---------------------------------------------------------------------------- in-place writes

def _cast_check(result_dtype, self_dtype):
    if not D.can_cast(result_dtype, self_dtype):
        raise RuntimeError(f"result type {_type_word(result_dtype)} can't be cast to the desired "
                           f"output type {_type_word(self_dtype)}")


def _type_word(d):
    return {'float32': 'Float', 'float64': 'Double', 'float16': 'Half', 'bfloat16': 'BFloat16',
            'int64': 'Long', 'int32': 'Int', 'int16': 'Short', 'int8': 'Char', 'uint8': 'Byte',
            'bool': 'Bool', 'complex64': 'ComplexFloat', 'complex128': 'ComplexDouble'}.get(d.name, d.name)


def inplace(self, fn, *args, **kwargs):
    """Run out-of-place `fn(self, *args)` and write its result into self's memory.

    Gives torch's in-place semantics: error on leaves that require grad; a non-leaf's history
    is rebased onto the op; writing through a view rebases the base (CopySlices) so that
    gradients match PyTorch. Bumps the version counter.
    """
    if self._base is not None:
        _refresh_view(self)
    track = GradState.enabled and (self._requires_grad or any(
        isinstance(a, Tensor) and a._requires_grad for a in args))
    if not track:
        prev = GradState.enabled
        GradState.enabled = False
        try:
            res = fn(self, *args, **kwargs)
        finally:
            GradState.enabled = prev
        _write(self, res)
        return self
    if self._grad_fn is None and self._requires_grad:
        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
    base = self._base
    if base is not None and base._grad_fn is None and base._requires_grad:
        raise RuntimeError("a view of a leaf Variable that requires grad is being used in an in-place operation.")
    res = fn(_snapshot(self), *args, **kwargs)
    _write(self, res)
    if base is None:
        self._grad_fn = res._grad_fn
        self._output_nr = res._output_nr
        self._requires_grad = res._requires_grad
    else:
        _rebase_view(self, base, res)
    return self


def _write(self, res):
    if res._data.shape != self._data.shape:
        raise RuntimeError(f"output with shape {list(self._data.shape)} doesn't match the broadcast "
                           f"shape {list(res._data.shape)}")
    if res._data.dtype != self._data.dtype:
        _cast_check(res.dtype, self.dtype)
    if self._data.size:
        self._data[...] = res._data
    self._storage.version += 1


def _snapshot(self):
    """A copy of self's current values carrying self's autograd history (input of the op)."""
    if self._base is not None:
        _refresh_view(self)
    t = Tensor._from_array(self._data.copy(), self._storage.device)
    t._grad_fn = self._grad_fn
    t._output_nr = self._output_nr
    t._requires_grad = self._requires_grad
    t._acc = self._acc if self._grad_fn is None else None
    return t


def replay_view(t, chain):
    for op, args in chain:
        t = op(t, *args)
    return t


class CopySlices(Node):
    """History of a base tensor after an in-place write through one of its views.

    Inputs: the base's previous history and the op's result. The gradient for the base is
    the incoming gradient with the written region zeroed; the result gets that region.
    """

    def name(self):
        return 'torch::autograd::CopySlices'

    def __init__(self, base_edge, result_edge, chain, base_meta, result_meta):
        self.next_functions = (base_edge, result_edge)
        self._chain = chain
        self._input_meta = (base_meta, result_meta)

    def apply(self, grad):
        g_base = grad.clone()
        replay_view(g_base, self._chain).zero_()
        g_res = replay_view(grad, self._chain)
        return g_base, g_res


def _rebase_view(view, base, res):
    node = CopySlices(_edge(base), _edge(res), view._view_chain,
                      (base._data.shape, base._data.dtype), (res._data.shape, res._data.dtype))
    base._grad_fn = node
    base._output_nr = 0
    base._requires_grad = True
    with enable_grad():
        regenerated = replay_view(base, view._view_chain)
    view._grad_fn = regenerated._grad_fn
    view._output_nr = regenerated._output_nr
    view._requires_grad = True
    view._gf_version = view._storage.version


def write_out(out, res):
    """Implement `out=`: copy res into out (resizing out when its shape differs)."""
    if out is None:
        return res
    if not isinstance(out, Tensor):
        raise TypeError(f"argument 'out' must be Tensor, not {type(out).__name__}")
    if GradState.enabled and (res._requires_grad or out._requires_grad):
        import re
        fn = res._grad_fn
        op = f"{re.sub(r'Backward[0-9]*$', '', fn.name()).lower()}(): " if fn is not None else ''
        raise RuntimeError(f"{op}functions with out=... arguments don't support automatic "
                           "differentiation, but one of the arguments requires grad.")
    if res._data.dtype != out._data.dtype:
        _cast_check(res.dtype, out.dtype)
    if out._data.shape != res._data.shape:
        from .._storage import Storage
        arr = res._data.astype(out._data.dtype, copy=True)
        out._data = arr
        out._storage = Storage(arr, out._storage.device)
    else:
        out._data[...] = res._data
        out._storage.version += 1
    return out
