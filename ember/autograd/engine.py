"""The backward engine: walks the graph from the roots in dependency order.

Each node runs once all nodes that feed it a gradient have run. Gradients for the same
input are summed; a gradient whose shape is a broadcast of the input's is reduced here, once,
for every op (`_reduce_to`). Leaves receive their gradient through AccumulateGrad.
"""
import contextlib

from . import function as _fn
from .function import AccumulateGrad, _edge
from .grad_mode import GradState

__all__ = ['run_backward']


def _bad_shape(node, index, gshape, shape):
    name = node.name() if node is not None else 'backward'
    return RuntimeError(f"Function {name} returned an invalid gradient at index {index} - got "
                        f"{list(gshape)} but expected shape compatible with {list(shape)}")


def _reduce_to(grad, shape, np_dtype, node=None, index=0):
    """Sum a broadcast gradient down to `shape` and cast it to the input's dtype."""
    if grad._data.shape != shape:
        gshape = grad._data.shape
        lead = len(gshape) - len(shape)
        if lead < 0:
            raise _bad_shape(node, index, gshape, shape)
        inner = []
        for i, s in enumerate(shape):
            if s == 1 and gshape[lead + i] != 1:
                inner.append(lead + i)
            elif s != gshape[lead + i]:
                raise _bad_shape(node, index, gshape, shape)
        if inner:                   # broadcast size-1 dims: keep them
            grad = grad.sum(inner, keepdim=True)
        if lead:                    # leading dims: drop them (a fresh array, no reshape view)
            grad = grad.sum(tuple(range(lead)))
        if grad._data.shape != shape:
            grad = grad.reshape(shape)
    if grad._data.dtype != np_dtype and np_dtype.kind in 'fcV':
        from .._dtype import _BY_NP
        if grad._data.dtype.kind == 'c' and np_dtype.kind != 'c':
            grad = grad.real          # a real input keeps the real part, as torch does
        grad = grad.to(_BY_NP[np_dtype])
    return grad


def _collect(roots):
    """Dependency counts (number of incoming edges) of every node reachable from roots."""
    deps = {}
    seen = set()
    stack = []
    for node in roots:
        if node not in seen:
            seen.add(node)
            stack.append(node)
    while stack:
        node = stack.pop()
        for nxt, _ in node.next_functions:
            if nxt is None:
                continue
            deps[nxt] = deps.get(nxt, 0) + 1
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return deps, seen


def _needed_nodes(roots, deps, targets):
    """Nodes from which some target node is reachable (the rest need not run)."""
    order = []
    remaining = dict(deps)
    ready = [n for n in roots if remaining.get(n, 0) == 0]
    seen_ready = set(ready)
    while ready:
        node = ready.pop()
        order.append(node)
        for nxt, _ in node.next_functions:
            if nxt is None:
                continue
            remaining[nxt] -= 1
            if remaining[nxt] == 0 and nxt not in seen_ready:
                seen_ready.add(nxt)
                ready.append(nxt)
    needed = set()
    for node in reversed(order):
        if node in targets or any(n in needed for n, _ in node.next_functions if n is not None):
            needed.add(node)
    return needed


def run_backward(tensors, grad_tensors, retain_graph=False, create_graph=False,
                 inputs=None, allow_unused=False, accumulate=True):
    """Backpropagate grad_tensors from tensors.

    accumulate=True (Tensor.backward): leaves get `.grad` (only `inputs` if given).
    accumulate=False (autograd.grad): returns the gradients of `inputs` instead.
    """
    roots = []
    buffers = {}
    for t, g in zip(tensors, grad_tensors):
        node, nr = _edge(t)
        if node is None:
            raise RuntimeError("element 0 of tensors does not require grad and does not have a grad_fn")
        buf = buffers.get(node)
        if buf is None:
            buf = buffers[node] = [None] * node._n_outputs
            roots.append(node)
        if isinstance(node, AccumulateGrad):
            g = g.clone()
        buf[nr] = g if buf[nr] is None else buf[nr] + g

    deps, _ = _collect(roots)
    capture = {}      # node -> [(output_nr, index in results | non-leaf tensor for backward(inputs=))]
    results = None
    needed = None
    if inputs is not None:
        results = [None] * len(inputs)
        targets = set()
        for i, t in enumerate(inputs):
            node, nr = _edge(t)
            if node is None:
                if not accumulate:
                    raise RuntimeError("One of the differentiated Tensors does not require grad")
                continue
            targets.add(node)
            if accumulate:
                if not isinstance(node, AccumulateGrad):
                    # a non-leaf in backward(inputs=...): its .grad receives the gradient
                    capture.setdefault(node, []).append((nr, t))
            else:
                capture.setdefault(node, []).append((nr, i))
        needed = _needed_nodes(roots, deps, targets)

    prev_mode = GradState.enabled
    GradState.enabled = bool(create_graph)
    # torch never warns about inf/nan produced while computing gradients; NumPy would
    errstate = getattr(tensors[0]._storage.device.xp, 'errstate', None) if tensors else None
    quiet = errstate(all='ignore') if errstate is not None else contextlib.nullcontext()
    try:
        quiet.__enter__()
        ready = [n for n in roots if deps.get(n, 0) == 0]
        while ready:
            node = ready.pop()
            grads = buffers.pop(node, None) or [None] * node._n_outputs
            _run_node(node, grads, deps, ready, buffers, capture, results, needed,
                      retain_graph, create_graph, accumulate)
    finally:
        quiet.__exit__(None, None, None)
        GradState.enabled = prev_mode

    if results is not None and not accumulate:
        for i, r in enumerate(results):
            if r is None and not allow_unused:
                raise RuntimeError(f"The differentiated Tensor at index {i} appears to not have been used "
                                   "in the graph. Set allow_unused=True if this is the desired behavior.")
        return results
    return None


