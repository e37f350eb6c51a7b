"""save/load in PyTorch's zip checkpoint format, with a restricted unpickler by default.

File layout (a fact of the format, implemented from scratch): a stored (uncompressed) zip whose
entries sit in one top-level folder: `data.pkl` (pickle protocol 2; each tensor is a
`torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks)` call
whose storage is a persistent id `('storage', torch.<Type>Storage, key, location, numel)`),
`data/<key>` (raw little-endian storage bytes), `byteorder`, `version`, `.format_version`,
`.storage_alignment` and `.data/serialization_id`. Storages shared by several views are
written once. Writes go to a temporary file renamed into place, so a crash mid-save never
destroys an existing checkpoint.
"""
import _compat_pickle
import collections
import io
import operator
import os
import pickle
import stat
import struct
import uuid
import zipfile

from . import _dtype as D
from ._device import CPU, as_device, backend, device as _device_cls
from ._storage import Storage, _ptr
from ._tensor import Tensor, Size

__all__ = ['save', 'load', 'add_safe_globals', 'safe_globals', 'get_safe_globals',
           'clear_safe_globals', 'DEFAULT_PROTOCOL']

DEFAULT_PROTOCOL = 2
_ALIGN = 64

_STORAGE_NAMES = {
    'float32': 'FloatStorage', 'float64': 'DoubleStorage', 'float16': 'HalfStorage',
    'bfloat16': 'BFloat16Storage', 'int64': 'LongStorage', 'int32': 'IntStorage',
    'int16': 'ShortStorage', 'int8': 'CharStorage', 'uint8': 'ByteStorage', 'bool': 'BoolStorage',
    'complex64': 'ComplexFloatStorage', 'complex128': 'ComplexDoubleStorage',
    'uint16': 'UInt16Storage', 'uint32': 'UInt32Storage', 'uint64': 'UInt64Storage',
}
_STORAGE_DTYPES = {v: getattr(D, k) for k, v in _STORAGE_NAMES.items()}


class _TorchGlobal:
    """A reference to a global in the `torch` namespace, written as a pickle GLOBAL opcode."""
    __slots__ = ('module', 'name')

    def __init__(self, module, name):
        self.module, self.name = module, name

    def __call__(self, *args):
        raise TypeError(f"{self.module}.{self.name} is a pickling placeholder")


_REBUILD_TENSOR = _TorchGlobal('torch._utils', '_rebuild_tensor_v2')
_REBUILD_PARAMETER = _TorchGlobal('torch._utils', '_rebuild_parameter')
_ORDERED_DICT = collections.OrderedDict


class _StorageRef:
    """What a tensor's storage pickles to: the persistent id of one saved storage."""
    __slots__ = ('key', 'dtype', 'location', 'numel', 'array')

    def __init__(self, key, dtype, location, numel, array):
        self.key, self.dtype, self.location, self.numel, self.array = key, dtype, location, numel, array


def _reduce_tensor(t):
    """Tensor.__reduce_ex__ outside save(): plain pickling (copy.deepcopy, multiprocessing)."""
    arr = t.detach().cpu()._data
    return (_unpickle_tensor, (arr.copy(), t.dtype.name, str(t.device), t.requires_grad))


def _reduce_parameter(p):
    arr = p.detach().cpu()._data
    return (_unpickle_parameter, (arr.copy(), p.dtype.name, str(p.device), p.requires_grad))


def _unpickle_tensor(arr, dtype_name, device, requires_grad):
    from ._ops.creation import tensor
    t = tensor(arr, dtype=getattr(D, dtype_name), device=device)
    t.requires_grad_(requires_grad)
    return t


def _unpickle_parameter(arr, dtype_name, device, requires_grad):
    from .nn.parameter import Parameter
    return Parameter(_unpickle_tensor(arr, dtype_name, device, False), requires_grad)


# ------------------------------------------------------------------------------------ save

