"""MNIST, FashionMNIST and KMNIST read from the original IDX files (root/<Class>/raw)."""
import codecs
import gzip
import os
import sys

import numpy as np

import ember
from .utils import download_url, extract_archive
from .vision import VisionDataset

__all__ = ['MNIST', 'FashionMNIST', 'KMNIST', 'read_image_file', 'read_label_file',
           'read_sn3_pascalvincent_tensor']

_IDX_TYPES = {8: np.uint8, 9: np.int8, 11: np.dtype('>i2'), 12: np.dtype('>i4'),
              13: np.dtype('>f4'), 14: np.dtype('>f8')}


def _open(path):
    if os.path.exists(path):
        return open(path, 'rb')
    if os.path.exists(path + '.gz'):
        return gzip.open(path + '.gz', 'rb')
    raise FileNotFoundError(path)


def read_sn3_pascalvincent_tensor(path, strict=True):
    """Read an IDX file: a big-endian magic (type code * 256 + ndim), the dims, then the data."""
    with _open(path) as f:
        data = f.read()
    magic = int(codecs.encode(data[0:4], 'hex'), 16)
    nd, ty = magic % 256, magic // 256
    if not (1 <= nd <= 3 and ty in _IDX_TYPES):
        raise ValueError(f"{path} is not an IDX file (magic {magic})")
    dims = [int(codecs.encode(data[4 * (i + 1):4 * (i + 2)], 'hex'), 16) for i in range(nd)]
    dt = np.dtype(_IDX_TYPES[ty])
    arr = np.frombuffer(data, dtype=dt, offset=4 * (nd + 1))
    if strict and arr.size != int(np.prod(dims)):
        raise ValueError(f"{path}: header says {dims} but holds {arr.size} values")
    arr = arr.astype(dt.newbyteorder('=') if sys.byteorder == 'little' else dt, copy=True)
    return ember.from_numpy(arr.reshape(dims))


def read_label_file(path):
    x = read_sn3_pascalvincent_tensor(path, strict=False)
    if x.dtype != ember.uint8 or x.dim() != 1:
        raise ValueError(f"{path}: expected a 1-d uint8 label file")
    return x.long()


def read_image_file(path):
    x = read_sn3_pascalvincent_tensor(path, strict=False)
    if x.dtype != ember.uint8 or x.dim() != 3:
        raise ValueError(f"{path}: expected a 3-d uint8 image file")
    return x


class MNIST(VisionDataset):
    """MNIST digits: data uint8 (N, 28, 28), targets int64; items are (PIL 'L' image, int)."""

    mirrors = ['https://ossci-datasets.s3.amazonaws.com/mnist/', 'http://yann.lecun.com/exdb/mnist/']
    resources = [('train-images-idx3-ubyte.gz', 'f68b3c2dcbeaaa9fbdd348bbdeb94873'),
                 ('train-labels-idx1-ubyte.gz', 'd53e105ee54ea40749a09fcbcd1e9432'),
                 ('t10k-images-idx3-ubyte.gz', '9fb629c4189551a2d022fa330f9573f3'),
                 ('t10k-labels-idx1-ubyte.gz', 'ec29112dd5afa0611ce80d1b7f02629c')]
    training_file = 'training.pt'
    test_file = 'test.pt'
    classes = ['0 - zero', '1 - one', '2 - two', '3 - three', '4 - four', '5 - five', '6 - six',
               '7 - seven', '8 - eight', '9 - nine']

    def __init__(self, root, train=True, transform=None, target_transform=None, download=False):
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.train = train
        if download:
            self.download()
        if not self._check_exists():
            raise RuntimeError("Dataset not found. You can use download=True to download it")
        self.data, self.targets = self._load_data()

    @property
    def raw_folder(self):
        return os.path.join(self.root, self.__class__.__name__, 'raw')

    @property
    def processed_folder(self):
        return os.path.join(self.root, self.__class__.__name__, 'processed')

    @property
    def class_to_idx(self):
        return {c: i for i, c in enumerate(self.classes)}

    @property
    def train_labels(self):
        return self.targets

    @property
    def test_labels(self):
        return self.targets

    @property
    def train_data(self):
        return self.data

    @property
    def test_data(self):
        return self.data

    def _check_exists(self):
        for url, _ in self.resources:
            base = os.path.splitext(os.path.basename(url))[0]
            p = os.path.join(self.raw_folder, base)
            if not (os.path.isfile(p) or os.path.isfile(p + '.gz')):
                return False
        return True

    def _load_data(self):
        prefix = 'train' if self.train else 't10k'
        data = read_image_file(os.path.join(self.raw_folder, f'{prefix}-images-idx3-ubyte'))
        targets = read_label_file(os.path.join(self.raw_folder, f'{prefix}-labels-idx1-ubyte'))
        return data, targets

    def download(self):
        """Fetch and unpack the four files (tries each mirror); a no-op when they exist."""
        if self._check_exists():
            return
        os.makedirs(self.raw_folder, exist_ok=True)
        for filename, md5 in self.resources:
            errors = []
            for mirror in self.mirrors:
                try:
                    path = download_url(mirror + filename, self.raw_folder, filename, md5)
                    extract_archive(path, self.raw_folder)
                    break
                except Exception as e:  # noqa: BLE001 - try the next mirror
                    errors.append(f'{mirror}{filename}: {e}')
            else:
                raise RuntimeError(f"Error downloading {filename}:\n" + '\n'.join(errors) +
                                   "\nDataset not found. You can use download=True to download it "
                                   "when online, or place the files in " + self.raw_folder)

    def __getitem__(self, index):
        from PIL import Image
        img, target = self.data[index], int(self.targets[index])
        img = Image.fromarray(img.numpy())
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def __len__(self):
        return len(self.data)

    def extra_repr(self):
        return f"Split: {'Train' if self.train is True else 'Test'}"


class FashionMNIST(MNIST):
    mirrors = ['http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/']
    resources = [('train-images-idx3-ubyte.gz', '8d4fb7e6c68d591d4c3dfef9ec88bf0d'),
                 ('train-labels-idx1-ubyte.gz', '25c81989df183df01b3e8a0aad5dffbe'),
                 ('t10k-images-idx3-ubyte.gz', 'bef4ecab320f06d8554ea6380940ec79'),
                 ('t10k-labels-idx1-ubyte.gz', 'bb300cfdad3c16e7a12a480ee83cd310')]
    classes = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker',
               'Bag', 'Ankle boot']


class KMNIST(MNIST):
    mirrors = ['http://codh.rois.ac.jp/kmnist/dataset/kmnist/']
    resources = [('train-images-idx3-ubyte.gz', 'bdb82020997e1d708af4cf47b453dcf7'),
                 ('train-labels-idx1-ubyte.gz', 'e144d726b3acfaa3e44228e80efcd344'),
                 ('t10k-images-idx3-ubyte.gz', '5c965bf0a639b31b8f53240b1b52f4d7'),
                 ('t10k-labels-idx1-ubyte.gz', '7320c461ea6c1c855c0b718fb2a4b134')]
    classes = ['o', 'ki', 'su', 'tsu', 'na', 'ha', 'ma', 'ya', 're', 'wo']
