"""dtype objects, torch's type-promotion rules and the default dtype.

A `dtype` names an element type the way torch does (`torch.float32` in its repr, so
printed output matches PyTorch) and maps to a NumPy dtype; bfloat16 comes from ml_dtypes.
"""
import numpy as _np
import ml_dtypes as _mld
import builtins as _builtins

_pybool, _pyint, _pyfloat, _pycomplex = _builtins.bool, _builtins.int, _builtins.float, _builtins.complex

__all__ = ['dtype', 'float32', 'float', 'float64', 'double', 'float16', 'half', 'bfloat16',
           'int8', 'int16', 'short', 'int32', 'int', 'int64', 'long', 'uint8', 'bool',
           'complex64', 'cfloat', 'complex128', 'cdouble', 'uint16', 'uint32', 'uint64',
           'quint8', 'qint8', 'qint32',
           'get_default_dtype', 'set_default_dtype', 'promote_types', 'result_type',
           'can_cast', 'finfo', 'iinfo']

# categories, ordered: bool < integer < floating < complex
_BOOL, _INT, _FLOAT, _COMPLEX = 0, 1, 2, 3


class dtype:
    """An element type. Compare with `is` or `==`; hashable; repr is torch's."""
    __slots__ = ('name', 'np', 'category', 'itemsize', 'is_signed', '_alias', 'is_quantized')

    def __init__(self, name, np_dtype, category, is_signed, is_quantized=False):
        self.name = name
        self.is_quantized = is_quantized
        self.np = _np.dtype(np_dtype)
        self.category = category
        self.itemsize = self.np.itemsize
        self.is_signed = is_signed

    @property
    def is_floating_point(self):
        return self.category == _FLOAT

    @property
    def is_complex(self):
        return self.category == _COMPLEX

    def to_real(self):
        return {complex64: float32, complex128: float64}.get(self, self)

    def to_complex(self):
        return {float32: complex64, float64: complex128, float16: complex64,
                bfloat16: complex64}.get(self, self)

    def __repr__(self):
        return 'torch.' + self.name

    __str__ = __repr__

    def __reduce__(self):
        return (_dtype_by_name, (self.name,))


def _dtype_by_name(name):
    return _BY_NAME[name]


bool = dtype('bool', _np.bool_, _BOOL, False)
uint8 = dtype('uint8', _np.uint8, _INT, False)
uint16 = dtype('uint16', _np.uint16, _INT, False)
uint32 = dtype('uint32', _np.uint32, _INT, False)
uint64 = dtype('uint64', _np.uint64, _INT, False)
int8 = dtype('int8', _np.int8, _INT, True)
int16 = dtype('int16', _np.int16, _INT, True)
int32 = dtype('int32', _np.int32, _INT, True)
int64 = dtype('int64', _np.int64, _INT, True)
float16 = dtype('float16', _np.float16, _FLOAT, True)
bfloat16 = dtype('bfloat16', _mld.bfloat16, _FLOAT, True)
float32 = dtype('float32', _np.float32, _FLOAT, True)
float64 = dtype('float64', _np.float64, _FLOAT, True)
complex64 = dtype('complex64', _np.complex64, _COMPLEX, True)
complex128 = dtype('complex128', _np.complex128, _COMPLEX, True)
float, double, half = float32, float64, float16
short, int, long = int16, int32, int64
cfloat, cdouble = complex64, complex128

_ALL = (bool, uint8, uint16, uint32, uint64, int8, int16, int32, int64, float16, bfloat16,
        float32, float64, complex64, complex128)
# quantized dtypes: integer storage (quint8 -> uint8 ...) plus a scale/zero point held by the
# quantized tensor (ember/ao/_qtensor.py); kept out of _BY_NP so uint8 arrays stay uint8
quint8 = dtype('quint8', _np.uint8, _INT, False, is_quantized=True)
qint8 = dtype('qint8', _np.int8, _INT, True, is_quantized=True)
qint32 = dtype('qint32', _np.int32, _INT, True, is_quantized=True)
_BY_NAME = {d.name: d for d in _ALL + (quint8, qint8, qint32)}
_BY_NP = {d.np: d for d in _ALL}
_BIG_UNSIGNED = (uint16, uint32, uint64)  # torch promotes these only with floating dtypes
_SCALAR_NAME = {bool: 'Bool', uint8: 'Byte', uint16: 'UInt16', uint32: 'UInt32', uint64: 'UInt64',
                int8: 'Char', int16: 'Short', int32: 'Int', int64: 'Long', float16: 'Half',
                bfloat16: 'BFloat16', float32: 'Float', float64: 'Double',
                complex64: 'ComplexFloat', complex128: 'ComplexDouble'}


def from_numpy_dtype(np_dtype):
    """The ember dtype of a NumPy/CuPy dtype; TypeError for ones torch has no match for."""
    try:
        return _BY_NP[_np.dtype(np_dtype)]
    except (KeyError, TypeError):
        raise TypeError(f"can't convert np.ndarray of type {np_dtype}. The only supported types "
                        "are: float64, float32, float16, complex64, complex128, int64, int32, "
                        "int16, int8, uint8, and bool.") from None


