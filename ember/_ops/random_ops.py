"""Random sampling ops: rand/randn/randint/randperm, normal, bernoulli, multinomial, poisson,
the *_like variants and the in-place samplers (uniform_, normal_, random_, ...).

Samples come from a `ember.random.Generator` (the `generator=` argument or the device's
default) through `_draw`, the single place that asks a generator for numbers and moves them
to the target device. Samplers are not differentiable: where torch records a node, the
gradient is zero (so `grad_fn` names match PyTorch).
"""
from .. import _dtype as D
from .. import random as _random
from .._device import as_device, backend
from .._tensor import Tensor, register_methods
from ..autograd.function import Function
from ._util import inplace, write_out, device_of
from .creation import _finish, _size_args, _to_device, zeros_like, _word, _empty_same_layout

__all__ = ['rand', 'randn', 'randint', 'randperm', 'normal', 'bernoulli', 'multinomial',
           'poisson', 'rand_like', 'randn_like', 'randint_like']

_C_NAMES = {'uint8': 'unsigned char', 'int8': 'signed char', 'int16': 'short', 'int32': 'int',
            'int64': 'long', 'bool': 'bool', 'float32': 'float', 'float64': 'double',
            'float16': 'c10::Half', 'bfloat16': 'c10::BFloat16'}


def _fmt(v):
    return f"{v:g}" if isinstance(v, float) else str(v)


# ---------------------------------------------------------------------------- drawing

def _generator(generator, device):
    if generator is None:
        return _random._default_for(device)
    if not isinstance(generator, _random.Generator):
        raise TypeError(f"generator must be a torch.Generator, not {type(generator).__name__}")
    if generator.device.type != device.type:
        raise RuntimeError(f"Expected a '{device.type}' device type for generator but found "
                           f"'{generator.device.type}'")
    return generator


def _draw(generator, device, method, *args, **kwargs):
    """Samples from the generator's `method` (numpy.random.Generator API), on `device`."""
    arr = _generator(generator, device)._sample(method, *args, **kwargs)
    return _to_device(arr, device)


def _uniform(generator, device, shape, dtype, low=0.0, high=1.0):
    """Uniform [low, high) samples of a floating/complex dtype."""
    if dtype.category == D._COMPLEX:
        real = dtype.to_real()
        xp = backend(device)
        out = xp.empty(shape, dtype=dtype.np)
        out.real = _uniform(generator, device, shape, real, low, high)
        out.imag = _uniform(generator, device, shape, real, low, high)
        return out
    wide = 'float64' if dtype is D.float64 else 'float32'
    u = _draw(generator, device, 'random', shape, dtype=wide)
    if low != 0.0 or high != 1.0:
        u = u * (high - low) + low
    if dtype.np != u.dtype:
        u = u.astype(dtype.np)
        if low == 0.0 and high == 1.0:   # rounding to half precision must not reach 1
            xp = backend(device)
            u = xp.minimum(u, xp.nextafter(xp.asarray(1, dtype=dtype.np), xp.asarray(0, dtype=dtype.np)))
    return u


def _normal(generator, device, shape, dtype):
    """Standard normal samples (complex: real and imaginary parts each of variance 1/2)."""
    if dtype.category == D._COMPLEX:
        xp = backend(device)
        real = dtype.to_real()
        out = xp.empty(shape, dtype=dtype.np)
        out.real = _normal(generator, device, shape, real) * 0.7071067811865476
        out.imag = _normal(generator, device, shape, real) * 0.7071067811865476
        return out
    wide = 'float64' if dtype is D.float64 else 'float32'
    return _draw(generator, device, 'standard_normal', shape, dtype=wide).astype(dtype.np, copy=False)


def _require_float(dtype, kernel):
    if dtype.category < D._FLOAT:
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{_word(dtype)}'")


def _result(arr, device, requires_grad, out):
    t = _finish(arr, device, requires_grad)
    return t if out is None else write_out(out, t)


def _factory_args(size, out, dtype, device, default, name):
    shape = _size_args(size, name)
    if dtype is None:
        dtype = out.dtype if out is not None else default
    if device is None and out is not None:
        device = out.device
    return shape, dtype, as_device(device)


