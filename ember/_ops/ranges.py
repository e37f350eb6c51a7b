"""Ranges: arange, range (deprecated), linspace, logspace, eye, tril_indices, triu_indices,
with torch's dtype inference and length rules."""
import math as _math
import warnings as _warnings

from .. import _dtype as D
from .._device import as_device, backend
from .._tensor import Tensor
from .creation import _finish, _word, _pycomplex

__all__ = ['arange', 'range', 'linspace', 'logspace', 'eye', 'tril_indices', 'triu_indices']

_pyrange = range


def _num(x):
    return x.item() if isinstance(x, Tensor) or hasattr(x, 'dtype') else x


def _range_dtype(*vals):
    """arange's dtype: int64 when start/end/step are all integers, else the default float."""
    for v in vals:
        if isinstance(v, Tensor) and v.dtype.category >= 2:
            return D.get_default_dtype()
        v = _num(v)
        if isinstance(v, _pycomplex):
            raise RuntimeError("value cannot be converted to type double without overflow")
        if isinstance(v, float) or (hasattr(v, 'dtype') and v.dtype.kind == 'f'):
            return D.get_default_dtype()
    return D.int64


def arange(start=0, end=None, step=1, *, out=None, dtype=None, layout=None, device=None,
           requires_grad=False, pin_memory=False):
    """Values start, start+step, ... below end; length ceil((end-start)/step), like torch."""
    if end is None:
        start, end = 0, start
    if dtype is None:
        dtype = out.dtype if out is not None else _range_dtype(start, end, step)
    s, e, st = (_num(v) for v in (start, end, step))
    if dtype.category in (D._BOOL, D._COMPLEX):
        raise NotImplementedError(f"\"arange_cpu\" not implemented for '{_word(dtype)}'")
    for v in (s, e):
        if not _math.isfinite(v):
            raise RuntimeError(f"unsupported range: {s} -> {e}")
    if st == 0:
        raise RuntimeError("step must be nonzero")
    if dtype.category == D._INT:
        s, e, st = int(s), int(e), int(st)
        if st == 0:
            raise ValueError("step must be nonzero")
    if (st > 0 and s > e) or (st < 0 and s < e):
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    n = int(_math.ceil((e - s) / st))
    device = as_device(device if device is not None else (out.device if out is not None else None))
    xp = backend(device)
    if dtype.category == D._INT:
        arr = (xp.arange(n, dtype='int64') * st + s).astype(dtype.np)
    else:   # start + i*step in double, then rounded once (torch's accumulate type)
        arr = (xp.arange(n, dtype='float64') * st + s).astype(dtype.np)
    t = _finish(arr, device, requires_grad)
    if out is not None:
        from ._util import write_out
        return write_out(out, t)
    return t


def range(start=0, end=None, step=1, *, out=None, dtype=None, layout=None, device=None,
          requires_grad=False):
    """Deprecated: values from start to end inclusive (default float dtype)."""
    _warnings.warn("torch.range is deprecated and will be removed in a future release because its "
                   "behavior is inconsistent with Python's range builtin. Instead, use torch.arange, "
                   "which produces values in [start, end).", UserWarning, stacklevel=2)
    if end is None:
        start, end = 0, start
    s, e, st = (_num(v) for v in (start, end, step))
    if st == 0:
        raise RuntimeError("step must be nonzero")
    if (st > 0 and s > e) or (st < 0 and s < e):
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    dtype = dtype or D.get_default_dtype()
    device = as_device(device)
    xp = backend(device)
    n = int((e - s) / st) + 1
    acc = 'float64' if dtype.category >= 2 else 'int64'
    arr = (xp.arange(n, dtype=acc) * st + s).astype(dtype.np)
    t = _finish(arr, device, requires_grad)
    if out is not None:
        from ._util import write_out
        return write_out(out, t)
    return t


