"""ember.accelerator (= torch.accelerator): the machine's accelerator, if any (CUDA here)."""
from .. import cuda as _cuda

__all__ = ['is_available', 'current_accelerator', 'device_count', 'current_device_index',
           'set_device_index', 'synchronize']


def is_available():
    return _cuda.is_available()


def current_accelerator(check_available=False):
    """device('cuda') when a GPU is usable, else None."""
    if _cuda.is_available():
        from .._device import device
        return device('cuda')
    return None


def device_count():
    return _cuda.device_count()


def current_device_index():
    return _cuda.current_device() if _cuda.is_available() else -1


def set_device_index(device):
    _cuda.set_device(device)


def synchronize(device=None):
    if _cuda.is_available():
        _cuda.synchronize(device)
