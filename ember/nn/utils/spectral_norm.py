"""Hook-based spectral normalization (torch.nn.utils.spectral_norm): w = w_orig / sigma(w_orig).

sigma is estimated by power iteration on the weight reshaped to a matrix (dim `dim` first);
the singular-vector estimates live in buffers `<name>_u`/`<name>_v` and are refined in place
during training forwards only, so eval reuses the stored estimate.
"""
from ..parameter import Parameter

__all__ = ['SpectralNorm', 'spectral_norm', 'remove_spectral_norm']


def _no_grad():
    from ...autograd import grad_mode
    return grad_mode.no_grad()


def _normalize(x, eps, out=None):
    """x / max(||x||_2, eps) for a 1-D tensor, optionally written into `out` in place."""
    r = x / x.norm(2).clamp(min=eps)
    if out is not None:
        out.copy_(r)
        return out
    return r


def _to_matrix(weight, dim):
    if dim != 0:
        weight = weight.permute(dim, *[d for d in range(weight.dim()) if d != dim])
    return weight.reshape(weight.shape[0], -1)


class SpectralNorm:
    """The forward pre-hook object."""

    _version = 1

    def __init__(self, name='weight', n_power_iterations=1, dim=0, eps=1e-12):
        self.name = name
        self.dim = dim
        if n_power_iterations <= 0:
            raise ValueError('Expected n_power_iterations to be positive, but '
                             f'got n_power_iterations={n_power_iterations}')
        self.n_power_iterations = n_power_iterations
        self.eps = eps

    def reshape_weight_to_matrix(self, weight):
        return _to_matrix(weight, self.dim)

    def compute_weight(self, module, do_power_iteration):
        import ember
        weight = getattr(module, self.name + '_orig')
        u = getattr(module, self.name + '_u')
        v = getattr(module, self.name + '_v')
        mat = self.reshape_weight_to_matrix(weight)
        if do_power_iteration:
            with _no_grad():
                m = mat.detach()
                for _ in range(self.n_power_iterations):
                    _normalize(ember.mv(m.t(), u), self.eps, out=v)
                    _normalize(ember.mv(m, v), self.eps, out=u)
                u = u.clone()
                v = v.clone()
        sigma = ember.dot(u, ember.mv(mat, v))
        return weight / sigma

    def remove(self, module):
        with _no_grad():
            weight = self.compute_weight(module, do_power_iteration=False)
        delattr(module, self.name)
        delattr(module, self.name + '_u')
        delattr(module, self.name + '_v')
        delattr(module, self.name + '_orig')
        module.register_parameter(self.name, Parameter(weight.detach()))

    def __call__(self, module, inputs):
        setattr(module, self.name, self.compute_weight(module, do_power_iteration=module.training))

    @staticmethod
    def apply(module, name, n_power_iterations, dim, eps):
        import ember
        for hook in module._forward_pre_hooks.values():
            if isinstance(hook, SpectralNorm) and hook.name == name:
                raise RuntimeError(f'Cannot register two spectral_norm hooks on the same parameter {name}')
        fn = SpectralNorm(name, n_power_iterations, dim, eps)
        weight = module._parameters[name]
        with _no_grad():
            mat = fn.reshape_weight_to_matrix(weight)
            h, w = mat.shape
            u = _normalize(ember.randn(h, dtype=weight.dtype, device=weight.device), eps)
            v = _normalize(ember.randn(w, dtype=weight.dtype, device=weight.device), eps)
        delattr(module, name)
        module.register_parameter(name + '_orig', weight)
        setattr(module, name, weight.data)
        module.register_buffer(name + '_u', u)
        module.register_buffer(name + '_v', v)
        module.register_forward_pre_hook(fn)
        return fn


def _is_conv_transpose(module):
    return type(module).__name__ in ('ConvTranspose1d', 'ConvTranspose2d', 'ConvTranspose3d')


def spectral_norm(module, name='weight', n_power_iterations=1, eps=1e-12, dim=None):
    """Apply hook-based spectral normalization to `module.<name>`."""
    if dim is None:
        dim = 1 if _is_conv_transpose(module) else 0
    SpectralNorm.apply(module, name, n_power_iterations, dim, eps)
    return module


def remove_spectral_norm(module, name='weight'):
    """Replace the reparametrization with a plain Parameter holding w_orig / sigma."""
    for k, hook in list(module._forward_pre_hooks.items()):
        if isinstance(hook, SpectralNorm) and hook.name == name:
            hook.remove(module)
            del module._forward_pre_hooks[k]
            return module
    raise ValueError(f"spectral_norm of '{name}' not found in {module}")
