"""RMSprop with centering and momentum (torch.optim.RMSprop)."""
from ..autograd.grad_mode import no_grad
from .optimizer import (Optimizer, _get_value, _check, _check_lr, _bump, _grad_array, _step_tensor,
                        _zeros, _lerp_)

__all__ = ['RMSprop']


class RMSprop(Optimizer):
    """RMSprop (Hinton): steps scaled by a running RMS of the gradient."""

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False,
                 capturable=False, foreach=None, maximize=False, differentiable=False):
        _check_lr(lr)
        _check(0.0 <= eps, f"Invalid epsilon value: {eps}")
        _check(0.0 <= momentum, f"Invalid momentum value: {momentum}")
        _check(0.0 <= weight_decay, f"Invalid weight_decay value: {weight_decay}")
        _check(0.0 <= alpha, f"Invalid alpha value: {alpha}")
        defaults = dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered,
                        weight_decay=weight_decay, capturable=capturable, foreach=foreach, maximize=maximize,
                        differentiable=differentiable)
        super().__init__(params, defaults)

    @no_grad()
    def step(self, closure=None):
        loss = self._eval_closure(closure)
        for group in self.param_groups:
            lr = _get_value(group['lr'])
            alpha, eps, wd, momentum = group['alpha'], group['eps'], group['weight_decay'], group['momentum']
            for p in group['params']:
                if p.grad is None:
                    continue
                state = self.state[p]
                if len(state) == 0:
                    state['step'] = _step_tensor(p)
                    state['square_avg'] = _zeros(p)
                    if momentum > 0:
                        state['momentum_buffer'] = _zeros(p)
                    if group['centered']:
                        state['grad_avg'] = _zeros(p)
                xp = p._storage.device.xp
                st = state['step']
                st._data += 1
                g = _grad_array(p, group['maximize'])
                x, sq = p._data, state['square_avg']._data
                if wd != 0:
                    g = g + wd * x
                sq *= alpha
                sq += (1 - alpha) * (g * g)
                if group['centered']:
                    ga = state['grad_avg']._data
                    _lerp_(ga, g, 1 - alpha)
                    avg = xp.sqrt(sq - ga * ga)
                else:
                    avg = xp.sqrt(sq)
                avg += eps
                if momentum > 0:
                    buf = state['momentum_buffer']._data
                    buf *= momentum
                    buf += g / avg
                    x += (-lr) * buf
                else:
                    x += (-lr) * (g / avg)
                _bump(p, *state.values())
        return loss
