"""DistributedDataParallel: one model replica per process. Parameters and buffers are
broadcast from rank 0 at construction; during backward, post-accumulate-grad hooks mark
parameters ready, and each full bucket (reverse parameter order, `bucket_cap_mb`) starts an
asynchronous MPI all-reduce while backward keeps running; when the last bucket is launched
the reductions are awaited and the averaged gradients written back into `.grad`."""
from contextlib import contextmanager

from ..._tensor import Tensor
from ...autograd.grad_mode import no_grad, is_grad_enabled
from ..modules.module import Module
from ...distributed.algorithms.join import Join, Joinable, JoinHook


class _GradBucket:
    """What a comm hook receives (= torch.distributed.GradBucket)."""

    def __init__(self, index, buffer, params, is_last):
        self._index, self._buffer, self._params, self._last = index, buffer, params, is_last

    def index(self):
        return self._index

    def buffer(self):
        return self._buffer

    def parameters(self):
        return list(self._params)

    def gradients(self):
        return [p.grad for p in self._params]

    def is_last(self):
        return self._last

    def set_buffer(self, buffer):
        self._buffer = buffer


def _outputs_tensors(obj):
    if isinstance(obj, Tensor):
        yield obj
    elif isinstance(obj, (list, tuple)):
        for o in obj:
            yield from _outputs_tensors(o)
    elif isinstance(obj, dict):
        for o in obj.values():
            yield from _outputs_tensors(o)


class _DDPJoinHook(JoinHook):
    def __init__(self, ddp, divide_by_initial_world_size):
        self.ddp = ddp
        self.divide = divide_by_initial_world_size

    def main_hook(self):
        """Shadow one iteration: the buffer broadcast and every bucket's all-reduce, with
        zero gradients."""
        ddp = self.ddp
        ddp._maybe_broadcast_buffers()
        for b in range(len(ddp._buckets)):
            ddp._launch_bucket(b, zero=True)
        ddp._finish(write=False)

    def post_hook(self, is_last_joiner):
        """Everyone takes the model of the last rank to join (it saw all the updates)."""
        from ... import distributed as dist
        ddp = self.ddp
        flags = [None] * ddp._pg.size()
        dist.all_gather_object(flags, bool(is_last_joiner), group=ddp.process_group)
        src = ddp._pg.ranks[flags.index(True)]
        ddp._broadcast_state(src)


