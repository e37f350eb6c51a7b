"""Distribution base class and shared helpers (torch.distributions.Distribution).

Parameters are ember tensors, so log_prob/entropy/rsample are differentiable through ember's
autograd. Sampling draws from ember's global generator (ember.manual_seed reproduces it)."""
import math

from . import constraints

__all__ = ['Distribution']


class lazy_property:
    """Computed on first access, then cached in the instance (e.g. probs from logits)."""

    def __init__(self, fn):
        self.fn = fn
        self.__doc__ = fn.__doc__
        self.name = fn.__name__

    def __get__(self, inst, owner=None):
        if inst is None:
            return self
        value = self.fn(inst)
        inst.__dict__[self.name] = value
        return value


def _as_tensor(v, like=None):
    import ember
    if isinstance(v, ember.Tensor):
        return v
    dtype = like.dtype if like is not None else ember.get_default_dtype()
    device = like.device if like is not None else None
    return ember.tensor(float(v), dtype=dtype, device=device)


def broadcast_all(*values):
    """Tensors broadcast to a common shape (numbers become tensors of the tensors' dtype)."""
    import ember
    tensors = [v for v in values if isinstance(v, ember.Tensor)]
    like = tensors[0] if tensors else None
    if not all(isinstance(v, (ember.Tensor, int, float)) for v in values):
        raise ValueError("Input arguments must all be instances of numbers.Number, "
                         "torch.Tensor or objects implementing __torch_function__.")
    return ember.broadcast_tensors(*[_as_tensor(v, like) for v in values])


def probs_to_logits(probs, is_binary=False):
    import ember
    eps = ember.finfo(probs.dtype).eps
    p = probs.clamp(min=eps, max=1 - eps)
    return (p.log() - (-p).log1p()) if is_binary else p.log()


def logits_to_probs(logits, is_binary=False):
    import ember
    return logits.sigmoid() if is_binary else ember.softmax(logits, -1)


def _standard_normal(shape, like):
    import ember
    return ember.randn(shape, dtype=like.dtype, device=like.device)


def _sum_rightmost(value, dim):
    return value.reshape(value.shape[:value.dim() - dim] + (-1,)).sum(-1) if dim > 0 else value


def _tensor_summary(v):
    import ember
    if isinstance(v, ember.Tensor) and v.numel() == 1 and v.dim() == 0:
        return str(v.item())
    return str(ember.Size(v.shape)) if isinstance(v, ember.Tensor) else str(v)


class Distribution:
    """Base: batch_shape/event_shape bookkeeping, argument and sample validation."""
    has_rsample = False
    has_enumerate_support = False
    _validate_args = __debug__
    arg_constraints = {}
    support = None

    @staticmethod
    def set_default_validate_args(value):
        if value not in (True, False):
            raise ValueError
        Distribution._validate_args = value

    def __init__(self, batch_shape=(), event_shape=(), validate_args=None):
        import ember
        self._batch_shape = ember.Size(batch_shape)
        self._event_shape = ember.Size(event_shape)
        if validate_args is not None:
            self._validate_args = validate_args
        if self._validate_args:
            for param, constraint in self.arg_constraints.items():
                if constraints.dependent is constraint or (
                        param not in self.__dict__ and isinstance(getattr(type(self), param, None),
                                                                  lazy_property)):
                    continue
                value = getattr(self, param)
                valid = constraint.check(value)
                if not bool(valid.all()):
                    raise ValueError(
                        f"Expected parameter {param} ({type(value).__name__} of shape "
                        f"{tuple(value.shape)}) of distribution {self!r} to satisfy the "
                        f"constraint {constraint!r}, but found invalid values:\n{value}")

    @property
    def batch_shape(self):
        return self._batch_shape

    @property
    def event_shape(self):
        return self._event_shape

    def _extended_shape(self, sample_shape=()):
        import ember
        return ember.Size(tuple(sample_shape)) + self._batch_shape + self._event_shape

    def expand(self, batch_shape, _instance=None):
        """Same distribution with parameters expanded (as views) to a larger batch_shape."""
        import ember
        batch_shape = ember.Size(batch_shape)
        new = type(self).__new__(type(self)) if _instance is None else _instance
        for name in self._expand_params:
            if name in self.__dict__:
                v = self.__dict__[name]
                extra = v.shape[v.dim() - self._param_event_dims(name):]
                setattr(new, name, v.expand(tuple(batch_shape) + tuple(extra)))
        Distribution.__init__(new, batch_shape, self._event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    _expand_params = ()

    def _param_event_dims(self, name):
        return 0

    def sample(self, sample_shape=()):
        """Sample without gradient (rsample under no_grad where reparameterizable)."""
        import ember
        with ember.no_grad():
            return self.rsample(sample_shape)

    def rsample(self, sample_shape=()):
        raise NotImplementedError

    def sample_n(self, n):
        return self.sample((n,))

    def log_prob(self, value):
        raise NotImplementedError

    def cdf(self, value):
        raise NotImplementedError

    def icdf(self, value):
        raise NotImplementedError

    def entropy(self):
        raise NotImplementedError

    def perplexity(self):
        return self.entropy().exp()

    def enumerate_support(self, expand=True):
        raise NotImplementedError

    @property
    def mean(self):
        raise NotImplementedError(f"{type(self)} does not implement mean")

    @property
    def mode(self):
        raise NotImplementedError(f"{type(self)} does not implement mode")

    @property
    def variance(self):
        raise NotImplementedError(f"{type(self)} does not implement variance")

    @property
    def stddev(self):
        return self.variance.sqrt()

    def _validate_sample(self, value):
        """torch's checks: a Tensor, broadcastable with batch+event shape, inside support."""
        import ember
        if not isinstance(value, ember.Tensor):
            raise ValueError("The value argument to log_prob must be a Tensor")
        event_dim_start = value.dim() - len(self._event_shape)
        if tuple(value.shape[event_dim_start:]) != tuple(self._event_shape):
            raise ValueError(f"The right-most size of value must match event_shape: "
                             f"{ember.Size(value.shape)} vs {self._event_shape}.")
        actual = value.shape
        expected = self._batch_shape + self._event_shape
        for i, j in zip(reversed(actual), reversed(expected)):
            if i != 1 and j != 1 and i != j:
                raise ValueError(f"Value is not broadcastable with batch_shape+event_shape: "
                                 f"{ember.Size(actual)} vs {expected}.")
        support = self.support
        if support is None or support is constraints.dependent:
            return
        valid = support.check(value)
        if not bool(valid.all()):
            raise ValueError(
                f"Expected value argument ({type(value).__name__} of shape "
                f"{tuple(value.shape)}) to be within the support ({support!r}) of the "
                f"distribution {self!r}, but found invalid values:\n{value}")

    def __repr__(self):
        names = [k for k in self.arg_constraints if k in self.__dict__]
        args = ', '.join(f"{k}: {_tensor_summary(self.__dict__[k])}" for k in names)
        return f"{type(self).__name__}({args})"


LOG_SQRT_2PI = 0.5 * math.log(2 * math.pi)
