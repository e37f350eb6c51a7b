"""Import aliasing: make `import torch` (and torchvision, torchsummary) resolve to ember.

A meta-path finder maps `torch` -> `ember`, `torch.X` -> `ember.X`, `torchvision` ->
`ember.vision`, `torchsummary` -> `ember.summary`. The aliased name is bound to the very same
module object, so `torch.nn is ember.nn`. A submodule ember lacks raises ImportError naming it.
"""
import importlib
import importlib.abc
import importlib.util
import sys

__all__ = ['enable_torch_alias', 'disable_torch_alias']

_PREFIXES = {'torch': 'ember', 'torchvision': 'ember.vision', 'torchsummary': 'ember.summary'}


def _target(fullname):
    for src, dst in _PREFIXES.items():
        if fullname == src:
            return dst
        if fullname.startswith(src + '.'):
            return dst + fullname[len(src):]
    return None


class _AliasLoader(importlib.abc.Loader):
    def __init__(self, target):
        self.target = target

    def create_module(self, spec):
        try:
            return importlib.import_module(self.target)
        except ModuleNotFoundError as e:
            raise ImportError(f"ember has no module '{self.target}' (needed for '{spec.name}'): {e}",
                              name=spec.name) from None

    def exec_module(self, module):
        pass   # the ember module is already executed


class _AliasFinder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path, target=None):
        dst = _target(fullname)
        if dst is None:
            return None
        if importlib.util.find_spec(dst.split('.')[0]) is None:
            return None
        try:
            dst_spec = importlib.util.find_spec(dst)
        except ModuleNotFoundError:
            dst_spec = None
        if dst_spec is None:
            raise ImportError(f"No module named '{fullname}': ember does not provide '{dst}'",
                              name=fullname)
        return importlib.util.spec_from_loader(fullname, _AliasLoader(dst),
                                               is_package=dst_spec.submodule_search_locations is not None)


_finder = _AliasFinder()


def enable_torch_alias():
    """Route later `import torch...` statements to ember (idempotent)."""
    if _finder not in sys.meta_path:
        sys.meta_path.insert(0, _finder)
    for name in list(sys.modules):
        if _target(name) is not None and not getattr(sys.modules[name], '__name__', '').startswith('ember'):
            raise RuntimeError(f"'{name}' (real PyTorch) is already imported in this process; "
                               "enable the ember alias before importing torch")


def disable_torch_alias():
    """Stop routing torch imports to ember and forget aliased modules."""
    if _finder in sys.meta_path:
        sys.meta_path.remove(_finder)
    for name in list(sys.modules):
        if _target(name) is not None and getattr(sys.modules[name], '__name__', '').startswith('ember'):
            del sys.modules[name]
