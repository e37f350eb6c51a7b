"""ember.nn.parallel (= torch.nn.parallel): DataParallel and DistributedDataParallel."""
from .data_parallel import DataParallel, data_parallel  # noqa: F401
from .distributed import DistributedDataParallel  # noqa: F401
from .scatter_gather import scatter, gather  # noqa: F401

__all__ = ['DataParallel', 'DistributedDataParallel', 'data_parallel', 'scatter', 'gather']
