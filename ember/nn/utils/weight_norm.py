"""Hook-based weight normalization (torch.nn.utils.weight_norm): w = g * v / ||v||.

The weight becomes two Parameters, `<name>_g` (magnitude) and `<name>_v` (direction); a
forward pre-hook recomputes the plain attribute `<name>` before every forward.
"""
import warnings

from ..parameter import Parameter

__all__ = ['WeightNorm', 'weight_norm', 'remove_weight_norm']


def _norm_except_dim(v, pow=2, dim=0):
    """Norm over every dim except `dim` (kept, others size 1); dim=-1 means the whole tensor."""
    if dim == -1:
        return v.norm(pow)
    dim = dim + v.dim() if dim < 0 else dim
    others = tuple(d for d in range(v.dim()) if d != dim)
    if not others:
        return v.abs() if pow != 0 else v.ne(0).to(v.dtype)
    return v.norm(pow, dim=others, keepdim=True)


def _weight_norm(v, g, dim=0):
    return v * (g / _norm_except_dim(v, 2, dim))


class WeightNorm:
    """The forward pre-hook object; also usable to compute/remove the reparametrization."""

    def __init__(self, name, dim):
        self.name = name
        self.dim = -1 if dim is None else dim

    def compute_weight(self, module):
        g = getattr(module, self.name + '_g')
        v = getattr(module, self.name + '_v')
        return _weight_norm(v, g, self.dim)

    @staticmethod
    def apply(module, name, dim):
        for hook in module._forward_pre_hooks.values():
            if isinstance(hook, WeightNorm) and hook.name == name:
                raise RuntimeError(f'Cannot register two weight_norm hooks on the same parameter {name}')
        fn = WeightNorm(name, dim)
        weight = getattr(module, name)
        del module._parameters[name]
        module.register_parameter(name + '_g', Parameter(_norm_except_dim(weight, 2, fn.dim).detach()))
        module.register_parameter(name + '_v', Parameter(weight.detach()))
        setattr(module, name, fn.compute_weight(module))
        module.register_forward_pre_hook(fn)
        return fn

    def remove(self, module):
        weight = self.compute_weight(module)
        delattr(module, self.name)
        del module._parameters[self.name + '_g']
        del module._parameters[self.name + '_v']
        setattr(module, self.name, Parameter(weight.detach()))

    def __call__(self, module, inputs):
        setattr(module, self.name, self.compute_weight(module))


def weight_norm(module, name='weight', dim=0):
    """Apply hook-based weight normalization to `module.<name>` (deprecated in torch)."""
    warnings.warn('`torch.nn.utils.weight_norm` is deprecated in favor of '
                  '`torch.nn.utils.parametrizations.weight_norm`.', FutureWarning, stacklevel=2)
    WeightNorm.apply(module, name, dim)
    return module


def remove_weight_norm(module, name='weight'):
    """Fold `<name>_g`/`<name>_v` back into a single Parameter `<name>`."""
    for k, hook in list(module._forward_pre_hooks.items()):
        if isinstance(hook, WeightNorm) and hook.name == name:
            hook.remove(module)
            del module._forward_pre_hooks[k]
            return module
    raise ValueError(f"weight_norm of '{name}' not found in {module}")
