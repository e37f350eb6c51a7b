"""ember.vision (= torchvision): transforms, datasets, models and image utilities.

Imported on demand (`import ember.vision`), not by `import ember`; PIL (Pillow) is needed for
PIL-image transforms, image files and save_image (`pip install ember[vision]`).
"""
from . import transforms  # noqa: F401
from . import datasets  # noqa: F401
from . import models  # noqa: F401
from . import utils  # noqa: F401

__version__ = '0.28.0+ember'

_image_backend = 'PIL'


def set_image_backend(backend):
    global _image_backend
    if backend not in ('PIL', 'accimage'):
        raise ValueError(f"Invalid backend '{backend}'. Options are 'PIL' and 'accimage'")
    _image_backend = backend


def get_image_backend():
    return _image_backend
