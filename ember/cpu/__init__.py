"""ember.cpu (= torch.cpu): the CPU device module — always available, one device."""
__all__ = ['is_available', 'device_count', 'current_device', 'synchronize', 'set_device',
           'is_initialized', 'amp']


def is_available():
    return True


def device_count():
    return 1


def current_device():
    return 'cpu'


def set_device(device):
    """No-op: there is only one CPU device (torch accepts and ignores it)."""


def is_initialized():
    return True


def synchronize(device=None):
    """No-op: CPU work in ember is synchronous."""


from . import amp  # noqa: E402,F401