def _storage_block(t):
    """(memory block array, element offset of t in it) for a tensor's storage.

    The block is the base array as one contiguous run of elements; tensors whose base is not
    a single block (views of a user's strided NumPy array) are saved through a contiguous copy.
    """
    base = t._storage.base
    if base.flags.c_contiguous or base.flags.f_contiguous:
        flat = base.ravel(order='K')
        start = min(_ptr(base), _ptr(flat)) if flat.size else _ptr(base)
        offset = (_ptr(t._data) - start) // t._data.itemsize if t._data.size else 0
        strides = tuple(s // t._data.itemsize for s in t._data.strides)
        if all(s >= 0 for s in strides) and flat.dtype == t._data.dtype:
            return flat, offset, strides, False
    arr = t._data.copy()
    return arr.reshape(-1), 0, tuple(s // arr.itemsize for s in arr.strides), True


class _Pickler(pickle._Pickler):
    """Pure-Python pickler that writes torch globals and storage persistent ids."""

    def __init__(self, file, protocol, storages):
        super().__init__(file, protocol)
        self.storages = storages       # key -> _StorageRef
        self.by_identity = {}          # (storage id, ptr) -> key
        self.dispatch = dict(pickle._Pickler.dispatch)
        self.dispatch[_TorchGlobal] = _Pickler.save_torch_global

    def save_torch_global(self, obj):
        if isinstance(obj, D.dtype):
            obj = _TorchGlobal('torch', obj.name)
        self.write(pickle.GLOBAL + f'{obj.module}\n{obj.name}\n'.encode('utf-8'))

    def persistent_id(self, obj):
        if isinstance(obj, _StorageRef):
            return ('storage', _TorchGlobal('torch', _STORAGE_NAMES[obj.dtype.name]), obj.key,
                    obj.location, obj.numel)
        return None

    def reducer_override(self, obj):
        if isinstance(obj, Tensor):
            return self._reduce_tensor(obj)
        if isinstance(obj, Size):
            return (_TorchGlobal('torch', 'Size'), (tuple(obj),))
        if isinstance(obj, _device_cls):
            args = (obj.type,) if obj.index is None else (obj.type, obj.index)
            return (_TorchGlobal('torch', 'device'), args)
        return NotImplemented

    def save_global(self, obj, name=None):
        # a reducer returning a _TorchGlobal as "the object" pickles it as a global
        if isinstance(obj, _TorchGlobal):
            return self.save_torch_global(obj)
        return super().save_global(obj, name)

    def save(self, obj, save_persistent_id=True):
        if isinstance(obj, (_TorchGlobal, D.dtype)):
            return self.save_torch_global(obj)
        return super().save(obj, save_persistent_id)

    def _reduce_tensor(self, t):
        from .nn.parameter import Parameter
        block, offset, strides, copied = _storage_block(t)
        ident = (id(t._storage), _ptr(block)) if not copied else (id(t), 0)
        key = self.by_identity.get(ident)
        if key is None:
            key = str(len(self.storages))
            self.by_identity[ident] = key
            host = block.get() if hasattr(block, 'get') and not isinstance(block, type(CPU.xp.empty(0))) else block
            loc = 'cpu' if t.device.type == 'cpu' else str(t.device)
            self.storages[key] = _StorageRef(key, t.dtype, loc, int(block.size), host)
        ref = self.storages[key]
        args = (ref, offset, tuple(t.shape), strides, bool(t.requires_grad) and not isinstance(t, Parameter),
                _ORDERED_DICT())
        if isinstance(t, Parameter):
            inner = (_REBUILD_TENSOR, (ref, offset, tuple(t.shape), strides, False, _ORDERED_DICT()))
            return (_REBUILD_PARAMETER, (_Rebuilt(inner), bool(t.requires_grad), _ORDERED_DICT()))
        return (_REBUILD_TENSOR, args)


class _Rebuilt:
    """An already-reduced value (func, args) to pickle in place of an object."""
    __slots__ = ('reduced',)

    def __init__(self, reduced):
        self.reduced = reduced

    def __reduce__(self):
        return self.reduced


def _write_archive(f, name, pkl_bytes, storages):
    """Write the zip records; storage data aligned to 64 bytes like torch does."""
    with zipfile.ZipFile(f, 'w', compression=zipfile.ZIP_STORED, allowZip64=True) as z:
        def add(rel, data, align=False):
            info = zipfile.ZipInfo(f'{name}/{rel}', date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_STORED
            if align:
                header = 30 + len(info.filename.encode('utf-8'))
                pos = z.fp.tell() + header + 4
                pad = (-pos) % _ALIGN
                info.extra = struct.pack('<HH', 0x4654, pad) + b'Z' * pad  # 'FT' padding field
            z.writestr(info, data)

        add('data.pkl', pkl_bytes)
        add('.format_version', b'1')
        add('.storage_alignment', b'64')
        add('byteorder', b'little')
        for key, ref in storages.items():
            arr = ref.array
            add(f'data/{key}', memoryview(arr.view('uint8') if arr.size else arr.tobytes()).cast('B')
                if arr.size else b'', align=True)
        add('version', b'3\n')
        add('.data/serialization_id', uuid.uuid4().hex.encode() * 1 + b'0' * 8)


def _host_tag():
    import hashlib
    import socket
    return hashlib.sha1(socket.gethostname().encode()).hexdigest()[:8]


def _temp_path(path):
    """A fresh temp name next to path: '.<name>.<host>.<pid>.<random>.tmp' -- hidden, and
    recognisably a writer's of this host and process, so stale ones can be cleaned up."""
    folder, base = os.path.split(os.path.abspath(path))
    return os.path.join(folder, f'.{base}.{_host_tag()}.{os.getpid()}.{uuid.uuid4().hex[:12]}.tmp')


def _remove_stale_temps(path):
    """Delete temp files that writers of `path` on this host left when they were killed
    (their process no longer exists). Files of live writers and of other hosts are kept."""
    folder, base = os.path.split(os.path.abspath(path))
    prefix = f'.{base}.{_host_tag()}.'
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        if not (name.startswith(prefix) and name.endswith('.tmp')):
            continue
        pid = name[len(prefix):].split('.', 1)[0]
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            os.kill(int(pid), 0)
            continue                      # the writer is still running
        except ProcessLookupError:
            pass
        except OSError:                   # exists but not ours to signal: still alive
            continue
        try:
            os.unlink(os.path.join(folder, name))
        except OSError:
            pass


def _save_atomic(path, pkl_bytes, storages):
    """Write to a temp file in the target's folder, fsync it, rename it over path, fsync the folder.

    Any exception removes the temp file and leaves an existing checkpoint untouched. A writer
    killed outright (SIGKILL, power loss) cannot clean up: the old checkpoint stays intact and
    its temp file is removed by the next save or load of that path on this host.
    """
    _remove_stale_temps(path)
    name = os.path.splitext(os.path.basename(path))[0] or 'archive'
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)   # overwriting keeps the file's permissions
    except OSError:
        mode = None
    tmp = _temp_path(path)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, 'O_BINARY', 0), 0o666)
    try:
        with os.fdopen(fd, 'wb') as out:
            if mode is not None:
                os.chmod(tmp, mode)
            _write_archive(out, name, pkl_bytes, storages)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    try:                       # make the rename itself durable (POSIX; best effort elsewhere)
        dfd = os.open(os.path.dirname(os.path.abspath(path)), os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dfd)
    except OSError:
        pass
    finally:
        os.close(dfd)


