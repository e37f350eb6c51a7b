"""ember.utils (= torch.utils): data, hooks, tensorboard ..."""
from . import hooks  # noqa: F401
from . import data  # noqa: F401
