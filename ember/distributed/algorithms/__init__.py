"""ember.distributed.algorithms: Join for uneven inputs, DDP communication hooks."""
from .join import Join, Joinable, JoinHook  # noqa: F401
from . import ddp_comm_hooks  # noqa: F401
