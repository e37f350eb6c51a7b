"""ember.optim.swa_utils (= torch.optim.swa_utils): Stochastic Weight Averaging and EMA.

AveragedModel keeps a deep copy of a model whose parameters (and optionally buffers) are a
running average of the trained model's; SWALR anneals each group's lr towards `swa_lr`;
update_bn recomputes BatchNorm running statistics for the averaged weights.
"""
import itertools
import math
import warnings
from copy import deepcopy

from .. import _tensor
from ..nn.modules.module import Module
from .lr_scheduler import LRScheduler, _per_group

__all__ = ['AveragedModel', 'update_bn', 'SWALR', 'get_ema_multi_avg_fn', 'get_swa_multi_avg_fn',
           'get_ema_avg_fn', 'get_swa_avg_fn']


def _no_grad():
    from ..autograd import grad_mode
    return grad_mode.no_grad()


def _is_float_or_complex(t):
    return t.dtype.is_floating_point or t.dtype.is_complex


def _check_decay(decay):
    if decay < 0.0 or decay > 1.0:
        raise ValueError(f'Invalid decay value {decay} provided. Please provide a value in [0,1] range.')


def get_ema_multi_avg_fn(decay=0.999):
    """In-place EMA over lists of tensors: ema <- lerp(ema, current, 1 - decay)."""
    _check_decay(decay)

    def ema_update(ema_param_list, current_param_list, _):
        with _no_grad():
            for e, c in zip(ema_param_list, current_param_list):
                if _is_float_or_complex(e):
                    e.lerp_(c, 1 - decay)
                else:
                    e.copy_(e * decay + c * (1 - decay))
    return ema_update


def get_swa_multi_avg_fn():
    """In-place equal-weight running mean over lists of tensors."""

    def swa_update(averaged_param_list, current_param_list, num_averaged):
        with _no_grad():
            for a, c in zip(averaged_param_list, current_param_list):
                if _is_float_or_complex(a):
                    a.lerp_(c, float(1 / (num_averaged + 1)))
                elif isinstance(num_averaged, _tensor.Tensor):
                    a.addcdiv_(c - a, num_averaged + 1)  # integer: raises like torch
                else:
                    a.add_(c - a, alpha=1.0 / (num_averaged + 1))
    return swa_update


def get_ema_avg_fn(decay=0.999):
    """Per-tensor EMA returning the new average."""
    _check_decay(decay)

    def ema_update(ema_param, current_param, num_averaged):
        with _no_grad():
            return decay * ema_param + (1 - decay) * current_param
    return ema_update


def get_swa_avg_fn():
    """Per-tensor equal-weight running mean returning the new average."""

    def swa_update(averaged_param, current_param, num_averaged):
        with _no_grad():
            return averaged_param + (current_param - averaged_param) / (num_averaged + 1)
    return swa_update


class AveragedModel(Module):
    """Deep copy of `model` whose weights track an average (SWA by default) of `model`'s."""

    def __init__(self, model, device=None, avg_fn=None, multi_avg_fn=None, use_buffers=False):
        super().__init__()
        if avg_fn is not None and multi_avg_fn is not None:
            raise AssertionError('Only one of avg_fn and multi_avg_fn should be provided')
        from .. import tensor, long
        self.module = deepcopy(model)
        if device is not None:
            self.module = self.module.to(device)
        self.register_buffer('n_averaged', tensor(0, dtype=long, device=device))
        self.avg_fn = avg_fn
        self.multi_avg_fn = multi_avg_fn
        self.use_buffers = use_buffers

    def forward(self, *args, **kwargs):
        return self.module(*args, **kwargs)

    def update_parameters(self, model):
        """Fold `model`'s current weights into the average (a plain copy the first time)."""
        if self.use_buffers:
            mine = itertools.chain(self.module.parameters(), self.module.buffers())
            theirs = itertools.chain(model.parameters(), model.buffers())
        else:
            mine, theirs = self.parameters(), model.parameters()
        n = int(self.n_averaged.item())
        avg, cur = [], []
        with _no_grad():
            for pa, pm in zip(mine, theirs):
                pm_ = pm.detach().to(pa.device)
                avg.append(pa.detach())
                cur.append(pm_)
                if n == 0:
                    pa.detach().copy_(pm_)
            if n > 0:
                if self.avg_fn is not None and self.multi_avg_fn is None:
                    for pa, pm in zip(avg, cur):
                        pa.copy_(self.avg_fn(pa, pm, self.n_averaged.to(pa.device)))
                else:
                    for key, (ga, gc) in _group_by_device_dtype(avg, cur).items():
                        n_avg = self.n_averaged.to(key[0])
                        if self.multi_avg_fn is not None:
                            self.multi_avg_fn(ga, gc, n_avg)
                        elif key[0].type == 'cuda':  # torch's foreach (lerp) path
                            get_swa_multi_avg_fn()(ga, gc, n_avg)
                        else:  # torch's CPU path: per-tensor a + (c - a) / (n + 1)
                            fn = get_swa_avg_fn()
                            for pa, pm in zip(ga, gc):
                                pa.copy_(fn(pa, pm, n_avg))
            if not self.use_buffers:
                for bs, bm in zip(self.module.buffers(), model.buffers()):
                    bs.detach().copy_(bm.detach().to(bs.device))
            self.n_averaged += 1


