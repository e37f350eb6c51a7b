"""RAdam: Adam with variance rectification (torch.optim.RAdam)."""
from ..autograd.grad_mode import no_grad
from .optimizer import (Optimizer, _get_value, _check, _check_lr, _check_betas, _bump, _grad_array,
                        _step_tensor, _zeros, _lerp_)

__all__ = ['RAdam']


class RAdam(Optimizer):
    """Rectified Adam (Liu et al.): plain momentum SGD until the variance estimate is tractable."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False):
        _check_lr(lr)
        _check(0.0 <= eps, f"Invalid epsilon value: {eps}")
        _check_betas(betas)
        _check(0.0 <= weight_decay, f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, maximize=maximize,
                        foreach=foreach, capturable=capturable, decoupled_weight_decay=decoupled_weight_decay,
                        differentiable=differentiable)
        super().__init__(params, defaults)

    @no_grad()
    def step(self, closure=None):
        loss = self._eval_closure(closure)
        for group in self.param_groups:
            lr = _get_value(group['lr'])
            beta1, beta2 = group['betas']
            wd, eps = group['weight_decay'], group['eps']
            for p in group['params']:
                if p.grad is None:
                    continue
                state = self.state[p]
                if len(state) == 0:
                    state['step'] = _step_tensor(p)
                    state['exp_avg'] = _zeros(p)
                    state['exp_avg_sq'] = _zeros(p)
                xp = p._storage.device.xp
                st = state['step']
                g = _grad_array(p, group['maximize'])
                x, m, v = p._data, state['exp_avg']._data, state['exp_avg_sq']._data
                st._data += 1
                step = st.item()
                if wd != 0:
                    if group['decoupled_weight_decay']:
                        x *= 1 - lr * wd
                    else:
                        g = g + wd * x
                _lerp_(m, g, 1 - beta1)
                v *= beta2
                v += (1 - beta2) * (g * g)
                bc1 = 1 - beta1 ** step
                bc2 = 1 - beta2 ** step
                upd = (m / bc1) * lr
                rho_inf = 2 / (1 - beta2) - 1
                rho_t = rho_inf - 2 * step * (beta2 ** step) / bc2
                if rho_t > 5.0:
                    rect = ((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
                    upd = upd * ((bc2 ** 0.5) / (xp.sqrt(v) + eps)) * rect
                x -= upd
                _bump(p, st, state['exp_avg'], state['exp_avg_sq'])
        return loss
