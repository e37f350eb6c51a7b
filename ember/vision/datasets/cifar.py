"""CIFAR10 / CIFAR100 read from the python pickle batches (root/cifar-10-batches-py)."""
import os
import pickle

import numpy as np

from .utils import download_and_extract_archive, check_integrity
from .vision import VisionDataset

__all__ = ['CIFAR10', 'CIFAR100']


class CIFAR10(VisionDataset):
    """data: uint8 ndarray (N, 32, 32, 3); targets: list of ints; items (PIL RGB image, int)."""

    base_folder = 'cifar-10-batches-py'
    url = 'https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz'
    filename = 'cifar-10-python.tar.gz'
    tgz_md5 = 'c58f30108f718f92721af3b95e74349a'
    train_list = [['data_batch_1', 'c99cafc152244af753f735de768cd75f'],
                  ['data_batch_2', 'd4bba439e000b95fd0a9bffe97cbabec'],
                  ['data_batch_3', '54ebc095f3ab1f0389bbae665268c751'],
                  ['data_batch_4', '634d18415352ddfa80567beed471001a'],
                  ['data_batch_5', '482c414d41f54cd18b22e5b47cb7c3cb']]
    test_list = [['test_batch', '40351d587109b95175f43aff81a1287e']]
    meta = {'filename': 'batches.meta', 'key': 'label_names', 'md5': '5ff9c542aee3614f3951f8cda6e48888'}

    def __init__(self, root, train=True, transform=None, target_transform=None, download=False):
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.train = train
        if download:
            self.download()
        if not self._check_exists():
            raise RuntimeError("Dataset not found or corrupted. You can use download=True to "
                               "download it")
        files = self.train_list if self.train else self.test_list
        data, self.targets = [], []
        for name, _ in files:
            with open(os.path.join(self.root, self.base_folder, name), 'rb') as f:
                entry = pickle.load(f, encoding='latin1')
            data.append(np.asarray(entry['data'], dtype=np.uint8))
            self.targets.extend(entry['labels'] if 'labels' in entry else entry['fine_labels'])
        self.data = np.vstack(data).reshape(-1, 3, 32, 32).transpose((0, 2, 3, 1))
        self._load_meta()

    def _load_meta(self):
        path = os.path.join(self.root, self.base_folder, self.meta['filename'])
        with open(path, 'rb') as f:
            data = pickle.load(f, encoding='latin1')
        self.classes = data[self.meta['key']]
        self.class_to_idx = {c: i for i, c in enumerate(self.classes)}

    def _check_exists(self):
        folder = os.path.join(self.root, self.base_folder)
        names = [n for n, _ in self.train_list + self.test_list] + [self.meta['filename']]
        return all(os.path.isfile(os.path.join(folder, n)) for n in names)

    def _check_integrity(self):
        folder = os.path.join(self.root, self.base_folder)
        return all(check_integrity(os.path.join(folder, n), m)
                   for n, m in self.train_list + self.test_list)

    def download(self):
        """Fetch and extract the tar.gz; a no-op when the batches are already there."""
        if self._check_exists():
            return
        try:
            download_and_extract_archive(self.url, self.root, filename=self.filename, md5=self.tgz_md5)
        except Exception as e:  # noqa: BLE001
            raise RuntimeError(f"Error downloading {self.url}: {e}\nDataset not found. You can use "
                               f"download=True to download it when online, or extract "
                               f"{self.filename} into {self.root}") from e

    def __getitem__(self, index):
        from PIL import Image
        img, target = self.data[index], self.targets[index]
        img = Image.fromarray(img)
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def __len__(self):
        return len(self.data)

    def extra_repr(self):
        return f"Split: {'Train' if self.train is True else 'Test'}"


class CIFAR100(CIFAR10):
    base_folder = 'cifar-100-python'
    url = 'https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz'
    filename = 'cifar-100-python.tar.gz'
    tgz_md5 = 'eb9058c3a382ffc7106e4002c42a8d85'
    train_list = [['train', '16019d7e3df5f24257cddd939b257f8d']]
    test_list = [['test', 'f0ef6b0ae62326f3e7ffdfab6717acfc']]
    meta = {'filename': 'meta', 'key': 'fine_label_names', 'md5': '7973b15100ade9c7d40fb424638fde48'}
