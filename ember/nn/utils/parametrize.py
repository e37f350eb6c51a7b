"""Parametrizations (torch.nn.utils.parametrize): a tensor attribute computed from an original.

`register_parametrization(module, 'weight', P)` moves the weight to
`module.parametrizations.weight.original` and swaps the module's class for a subclass
`Parametrized<Cls>` whose `weight` property evaluates `P(original)` on every access (or once
per `cached()` block). Assigning to the property calls the parametrizations' `right_inverse`.
"""
from contextlib import contextmanager
from copy import deepcopy

from ..._tensor import Tensor
from ..modules.container import ModuleDict, ModuleList
from ..parameter import Parameter

__all__ = ['cached', 'ParametrizationList', 'register_parametrization', 'is_parametrized',
           'remove_parametrizations', 'type_before_parametrizations', 'transfer_parametrizations_and_params']

_cache_enabled = 0
_cache = {}


def _no_grad():
    from ...autograd import grad_mode
    return grad_mode.no_grad()


@contextmanager
def cached():
    """Within the block each parametrized tensor is computed once and reused."""
    global _cache_enabled
    _cache_enabled += 1
    try:
        yield
    finally:
        _cache_enabled -= 1
        if not _cache_enabled:
            _cache.clear()


def _register_parameter_or_buffer(module, name, x):
    if isinstance(x, Parameter):
        module.register_parameter(name, x)
    else:
        module.register_buffer(name, x)


def _maybe_set(dest, src):
    """Make `dest` hold `src`'s values while keeping `dest`'s identity (it may be a Parameter)."""
    dest.data = src.detach().data


class ParametrizationList(ModuleList):
    """The chain of parametrizations of one tensor, plus its `original` (or `original0`, ...)."""

    def __init__(self, modules, original, unsafe=False):
        if len(modules) == 0:
            raise ValueError('ParametrizationList requires one or more modules.')
        super().__init__(modules)
        self.unsafe = unsafe
        orig_shape, orig_dtype = original.shape, original.dtype
        with _no_grad():
            new = original
            for m in reversed(self):
                if hasattr(m, 'right_inverse'):
                    try:
                        new = m.right_inverse(new)
                    except NotImplementedError:
                        pass
        if not isinstance(new, Tensor) and not isinstance(new, (list, tuple)):
            raise ValueError("'right_inverse' must return a Tensor or a Sequence of tensors "
                             f'(list, tuple...). Got {type(new).__name__}')
        self.is_tensor = isinstance(new, Tensor)
        self.ntensors = 1 if self.is_tensor else len(new)
        if self.is_tensor:
            if original.dtype != new.dtype:
                raise ValueError('When `right_inverse` outputs one tensor, it may not change the dtype.\n'
                                 f'original.dtype: {original.dtype}\nright_inverse(original).dtype: {new.dtype}')
            with _no_grad():
                _maybe_set(original, new)
            _register_parameter_or_buffer(self, 'original', original)
        else:
            for i, t in enumerate(new):
                if not isinstance(t, Tensor):
                    raise ValueError("'right_inverse' must return a Tensor or a Sequence of tensors "
                                     f'(list, tuple...). Got element {i} of type {type(t).__name__}')
                if isinstance(original, Parameter):
                    t = Parameter(t.detach(), original.requires_grad)
                _register_parameter_or_buffer(self, f'original{i}', t)
        if not unsafe:
            z = self()
            if not isinstance(z, Tensor):
                raise ValueError('A parametrization must return a tensor. Got '
                                 f'{type(z).__name__}.')
            if z.dtype != orig_dtype:
                raise ValueError('Registering a parametrization may not change the dtype of the tensor, '
                                 'unless `unsafe` flag is enabled.\n'
                                 f'unparametrized dtype: {orig_dtype}\nparametrized dtype: {z.dtype}')
            if z.shape != orig_shape:
                raise ValueError('Registering a parametrization may not change the shape of the tensor, '
                                 'unless `unsafe` flag is enabled.\n'
                                 f'unparametrized shape: {orig_shape}\nparametrized shape: {z.shape}')

    def right_inverse(self, value):
        """Set the original(s) so that evaluating the chain gives `value`."""
        with _no_grad():
            for m in reversed(self):
                if not hasattr(m, 'right_inverse'):
                    raise RuntimeError(f'parametrization {type(m).__name__} does not implement right_inverse.')
                value = m.right_inverse(value)
            if self.is_tensor:
                if not isinstance(value, Tensor):
                    raise ValueError(f'`right_inverse` should return a tensor. Got {type(value).__name__}')
                if value.dtype != self.original.dtype:
                    raise ValueError(f'The tensor returned by `right_inverse` has dtype {value.dtype} '
                                     f'while `original` has dtype {self.original.dtype}')
                _maybe_set(self.original, value)
            else:
                if not isinstance(value, (list, tuple)) or len(value) != self.ntensors:
                    raise ValueError(f"'right_inverse' must return a sequence of tensors of length "
                                     f'{self.ntensors}.')
                for i, t in enumerate(value):
                    _maybe_set(getattr(self, f'original{i}'), t)

    def forward(self):
        if self.is_tensor:
            x = self[0](self.original)
        else:
            x = self[0](*(getattr(self, f'original{i}') for i in range(self.ntensors)))
        for m in list(self)[1:]:
            x = m(x)
        return x


def _parametrized_getstate(self):
    raise RuntimeError('Serialization of parametrized modules is only supported through state_dict(). '
                       'See:\nhttps://pytorch.org/tutorials/beginner/saving_loading_models.html'
                       '#saving-loading-a-general-checkpoint-for-inference-and-or-resuming-training')