def save(obj, f, pickle_module=None, pickle_protocol=DEFAULT_PROTOCOL, _use_new_zipfile_serialization=True,
         _disable_byteorder_record=False):
    """Save obj (tensors, state_dicts, checkpoints, modules) in PyTorch's zip format."""
    if pickle_protocol < 2:
        raise ValueError("pickle_protocol must be >= 2")
    storages = {}
    buf = io.BytesIO()
    _Pickler(buf, pickle_protocol, storages).dump(obj)
    if isinstance(f, (str, os.PathLike)):
        _save_atomic(os.fspath(f), buf.getvalue(), storages)
    else:
        _write_archive(f, 'archive', buf.getvalue(), storages)


# ------------------------------------------------------------------------------------ load

_user_safe_globals = []


def add_safe_globals(safe_globals):
    """Allow these classes/functions (or (obj, 'module.name') pairs) in weights_only loads."""
    _user_safe_globals.extend(safe_globals)


def get_safe_globals():
    return list(_user_safe_globals)


def clear_safe_globals():
    _user_safe_globals.clear()


class safe_globals:
    """Context manager: extra safe globals for the block."""

    def __init__(self, safe_globals):
        self.globals = list(safe_globals)

    def __enter__(self):
        self.n = len(_user_safe_globals)
        add_safe_globals(self.globals)

    def __exit__(self, *exc):
        del _user_safe_globals[self.n:]


def _index(v, what):
    """An int from a pickled size/stride/offset entry, or a clear error."""
    try:
        return operator.index(v)
    except TypeError:
        raise RuntimeError(f"Invalid checkpoint: tensor {what} must be integers, got {v!r}") from None


