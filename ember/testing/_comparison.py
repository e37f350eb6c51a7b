"""assert_close / assert_allclose: torch.testing's comparison with torch's default tolerances
and its AssertionError messages. Values are compared on the host (NumPy) since this is a
testing utility, not an op."""
import collections.abc as abc
import math
import warnings

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor

__all__ = ['assert_close', 'assert_allclose']

# (rtol, atol) per dtype name
_TOLS = {'float16': (1e-3, 1e-5), 'bfloat16': (1.6e-2, 1e-5), 'float32': (1.3e-6, 1e-5),
         'float64': (1e-7, 1e-7), 'complex32': (1e-3, 1e-5), 'complex64': (1.3e-6, 1e-5),
         'complex128': (1e-7, 1e-7)}
# assert_allclose kept its older table
_OLD_TOLS = {'float16': (1e-3, 1e-3), 'bfloat16': (1.6e-2, 1e-5), 'float32': (1e-4, 1e-5),
             'float64': (1e-5, 1e-8)}


class _Fail(Exception):
    def __init__(self, msg, etype=AssertionError):
        super().__init__(msg)
        self.etype = etype


def _dtype_name(dt):
    return str(dt).replace('torch.', '')


def _host(t):
    """Tensor -> NumPy array (bfloat16 kept as ml_dtypes bfloat16)."""
    return np.asarray(t.detach().cpu().numpy())


def _is_tensor_like(x):
    return isinstance(x, (Tensor, np.ndarray))


def _as_tensor(x):
    if isinstance(x, np.ndarray):
        from .. import from_numpy
        return from_numpy(np.ascontiguousarray(x))
    return x


def _fmt(v):
    return repr(v) if isinstance(v, float) else str(v)


def _compare_tensors(a, e, rtol, atol, equal_nan, check_device, check_dtype, check_stride):
    a, e = _as_tensor(a), _as_tensor(e)
    if a.shape != e.shape:
        raise _Fail(f"The values for attribute 'shape' do not match: {a.shape} != {e.shape}.")
    if check_device and a.device != e.device:
        raise _Fail(f"The values for attribute 'device' do not match: {a.device} != {e.device}.")
    if check_dtype and a.dtype is not e.dtype:
        raise _Fail(f"The values for attribute 'dtype' do not match: {a.dtype} != {e.dtype}.")
    if check_stride and a.stride() != e.stride():
        raise _Fail(f"The values for attribute 'stride()' do not match: "
                    f"{a.stride()} != {e.stride()}.")
    if a.dtype is not e.dtype:
        from .. import promote_types
        common = promote_types(a.dtype, e.dtype)
        a, e = a.to(common), e.to(common)
    if rtol is None:
        rtol, atol = _TOLS.get(_dtype_name(a.dtype), (0.0, 0.0))
    scalar = a.dim() == 0
    _compare_values(_host(a), _host(e), rtol, atol, equal_nan, 'Scalars' if scalar else 'Tensor-likes',
                    scalar)


def _compare_values(x, y, rtol, atol, equal_nan, what, scalar):
    kind = x.dtype.kind
    exact = rtol == 0 and atol == 0
    with np.errstate(all='ignore'):
        if kind in 'biu':
            x, y = x.astype(np.int64), y.astype(np.int64)
            close = x == y
            abs_diff = np.abs(x - y)
            rel_diff = abs_diff.astype(np.float32) / np.abs(y).astype(np.float32)
        else:
            if kind not in 'fc':     # bfloat16 (ml_dtypes)
                x, y = x.astype(np.float32), y.astype(np.float32)
            close = np.abs(x - y) <= atol + rtol * np.abs(y)
            close |= x == y          # equal infinities
            if equal_nan:
                close |= np.isnan(x) & np.isnan(y)
            abs_diff = np.abs(x - y)
            rel_diff = abs_diff / np.abs(y)
    if close.all():
        return
    verb = 'equal' if exact else 'close'
    tol_a = '' if exact else f" (up to {_fmt(float(atol))} allowed)"
    tol_r = '' if exact else f" (up to {_fmt(float(rtol))} allowed)"
    if scalar:
        ai, ei = x.item(), y.item()
        ad = abs_diff.item()
        rd = ad / abs(ei) if ei else math.inf
        raise _Fail(f"Scalars are not {verb}!\n\nExpected {_fmt(ei)} but got {_fmt(ai)}.\n"
                    f"Absolute difference: {_fmt(ad)}{tol_a}\n"
                    f"Relative difference: {_fmt(rd)}{tol_r}")
    n_bad, n = int((~close).sum()), close.size
    ia = np.unravel_index(int(np.argmax(abs_diff)), abs_diff.shape)
    ir = np.unravel_index(int(np.argmax(rel_diff)), rel_diff.shape)
    ad, rd = abs_diff[ia].item(), float(rel_diff[ir].item())
    raise _Fail(f"{what} are not {verb}!\n\n"
                f"Mismatched elements: {n_bad} / {n} ({n_bad / n * 100:.1f}%)\n"
                f"Greatest absolute difference: {_fmt(ad)} at index {tuple(int(i) for i in ia)}{tol_a}\n"
                f"Greatest relative difference: {_fmt(rd)} at index {tuple(int(i) for i in ir)}{tol_r}")


