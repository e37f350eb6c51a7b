import numpy as np
from helpers import parity, rand


def test_add_mul_broadcast_grad():
    parity(lambda m, a, b: (a * b + a) * 2.5 - b, rand(2, 3), rand(3))


def test_int_plus_float_scalar_is_float32():
    parity(lambda m, a: a + 2.5, np.arange(4))