def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad=False, backward_hooks=None,
                       metadata=None):
    """Rebuild a tensor as a strided view of a loaded storage (checked to lie inside it)."""
    if not isinstance(storage, Storage):
        raise RuntimeError(f"Invalid checkpoint: tensor storage must be a storage, got {type(storage).__name__}")
    if not isinstance(size, (tuple, list)) or not isinstance(stride, (tuple, list)) or len(size) != len(stride):
        raise RuntimeError(f"Invalid checkpoint: tensor size {size!r} and stride {stride!r} do not match")
    base = storage.base
    xp = backend(storage.device)
    itemsize = base.itemsize
    storage_offset = _index(storage_offset, 'offset')
    size = tuple(_index(n, 'sizes') for n in size)
    stride = tuple(_index(s, 'strides') for s in stride)
    if storage_offset < 0 or any(n < 0 for n in size) or any(s < 0 for s in stride):
        raise RuntimeError(f"Invalid checkpoint: negative size, stride or offset in size {list(size)}, "
                           f"stride {list(stride)}, offset {storage_offset}")
    if any(n == 0 for n in size):
        t = Tensor._from_array(xp.empty(size, dtype=base.dtype), storage.device)
    else:
        needed = storage_offset + 1 + sum((n - 1) * s for n, s in zip(size, stride))
        if needed > base.size:
            raise RuntimeError(f"Trying to create tensor with size {list(size)}, stride {list(stride)} "
                               f"and offset {storage_offset} out of a storage of {base.size} elements")
        arr = xp.lib.stride_tricks.as_strided(base[storage_offset:], shape=size,
                                              strides=tuple(s * itemsize for s in stride))
        t = Tensor._from_array(arr, storage.device)
        t._storage = storage
    if requires_grad:
        t.requires_grad_(True)
    return t


def _rebuild_parameter(data, requires_grad, backward_hooks=None, *args):
    from .nn.parameter import Parameter
    if not isinstance(data, Tensor):
        raise RuntimeError(f"Invalid checkpoint: Parameter data must be a tensor, got {type(data).__name__}")
    return Parameter(data, bool(requires_grad))


def _rebuild_from_type_v2(func, new_type, args, state, _checked=True):
    """A tensor (subclass) rebuilt by func(*args), then given its pickled attributes."""
    if _checked and func not in (_rebuild_tensor_v2, _rebuild_parameter):
        raise pickle.UnpicklingError(f"Weights only load failed: _rebuild_from_type_v2 of {func!r}, "
                                     f"which is not a tensor rebuild function")
    if not isinstance(args, tuple):
        raise RuntimeError("Invalid checkpoint: _rebuild_from_type_v2 arguments must be a tuple")
    t = func(*args)
    if isinstance(state, dict):
        for k, v in state.items():
            if isinstance(k, str) and not k.startswith('_'):   # never ember's private slots
                setattr(t, k, v)
    return t


def _codecs_encode(text, encoding='latin1'):
    import codecs
    if not isinstance(text, str) or encoding not in ('latin1', 'latin-1'):
        raise RuntimeError("Invalid checkpoint: _codecs.encode is only allowed on str with latin1")
    return codecs.encode(text, encoding)


def _allowed_globals():
    """(module, name) -> ember object, for weights_only loading."""
    import builtins
    table = {
        ('torch._utils', '_rebuild_tensor_v2'): _rebuild_tensor_v2,
        ('torch._utils', '_rebuild_parameter'): _rebuild_parameter,
        ('torch._utils', '_rebuild_parameter_with_state'): _rebuild_parameter,
        ('torch._tensor', '_rebuild_from_type_v2'): _rebuild_from_type_v2,
        ('torch', 'Tensor'): Tensor,
        ('torch.nn.parameter', 'Parameter'): __import__('ember.nn.parameter', fromlist=['Parameter']).Parameter,
        ('collections', 'OrderedDict'): collections.OrderedDict,
        ('torch', 'Size'): Size,
        ('torch', 'device'): _device_cls,
        ('_codecs', 'encode'): _codecs_encode,
        ('builtins', 'set'): builtins.set, ('builtins', 'frozenset'): builtins.frozenset,
        ('builtins', 'bytearray'): builtins.bytearray, ('builtins', 'complex'): builtins.complex,
        ('builtins', 'slice'): builtins.slice, ('builtins', 'range'): builtins.range,
    }
    for d in D._ALL:
        table[('torch', d.name)] = d
    for name, d in _STORAGE_DTYPES.items():
        table[('torch', name)] = ('storage_type', d)
    for obj in _user_safe_globals:
        if isinstance(obj, tuple):
            obj, full = obj
            mod, _, nm = full.rpartition('.')
        else:
            mod, nm = obj.__module__, obj.__qualname__
        table[(mod, nm)] = obj
        if mod.startswith('ember'):
            table[('torch' + mod[len('ember'):], nm)] = obj
    return table


