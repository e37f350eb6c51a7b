"""ember.vision.models (= torchvision.models): classic architectures with torchvision's names."""
from .lenet import *  # noqa: F401,F403
from .alexnet import *  # noqa: F401,F403
from .vgg import *  # noqa: F401,F403
from .resnet import *  # noqa: F401,F403
from .googlenet import *  # noqa: F401,F403

_BUILDERS = {n: globals()[n] for n in (
    'lenet', 'alexnet', 'vgg11', 'vgg11_bn', 'vgg13', 'vgg13_bn', 'vgg16', 'vgg16_bn', 'vgg19',
    'vgg19_bn', 'resnet18', 'resnet34', 'resnet50', 'resnet101', 'resnet152', 'resnext50_32x4d',
    'resnext101_32x8d', 'resnext101_64x4d', 'wide_resnet50_2', 'wide_resnet101_2', 'googlenet')}


def list_models(module=None, include=None, exclude=None):
    """Names of the available model builders (sorted)."""
    import fnmatch
    names = sorted(_BUILDERS)
    if include:
        inc = [include] if isinstance(include, str) else include
        names = [n for n in names if any(fnmatch.fnmatch(n, p) for p in inc)]
    if exclude:
        exc = [exclude] if isinstance(exclude, str) else exclude
        names = [n for n in names if not any(fnmatch.fnmatch(n, p) for p in exc)]
    return names


def get_model(name, **config):
    """Build a model by name: get_model('resnet18', num_classes=10)."""
    name = name.lower()
    if name not in _BUILDERS:
        raise ValueError(f"Unknown model {name}")
    return _BUILDERS[name](**config)


def get_model_builder(name):
    name = name.lower()
    if name not in _BUILDERS:
        raise ValueError(f"Unknown model {name}")
    return _BUILDERS[name]
