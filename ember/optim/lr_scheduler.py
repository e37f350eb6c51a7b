"""ember.optim.lr_scheduler (= torch.optim.lr_scheduler): learning-rate schedules.

Schedulers follow PyTorch's state machine exactly: construction performs an initial step
(`last_epoch` -1 -> 0, `_step_count` 0 -> 1), each `step()` computes the next lr from the
*current* group lr (the "chainable" recursive form) so several schedulers can be composed;
`step(epoch)` (deprecated) uses the closed form where one exists. The optimizer's `step` is
wrapped once so that calling `scheduler.step()` before `optimizer.step()` warns like torch.
"""
import math
import types
import warnings
import weakref
from bisect import bisect_right
from collections import Counter
from functools import wraps

from .._tensor import Tensor

__all__ = ['LambdaLR', 'MultiplicativeLR', 'StepLR', 'MultiStepLR', 'ConstantLR', 'LinearLR',
           'ExponentialLR', 'SequentialLR', 'CosineAnnealingLR', 'ChainedScheduler',
           'ReduceLROnPlateau', 'CyclicLR', 'CosineAnnealingWarmRestarts', 'OneCycleLR',
           'PolynomialLR', 'LRScheduler']

_EPOCH_WARNING = (
    'The epoch parameter in `scheduler.step()` was not necessary and is being deprecated where '
    'possible. Please use `scheduler.step()` to step the scheduler. During the deprecation, if '
    'epoch is different from None, the closed form is used instead of the new chainable form, '
    'where available. Please open an issue if you are unable to replicate your use case: '
    'https://github.com/pytorch/pytorch/issues/new/choose.')
_ORDER_WARNING = (
    'Detected call of `lr_scheduler.step()` before `optimizer.step()`. In PyTorch 1.1.0 and '
    'later, you should call them in the opposite order: `optimizer.step()` before '
    '`lr_scheduler.step()`.  Failure to do this will result in PyTorch skipping the first value '
    'of the learning rate schedule. See more details at '
    'https://pytorch.org/docs/stable/optim.html#how-to-adjust-learning-rate')
_OVERRIDE_WARNING = (
    'Seems like `optimizer.step()` has been overridden after learning rate scheduler '
    'initialization. Please, make sure to call `optimizer.step()` before `lr_scheduler.step()`. '
    'See more details at https://pytorch.org/docs/stable/optim.html#how-to-adjust-learning-rate')
_GETLR_WARNING = 'To get the last learning rate computed by the scheduler, please use `get_last_lr()`.'


def _check_optimizer(optimizer):
    """TypeError unless `optimizer` is an ember Optimizer (duck-typed while the base is absent)."""
    from . import optimizer as _optmod
    base = getattr(_optmod, 'Optimizer', None)
    ok = isinstance(optimizer, base) if isinstance(base, type) else hasattr(optimizer, 'param_groups')
    if not ok:
        raise TypeError(f'{type(optimizer).__name__} is not an Optimizer')


def _copy(v):
    return v.clone() if isinstance(v, Tensor) else v


def _per_group(name, optimizer, value):
    """Broadcast a scalar hyper-parameter to one value per param group (lists checked)."""
    n = len(optimizer.param_groups)
    if isinstance(value, (list, tuple)):
        if len(value) != n:
            raise ValueError(f'{name} must have the same length as optimizer.param_groups. '
                             f'{name} has {len(value)} values, param_groups has {n}.')
        return [_copy(v) for v in value]
    return [_copy(value) for _ in range(n)]


def _group_values(optimizer, key):
    return [_copy(g[key]) for g in optimizer.param_groups]


def _set_group_value(group, key, value):
    """Write `value` into group[key]; a Tensor lr is updated in place (fill_) like torch."""
    cur = group[key]
    if isinstance(cur, Tensor):
        cur.fill_(value.item() if isinstance(value, Tensor) else value)
    else:
        group[key] = value


def _wrap_optimizer_step(scheduler, opt):
    """Wrap `opt.step` once so it records `_opt_called` (used for the step-order warning)."""
    if hasattr(opt.step, '_wrapped_by_lr_sched'):
        return
    func = opt.step.__func__
    opt_ref = weakref.ref(opt)

    @wraps(func)
    def wrapper(*args, **kwargs):
        o = opt_ref()
        o._opt_called = True
        return func.__get__(o, o.__class__)(*args, **kwargs)

    wrapper._wrapped_by_lr_sched = True
    opt.step = wrapper


