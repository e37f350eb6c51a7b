"""PyTorch-identical printing of tensors: `repr(t)`, `str(t)`, `set_printoptions`.

The output follows PyTorch's rules exactly (checked against torch in tests/test_printing.py):
- one formatter per tensor (two for complex: real and imaginary parts) picks the notation
  from the nonzero finite values: integer-valued floats print as `1.`, values spanning more
  than a factor 1000, above 1e8 or below 1e-4 print in scientific notation, the rest in
  fixed notation with `precision` digits; every element is right-aligned to the widest one;
- rows wrap at `linewidth`, nested dims are indented under their bracket and separated by
  dim-1 blank lines;
- with more than `threshold` elements only `edgeitems` leading/trailing entries of each dim
  are taken (sliced on the device before anything is formatted) and `...` marks the gap;
- suffixes name what the values can't show: a non-default dtype, a non-CPU device, the
  size of empty tensors, `grad_fn=<...>` or `requires_grad=True`.
"""
import contextlib
import math

import numpy as _np

__all__ = ['tensor_repr', 'type_name', 'set_printoptions', 'get_printoptions', 'printoptions']

_LEGACY = {'float32': 'FloatTensor', 'float64': 'DoubleTensor', 'float16': 'HalfTensor',
           'bfloat16': 'BFloat16Tensor', 'int64': 'LongTensor', 'int32': 'IntTensor',
           'int16': 'ShortTensor', 'int8': 'CharTensor', 'uint8': 'ByteTensor',
           'uint16': 'UInt16Tensor', 'uint32': 'UInt32Tensor', 'uint64': 'UInt64Tensor',
           'bool': 'BoolTensor', 'complex64': 'ComplexFloatTensor',
           'complex128': 'ComplexDoubleTensor'}


def type_name(t):
    """'torch.FloatTensor' / 'torch.cuda.FloatTensor' for t's dtype and device."""
    prefix = 'torch.cuda.' if t.device.type == 'cuda' else 'torch.'
    return prefix + _LEGACY.get(t.dtype.name, t.dtype.name)


# ---------------------------------------------------------------------------- options
class _Options:
    precision = 4
    threshold = 1000
    edgeitems = 3
    linewidth = 80
    sci_mode = None


_PROFILES = {'default': (4, 1000, 3, 80), 'short': (2, 1000, 2, 80),
             'full': (4, math.inf, 3, 80)}


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None,
                     profile=None, sci_mode=None):
    """Set printing options (torch.set_printoptions).

    profile ('default', 'short', 'full') sets precision/threshold/edgeitems/linewidth first;
    explicit arguments override it. sci_mode is always set: None means "choose per tensor".
    """
    o = _Options
    if profile is not None and profile in _PROFILES:
        o.precision, o.threshold, o.edgeitems, o.linewidth = _PROFILES[profile]
    if precision is not None:
        o.precision = precision
    if threshold is not None:
        o.threshold = threshold
    if edgeitems is not None:
        o.edgeitems = edgeitems
    if linewidth is not None:
        o.linewidth = linewidth
    o.sci_mode = sci_mode


def get_printoptions():
    """The current print options as a dict that set_printoptions(**d) accepts."""
    o = _Options
    return {'precision': o.precision, 'threshold': o.threshold, 'edgeitems': o.edgeitems,
            'linewidth': o.linewidth, 'sci_mode': o.sci_mode}


@contextlib.contextmanager
def printoptions(**kwargs):
    """Context manager: set print options for the block, restore the old ones after."""
    old = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**old)


# ---------------------------------------------------------------------------- formatting
class _Formatter:
    """Formats the elements of one real array (all with the same notation and width)."""

    def __init__(self, host, is_float):
        """host: NumPy array of the values that will be shown (already summarized)."""
        self.is_float = is_float
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        if host.size == 0:
            return
        if not is_float:
            if host.dtype == _np.bool_:
                self.max_width = 5 if not host.all() else 4
            else:
                lo, hi = host.min().item(), host.max().item()
                self.max_width = max(len(str(lo)), len(str(hi)))
            return
        v = host[_np.isfinite(host) & (host != 0)]
        if v.size == 0:
            return
        a = _np.abs(v)
        amin, amax = float(a.min()), float(a.max())
        self.int_mode = bool((v == _np.ceil(v)).all())
        if _Options.sci_mode is None:
            self.sci_mode = amax / amin > 1000.0 or amax > 1.0e8 or amin < 1.0e-4
        else:
            self.sci_mode = _Options.sci_mode
        # String length grows with |x| (and the exponent's digits with |log|x||), so only the
        # extreme positive and negative values can be the widest.
        pos, neg = v[v > 0], v[v < 0]
        cands = [float(x) for part in (pos, neg) if part.size for x in (part.min(), part.max())]
        p = _Options.precision
        if self.sci_mode:
            width = max(len(f"{x:.{p}e}") for x in cands)
        elif self.int_mode:
            width = max(len(f"{x:.0f}") for x in cands) + 1
        else:
            width = max(len(f"{x:.{p}f}") for x in cands)
        self.max_width = max(self.max_width, width)

    def format(self, value):
        if self.is_float:
            p = _Options.precision
            if self.sci_mode:
                s = f"{value:{self.max_width}.{p}e}"
            elif self.int_mode:
                s = f"{value:.0f}"
                if not (math.isinf(value) or math.isnan(value)):
                    s += '.'
            else:
                s = f"{value:.{p}f}"
        else:
            s = f"{value}"
        return ' ' * (self.max_width - len(s)) + s


