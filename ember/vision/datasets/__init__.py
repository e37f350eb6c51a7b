"""ember.vision.datasets (= torchvision.datasets)."""
from .vision import VisionDataset, StandardTransform  # noqa: F401
from .mnist import MNIST, FashionMNIST, KMNIST  # noqa: F401
from .cifar import CIFAR10, CIFAR100  # noqa: F401
from .folder import DatasetFolder, ImageFolder  # noqa: F401
from .fakedata import FakeData  # noqa: F401
from .digits import Digits  # noqa: F401
from . import utils  # noqa: F401

__all__ = ['VisionDataset', 'MNIST', 'FashionMNIST', 'KMNIST', 'CIFAR10', 'CIFAR100',
           'DatasetFolder', 'ImageFolder', 'FakeData', 'Digits']
