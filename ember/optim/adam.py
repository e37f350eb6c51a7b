"""Adam with amsgrad, L2 or decoupled weight decay and maximize (torch.optim.Adam)."""
from ..autograd.grad_mode import no_grad
from .optimizer import (Optimizer, _get_value, _check, _check_lr, _check_betas, _bump, _grad_array,
                        _step_tensor, _zeros, _lerp_)

__all__ = ['Adam']


class Adam(Optimizer):
    """Adam: moment estimates with bias correction (Kingma & Ba)."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, *,
                 foreach=None, maximize=False, capturable=False, differentiable=False, fused=None,
                 decoupled_weight_decay=False):
        _check_lr(lr)
        _check(0.0 <= eps, f"Invalid epsilon value: {eps}")
        _check_betas(betas)
        _check(0.0 <= weight_decay, f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                        maximize=maximize, foreach=foreach, capturable=capturable,
                        differentiable=differentiable, fused=fused,
                        decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault('amsgrad', False)
            group.setdefault('maximize', False)
            group.setdefault('foreach', None)
            group.setdefault('capturable', False)
            group.setdefault('differentiable', False)
            group.setdefault('decoupled_weight_decay', False)
            group.setdefault('fused', None)

    @no_grad()
    def step(self, closure=None):
        loss = self._eval_closure(closure)
        for group in self.param_groups:
            lr = _get_value(group['lr'])
            beta1, beta2 = (_get_value(b) for b in group['betas'])
            wd, eps = group['weight_decay'], group['eps']
            for p in group['params']:
                if p.grad is None:
                    continue
                state = self.state[p]
                if len(state) == 0:
                    state['step'] = _step_tensor(p)
                    state['exp_avg'] = _zeros(p)
                    state['exp_avg_sq'] = _zeros(p)
                    if group['amsgrad']:
                        state['max_exp_avg_sq'] = _zeros(p)
                g = _grad_array(p, group['maximize'])
                x, m, v = p._data, state['exp_avg']._data, state['exp_avg_sq']._data
                st = state['step']
                st._data += 1
                if wd != 0:
                    if group['decoupled_weight_decay']:
                        x *= 1 - lr * wd
                    else:
                        g = g + wd * x
                _lerp_(m, g, 1 - beta1)
                v *= beta2
                v += (1 - beta2) * (g * g)
                step = st.item()
                bc1 = 1 - beta1 ** step
                bc2_sqrt = (1 - beta2 ** step) ** 0.5
                xp = p._storage.device.xp
                if group['amsgrad']:
                    vmax = state['max_exp_avg_sq']._data
                    xp.maximum(vmax, v, out=vmax)
                    v = vmax
                denom = xp.sqrt(v) / bc2_sqrt + eps
                x += (-(lr / bc1)) * (m / denom)
                _bump(p, st, *(state[k] for k in state if k != 'step'))
        return loss
