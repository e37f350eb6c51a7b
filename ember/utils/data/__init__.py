"""ember.utils.data (= torch.utils.data): datasets, samplers, collation and the DataLoader."""
from .dataset import (Dataset, IterableDataset, TensorDataset, StackDataset, ConcatDataset,  # noqa: F401
                      ChainDataset, Subset, random_split)
from .sampler import (Sampler, SequentialSampler, RandomSampler, SubsetRandomSampler,  # noqa: F401
                      WeightedRandomSampler, BatchSampler, DistributedSampler)
from ._collate import default_collate, default_convert  # noqa: F401
from ._worker import get_worker_info, WorkerInfo  # noqa: F401
from .dataloader import DataLoader, _DatasetKind  # noqa: F401
from . import distributed  # noqa: F401

__all__ = ['BatchSampler', 'ChainDataset', 'ConcatDataset', 'DataLoader', 'Dataset',
           'DistributedSampler', 'IterableDataset', 'RandomSampler', 'Sampler',
           'SequentialSampler', 'StackDataset', 'Subset', 'SubsetRandomSampler', 'TensorDataset',
           'WeightedRandomSampler', '_DatasetKind', 'default_collate', 'default_convert',
           'get_worker_info', 'random_split']