# ---------------------------------------------------------------------------- factories

def rand(*args, size=None, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
         pin_memory=False):
    """Uniform samples in [0, 1) (default float dtype)."""
    if not args and size is None:
        raise TypeError("rand() missing 1 required positional arguments: \"size\"")
    shape, dtype, device = _factory_args(args or (size,), out, dtype, device, D.get_default_dtype(), 'rand')
    _require_float(dtype, 'check_uniform_bounds')
    return _result(_uniform(generator, device, shape, dtype), device, requires_grad, out)


def randn(*args, size=None, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False):
    """Standard normal samples (default float dtype)."""
    if not args and size is None:
        raise TypeError("randn() missing 1 required positional arguments: \"size\"")
    shape, dtype, device = _factory_args(args or (size,), out, dtype, device, D.get_default_dtype(), 'randn')
    _require_float(dtype, 'normal_kernel_cpu')
    return _result(_normal(generator, device, shape, dtype), device, requires_grad, out)


def _check_int_range(low, high, dtype):
    """torch's bounds checks for integer draws in [low, high) cast to dtype."""
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    if dtype.category <= D._INT:
        if dtype is D.bool:
            lo_ok, hi_ok = 0, 1
        else:
            info = D.iinfo(dtype)
            lo_ok, hi_ok = info.min, info.max
        if not lo_ok <= low <= hi_ok:
            raise RuntimeError(f"from is out of bounds for {_C_NAMES[dtype.name]}")
        if not lo_ok <= high - 1 <= hi_ok:
            raise RuntimeError(f"to - 1 is out of bounds for {_C_NAMES[dtype.name]}")
    elif dtype.category == D._FLOAT:
        top = D.finfo(dtype).max
        if abs(low) > top:
            raise RuntimeError(f"from is out of bounds for {_C_NAMES[dtype.name]}")
        if abs(high - 1) > top:
            raise RuntimeError(f"to - 1 is out of bounds for {_C_NAMES[dtype.name]}")


def _int_arg(v, name, pos):
    if isinstance(v, Tensor):
        v = v.item()
    if isinstance(v, bool) or not isinstance(v, int):
        if hasattr(v, '__index__'):
            return v.__index__()
        raise TypeError(f"randint(): argument '{name}' (position {pos}) must be int, not {type(v).__name__}")
    if not -2 ** 63 <= v < 2 ** 63:
        raise ValueError("Overflow when unpacking long long")
    return v


def _randint_array(generator, device, low, high, shape, dtype):
    arr = _draw(generator, device, 'integers', low, high, size=shape, dtype='int64')
    return arr.astype(dtype.np, copy=False)


def randint(*args, size=None, low=None, high=None, generator=None, out=None, dtype=None,
            layout=None, device=None, requires_grad=False, pin_memory=False):
    """Integers uniform in [low, high): randint(high, size) or randint(low, high, size)."""
    args = list(args)
    if size is None:
        if not args:
            raise TypeError("randint() received an invalid combination of arguments - got (), but "
                            "expected (int high, tuple of ints size) or (int low, int high, tuple of ints size)")
        size = args.pop()
        if not isinstance(size, (tuple, list)):
            raise TypeError(f"randint(): argument 'size' (position {len(args) + 1}) must be tuple of "
                            f"ints, not {type(size).__name__}")
    if high is None:
        if not args:
            raise TypeError("randint() missing required argument 'high'")
        high = args.pop()
    if low is None:
        low = args.pop() if args else 0
    low, high = _int_arg(low, 'low', 1), _int_arg(high, 'high', 2 if low else 1)
    shape, dtype, device = _factory_args((size,), out, dtype, device, D.int64, 'randint')
    _check_int_range(low, high, dtype)
    return _result(_randint_array(generator, device, low, high, shape, dtype), device, requires_grad, out)