def _full_globals(module, name):
    """weights_only=False: import anything, mapping torch.* names onto ember."""
    table = _allowed_globals()
    if (module, name) == ('torch._tensor', '_rebuild_from_type_v2'):
        return lambda func, new_type, args, state: _rebuild_from_type_v2(func, new_type, args, state, False)
    if (module, name) in table:
        return table[(module, name)]
    if module == 'torch' or module.startswith('torch.'):
        module = 'ember' + module[len('torch'):]
    mod = __import__(module, fromlist=[name])
    obj = mod
    for part in name.split('.'):
        obj = getattr(obj, part)
    return obj


def _weights_only_error(msg):
    return pickle.UnpicklingError(
        f"Weights only load failed: {msg}. Only tensors, Parameters, containers, primitives and "
        f"globals allowlisted with ember.serialization.add_safe_globals can be loaded; load with "
        f"weights_only=False only if you trust the file.")


class _Unpickler(pickle._Unpickler):
    """The pure-Python unpickler with every opcode that could call code checked (weights_only).

    GLOBAL/STACK_GLOBAL/INST/EXT resolve only allowlisted names; REDUCE/NEWOBJ/OBJ/INST call
    only allowlisted callables; BUILD applies state only to OrderedDicts and user-allowlisted
    types; SETITEM(S) only on dict/OrderedDict, APPEND(S) only on lists, ADDITEMS only on sets;
    persistent ids must be storage tuples. weights_only=False keeps plain pickle behaviour.
    """
    dispatch = dict(pickle._Unpickler.dispatch)

    def __init__(self, file, weights_only, load_storage):
        super().__init__(file, encoding='utf-8')
        self.weights_only = weights_only
        self.load_storage = load_storage
        self.table = _allowed_globals()
        if not weights_only:
            self.dispatch = pickle._Unpickler.dispatch
            return
        self.callables = {id(v): v for v in self.table.values() if callable(v)}
        self.user_types = {id(o[0] if isinstance(o, tuple) else o) for o in _user_safe_globals}

    def find_class(self, module, name):
        if (module, name) in _compat_pickle.NAME_MAPPING:      # protocol-2 Python 2 names
            module, name = _compat_pickle.NAME_MAPPING[(module, name)]
        elif module in _compat_pickle.IMPORT_MAPPING:
            module = _compat_pickle.IMPORT_MAPPING[module]
        if self.weights_only:
            obj = self.table.get((module, name))
            if obj is None:
                raise pickle.UnpicklingError(
                    f"Weights only load failed. Unsupported global: GLOBAL {module}.{name} was not an "
                    f"allowed global by default. Please use `ember.serialization.add_safe_globals([{name}])` "
                    f"or the `ember.serialization.safe_globals([{name}])` context manager to allowlist "
                    f"this global if you trust it, or load with weights_only=False if you trust the file.")
            return obj
        return _full_globals(module, name)

    def persistent_load(self, pid):
        if not isinstance(pid, tuple) or len(pid) < 5 or pid[0] != 'storage':
            raise pickle.UnpicklingError(f"Unsupported persistent id {pid!r}: only persistent_load of "
                                         f"storage tuples ('storage', type, key, location, numel) is allowed")
        _, stype, key, location, numel = pid[:5]
        if isinstance(stype, tuple) and len(stype) == 2 and stype[0] == 'storage_type':
            dtype = stype[1]
        elif isinstance(stype, D.dtype):
            dtype = stype
        else:
            raise pickle.UnpicklingError(f"Unsupported storage type {stype!r} in persistent id")
        if not isinstance(key, (str, int)) or not isinstance(location, str) or type(numel) is not int:
            raise pickle.UnpicklingError(f"Malformed storage persistent id {pid!r}")
        return self.load_storage(str(key), dtype, location, numel)

    # ---- opcode checks (weights_only only: installed in the class dispatch table)

    def _check_callable(self, func, op):
        if self.callables.get(id(func)) is not func:
            raise _weights_only_error(f"{op} of an object that is not an allowed global: {func!r}")

    def _load_reduce(self):
        args = self.stack.pop()
        func = self.stack[-1]
        self._check_callable(func, 'REDUCE')
        if not isinstance(args, tuple):
            raise _weights_only_error(f"REDUCE arguments must be a tuple, got {type(args).__name__}")
        self.stack[-1] = func(*args)

    def _load_newobj(self):
        args = self.stack.pop()
        cls = self.stack.pop()
        self._check_callable(cls, 'NEWOBJ')
        if not isinstance(cls, type) or not isinstance(args, tuple):
            raise _weights_only_error(f"NEWOBJ needs an allowed class and an argument tuple, got {cls!r}")
        self.append(cls.__new__(cls, *args))

    def _load_newobj_ex(self):
        kwargs = self.stack.pop()
        args = self.stack.pop()
        cls = self.stack.pop()
        self._check_callable(cls, 'NEWOBJ_EX')
        if not isinstance(cls, type) or not isinstance(args, tuple) or type(kwargs) is not dict:
            raise _weights_only_error(f"NEWOBJ_EX needs an allowed class and argument tuple/dict, got {cls!r}")
        self.append(cls.__new__(cls, *args, **kwargs))

    def _instantiate(self, klass, args):
        if self.weights_only:
            self._check_callable(klass, 'INST/OBJ')
        return super()._instantiate(klass, args)

    def _load_build(self):
        state = self.stack.pop()
        inst = self.stack[-1]
        if id(type(inst)) in self.user_types:
            self.stack.append(state)
            return pickle._Unpickler.load_build(self)
        if type(inst) is not collections.OrderedDict:
            raise _weights_only_error(f"can only BUILD OrderedDict or types allowlisted via "
                                      f"add_safe_globals, but got {type(inst)}")
        if type(state) is not dict or not all(type(k) is str for k in state):
            raise _weights_only_error("OrderedDict state must be a dict with str keys")
        inst.__dict__.update(state)

    def _load_setitem(self):
        value = self.stack.pop()
        key = self.stack.pop()
        self._setitems(self.stack[-1], [key, value], 'SETITEM')

    def _load_setitems(self):
        items = self.pop_mark()
        self._setitems(self.stack[-1], items, 'SETITEMS')

    def _setitems(self, target, items, op):
        if type(target) not in (dict, collections.OrderedDict):
            raise _weights_only_error(f"can only {op} for dict or collections.OrderedDict, but got {type(target)}")
        for i in range(0, len(items), 2):
            target[items[i]] = items[i + 1]

    def _load_append(self):
        value = self.stack.pop()
        if type(self.stack[-1]) is not list:
            raise _weights_only_error(f"can only append to lists, but got {type(self.stack[-1])}")
        self.stack[-1].append(value)

    def _load_appends(self):
        items = self.pop_mark()
        if type(self.stack[-1]) is not list:
            raise _weights_only_error(f"can only extend lists, but got {type(self.stack[-1])}")
        self.stack[-1].extend(items)

    def _load_additems(self):
        items = self.pop_mark()
        if type(self.stack[-1]) is not set:
            raise _weights_only_error(f"can only add items to sets, but got {type(self.stack[-1])}")
        self.stack[-1].update(items)


