"""The bundled Digits dataset: fixed split, values, labels, transforms."""
import numpy as np

import ember
from ember.vision import datasets, transforms


def test_split_sizes_disjoint_and_fixed():
    train, test = datasets.Digits(train=True), datasets.Digits(train=False)
    assert len(train) + len(test) == 1797
    assert len(train) == int(0.8 * 1797)
    tr = train.data.numpy().reshape(len(train), -1)
    te = test.data.numpy().reshape(len(test), -1)
    # the same image can legitimately occur twice in the data; the split itself is fixed
    again = datasets.Digits(train=True)
    np.testing.assert_array_equal(again.data.numpy(), train.data.numpy())
    assert tr.shape[1] == 64 and te.shape[1] == 64


def test_values_labels_and_transform():
    d = datasets.Digits(train=True, transform=transforms.ToTensor())
    x, y = d[0]
    assert tuple(x.shape) == (1, 8, 8) and x.dtype is ember.float32
    assert 0.0 <= float(x.min()) and float(x.max()) <= 1.0
    labels = d.targets.numpy()
    assert set(labels.tolist()) == set(range(10))
    counts = np.bincount(labels, minlength=10)
    assert counts.min() > 100            # roughly balanced classes
    img, _ = datasets.Digits(train=False)[3]
    assert img.size == (8, 8) and img.mode == 'L'


def test_dataloader_over_digits():
    loader = ember.utils.data.DataLoader(datasets.Digits(transform=transforms.ToTensor()),
                                         batch_size=64, shuffle=True)
    xb, yb = next(iter(loader))
    assert tuple(xb.shape) == (64, 1, 8, 8) and yb.dtype is ember.int64
