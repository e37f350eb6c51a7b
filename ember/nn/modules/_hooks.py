"""Running a Module call with its hooks: forward pre/post hooks (local and global, with
kwargs, always_call) and full backward (pre) hooks.

Full backward hooks wrap the module's tensor inputs and outputs in identity Functions: the
output-side node sees grad_output first (backward pre-hooks may replace it), the input-side
node then sees grad_input and calls the hooks, which may replace grad_input.
"""
from ..._tensor import Tensor
from ...autograd.function import Function
from ...autograd.grad_mode import GradState
from . import module as M


class _BackwardHookState:
    """Per-call state shared by the input- and output-side identity nodes."""

    def __init__(self, module, full_hooks, pre_hooks):
        self.module = module
        self.full_hooks = full_hooks
        self.pre_hooks = pre_hooks
        self.grad_output = None
        self.n_inputs = 0


class _OutputHook(Function, node_name='BackwardHookFunctionBackward'):
    @staticmethod
    def forward(ctx, state, *tensors):
        ctx.state = state
        ctx.mark_non_differentiable(*[t for t in tensors if not t.requires_grad])
        return tuple(t._alias() for t in tensors)

    @staticmethod
    def backward(ctx, *grads):
        state = ctx.state
        for hook in state.pre_hooks:
            out = hook(state.module, grads)
            if out is not None:
                grads = tuple(out) if isinstance(out, (tuple, list)) else (out,)
        state.grad_output = grads
        if state.n_inputs == 0 and state.full_hooks:
            # no input requires grad: hooks still run, with grad_input = (None,)
            for hook in state.full_hooks:
                hook(state.module, (None,), grads)
        return (None,) + tuple(grads)


class _InputHook(Function, node_name='BackwardHookFunctionBackward'):
    @staticmethod
    def forward(ctx, state, *tensors):
        ctx.state = state
        return tuple(t._alias() for t in tensors)

    @staticmethod
    def backward(ctx, *grads):
        state = ctx.state
        for hook in state.full_hooks:
            out = hook(state.module, grads, state.grad_output)
            if out is not None:
                out = tuple(out) if isinstance(out, (tuple, list)) else (out,)
                if len(out) != len(grads):
                    raise RuntimeError(f"Backward hook returned an invalid number of grad_input, "
                                       f"got {len(out)}, but expected {len(grads)}")
                grads = out
        return (None,) + tuple(grads)


def _wrap_tensors(fn_cls, state, values):
    """Apply an identity hook Function to the tensors (requiring grad) inside values."""
    is_tuple = isinstance(values, tuple)
    items = list(values) if is_tuple else [values]
    idx = [i for i, v in enumerate(items) if isinstance(v, Tensor) and v.requires_grad]
    if not idx:
        return values, 0
    new = fn_cls.apply(state, *[items[i] for i in idx])
    for i, t in zip(idx, new):
        items[i] = t
    return (tuple(items) if is_tuple else items[0]), len(idx)


def call_with_hooks(module, forward, args, kwargs):
    full_hooks = []
    pre_bwd = []
    if module._is_full_backward_hook or M._global_is_full_backward_hook:
        full_hooks = list(M._global_backward_hooks.values()) + list(module._backward_hooks.values())
    pre_bwd = list(M._global_backward_pre_hooks.values()) + list(module._backward_pre_hooks.values())
    legacy = [] if module._is_full_backward_hook is not False else list(module._backward_hooks.values())
    if M._global_is_full_backward_hook is False:
        legacy = list(M._global_backward_hooks.values()) + legacy

    for hook_id, hook in list(M._global_forward_pre_hooks.items()) + list(module._forward_pre_hooks.items()):
        if hook_id in module._forward_pre_hooks_with_kwargs:
            out = hook(module, args, kwargs)
            if out is not None:
                if not (isinstance(out, tuple) and len(out) == 2):
                    raise RuntimeError("forward pre-hook must return None or a tuple of (new_args, "
                                       f"new_kwargs), but got {out}.")
                args, kwargs = out
        else:
            out = hook(module, args)
            if out is not None:
                args = out if isinstance(out, tuple) else (out,)

    state = None
    if (full_hooks or pre_bwd) and GradState.enabled:
        state = _BackwardHookState(module, full_hooks, pre_bwd)
        args, state.n_inputs = _wrap_tensors(_InputHook, state, tuple(args))

    called_hooks = set()
    try:
        result = forward(*args, **kwargs)
        hooks = list(M._global_forward_hooks.items()) + list(module._forward_hooks.items())
        for hook_id, hook in hooks:
            called_hooks.add(hook_id)
            if hook_id in module._forward_hooks_with_kwargs:
                out = hook(module, args, kwargs, result)
            else:
                out = hook(module, args, result)
            if out is not None:
                result = out
    except Exception:
        always = [(i, h) for i, h in list(M._global_forward_hooks.items()) + list(module._forward_hooks.items())
                  if (i in module._forward_hooks_always_called or i in M._global_forward_hooks_always_called)
                  and i not in called_hooks]
        for hook_id, hook in always:
            try:
                if hook_id in module._forward_hooks_with_kwargs:
                    hook(module, args, kwargs, None)
                else:
                    hook(module, args, None)
            except Exception:
                pass
        raise

    if state is not None:
        result, _ = _wrap_tensors(_OutputHook, state, result)
    if legacy and GradState.enabled:
        var = result
        while not isinstance(var, Tensor):
            if isinstance(var, dict):
                var = next(v for v in var.values() if isinstance(v, Tensor))
            else:
                var = var[0]
        fn = var.grad_fn
        if fn is not None:
            for hook in legacy:
                fn.register_hook(lambda gi, go, hook=hook: hook(module, gi, go))
    return result
