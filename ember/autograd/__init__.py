"""ember.autograd: backward, grad, Function, grad modes, anomaly detection."""
from .function import Function, once_differentiable, FunctionCtx  # noqa: F401
from .grad_mode import (no_grad, enable_grad, set_grad_enabled, inference_mode,  # noqa: F401
                        is_grad_enabled, is_inference_mode_enabled)
from .engine import run_backward
from . import function as _fn
from .gradcheck import gradcheck, gradgradcheck, GradcheckError  # noqa: F401
from . import functional  # noqa: F401
from .anomaly import (detect_anomaly, set_detect_anomaly, is_anomaly_enabled,  # noqa: F401
                      is_anomaly_check_nan_enabled)
from . import anomaly as anomaly_mode  # noqa: F401  (torch's module name)

__all__ = ['backward', 'grad', 'Function', 'once_differentiable', 'no_grad', 'enable_grad',
           'set_grad_enabled', 'inference_mode', 'detect_anomaly', 'set_detect_anomaly', 'gradcheck',
           'gradgradcheck', 'functional']


def _as_tuple(x):
    if x is None:
        return None
    if isinstance(x, (tuple, list)):
        return tuple(x)
    return (x,)


def _make_grads(outputs, grads):
    """Default gradients: ones for scalar outputs; check shapes of given ones."""
    from .._ops.creation import ones_like
    result = []
    for i, (out, g) in enumerate(zip(outputs, grads)):
        if g is None:
            if out._requires_grad:
                if out._data.size != 1:
                    raise RuntimeError("grad can be implicitly created only for scalar outputs")
                if out._data.dtype.kind not in 'fcV':
                    raise RuntimeError(f"grad can be implicitly created only for real scalar outputs but got {out.dtype}")
            g = ones_like(out)
        elif not isinstance(g, _fn.Tensor):
            from .._ops.creation import full_like
            g = full_like(out, g)
        elif g._data.shape != out._data.shape:
            raise RuntimeError(f"Mismatch in shape: grad_output[{i}] has a shape of {g.shape} and "
                               f"output[{i}] has a shape of {out.shape}.")
        result.append(g)
    return result


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, grad_variables=None,
             inputs=None):
    """Accumulate gradients of `tensors` into the .grad of the graph's leaves (or `inputs`)."""
    tensors = _as_tuple(tensors)
    grads = _as_tuple(grad_tensors) or (None,) * len(tensors)
    if len(grads) != len(tensors):
        raise RuntimeError(f"got {len(grads)} tensors and {len(tensors)} gradients")
    for t in tensors:
        if not t._requires_grad:
            raise RuntimeError("element 0 of tensors does not require grad and does not have a grad_fn")
    if retain_graph is None:
        retain_graph = create_graph
    inputs = _as_tuple(inputs)
    if inputs is not None and len(inputs) == 0:
        raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
    run_backward(tensors, _make_grads(tensors, grads), retain_graph, create_graph, inputs=inputs)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         only_inputs=True, allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """Gradients of outputs with respect to inputs (returned, not accumulated into .grad)."""
    outputs = _as_tuple(outputs)
    inputs_t = _as_tuple(inputs)
    if allow_unused is None:
        allow_unused = materialize_grads
    grads = _as_tuple(grad_outputs) or (None,) * len(outputs)
    for t in outputs:
        if not t._requires_grad:
            raise RuntimeError("element 0 of tensors does not require grad and does not have a grad_fn")
    for t in inputs_t:
        if not t._requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    if retain_graph is None:
        retain_graph = create_graph
    result = run_backward(outputs, _make_grads(outputs, grads), retain_graph, create_graph,
                          inputs=inputs_t, allow_unused=allow_unused, accumulate=False)
    if materialize_grads:
        from .._ops.creation import zeros_like
        result = [zeros_like(i) if r is None else r for r, i in zip(result, inputs_t)]
    return tuple(result)