def _linspace_array(xp, s, e, steps, dtype):
    """torch's symmetric linspace: the first half counts up from start, the second half down
    from end, so both endpoints are exact."""
    if dtype.category == D._INT:
        s, e = int(s), int(e)
        acc = 'float64'
    elif dtype.category == D._COMPLEX:
        acc = dtype.np
    else:
        acc = dtype.np
    if steps == 1:
        return xp.full((1,), s, dtype=acc).astype(dtype.np)
    ar = xp.asarray
    step = (ar(e, dtype=acc) - ar(s, dtype=acc)) / ar(steps - 1, dtype=acc)
    i = xp.arange(steps)
    half = steps // 2
    lo = ar(s, dtype=acc) + step * i.astype(acc)
    hi = ar(e, dtype=acc) - step * (steps - 1 - i).astype(acc)
    res = xp.where(i < half, lo, hi)
    if dtype.category == D._INT:
        res = xp.trunc(res)
    return res.astype(dtype.np)


def _check_steps(steps):
    steps = _num(steps)
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    return int(steps)


def linspace(start, end, steps, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False):
    """`steps` evenly spaced values from start to end inclusive."""
    steps = _check_steps(steps)
    s, e = _num(start), _num(end)
    if dtype is None:
        dtype = out.dtype if out is not None else (
            D._default_complex() if isinstance(s, _pycomplex) or isinstance(e, _pycomplex)
            else D.get_default_dtype())
    device = as_device(device if device is not None else (out.device if out is not None else None))
    arr = _linspace_array(backend(device), s, e, steps, dtype)
    t = _finish(arr, device, requires_grad)
    if out is not None:
        from ._util import write_out
        return write_out(out, t)
    return t


def logspace(start, end, steps, base=10.0, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False):
    """base ** linspace(start, end, steps)."""
    steps = _check_steps(steps)
    s, e = _num(start), _num(end)
    dtype = dtype or (out.dtype if out is not None else D.get_default_dtype())
    device = as_device(device if device is not None else (out.device if out is not None else None))
    xp = backend(device)
    acc = D.float64 if dtype.category == D._INT or dtype is D.float64 else (
        dtype if dtype.category == D._COMPLEX else D.float32)
    expo = _linspace_array(xp, s, e, steps, acc)
    arr = xp.power(xp.asarray(base, dtype=acc.np), expo)
    if dtype.category == D._INT:
        arr = xp.trunc(arr)
    t = _finish(arr.astype(dtype.np), device, requires_grad)
    if out is not None:
        from ._util import write_out
        return write_out(out, t)
    return t


def eye(n, m=None, *, out=None, dtype=None, layout=None, device=None, requires_grad=False,
        pin_memory=False):
    """n x m identity matrix (m defaults to n)."""
    if n < 0:
        raise RuntimeError(f"n must be greater or equal to 0, got {n}")
    if m is None:
        m = n
    elif m < 0:
        raise RuntimeError(f"m must be greater or equal to 0, got {m}")
    dtype = dtype or (out.dtype if out is not None else D.get_default_dtype())
    device = as_device(device if device is not None else (out.device if out is not None else None))
    t = _finish(backend(device).eye(n, m, dtype=dtype.np), device, requires_grad)
    if out is not None:
        from ._util import write_out
        return write_out(out, t)
    return t


def _tri_indices(which, row, col, offset, dtype, device):
    device = as_device(device)
    xp = backend(device)
    r, c = (xp.tril_indices if which == 'tril' else xp.triu_indices)(row, offset, col)
    arr = xp.stack([r, c]).astype(dtype.np) if row and col else xp.zeros((2, 0), dtype=dtype.np)
    return _finish(arr, device, False)


def tril_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    """2 x N (row, col) indices of the lower triangle of a row x col matrix, row-major."""
    return _tri_indices('tril', row, col, offset, dtype or D.int64, device)


def triu_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    """2 x N (row, col) indices of the upper triangle of a row x col matrix, row-major."""
    return _tri_indices('triu', row, col, offset, dtype or D.int64, device)


