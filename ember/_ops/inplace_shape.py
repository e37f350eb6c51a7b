"""In-place metadata methods (squeeze_, unsqueeze_, t_, transpose_, as_strided_, resize_ ...),
legacy Tensor helpers (new, storage, type_as, apply_/map_) and constant predicates
(is_pinned, is_mkldnn, is_nested ...).

An in-place view op rebinds the tensor to the view's array and takes the view's autograd
history (e.g. UnsqueezeBackward0), as torch does."""
from .._tensor import Tensor, register_methods
from ..autograd.grad_mode import GradState

__all__ = []


def _rebind(self, view):
    """Make self take view's metadata (array, view base/chain, autograd history)."""
    if GradState.enabled and self._requires_grad and self._grad_fn is None:
        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
    self._data = view._data
    if view._base is self:          # self was not a view: it stays a plain tensor
        self.__dict__.pop('_base', None)
        self.__dict__.pop('_view_chain', None)
    else:                           # self was a view: keep its base, extend the replay chain
        self._base = view._base
        self._view_chain = view._view_chain
    if self._requires_grad:
        self._grad_fn = view._grad_fn
        self._output_nr = view._output_nr
    self._storage.version += 1
    return self


def _inplace_view(name):
    def method(self, *args, **kwargs):
        return _rebind(self, getattr(self, name)(*args, **kwargs))
    method.__name__ = name + '_'
    method.__doc__ = f"In-place form of Tensor.{name}: self becomes the {name} view."
    return method


def _resize_(self, *sizes, memory_format=None):
    """Change self's shape; keeps existing data (in flat order), growing the storage if needed."""
    if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)):
        sizes = tuple(sizes[0])
    sizes = tuple(int(s) for s in sizes)
    if any(s < 0 for s in sizes):
        raise RuntimeError(f"Trying to create tensor with negative dimension {min(sizes)}: {list(sizes)}")
    if self._requires_grad:
        raise RuntimeError("cannot resize variables that require grad")
    xp = self._storage.device.xp
    n = 1
    for s in sizes:
        n *= s
    base = self._storage.base
    offset = self.storage_offset()
    flat_base = base.reshape(-1) if base.flags.c_contiguous else None
    if flat_base is not None and offset + n <= flat_base.size and self._data.flags.c_contiguous:
        self._data = flat_base[offset:offset + n].reshape(sizes)
    else:
        new = xp.zeros(n, dtype=self._data.dtype)
        old = self._data.reshape(-1)
        k = min(n, old.size)
        new[:k] = old[:k]
        self._data = new.reshape(sizes)
        self._storage.base = new
    self._storage.version += 1
    return self


def _resize_as_(self, the_template, memory_format=None):
    return _resize_(self, tuple(the_template.shape))


def _new(self, *args, **kwargs):
    """Legacy constructor: a tensor of self's dtype/device from sizes, data or a tensor."""
    from .. import tensor, empty
    device = kwargs.pop('device', None) or self.device
    if len(args) == 1 and isinstance(args[0], Tensor):
        if args[0].dtype is not self.dtype:
            raise TypeError(f"expected {self.dtype} (got {args[0].dtype})")
        return args[0]._alias()
    if not args:
        return empty(0, dtype=self.dtype, device=device)
    from .._tensor import Size
    if len(args) == 1 and not isinstance(args[0], (int, Size)) and hasattr(args[0], '__len__'):
        return tensor(args[0], dtype=self.dtype, device=device)
    if len(args) == 1 and isinstance(args[0], Size):
        args = tuple(args[0])
    return empty(*args, dtype=self.dtype, device=device)


_STORAGE_NAMES = {'float32': 'FloatStorage', 'float64': 'DoubleStorage', 'float16': 'HalfStorage',
                  'bfloat16': 'BFloat16Storage', 'int64': 'LongStorage', 'int32': 'IntStorage',
                  'int16': 'ShortStorage', 'int8': 'CharStorage', 'uint8': 'ByteStorage',
                  'bool': 'BoolStorage', 'complex64': 'ComplexFloatStorage',
                  'complex128': 'ComplexDoubleStorage'}


class TypedStorage:
    """Minimal torch.TypedStorage: the tensor's whole storage seen as elements of its dtype."""

    def __init__(self, storage, dtype):
        self._untyped = storage
        self.dtype = dtype

    @property
    def device(self):
        return self._untyped.device

    def _array(self):
        return self._untyped.base.reshape(-1).view(self.dtype.np)

    def size(self):
        return self._array().size

    __len__ = size

    def data_ptr(self):
        return self._untyped.data_ptr()

    def nbytes(self):
        return self._untyped.nbytes()

    def element_size(self):
        return self.dtype.np.itemsize

    def tolist(self):
        from .._tensor import _to_host
        return _to_host(self._array()).tolist()

    def untyped(self):
        return self._untyped

    def __getitem__(self, i):
        return self.tolist()[i]

    def __repr__(self):
        body = '\n'.join(' ' + str(v) for v in self.tolist())
        return f"{body}\n[torch.storage.TypedStorage(dtype={self.dtype}, device={self.device}) of size {self.size()}]"