def _compare_scalars(a, e, rtol, atol, equal_nan):
    if type(a) is not type(e):
        raise _Fail(f"The (d)types do not match: {type(a)} != {type(e)}.")
    if isinstance(a, int) and rtol is None:     # bool is an int
        rtol = atol = 0.0
    elif rtol is None:
        rtol, atol = _TOLS['float64']
    if a == e or (equal_nan and isinstance(a, (float, complex)) and
                  a != a and e != e):
        return
    if isinstance(a, (int, bool)) and rtol == 0 and atol == 0:
        d = abs(a - e)
        r = d / abs(e) if e else math.inf
        raise _Fail(f"Scalars are not equal!\n\nExpected {e} but got {a}.\n"
                    f"Absolute difference: {d}\nRelative difference: {r}")
    d = abs(a - e)
    if d <= atol + rtol * abs(e):
        return
    r = d / abs(e) if e else math.inf
    raise _Fail(f"Scalars are not close!\n\nExpected {e!r} but got {a!r}.\n"
                f"Absolute difference: {d!r} (up to {atol!r} allowed)\n"
                f"Relative difference: {r!r} (up to {rtol!r} allowed)")


def _compare(a, e, opts, path):
    try:
        if _is_tensor_like(a) or _is_tensor_like(e):
            if not (isinstance(a, Tensor) and isinstance(e, Tensor)
                    or isinstance(a, np.ndarray) and isinstance(e, np.ndarray)):
                raise _Fail(f"No comparison pair was able to handle inputs of type {type(a)} "
                            f"and {type(e)}.", TypeError)
            _compare_tensors(a, e, *opts)
        elif isinstance(a, (bool, int, float, complex)) and isinstance(e, (bool, int, float, complex)):
            _compare_scalars(a, e, opts[0], opts[1], opts[2])
        elif a is None and e is None:
            return
        elif isinstance(a, abc.Sequence) and isinstance(e, abc.Sequence) \
                and not isinstance(a, str) and not isinstance(e, str):
            if len(a) != len(e):
                raise _Fail(f"The length of the sequences mismatch: {len(a)} != {len(e)}")
            for i, (x, y) in enumerate(zip(a, e)):
                _compare(x, y, opts, path + [i])
        elif isinstance(a, abc.Mapping) and isinstance(e, abc.Mapping):
            ka, ke = list(a.keys()), list(e.keys())
            if set(ka) != set(ke):
                missing = sorted(set(ke) - set(ka), key=str)
                extra = sorted(set(ka) - set(ke), key=str)
                raise _Fail(f"The keys of the mappings do not match:\n"
                            f"Missing keys in the actual mapping: {missing}\n"
                            f"Additional keys in the actual mapping: {extra}")
            for k in ka:
                _compare(a[k], e[k], opts, path + [k])
        else:
            raise _Fail(f"No comparison pair was able to handle inputs of type {type(a)} "
                        f"and {type(e)}.", TypeError)
    except _Fail as f:
        if path and f.etype is AssertionError and not getattr(f, 'located', False):
            f.args = (str(f) + "\n\nThe failure occurred for item "
                      + ''.join(f"[{k!r}]" for k in path),)
            f.located = True
        raise


def assert_close(actual, expected, *, allow_subclasses=True, rtol=None, atol=None,
                 equal_nan=False, check_device=True, check_dtype=True, check_layout=True,
                 check_stride=False, msg=None):
    """Raise AssertionError unless actual and expected are close (torch.testing.assert_close).

    Tensors (and NumPy arrays) must match in shape, device and dtype (unless disabled) and
    satisfy |actual - expected| <= atol + rtol * |expected| elementwise; sequences and
    mappings are compared item by item; Python scalars must be of the same type.
    """
    __tracebackhide__ = True
    if (rtol is None) != (atol is None):
        raise ValueError(f"Both 'rtol' and 'atol' must be either specified or omitted, but got "
                         f"no {'atol' if atol is None else 'rtol'}.")
    try:
        _compare(actual, expected, (rtol, atol, equal_nan, check_device, check_dtype,
                                    check_stride), [])
    except _Fail as f:
        if f.etype is not AssertionError:
            raise f.etype(str(f)) from None
        if msg is not None:
            text = msg(str(f)) if callable(msg) else msg
            raise AssertionError(text) from None
        raise AssertionError(str(f)) from None


def assert_allclose(actual, expected, rtol=None, atol=None, equal_nan=True, msg=''):
    """Deprecated torch.testing.assert_allclose: expected is converted to actual's dtype and
    the older default tolerances apply."""
    warnings.warn("`torch.testing.assert_allclose()` is deprecated since 1.12 and will be "
                  "removed in a future release. Please use `torch.testing.assert_close()` "
                  "instead. You can find detailed upgrade instructions in "
                  "https://github.com/pytorch/pytorch/issues/61844.", FutureWarning, stacklevel=2)
    from .. import tensor
    if not isinstance(actual, Tensor):
        actual = tensor(actual)
    if not isinstance(expected, Tensor):
        expected = tensor(expected, dtype=actual.dtype)
    if rtol is None and atol is None:
        rtol, atol = _OLD_TOLS.get(_dtype_name(actual.dtype), (0.0, 0.0))
    assert_close(actual, expected, rtol=rtol, atol=atol, equal_nan=equal_nan,
                 check_device=True, check_dtype=False, check_stride=False, msg=msg or None)
