"""DataParallel: split the batch along `dim` over device_ids, run the module on each chunk,
gather the outputs on output_device. With one device (or none, CPU-only) it just runs the
module, as torch does when there are no GPUs."""
from ..modules.module import Module
from .scatter_gather import scatter_kwargs, gather


def _cuda_count():
    try:
        from ... import cuda
        return cuda.device_count() if cuda.is_available() else 0
    except Exception:
        return 0


class DataParallel(Module):
    def __init__(self, module, device_ids=None, output_device=None, dim=0):
        super().__init__()
        self.module = module
        n = _cuda_count()
        if n == 0:
            self.device_ids = []
            self.output_device = None
            self.dim = dim
            return
        if device_ids is None:
            device_ids = list(range(n))
        self.device_ids = [getattr(d, 'index', d) for d in device_ids]
        self.output_device = getattr(output_device, 'index', output_device) \
            if output_device is not None else self.device_ids[0]
        self.dim = dim
        if self.device_ids:
            self.module.to(f'cuda:{self.device_ids[0]}')

    def forward(self, *inputs, **kwargs):
        if len(self.device_ids) <= 1:
            if self.device_ids:
                inputs, kwargs = scatter_kwargs(inputs, kwargs, [f'cuda:{self.device_ids[0]}'],
                                                self.dim)
                return self.module(*inputs[0], **kwargs[0])
            return self.module(*inputs, **kwargs)
        # Chunks run where the (single, shared) module lives; the replicas share its
        # parameters, so gradients flow back to them.
        devices = [f'cuda:{self.device_ids[0]}'] * len(self.device_ids)
        inputs, kwargs = scatter_kwargs(inputs, kwargs, devices, self.dim)
        outputs = [self.module(*i, **k) for i, k in zip(inputs, kwargs)]
        return gather(outputs, f'cuda:{self.output_device}', self.dim)


def data_parallel(module, inputs, device_ids=None, output_device=None, dim=0, module_kwargs=None):
    if not isinstance(inputs, tuple):
        inputs = (inputs,)
    return DataParallel(module, device_ids, output_device, dim)(*inputs, **(module_kwargs or {}))