for _op, _fn in ((pickle.REDUCE, _Unpickler._load_reduce), (pickle.NEWOBJ, _Unpickler._load_newobj),
                 (pickle.NEWOBJ_EX, _Unpickler._load_newobj_ex), (pickle.BUILD, _Unpickler._load_build),
                 (pickle.SETITEM, _Unpickler._load_setitem), (pickle.SETITEMS, _Unpickler._load_setitems),
                 (pickle.APPEND, _Unpickler._load_append), (pickle.APPENDS, _Unpickler._load_appends),
                 (pickle.ADDITEMS, _Unpickler._load_additems)):
    _Unpickler.dispatch[_op[0]] = _fn


def _resolve_location(location, map_location):
    if map_location is None:
        dev = location
    elif isinstance(map_location, dict):
        dev = map_location.get(location, location)
    elif callable(map_location) and not isinstance(map_location, (str, _device_cls)):
        return map_location
    else:
        dev = map_location
    return as_device(str(dev) if not isinstance(dev, _device_cls) else dev)


def _open_archive(data):
    """(ZipFile, record prefix, byteorder) of a checkpoint's bytes, or a clear RuntimeError."""
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise RuntimeError("Invalid checkpoint: not a PyTorch zip archive (the legacy, non-zip "
                           "format is not supported). File may be corrupt or truncated.")
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
        names = z.namelist()
        pkl = [n for n in names if n.endswith('data.pkl') and n.count('/') == 1]
        tops = {n.split('/', 1)[0] + '/' for n in names}
        if any(t + 'constants.pkl' in names or any(n.startswith(t + 'code/') for n in names) for t in tops):
            raise RuntimeError("Cannot load a TorchScript archive (it holds constants.pkl / code/, as "
                               "written by torch.jit.save): TorchScript is not supported by ember, which "
                               "has no torch.jit.load. Save a state_dict with torch.save instead.")
        if not pkl:
            raise RuntimeError("Invalid checkpoint: the archive has no data.pkl record")
        prefix = pkl[0][:-len('data.pkl')]
        byteorder = z.read(prefix + 'byteorder').decode('ascii', 'replace').strip() \
            if prefix + 'byteorder' in names else 'little'
    except zipfile.BadZipFile as e:
        raise RuntimeError(f"Invalid checkpoint: corrupt zip archive ({e})") from None
    if byteorder not in ('little', 'big'):
        raise RuntimeError(f"Invalid checkpoint: unknown byteorder record {byteorder[:20]!r} "
                           f"(expected 'little' or 'big')")
    return z, prefix, byteorder


