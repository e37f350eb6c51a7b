"""NAdam: Adam with Nesterov momentum and momentum decay (torch.optim.NAdam)."""
from ..autograd.grad_mode import no_grad
from .optimizer import (Optimizer, _get_value, _check, _check_lr, _check_betas, _bump, _grad_array,
                        _step_tensor, _zeros, _lerp_)

__all__ = ['NAdam']


class NAdam(Optimizer):
    """NAdam (Dozat); keeps the running product of momentum coefficients in `mu_product`."""

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, momentum_decay=4e-3,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False):
        _check_lr(lr)
        _check(0.0 <= eps, f"Invalid epsilon value: {eps}")
        _check_betas(betas)
        _check(0.0 <= weight_decay, f"Invalid weight_decay value: {weight_decay}")
        _check(0.0 <= momentum_decay, f"Invalid momentum_decay value: {momentum_decay}")
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, momentum_decay=momentum_decay,
                        decoupled_weight_decay=decoupled_weight_decay, maximize=maximize, foreach=foreach,
                        capturable=capturable, differentiable=differentiable)
        super().__init__(params, defaults)

    @no_grad()
    def step(self, closure=None):
        loss = self._eval_closure(closure)
        for group in self.param_groups:
            lr = _get_value(group['lr'])
            beta1, beta2 = group['betas']
            wd, eps, md = group['weight_decay'], group['eps'], group['momentum_decay']
            for p in group['params']:
                if p.grad is None:
                    continue
                state = self.state[p]
                if len(state) == 0:
                    state['step'] = _step_tensor(p)
                    state['mu_product'] = _step_tensor(p, 1.0)
                    state['exp_avg'] = _zeros(p)
                    state['exp_avg_sq'] = _zeros(p)
                xp = p._storage.device.xp
                st, mp = state['step'], state['mu_product']
                g = _grad_array(p, group['maximize'])
                x, m, v = p._data, state['exp_avg']._data, state['exp_avg_sq']._data
                st._data += 1
                step = st.item()
                bc2 = 1 - beta2 ** step
                if wd != 0:
                    if group['decoupled_weight_decay']:
                        x *= 1 - lr * wd
                    else:
                        g = g + wd * x
                mu = beta1 * (1. - 0.5 * (0.96 ** (step * md)))
                mu_next = beta1 * (1. - 0.5 * (0.96 ** ((step + 1) * md)))
                mp._data *= mu
                _lerp_(m, g, 1 - beta1)
                v *= beta2
                v += (1 - beta2) * (g * g)
                denom = xp.sqrt(v / bc2) + eps
                mp_v = mp.item()
                x += (-lr * (1. - mu) / (1. - mp_v)) * (g / denom)
                x += ((-lr * mu_next) / (1. - mp_v * mu_next)) * (m / denom)
                _bump(p, st, mp, state['exp_avg'], state['exp_avg_sq'])
        return loss
