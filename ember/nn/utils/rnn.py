"""Packed sequences (torch.nn.utils.rnn): PackedSequence, pack/pad helpers.

Packed data is time-major: the rows of step t are the first batch_sizes[t] sequences (sorted
by decreasing length). Packing and padding are single differentiable gathers (index_select)
with index arrays built once, vectorized, from the lengths; no loop over batch items.
"""
from collections import namedtuple

from ..._tensor import Tensor

__all__ = ['PackedSequence', 'invert_permutation', 'pack_padded_sequence', 'pad_packed_sequence',
           'pad_sequence', 'unpad_sequence', 'pack_sequence', 'unpack_sequence']

_PackedSequenceBase = namedtuple('PackedSequence_',
                                 ['data', 'batch_sizes', 'sorted_indices', 'unsorted_indices'])


def _ember():
    import ember
    return ember


def invert_permutation(permutation):
    """The inverse permutation (None stays None)."""
    if permutation is None:
        return None
    xp = permutation._storage.device.xp
    return Tensor._from_array(xp.argsort(permutation._data).astype(xp.int64),
                              permutation._storage.device)


class PackedSequence(_PackedSequenceBase):
    """(data, batch_sizes, sorted_indices, unsorted_indices); made by pack_* helpers."""

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        if batch_sizes is not None:
            if batch_sizes.device.type != 'cpu':
                raise ValueError("batch_sizes should always be on CPU. Instances of "
                                 "PackedSequence should never be created manually. They should "
                                 "be instantiated by functions like pack_sequence and "
                                 "pack_padded_sequences in nn.utils.rnn. "
                                 "https://pytorch.org/docs/stable/nn.html#torch.nn.utils.rnn.pack_sequence")
            return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)
        if not isinstance(data, (list, tuple)) or len(data) != 2:
            raise TypeError("PackedSequence expects (data, batch_sizes)")
        return super().__new__(cls, data[0], data[1], sorted_indices, unsorted_indices)

    def to(self, *args, **kwargs):
        """Move/cast data (indices follow data's device; batch_sizes stay on the CPU)."""
        data = self.data.to(*args, **kwargs)
        if data is self.data:
            return self
        dev = data.device
        si = None if self.sorted_indices is None else self.sorted_indices.to(dev)
        ui = None if self.unsorted_indices is None else self.unsorted_indices.to(dev)
        return type(self)(data, self.batch_sizes, si, ui)

    def cuda(self, *args, **kwargs):
        return self.to('cuda', *args, **kwargs)

    def cpu(self, *args, **kwargs):
        return self.to('cpu', *args, **kwargs)

    def double(self):
        return self.to(dtype=_ember().double)

    def float(self):
        return self.to(dtype=_ember().float)

    def half(self):
        return self.to(dtype=_ember().half)

    def long(self):
        return self.to(dtype=_ember().long)

    def int(self):
        return self.to(dtype=_ember().int)

    def short(self):
        return self.to(dtype=_ember().short)

    def char(self):
        return self.to(dtype=_ember().int8)

    def byte(self):
        return self.to(dtype=_ember().uint8)

    @property
    def is_cuda(self):
        return self.data.is_cuda

    def is_pinned(self):
        return False


def _lengths_list(lengths):
    if isinstance(lengths, Tensor):
        if lengths.dim() != 1:
            raise RuntimeError(f"'lengths' argument should be a 1D CPU int64 tensor, but got "
                               f"{lengths.dim()}D {lengths.device.type} {lengths.dtype} tensor")
        return [int(v) for v in lengths.tolist()]
    return [int(v) for v in lengths]


def _index(xp, dev, arr):
    return Tensor._from_array(xp.asarray(arr, dtype=xp.int64), dev)


def pack_padded_sequence(input, lengths, batch_first=False, enforce_sorted=True):
    """Pack a padded (T, B, *) (or (B, T, *)) batch of sequences of the given lengths."""
    em = _ember()
    lens = _lengths_list(lengths)
    B = len(lens)
    if enforce_sorted:
        if any(lens[i] < lens[i + 1] for i in range(B - 1)):
            raise RuntimeError("`lengths` array must be sorted in decreasing order when "
                               "`enforce_sorted` is True. You can pass `enforce_sorted=False` to "
                               "pack_padded_sequence and/or pack_sequence to sidestep this "
                               "requirement if you do not need ONNX exportability.")
        sorted_indices = None
        slens = lens
    else:
        order = sorted(range(B), key=lambda i: -lens[i])       # stable, as torch's sort here
        sorted_indices = em.tensor(order, dtype=em.int64, device=input.device)
        slens = [lens[i] for i in order]
        input = input.index_select(0 if batch_first else 1, sorted_indices)
    if B == 0 or slens[-1] <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an element "
                           "in 'lengths' that is <= 0")
    if batch_first:
        input = input.transpose(0, 1)
    T = input.shape[0]
    if slens[0] > T:
        raise RuntimeError(f"start ({0}) + length ({slens[0]}) exceeds dimension size ({T}).")
    xp = input._storage.device.xp
    maxT = slens[0]
    valid = xp.arange(maxT)[:, None] < xp.asarray(slens)[None, :]          # (T, B)
    flat = xp.flatnonzero(valid.ravel())
    batch_sizes = em.tensor(valid.sum(1).tolist(), dtype=em.int64)
    rows = input[:maxT].reshape((maxT * B,) + tuple(input.shape[2:]))
    data = rows.index_select(0, _index(xp, input.device, flat))
    return PackedSequence(data, batch_sizes, sorted_indices, None)


