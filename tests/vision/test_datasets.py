"""ember.vision.datasets read small files written here in the real formats (no network)."""
import gzip
import os
import pickle
import struct

import numpy as np
import pytest
from PIL import Image

import ember
from ember.vision import datasets, transforms as T


def _write_idx(path, arr, gz=False):
    arr = np.asarray(arr, dtype=np.uint8)
    header = struct.pack('>I', 0x0800 + arr.ndim) + b''.join(struct.pack('>I', d) for d in arr.shape)
    data = header + arr.tobytes()
    if gz:
        with gzip.open(path + '.gz', 'wb') as f:
            f.write(data)
    else:
        with open(path, 'wb') as f:
            f.write(data)


def _fake_mnist(root, cls='MNIST', gz=False, n=5):
    raw = os.path.join(root, cls, 'raw')
    os.makedirs(raw)
    rng = np.random.default_rng(0)
    imgs = {p: rng.integers(0, 256, (n + k, 28, 28), dtype=np.uint8) for k, p in enumerate(('train', 't10k'))}
    labels = {p: rng.integers(0, 10, n + k, dtype=np.uint8) for k, p in enumerate(('train', 't10k'))}
    for p in ('train', 't10k'):
        _write_idx(os.path.join(raw, f'{p}-images-idx3-ubyte'), imgs[p], gz)
        _write_idx(os.path.join(raw, f'{p}-labels-idx1-ubyte'), labels[p], gz)
    return imgs, labels


@pytest.mark.parametrize('cls', ['MNIST', 'FashionMNIST', 'KMNIST'])
@pytest.mark.parametrize('gz', [False, True])
def test_mnist_idx(tmp_path, cls, gz):
    imgs, labels = _fake_mnist(str(tmp_path), cls, gz)
    ds = getattr(datasets, cls)(str(tmp_path), train=True, download=True)  # present: no download
    assert len(ds) == 5 and ds.data.dtype == ember.uint8 and ds.targets.dtype == ember.int64
    img, target = ds[3]
    assert isinstance(img, Image.Image) and img.mode == 'L' and img.size == (28, 28)
    np.testing.assert_array_equal(np.asarray(img), imgs['train'][3])
    assert target == int(labels['train'][3]) and isinstance(target, int)
    test = getattr(datasets, cls)(str(tmp_path), train=False, transform=T.ToTensor(),
                                  target_transform=lambda t: t + 100)
    assert len(test) == 6
    x, y = test[5]
    assert tuple(x.shape) == (1, 28, 28) and y == int(labels['t10k'][5]) + 100
    assert 'Split: Test' in repr(test)


def test_mnist_missing_raises(tmp_path):
    with pytest.raises(RuntimeError, match='Dataset not found. You can use download=True'):
        datasets.MNIST(str(tmp_path), train=True)


def _pickle(path, obj):
    with open(path, 'wb') as f:
        pickle.dump(obj, f)


def test_cifar10_batches(tmp_path):
    folder = tmp_path / 'cifar-10-batches-py'
    folder.mkdir()
    rng = np.random.default_rng(1)
    batches = []
    for name in [f'data_batch_{i}' for i in range(1, 6)] + ['test_batch']:
        data = rng.integers(0, 256, (3, 3072), dtype=np.uint8)
        labels = rng.integers(0, 10, 3).tolist()
        _pickle(folder / name, {'data': data, 'labels': labels, 'batch_label': name})
        batches.append((data, labels))
    _pickle(folder / 'batches.meta', {'label_names': [f'c{i}' for i in range(10)]})
    ds = datasets.CIFAR10(str(tmp_path), train=True, download=True)
    assert len(ds) == 15 and ds.data.shape == (15, 32, 32, 3) and ds.classes[3] == 'c3'
    img, y = ds[4]  # second batch, second image
    expect = batches[1][0][1].reshape(3, 32, 32).transpose(1, 2, 0)
    np.testing.assert_array_equal(np.asarray(img), expect)
    assert y == batches[1][1][1] and ds.class_to_idx['c2'] == 2
    test = datasets.CIFAR10(str(tmp_path), train=False, transform=T.ToTensor())
    assert len(test) == 3 and tuple(test[0][0].shape) == (3, 32, 32)


def test_cifar100_fine_labels(tmp_path):
    folder = tmp_path / 'cifar-100-python'
    folder.mkdir()
    for name in ('train', 'test'):
        _pickle(folder / name, {'data': np.zeros((2, 3072), np.uint8), 'fine_labels': [7, 99],
                                'coarse_labels': [1, 2]})
    _pickle(folder / 'meta', {'fine_label_names': [f'f{i}' for i in range(100)]})
    ds = datasets.CIFAR100(str(tmp_path))
    assert ds.targets == [7, 99] and len(ds.classes) == 100
    with pytest.raises(RuntimeError, match='download=True'):
        datasets.CIFAR10(str(tmp_path))


def test_image_folder(tmp_path):
    for cls, n in (('cat', 2), ('dog', 3)):
        d = tmp_path / cls / 'sub'
        d.mkdir(parents=True)
        for i in range(n):
            Image.fromarray(np.full((4, 5, 3), i * 10, np.uint8)).save(d / f'{i}.png')
        (tmp_path / cls / 'notes.txt').write_text('x')
    ds = datasets.ImageFolder(str(tmp_path), transform=T.ToTensor())
    assert ds.classes == ['cat', 'dog'] and ds.class_to_idx == {'cat': 0, 'dog': 1}
    assert len(ds) == 5 and ds.targets == [0, 0, 1, 1, 1] and ds.imgs == ds.samples
    x, y = ds[3]
    assert tuple(x.shape) == (3, 4, 5) and y == 1
    assert abs(x.max().item() - 10 / 255) < 1e-6
    only0 = datasets.ImageFolder(str(tmp_path), is_valid_file=lambda p: p.endswith('0.png'))
    assert len(only0) == 2
    txt = datasets.DatasetFolder(str(tmp_path), loader=lambda p: open(p).read(), extensions=('.txt',))
    assert len(txt) == 2 and txt[1] == ('x', 1)
    with pytest.raises(ValueError):
        datasets.DatasetFolder(str(tmp_path), loader=open, extensions='.txt', is_valid_file=bool)
    with pytest.raises(FileNotFoundError):
        datasets.DatasetFolder(str(tmp_path), loader=open, extensions=('.jpg',))


def test_fake_data_deterministic():
    ds = datasets.FakeData(size=4, image_size=(3, 8, 6), num_classes=3, transform=T.ToTensor())
    ember.manual_seed(0)
    before = ember.rand(1)
    ember.manual_seed(0)
    a, ya = ds[2]
    b, yb = ds[2]
    assert ember.equal(a, b) and ya == yb and 0 <= ya < 3 and isinstance(ya, int)
    assert ember.equal(ember.rand(1), before)  # global RNG untouched
    assert tuple(a.shape) == (3, 8, 6) and not ember.equal(a, ds[1][0])
    assert len(ds) == 4
    with pytest.raises(IndexError):
        ds[4]
    assert isinstance(datasets.FakeData(2, (1, 5, 5))[0][0], Image.Image)
