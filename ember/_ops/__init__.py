"""The op library. Importing this package attaches every op to Tensor as a method."""
from . import (elementwise, ternary, pointwise, reduction, sort, shape, indexing, linalg,  # noqa: F401
               creation, ranges, random_ops, conversion, join, rearrange, strided)
from . import misc, toplevel, inplace_shape  # noqa: F401,E402
