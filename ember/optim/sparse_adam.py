"""SparseAdam (torch.optim.SparseAdam).

ember has no sparse tensors, and torch's SparseAdam refuses dense gradients, so `step` raises
torch's RuntimeError whenever a parameter has a gradient; construction and validation match torch.
"""
from ..autograd.grad_mode import no_grad
from .optimizer import Optimizer, _check, _check_lr, _check_betas

__all__ = ['SparseAdam']


class SparseAdam(Optimizer):
    """Lazy Adam for sparse gradients (only sparse gradients are accepted, as in torch)."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, maximize=False):
        _check_lr(lr)
        _check(0.0 < eps, f"Invalid epsilon value: {eps}")
        _check_betas(betas)
        defaults = dict(lr=lr, betas=betas, eps=eps, maximize=maximize)
        super().__init__(params, defaults)
        sparse = [i for group in self.param_groups for i, p in enumerate(group['params'])
                  if getattr(p, 'is_sparse', False)]
        if sparse:
            raise ValueError(f"Sparse params at indices {sparse}: SparseAdam requires dense parameter tensors")

    @no_grad()
    def step(self, closure=None):
        loss = self._eval_closure(closure)
        for group in self.param_groups:
            for p in group['params']:
                if p.grad is not None and not p.grad.is_sparse:
                    raise RuntimeError("SparseAdam does not support dense gradients, please consider Adam instead")
        return loss
