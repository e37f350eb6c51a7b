"""Module-level datasets and worker functions for the DataLoader worker tests (importable by
spawned workers, which unpickle them by module name)."""
import os
import random
import signal
import time

import numpy as np

import ember
from ember.utils.data import Dataset, IterableDataset, get_worker_info


class RangeDataset(Dataset):
    """Sample i: (float32 tensor [i, i], i)."""

    def __init__(self, n=16):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return ember.full((2,), float(i)), i


class SlowEvenDataset(RangeDataset):
    """Even indices are slow, so workers finish out of order."""

    def __getitem__(self, i):
        if i % 2 == 0:
            time.sleep(0.05)
        return super().__getitem__(i)


class FailingDataset(RangeDataset):
    def __getitem__(self, i):
        if i == 5:
            raise ValueError("bad sample 5")
        return super().__getitem__(i)


class KeyErrorDataset(RangeDataset):
    def __getitem__(self, i):
        return {}['missing']


class KilledDataset(RangeDataset):
    """The worker that fetches index 3 kills itself with SIGKILL."""

    def __getitem__(self, i):
        if i == 3:
            os.kill(os.getpid(), signal.SIGKILL)
        return super().__getitem__(i)


class ExitDataset(RangeDataset):
    def __getitem__(self, i):
        if i == 3:
            os._exit(7)
        return super().__getitem__(i)


class SleepyDataset(RangeDataset):
    def __getitem__(self, i):
        time.sleep(1)
        return super().__getitem__(i)


class InfoDataset(RangeDataset):
    """Sample i reports the worker info, pid and draws of each seeded RNG."""

    def __getitem__(self, i):
        info = get_worker_info()
        return {'id': info.id, 'num_workers': info.num_workers, 'seed': info.seed,
                'same_dataset': info.dataset.n == self.n, 'pid': os.getpid(),
                'py': random.random(), 'np': float(np.random.rand()),
                'ember': float(ember.rand(())), 'init': os.environ.get('EMBER_TEST_INIT', '')}


class ShardedIterable(IterableDataset):
    """range(start, end), split between workers through get_worker_info()."""

    def __init__(self, start=0, end=20):
        self.start, self.end = start, end

    def __len__(self):
        return self.end - self.start

    def __iter__(self):
        info = get_worker_info()
        if info is None:
            return iter(range(self.start, self.end))
        per = -(-(self.end - self.start) // info.num_workers)
        lo = self.start + info.id * per
        return iter(range(lo, min(lo + per, self.end)))


def init_fn(worker_id):
    os.environ['EMBER_TEST_INIT'] = f'init{worker_id}'


def bad_init_fn(worker_id):
    raise TypeError(f"init failed in {worker_id}")