def _parametrized_deepcopy(self, memo):
    obj = memo.get(id(self))
    if obj is not None:
        return obj
    cls = type(self)
    new = cls.__new__(cls)
    memo[id(self)] = new
    for k, v in self.__dict__.items():
        object.__setattr__(new, k, deepcopy(v, memo))
    return new


def _inject_new_class(module):
    cls = module.__class__
    new_cls = type(f'Parametrized{cls.__name__}', (cls,),
                   {'__getstate__': _parametrized_getstate, '__deepcopy__': _parametrized_deepcopy})
    new_cls.__module__ = __name__
    module.__class__ = new_cls


def _inject_property(module, tensor_name):
    def get_parametrized(self):
        plist = self.parametrizations[tensor_name]
        if _cache_enabled:
            key = (id(self), tensor_name)
            if key not in _cache:
                _cache[key] = plist()
            return _cache[key]
        return plist()

    def set_original(self, value):
        self.parametrizations[tensor_name].right_inverse(value)

    setattr(module.__class__, tensor_name, property(get_parametrized, set_original))


def is_parametrized(module, tensor_name=None):
    """Whether `module` has any parametrization (or one on `tensor_name`)."""
    plist = module.__dict__.get('_modules', {}).get('parametrizations')
    if plist is None or not isinstance(plist, ModuleDict):
        return False
    return len(plist) > 0 if tensor_name is None else tensor_name in plist


def register_parametrization(module, tensor_name, parametrization, *, unsafe=False):
    """Parametrize `module.<tensor_name>` by the Module `parametrization` (chained if repeated)."""
    parametrization.train(module.training)
    if is_parametrized(module, tensor_name):
        plist = module.parametrizations[tensor_name]
        if not unsafe:
            y = getattr(module, tensor_name)
            x = parametrization(y)
            if not isinstance(x, Tensor):
                raise ValueError(f'A parametrization must return a tensor. Got {type(x).__name__}.')
            if x.dtype != y.dtype:
                raise ValueError('Registering a parametrization may not change the dtype of the tensor, '
                                 'unless the `unsafe` flag is enabled.\n'
                                 f'module.{tensor_name}.dtype: {y.dtype}\nparametrization(module.{tensor_name}).dtype: {x.dtype}')
            if x.shape != y.shape:
                raise ValueError('Registering a parametrization may not change the shape of the tensor, '
                                 'unless the `unsafe` flag is enabled.\n'
                                 f'module.{tensor_name}.shape: {y.shape}\nparametrization(module.{tensor_name}).shape: {x.shape}')
        plist.append(parametrization)
        plist.unsafe |= unsafe
    elif tensor_name in module._buffers or tensor_name in module._parameters:
        original = getattr(module, tensor_name)
        plist = ParametrizationList([parametrization], original, unsafe=unsafe)
        delattr(module, tensor_name)
        if not is_parametrized(module):
            _inject_new_class(module)
            module.parametrizations = ModuleDict()
        _inject_property(module, tensor_name)
        module.parametrizations[tensor_name] = plist
    else:
        raise ValueError(f"Module '{module}' does not have a parameter, a buffer, or a parametrized "
                         f"element with name '{tensor_name}'")
    return module


def remove_parametrizations(module, tensor_name, leave_parametrized=True):
    """Undo the parametrization of `tensor_name`, leaving its current value (or the original)."""
    if not is_parametrized(module, tensor_name):
        raise ValueError(f'Module {module} does not have a parametrization on {tensor_name}')
    plist = module.parametrizations[tensor_name]
    if plist.is_tensor:
        original = plist.original
        if leave_parametrized:
            with _no_grad():
                t = getattr(module, tensor_name)
                if t.dtype != original.dtype:
                    raise ValueError('The parametrization changes the dtype of the tensor; use '
                                     'leave_parametrized=False or remove it manually.')
                _maybe_set(original, t)
    else:
        if not leave_parametrized:
            raise ValueError('Cannot leave unparametrized (`leave_parametrized=False`) a tensor '
                             'that is parametrized in terms of a sequence of tensors.')
        with _no_grad():
            t = getattr(module, tensor_name)
        if plist.original0.requires_grad:
            original = Parameter(t.detach(), True)
        else:
            original = t.detach()
    delattr(module.__class__, tensor_name)
    del module.parametrizations[tensor_name]
    _register_parameter_or_buffer(module, tensor_name, original)
    if not is_parametrized(module):
        delattr(module, 'parametrizations')
        module.__class__ = module.__class__.__bases__[0]
    return module


def type_before_parametrizations(module):
    """The module's class before any parametrization was registered."""
    if is_parametrized(module):
        return module.__class__.__bases__[0]
    return type(module)


def transfer_parametrizations_and_params(from_module, to_module, tensor_name=None):
    """Copy parametrizations (and their originals) of `from_module` onto `to_module`."""
    if not is_parametrized(from_module):
        return to_module
    names = list(from_module.parametrizations) if tensor_name is None else [tensor_name]
    for name in names:
        if not hasattr(to_module, name):
            setattr(to_module, name, Parameter(getattr(from_module, name)))
        for p in from_module.parametrizations[name]:
            register_parametrization(to_module, name, p)
        with _no_grad():
            src, dst = from_module.parametrizations[name], to_module.parametrizations[name]
            if src.is_tensor:
                _maybe_set(dst.original, src.original)
            else:
                for i in range(src.ntensors):
                    _maybe_set(getattr(dst, f'original{i}'), getattr(src, f'original{i}'))
    return to_module