class _Defaults:
    dtype = float32


def get_default_dtype():
    return _Defaults.dtype


def set_default_dtype(d):
    if not isinstance(d, dtype) or not d.is_floating_point:
        raise TypeError(f"only floating-point types are supported as the default type")
    _Defaults.dtype = d


def _default_complex():
    return complex128 if _Defaults.dtype is float64 else complex64


def promote_types(a, b):
    """torch.promote_types: the smallest dtype both a and b convert to without losing category."""
    if a is b:
        return a
    if (a in _BIG_UNSIGNED or b in _BIG_UNSIGNED) and _FLOAT not in (a.category, b.category):
        raise RuntimeError("Promotion for uint16, uint32, uint64 types is not supported, "
                           f"attempted to promote {_SCALAR_NAME[a]} and {_SCALAR_NAME[b]}")
    ca, cb = a.category, b.category
    if ca != cb:
        hi, lo = (a, b) if ca > cb else (b, a)
        if hi.category == _COMPLEX and lo.category == _FLOAT:
            return complex128 if (lo is float64 or hi is complex128) else hi
        return hi
    if ca == _FLOAT and {a, b} == {float16, bfloat16}:
        return float32
    return _BY_NP[_np.promote_types(a.np, b.np)]


def _combine(higher, lower):
    """Merge the result of a higher-priority operand class with a lower one (torch's rule)."""
    if higher is None:
        return lower
    if lower is None:
        return higher
    if higher.category == _COMPLEX:
        return higher
    if lower.category == _COMPLEX:
        return higher.to_complex() if higher.category == _FLOAT else lower
    if higher.category == _FLOAT:
        return higher
    if higher is bool or lower.category == _FLOAT:
        return promote_types(higher, lower)
    return higher


def _scalar_dtype(x):
    """dtype a Python scalar takes when it is an operand (a 'wrapped number')."""
    t = type(x)
    if t is _pyfloat:
        return _Defaults.dtype
    if t is _pyint:
        return int64
    if t is _pybool:
        return bool
    if t is _pycomplex:
        return _default_complex()
    if isinstance(x, _pybool):
        return bool
    if isinstance(x, _np.bool_):
        return _Defaults.dtype  # torch wraps a NumPy bool scalar as a floating-point number
    if isinstance(x, (_pyint, _np.integer)):
        return int64
    if isinstance(x, (_pyfloat, _np.floating)):
        return _Defaults.dtype
    if isinstance(x, (_pycomplex, _np.complexfloating)):
        return _default_complex()
    raise TypeError(f"unsupported operand type: {type(x).__name__}")


def result_type(*operands):
    """torch.result_type over Tensors and Python scalars.

    Operands fall in three priority classes: tensors with dims, 0-dim tensors, Python numbers.
    Each class is promoted within itself; a lower class only matters when it is of a higher
    category (so `int64 tensor + 2.5` is float32 and `float16 tensor + 1.0` stays float16).
    """
    dim_r = zero_r = wrap_r = None
    for x in operands:
        d = getattr(x, 'dtype', None)
        if isinstance(d, dtype):
            if x.ndim:
                dim_r = d if dim_r is None else promote_types(dim_r, d)
            else:
                zero_r = d if zero_r is None else promote_types(zero_r, d)
        else:
            s = _scalar_dtype(x)
            wrap_r = s if wrap_r is None else promote_types(wrap_r, s)
    return _combine(dim_r, _combine(zero_r, wrap_r))


def can_cast(from_, to):
    """torch.can_cast: False when the cast lowers the category (float->int, complex->float, ->bool)."""
    return from_.category <= to.category


class finfo:
    """Machine limits of a floating dtype (eps, max, min, tiny, bits, resolution)."""

    def __init__(self, type=None):
        type = (type or _Defaults.dtype).to_real()
        fi = _mld.finfo(type.np) if type is bfloat16 else _np.finfo(type.np)
        self.dtype = type.name
        self.bits = type.itemsize * 8
        self.eps = _pyfloat(fi.eps)
        self.max = _pyfloat(fi.max)
        self.min = _pyfloat(fi.min)
        self.tiny = self.smallest_normal = _pyfloat(fi.tiny)
        self.resolution = 10.0 ** -_pyint(fi.precision)

    def __repr__(self):
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, "
                f"eps={self.eps:g}, smallest_normal={self.tiny:g}, tiny={self.tiny:g}, "
                f"dtype={self.dtype})")


class iinfo:
    """Limits of an integer dtype (min, max, bits)."""

    def __init__(self, type):
        ii = _np.iinfo(type.np)
        self.dtype = type.name
        self.bits = ii.bits
        self.min = _pyint(ii.min)
        self.max = _pyint(ii.max)

    def __repr__(self):
        return f"iinfo(min={self.min:g}, max={self.max:g}, dtype={self.dtype})"
