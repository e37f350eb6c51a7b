"""Batch normalization modules: BatchNorm1d/2d/3d, their Lazy forms and SyncBatchNorm.

Parameters (weight, bias) and buffers (running_mean, running_var, num_batches_tracked) have
torch's names, shapes, dtypes and initial values, so torch state_dicts load across.
"""
from ... import _dtype as D
from ..._ops.creation import empty, zeros, ones, tensor
from ...autograd.grad_mode import no_grad
from .. import functional as F
from .. import init
from ..parameter import Parameter, UninitializedParameter, UninitializedBuffer
from .lazy import LazyModuleMixin
from .module import Module

__all__ = ['BatchNorm1d', 'BatchNorm2d', 'BatchNorm3d', 'LazyBatchNorm1d', 'LazyBatchNorm2d',
           'LazyBatchNorm3d', 'SyncBatchNorm']


class _NormBase(Module):
    """Common base of BatchNorm and InstanceNorm: affine parameters and running statistics."""
    _version = 2

    def __init__(self, num_features, eps=1e-05, momentum=0.1, affine=True,
                 track_running_stats=True, device=None, dtype=None, *, bias=True):
        super().__init__()
        fk = {'device': device, 'dtype': dtype}
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        if affine:
            self.weight = Parameter(empty(num_features, **fk))
            if bias:
                self.bias = Parameter(empty(num_features, **fk))
            else:
                self.register_parameter('bias', None)
        else:
            self.register_parameter('weight', None)
            self.register_parameter('bias', None)
        if track_running_stats:
            self.register_buffer('running_mean', zeros(num_features, **fk))
            self.register_buffer('running_var', ones(num_features, **fk))
            self.register_buffer('num_batches_tracked',
                                 tensor(0, dtype=D.int64, device=device))
        else:
            self.register_buffer('running_mean', None)
            self.register_buffer('running_var', None)
            self.register_buffer('num_batches_tracked', None)
        self.reset_parameters()

    def reset_running_stats(self):
        """running_mean = 0, running_var = 1, num_batches_tracked = 0."""
        if self.track_running_stats:
            self.running_mean.zero_()
            self.running_var.fill_(1)
            self.num_batches_tracked.zero_()

    def reset_parameters(self):
        self.reset_running_stats()
        if self.affine:
            init.ones_(self.weight)
            if self.bias is not None:
                init.zeros_(self.bias)

    def _check_input_dim(self, input):
        raise NotImplementedError

    def extra_repr(self):
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, bias={self.bias is not None}, "
                f"track_running_stats={self.track_running_stats}")

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys,
                              unexpected_keys, error_msgs):
        version = local_metadata.get('version', None)
        if (version is None or version < 2) and self.track_running_stats:
            # checkpoints from before num_batches_tracked existed
            key = prefix + 'num_batches_tracked'
            if key not in state_dict:
                nbt = self.num_batches_tracked
                state_dict[key] = nbt if nbt is not None and not isinstance(nbt, UninitializedBuffer) \
                    else tensor(0, dtype=D.int64)
        super()._load_from_state_dict(state_dict, prefix, local_metadata, strict, missing_keys,
                                      unexpected_keys, error_msgs)


class _BatchNorm(_NormBase):
    def _momentum_factor(self):
        """Count this batch and return the running-average factor (1/n when momentum is None)."""
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            self.num_batches_tracked.add_(1)
            if self.momentum is None:
                factor = 1.0 / float(self.num_batches_tracked)
        return factor

    def _batch_norm_args(self, input):
        factor = self._momentum_factor()
        bn_training = self.training or (self.running_mean is None and self.running_var is None)
        use_running = not self.training or self.track_running_stats
        return (input, self.running_mean if use_running else None,
                self.running_var if use_running else None, self.weight, self.bias,
                bn_training, factor, self.eps)

    def forward(self, input):
        self._check_input_dim(input)
        return F.batch_norm(*self._batch_norm_args(input))


class BatchNorm1d(_BatchNorm):
    """Batch norm over (N, C) or (N, C, L) input."""

    def _check_input_dim(self, input):
        if input.dim() not in (2, 3):
            raise ValueError(f"expected 2D or 3D input (got {input.dim()}D input)")


class BatchNorm2d(_BatchNorm):
    """Batch norm over (N, C, H, W) input."""

    def _check_input_dim(self, input):
        if input.dim() != 4:
            raise ValueError(f"expected 4D input (got {input.dim()}D input)")


class BatchNorm3d(_BatchNorm):
    """Batch norm over (N, C, D, H, W) input."""

    def _check_input_dim(self, input):
        if input.dim() != 5:
            raise ValueError(f"expected 5D input (got {input.dim()}D input)")