def _storage(self):
    return TypedStorage(self._storage, self.dtype)


class _StorageType:
    def __init__(self, name):
        self.__name__ = self.__qualname__ = name

    def __repr__(self):
        return f"<class 'torch.{self.__name__}'>"

    def __eq__(self, other):
        return isinstance(other, _StorageType) and other.__name__ == self.__name__

    def __hash__(self):
        return hash(self.__name__)


def _storage_type(self):
    return _StorageType(_STORAGE_NAMES.get(self.dtype.name, 'Storage'))


def _as_subclass(self, cls):
    """The same tensor (shared memory and history) as an instance of the Tensor subclass cls."""
    if not (isinstance(cls, type) and issubclass(cls, Tensor)):
        raise TypeError("as_subclass(): argument 'cls' must be a subclass of Tensor")
    t = object.__new__(cls)
    t.__dict__.update({k: v for k, v in self.__dict__.items()})
    return t


def _apply_(self, callable):
    """Apply a Python callable to every element in place (a Python loop, as in torch)."""
    if self.device.type != 'cpu':
        raise TypeError("apply_ is only implemented on CPU tensors")
    if self._requires_grad:
        raise RuntimeError("apply_ is only implemented on CPU tensors")
    flat = self._data.reshape(-1) if self._data.flags.c_contiguous else None
    vals = [callable(v) for v in self._data.reshape(-1).tolist()]
    xp = self._storage.device.xp
    new = xp.asarray(vals, dtype=self._data.dtype).reshape(self._data.shape) if vals else self._data
    if flat is not None:
        flat[...] = new.reshape(-1)
    else:
        self._data[...] = new
    self._storage.version += 1
    return self


def _map_(self, tensor, callable):
    """self[i] = callable(self[i], tensor[i]) elementwise (tensor broadcast to self)."""
    if self._requires_grad:
        raise RuntimeError("map_ is only implemented on CPU tensors")
    xp = self._storage.device.xp
    other = xp.broadcast_to(tensor._data, self._data.shape)
    vals = [callable(a, b) for a, b in zip(self._data.reshape(-1).tolist(), other.reshape(-1).tolist())]
    if vals:
        self._data[...] = xp.asarray(vals, dtype=self._data.dtype).reshape(self._data.shape)
    self._storage.version += 1
    return self


def _pin_memory(self, device=None):
    if self.device.type == 'cuda':
        raise RuntimeError(f"cannot pin '{self.type()}' only dense CPU tensors can be pinned")
    from .. import cuda
    if not cuda.is_available():
        raise RuntimeError("Cannot access accelerator device when none is available.")
    return self.clone()


def _is_pinned(self, device=None):
    return False


def _type_as(self, other):
    return self.to(other.dtype)


def _const_data_ptr(self):
    return self.data_ptr()


def _dim_order(self, *, ambiguity_check=False):
    """Dims from outermost to innermost by stride (ties keep the logical order)."""
    st = self.stride()
    return tuple(sorted(range(self.dim()), key=lambda i: -st[i]))


def _is_signed(self):
    return self.dtype.is_signed


def _false(self, *args, **kwargs):
    return False


def _false_prop(self):
    return False


register_methods({
    'squeeze_': _inplace_view('squeeze'), 'unsqueeze_': _inplace_view('unsqueeze'),
    't_': _inplace_view('t'), 'transpose_': _inplace_view('transpose'),
    'swapaxes_': _inplace_view('transpose'), 'swapdims_': _inplace_view('transpose'),
    'as_strided_': _inplace_view('as_strided'),
    'resize_': _resize_, 'resize_as_': _resize_as_, 'new': _new, 'storage': _storage,
    'storage_type': _storage_type, 'as_subclass': _as_subclass, 'apply_': _apply_,
    'map_': _map_, 'pin_memory': _pin_memory, 'is_pinned': _is_pinned, 'type_as': _type_as,
    'const_data_ptr': _const_data_ptr, 'dim_order': _dim_order, 'is_signed': _is_signed,
    'is_set_to': lambda self, tensor: (self._storage is tensor._storage
                                       and self._data.shape == tensor._data.shape
                                       and self.stride() == tensor.stride()
                                       and self.storage_offset() == tensor.storage_offset()),
})
for _n in ('is_nested', 'is_sparse_csr', 'is_mps', 'is_xla', 'is_xpu', 'is_ipu', 'is_vulkan',
           'is_mkldnn', 'is_maia', 'is_mtia'):
    setattr(Tensor, _n, property(_false_prop))
Tensor.name = None
