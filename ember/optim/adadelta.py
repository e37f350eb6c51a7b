"""Adadelta (torch.optim.Adadelta)."""
from ..autograd.grad_mode import no_grad
from .optimizer import (Optimizer, _get_value, _check, _check_lr, _bump, _grad_array, _step_tensor,
                        _zeros)

__all__ = ['Adadelta']


class Adadelta(Optimizer):
    """Adadelta (Zeiler): steps from running averages of squared gradients and updates."""

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, *, capturable=False,
                 maximize=False, differentiable=False):
        _check_lr(lr)
        _check(0.0 <= rho <= 1.0, f"Invalid rho value: {rho}")
        _check(0.0 <= eps, f"Invalid epsilon value: {eps}")
        _check(0.0 <= weight_decay, f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize,
                        capturable=capturable, foreach=foreach, differentiable=differentiable)
        super().__init__(params, defaults)

    @no_grad()
    def step(self, closure=None):
        loss = self._eval_closure(closure)
        for group in self.param_groups:
            lr = _get_value(group['lr'])
            rho, eps, wd = group['rho'], group['eps'], group['weight_decay']
            for p in group['params']:
                if p.grad is None:
                    continue
                state = self.state[p]
                if len(state) == 0:
                    state['step'] = _step_tensor(p)
                    state['square_avg'] = _zeros(p)
                    state['acc_delta'] = _zeros(p)
                xp = p._storage.device.xp
                st = state['step']
                st._data += 1
                g = _grad_array(p, group['maximize'])
                x, sq, acc = p._data, state['square_avg']._data, state['acc_delta']._data
                if wd != 0:
                    g = g + wd * x
                sq *= rho
                sq += (1 - rho) * (g * g)
                std = xp.sqrt(sq + eps)
                delta = xp.sqrt(acc + eps)
                delta /= std
                delta *= g
                acc *= rho
                acc += (1 - rho) * (delta * delta)
                x += (-lr) * delta
                _bump(p, st, state['square_avg'], state['acc_delta'])
        return loss
