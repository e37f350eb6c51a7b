"""Shared test helpers: run the same code through ember and real torch and compare.

`parity(fn, *inputs)` builds ember and torch tensors from the same NumPy inputs, calls
`fn(lib, *tensors)` with lib = ember / torch, and compares values, dtypes and shapes; when
the outputs are differentiable it back-propagates the same random cotangent through both and
compares every input gradient.
"""
import numpy as np
import torch

import ember

RNG = np.random.default_rng(0)


def rand(*shape, dtype='float64', low=-2.0, high=2.0, rng=RNG):
    """Random NumPy input of the given shape and NumPy dtype name."""
    if dtype == 'bool':
        return rng.random(shape) > 0.5
    if np.dtype(dtype).kind in 'iu':
        return rng.integers(int(low) if low > -100 else -5, int(high) + 3, size=shape).astype(dtype)
    a = rng.uniform(low, high, size=shape)
    if np.dtype(dtype).kind == 'c':
        a = a + 1j * rng.uniform(low, high, size=shape)
    return a.astype(dtype)


def to_numpy(t):
    """NumPy copy of an ember or torch tensor (bfloat16 as float32)."""
    if isinstance(t, torch.Tensor):
        t = t.detach()
        if t.dtype == torch.bfloat16:
            t = t.float()
        return t.numpy().copy()
    if isinstance(t, ember.Tensor):
        t = t.detach()
        if t.dtype is ember.bfloat16:
            t = t.float()
        return np.array(t.numpy(), copy=True)
    return np.asarray(t)


def make_pair(x, requires_grad=True):
    """(ember tensor, torch tensor) holding the same values; floats require grad if asked."""
    if isinstance(x, (ember.Tensor, torch.Tensor)) or not isinstance(x, np.ndarray):
        return x, x
    rg = requires_grad and x.dtype.kind in 'fc'
    return ember.tensor(x, requires_grad=rg), torch.tensor(x, requires_grad=rg)


def _flatten(out):
    if isinstance(out, (tuple, list)):
        res = []
        for o in out:
            res.extend(_flatten(o))
        return res
    return [out]


def assert_same(e, t, atol=1e-5, rtol=1e-5, check_dtype=True, what='output'):
    """ember value e equals torch value t: same type of thing, shape, dtype and values."""
    if isinstance(t, torch.Tensor):
        assert isinstance(e, ember.Tensor), f"{what}: expected a Tensor, got {type(e).__name__}"
        assert tuple(e.shape) == tuple(t.shape), f"{what}: shape {tuple(e.shape)} != torch {tuple(t.shape)}"
        if check_dtype:
            assert str(e.dtype) == str(t.dtype), f"{what}: dtype {e.dtype} != torch {t.dtype}"
        ev, tv = to_numpy(e), to_numpy(t)
        if tv.dtype.kind in 'fc':
            np.testing.assert_allclose(ev, tv, atol=atol, rtol=rtol, equal_nan=True, err_msg=what)
        else:
            np.testing.assert_array_equal(ev, tv, err_msg=what)
    elif isinstance(t, (torch.Size,)):
        assert tuple(e) == tuple(t), f"{what}: {e} != {t}"
    elif isinstance(t, float):
        assert np.isclose(e, t, atol=atol, rtol=rtol, equal_nan=True), f"{what}: {e} != {t}"
    else:
        assert e == t, f"{what}: {e!r} != torch {t!r}"


