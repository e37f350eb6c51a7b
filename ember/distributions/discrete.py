"""Discrete distributions: Bernoulli, Categorical, OneHotCategorical (probs or logits)."""
from . import constraints
from .distribution import (Distribution, broadcast_all, lazy_property, logits_to_probs,
                           probs_to_logits)

__all__ = ['Bernoulli', 'Categorical', 'OneHotCategorical']


def _one_of(probs, logits):
    if (probs is None) == (logits is None):
        raise ValueError("Either `probs` or `logits` must be specified, but not both.")


class Bernoulli(Distribution):
    """Bernoulli(probs) or Bernoulli(logits); the other parameterization is derived lazily."""
    _expand_params = ('probs', 'logits')
    arg_constraints = {'probs': constraints.unit_interval, 'logits': constraints.real}
    support = constraints.boolean
    has_enumerate_support = True

    def __init__(self, probs=None, logits=None, validate_args=None):
        _one_of(probs, logits)
        if probs is not None:
            (self.probs,) = broadcast_all(probs)
            shape = self.probs.shape
        else:
            (self.logits,) = broadcast_all(logits)
            shape = self.logits.shape
        super().__init__(shape, validate_args=validate_args)

    @lazy_property
    def logits(self):
        return probs_to_logits(self.probs, is_binary=True)

    @lazy_property
    def probs(self):
        return logits_to_probs(self.logits, is_binary=True)

    @property
    def param_shape(self):
        return self.batch_shape

    @property
    def mean(self):
        return self.probs

    @property
    def mode(self):
        import ember
        p = self.probs
        return ember.where(p == 0.5, float('nan'), (p >= 0.5).to(p.dtype))

    @property
    def variance(self):
        return self.probs * (1 - self.probs)

    def sample(self, sample_shape=()):
        import ember
        with ember.no_grad():
            return ember.bernoulli(self.probs.expand(self._extended_shape(sample_shape)))

    def log_prob(self, value):
        import ember
        if self._validate_args:
            self._validate_sample(value)
        logits, value = ember.broadcast_tensors(self.logits, value.to(self.logits.dtype))
        return -ember.nn.functional.binary_cross_entropy_with_logits(logits, value,
                                                                      reduction='none')

    def entropy(self):
        import ember
        return ember.nn.functional.binary_cross_entropy_with_logits(self.logits, self.probs,
                                                                     reduction='none')

    def enumerate_support(self, expand=True):
        import ember
        values = ember.arange(2, dtype=self._param.dtype, device=self._param.device)
        values = values.reshape((-1,) + (1,) * len(self.batch_shape))
        return values.expand((-1,) + tuple(self.batch_shape)) if expand else values

    @property
    def _param(self):
        return self.__dict__['probs'] if 'probs' in self.__dict__ else self.__dict__['logits']


