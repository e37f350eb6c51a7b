"""Pruning (torch.nn.utils.prune): `name` becomes `name_orig` (Parameter) * `name_mask` (buffer).

Each pruning call reparametrizes the tensor and registers the method object as a forward
pre-hook that recomputes `module.<name>` before each forward; pruning the same tensor again
combines the masks through a PruningContainer; `remove` makes the pruning permanent.
"""
import numbers
from abc import ABC, abstractmethod
from collections.abc import Iterable

from ..._tensor import Tensor
from .convert_parameters import parameters_to_vector

__all__ = ['BasePruningMethod', 'PruningContainer', 'Identity', 'RandomUnstructured', 'L1Unstructured',
           'RandomStructured', 'LnStructured', 'CustomFromMask', 'identity', 'random_unstructured',
           'l1_unstructured', 'random_structured', 'ln_structured', 'global_unstructured',
           'custom_from_mask', 'remove', 'is_pruned']


def _no_grad():
    from ...autograd import grad_mode
    return grad_mode.no_grad()


class BasePruningMethod(ABC):
    """A pruning technique: `compute_mask(t, default_mask)` decides which entries to zero."""

    _tensor_name = None

    def __call__(self, module, inputs):
        setattr(module, self._tensor_name, self.apply_mask(module))

    @abstractmethod
    def compute_mask(self, t, default_mask):
        """Return the new mask (same shape as t) given the mask from earlier pruning."""

    def apply_mask(self, module):
        """The pruned tensor: original * mask."""
        assert self._tensor_name is not None, f'Module {module} has to be pruned'
        mask = getattr(module, self._tensor_name + '_mask')
        orig = getattr(module, self._tensor_name + '_orig')
        return mask.to(dtype=orig.dtype) * orig

    @classmethod
    def apply(cls, module, name, *args, importance_scores=None, **kwargs):
        """Reparametrize `module.<name>` and attach the method as a forward pre-hook."""
        old = None
        found = [k for k, h in module._forward_pre_hooks.items()
                 if isinstance(h, BasePruningMethod) and h._tensor_name == name]
        assert len(found) <= 1, f'Avoid adding multiple pruning hooks to the same tensor {name} of module {module}. Use a PruningContainer.'
        for k in found:
            old = module._forward_pre_hooks.pop(k)
        method = cls(*args, **kwargs)
        method._tensor_name = name
        if old is not None:
            container = old if isinstance(old, PruningContainer) else PruningContainer(old)
            container.add_pruning_method(method)
            method = container
        orig = getattr(module, name)
        if importance_scores is not None:
            assert importance_scores.shape == orig.shape, \
                f'importance_scores should have the same shape as parameter {name} of {module}'
        else:
            importance_scores = orig
        if not isinstance(method, PruningContainer):
            module.register_parameter(name + '_orig', orig)
            del module._parameters[name]
            default_mask = _ones_like(orig)
        else:
            default_mask = getattr(module, name + '_mask').detach().clone()
        try:
            mask = method.compute_mask(importance_scores, default_mask=default_mask)
            module.register_buffer(name + '_mask', mask)
            setattr(module, name, method.apply_mask(module))
            module.register_forward_pre_hook(method)
        except Exception:
            if not isinstance(method, PruningContainer):
                orig = getattr(module, name + '_orig')
                module.register_parameter(name, orig)
                del module._parameters[name + '_orig']
            raise
        return method

    def prune(self, t, default_mask=None, importance_scores=None):
        """Pruned copy of `t` (no reparametrization)."""
        if importance_scores is not None:
            assert importance_scores.shape == t.shape, 'importance_scores should have the same shape as tensor t'
        else:
            importance_scores = t
        default_mask = default_mask if default_mask is not None else _ones_like(t)
        return t * self.compute_mask(importance_scores, default_mask=default_mask)

    def remove(self, module):
        """Make the pruning permanent: `<name>` becomes a Parameter holding orig * mask."""
        assert self._tensor_name is not None, f'Module {module} has to be pruned before pruning can be removed'
        weight = self.apply_mask(module)
        if hasattr(module, self._tensor_name):
            delattr(module, self._tensor_name)
        orig = module._parameters[self._tensor_name + '_orig']
        orig.data = weight.data
        del module._parameters[self._tensor_name + '_orig']
        del module._buffers[self._tensor_name + '_mask']
        setattr(module, self._tensor_name, orig)


