"""Collation (= torch.utils.data._utils.collate): samples -> batch, with torch's type rules.

`default_collate` stacks tensors (inside a DataLoader worker straight into shared memory, so
the batch reaches the main process without copying through a pipe), turns Python ints,
floats and bools into int64/float64/bool tensors, NumPy arrays and scalars into tensors,
keeps strings and bytes as lists and recurses into mappings, namedtuples and sequences.
`default_convert` only converts NumPy data to tensors (used when auto-batching is off).
"""
import collections.abc
import copy
import re

import numpy as _np

__all__ = ['default_collate', 'default_convert', 'collate']

_np_str_obj_array_pattern = re.compile(r'[SaUO]')

default_collate_err_msg_format = (
    "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found {}")


def _tensor_cls():
    from ..._tensor import Tensor
    return Tensor


def default_convert(data):
    """Convert NumPy arrays/scalars (also inside mappings and sequences) to tensors."""
    import ember
    Tensor = _tensor_cls()
    elem_type = type(data)
    if isinstance(data, Tensor):
        return data
    if isinstance(data, (_np.ndarray, _np.memmap)) or (isinstance(data, _np.generic) and
                                                      not isinstance(data, (_np.str_, _np.bytes_))):
        if isinstance(data, _np.ndarray) and _np_str_obj_array_pattern.search(data.dtype.str) is not None:
            return data
        return ember.as_tensor(data)
    if isinstance(data, collections.abc.Mapping):
        try:
            if isinstance(data, collections.abc.MutableMapping):
                clone = copy.copy(data)
                clone.update({key: default_convert(data[key]) for key in data})
                return clone
            return elem_type({key: default_convert(data[key]) for key in data})
        except TypeError:
            return {key: default_convert(data[key]) for key in data}
    if isinstance(data, tuple) and hasattr(data, '_fields'):
        return elem_type(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        try:
            if isinstance(data, collections.abc.MutableSequence):
                clone = copy.copy(data)
                for i, d in enumerate(data):
                    clone[i] = default_convert(d)
                return clone
            return elem_type([default_convert(d) for d in data])
        except TypeError:
            return [default_convert(d) for d in data]
    return data


def collate(batch, *, collate_fn_map=None):
    """Collate a list of samples; `collate_fn_map` maps element types to collate functions
    (each called as fn(batch, collate_fn_map=...)), looked up exactly, then by subclass."""
    elem = batch[0]
    elem_type = type(elem)
    if collate_fn_map is not None:
        if elem_type in collate_fn_map:
            return collate_fn_map[elem_type](batch, collate_fn_map=collate_fn_map)
        for collate_type in collate_fn_map:
            if isinstance(elem, collate_type):
                return collate_fn_map[collate_type](batch, collate_fn_map=collate_fn_map)
    if isinstance(elem, collections.abc.Mapping):
        try:
            if isinstance(elem, collections.abc.MutableMapping):
                clone = copy.copy(elem)
                clone.update({key: collate([d[key] for d in batch], collate_fn_map=collate_fn_map)
                              for key in elem})
                return clone
            return elem_type({key: collate([d[key] for d in batch], collate_fn_map=collate_fn_map)
                              for key in elem})
        except TypeError:
            return {key: collate([d[key] for d in batch], collate_fn_map=collate_fn_map) for key in elem}
    if isinstance(elem, tuple) and hasattr(elem, '_fields'):
        return elem_type(*(collate(samples, collate_fn_map=collate_fn_map) for samples in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        it = iter(batch)
        elem_size = len(next(it))
        if not all(len(e) == elem_size for e in it):
            raise RuntimeError("each element in list of batch should be of equal size")
        transposed = list(zip(*batch))
        if isinstance(elem, tuple):
            return [collate(samples, collate_fn_map=collate_fn_map) for samples in transposed]
        try:
            if isinstance(elem, collections.abc.MutableSequence):
                clone = copy.copy(elem)
                for i, samples in enumerate(transposed):
                    clone[i] = collate(samples, collate_fn_map=collate_fn_map)
                return clone
            return elem_type([collate(samples, collate_fn_map=collate_fn_map) for samples in transposed])
        except TypeError:
            return [collate(samples, collate_fn_map=collate_fn_map) for samples in transposed]
    raise TypeError(default_collate_err_msg_format.format(elem_type))


def collate_tensor_fn(batch, *, collate_fn_map=None):
    """Stack equal-shaped tensors along a new first dim; in a worker, into shared memory."""
    import ember
    from . import _worker
    elem = batch[0]
    out = None
    if _worker.get_worker_info() is not None and elem.device.type == 'cpu':
        out = _worker._shared_empty((len(batch),) + tuple(elem.shape), elem.dtype)
    return ember.stack(batch, 0, out=out)


def collate_numpy_array_fn(batch, *, collate_fn_map=None):
    import ember
    elem = batch[0]
    if _np_str_obj_array_pattern.search(elem.dtype.str) is not None:
        raise TypeError(default_collate_err_msg_format.format(elem.dtype))
    return collate([ember.as_tensor(b) for b in batch], collate_fn_map=collate_fn_map)


def collate_numpy_scalar_fn(batch, *, collate_fn_map=None):
    import ember
    return ember.as_tensor(_np.array(batch))


def collate_float_fn(batch, *, collate_fn_map=None):
    import ember
    return ember.tensor(batch, dtype=ember.float64)


def collate_int_fn(batch, *, collate_fn_map=None):
    import ember
    return ember.tensor(batch)


def collate_str_fn(batch, *, collate_fn_map=None):
    return batch


def _default_map():
    return {
        _tensor_cls(): collate_tensor_fn,
        (_np.ndarray, _np.memmap): collate_numpy_array_fn,
        (_np.bool_, _np.number, _np.object_): collate_numpy_scalar_fn,
        float: collate_float_fn,
        int: collate_int_fn,
        str: collate_str_fn,
        bytes: collate_str_fn,
    }


_DEFAULT_MAP = None


def default_collate(batch):
    """Collate a list of samples into a batch with torch's rules (see the module doc)."""
    global _DEFAULT_MAP
    if _DEFAULT_MAP is None:
        _DEFAULT_MAP = _default_map()
    return collate(batch, collate_fn_map=_DEFAULT_MAP)
