"""Adagrad with lr decay and an initial accumulator value (torch.optim.Adagrad)."""
from ..autograd.grad_mode import no_grad
from .optimizer import (Optimizer, _get_value, _check, _check_lr, _bump, _grad_array, _step_tensor,
                        _zeros)

__all__ = ['Adagrad']


class Adagrad(Optimizer):
    """Adagrad (Duchi et al.): per-coordinate steps scaled by accumulated squared gradients."""

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10,
                 foreach=None, *, maximize=False, differentiable=False, fused=None):
        _check_lr(lr)
        _check(0.0 <= lr_decay, f"Invalid lr_decay value: {lr_decay}")
        _check(0.0 <= weight_decay, f"Invalid weight_decay value: {weight_decay}")
        _check(0.0 <= initial_accumulator_value,
               f"Invalid initial_accumulator_value value: {initial_accumulator_value}")
        _check(0.0 <= eps, f"Invalid epsilon value: {eps}")
        defaults = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)
        # torch creates Adagrad's state eagerly
        for group in self.param_groups:
            for p in group['params']:
                state = self.state[p]
                state['step'] = _step_tensor(p)
                state['sum'] = _zeros(p, group['initial_accumulator_value'])

    def share_memory(self):
        for group in self.param_groups:
            for p in group['params']:
                self.state[p]['sum'].share_memory_()

    @no_grad()
    def step(self, closure=None):
        loss = self._eval_closure(closure)
        for group in self.param_groups:
            lr = _get_value(group['lr'])
            wd, eps, lr_decay = group['weight_decay'], group['eps'], group['lr_decay']
            for p in group['params']:
                if p.grad is None:
                    continue
                state = self.state[p]
                xp = p._storage.device.xp
                st, s = state['step'], state['sum']
                st._data += 1
                step = st.item()
                g = _grad_array(p, group['maximize'])
                x = p._data
                if wd != 0:
                    g = g + wd * x
                clr = lr / (1 + (step - 1) * lr_decay)
                s._data += g * g
                x += (-clr) * (g / (xp.sqrt(s._data) + eps))
                _bump(p, st, s)
        return loss