def _ones_like(t):
    import ember
    return ember.ones_like(t)


class PruningContainer(BasePruningMethod):
    """Sequence of pruning methods applied iteratively to one tensor (masks combine)."""

    def __init__(self, *args):
        self._pruning_methods = tuple()
        if not isinstance(args, Iterable):
            args = (args,)
        if len(args) == 1 and not isinstance(args[0], BasePruningMethod) and isinstance(args[0], Iterable):
            args = tuple(args[0])
        for method in args:
            self.add_pruning_method(method)

    def add_pruning_method(self, method):
        if not isinstance(method, BasePruningMethod) and method is not None:
            raise TypeError(f'{type(method)} is not a BasePruningMethod subclass')
        if method is not None and self._tensor_name != method._tensor_name:
            if self._tensor_name is None:
                self._tensor_name = method._tensor_name
            else:
                raise ValueError('Can only add pruning methods acting on the parameter named '
                                 f"'{self._tensor_name}' to PruningContainer {self}. Found '{method._tensor_name}'")
        self._pruning_methods += (method,)

    def __len__(self):
        return len(self._pruning_methods)

    def __iter__(self):
        return iter(self._pruning_methods)

    def __getitem__(self, idx):
        return self._pruning_methods[idx]

    def compute_mask(self, t, default_mask):
        """Apply the newest method only to the entries (or slices) the previous mask kept."""
        method = self._pruning_methods[-1]
        kind = method.PRUNING_TYPE
        mask = default_mask.clone()
        if kind in ('unstructured', 'global'):
            if kind == 'global':
                sub = method.compute_mask(t, default_mask=default_mask)
                return sub.to(dtype=mask.dtype)
            keep = default_mask == 1
            partial = method.compute_mask(t[keep], default_mask=default_mask[keep])
            mask[keep] = partial.to(dtype=mask.dtype)
            return mask
        if kind == 'structured':
            dim = method.dim if method.dim >= 0 else method.dim + t.dim()
            others = [d for d in range(t.dim()) if d != dim]
            # Channels along `dim` that still have any unpruned entry.
            alive = default_mask.sum(dim=others) != 0 if others else default_mask != 0
            idx = alive.nonzero().reshape(-1)
            sub_t = t.index_select(dim, idx)
            sub_m = default_mask.index_select(dim, idx)
            partial = method.compute_mask(sub_t, default_mask=sub_m)
            mask.index_copy_(dim, idx, partial.to(dtype=mask.dtype))
            return mask
        raise ValueError(f'Unrecognized PRUNING_TYPE {kind}')


class Identity(BasePruningMethod):
    """Prunes nothing (mask of ones)."""

    PRUNING_TYPE = 'unstructured'

    def compute_mask(self, t, default_mask):
        return default_mask

    @classmethod
    def apply(cls, module, name):
        return super().apply(module, name)


def _validate_amount_init(amount):
    if not isinstance(amount, numbers.Real):
        raise TypeError(f'Invalid type for amount: {amount}. Must be int or float.')
    if (isinstance(amount, numbers.Integral) and amount < 0) or (
            not isinstance(amount, numbers.Integral) and (float(amount) > 1.0 or float(amount) < 0.0)):
        raise ValueError(f'amount={amount} should either be a float in the range [0, 1] or a non-negative integer')