class _LazyNormBase(LazyModuleMixin, _NormBase):
    """Norm module whose num_features is taken from the first input's dim 1."""
    weight: UninitializedParameter
    bias: UninitializedParameter

    def __init__(self, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True,
                 device=None, dtype=None, *, bias=True):
        fk = {'device': device, 'dtype': dtype}
        super().__init__(0, eps, momentum, False, False, **fk)
        self.affine = affine
        self.track_running_stats = track_running_stats
        if affine:
            self.weight = UninitializedParameter(**fk)
            if bias:
                self.bias = UninitializedParameter(**fk)
        if track_running_stats:
            self.running_mean = UninitializedBuffer(**fk)
            self.running_var = UninitializedBuffer(**fk)
            self.num_batches_tracked = tensor(0, dtype=D.int64, device=device)

    def reset_parameters(self):
        if not self.has_uninitialized_params() and self.num_features != 0:
            super().reset_parameters()

    def _lazy_num_features(self, input):
        return input.shape[1]

    def initialize_parameters(self, input):
        if self.has_uninitialized_params():
            self.num_features = self._lazy_num_features(input)
            n = (self.num_features,)
            if self.affine:
                self.weight.materialize(n)
                if self.bias is not None:
                    self.bias.materialize(n)
            if self.track_running_stats:
                self.running_mean.materialize(n)
                self.running_var.materialize(n)
            self.reset_parameters()


class LazyBatchNorm1d(_LazyNormBase, _BatchNorm):
    cls_to_become = BatchNorm1d
    _check_input_dim = BatchNorm1d._check_input_dim


class LazyBatchNorm2d(_LazyNormBase, _BatchNorm):
    cls_to_become = BatchNorm2d
    _check_input_dim = BatchNorm2d._check_input_dim


class LazyBatchNorm3d(_LazyNormBase, _BatchNorm):
    cls_to_become = BatchNorm3d
    _check_input_dim = BatchNorm3d._check_input_dim


class SyncBatchNorm(_BatchNorm):
    """Batch norm whose statistics are reduced across the processes of `process_group`.

    In a single process (or without an initialized process group) it is BatchNorm. The
    cross-process reduction goes through `_sync_batch_norm`, the hook the distributed
    package fills in.
    """

    def __init__(self, num_features, eps=1e-05, momentum=0.1, affine=True,
                 track_running_stats=True, process_group=None, device=None, dtype=None, *,
                 bias=True):
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device,
                         dtype, bias=bias)
        self.process_group = process_group

    def _check_input_dim(self, input):
        if input.dim() < 2:
            raise ValueError(f"expected at least 2D input (got {input.dim()}D input)")

    def _check_non_zero_input_channels(self, input):
        if input.shape[1] == 0:
            raise ValueError("SyncBatchNorm number of input channels should be non-zero")

    def _need_sync(self):
        """True when training inside an initialized process group of more than one rank."""
        if not self.training:
            return False
        try:
            from ... import distributed as dist
        except ImportError:
            return False
        try:
            if not (dist.is_available() and dist.is_initialized()):
                return False
            group = self.process_group if self.process_group is not None else dist.group.WORLD
            return dist.get_world_size(group) > 1
        except AttributeError:
            return False

    def forward(self, input):
        self._check_input_dim(input)
        self._check_non_zero_input_channels(input)
        args = self._batch_norm_args(input)
        if self._need_sync() and args[5]:
            return self._sync_batch_norm(*args)
        return F.batch_norm(*args)

    def _sync_batch_norm(self, input, running_mean, running_var, weight, bias, training,
                         momentum, eps):
        """Cross-process batch norm (all-reduce of per-rank mean/var/count); the distributed
        package provides it by replacing this method or `ember.distributed._sync_batch_norm`."""
        from ... import distributed as dist
        fn = getattr(dist, '_sync_batch_norm', None)
        if fn is None:
            raise NotImplementedError("SyncBatchNorm across processes needs ember.distributed's "
                                      "_sync_batch_norm")
        group = self.process_group if self.process_group is not None else dist.group.WORLD
        return fn(input, running_mean, running_var, weight, bias, momentum, eps, group)

    @classmethod
    def convert_sync_batchnorm(cls, module, process_group=None):
        """Return `module` with every BatchNorm*d layer replaced by a SyncBatchNorm sharing
        its parameters and buffers."""
        out = module
        if isinstance(module, _BatchNorm):
            out = SyncBatchNorm(module.num_features, module.eps, module.momentum, module.affine,
                                module.track_running_stats, process_group)
            if module.affine:
                with no_grad():
                    out.weight = module.weight
                    out.bias = module.bias
            out.running_mean = module.running_mean
            out.running_var = module.running_var
            out.num_batches_tracked = module.num_batches_tracked
            out.training = module.training
            if hasattr(module, 'qconfig'):
                out.qconfig = module.qconfig
        for name, child in module.named_children():
            out.add_module(name, cls.convert_sync_batchnorm(child, process_group))
        del module
        return out
