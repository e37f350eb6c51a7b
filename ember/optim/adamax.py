"""Adamax: Adam with an infinity-norm second moment (torch.optim.Adamax)."""
from ..autograd.grad_mode import no_grad
from .optimizer import (Optimizer, _get_value, _check, _check_lr, _check_betas, _bump, _grad_array,
                        _step_tensor, _zeros, _lerp_)

__all__ = ['Adamax']


class Adamax(Optimizer):
    """Adamax (Kingma & Ba, section 7)."""

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, foreach=None, *,
                 maximize=False, differentiable=False, capturable=False):
        _check_lr(lr)
        _check(0.0 <= eps, f"Invalid epsilon value: {eps}")
        _check_betas(betas)
        _check(0.0 <= weight_decay, f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, capturable=capturable)
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
                    state['exp_inf'] = _zeros(p)
                xp = p._storage.device.xp
                g = _grad_array(p, group['maximize'])
                x, m, u = p._data, state['exp_avg']._data, state['exp_inf']._data
                st = state['step']
                st._data += 1
                if wd != 0:
                    g = g + wd * x
                _lerp_(m, g, 1 - beta1)
                u *= beta2
                xp.maximum(u, xp.abs(g) + eps, out=u)
                clr = lr / (1 - beta1 ** st.item())
                x += (-clr) * (m / u)
                _bump(p, st, state['exp_avg'], state['exp_inf'])
        return loss