def load(f, map_location=None, pickle_module=None, *, weights_only=True, mmap=None, **pickle_load_args):
    """Load an object saved by ember.save or torch.save.

    weights_only=True (default) only rebuilds tensors, Parameters, containers and primitives;
    anything else in the file raises UnpicklingError without being imported or called.
    mmap=True is accepted for file paths (the file is read normally, not memory-mapped).
    """
    opened = None
    if isinstance(f, (str, os.PathLike)):
        _remove_stale_temps(os.fspath(f))     # left by a writer that was killed mid-save
        opened = f = open(os.fspath(f), 'rb')
    elif mmap:
        raise ValueError("f must be a file path in order to use the mmap argument")
    try:
        data = f.read()
    finally:
        if opened is not None:
            opened.close()
    z, prefix, byteorder = _open_archive(data)
    loaded = {}

    def load_storage(key, dtype, location, numel):
        if key in loaded:
            return loaded[key]
        name = f'{prefix}data/{key}'
        try:
            info = z.getinfo(name)
        except KeyError:
            raise RuntimeError(f"Invalid checkpoint: storage record data/{key} is missing") from None
        itemsize = dtype.np.itemsize
        if numel < 0 or info.file_size != numel * itemsize:
            raise RuntimeError(f"Invalid checkpoint: storage data/{key} holds {info.file_size} bytes, but "
                               f"its declared size is {numel} elements of {itemsize} bytes")
        raw = z.read(name)
        np_dtype = dtype.np.newbyteorder('>') if byteorder == 'big' else dtype.np
        host = CPU.xp.frombuffer(bytearray(raw), dtype=np_dtype).astype(dtype.np, copy=False)
        target = _resolve_location(location, map_location)
        if callable(target) and not isinstance(target, _device_cls):
            cpu_storage = Storage(host, CPU)
            result = target(cpu_storage, location)
            storage = result if isinstance(result, Storage) else cpu_storage
        elif target.type == 'cpu':
            storage = Storage(host, CPU)
        else:
            from ._ops.conversion import transfer
            storage = Storage(transfer(host, CPU, target), target)
        loaded[key] = storage
        return storage

    try:
        pkl = z.read(prefix + 'data.pkl')
    except (zipfile.BadZipFile, EOFError, OSError) as e:
        raise RuntimeError(f"Invalid checkpoint: corrupt zip archive ({e})") from None
    wrapped = (EOFError, ValueError, struct.error, zipfile.BadZipFile, OverflowError)
    if weights_only:   # nothing but the allowlist ran: any other failure means a malformed file
        wrapped += (TypeError, KeyError, IndexError, AttributeError, MemoryError, RecursionError)
    try:
        return _Unpickler(io.BytesIO(pkl), weights_only, load_storage).load()
    except (pickle.UnpicklingError, RuntimeError):
        raise
    except wrapped as e:
        raise pickle.UnpicklingError(f"Invalid checkpoint: data.pkl could not be read "
                                     f"({type(e).__name__}: {e})") from None
