"""Univariate continuous distributions: Normal, Uniform, Laplace, Exponential, Gamma, Beta."""
import math

from . import constraints
from .distribution import Distribution, broadcast_all, _standard_normal, LOG_SQRT_2PI

__all__ = ['Normal', 'Uniform', 'Laplace', 'Exponential', 'Gamma', 'Beta']


def _ember():
    import ember
    return ember


class _LocScale(Distribution):
    _expand_params = ('loc', 'scale')
    arg_constraints = {'loc': constraints.real, 'scale': constraints.positive}
    support = constraints.real
    has_rsample = True

    def __init__(self, loc, scale, validate_args=None):
        self.loc, self.scale = broadcast_all(loc, scale)
        super().__init__(self.loc.shape, validate_args=validate_args)

    @property
    def mean(self):
        return self.loc

    @property
    def mode(self):
        return self.loc


class Normal(_LocScale):
    """Gaussian N(loc, scale**2); rsample = loc + scale * eps (reparameterized)."""

    @property
    def stddev(self):
        return self.scale

    @property
    def variance(self):
        return self.stddev.pow(2)

    def rsample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        return self.loc + _standard_normal(shape, self.loc) * self.scale

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return -((value - self.loc) ** 2) / (2 * self.scale ** 2) - self.scale.log() - LOG_SQRT_2PI

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return 0.5 * (1 + _ember().erf((value - self.loc) * self.scale.reciprocal()
                                       / math.sqrt(2)))

    def icdf(self, value):
        return self.loc + self.scale * _ember().erfinv(2 * value - 1) * math.sqrt(2)

    def entropy(self):
        return 0.5 + 0.5 * math.log(2 * math.pi) + self.scale.log()


class Laplace(_LocScale):
    """Laplace(loc, scale); rsample by inverse-cdf of a uniform (reparameterized)."""

    @property
    def variance(self):
        return 2 * self.scale.pow(2)

    @property
    def stddev(self):
        return math.sqrt(2) * self.scale

    def rsample(self, sample_shape=()):
        E = _ember()
        shape = self._extended_shape(sample_shape)
        eps = E.finfo(self.loc.dtype).eps
        u = (E.rand(shape, dtype=self.loc.dtype, device=self.loc.device) * (2 - eps)
             + (eps - 1))                                   # uniform on (eps-1, 1)
        return self.loc - self.scale * u.sign() * (-u.abs()).log1p()

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return -(2 * self.scale).log() - (value - self.loc).abs() / self.scale

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        d = value - self.loc
        return 0.5 - 0.5 * d.sign() * (-d.abs() / self.scale).expm1()

    def icdf(self, value):
        t = value - 0.5
        return self.loc - self.scale * t.sign() * (-2 * t.abs()).log1p()

    def entropy(self):
        return 1 + (2 * self.scale).log()


class Uniform(Distribution):
    """Uniform on [low, high); rsample = low + (high - low) * u (reparameterized)."""
    _expand_params = ('low', 'high')
    arg_constraints = {'low': constraints.dependent, 'high': constraints.dependent}
    has_rsample = True

    def __init__(self, low, high, validate_args=None):
        self.low, self.high = broadcast_all(low, high)
        super().__init__(self.low.shape, validate_args=validate_args)
        if self._validate_args and not bool((self.low < self.high).all()):
            raise ValueError(
                f"Expected parameter low ({type(self.low).__name__} of shape "
                f"{tuple(self.low.shape)}) of distribution {self!r} to satisfy the constraint "
                f"LessThan(upper_bound={self.high}), but found invalid values:\n{self.low}")

    @property
    def support(self):
        return constraints.interval(self.low, self.high)

    @property
    def mean(self):
        return (self.high + self.low) / 2

    @property
    def mode(self):
        return self.high * float('nan')

    @property
    def stddev(self):
        return (self.high - self.low) / 12 ** 0.5

    @property
    def variance(self):
        return (self.high - self.low).pow(2) / 12

    def rsample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        u = _ember().rand(shape, dtype=self.low.dtype, device=self.low.device)
        return self.low + u * (self.high - self.low)

    def _validate_sample(self, value):
        import ember
        if not isinstance(value, ember.Tensor):
            raise ValueError("The value argument to log_prob must be a Tensor")
        ok = (self.low <= value) & (value <= self.high)
        if not bool(ok.all()):
            raise ValueError(
                f"Expected value argument ({type(value).__name__} of shape "
                f"{tuple(value.shape)}) to be within the support (Interval(lower_bound="
                f"{self.low}, upper_bound={self.high})) of the distribution {self!r}, but "
                f"found invalid values:\n{value}")

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        lb = (self.low <= value).to(self.low.dtype)
        ub = (self.high > value).to(self.low.dtype)
        return (lb * ub).log() - (self.high - self.low).log()

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return ((value - self.low) / (self.high - self.low)).clamp(min=0, max=1)

    def icdf(self, value):
        return value * (self.high - self.low) + self.low

    def entropy(self):
        return (self.high - self.low).log()

    def __repr__(self):
        from .distribution import _tensor_summary
        return (f"Uniform(low: {_tensor_summary(self.low)}, "
                f"high: {_tensor_summary(self.high)})")


