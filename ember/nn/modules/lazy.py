"""LazyModuleMixin: modules whose parameter shapes are inferred from the first input.

A lazy module holds `UninitializedParameter`s until its first forward call. A forward
pre-hook registered in `__init__` calls `initialize_parameters(*args, **kwargs)` (which the
subclass overrides to materialize and initialize its parameters), checks nothing is left
uninitialized, removes itself, and switches the instance's class to `cls_to_become`
(e.g. LazyLinear -> Linear), as torch does.

Use it first in the bases: `class LazyLinear(LazyModuleMixin, Linear)`.
"""
from ..parameter import is_lazy

__all__ = ['LazyModuleMixin']


class LazyModuleMixin:
    """Mixin for modules that infer parameter shapes from their first input."""
    cls_to_become = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._register_lazy_hooks()

    def _register_lazy_hooks(self):
        """Materialize on the first forward call, or from the shapes in a loaded state_dict."""
        self._load_hook = self._register_load_state_dict_pre_hook(self._lazy_load_hook)
        self._initialize_hook = self.register_forward_pre_hook(self._infer_parameters,
                                                               with_kwargs=True)

    def _save_to_state_dict(self, destination, prefix, keep_vars):
        # uninitialized parameters/buffers are stored as themselves (they cannot be detached)
        for name, param in self._parameters.items():
            if param is not None:
                destination[prefix + name] = param if (keep_vars or is_lazy(param)) else param.detach()
        for name, buf in self._buffers.items():
            if buf is not None and name not in self._non_persistent_buffers_set:
                destination[prefix + name] = buf if (keep_vars or is_lazy(buf)) else buf.detach()
        if self._has_extra_state():
            destination[prefix + '_extra_state'] = self.get_extra_state()

    def _lazy_load_hook(self, state_dict, prefix, local_metadata, strict, missing_keys,
                        unexpected_keys, error_msgs):
        """Materialize uninitialized params/buffers with the shapes found in state_dict."""
        for name, t in list(self._parameters.items()) + list(self._buffers.items()):
            key = prefix + name
            if t is not None and is_lazy(t) and key in state_dict:
                src = state_dict[key]
                if not is_lazy(src):
                    t.materialize(src.shape)

    def initialize_parameters(self, *args, **kwargs):
        """Materialize and initialize the parameters from the first input (override this)."""
        raise NotImplementedError(
            f'initialize_parameters is not implemented for {self.__class__.__name__}')

    def has_uninitialized_params(self):
        """True while any parameter or buffer is still uninitialized."""
        for t in list(self._parameters.values()) + list(self._buffers.values()):
            if t is not None and is_lazy(t):
                return True
        return False

    def _infer_parameters(self, module, args, kwargs=None):
        """Forward pre-hook: initialize, then remove the hooks and become cls_to_become."""
        kwargs = kwargs if kwargs is not None else {}
        module.initialize_parameters(*args, **kwargs)
        if module.has_uninitialized_params():
            raise RuntimeError(f'module {self._get_name()} has not been fully initialized')
        module._initialize_hook.remove()
        module._load_hook.remove()
        object.__delattr__(module, '_initialize_hook')
        object.__delattr__(module, '_load_hook')
        if module.cls_to_become is not None:
            module.__class__ = module.cls_to_become
        return None

    def _replicate_for_data_parallel(self):
        raise RuntimeError('Modules with uninitialized parameters can\'t be used with '
                           '`DataParallel`. Run a dummy forward pass to correctly initialize '
                           'the modules')
