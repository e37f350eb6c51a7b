"""ember.vision.transforms (= torchvision.transforms)."""
from .transforms import *  # noqa: F401,F403
from . import functional  # noqa: F401
