"""(being written) manual_seed, Generator, RNG state."""
__all__ = []