def _validate_amount(amount, size):
    if isinstance(amount, numbers.Integral) and amount > size:
        raise ValueError(f'amount={amount} should be smaller than the number of parameters to prune={size}')


def _n_to_prune(amount, size):
    if isinstance(amount, numbers.Integral):
        return amount
    return round(amount * size)


def _unstructured_mask(t, default_mask, amount, scores, largest):
    """default_mask with the `amount` entries of highest (largest=True) or lowest scores()
    zeroed; scores is called only when something is pruned."""
    import ember
    size = t.nelement()
    k = _n_to_prune(amount, size)
    _validate_amount(amount, size)
    mask = default_mask.clone()
    if k != 0:
        idx = ember.topk(scores().reshape(-1), k=k, largest=largest).indices
        mask.view(-1)[idx] = 0
    return mask


class RandomUnstructured(BasePruningMethod):
    """Zero `amount` (fraction or count) entries chosen uniformly at random."""

    PRUNING_TYPE = 'unstructured'

    def __init__(self, amount):
        _validate_amount_init(amount)
        self.amount = amount

    def compute_mask(self, t, default_mask):
        import ember
        return _unstructured_mask(t, default_mask, self.amount, lambda: ember.rand_like(t), largest=True)

    @classmethod
    def apply(cls, module, name, amount):
        return super().apply(module, name, amount=amount)


class L1Unstructured(BasePruningMethod):
    """Zero the `amount` entries with the smallest absolute value."""

    PRUNING_TYPE = 'unstructured'

    def __init__(self, amount):
        _validate_amount_init(amount)
        self.amount = amount

    def compute_mask(self, t, default_mask):
        return _unstructured_mask(t, default_mask, self.amount, t.abs, largest=False)

    @classmethod
    def apply(cls, module, name, amount, importance_scores=None):
        return super().apply(module, name, amount=amount, importance_scores=importance_scores)


def _structured_mask(t, dim, keep_idx, default_mask):
    mask = default_mask.new_zeros(default_mask.shape) if hasattr(default_mask, 'new_zeros') else default_mask * 0
    idx = [slice(None)] * t.dim()
    idx[dim] = keep_idx
    mask[tuple(idx)] = 1
    return mask * default_mask


class RandomStructured(BasePruningMethod):
    """Zero whole random channels along `dim`."""

    PRUNING_TYPE = 'structured'

    def __init__(self, amount, dim=-1):
        _validate_amount_init(amount)
        self.amount = amount
        self.dim = dim

    def compute_mask(self, t, default_mask):
        import ember
        if t.dim() <= 1:
            raise ValueError('Structured pruning can only be applied to multidimensional tensors. '
                             f'Found tensor of shape {t.shape} with {t.dim()} dims')
        size = t.shape[self.dim]
        k = _n_to_prune(self.amount, size)
        _validate_amount(self.amount, size)
        if k == 0:
            return default_mask
        keep = ember.topk(ember.rand(size, device=t.device), k=size - k).indices
        return _structured_mask(t, self.dim, keep, default_mask)

    @classmethod
    def apply(cls, module, name, amount, dim=-1):
        return super().apply(module, name, amount=amount, dim=dim)


class LnStructured(BasePruningMethod):
    """Zero the channels along `dim` with the smallest L`n` norm."""

    PRUNING_TYPE = 'structured'

    def __init__(self, amount, n, dim=-1):
        _validate_amount_init(amount)
        self.amount = amount
        self.n = n
        self.dim = dim

    def compute_mask(self, t, default_mask):
        import ember
        if t.dim() <= 1:
            raise ValueError('Structured pruning can only be applied to multidimensional tensors. '
                             f'Found tensor of shape {t.shape} with {t.dim()} dims')
        size = t.shape[self.dim]
        k = _n_to_prune(self.amount, size)
        _validate_amount(self.amount, size)
        if k == 0:
            return default_mask
        dim = self.dim if self.dim >= 0 else self.dim + t.dim()
        others = tuple(d for d in range(t.dim()) if d != dim)
        norm = ember.linalg.vector_norm(t, self.n, dim=others)
        keep = ember.topk(norm, k=size - k, largest=True).indices
        return _structured_mask(t, dim, keep, default_mask)

    @classmethod
    def apply(cls, module, name, amount, n, dim, importance_scores=None):
        return super().apply(module, name, amount=amount, n=n, dim=dim, importance_scores=importance_scores)