def randperm(n, *, generator=None, out=None, dtype=None, layout=None, device=None,
             requires_grad=False, pin_memory=False):
    """A random permutation of 0..n-1 (int64 by default)."""
    n = int(n)
    if n < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {n}: [{n}]")
    dtype = dtype or (out.dtype if out is not None else D.int64)
    device = as_device(device if device is not None else (out.device if out is not None else None))
    arr = _draw(generator, device, 'permutation', n).astype(dtype.np, copy=False)
    return _result(arr, device, requires_grad, out)


# ---------------------------------------------------------------------------- normal

class _NormalTT(Function, node_name='NormalBackward3'):
    @staticmethod
    def forward(ctx, mean, std, generator):
        xp = mean._storage.device.xp
        if std._data.size and bool((std._data < 0).any()):
            raise RuntimeError("normal expects all elements of std >= 0.0")
        from .elementwise import _check_broadcast
        _check_broadcast(mean._data.shape, std._data.shape)
        shape = xp.broadcast_shapes(mean._data.shape, std._data.shape)
        z = _normal(generator, mean._storage.device, shape, mean.dtype)
        return (mean._data + std._data * z).astype(mean._data.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        return zeros_like(g), zeros_like(g), None


class _NormalTF(Function, node_name='NormalBackward1'):
    @staticmethod
    def forward(ctx, mean, std, generator):
        z = _normal(generator, mean._storage.device, mean._data.shape, mean.dtype)
        return (mean._data + z * std).astype(mean._data.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        return zeros_like(g), None, None


class _NormalFT(Function, node_name='NormalBackward2'):
    @staticmethod
    def forward(ctx, mean, std, generator):
        if std._data.size and bool((std._data < 0).any()):
            raise RuntimeError("normal expects all elements of std >= 0.0")
        z = _normal(generator, std._storage.device, std._data.shape, std.dtype)
        return (std._data * z + mean).astype(std._data.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        return None, zeros_like(g), None


def normal(mean, std=1.0, size=None, *, generator=None, out=None, dtype=None, layout=None,
           device=None, pin_memory=False, requires_grad=False):
    """Normal samples: normal(Tensor, Tensor) / (Tensor, float) / (float, Tensor) elementwise,
    or normal(float, float, size)."""
    mt, st = isinstance(mean, Tensor), isinstance(std, Tensor)
    if (mt or st) and size is not None:
        raise TypeError("normal() received an invalid combination of arguments - got a size with "
                        "a Tensor mean or std")
    if mt and st:
        device_of(mean, std)
        _require_float(mean.dtype, 'normal_kernel_cpu')
        return write_out(out, _NormalTT.apply(mean, std, generator))
    if mt:
        _require_float(mean.dtype, 'normal_kernel_cpu')
        if std < 0:
            raise RuntimeError(f"normal expects std >= 0.0, but found std {_fmt(std)}")
        return write_out(out, _NormalTF.apply(mean, float(std), generator))
    if st:
        _require_float(std.dtype, 'normal_kernel_cpu')
        return write_out(out, _NormalFT.apply(float(mean), std, generator))
    if size is None:
        raise TypeError("normal() received an invalid combination of arguments - got (float, float), "
                        "but expected (Tensor mean, Tensor std) or (float mean, float std, tuple of ints size)")
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {_fmt(std)}")
    shape, dtype, device = _factory_args((size,), out, dtype, device, D.get_default_dtype(), 'normal')
    _require_float(dtype, 'normal_kernel_cpu')
    arr = (_normal(generator, device, shape, dtype) * std + mean).astype(dtype.np, copy=False)
    return _result(arr, device, requires_grad, out)


# ---------------------------------------------------------------------------- bernoulli & co.

def _zero_grad_fn(node):
    """A Function recording a sampler with zero gradient for its tensor input."""
    class Sampled(Function, node_name=node):
        @staticmethod
        def forward(ctx, a, draw):
            return draw(a)

        @staticmethod
        def backward(ctx, g):
            return zeros_like(g), None
    Sampled.__name__ = '_' + node
    return Sampled


_BernoulliT = _zero_grad_fn('BernoulliBackward0')
_Poisson = _zero_grad_fn('PoissonBackward0')


def _check_p(p):
    if not 0 <= p <= 1:
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={_fmt(p)}")


def bernoulli(input, p=None, *, generator=None, out=None):
    """0/1 samples: probability from input's elements, or the float p for every element."""
    device = input._storage.device
    if p is not None and not isinstance(p, Tensor):
        _check_p(p)
        u = _uniform(generator, device, input._data.shape, D.float64)
        arr = (u < p).astype(input._data.dtype)
        return _result(arr, device, False, out)
    probs = input if p is None else p
    _require_float(probs.dtype, 'bernoulli_tensor_cpu_p_')
    pa = probs._data
    if pa.size and not bool(((pa >= 0) & (pa <= 1)).all()):
        raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.  (Could this "
                           "error message be improved?  If so, please report an enhancement request "
                           "to PyTorch.)")

    def draw(a):
        return (_uniform(generator, device, a._data.shape, D.float64) < a._data).astype(a._data.dtype)
    return write_out(out, _BernoulliT.apply(probs, draw))


def poisson(input, generator=None):
    """Poisson samples with rates input (same dtype as input)."""
    _require_float(input.dtype, 'poisson_cpu')
    if input._data.size and bool((input._data < 0).any()):
        raise RuntimeError("invalid Poisson rate, expected rate to be non-negative")
    device = input._storage.device

    def draw(a):
        lam = a._data.astype('float64')
        host = lam.get() if hasattr(lam, 'get') and device.type != 'cpu' else lam
        return _draw(generator, device, 'poisson', host).astype(a._data.dtype)
    return _Poisson.apply(input, draw)


def multinomial(input, num_samples, replacement=False, *, generator=None, out=None):
    """Indices drawn from the categorical distributions in input's rows (1-D or 2-D)."""
    if input.dtype.category != D._FLOAT:
        raise RuntimeError(f"multinomial only supports floating-point dtypes for input, got: {_word(input.dtype)}")
    if input._data.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    k = input._data.shape[-1]
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    if not replacement and num_samples > k:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without replacement")
    device = input._storage.device
    xp = device.xp
    p = input._data.astype('float64').reshape(-1, k)
    if not bool(xp.isfinite(p).all()) or bool((p < 0).any()):
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    total = p.sum(axis=1, keepdims=True)
    if bool((total <= 0).any()):
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    rows = p.shape[0]
    if replacement:
        # inverse CDF for all rows at once: shift row r's CDF and draws by r, search once
        cdf = xp.cumsum(p / total, axis=1)
        shift = xp.arange(rows, dtype='float64')[:, None]
        u = _uniform(generator, device, (rows, num_samples), D.float64)
        idx = xp.searchsorted((cdf + shift).ravel(), (u + shift).ravel(), side='right')
        idx = idx.reshape(rows, num_samples) - xp.arange(rows)[:, None] * k
        last = k - 1 - xp.argmax(p[:, ::-1] > 0, axis=1)
        idx = xp.minimum(xp.maximum(idx, 0), last[:, None])
    else:
        # sequential sampling without replacement == top-k of p / Exponential(1)
        e = _draw(generator, device, 'standard_exponential', (rows, k))
        keys = p / e
        idx = xp.argsort(-keys, axis=1, kind='stable')[:, :num_samples]
    idx = idx.astype('int64')
    if input._data.ndim == 1:
        idx = idx.reshape(num_samples)
    return _result(idx, device, False, out)


# ---------------------------------------------------------------------------- *_like

def _like(input, sample, device, requires_grad):
    """Samples in an array laid out like input (torch's preserve_format)."""
    device = as_device(device) if device is not None else input.device
    res = _empty_same_layout(backend(device), input._data, sample._data.dtype)
    res[...] = sample._data
    return _finish(res, device, requires_grad)


def rand_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None,
              generator=None):
    s = rand(input._data.shape, dtype=dtype or input.dtype, device=device or input.device,
             generator=generator)
    return _like(input, s, device, requires_grad)


def randn_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None,
               generator=None):
    s = randn(input._data.shape, dtype=dtype or input.dtype, device=device or input.device,
              generator=generator)
    return _like(input, s, device, requires_grad)


def randint_like(input, low=0, high=None, *, dtype=None, layout=None, device=None,
                 requires_grad=False, memory_format=None, generator=None):
    """randint_like(input, high) or randint_like(input, low, high): input's shape and dtype."""
    if high is None:
        low, high = 0, low
    s = randint(low, high, input._data.shape, dtype=dtype or input.dtype,
                device=device or input.device, generator=generator)
    return _like(input, s, device, requires_grad)


# ---------------------------------------------------------------------------- in-place samplers

_Uniform_ = _zero_grad_fn('UniformBackward0')
_Normal_ = _zero_grad_fn('NormalBackward0')
_Random_ = _zero_grad_fn('RandomBackward2')
_Exponential_ = _zero_grad_fn('ExponentialBackward0')
_Geometric_ = _zero_grad_fn('GeometricBackward0')
_LogNormal_ = _zero_grad_fn('LogNormalBackward0')
_Cauchy_ = _zero_grad_fn('CauchyBackward0')
_Bernoulli_ = _zero_grad_fn('BernoulliBackward1')
_Bernoulli_f = _zero_grad_fn('BernoulliBackward2')


def _sample_into(self, fn, draw):
    return inplace(self, fn.apply, draw)


def _pick(args, kwargs, names, defaults):
    vals = list(args) + [None] * (len(names) - len(args))
    for i, n in enumerate(names):
        for key in (n, n.rstrip('_')):
            if key in kwargs:
                vals[i] = kwargs.pop(key)
        if vals[i] is None:
            vals[i] = defaults[i]
    if kwargs:
        raise TypeError(f"got an unexpected keyword argument '{next(iter(kwargs))}'")
    return vals


def uniform_(self, *args, generator=None, **kwargs):
    """Fill with uniform samples in [from, to)."""
    low, high = _pick(args, kwargs, ('from', 'to'), (0.0, 1.0))
    _require_float(self.dtype, 'check_uniform_bounds')
    top = D.finfo(self.dtype.to_real()).max
    for what, v in (('from', low), ('to', high)):
        if not -top <= v <= top:
            raise RuntimeError(f"{what} is out of bounds for {_C_NAMES.get(self.dtype.to_real().name)}")
    if low > high:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found from={_fmt(low)} > to={_fmt(high)}")
    dev = self._storage.device
    return _sample_into(self, _Uniform_, lambda a: _uniform(generator, dev, a._data.shape, a.dtype,
                                                            float(low), float(high)))


def normal_(self, mean=0.0, std=1.0, *, generator=None):
    """Fill with normal samples N(mean, std**2)."""
    _require_float(self.dtype, 'normal_kernel_cpu')
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {_fmt(std)}")
    dev = self._storage.device
    return _sample_into(self, _Normal_, lambda a: (_normal(generator, dev, a._data.shape, a.dtype) * std
                                                   + mean).astype(a._data.dtype, copy=False))


def random_(self, *args, generator=None, **kwargs):
    """Fill with integers: random_() in [0, 2**mantissa] (floats) or [0, max] (ints);
    random_(to) in [0, to); random_(from, to) in [from, to)."""
    low, high = _pick(args, kwargs, ('from', 'to'), (None, None))
    if low is not None and high is None and len(args) == 1:
        low, high = 0, low
    dtype = self.dtype
    if low is None and high is None:
        if dtype.category == D._FLOAT:
            top = 2 ** {'float16': 11, 'bfloat16': 8, 'float32': 24, 'float64': 53}[dtype.name]
        elif dtype is D.bool:
            top = 1
        else:
            top = D.iinfo(dtype).max
        low, high = 0, top + 1
    else:
        low = 0 if low is None else int(low)
        if high is None:
            high = (D.iinfo(dtype).max if dtype.category == D._INT else 2 ** 63 - 1) + 1
        high = int(high)
        _check_int_range(low, high, dtype)
        digits = {'float16': 11, 'bfloat16': 8, 'float32': 24, 'float64': 53}.get(dtype.name)
        if digits and high - 1 > 2 ** digits:
            import warnings
            warnings.warn(f"to - 1 is out of bounds [-(2^{digits}), 2^{digits}]. Due to precision "
                          f"limitations {_C_NAMES[dtype.name]} can support discrete uniform "
                          "distribution only within this range.", UserWarning, stacklevel=2)
    dev = self._storage.device

    def draw(a):
        if high > 2 ** 63:   # [0, 2**63) of int64 needs an inclusive top
            arr = _draw(generator, dev, 'integers', low, high - 1, size=a._data.shape, dtype='int64',
                        endpoint=True)
        else:
            arr = _draw(generator, dev, 'integers', low, high, size=a._data.shape, dtype='int64')
        return arr.astype(a._data.dtype)
    return _sample_into(self, _Random_, draw)


def exponential_(self, lambd=1.0, *, generator=None):
    """Fill with Exponential(lambd) samples."""
    if self.dtype.category != D._FLOAT:
        raise RuntimeError("Exponential distribution is a continuous probability distribution. dtype "
                           f"must be a floating point but you specified {_word(self.dtype)}")
    if not lambd > 0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={_fmt(lambd)}")
    dev = self._storage.device
    return _sample_into(self, _Exponential_, lambda a: (
        _draw(generator, dev, 'standard_exponential', a._data.shape) / lambd).astype(a._data.dtype))


def geometric_(self, p, *, generator=None):
    """Fill with Geometric(p) samples (number of trials up to the first success, >= 1)."""
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={_fmt(p)}")
    dev = self._storage.device
    return _sample_into(self, _Geometric_, lambda a: _draw(
        generator, dev, 'geometric', p, size=a._data.shape).astype(a._data.dtype))


def log_normal_(self, mean=1.0, std=2.0, *, generator=None):
    """Fill with exp(N(mean, std**2)) samples."""
    _require_float(self.dtype, 'log_normal_cpu')
    if not std > 0:
        raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={_fmt(std)}")
    dev = self._storage.device
    return _sample_into(self, _LogNormal_, lambda a: backend(dev).exp(
        _normal(generator, dev, a._data.shape, D.float64) * std + mean).astype(a._data.dtype))


def cauchy_(self, median=0.0, sigma=1.0, *, generator=None):
    """Fill with Cauchy(median, sigma) samples."""
    if self.dtype.category != D._FLOAT:
        raise RuntimeError("Cauchy distribution is a continuous probability distribution. dtype must "
                           f"be a floating point but you specified {_C_NAMES.get(self.dtype.name, self.dtype.name)}"
                           .replace("specified long", "specified long int"))
    dev = self._storage.device
    return _sample_into(self, _Cauchy_, lambda a: (
        _draw(generator, dev, 'standard_cauchy', a._data.shape) * sigma + median).astype(a._data.dtype))


def bernoulli_(self, p=0.5, *, generator=None):
    """Fill with 0/1 samples, 1 with probability p (a float or a tensor broadcast to self)."""
    dev = self._storage.device
    if isinstance(p, Tensor):
        _require_float(p.dtype, 'bernoulli_tensor_cpu_p_')
        if p._data.size and not bool(((p._data >= 0) & (p._data <= 1)).all()):
            raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.")
        pa = backend(dev).broadcast_to(p._data, self._data.shape)
        return _sample_into(self, _Bernoulli_, lambda a: (
            _uniform(generator, dev, a._data.shape, D.float64) < pa).astype(a._data.dtype))
    _check_p(p)
    return _sample_into(self, _Bernoulli_f, lambda a: (
        _uniform(generator, dev, a._data.shape, D.float64) < p).astype(a._data.dtype))


def _bernoulli_method(self, p=None, *, generator=None):
    return bernoulli(self, p, generator=generator)


register_methods({
    'uniform_': uniform_, 'normal_': normal_, 'random_': random_, 'exponential_': exponential_,
    'geometric_': geometric_, 'log_normal_': log_normal_, 'cauchy_': cauchy_,
    'bernoulli_': bernoulli_, 'bernoulli': _bernoulli_method, 'multinomial': multinomial,
})
