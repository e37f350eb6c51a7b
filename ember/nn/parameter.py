"""Parameter (a leaf tensor a Module registers as learnable) and the uninitialized forms
used by Lazy modules."""
from .._tensor import Tensor
from .._storage import Storage

__all__ = ['Parameter', 'UninitializedParameter', 'UninitializedBuffer', 'Buffer']


class Parameter(Tensor):
    """A Tensor that Modules register in `_parameters` when assigned as an attribute.

    Shares memory with `data`; requires grad by default; always a leaf.
    """

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            from .._ops.creation import empty
            data = empty(0)
        if not isinstance(data, Tensor):
            raise TypeError(f"Parameter data must be a Tensor, got {type(data).__name__}")
        p = object.__new__(cls)
        p._data = data._data
        p._storage = data._storage
        p.requires_grad = requires_grad
        return p

    def __init__(self, data=None, requires_grad=True):
        pass

    def __repr__(self):
        return 'Parameter containing:\n' + super().__repr__()

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        data = self.detach()._data.copy()
        from .._ops.creation import _finish
        result = type(self)(Tensor._from_array(data, self._storage.device), self._requires_grad)
        if self._grad is not None:
            result._grad = self._grad.clone()
        result.__dict__.update({k: v for k, v in self.__dict__.items()
                                if k not in ('_data', '_storage', '_requires_grad', '_grad', '_acc')})
        memo[id(self)] = result
        return result

    def __reduce_ex__(self, protocol):
        from ..serialization import _reduce_parameter
        return _reduce_parameter(self)


class UninitializedParameter(Parameter):
    """A Parameter with no shape yet; `materialize(shape)` gives it memory (Lazy modules)."""
    cls_to_become = Parameter

    def __new__(cls, requires_grad=True, device=None, dtype=None):
        from .._ops.creation import empty
        p = Parameter.__new__(cls, empty(0, device=device, dtype=dtype), requires_grad)
        p._factory = {'device': device, 'dtype': dtype}
        return p

    def __init__(self, requires_grad=True, device=None, dtype=None):
        pass

    def materialize(self, shape, device=None, dtype=None):
        from .._ops.creation import empty
        kw = dict(self._factory)
        if device is not None:
            kw['device'] = device
        if dtype is not None:
            kw['dtype'] = dtype
        t = empty(tuple(shape), **kw)
        self._data = t._data
        self._storage = t._storage
        self.__class__ = self.cls_to_become

    def __repr__(self):
        return '<UninitializedParameter>'

    def is_uninitialized(self):
        return True


class UninitializedBuffer(Tensor):
    """A buffer with no shape yet (Lazy modules)."""
    cls_to_become = Tensor

    def __new__(cls, requires_grad=False, device=None, dtype=None):
        from .._ops.creation import empty
        t = empty(0, device=device, dtype=dtype)
        b = object.__new__(cls)
        b._data, b._storage = t._data, t._storage
        b._factory = {'device': device, 'dtype': dtype}
        return b

    def __init__(self, requires_grad=False, device=None, dtype=None):
        pass

    materialize = UninitializedParameter.materialize

    def __repr__(self):
        return '<UninitializedBuffer>'


def is_lazy(t):
    return isinstance(t, (UninitializedParameter, UninitializedBuffer))


class Buffer:
    """Marker wrapper: assigning Buffer(t) to a Module attribute registers a buffer."""

    def __init__(self, data, persistent=True):
        self.data = data
        self.persistent = persistent
