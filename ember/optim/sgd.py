"""SGD with momentum, dampening, Nesterov momentum, weight decay and maximize (torch.optim.SGD)."""
from .. import _blas
from ..autograd.grad_mode import no_grad
from .optimizer import Optimizer, _get_value, _check, _check_lr, _bump, _grad_array

__all__ = ['SGD']


class SGD(Optimizer):
    """Stochastic gradient descent (optionally with momentum)."""

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *,
                 maximize=False, foreach=None, differentiable=False, fused=None):
        _check_lr(lr)
        _check(momentum >= 0.0, f"Invalid momentum value: {momentum}")
        _check(weight_decay >= 0.0, f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                        nesterov=nesterov, maximize=maximize, foreach=foreach,
                        differentiable=differentiable, fused=fused)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault('nesterov', False)
            group.setdefault('maximize', False)
            group.setdefault('foreach', None)
            group.setdefault('differentiable', False)
            group.setdefault('fused', False)

    @no_grad()
    def step(self, closure=None):
        loss = self._eval_closure(closure)
        for group in self.param_groups:
            lr = _get_value(group['lr'])
            wd = _get_value(group['weight_decay'])
            momentum, dampening = group['momentum'], group['dampening']
            for p in group['params']:
                if p.grad is None:
                    continue
                g = _grad_array(p, group['maximize'])
                x = p._data
                if wd != 0:
                    g = g + wd * x
                if momentum != 0:
                    state = self.state[p]
                    buf = state.get('momentum_buffer')
                    if buf is None:
                        buf = p.grad.detach().clone()
                        buf._data[...] = g
                        state['momentum_buffer'] = buf
                    else:
                        b = buf._data
                        if not _blas.axpby(1 - dampening, g, momentum, b):   # b = m*b + (1-d)*g
                            b *= momentum
                            b += g if dampening == 0 else (1 - dampening) * g
                        _bump(buf)
                    g = g + momentum * buf._data if group['nesterov'] else buf._data
                if not _blas.axpy(-lr, g, x):                                 # x -= lr * g
                    x -= lr * g
                _bump(p)
        return loss