class CustomFromMask(BasePruningMethod):
    """Prune with a user-given mask."""

    PRUNING_TYPE = 'global'

    def __init__(self, mask):
        self.mask = mask

    def compute_mask(self, t, default_mask):
        assert default_mask.shape == self.mask.shape
        return default_mask * self.mask.to(dtype=default_mask.dtype)

    @classmethod
    def apply(cls, module, name, mask):
        return super().apply(module, name, mask=mask)


def identity(module, name):
    """Apply an all-ones mask (reparametrizes without pruning)."""
    Identity.apply(module, name)
    return module


def random_unstructured(module, name, amount):
    RandomUnstructured.apply(module, name, amount)
    return module


def l1_unstructured(module, name, amount, importance_scores=None):
    L1Unstructured.apply(module, name, amount=amount, importance_scores=importance_scores)
    return module


def random_structured(module, name, amount, dim):
    RandomStructured.apply(module, name, amount, dim)
    return module


def ln_structured(module, name, amount, n, dim, importance_scores=None):
    LnStructured.apply(module, name, amount, n, dim, importance_scores=importance_scores)
    return module


def custom_from_mask(module, name, mask):
    CustomFromMask.apply(module, name, mask)
    return module


def global_unstructured(parameters, pruning_method, importance_scores=None, **kwargs):
    """Prune across all (module, name) pairs at once, ranking by importance over the whole set."""
    import ember
    if not isinstance(parameters, Iterable):
        raise TypeError('global_unstructured(): parameters is not an Iterable')
    parameters = list(parameters)
    importance_scores = importance_scores if importance_scores is not None else {}
    if not isinstance(importance_scores, dict):
        raise TypeError('global_unstructured(): importance_scores must be of type dict')
    scores = parameters_to_vector([importance_scores.get((m, n), getattr(m, n)) for m, n in parameters])
    default_mask = parameters_to_vector([getattr(m, n + '_mask', None) if hasattr(m, n + '_mask')
                                         else ember.ones_like(getattr(m, n)) for m, n in parameters])
    container = PruningContainer()
    container._tensor_name = 'temp'
    method = pruning_method(**kwargs)
    method._tensor_name = 'temp'
    if method.PRUNING_TYPE != 'unstructured':
        raise TypeError('Only "unstructured" PRUNING_TYPE supported for the `pruning_method`. '
                        f'Found method {pruning_method} of type {method.PRUNING_TYPE}')
    container.add_pruning_method(method)
    with _no_grad():
        final = container.compute_mask(scores, default_mask)
    pointer = 0
    for m, n in parameters:
        p = getattr(m, n)
        k = p.numel()
        custom_from_mask(m, n, mask=final[pointer:pointer + k].view_as(p))
        pointer += k


def remove(module, name):
    """Make the pruning of `module.<name>` permanent and drop the reparametrization."""
    for k, hook in list(module._forward_pre_hooks.items()):
        if isinstance(hook, BasePruningMethod) and hook._tensor_name == name:
            hook.remove(module)
            del module._forward_pre_hooks[k]
            return module
    raise ValueError(f"Parameter '{name}' of module {module} has to be pruned before pruning can be removed")


def is_pruned(module):
    """Whether any submodule carries a pruning pre-hook."""
    for _, sub in module.named_modules():
        for hook in sub._forward_pre_hooks.values():
            if isinstance(hook, BasePruningMethod):
                return True
    return False
