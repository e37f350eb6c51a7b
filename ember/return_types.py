"""Named result tuples of ops returning several tensors (torch.return_types).

Each type is a tuple subclass with named fields (`values`, `indices` ...) that unpacks like a
tuple and prints like PyTorch's structseq (`torch.return_types.max(values=..., indices=...)`).
"""
from collections import namedtuple as _namedtuple

__all__ = ['max', 'min', 'sort', 'topk', 'kthvalue', 'median', 'nanmedian', 'mode', 'cummax',
           'cummin', 'aminmax']


def _make(name, fields=('values', 'indices')):
    base = _namedtuple(name, fields)

    def __repr__(self):
        body = ',\n'.join(f'{f}={v!r}' for f, v in zip(fields, self))
        return f'torch.return_types.{name}(\n{body})'

    cls = type(name, (base,), {'__slots__': (), '__repr__': __repr__, '__str__': __repr__,
                               '__module__': __name__, 'n_fields': len(fields),
                               'n_sequence_fields': len(fields), 'n_unnamed_fields': 0})
    cls.__qualname__ = name
    return cls


max = _make('max')
min = _make('min')
sort = _make('sort')
topk = _make('topk')
kthvalue = _make('kthvalue')
median = _make('median')
nanmedian = _make('nanmedian')
mode = _make('mode')
cummax = _make('cummax')
cummin = _make('cummin')
aminmax = _make('aminmax', ('min', 'max'))
