"""ember.backends: cudnn and mps flags (torch.backends)."""
from . import cudnn, mps  # noqa: F401
