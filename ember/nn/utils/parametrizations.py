"""Parametrization-based weight_norm / spectral_norm (torch.nn.utils.parametrizations)."""
from ..modules.module import Module
from . import parametrize
from .spectral_norm import _normalize, _to_matrix
from .weight_norm import _norm_except_dim, _weight_norm

__all__ = ['weight_norm', 'spectral_norm']


def _no_grad():
    from ...autograd import grad_mode
    return grad_mode.no_grad()


class _WeightNorm(Module):
    """(g, v) -> v * g / ||v|| with the norm over every dim except `dim` (None: whole tensor)."""

    def __init__(self, dim=0):
        super().__init__()
        self.dim = -1 if dim is None else dim

    def forward(self, weight_g, weight_v):
        return _weight_norm(weight_v, weight_g, self.dim)

    def right_inverse(self, weight):
        return _norm_except_dim(weight, 2, self.dim), weight


def weight_norm(module, name='weight', dim=0):
    """Reparametrize `module.<name>` as original0 (g, magnitude) and original1 (v, direction)."""
    parametrize.register_parametrization(module, name, _WeightNorm(dim), unsafe=True)
    return module


class _SpectralNorm(Module):
    """w -> w / sigma(w); sigma by power iteration with buffers `_u`, `_v` refined in training."""

    def __init__(self, weight, n_power_iterations=1, dim=0, eps=1e-12):
        super().__init__()
        import ember
        ndim = weight.ndim
        if dim >= ndim or dim < -ndim:
            raise IndexError('Dimension out of range (expected to be in range of '
                             f'[-{ndim}, {ndim - 1}] but got {dim})')
        if n_power_iterations <= 0:
            raise ValueError('Expected n_power_iterations to be positive, but '
                             f'got n_power_iterations={n_power_iterations}')
        self.dim = dim if dim >= 0 else dim + ndim
        self.eps = eps
        if ndim > 1:
            self.n_power_iterations = n_power_iterations
            mat = self._reshape_weight_to_matrix(weight)
            h, w = mat.shape
            u = ember.randn(h, dtype=mat.dtype, device=mat.device)
            v = ember.randn(w, dtype=mat.dtype, device=mat.device)
            self.register_buffer('_u', _normalize(u, eps))
            self.register_buffer('_v', _normalize(v, eps))
            self._power_method(mat, 15)

    def _reshape_weight_to_matrix(self, weight):
        return _to_matrix(weight, self.dim)

    def _power_method(self, weight_mat, n_power_iterations):
        import ember
        with _no_grad():
            m = weight_mat.detach()
            for _ in range(n_power_iterations):
                _normalize(ember.mv(m, self._v), self.eps, out=self._u)
                _normalize(ember.mv(m.mH if m.is_complex() else m.t(), self._u), self.eps, out=self._v)

    def forward(self, weight):
        import ember
        if weight.ndim == 1:
            return weight / weight.norm(2).clamp(min=self.eps)
        mat = self._reshape_weight_to_matrix(weight)
        if self.training:
            self._power_method(mat, self.n_power_iterations)
        u = self._u.clone()
        v = self._v.clone()
        sigma = ember.vdot(u, ember.mv(mat, v))
        return weight / sigma

    def right_inverse(self, value):
        return value


def spectral_norm(module, name='weight', n_power_iterations=1, eps=1e-12, dim=None):
    """Reparametrize `module.<name>` by its spectral normalization."""
    weight = getattr(module, name, None)
    from ..._tensor import Tensor
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if dim is None:
        dim = 1 if type(module).__name__.startswith('ConvTranspose') else 0
    parametrize.register_parametrization(module, name, _SpectralNorm(weight, n_power_iterations, dim, eps))
    return module
