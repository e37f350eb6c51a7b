"""Join (= torch.distributed.algorithms.join): lets ranks with fewer inputs keep shadowing
the collectives of ranks still training, so uneven inputs do not hang."""
from abc import ABC, abstractmethod


class JoinHook:
    """main_hook() shadows one iteration of collectives; post_hook(is_last_joiner) runs once
    every rank has joined."""

    def main_hook(self):
        pass

    def post_hook(self, is_last_joiner):
        pass


class Joinable(ABC):
    def __init__(self):
        self._join_config = _JoinConfig(False, False, False)

    @abstractmethod
    def join_hook(self, **kwargs):
        ...

    @property
    @abstractmethod
    def join_device(self):
        ...

    @property
    @abstractmethod
    def join_process_group(self):
        ...


class _JoinConfig:
    def __init__(self, enable, throw_on_early_termination, is_first_joinable):
        self.enable = enable
        self.throw_on_early_termination = throw_on_early_termination
        self.is_first_joinable = is_first_joinable


class Join:
    """Context manager: on exit, loop all-reducing a 'still active' count; while some rank is
    active run every joinable's main_hook, then each post_hook."""

    def __init__(self, joinables, enable=True, throw_on_early_termination=False, **kwargs):
        if len(joinables) == 0:
            raise ValueError("The join context manager requires at least one joinable")
        self._joinables = joinables
        self._hooks = [j.join_hook(**kwargs) for j in joinables]
        self._enable = enable
        self._throw = throw_on_early_termination
        for i, j in enumerate(joinables):
            j._join_config = _JoinConfig(enable, throw_on_early_termination, i == 0)
            j._join_iters = 0
        self._pg = joinables[0].join_process_group

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if not self._enable or exc_type is not None:
            for j in self._joinables:
                j._join_config = _JoinConfig(False, False, False)
            return False
        from .. import distributed_c10d as dist
        from ... import zeros
        while True:
            active = zeros(1)
            dist.all_reduce(active, group=self._pg)
            if active.item() == 0:
                break
            if self._throw:
                raise RuntimeError("Detected at least one rank that exhausted inputs. "
                                   "Throwing across all ranks.")
            for h in self._hooks:
                h.main_hook()
        counts = [None] * dist.get_world_size(self._pg)
        dist.all_gather_object(counts, self._joinables[0]._join_iters, group=self._pg)
        last = max(range(len(counts)), key=lambda r: (counts[r], -r))
        me = dist._pg(self._pg).comm.Get_rank()
        for h in self._hooks:
            h.post_hook(me == last)
        for j in self._joinables:
            j._join_config = _JoinConfig(False, False, False)
        return False

    @staticmethod
    def notify_join_context(joinable):
        """Called by a joinable each iteration: counts this rank as active (all-reduce of 1,
        matched by the zeros that joined ranks contribute)."""
        cfg = getattr(joinable, '_join_config', None)
        if cfg is None or not cfg.enable or not cfg.is_first_joinable:
            return None
        from .. import distributed_c10d as dist
        from ... import ones
        joinable._join_iters += 1
        if cfg.throw_on_early_termination:
            pass
        return dist.all_reduce(ones(1), group=joinable.join_process_group, async_op=True)