class _Flag:
    """Context manager setting a boolean attribute on the scheduler for its duration."""

    def __init__(self, obj, name):
        self.obj, self.name = obj, name

    def __enter__(self):
        setattr(self.obj, self.name, True)
        return self

    def __exit__(self, *exc):
        setattr(self.obj, self.name, False)


def _deprecated_verbose(verbose):
    if verbose != 'deprecated':
        warnings.warn('The verbose parameter is deprecated. Please use get_last_lr() to access the '
                      'learning rate.', UserWarning, stacklevel=3)


class LRScheduler:
    """Base class: tracks `last_epoch`, `base_lrs` (from the groups' 'initial_lr') and `_last_lr`."""

    _get_lr_called_within_step = False
    _is_initial = False

    def __init__(self, optimizer, last_epoch=-1, verbose='deprecated'):
        _check_optimizer(optimizer)
        _deprecated_verbose(verbose)
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault('initial_lr', _copy(group['lr']))
        else:
            for i, group in enumerate(optimizer.param_groups):
                if 'initial_lr' not in group:
                    raise KeyError(f"param 'initial_lr' is not specified in param_groups[{i}] when "
                                   'resuming scheduler with last_epoch >= 0.')
        self.base_lrs = _group_values(optimizer, 'initial_lr')
        self.last_epoch = last_epoch
        _wrap_optimizer_step(self, optimizer)
        self._initial_step()

    def _initial_step(self):
        """The construction-time step that moves last_epoch to 0 and sets `_last_lr`."""
        self._step_count = 0
        with _Flag(self, '_is_initial'):
            self.step()

    def state_dict(self):
        """Every attribute except the optimizer."""
        return {k: v for k, v in self.__dict__.items() if k != 'optimizer'}

    def load_state_dict(self, state_dict):
        self.__dict__.update(state_dict)

    def get_last_lr(self):
        """The lrs set by the most recent step, one per param group."""
        return self._last_lr

    def get_lr(self):
        raise NotImplementedError

    def _warn_get_lr(self):
        if not self._get_lr_called_within_step:
            warnings.warn(_GETLR_WARNING, UserWarning, stacklevel=3)

    def step(self, epoch=None):
        if self._step_count == 1:
            if not hasattr(self.optimizer.step, '_wrapped_by_lr_sched'):
                warnings.warn(_OVERRIDE_WARNING, UserWarning, stacklevel=2)
            elif not getattr(self.optimizer, '_opt_called', False):
                warnings.warn(_ORDER_WARNING, UserWarning, stacklevel=2)
        self._step_count += 1
        if epoch is not None:
            warnings.warn(_EPOCH_WARNING, UserWarning, stacklevel=2)
        self._update_lr(epoch)

    def _update_lr(self, epoch=None):
        with _Flag(self, '_get_lr_called_within_step'):
            if epoch is None:
                self.last_epoch += 1
                values = self.get_lr()
            else:
                self.last_epoch = epoch
                closed = getattr(self, '_get_closed_form_lr', None)
                values = closed() if closed is not None else self.get_lr()
        values = list(values)
        if len(values) != len(self.optimizer.param_groups):
            raise ValueError('get_lr() returned a different number of values than param groups')
        for group, lr in zip(self.optimizer.param_groups, values):
            _set_group_value(group, 'lr', lr)
        self._last_lr = _group_values(self.optimizer, 'lr')


class _LRScheduler(LRScheduler):
    """Old name kept for compatibility."""


def _lambdas(optimizer, lr_lambda, check_callable=False):
    n = len(optimizer.param_groups)
    if isinstance(lr_lambda, (list, tuple)):
        if len(lr_lambda) != n:
            raise ValueError(f'Expected {n} lr_lambdas, but got {len(lr_lambda)}')
        fns = list(lr_lambda)
    else:
        fns = [lr_lambda] * n
    if check_callable:
        for f in fns:
            if not callable(f):
                raise TypeError(f'lr_lambda should be a function, but got {type(f).__name__}')
    return fns


