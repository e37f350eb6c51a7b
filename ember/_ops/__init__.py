"""The op library. Importing this package attaches every op to Tensor as a method."""
from . import elementwise, reduction, shape, creation, conversion  # noqa: F401
