"""Averaged SGD (torch.optim.ASGD): state `eta`, `mu` (0-dim) and the running average `ax`."""
from ..autograd.grad_mode import no_grad
from .optimizer import (Optimizer, _get_value, _check, _check_lr, _bump, _grad_array, _step_tensor,
                        _scalar_dtype,
                        _zeros)

__all__ = ['ASGD']


class ASGD(Optimizer):
    """Averaged stochastic gradient descent (Polyak & Juditsky)."""

    def __init__(self, params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0, foreach=None,
                 maximize=False, differentiable=False, capturable=False):
        _check_lr(lr)
        _check(0.0 <= weight_decay, f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)

    @no_grad()
    def step(self, closure=None):
        loss = self._eval_closure(closure)
        for group in self.param_groups:
            lr = _get_value(group['lr'])
            lambd, alpha, t0, wd = group['lambd'], group['alpha'], group['t0'], group['weight_decay']
            for p in group['params']:
                if p.grad is None:
                    continue
                state = self.state[p]
                if len(state) == 0:
                    state['step'] = _step_tensor(p)
                    state['eta'] = _step_tensor(p, lr)
                    state['mu'] = _step_tensor(p, 1.0)
                    state['ax'] = _zeros(p)
                st, eta, mu, ax = state['step'], state['eta'], state['mu'], state['ax']
                g = _grad_array(p, group['maximize'])
                x = p._data
                st._data += 1
                step = st.item()
                if wd != 0:
                    g = g + wd * x
                eta_v = eta.item()
                x *= 1 - lambd * eta_v
                x += (-eta_v) * g
                if mu.item() != 1:
                    ax._data += (x - ax._data) * mu._data
                else:
                    ax._data[...] = x
                # torch goes through a default-dtype scalar tensor here (rounding included)
                sdt = _scalar_dtype().np
                eta._data[...] = p._storage.device.xp.asarray(lr / ((1 + lambd * lr * step) ** alpha), dtype=sdt)
                mu._data[...] = p._storage.device.xp.asarray(1 / max(1, step - t0), dtype=sdt)
                _bump(p, st, eta, mu, ax)
        return loss