class _LambdaStateMixin:
    """state_dict stores callable objects' __dict__ (plain functions/lambdas are not saved)."""

    def state_dict(self):
        sd = {k: v for k, v in self.__dict__.items() if k not in ('optimizer', 'lr_lambdas')}
        sd['lr_lambdas'] = [None if isinstance(f, types.FunctionType) else f.__dict__.copy()
                            for f in self.lr_lambdas]
        return sd

    def load_state_dict(self, state_dict):
        sd = dict(state_dict)
        fns = sd.pop('lr_lambdas')
        self.__dict__.update(sd)
        for f, saved in zip(self.lr_lambdas, fns):
            if saved is not None:
                f.__dict__.update(saved)


class LambdaLR(_LambdaStateMixin, LRScheduler):
    """lr = initial_lr * lr_lambda(epoch)."""

    def __init__(self, optimizer, lr_lambda, last_epoch=-1, verbose='deprecated'):
        self.optimizer = optimizer
        self.lr_lambdas = _lambdas(optimizer, lr_lambda)
        super().__init__(optimizer, last_epoch, verbose)

    def get_lr(self):
        self._warn_get_lr()
        return [b * f(self.last_epoch) for f, b in zip(self.lr_lambdas, self.base_lrs)]


class MultiplicativeLR(_LambdaStateMixin, LRScheduler):
    """lr *= lr_lambda(epoch) at every step after the first."""

    def __init__(self, optimizer, lr_lambda, last_epoch=-1, verbose='deprecated'):
        self.optimizer = optimizer
        self.lr_lambdas = _lambdas(optimizer, lr_lambda, check_callable=True)
        super().__init__(optimizer, last_epoch, verbose)

    def get_lr(self):
        self._warn_get_lr()
        if self._is_initial:
            return _group_values(self.optimizer, 'lr')
        return [g['lr'] * f(self.last_epoch) for f, g in zip(self.lr_lambdas, self.optimizer.param_groups)]


class StepLR(LRScheduler):
    """Multiply by gamma every `step_size` epochs."""

    def __init__(self, optimizer, step_size, gamma=0.1, last_epoch=-1, verbose='deprecated'):
        self.step_size = step_size
        self.gamma = gamma
        super().__init__(optimizer, last_epoch, verbose)

    def get_lr(self):
        self._warn_get_lr()
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return _group_values(self.optimizer, 'lr')
        return [g['lr'] * self.gamma for g in self.optimizer.param_groups]

    def _get_closed_form_lr(self):
        return [b * self.gamma ** (self.last_epoch // self.step_size) for b in self.base_lrs]


class MultiStepLR(LRScheduler):
    """Multiply by gamma (once per occurrence) at each milestone epoch."""

    def __init__(self, optimizer, milestones, gamma=0.1, last_epoch=-1, verbose='deprecated'):
        self.milestones = Counter(milestones)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch, verbose)

    def get_lr(self):
        self._warn_get_lr()
        if self.last_epoch not in self.milestones:
            return _group_values(self.optimizer, 'lr')
        k = self.milestones[self.last_epoch]
        return [g['lr'] * self.gamma ** k for g in self.optimizer.param_groups]

    def _get_closed_form_lr(self):
        ms = sorted(self.milestones.elements())
        return [b * self.gamma ** bisect_right(ms, self.last_epoch) for b in self.base_lrs]


class ConstantLR(LRScheduler):
    """lr * factor until `total_iters`, then back to lr."""

    def __init__(self, optimizer, factor=1.0 / 3, total_iters=5, last_epoch=-1, verbose='deprecated'):
        if factor > 1.0 or factor < 0:
            raise ValueError('Constant multiplicative factor expected to be between 0 and 1.')
        self.factor = factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch, verbose)

    def get_lr(self):
        self._warn_get_lr()
        groups = self.optimizer.param_groups
        if self.last_epoch == 0:
            return [g['lr'] * self.factor for g in groups]
        if self.last_epoch != self.total_iters:
            return _group_values(self.optimizer, 'lr')
        return [g['lr'] * (1.0 / self.factor) for g in groups]

    def _get_closed_form_lr(self):
        done = self.last_epoch >= self.total_iters
        return [b * (self.factor + done * (1 - self.factor)) for b in self.base_lrs]


