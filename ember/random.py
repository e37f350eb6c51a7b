"""Random number generators: `Generator`, the default CPU generator, seeding and RNG state.

A Generator wraps NumPy's PCG64 bit generator (streams differ from PyTorch's MT19937; only
the API and the statistics match). Every random op draws through `Generator._sample`, the
single place where samples are produced, so a CuPy-backed generator can plug in for CUDA.
The state is a uint8 tensor: PCG64 state and increment (16 bytes each, little endian), the
buffered 32-bit value flag and word, and the initial seed (8 bytes each).
"""
import contextlib
import os

import numpy as _np

from ._device import as_device, device as _device_cls

__all__ = ['Generator', 'default_generator', 'manual_seed', 'seed', 'initial_seed',
           'get_rng_state', 'set_rng_state']

_DEFAULT_SEED = 67280421310721        # torch's initial seed of a fresh generator
_MASK64 = (1 << 64) - 1
_MASK128 = (1 << 128) - 1
_STATE_BYTES = 56


def _check_seed(seed):
    try:
        seed = int(seed)
    except (TypeError, ValueError):
        raise TypeError(f"manual_seed expected a long, but got {type(seed).__name__}") from None
    if not -0x8000_0000_0000_0000 <= seed <= 0xffff_ffff_ffff_ffff:
        raise ValueError("Overflow when unpacking long long")
    return seed & _MASK64


class Generator:
    """torch.Generator: a seeded source of random numbers for one device."""

    def __init__(self, device='cpu'):
        self._device = as_device(device)
        self._reseed(_DEFAULT_SEED)

    def _reseed(self, seed):
        self._seed = seed
        self._bits = _np.random.PCG64(seed)
        self._np = _np.random.Generator(self._bits)

    @property
    def device(self):
        return self._device

    def manual_seed(self, seed):
        """Reset to the stream of `seed` (an int in [-2**63, 2**64)); returns self."""
        self._reseed(_check_seed(seed))
        return self

    def seed(self):
        """Reseed from a non-deterministic source; returns the new seed."""
        s = int.from_bytes(os.urandom(8), 'little') & ((1 << 63) - 1)
        self._reseed(s)
        return s

    def initial_seed(self):
        return self._seed

    def get_state(self):
        """The generator's state as a uint8 tensor (a copy)."""
        from ._tensor import Tensor
        st = self._bits.state
        raw = (st['state']['state'].to_bytes(16, 'little') + st['state']['inc'].to_bytes(16, 'little')
               + int(st['has_uint32']).to_bytes(8, 'little') + int(st['uinteger']).to_bytes(8, 'little')
               + self._seed.to_bytes(8, 'little'))
        return Tensor._from_array(_np.frombuffer(raw, dtype=_np.uint8).copy())

    def set_state(self, new_state):
        """Restore a state returned by get_state(); returns self."""
        from ._tensor import Tensor
        if not isinstance(new_state, Tensor) or new_state.dtype.name != 'uint8':
            raise TypeError("RNG state must be a torch.ByteTensor")
        if new_state.numel() != _STATE_BYTES:
            raise RuntimeError(f"Expected a CPUGeneratorImplState of size {_STATE_BYTES} but found the "
                               f"input RNG state size to be {new_state.numel()}")
        raw = bytes(_np.ascontiguousarray(new_state.detach().cpu().numpy()).reshape(-1))
        state = int.from_bytes(raw[0:16], 'little') & _MASK128
        inc = int.from_bytes(raw[16:32], 'little') & _MASK128
        seed = int.from_bytes(raw[48:56], 'little')
        bits = _np.random.PCG64(0)
        bits.state = {'bit_generator': 'PCG64', 'state': {'state': state, 'inc': inc},
                      'has_uint32': int.from_bytes(raw[32:40], 'little') & 1,
                      'uinteger': int.from_bytes(raw[40:48], 'little') & 0xffffffff}
        self._seed, self._bits, self._np = seed, bits, _np.random.Generator(bits)
        return self

    def clone_state(self):
        g = Generator(self._device)
        return g.set_state(self.get_state())

    def __getstate__(self):
        return {'device': str(self._device), 'state': self.get_state()}

    def __setstate__(self, d):
        self.__init__(d['device'])
        self.set_state(d['state'])

    def _sample(self, method, *args, **kwargs):
        """Draw with the named numpy.random.Generator method (`random`, `standard_normal`,
        `integers`, `permutation`, `standard_exponential`, `poisson`, `geometric`,
        `standard_cauchy` ...); returns a host array. The one place samples are made."""
        return getattr(self._np, method)(*args, **kwargs)

    def __repr__(self):
        return f"<torch._C.Generator object at {hex(id(self))}>"


default_generator = Generator('cpu')
_device_generators = {}


def _default_for(device):
    """The default generator of a device (CPU: `default_generator`; one per CUDA device)."""
    if device.type == 'cpu':
        return default_generator
    g = _device_generators.get(device)
    if g is None:
        g = _device_generators[device] = Generator(device)
    return g


def manual_seed(seed):
    """Seed every default generator (CPU and the CUDA ones in use); returns the CPU one."""
    seed = _check_seed(seed)
    default_generator.manual_seed(seed)
    for g in _device_generators.values():
        g.manual_seed(seed)
    return default_generator


def seed():
    """Seed the default generators non-deterministically; returns the seed."""
    s = default_generator.seed()
    for g in _device_generators.values():
        g.manual_seed(s)
    return s


def initial_seed():
    return default_generator.initial_seed()


def get_rng_state():
    """State of the default CPU generator (uint8 tensor)."""
    return default_generator.get_state()


def set_rng_state(new_state):
    default_generator.set_state(new_state)


@contextlib.contextmanager
def fork_rng(devices=None, enabled=True, _caller="fork_rng", _devices_kw="devices", device_type=None):
    """Context manager: random state changes inside it are undone on exit (CPU, plus the
    default generators of the given accelerator devices)."""
    if not enabled:
        yield
        return
    gens = [default_generator]
    if devices is not None:
        dtype = device_type or 'cuda'
        gens += [_default_for(as_device(_device_cls(dtype, d) if isinstance(d, int) else d))
                 for d in devices]
    else:
        gens += list(_device_generators.values())
    states = [g.get_state() for g in gens]
    try:
        yield
    finally:
        for g, s in zip(gens, states):
            g.set_state(s)
