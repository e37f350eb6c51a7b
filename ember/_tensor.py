"""The Tensor: a view (`_data`, a NumPy/CuPy array) of shared memory (`_storage`).

This file holds the Tensor's own state and protocol (properties, autograd fields, Python
conversions, views, in-place plumbing). Math lives in `ember/_ops/`; each op module attaches
its functions as methods with `register_methods`.
"""
from . import _dtype as D
from ._device import CPU, as_device, backend, device as _device_cls
from ._storage import Storage, _ptr
from .autograd import function as _function
from .autograd.grad_mode import GradState

__all__ = ['Tensor', 'register_methods']

_new = object.__new__
_ARRAY_TYPES = {backend(CPU).ndarray}   # the CUDA backend adds cupy.ndarray


class Tensor:
    """A multi-dimensional array with autograd support (torch.Tensor)."""
    # defaults shared by every instance; set per instance only when they differ
    _grad_fn = None
    _output_nr = 0
    _requires_grad = False
    _grad = None
    _base = None            # the tensor whose memory this view looks at (autograd views)
    _view_chain = None      # ((op, args), ...) replaying this view from _base
    _acc = None             # AccumulateGrad node of a leaf
    __array_priority__ = 1000

    def __new__(cls, *args, **kwargs):
        # torch.Tensor(data) / torch.Tensor(*sizes): legacy constructor with the default dtype
        from ._ops.creation import _legacy_tensor_new
        return _legacy_tensor_new(cls, args, kwargs)

    # ---------------------------------------------------------------- construction
    @staticmethod
    def _from_array(arr, device=CPU):
        """Wrap a backend array (or scalar) as a fresh tensor that owns it."""
        if arr.__class__ not in _ARRAY_TYPES:
            arr = backend(device).asarray(arr)
        t = _new(Tensor)
        t._data = arr
        t._storage = Storage(arr, device)
        return t

    def _alias(self):
        """A new tensor on the same memory and version counter, without history."""
        t = _new(Tensor)
        t._data = self._data
        t._storage = self._storage
        return t

    def _view(self, arr, op, args):
        """A view of self holding `arr` (a view of self._data); op(*args) replays it."""
        t = _new(Tensor)
        t._data = arr
        t._storage = self._storage
        base = self._base
        if base is None:
            t._base = self
            t._view_chain = ((op, args),)
        else:
            t._base = base
            t._view_chain = self._view_chain + ((op, args),)
        return t

    # ---------------------------------------------------------------- metadata
    @property
    def dtype(self):
        return D._BY_NP[self._data.dtype]

    @property
    def shape(self):
        return Size(self._data.shape)

    def size(self, dim=None):
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[_wrap_dim(dim, self._data.ndim)]

    @property
    def device(self):
        return self._storage.device

    @property
    def ndim(self):
        return self._data.ndim

    def dim(self):
        return self._data.ndim

    ndimension = dim

    def numel(self):
        return self._data.size

    nelement = numel

    def element_size(self):
        return self._data.itemsize

    @property
    def itemsize(self):
        return self._data.itemsize

    @property
    def nbytes(self):
        return self._data.nbytes

    def stride(self, dim=None):
        size = self._data.itemsize
        strides = tuple(s // size for s in self._data.strides)
        return strides if dim is None else strides[_wrap_dim(dim, self._data.ndim)]

    def storage_offset(self):
        return (_ptr(self._data) - _ptr(self._storage.base)) // self._data.itemsize

    def data_ptr(self):
        return _ptr(self._data) if self._data.size else 0   # torch: 0 for empty tensors

    def untyped_storage(self):
        return self._storage

    def is_contiguous(self, memory_format=None):
        arr = self._data
        name = getattr(memory_format, 'name', '')
        if name in ('channels_last', 'channels_last_3d'):
            nd = 4 if name == 'channels_last' else 5
            return arr.ndim == nd and arr.transpose(0, *range(2, nd), 1).flags.c_contiguous
        return arr.flags.c_contiguous

    def is_floating_point(self):
        return self._data.dtype.kind == 'f' or self.dtype is D.bfloat16

    def is_complex(self):
        return self._data.dtype.kind == 'c'

    @property
    def is_signed(self):
        return self.dtype.is_signed

    @property
    def is_cuda(self):
        return self._storage.device.type == 'cuda'

    @property
    def is_cpu(self):
        return self._storage.device.type == 'cpu'

    @property
    def is_meta(self):
        return False

    @property
    def is_sparse(self):
        return False

    @property
    def is_quantized(self):
        return False

    @property
    def layout(self):
        from . import strided
        return strided

    def get_device(self):
        d = self._storage.device
        return -1 if d.type == 'cpu' else d.index

    @property
    def _version(self):
        return self._storage.version

    def _bump_version(self):
        self._storage.version += 1

    # ---------------------------------------------------------------- autograd state
    @property
    def requires_grad(self):
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value):
        value = bool(value)
        if self._grad_fn is not None:
            if not value:
                raise RuntimeError(
                    "you can only change requires_grad flags of leaf variables. If you want to use "
                    "a computed variable in a subgraph that doesn't require differentiation use "
                    "var_no_grad = var.detach().")
            return
        if value and self._data.dtype.kind not in 'fcV':
            raise RuntimeError("only Tensors of floating point and complex dtype can require gradients")
        self._requires_grad = value

    def requires_grad_(self, requires_grad=True):
        self.requires_grad = requires_grad
        return self

    @property
    def grad_fn(self):
        if self._base is not None:
            _function._refresh_view(self)   # the base may have been modified in place
        return self._grad_fn

    @property
    def is_leaf(self):
        return self.grad_fn is None

    @property
    def output_nr(self):
        return self._output_nr

    @property
    def grad(self):
        if self._grad_fn is not None and not self._retains_grad_flag():
            import warnings
            warnings.warn("The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. "
                          "Its .grad attribute won't be populated during autograd.backward(). If you "
                          "indeed want the .grad field to be populated for a non-leaf Tensor, use "
                          ".retain_grad() on the non-leaf Tensor.", UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value):
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of type {type(value).__name__}")
            if value._data.shape != self._data.shape:
                raise RuntimeError("assigned grad has data of a different size")
            if value._data.dtype != self._data.dtype:
                raise RuntimeError("assigned grad has data of a different type")
            if value._storage.device != self._storage.device:
                raise RuntimeError("assigned grad has data located on a different device")
        self._grad = value

    @grad.deleter
    def grad(self):
        self._grad = None

    def _retains_grad_flag(self):
        fn = self._grad_fn
        return bool(fn is not None and fn._retained and fn._retained.get(self._output_nr) is self)

    @property
    def retains_grad(self):
        return self._retains_grad_flag()

    def retain_grad(self):
        """Keep .grad of this non-leaf tensor after backward (no-op on leaves)."""
        if not self._requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        fn = self._grad_fn
        if fn is None:
            return
        if fn._retained is None:
            fn._retained = {}
        fn._retained[self._output_nr] = self

    def _accumulate_grad_node(self):
        acc = self._acc
        if acc is None:
            acc = self._acc = _function.AccumulateGrad(self)
        return acc

    def register_hook(self, hook):
        """hook(grad) -> Tensor or None, called with this tensor's gradient during backward."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self._grad_fn is None:
            return self._accumulate_grad_node()._add_tensor_pre_hook(0, hook)
        return self._grad_fn._add_tensor_pre_hook(self._output_nr, hook)

    def register_post_accumulate_grad_hook(self, hook):
        """hook(tensor) runs after .grad of this leaf has been accumulated."""
        from .utils.hooks import RemovableHandle
        if self._grad_fn is not None:
            raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf tensors")
        hooks = self.__dict__.setdefault('_post_accumulate_hooks', [])
        return RemovableHandle(hooks, hook)

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Accumulate d(self)/d(leaf) into each leaf's .grad (see ember.autograd.backward)."""
        from .autograd import backward
        backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    def detach(self):
        """A tensor on the same memory, cut from the graph."""
        return self._alias()

    def detach_(self):
        if self._base is not None and self._base._requires_grad:
            raise RuntimeError("Can't detach views in-place. Use detach() instead.")
        self._grad_fn = None
        self._requires_grad = False
        self._output_nr = 0
        return self

    @property
    def data(self):
        t = self._alias()
        t._storage = Storage(self._storage.base, self._storage.device)  # own version counter
        return t

    @data.setter
    def data(self, value):
        if not isinstance(value, Tensor):
            raise TypeError(f"data must be a Tensor, not {type(value).__name__}")
        self._data = value._data
        self._storage = value._storage

    def is_inference(self):
        return bool(self.__dict__.get('_inference', False))

    # ---------------------------------------------------------------- Python protocol
    def __repr__(self, *, tensor_contents=None):
        from ._printing import tensor_repr
        return tensor_repr(self, tensor_contents)

    def __format__(self, spec):
        if self._data.ndim == 0:
            return self.item().__format__(spec)
        return object.__format__(self, spec)

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def __hash__(self):
        return id(self)

    def _single_value(self, what):
        if self._data.size != 1:
            raise RuntimeError(f"a Tensor with {self._data.size} elements cannot be converted to Scalar")
        return _to_host(self._data).reshape(()).item()

    def item(self):
        """The value of a one-element tensor as a Python number."""
        return self._single_value('item')

    def __bool__(self):
        if self._data.size != 1:
            raise RuntimeError(f"Boolean value of Tensor with {'more than one value' if self._data.size else 'no values'} is ambiguous")
        return bool(self.item())

    def __float__(self):
        return float(self._single_value('float'))

    def __int__(self):
        return int(self._single_value('int'))

    def __complex__(self):
        return complex(self._single_value('complex'))

    def __index__(self):
        if self._data.dtype.kind not in 'iub' or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def tolist(self):
        """Nested Python lists of Python numbers (a number for 0-dim tensors)."""
        arr = _to_host(self._data)
        if arr.dtype == D.bfloat16.np:
            arr = arr.astype('float32')
        return arr.tolist()

    def numpy(self, *, force=False):
        """The NumPy array behind a CPU tensor (shares memory)."""
        if force:
            return _to_host(self.detach()._data).copy() if self._storage.device.type != 'cpu' else self._data
        if self._requires_grad:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.")
        if self._storage.device.type != 'cpu':
            raise TypeError(f"can't convert {self._storage.device.type}:{self._storage.device.index} device type tensor to numpy. Use Tensor.cpu() to copy the tensor to host memory first.")
        return self._data

    def __array__(self, dtype=None, copy=None):
        arr = _to_host(self._data)
        return arr if dtype is None else arr.astype(dtype)

    def __dlpack__(self, *args, **kwargs):
        return self._data.__dlpack__(*args, **kwargs)

    def __dlpack_device__(self):
        return self._data.__dlpack_device__()

    def __reduce_ex__(self, protocol):
        from .serialization import _reduce_tensor
        return _reduce_tensor(self)

    def __deepcopy__(self, memo):
        if not self.is_leaf:
            raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) support "
                               "the deepcopy protocol at the moment.")
        if id(self) in memo:
            return memo[id(self)]
        with_grad = self._requires_grad
        new = type(self).__new__(type(self)) if type(self) is not Tensor else _new(Tensor)
        if type(self) is not Tensor:
            new.__dict__.update({k: v for k, v in self.__dict__.items()
                                 if k not in ('_data', '_storage', '_acc', '_grad')})
        new._data = self._data.copy()
        new._storage = Storage(new._data, self._storage.device)
        new._requires_grad = with_grad
        if self._grad is not None:
            new._grad = self._grad.clone()
        memo[id(self)] = new
        return new

    # ---------------------------------------------------------------- device / dtype moves
    def cpu(self, memory_format=None):
        return self.to('cpu')

    def cuda(self, device=None, non_blocking=False, memory_format=None):
        return self.to(_device_cls('cuda', device) if isinstance(device, int) else (device or 'cuda'))

    def type(self, dtype=None, non_blocking=False, **kwargs):
        from ._printing import type_name
        if dtype is None:
            return type_name(self)
        if isinstance(dtype, str):
            dtype = _TYPE_NAMES[dtype.replace('torch.', '')]
        elif isinstance(dtype, type):
            dtype = dtype.dtype
        return self.to(dtype)


def _to_host(arr):
    get = getattr(arr, 'get', None)
    return arr if get is None or arr.__class__.__module__.startswith('numpy') else get()


def _wrap_dim(dim, ndim):
    """torch's dim wrapping: -1 is the last dim; out of range raises IndexError."""
    n = ndim if ndim else 1
    if not -n <= dim < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})")
    return dim + n if dim < 0 else dim


class Size(tuple):
    """torch.Size: a tuple of ints with torch's repr."""

    def __repr__(self):
        return f"torch.Size([{', '.join(str(s) for s in self)}])"

    __str__ = __repr__

    def numel(self):
        n = 1
        for s in self:
            n *= s
        return n

    def __getitem__(self, item):
        r = tuple.__getitem__(self, item)
        return Size(r) if isinstance(item, slice) else r

    def __add__(self, other):
        return Size(tuple(self) + tuple(other))

    def __reduce__(self):
        return (Size, (tuple(self),))


def register_methods(mapping):
    """Attach functions as Tensor methods (ops modules call this for their ops)."""
    for name, fn in mapping.items():
        setattr(Tensor, name, fn)


_TYPE_NAMES = {}

_function.Tensor = Tensor
