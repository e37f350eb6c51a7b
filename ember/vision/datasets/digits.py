"""Digits: the UCI 8x8 handwritten digits, bundled with ember so examples work offline.

1,797 grayscale 8x8 images (intensities 0..16, stored rescaled to 0..255) of the digits 0-9,
E. Alpaydin and C. Kaynak, 1998, CC BY 4.0 (see data/README.md). The train/test split is
fixed: a permutation drawn once with seed 0, first 80% train.
"""
import os

import numpy as np

from ..._tensor import Tensor
from .vision import VisionDataset

__all__ = ['Digits']

_FILE = os.path.join(os.path.dirname(__file__), 'data', 'digits.npz')
_SPLIT_SEED = 0
_TRAIN_FRACTION = 0.8


def load_digits_arrays(train=True):
    """(images uint8 Nx8x8 in 0..255, labels int64 N) of the fixed split."""
    raw = np.load(_FILE)
    images = (raw['images'].astype(np.uint16) * 255 // 16).astype(np.uint8)
    labels = raw['labels'].astype(np.int64)
    order = np.random.default_rng(_SPLIT_SEED).permutation(len(labels))
    cut = int(_TRAIN_FRACTION * len(labels))
    idx = order[:cut] if train else order[cut:]
    return images[idx], labels[idx]


class Digits(VisionDataset):
    """torchvision-style dataset of the bundled digits: items are (PIL image 'L' 8x8, label).

    `root` is accepted for API symmetry and ignored (the data ships with ember). Without
    Pillow, images are returned as uint8 tensors of shape (8, 8).
    """
    classes = [str(i) for i in range(10)]

    def __init__(self, root=None, train=True, transform=None, target_transform=None):
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.train = train
        images, labels = load_digits_arrays(train)
        self.data = Tensor._from_array(images)
        self.targets = Tensor._from_array(labels)

    def __getitem__(self, index):
        img, target = self.data._data[index], int(self.targets._data[index])
        try:
            from PIL import Image
            img = Image.fromarray(img, mode='L')
        except ImportError:
            img = Tensor._from_array(img.copy())
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def __len__(self):
        return len(self.targets._data)

    def extra_repr(self):
        return f"Split: {'Train' if self.train else 'Test'}"
