"""The op library. Importing this package attaches every op to Tensor as a method."""
from . import (elementwise, pointwise, reduction, sort, shape, indexing, linalg,  # noqa: F401
               creation, random_ops, conversion, join, rearrange, strided)