def parity(fn, *inputs, grad=True, atol=1e-5, rtol=1e-5, check_dtype=True, seed=1):
    """Run fn(lib, *tensors) through ember and torch; compare outputs and input gradients.

    inputs: NumPy arrays (made into tensors; float ones require grad when grad=True) or any
    other value (passed to both unchanged). Returns (ember_out, torch_out).
    """
    pairs = [make_pair(x, grad) for x in inputs]
    e_in = [p[0] for p in pairs]
    t_in = [p[1] for p in pairs]
    t_out = fn(torch, *t_in)
    e_out = fn(ember, *e_in)
    e_flat, t_flat = _flatten(e_out), _flatten(t_out)
    assert len(e_flat) == len(t_flat), f"ember returned {len(e_flat)} outputs, torch {len(t_flat)}"
    for i, (e, t) in enumerate(zip(e_flat, t_flat)):
        assert_same(e, t, atol, rtol, check_dtype, what=f"output {i}")
    if not grad:
        return e_out, t_out
    t_diff = [(e, t) for e, t in zip(e_flat, t_flat)
              if isinstance(t, torch.Tensor) and t.requires_grad]
    for e, t in t_diff:
        assert e.requires_grad, "ember output does not require grad where torch's does"
    t_leaves = [t for t in t_in if isinstance(t, torch.Tensor) and t.requires_grad]
    if not t_diff or not t_leaves:
        return e_out, t_out
    rng = np.random.default_rng(seed)
    cots = [rng.uniform(-1, 1, size=tuple(t.shape)).astype(to_numpy(t).dtype) for _, t in t_diff]
    t_grads = torch.autograd.grad([t for _, t in t_diff], t_leaves,
                                  [torch.tensor(c) for c in cots], allow_unused=True)
    e_leaves = [e for e in e_in if isinstance(e, ember.Tensor) and e.requires_grad]
    e_grads = ember.autograd.grad([e for e, _ in t_diff], e_leaves,
                                  [ember.tensor(c) for c in cots], allow_unused=True)
    for i, (eg, tg) in enumerate(zip(e_grads, t_grads)):
        if tg is None:
            assert eg is None or np.all(to_numpy(eg) == 0), f"grad {i}: torch has none"
            continue
        assert eg is not None, f"grad {i}: ember gave None, torch a gradient"
        assert_same(eg, tg, atol, rtol, check_dtype, what=f"grad of input {i}")
    return e_out, t_out


def raises_like(fn, *inputs, match=None):
    """fn(lib, *tensors) raises the same exception type in ember as in torch; returns ember's."""
    import pytest
    pairs = [make_pair(x, False) for x in inputs]
    with pytest.raises(Exception) as t_info:
        fn(torch, *[p[1] for p in pairs])
    with pytest.raises(Exception) as e_info:
        fn(ember, *[p[0] for p in pairs])
    t_type = t_info.type
    # torch raises some errors as subclasses of the builtin types (e.g. torch.OutOfMemoryError)
    base = next(c for c in t_type.__mro__ if c.__module__ == 'builtins')
    assert issubclass(e_info.type, base), f"ember raised {e_info.type.__name__}, torch {t_type.__name__}: {e_info.value}"
    if match is not None:
        assert match.lower() in str(e_info.value).lower(), f"'{match}' not in: {e_info.value}"
    return e_info.value


# ---------------------------------------------------------------------------- module parity

def copy_state(em, tm):
    """Load torch module tm's state (parameters and buffers) into ember module em."""
    em.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in tm.state_dict().items()})


def module_pair(name, *args, dtype='float32', rng=RNG, **kw):
    """(ember, torch) instances of nn.<name>(*args, **kw) with the same non-trivial weights."""
    tm = getattr(torch.nn, name)(*args, **kw)
    em = getattr(ember.nn, name)(*args, **kw)
    if dtype == 'float64':
        tm, em = tm.double(), em.double()
    with torch.no_grad():
        for p in tm.parameters():
            p.copy_(torch.tensor(rng.uniform(0.5, 1.5, size=tuple(p.shape))))
    copy_state(em, tm)
    return em, tm


def compare_state(em, tm, atol=1e-5):
    """Same state_dict keys, in order, and values."""
    es, ts = em.state_dict(), tm.state_dict()
    assert list(es.keys()) == list(ts.keys())
    for k in ts:
        assert_same(es[k], ts[k], atol=atol, rtol=atol, what=k)


def module_step(em, tm, x, atol=1e-5, rng=RNG):
    """Forward + backward of the same input and cotangent; compare outputs, input and
    parameter gradients (then clear the parameter gradients)."""
    xe = ember.tensor(x, requires_grad=True)
    xt = torch.tensor(x, requires_grad=True)
    ye, yt = em(xe), tm(xt)
    assert_same(ye, yt, atol=atol, rtol=atol)
    cot = rng.uniform(-1, 1, size=tuple(yt.shape)).astype(x.dtype)
    ye.backward(ember.tensor(cot))
    yt.backward(torch.tensor(cot))
    assert_same(xe.grad, xt.grad, atol=atol, rtol=atol, what='input grad')
    for (n, pe), (_, pt) in zip(em.named_parameters(), tm.named_parameters()):
        assert_same(pe.grad, pt.grad, atol=atol * 10, rtol=atol, what=f'{n}.grad')
        pe.grad, pt.grad = None, None
    return ye, yt