class LinearLR(LRScheduler):
    """Factor goes linearly from start_factor to end_factor over `total_iters` steps."""

    def __init__(self, optimizer, start_factor=1.0 / 3, end_factor=1.0, total_iters=5, last_epoch=-1,
                 verbose='deprecated'):
        if start_factor > 1.0 or start_factor <= 0:
            raise ValueError('Starting multiplicative factor expected to be greater than 0 and less or equal to 1.')
        if end_factor > 1.0 or end_factor < 0:
            raise ValueError('Ending multiplicative factor expected to be between 0 and 1.')
        self.start_factor = start_factor
        self.end_factor = end_factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch, verbose)

    def get_lr(self):
        self._warn_get_lr()
        groups = self.optimizer.param_groups
        if self.last_epoch == 0:
            return [g['lr'] * self.start_factor for g in groups]
        if self._is_initial or self.last_epoch > self.total_iters:
            return _group_values(self.optimizer, 'lr')
        d = self.end_factor - self.start_factor
        ratio = 1.0 + d / (self.total_iters * self.start_factor + (self.last_epoch - 1) * d)
        return [g['lr'] * ratio for g in groups]

    def _get_closed_form_lr(self):
        d = self.end_factor - self.start_factor
        t = min(self.total_iters, self.last_epoch)
        return [b * (self.start_factor + d * t / self.total_iters) for b in self.base_lrs]


class ExponentialLR(LRScheduler):
    """lr *= gamma every step."""

    def __init__(self, optimizer, gamma, last_epoch=-1, verbose='deprecated'):
        self.gamma = gamma
        super().__init__(optimizer, last_epoch, verbose)

    def get_lr(self):
        self._warn_get_lr()
        if self._is_initial:
            return _group_values(self.optimizer, 'lr')
        return [g['lr'] * self.gamma for g in self.optimizer.param_groups]

    def _get_closed_form_lr(self):
        return [b * self.gamma ** self.last_epoch for b in self.base_lrs]


class PolynomialLR(LRScheduler):
    """lr = base * (1 - t/total_iters) ** power, computed recursively."""

    def __init__(self, optimizer, total_iters=5, power=1.0, last_epoch=-1, verbose='deprecated'):
        self.total_iters = total_iters
        self.power = power
        super().__init__(optimizer, last_epoch, verbose)

    def get_lr(self):
        self._warn_get_lr()
        if self._is_initial or self.last_epoch > self.total_iters:
            return _group_values(self.optimizer, 'lr')
        t, T = self.last_epoch, self.total_iters
        decay = ((1.0 - t / T) / (1.0 - (t - 1) / T)) ** self.power
        return [g['lr'] * decay for g in self.optimizer.param_groups]

    def _get_closed_form_lr(self):
        t = min(self.total_iters, self.last_epoch)
        return [b * (1.0 - t / self.total_iters) ** self.power for b in self.base_lrs]


class CosineAnnealingLR(LRScheduler):
    """SGDR cosine annealing without restarts, in torch's recursive form."""

    def __init__(self, optimizer, T_max, eta_min=0.0, last_epoch=-1, verbose='deprecated'):
        self.T_max = T_max
        self.eta_min = eta_min
        super().__init__(optimizer, last_epoch, verbose)

    def _closed(self, base, t):
        return self.eta_min + (base - self.eta_min) * (1 + math.cos(t * math.pi / self.T_max)) / 2

    def get_lr(self):
        self._warn_get_lr()
        t, T, lo = self.last_epoch, self.T_max, self.eta_min
        groups = self.optimizer.param_groups
        if self._is_initial:
            return _group_values(self.optimizer, 'lr')
        if self._step_count == 1 and t > 0:
            return [self._closed(b, t) for b in self.base_lrs]
        if (t - 1 - T) % (2 * T) == 0:
            return [g['lr'] + (b - lo) * (1 - math.cos(math.pi / T)) / 2
                    for b, g in zip(self.base_lrs, groups)]
        ratio = (1 + math.cos(math.pi * t / T)) / (1 + math.cos(math.pi * (t - 1) / T))
        return [ratio * (g['lr'] - lo) + lo for g in groups]

    def _get_closed_form_lr(self):
        return [self.eta_min + (b - self.eta_min) * (1 + math.cos(math.pi * self.last_epoch / self.T_max)) / 2
                for b in self.base_lrs]


