"""Shared bits of the autograd tests: run the same code through ember and torch."""
import numpy as np
import pytest
import torch

import ember
from helpers import assert_same, to_numpy

LIBS = (ember, torch)


def t(m, arr, requires_grad=True, dtype='float64'):
    """A tensor of lib m from array-like arr."""
    return m.tensor(np.asarray(arr, dtype=dtype), requires_grad=requires_grad)


def both(fn):
    """(fn(ember), fn(torch))."""
    return fn(ember), fn(torch)


def same(fn, atol=1e-6, rtol=1e-6):
    """fn(m) returns a tensor / number / nested tuple; ember's must equal torch's."""
    e, tt = both(fn)
    _cmp(e, tt, atol, rtol, 'result')
    return e, tt


def _cmp(e, tt, atol, rtol, what):
    if isinstance(tt, (tuple, list)):
        assert isinstance(e, (tuple, list)) and len(e) == len(tt), f"{what}: {e!r} vs torch {tt!r}"
        for i, (a, b) in enumerate(zip(e, tt)):
            _cmp(a, b, atol, rtol, f"{what}[{i}]")
    elif tt is None:
        assert e is None, f"{what}: expected None, got {e!r}"
    else:
        assert_same(e, tt, atol=atol, rtol=rtol, what=what)


def same_error(fn, match=None):
    """fn(m) raises the same exception type with both libs; returns (ember_exc, torch_exc)."""
    with pytest.raises(Exception) as ti:
        fn(torch)
    with pytest.raises(Exception) as ei:
        fn(ember)
    base = next(c for c in ti.type.__mro__ if c.__module__ == 'builtins')
    assert issubclass(ei.type, base), f"ember raised {ei.type.__name__}: {ei.value}; torch {ti.type.__name__}: {ti.value}"
    if match is not None:
        assert match in str(ti.value), f"test expectation wrong: torch says {ti.value}"
        assert match in str(ei.value), f"'{match}' not in ember's message: {ei.value}"
    return ei.value, ti.value


def graph_names(fn_node, depth=0, limit=20):
    """Nested (name, [children]) description of the backward graph from a grad_fn."""
    if fn_node is None:
        return None
    if depth > limit:
        return '...'
    return (fn_node.name(), [(graph_names(n, depth + 1, limit), nr) for n, nr in fn_node.next_functions])


__all__ = ['LIBS', 't', 'both', 'same', 'same_error', 'graph_names', 'to_numpy', 'ember', 'torch', 'np']
