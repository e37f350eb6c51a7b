"""gradcheck / gradgradcheck: compare analytical gradients with finite differences.

The numerical Jacobian perturbs each input element by +-eps (central differences, written
straight into the input's memory) and re-runs the function; the analytical Jacobian is built from one
vector-Jacobian product per output element (autograd.grad with a one-hot cotangent). Both are
laid out as torch shows them: rows = input elements, columns = output elements.
The per-element loops are inherent to finite differences; this is a testing tool, not an op.
"""
import itertools
import warnings

from .grad_mode import enable_grad

__all__ = ['gradcheck', 'gradgradcheck', 'GradcheckError']


class GradcheckError(RuntimeError):
    """Raised by gradcheck/gradgradcheck when a check fails (and raise_exception=True)."""


def _tensor_cls():
    from .._tensor import Tensor
    return Tensor


def _as_tuple(x):
    if isinstance(x, tuple):
        return x
    if isinstance(x, list):
        return tuple(x)
    return (x,)


def _is_float(t):
    return t._data.dtype.kind in 'fV'


def _flat_outputs(out):
    """The function's outputs as a tuple of tensors (non-tensors dropped)."""
    Tensor = _tensor_cls()
    return tuple(o for o in _as_tuple(out) if isinstance(o, Tensor))


def _host64(arr):
    """A float64 copy of a backend array, flattened (stays on its device)."""
    return arr.astype('float64').reshape(-1)


def _numerical_jacobians(func, inputs, diff_idx, eps):
    """{input index: [per output: array (n_in, n_out)]} by central differences."""
    result = {}
    ref = _flat_outputs(func(*inputs))
    for i in diff_idx:
        x = inputs[i]
        arr = x._data
        xp = x._storage.device.xp
        n_in = arr.size
        cols = [xp.zeros((n_in, o._data.size), dtype='float64') for o in ref]
        for k, idx in enumerate(itertools.product(*[range(s) for s in arr.shape])):
            orig = arr[idx].copy()
            arr[idx] = orig - eps
            lo = [_host64(o._data) for o in _flat_outputs(func(*inputs))]
            arr[idx] = orig + eps
            hi = [_host64(o._data) for o in _flat_outputs(func(*inputs))]
            arr[idx] = orig
            for c, a, b in zip(cols, hi, lo):
                c[k] = (a - b) / (2 * eps)
        result[i] = cols
    return result


def _analytical_jacobians(outputs, inputs, diff_idx):
    """{input index: [per output: array (n_in, n_out) or None if not differentiable]}."""
    from . import grad as autograd_grad
    from .._ops.creation import zeros_like
    diff_inputs = [inputs[i] for i in diff_idx]
    result = {i: [] for i in diff_idx}
    for o in outputs:
        xp = o._storage.device.xp
        if not (o._requires_grad and _is_float(o)):
            for i in diff_idx:
                result[i].append(None)
            continue
        jac = {i: xp.zeros((inputs[i]._data.size, o._data.size), dtype='float64') for i in diff_idx}
        for j in range(o._data.size):
            cot = zeros_like(o)
            cot._data[xp.unravel_index(j, o._data.shape)] = 1  # cot may be strided like o
            grads = autograd_grad(o, diff_inputs, cot, retain_graph=True, allow_unused=True)
            for i, g in zip(diff_idx, grads):
                if g is not None:
                    if g._data.shape != inputs[i]._data.shape:
                        raise GradcheckError(f"Gradient has shape mismatch: expected {tuple(inputs[i].shape)}, "
                                             f"got {tuple(g.shape)}")
                    jac[i][:, j] = _host64(g._data)
        for i in diff_idx:
            result[i].append(jac[i])
    return result


def _fail(msg, raise_exception):
    if raise_exception:
        raise GradcheckError(msg)
    return False


def _show(arr, device):
    from .._tensor import Tensor
    return repr(Tensor._from_array(arr, device))