class Exponential(Distribution):
    """Exponential(rate); rsample = Exp(1) / rate (reparameterized)."""
    _expand_params = ('rate',)
    arg_constraints = {'rate': constraints.positive}
    support = constraints.nonnegative
    has_rsample = True

    def __init__(self, rate, validate_args=None):
        (self.rate,) = broadcast_all(rate)
        super().__init__(self.rate.shape, validate_args=validate_args)

    @property
    def mean(self):
        return self.rate.reciprocal()

    @property
    def mode(self):
        return _ember().zeros_like(self.rate)

    @property
    def stddev(self):
        return self.rate.reciprocal()

    @property
    def variance(self):
        return self.rate.pow(-2)

    def rsample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        e = _ember().empty(shape, dtype=self.rate.dtype, device=self.rate.device).exponential_()
        return e / self.rate

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return self.rate.log() - self.rate * value

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return 1 - (-self.rate * value).exp()

    def icdf(self, value):
        return -(-value).log1p() / self.rate

    def entropy(self):
        return 1.0 - self.rate.log()


def _standard_gamma(concentration):
    """Gamma(concentration, 1) samples from ember's global generator (not differentiable)."""
    from .._ops.random_ops import _draw
    conc = concentration.detach().cpu().numpy()
    arr = _draw(None, concentration.device, 'standard_gamma', conc)
    out = _ember().Tensor._from_array(arr, concentration.device).to(concentration.dtype)
    tiny = _ember().finfo(concentration.dtype).tiny
    return out.clamp(min=tiny)


class Gamma(Distribution):
    """Gamma(concentration, rate). rsample draws via NumPy's gamma sampler through ember's
    generator and is NOT reparameterized here: the sample carries no gradient to the
    parameters (torch uses implicit reparameterization)."""
    _expand_params = ('concentration', 'rate')
    arg_constraints = {'concentration': constraints.positive, 'rate': constraints.positive}
    support = constraints.nonnegative
    has_rsample = True

    def __init__(self, concentration, rate, validate_args=None):
        self.concentration, self.rate = broadcast_all(concentration, rate)
        super().__init__(self.concentration.shape, validate_args=validate_args)

    @property
    def mean(self):
        return self.concentration / self.rate

    @property
    def mode(self):
        return ((self.concentration - 1) / self.rate).clamp(min=0)

    @property
    def variance(self):
        return self.concentration / self.rate.pow(2)

    def rsample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        g = _standard_gamma(self.concentration.detach().expand(shape))
        return g / self.rate.detach()

    def log_prob(self, value):
        E = _ember()
        if self._validate_args:
            self._validate_sample(value)
        value = value if isinstance(value, E.Tensor) else E.tensor(value, dtype=self.rate.dtype)
        return (E.xlogy(self.concentration, self.rate) + E.xlogy(self.concentration - 1, value)
                - self.rate * value - E.lgamma(self.concentration))

    def entropy(self):
        E = _ember()
        c = self.concentration
        return c - self.rate.log() + E.lgamma(c) + (1.0 - c) * E.digamma(c)


class Beta(Distribution):
    """Beta(concentration1, concentration0), sampled as X/(X+Y) of two Gammas (samples are
    not reparameterized, see Gamma); log_prob/entropy are exact and differentiable."""
    _expand_params = ('concentration1', 'concentration0')
    arg_constraints = {'concentration1': constraints.positive,
                       'concentration0': constraints.positive}
    support = constraints.unit_interval
    has_rsample = True

    def __init__(self, concentration1, concentration0, validate_args=None):
        self.concentration1, self.concentration0 = broadcast_all(concentration1, concentration0)
        super().__init__(self.concentration1.shape, validate_args=validate_args)

    @property
    def mean(self):
        return self.concentration1 / (self.concentration1 + self.concentration0)

    @property
    def mode(self):
        import ember
        a, b = self.concentration1, self.concentration0
        a1, b1 = (a - 1).clamp(min=0), (b - 1).clamp(min=0)
        both_small = (a < 1) & (b < 1)          # bimodal: torch reports the endpoint 1
        return ember.where(both_small, 1.0, a1 / (a1 + b1))

    @property
    def variance(self):
        total = self.concentration1 + self.concentration0
        return self.concentration1 * self.concentration0 / (total.pow(2) * (total + 1))

    def rsample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        x = _standard_gamma(self.concentration1.detach().expand(shape))
        y = _standard_gamma(self.concentration0.detach().expand(shape))
        return x / (x + y)

    def log_prob(self, value):
        E = _ember()
        if self._validate_args:
            self._validate_sample(value)
        a, b = self.concentration1, self.concentration0
        return (E.xlogy(a - 1, value) + E.xlogy(b - 1, 1 - value)
                + E.lgamma(a + b) - E.lgamma(a) - E.lgamma(b))

    def entropy(self):
        E = _ember()
        a, b = self.concentration1, self.concentration0
        lbeta = E.lgamma(a) + E.lgamma(b) - E.lgamma(a + b)
        return (lbeta - (a - 1) * E.digamma(a) - (b - 1) * E.digamma(b)
                + (a + b - 2) * E.digamma(a + b))
