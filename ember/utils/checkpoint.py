"""Activation checkpointing (= torch.utils.checkpoint): run a function without keeping its
intermediate activations, and recompute them during backward."""
import warnings

from .._tensor import Tensor
from ..autograd.function import Function

__all__ = ['checkpoint', 'checkpoint_sequential']


def _detach_inputs(args):
    out = []
    for a in args:
        if isinstance(a, Tensor):
            d = a.detach()
            d.requires_grad_(a.requires_grad)
            out.append(d)
        else:
            out.append(a)
    return out


class _CheckpointFunction(Function, node_name='CheckpointFunctionBackward'):
    """Forward: run fn under no_grad, keep only the inputs (and the RNG state).
    Backward: restore the RNG state, re-run fn with grad enabled on detached inputs and
    back-propagate the incoming gradients through the recomputed graph."""
    @staticmethod
    def forward(ctx, run, preserve, *args):
        import ember
        ctx.run, ctx.preserve = run, preserve
        if preserve:
            ctx.rng = ember.get_rng_state()
        ctx.tensor_idx = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        ctx.save_for_backward(*[args[i] for i in ctx.tensor_idx])
        ctx.args = list(args)
        with ember.no_grad():
            out = run(*args)
        ctx.single = not isinstance(out, tuple)
        return out

    @staticmethod
    def backward(ctx, *grads):
        import ember
        saved = ctx.saved_tensors
        args = list(ctx.args)
        for i, t in zip(ctx.tensor_idx, saved):
            args[i] = t
        inputs = _detach_inputs(args)
        with ember.random.fork_rng(enabled=ctx.preserve):
            if ctx.preserve:
                ember.set_rng_state(ctx.rng)
            with ember.enable_grad():
                out = ctx.run(*inputs)
        outs = (out,) if not isinstance(out, tuple) else out
        pairs = [(o, g) for o, g in zip(outs, grads)
                 if isinstance(o, Tensor) and o.requires_grad and g is not None]
        if pairs:
            ember.autograd.backward([o for o, _ in pairs], [g for _, g in pairs])
        return (None, None) + tuple(i.grad if isinstance(i, Tensor) else None for i in inputs)


def checkpoint(function, *args, use_reentrant=None, context_fn=None, determinism_check='default',
               debug=False, preserve_rng_state=True, **kwargs):
    """function(*args, **kwargs) computed without storing its activations; they are
    recomputed in backward (with the same RNG state, so dropout masks match)."""
    if use_reentrant is None:
        warnings.warn("torch.utils.checkpoint: the use_reentrant parameter should be passed "
                      "explicitly. Refer to docs for details on the differences between the "
                      "two variants.", stacklevel=2)
    if kwargs and use_reentrant:
        raise ValueError("Unexpected keyword arguments: " + ",".join(kwargs))
    run = (lambda *a: function(*a, **kwargs)) if kwargs else function
    return _CheckpointFunction.apply(run, preserve_rng_state, *args)


def checkpoint_sequential(functions, segments, input, use_reentrant=None, **kwargs):
    """Split a sequence of modules into `segments` chunks; checkpoint all but the last."""
    from ..nn import Sequential
    if isinstance(functions, Sequential):
        functions = list(functions.children())
    functions = list(functions)
    size = len(functions) // segments

    def run_range(start, end):
        def fwd(x):
            for j in range(start, end + 1):
                x = functions[j](x)
            return x
        return fwd

    end = -1
    for start in range(0, size * (segments - 1), size):
        end = start + size - 1
        input = checkpoint(run_range(start, end), input, use_reentrant=use_reentrant, **kwargs)
    return run_range(end + 1, len(functions) - 1)(input)
