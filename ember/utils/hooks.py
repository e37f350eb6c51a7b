"""RemovableHandle: what register_*hook returns; .remove() unregisters the hook."""
import itertools

__all__ = ['RemovableHandle']


class RemovableHandle:
    """Handle to a hook stored in a list or dict; remove() takes it out (also as a context manager)."""
    _ids = itertools.count()

    def __init__(self, container, hook=None, *, key=None, extra_dict=None):
        self.id = next(RemovableHandle._ids)
        self._container = container
        self._hook = hook
        self.extra_dicts = [] if extra_dict is None else (extra_dict if isinstance(extra_dict, list) else [extra_dict])
        if isinstance(container, dict):
            container[self.id if key is None else key] = hook
            self._key = self.id if key is None else key
        else:
            container.append(hook)
            self._key = None

    def remove(self):
        c = self._container
        if isinstance(c, dict):
            c.pop(self._key, None)
        else:
            for i, h in enumerate(c):
                if h is self._hook:
                    del c[i]
                    break
        for d in self.extra_dicts:
            d.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()