def _group_by_device_dtype(avg, cur):
    groups = {}
    for a, c in zip(avg, cur):
        ga, gc = groups.setdefault((a.device, a.dtype), ([], []))
        ga.append(a)
        gc.append(c)
    return groups


def _is_batchnorm(module):
    from ..nn import modules as _m
    for modname in ('batchnorm', 'normalization'):
        sub = getattr(_m, modname, None)
        base = getattr(sub, '_BatchNorm', None) if sub is not None else None
        if isinstance(base, type):
            return isinstance(module, base)
    return ('BatchNorm' in type(module).__name__ and hasattr(module, 'reset_running_stats'))


def update_bn(loader, model, device=None):
    """Reset every BatchNorm's running stats and recompute them (cumulative average) over `loader`."""
    with _no_grad():
        momenta = {}
        for m in model.modules():
            if _is_batchnorm(m):
                m.reset_running_stats()
                momenta[m] = m.momentum
        if not momenta:
            return
        was_training = model.training
        model.train()
        for m in momenta:
            m.momentum = None
        for inp in loader:
            if isinstance(inp, (list, tuple)):
                inp = inp[0]
            if device is not None:
                inp = inp.to(device)
            model(inp)
        for m, mom in momenta.items():
            m.momentum = mom
        model.train(was_training)


class SWALR(LRScheduler):
    """Anneal each group's lr to `swa_lr` over `anneal_epochs` (cos or linear), then hold it."""

    def __init__(self, optimizer, swa_lr, anneal_epochs=10, anneal_strategy='cos', last_epoch=-1):
        for lr, group in zip(_per_group('swa_lr', optimizer, swa_lr), optimizer.param_groups):
            group['swa_lr'] = lr
        if anneal_strategy not in ('cos', 'linear'):
            raise ValueError(f"anneal_strategy must be one of 'cos' or 'linear', instead got {anneal_strategy}")
        self._set_anneal_func(anneal_strategy)
        if not isinstance(anneal_epochs, int) or anneal_epochs < 0:
            raise ValueError(f'anneal_epochs must be equal or greater than 0, got {anneal_epochs}')
        self.anneal_epochs = anneal_epochs
        super().__init__(optimizer, last_epoch)

    @staticmethod
    def _linear_anneal(t):
        return t

    @staticmethod
    def _cosine_anneal(t):
        return (1 - math.cos(math.pi * t)) / 2

    @staticmethod
    def _get_initial_lr(lr, swa_lr, alpha):
        if alpha == 1:
            return swa_lr
        return (lr - alpha * swa_lr) / (1 - alpha)

    def _set_anneal_func(self, strategy):
        self._anneal_strategy = strategy
        self.anneal_func = self._cosine_anneal if strategy == 'cos' else self._linear_anneal

    def get_lr(self):
        if not self._get_lr_called_within_step:
            warnings.warn('To get the last learning rate computed by the scheduler, please use '
                          '`get_last_lr()`.', UserWarning, stacklevel=2)
        step = self._step_count - 1
        if self.anneal_epochs == 0:
            step = max(1, step)
        span = max(1, self.anneal_epochs)
        prev_alpha = self.anneal_func(max(0, min(1, (step - 1) / span)))
        groups = self.optimizer.param_groups
        # Recover the lr the anneal started from, then move to this step's blend.
        prev = [self._get_initial_lr(g['lr'], g['swa_lr'], prev_alpha) for g in groups]
        alpha = self.anneal_func(max(0, min(1, step / span)))
        return [g['swa_lr'] * alpha + lr * (1 - alpha) for g, lr in zip(groups, prev)]

    def state_dict(self):
        return {k: v for k, v in self.__dict__.items() if k not in ('optimizer', 'anneal_func')}

    def load_state_dict(self, state_dict):
        self.__dict__.update(state_dict)
        self._set_anneal_func(self._anneal_strategy)
