"""The backward engine: walks the graph from the roots in dependency order.

Each node runs once all nodes that feed it a gradient have run. Gradients for the same
input are summed; a gradient whose shape is a broadcast of the input's is reduced here, once,
for every op (`_reduce_to`). Leaves receive their gradient through AccumulateGrad.
"""
from . import function as _fn
from .function import AccumulateGrad, _edge
from .grad_mode import GradState

__all__ = ['run_backward']


def _reduce_to(grad, shape, np_dtype):
    """Sum a broadcast gradient down to `shape` and cast it to the input's dtype."""
    if grad._data.shape != shape:
        gshape = grad._data.shape
        lead = len(gshape) - len(shape)
        if lead < 0:
            raise RuntimeError(f"Function backward returned a gradient of shape {list(gshape)} "
                               f"that is not broadcastable to the input shape {list(shape)}")
        dims = list(range(lead))
        for i, s in enumerate(shape):
            if s == 1 and gshape[lead + i] != 1:
                dims.append(lead + i)
            elif s != gshape[lead + i]:
                raise RuntimeError(f"Function backward returned an invalid gradient: got shape "
                                   f"{list(gshape)} but expected shape compatible with {list(shape)}")
        if dims:
            grad = grad.sum(dims, keepdim=True)
        if lead:
            grad = grad.reshape(shape)
        elif grad._data.shape != shape:
            grad = grad.reshape(shape)
    if grad._data.dtype != np_dtype and np_dtype.kind in 'fcV':
        from .._dtype import _BY_NP
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
    Tensor = _fn.Tensor
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
    capture = {}      # node -> [(output_nr, index in results)]
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
            capture.setdefault(node, []).append((nr, i))
            targets.add(node)
        needed = _needed_nodes(roots, deps, targets)
        if accumulate:
            capture = {}

    prev_mode = GradState.enabled
    GradState.enabled = bool(create_graph)
    try:
        ready = [n for n in roots if deps.get(n, 0) == 0]
        while ready:
            node = ready.pop()
            grads = buffers.pop(node, None) or [None] * node._n_outputs
            _run_node(node, grads, deps, ready, buffers, capture, results, needed,
                      retain_graph, create_graph, accumulate)
    finally:
        GradState.enabled = prev_mode

    if results is not None and not accumulate:
        for i, r in enumerate(results):
            if r is None and not allow_unused:
                raise RuntimeError("One of the differentiated Tensors appears to not have been used "
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
    cap = capture.get(node) if capture else None
    if cap:
        for nr, i in cap:
            g = grads[nr]
            results[i] = g if (g is None or create_graph) else g.detach()

    run = (needed is None or node in needed) and not (cap and not accumulate and
                                                       isinstance(node, AccumulateGrad))
    if run and isinstance(node, AccumulateGrad):
        if grads[0] is not None and (accumulate or needed is None):
            node.apply(grads[0], create_graph)
        return
    nexts = node.next_functions
    grad_inputs = None
    if run and nexts and any(g is not None for g in grads):
        if node._pre_hooks:
            for h in list(node._pre_hooks):
                r = h(tuple(grads))
                if r is not None:
                    grads = list(r)
        if node._n_outputs > 1 and getattr(node, 'materialize_grads', True):
            grads = [_zeros_for(meta) if g is None and meta is not None else g
                     for g, meta in zip(grads, node._out_meta)]
        try:
            grad_inputs = node.apply(*grads)
        except Exception:
            if node._anomaly_trace:
                import sys
                print(f"Traceback of forward call that caused the error:\n{node._anomaly_trace}",
                      file=sys.stderr)
            raise
        if not isinstance(grad_inputs, tuple):
            grad_inputs = (grad_inputs,) if not isinstance(grad_inputs, list) else tuple(grad_inputs)
        grad_inputs = _align(node, grad_inputs)
        if node._post_hooks:
            for h in list(node._post_hooks):
                r = h(grad_inputs, tuple(grads))
                if r is not None:
                    grad_inputs = tuple(r)
        if _fn._anomaly.enabled and _fn._anomaly.check_nan:
            for g in grad_inputs:
                if g is not None and bool(g.isnan().any()):
                    raise RuntimeError(f"Function '{node.name()}' returned nan values in its 0th output.")
    if not retain_graph:
        node._release_saved()
    meta = getattr(node, '_input_meta', None)
    for i, (nxt, nr) in enumerate(nexts):
        if nxt is None:
            continue
        if grad_inputs is not None:
            g = grad_inputs[i]
            if g is not None:
                if meta is not None:
                    shape, dt = meta[i]
                    if g._data.shape != shape or g._data.dtype != dt:
                        g = _reduce_to(g, shape, dt)
                buf = buffers.get(nxt)
                if buf is None:
                    buf = buffers[nxt] = [None] * nxt._n_outputs
                buf[nr] = g if buf[nr] is None else buf[nr] + g
        deps[nxt] -= 1
        if deps[nxt] == 0:
            ready.append(nxt)


def _align(node, grad_inputs):
    """Map backward()'s results (one per forward argument) onto next_functions (tensor args)."""
    n_edges = len(node.next_functions)
    positions = getattr(node, '_tensor_positions', None)
    if positions is None:
        if len(grad_inputs) != n_edges:
            n_args = getattr(node, '_n_args', n_edges)
            if len(grad_inputs) < n_args or any(g is not None for g in grad_inputs[n_args:]):
                raise RuntimeError(f"function {node.name()} returned an incorrect number of gradients "
                                   f"(expected {n_args}, got {len(grad_inputs)})")
        return grad_inputs
    if len(grad_inputs) < len(positions) and len(grad_inputs) != n_edges:
        raise RuntimeError(f"function {node.name()} returned an incorrect number of gradients "
                           f"(expected {node._n_args}, got {len(grad_inputs)})")
    return tuple(grad_inputs[p] if p < len(grad_inputs) else None for p in positions)


def _zeros_for(meta):
    from .. import zeros
    shape, dtype, device = meta
    return zeros(shape, dtype=dtype, device=device)
