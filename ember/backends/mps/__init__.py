"""torch.backends.mps: Apple GPUs are not supported by ember."""
__all__ = ['is_available', 'is_built']


def is_available():
    return False


def is_built():
    return False