def _complex_str(re, im, f1, f2):
    real_str = f1.format(re)
    imag_str = (f2.format(im) + 'j').lstrip()
    if imag_str[0] in '+-':
        return real_str + imag_str
    return real_str + '+' + imag_str


def _summarize(arr, edge, xp):
    """Keep the `edge` first and last entries along each dim longer than 2*edge; returns
    the smaller array and, per dim, whether a gap was cut there."""
    cut = []
    for d, n in enumerate(arr.shape):
        if n > 2 * edge:
            lo = arr[(slice(None),) * d + (slice(0, edge),)]
            hi = arr[(slice(None),) * d + (slice(n - edge, n),)]
            arr = xp.concatenate((lo, hi), axis=d)
            cut.append(True)
        else:
            cut.append(False)
    return arr, cut


def _to_host(arr):
    get = getattr(arr, 'get', None)
    if get is not None and not type(arr).__module__.startswith('numpy'):
        return get()
    return _np.asarray(arr)


def _layout(strs, cut, indent, element_width):
    """Join an ndarray of element strings into torch's nested, wrapped bracket text."""
    o = _Options
    edge = o.edgeitems

    def block(a, indent, d):
        if a.ndim == 1:
            items = a.tolist()
            if cut[d]:
                items = items[:edge] + [' ...'] + items[edge:]
            per_line = max(1, math.floor((o.linewidth - indent) / element_width))
            lines = [', '.join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
            return '[' + (',\n' + ' ' * (indent + 1)).join(lines) + ']'
        rows = [block(a[i], indent + 1, d + 1) for i in range(a.shape[0])]
        if cut[d]:
            rows = rows[:edge] + ['...'] + rows[edge:]
        return '[' + (',' + '\n' * (a.ndim - 1) + ' ' * (indent + 1)).join(rows) + ']'

    return block(strs, indent, 0)


def _tensor_str(t, indent):
    """The bracketed value text of a tensor with at least one element."""
    o = _Options
    dt = t.dtype
    arr = t._data
    ndim = arr.ndim
    summarize = arr.size > o.threshold
    if summarize and not o.edgeitems and ndim:
        return '[...]'
    cut = [False] * ndim
    if summarize and ndim:
        arr, cut = _summarize(arr, o.edgeitems, t._storage.device.xp)
    host = _to_host(arr)
    if dt.is_complex:
        host = host.astype(_np.complex128)
        f1 = _Formatter(host.real, True)
        f2 = _Formatter(host.imag, True)
        flat = host.reshape(-1).tolist()
        strs = [_complex_str(z.real, z.imag, f1, f2) for z in flat]
        width = f1.max_width + 2 + f2.max_width + 1
    else:
        is_float = dt.is_floating_point
        if is_float:
            host = host.astype(_np.float64)
        f1 = _Formatter(host, is_float)
        strs = [f1.format(x) for x in host.reshape(-1).tolist()]
        width = f1.max_width + 2
    if ndim == 0:
        return strs[0]
    obj = _np.empty(len(strs), dtype=object)
    obj[:] = strs
    return _layout(obj.reshape(host.shape), cut, indent, width)


def _add_suffixes(text, suffixes, indent):
    parts = [text]
    last_len = len(text) - text.rfind('\n') + 1
    for s in suffixes:
        if last_len + len(s) + 2 > _Options.linewidth:
            parts.append(',\n' + ' ' * indent + s)
            last_len = indent + len(s)
        else:
            parts.append(', ' + s)
            last_len += len(s) + 2
    parts.append(')')
    return ''.join(parts)


def _is_parameter_class(cls):
    return cls.__name__ == 'Parameter' and cls.__module__.startswith('ember.nn')


def tensor_repr(t, tensor_contents=None):
    """repr(t) exactly as PyTorch prints it."""
    from ._tensor import Tensor
    from ._dtype import get_default_dtype, float64, complex64, complex128, int64, bool as _bool
    cls = type(t)
    plain = cls is Tensor or _is_parameter_class(cls)
    prefix = 'tensor(' if plain else f"{cls.__name__}("
    indent = len(prefix)
    suffixes = []
    dev = t.device
    if dev.type != 'cpu':
        suffixes.append(f"device='{dev}'")
    default = get_default_dtype()
    default_complex = complex128 if default is float64 else complex64
    dt = t.dtype
    has_default_dtype = dt in (default, default_complex, int64, _bool)
    shape = tuple(t.shape)
    if dev.type == 'meta':
        suffixes.append(f"size={shape}")
        if dt is not default:
            suffixes.append(f"dtype={dt}")
        text = '...'
    elif 0 in shape:
        if len(shape) != 1:
            suffixes.append(f"size={shape}")
        if dt is not default:
            suffixes.append(f"dtype={dt}")
        text = '[]'
    else:
        if not _Options.edgeitems:
            suffixes.append(f"size={shape}")
        if not has_default_dtype:
            suffixes.append(f"dtype={dt}")
        text = None
    if tensor_contents is not None:
        text = tensor_contents
    elif text is None:
        text = _tensor_str(t, indent)
    fn = t.grad_fn
    if fn is not None:
        suffixes.append(f"grad_fn=<{fn.name()}>")
    elif t.requires_grad:
        suffixes.append('requires_grad=True')
    out = _add_suffixes(prefix + text, suffixes, indent)
    if not plain and any(_is_parameter_class(c) for c in cls.__mro__):
        out = f"Parameter({out})"
    return out