class Categorical(Distribution):
    """Categorical over the last dim of probs (normalized) or logits (log-normalized)."""
    _expand_params = ('probs', 'logits')
    arg_constraints = {'probs': constraints.simplex, 'logits': constraints.independent(
        constraints.real, 1)}
    has_enumerate_support = True

    def __init__(self, probs=None, logits=None, validate_args=None):
        _one_of(probs, logits)
        if probs is not None:
            if probs.dim() < 1:
                raise ValueError("`probs` parameter must be at least one-dimensional.")
            self.probs = probs / probs.sum(-1, keepdim=True)
            param = self.probs
        else:
            if logits.dim() < 1:
                raise ValueError("`logits` parameter must be at least one-dimensional.")
            self.logits = logits - logits.logsumexp(dim=-1, keepdim=True)
            param = self.logits
        self._num_events = param.shape[-1]
        super().__init__(param.shape[:-1], validate_args=validate_args)

    def _param_event_dims(self, name):
        return 1

    def expand(self, batch_shape, _instance=None):
        new = super().expand(batch_shape, _instance)
        new._num_events = self._num_events
        return new

    @lazy_property
    def logits(self):
        return probs_to_logits(self.probs)

    @lazy_property
    def probs(self):
        return logits_to_probs(self.logits)

    @property
    def support(self):
        return constraints.integer_interval(0, self._num_events - 1)

    @property
    def param_shape(self):
        return self._param.shape

    @property
    def _param(self):
        return self.__dict__['probs'] if 'probs' in self.__dict__ else self.__dict__['logits']

    @property
    def mean(self):
        import ember
        return ember.full(self._extended_shape(), float('nan'), dtype=self.probs.dtype)

    @property
    def mode(self):
        return self.probs.argmax(-1)

    @property
    def variance(self):
        return self.mean

    def sample(self, sample_shape=()):
        import ember
        sample_shape = tuple(sample_shape)
        n = 1
        for s in sample_shape:
            n *= s
        with ember.no_grad():
            probs_2d = self.probs.reshape(-1, self._num_events)
            if n == 0 or probs_2d.shape[0] == 0:
                return ember.zeros(self._extended_shape(sample_shape), dtype=ember.int64)
            samples = ember.multinomial(probs_2d, n, True).T
        return samples.reshape(self._extended_shape(sample_shape))

    def log_prob(self, value):
        import ember
        if self._validate_args:
            self._validate_sample(value)
        value = value.long().unsqueeze(-1)
        value, log_pmf = ember.broadcast_tensors(value, self.logits)
        return log_pmf.gather(-1, value[..., :1]).squeeze(-1)

    def entropy(self):
        import ember
        min_real = ember.finfo(self.logits.dtype).min
        return -(self.logits.clamp(min=min_real) * self.probs).sum(-1)

    def enumerate_support(self, expand=True):
        import ember
        values = ember.arange(self._num_events, dtype=ember.int64)
        values = values.reshape((-1,) + (1,) * len(self.batch_shape))
        return values.expand((-1,) + tuple(self.batch_shape)) if expand else values


class OneHotCategorical(Distribution):
    """Categorical whose samples are one-hot vectors (event_shape = (num_events,))."""
    arg_constraints = Categorical.arg_constraints
    support = None          # one-hot check done in _validate_sample
    has_enumerate_support = True

    def __init__(self, probs=None, logits=None, validate_args=None):
        self._categorical = Categorical(probs, logits, validate_args=validate_args)
        super().__init__(self._categorical.batch_shape, self._categorical.param_shape[-1:],
                         validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        import ember
        new = type(self).__new__(type(self))
        new._categorical = self._categorical.expand(batch_shape)
        Distribution.__init__(new, ember.Size(batch_shape), self.event_shape,
                              validate_args=False)
        new._validate_args = self._validate_args
        return new

    @property
    def probs(self):
        return self._categorical.probs

    @property
    def logits(self):
        return self._categorical.logits

    @property
    def param_shape(self):
        return self._categorical.param_shape

    @property
    def mean(self):
        return self._categorical.probs

    @property
    def mode(self):
        import ember
        return ember.nn.functional.one_hot(self._categorical.mode,
                                           self.event_shape[-1]).to(self.probs.dtype)

    @property
    def variance(self):
        return self._categorical.probs * (1 - self._categorical.probs)

    def sample(self, sample_shape=()):
        import ember
        idx = self._categorical.sample(sample_shape)
        return ember.nn.functional.one_hot(idx, self.event_shape[-1]).to(self.probs.dtype)

    def _validate_sample(self, value):
        super()._validate_sample(value)
        ok = ((value == 0) | (value == 1)).all(-1) & (value.sum(-1) == 1)
        if not bool(ok.all()):
            raise ValueError(
                f"Expected value argument ({type(value).__name__} of shape "
                f"{tuple(value.shape)}) to be within the support (OneHot()) of the "
                f"distribution {self!r}, but found invalid values:\n{value}")

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return self._categorical.log_prob(value.argmax(-1))

    def entropy(self):
        return self._categorical.entropy()

    def __repr__(self):
        from .distribution import _tensor_summary
        k = 'probs' if 'probs' in self._categorical.__dict__ else 'logits'
        return f"OneHotCategorical({k}: {_tensor_summary(self._categorical.__dict__[k])})"