def pad_packed_sequence(sequence, batch_first=False, padding_value=0.0, total_length=None):
    """Inverse of pack_padded_sequence: (padded, lengths) in the original batch order."""
    em = _ember()
    data, batch_sizes, sorted_indices, unsorted_indices = sequence
    bs = [int(v) for v in batch_sizes.tolist()]
    maxT = len(bs)
    B = bs[0]
    if total_length is not None:
        if total_length < maxT:
            raise ValueError("Expected total_length to be at least the length of the longest "
                             "sequence in input, but got total_length={} and max sequence length "
                             "being {}".format(total_length, maxT))
    else:
        total_length = maxT
    xp = data._storage.device.xp
    bsa = xp.asarray(bs)
    valid = xp.arange(B)[None, :] < bsa[:, None]                            # (T, B)
    N = data.shape[0]
    flat = valid.ravel()
    idx = xp.where(flat, xp.cumsum(flat) - 1, N)
    if total_length > maxT:
        idx = xp.concatenate([idx, xp.full((total_length - maxT) * B, N, dtype=idx.dtype)])
    pad = em.full((1,) + tuple(data.shape[1:]), padding_value, dtype=data.dtype, device=data.device)
    src = em.cat([data, pad], 0)
    out = src.index_select(0, _index(xp, data.device, idx))
    out = out.view((total_length, B) + tuple(data.shape[1:]))
    lengths = valid.sum(0)
    if batch_first:
        out = out.transpose(0, 1)
    lengths_t = em.tensor([int(v) for v in lengths.tolist()], dtype=em.int64)
    if unsorted_indices is not None:
        out = out.index_select(0 if batch_first else 1, unsorted_indices)
        lengths_t = lengths_t[unsorted_indices.cpu()]
    return out, lengths_t


def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side='right'):
    """Stack variable-length (L_i, *) tensors into (L_max, B, *) (or (B, L_max, *)), padded."""
    em = _ember()
    if padding_side not in ('left', 'right'):
        raise ValueError(f"Expected padding_side to be one of left or right, but got {padding_side}.")
    if isinstance(sequences, Tensor):
        sequences = sequences.unbind(0)
    sequences = list(sequences)
    if not sequences:
        raise RuntimeError("received an empty list of sequences")
    lens = [s.shape[0] if s.dim() > 0 else 1 for s in sequences]
    B = len(sequences)
    L = max(lens)
    first = sequences[0]
    trailing = tuple(first.shape[1:])
    xp = first._storage.device.xp
    la = xp.asarray(lens)
    pos = xp.arange(L)[None, :]                                             # (1, L)
    start = (L - la)[:, None] if padding_side == 'left' else xp.zeros((B, 1), dtype=la.dtype)
    local = pos - start                                                     # (B, L)
    valid = (local >= 0) & (local < la[:, None])
    offs = xp.concatenate([xp.zeros(1, dtype=la.dtype), xp.cumsum(la)[:-1]])
    N = int(la.sum())
    idx = xp.where(valid, offs[:, None] + local, N)
    if not batch_first:
        idx = idx.T
    pad = em.full((1,) + trailing, padding_value, dtype=first.dtype, device=first.device)
    src = em.cat([s.reshape((-1,) + trailing) for s in sequences] + [pad], 0)
    out = src.index_select(0, _index(xp, first.device, idx.ravel()))
    return out.view(tuple(idx.shape) + trailing)


def unpad_sequence(padded_sequences, lengths, batch_first=False):
    """Split a padded batch back into a list of its (L_i, *) sequences."""
    if not batch_first:
        padded_sequences = padded_sequences.transpose(0, 1)
    lens = _lengths_list(lengths)
    return [padded_sequences[i, :n] for i, n in enumerate(lens)]


def pack_sequence(sequences, enforce_sorted=True):
    """Pack a list of variable-length sequences (pad, then pack)."""
    em = _ember()
    lengths = em.tensor([s.size(0) for s in sequences], dtype=em.int64)
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences):
    """Inverse of pack_sequence: the list of sequences, in the original order."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
