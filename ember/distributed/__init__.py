"""ember.distributed (= torch.distributed): process groups and collectives on MPI (mpi4py +
MPICH), plus the key-value stores used for rendezvous. See distributed_c10d for the design."""
from .distributed_c10d import *  # noqa: F401,F403
from .distributed_c10d import __all__ as _c10d_all
from .distributed_c10d import group, GroupMember  # noqa: F401
from ._store import Store, TCPStore, FileStore, HashStore, PrefixStore  # noqa: F401
from ._sync_bn import _sync_batch_norm  # noqa: F401
from . import algorithms  # noqa: F401

__all__ = list(_c10d_all) + ['Store', 'TCPStore', 'FileStore', 'HashStore', 'PrefixStore']
