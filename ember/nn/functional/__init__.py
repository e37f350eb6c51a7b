"""ember.nn.functional (= torch.nn.functional), assembled from one module per family."""
from .activation import *  # noqa: F401,F403
