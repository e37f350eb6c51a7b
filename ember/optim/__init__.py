"""ember.optim (= torch.optim): Optimizer base, one file per optimizer, lr_scheduler, swa_utils."""
from .optimizer import *  # noqa: F401,F403
from . import lr_scheduler, swa_utils  # noqa: F401