def gradcheck(func, inputs, *, eps=1e-06, atol=1e-05, rtol=0.001, raise_exception=True,
              nondet_tol=0.0, check_undefined_grad=True, check_grad_dtypes=False,
              check_batched_grad=False, check_batched_forward_grad=False, check_forward_ad=False,
              check_backward_ad=True, fast_mode=False, masked=None):
    """Check the gradients of `func` at `inputs` against finite differences.

    Inputs that require grad should be float64. Returns True on success; on failure raises
    GradcheckError (a RuntimeError) or, with raise_exception=False, returns False.
    check_undefined_grad, the batched/forward-AD checks, fast_mode and masked are accepted
    for compatibility and not performed.
    """
    Tensor = _tensor_cls()
    tupled = _as_tuple(inputs)
    diff_idx = [i for i, t in enumerate(tupled) if isinstance(t, Tensor) and t._requires_grad]
    if not diff_idx:
        raise ValueError("gradcheck expects at least one input tensor to require gradient, but none "
                         "of them have requires_grad=True.")
    for i in diff_idx:
        t = tupled[i]
        if t._data.dtype.kind == 'c':
            raise NotImplementedError("ember's gradcheck does not support complex inputs yet")
        if t._data.dtype.name != 'float64':
            warnings.warn(f"Input #{i} requires gradient and is not a double precision floating point "
                          "or complex. This check will likely fail if all the inputs are not of double "
                          "precision floating point or complex. ", UserWarning, stacklevel=2)
        if any(st == 0 and sz > 1 for st, sz in zip(t.stride(), t.shape)):
            raise RuntimeError(f"The {i}th input has a dimension with stride 0. gradcheck only supports "
                               "inputs that are non-overlapping to be able to compute the numerical "
                               "gradients correctly. You should call .contiguous on the input before "
                               "passing it to gradcheck.")
    if not check_backward_ad:
        return True
    with enable_grad():
        outputs = _flat_outputs(func(*tupled))
    numerical = _numerical_jacobians(func, tupled, diff_idx, eps)
    analytical = _analytical_jacobians(outputs, tupled, diff_idx)
    for oi, o in enumerate(outputs):
        dev = o._storage.device
        xp = dev.xp
        for i in diff_idx:
            n = numerical[i][oi]
            a = analytical[i][oi]
            if a is None:
                if o._data.size and bool(xp.any(n != 0)):
                    return _fail("Numerical gradient for function expected to be zero", raise_exception)
                continue
            if not bool(xp.all(xp.abs(a - n) <= atol + rtol * xp.abs(n))):
                return _fail(f"Jacobian mismatch for output {oi} with respect to input {i},\n"
                             f"numerical:{_show(n, dev)}\nanalytical:{_show(a, dev)}\n",
                             raise_exception)
    # reentrancy: a second backward with the same cotangents must give the same values
    if any(o._requires_grad for o in outputs):
        with enable_grad():
            outputs2 = _flat_outputs(func(*tupled))
        again = _analytical_jacobians(outputs2, tupled, diff_idx)
        for i in diff_idx:
            for a, b in zip(analytical[i], again[i]):
                if a is not None and b is not None:
                    xp = tupled[i]._storage.device.xp
                    if not bool(xp.all(xp.abs(a - b) <= nondet_tol)):
                        return _fail("Backward is not reentrant, i.e., running backward with same input "
                                     "and grad_output multiple times gives different values, although "
                                     "analytical gradient matches numerical gradient. The tolerance for "
                                     f"nondeterminism was {nondet_tol}.", raise_exception)
    return True


def _random_like(t, rng):
    from .._ops.creation import tensor
    arr = rng.uniform(-1.0, 1.0, size=tuple(t.shape))
    return tensor(arr, dtype=t.dtype, device=t.device, requires_grad=True)


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-06, atol=1e-05, rtol=0.001,
                  gen_non_contig_grad_outputs=False, raise_exception=True, nondet_tol=0.0,
                  check_undefined_grad=True, check_grad_dtypes=False, check_batched_grad=False,
                  check_fwd_over_rev=False, check_rev_over_rev=True, fast_mode=False, masked=False):
    """Check second derivatives: gradcheck of (inputs, grad_outputs) -> d(func)/d(inputs) . grad_outputs.

    grad_outputs default to random tensors (requiring grad) shaped like the differentiable outputs.
    """
    import numpy as np  # host-side random cotangents only
    Tensor = _tensor_cls()
    tupled = _as_tuple(inputs)
    diff_idx = [i for i, t in enumerate(tupled) if isinstance(t, Tensor) and t._requires_grad]
    if grad_outputs is None:
        with enable_grad():
            outs = _flat_outputs(func(*tupled))
        rng = np.random.default_rng(0)
        grad_outputs = tuple(_random_like(o, rng) for o in outs if o._requires_grad and _is_float(o))
    else:
        grad_outputs = _as_tuple(grad_outputs)
    n_in = len(tupled)

    def new_func(*args):
        from . import grad as autograd_grad
        inp, gos = args[:n_in], args[n_in:]
        outs = [o for o in _flat_outputs(func(*inp)) if o._requires_grad and _is_float(o)]
        diff = [inp[i] for i in diff_idx]
        pairs = [(o, g) for o, g in zip(outs, gos)]
        if not pairs:
            return ()
        grads = autograd_grad([p[0] for p in pairs], diff, [p[1] for p in pairs],
                              create_graph=True, allow_unused=True)
        return tuple(g for g in grads if g is not None)

    return gradcheck(new_func, tupled + tuple(grad_outputs), eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception, nondet_tol=nondet_tol,
                     check_undefined_grad=check_undefined_grad, check_grad_dtypes=check_grad_dtypes,
                     check_batched_grad=check_batched_grad, fast_mode=fast_mode)


# torch exposes the error class on the gradcheck module (torch.autograd.gradcheck.GradcheckError);
# in ember.autograd the name `gradcheck` is the function, so hang the class on it too.
gradcheck.GradcheckError = GradcheckError
gradgradcheck.GradcheckError = GradcheckError