class DistributedDataParallel(Module, Joinable):
    def __init__(self, module, device_ids=None, output_device=None, dim=0,
                 broadcast_buffers=True, init_sync=True, process_group=None, bucket_cap_mb=None,
                 find_unused_parameters=False, check_reduction=False,
                 gradient_as_bucket_view=False, static_graph=False, delay_all_reduce_named_params=None,
                 param_to_hook_all_reduce=None, mixed_precision=None, device_mesh=None,
                 skip_all_reduce_unused_params=False):
        Module.__init__(self)
        Joinable.__init__(self)
        from ... import distributed as dist
        from ...distributed import distributed_c10d as c10d
        if not any(p.requires_grad for p in module.parameters()):
            raise RuntimeError("DistributedDataParallel is not needed when a module doesn't have "
                               "any parameter that requires a gradient.")
        self.module = module
        self.process_group = process_group
        self._pg = c10d._pg(process_group)
        self.device_ids = device_ids
        self.output_device = output_device
        self.dim = dim
        self.broadcast_buffers = broadcast_buffers
        self.find_unused_parameters = find_unused_parameters
        self.gradient_as_bucket_view = gradient_as_bucket_view
        self.static_graph = static_graph
        self.require_backward_grad_sync = True
        self.require_forward_param_sync = True
        self.bucket_bytes_cap = int((25 if bucket_cap_mb is None else bucket_cap_mb) * 1024 * 1024)
        self._comm_hook = None
        self._comm_state = None
        self._divide = True
        self._params = [p for p in module.parameters() if p.requires_grad]
        self._buffers_list = [b for b in module.buffers()]
        self._dist = dist
        if init_sync:
            self._broadcast_state(self._pg.ranks[0])
        self._build_buckets()
        self._hooks = [p.register_post_accumulate_grad_hook(self._make_hook(i))
                       for i, p in enumerate(self._params)]
        self._reset_round()

    # ------------------------------------------------------------------ setup
    def _broadcast_state(self, src):
        """Copy parameters and buffers of rank `src` to every rank (one collective each)."""
        c10d = self._dist.distributed_c10d
        works = []
        with no_grad():
            for t in list(self.module.parameters()) + list(self.module.buffers()):
                works.append(c10d.broadcast(t.detach(), src, self.process_group, async_op=True))
        for w in works:
            w.wait()

    def _build_buckets(self):
        buckets, cur, size = [], [], 0
        for i in reversed(range(len(self._params))):
            p = self._params[i]
            nbytes = p.numel() * p.element_size()
            if cur and (size + nbytes > self.bucket_bytes_cap
                        or p.dtype != self._params[cur[0]].dtype):
                buckets.append(cur)
                cur, size = [], 0
            cur.append(i)
            size += nbytes
        if cur:
            buckets.append(cur)
        self._buckets = buckets
        self._bucket_of = {}
        for b, idx in enumerate(buckets):
            for i in idx:
                self._bucket_of[i] = b

    def _reset_round(self):
        self._ready = [0] * len(self._buckets)
        self._param_ready = [False] * len(self._params)
        self._next = 0
        self._works = []

    # ------------------------------------------------------------------ forward
    def forward(self, *inputs, **kwargs):
        if is_grad_enabled() and self.require_backward_grad_sync and any(self._param_ready) \
                and self._next < len(self._buckets):
            raise RuntimeError(
                "Expected to have finished reduction in the prior iteration before starting a "
                "new one. This error indicates that your module has parameters that were not "
                "used in producing loss. You can enable unused parameter detection by passing "
                "the keyword argument `find_unused_parameters=True` to "
                "`torch.nn.parallel.DistributedDataParallel`.")
        work = Join.notify_join_context(self)
        if work is not None:
            work.wait()
        self._maybe_broadcast_buffers()
        self._reset_round()
        out = self.module(*inputs, **kwargs)
        if is_grad_enabled() and self.require_backward_grad_sync and self.find_unused_parameters:
            self._mark_unused(out)
        return out

    def _maybe_broadcast_buffers(self):
        if self.broadcast_buffers and self._buffers_list and self.require_forward_param_sync:
            c10d = self._dist.distributed_c10d
            ws = [c10d.broadcast(b, self._pg.ranks[0], self.process_group, async_op=True)
                  for b in self._buffers_list]
            for w in ws:
                w.wait()

    def _mark_unused(self, out):
        """Walk the graph from the outputs; parameters it does not reach are ready now."""
        seen, used, stack = set(), set(), [t.grad_fn for t in _outputs_tensors(out)
                                          if t.grad_fn is not None]
        for t in _outputs_tensors(out):
            if t.grad_fn is None and t.requires_grad:
                used.add(id(t))
        while stack:
            node = stack.pop()
            if node is None or id(node) in seen:
                continue
            seen.add(id(node))
            var = getattr(node, 'variable', None)
            if var is not None:
                used.add(id(var))
            for nxt, _ in getattr(node, 'next_functions', ()):
                if nxt is not None:
                    stack.append(nxt)
        for i, p in enumerate(self._params):
            if id(p) not in used:
                self._mark_ready(i)

    # ------------------------------------------------------------------ backward
    def _make_hook(self, i):
        def hook(param):
            if self.require_backward_grad_sync and not self._param_ready[i]:
                self._mark_ready(i)
        return hook

    def _mark_ready(self, i):
        self._param_ready[i] = True
        b = self._bucket_of[i]
        self._ready[b] += 1
        # buckets are launched strictly in index order so every rank issues the same sequence
        while self._next < len(self._buckets) and \
                self._ready[self._next] == len(self._buckets[self._next]):
            self._launch_bucket(self._next)
            self._next += 1
        if self._next == len(self._buckets):
            self._finish(write=True)

    def _launch_bucket(self, b, zero=False):
        from ... import cat, zeros
        params = [self._params[i] for i in self._buckets[b]]
        if zero:
            flat = zeros(sum(p.numel() for p in params), dtype=params[0].dtype)
        else:
            flat = cat([(p.grad.detach() if p.grad is not None else zeros(p.shape, dtype=p.dtype))
                        .reshape(-1) for p in params])
        bucket = _GradBucket(b, flat, params, b == len(self._buckets) - 1)
        if self._comm_hook is None:
            c10d = self._dist.distributed_c10d
            work = c10d._all_reduce_unchecked(flat, c10d.ReduceOp.SUM, self._pg)
            scale = self._pg.size()
            fut = work.get_future().then(lambda f: f.value()[0].div_(scale))
        else:
            fut = self._comm_hook(self._comm_state, bucket)
        self._works.append((b, fut))

    def _finish(self, write):
        works, self._works = self._works, []
        with no_grad():
            for b, fut in works:
                flat = fut.wait()
                if not write:
                    continue
                off = 0
                for i in self._buckets[b]:
                    p = self._params[i]
                    n = p.numel()
                    g = flat[off:off + n].reshape(p.shape).to(p.dtype)
                    off += n
                    if p.grad is None:
                        p.grad = g.clone()
                    else:
                        p.grad.copy_(g)

    # ------------------------------------------------------------------ public API
    @contextmanager
    def no_sync(self):
        """Gradients accumulate locally inside; the first backward after syncs them."""
        old = self.require_backward_grad_sync
        self.require_backward_grad_sync = False
        try:
            yield
        finally:
            self.require_backward_grad_sync = old

    def register_comm_hook(self, state, hook):
        """hook(state, bucket) -> Future[Tensor] replaces the default averaging all-reduce."""
        if self._comm_hook is not None:
            raise RuntimeError("register_comm_hook or register_builtin_comm_hook can only be "
                               "called once.")
        if not callable(hook):
            raise TypeError("Communication hook must be callable.")
        self._comm_hook = hook
        self._comm_state = state

    def join(self, divide_by_initial_world_size=True, enable=True,
             throw_on_early_termination=False):
        return Join([self], enable, throw_on_early_termination,
                    divide_by_initial_world_size=divide_by_initial_world_size)

    def join_hook(self, **kwargs):
        return _DDPJoinHook(self, kwargs.get('divide_by_initial_world_size', True))

    @property
    def join_device(self):
        return self._params[0].device

    @property
    def join_process_group(self):
        return self.process_group

    def _get_ddp_logging_data(self):
        return {'world_size': self._pg.size(), 'bucket_cap_bytes': self.bucket_bytes_cap}

    def _set_static_graph(self):
        self.static_graph = True
