"""ember.distributions (= torch.distributions): probability distributions with torch's API.

Parameters are ember tensors; log_prob, entropy, cdf and (for reparameterizable families)
rsample are differentiable. Samples come from ember's global generator, so
ember.manual_seed(...) makes them reproducible (not bit-identical to torch's streams)."""
from . import constraints  # noqa: F401
from .distribution import Distribution
from .continuous import Normal, Uniform, Laplace, Exponential, Gamma, Beta
from .discrete import Bernoulli, Categorical, OneHotCategorical
from .multivariate import MultivariateNormal, Independent
from .kl import register_kl, kl_divergence

__all__ = ['Distribution', 'Normal', 'Uniform', 'Laplace', 'Exponential', 'Gamma', 'Beta',
           'Bernoulli', 'Categorical', 'OneHotCategorical', 'MultivariateNormal', 'Independent',
           'register_kl', 'kl_divergence', 'constraints']