def _run_node(node, grads, deps, ready, buffers, capture, results, needed,
              retain_graph, create_graph, accumulate):
    # tensor hooks registered on this node's outputs, then retain_grad
    hooks = node._tensor_pre_hooks
    if hooks:
        for nr, fns in hooks.items():
            for fn in list(fns):
                if grads[nr] is not None:
                    r = fn(grads[nr])
                    if r is not None:
                        grads[nr] = r
    if node._retained:
        for nr, t in node._retained.items():
            g = grads[nr]
            if g is not None and t._grad_fn is node:
                t._grad = g.detach().clone() if t._grad is None else (t._grad + g).detach()
    if capture:
        cap = capture.get(node)
        if cap:
            if accumulate:   # non-leaf tensors named in backward(inputs=...)
                for nr, t in cap:
                    g = grads[nr]
                    if g is not None:
                        g = g if create_graph else g.detach()
                        t._grad = g.clone() if t._grad is None else t._grad + g
            else:
                for nr, i in cap:
                    g = grads[nr]
                    results[i] = g if (g is None or create_graph) else g.detach()

    if node.__class__ is AccumulateGrad:
        if grads[0] is not None and accumulate and (needed is None or node in needed):
            node.apply(grads[0], create_graph)
        return
    nexts = node.next_functions
    # with `inputs`, run only nodes that lead to one of them
    run = needed is None or any(n in needed for n, _ in nexts if n is not None)
    grad_inputs = None
    if run and nexts:
        for g in grads:
            if g is not None:
                grad_inputs = _call_node(node, grads, create_graph)
                if not retain_graph:
                    node._release_saved()
                break
    meta = node._input_meta
    i = 0
    for nxt, nr in nexts:
        if nxt is not None:
            if grad_inputs is not None:
                g = grad_inputs[i]
                if g is not None:
                    if meta is not None:
                        shape, dt = meta[i]
                        d = g._data
                        if d.shape != shape or d.dtype != dt:
                            pos = node._tensor_positions
                            g = _reduce_to(g, shape, dt, node, i if pos is None else pos[i])
                    buf = buffers.get(nxt)
                    if buf is None:
                        buf = buffers[nxt] = [None] * nxt._n_outputs
                        buf[nr] = g
                    else:
                        old = buf[nr]
                        buf[nr] = g if old is None else old + g
            left = deps[nxt] - 1
            deps[nxt] = left
            if left == 0:
                ready.append(nxt)
        i += 1


def _call_node(node, grads, create_graph):
    """Run one node's backward with its hooks; grads per forward tensor input."""
    if node._pre_hooks:
        for h in list(node._pre_hooks):
            r = h(tuple(grads))
            if r is not None:
                grads = list(_check_hook_result(h, r, len(grads)))
    if node._n_outputs > 1 and getattr(node, 'materialize_grads', True):
        grads = [_zeros_for(meta) if g is None and meta is not None else g
                 for g, meta in zip(grads, node._out_meta)]
    try:
        grad_inputs = node.apply(*grads)
    except Exception:
        _warn_anomaly(node)
        raise
    if grad_inputs.__class__ is not tuple:
        grad_inputs = (grad_inputs,) if not isinstance(grad_inputs, list) else tuple(grad_inputs)
    grad_inputs = _align(node, grad_inputs)
    if node._post_hooks:
        for h in list(node._post_hooks):
            r = h(grad_inputs, tuple(grads))
            if r is not None:
                grad_inputs = _check_hook_result(h, r, len(grad_inputs))
    if _fn._anomaly.enabled and _fn._anomaly.check_nan:
        for i, g in enumerate(grad_inputs):
            if g is not None and bool(g._storage.device.xp.isnan(g._data).any()):
                _warn_anomaly(node)
                raise RuntimeError(f"Function '{node.name()}' returned nan values in its {i}th output.")
    return grad_inputs


def _warn_anomaly(node):
    """In anomaly mode, show where the failing node's forward was called (torch warns too)."""
    if node._anomaly_trace:
        import warnings
        warnings.warn(f"Error detected in {node.name()}. Traceback of forward call that caused the "
                      f"error:\n{node._anomaly_trace}", stacklevel=2)


def _check_hook_result(hook, result, expected):
    result = tuple(result) if isinstance(result, (tuple, list)) else (result,)
    if len(result) != expected:
        name = getattr(hook, '__name__', repr(hook))
        raise RuntimeError(f"hook '{name}' has returned an incorrect number of values "
                           f"(got {len(result)}, but expected {expected})")
    return result


def _align(node, grad_inputs):
    """Map backward()'s results (one per forward argument) onto next_functions (tensor args)."""
    n_edges = len(node.next_functions)
    n = len(grad_inputs)
    positions = node._tensor_positions
    if positions is None and n == n_edges:
        return grad_inputs                      # the common case: one grad per tensor input
    n_args = getattr(node, '_n_args', n_edges)
    if n != n_args and (getattr(node, '_strict_arity', False) or n > n_args):
        # torch: exactly one gradient per forward input (extra trailing Nones are allowed)
        if n < n_args or any(g is not None for g in grad_inputs[n_args:]):
            raise RuntimeError(f"function {node.name()} returned an incorrect number of gradients "
                               f"(expected {n_args}, got {n})")
    if positions is None:
        if n < n_edges:
            raise RuntimeError(f"function {node.name()} returned an incorrect number of gradients "
                               f"(expected {n_args}, got {n})")
        return grad_inputs if n == n_edges else grad_inputs[:n_edges]
    return tuple(grad_inputs[p] if p < n else None for p in positions)


def _zeros_for(meta):
    from .. import zeros
    shape, dtype, device = meta
    return zeros(shape, dtype=dtype, device=device)
