"""Rprop: sign-based steps with adaptive per-coordinate step sizes (torch.optim.Rprop)."""
from ..autograd.grad_mode import no_grad
from .optimizer import Optimizer, _get_value, _check_lr, _bump, _grad_array, _step_tensor, _zeros

__all__ = ['Rprop']


class Rprop(Optimizer):
    """Resilient backpropagation (Riedmiller & Braun)."""

    def __init__(self, params, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), *, capturable=False,
                 foreach=None, maximize=False, differentiable=False):
        _check_lr(lr)
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        defaults = dict(lr=lr, etas=etas, step_sizes=step_sizes, foreach=foreach, maximize=maximize,
                        differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)

    @no_grad()
    def step(self, closure=None):
        loss = self._eval_closure(closure)
        for group in self.param_groups:
            etaminus, etaplus = group['etas']
            smin, smax = group['step_sizes']
            for p in group['params']:
                if p.grad is None:
                    continue
                state = self.state[p]
                if len(state) == 0:
                    state['step'] = _step_tensor(p)
                    state['prev'] = _zeros(p)
                    state['step_size'] = _zeros(p.grad, _get_value(group['lr']))
                xp = p._storage.device.xp
                st = state['step']
                st._data += 1
                g = _grad_array(p, group['maximize'])
                x, prev, ss = p._data, state['prev']._data, state['step_size']._data
                s = xp.sign(g * prev)
                factor = xp.where(s > 0, etaplus, xp.where(s < 0, etaminus, 1.0)).astype(ss.dtype)
                ss *= factor
                xp.clip(ss, smin, smax, out=ss)
                g = xp.where(s < 0, 0, g).astype(g.dtype)
                x -= xp.sign(g) * ss
                prev[...] = g
                _bump(p, st, state['prev'], state['step_size'])
        return loss