def _check_sub_schedulers(owner, optimizer, schedulers):
    name = type(owner).__name__
    for i, s in enumerate(schedulers):
        if not hasattr(s, 'optimizer'):
            raise TypeError(f'{name} at index {i} should have `optimizer` as its attribute.')
        if isinstance(s, ReduceLROnPlateau):
            raise ValueError(f'{name} does not support `ReduceLROnPlateau` scheduler as it requires '
                             'additional kwargs to be specified when calling `step`, but got one at '
                             f'index {i} in the given schedulers sequence.')
        if optimizer != s.optimizer:
            raise ValueError(f'{name} expects all schedulers to belong to the same optimizer, but got '
                             f'scheduler {type(s).__name__} at index {i} has {s.optimizer}, which is '
                             f'different from {type(optimizer).__name__}.')


class _CompositeStateMixin:
    """state_dict nests each sub-scheduler's state_dict under '_schedulers'."""

    def state_dict(self):
        sd = {k: v for k, v in self.__dict__.items() if k not in ('optimizer', '_schedulers')}
        sd['_schedulers'] = [s.state_dict() for s in self._schedulers]
        return sd

    def load_state_dict(self, state_dict):
        sd = dict(state_dict)
        subs = sd.pop('_schedulers')
        self.__dict__.update(sd)
        for s, st in zip(self._schedulers, subs):
            s.load_state_dict(st)


class ChainedScheduler(_CompositeStateMixin, LRScheduler):
    """Step every scheduler in turn each call (their effects multiply)."""

    def __init__(self, schedulers, optimizer=None):
        if len(schedulers) < 1:
            raise ValueError(f'{type(self).__name__} expects at least one scheduler to be chained, '
                             'but got no scheduler.')
        optimizer = optimizer or schedulers[0].optimizer
        _check_sub_schedulers(self, optimizer, schedulers)
        self._schedulers = schedulers
        self.optimizer = optimizer
        self._last_lr = _group_values(schedulers[-1].optimizer, 'lr')

    def step(self):
        for s in self._schedulers:
            s.step()
        self._last_lr = _group_values(self._schedulers[-1].optimizer, 'lr')


class SequentialLR(_CompositeStateMixin, LRScheduler):
    """Run schedulers one after another, switching at `milestones`."""

    def __init__(self, optimizer, schedulers, milestones, last_epoch=-1, verbose='deprecated'):
        if len(schedulers) < 1:
            raise ValueError(f'{type(self).__name__} expects at least one scheduler, but got no scheduler.')
        _check_sub_schedulers(self, optimizer, schedulers)
        if len(milestones) != len(schedulers) - 1:
            raise ValueError('Sequential Schedulers expects number of schedulers provided to be one more '
                             'than the number of milestone points, but got number of schedulers '
                             f'{len(schedulers)} and the number of milestones to be equal to {len(milestones)}')
        _deprecated_verbose(verbose)
        self._schedulers = schedulers
        self._milestones = milestones
        self.last_epoch = last_epoch + 1
        self.optimizer = optimizer
        # Undo the sub-schedulers' construction steps, then re-run the first one's initial step.
        for group in optimizer.param_groups:
            _set_group_value(group, 'lr', group['initial_lr'])
        self._undo_epochs(self)
        idx = bisect_right(milestones, 0)
        schedulers[idx]._initial_step()
        self._last_lr = schedulers[idx].get_last_lr()

    def recursive_undo(self, sched=None):
        self._undo_epochs(self if sched is None else sched)

    def _undo_epochs(self, sched):
        if hasattr(sched, '_schedulers'):
            for s in sched._schedulers:
                self._undo_epochs(s)
        elif hasattr(sched, 'last_epoch'):
            sched.last_epoch -= 1

    def step(self):
        self.last_epoch += 1
        idx = bisect_right(self._milestones, self.last_epoch)
        sched = self._schedulers[idx]
        if idx > 0 and self._milestones[idx - 1] == self.last_epoch:
            sched._update_lr(0)
        else:
            sched.step()
        self._last_lr = sched.get_last_lr()


from ._lr_cycles import ReduceLROnPlateau, CyclicLR, CosineAnnealingWarmRestarts, OneCycleLR  # noqa: E402,F401
