"""Backward-graph nodes and `autograd.Function`.

Every differentiable op in ember is a `Function` subclass: `forward(ctx, *args)` computes the
result from backend arrays (`t._data`), `backward(ctx, *grads)` returns input gradients
written with ember Tensor ops, so the backward itself is differentiable (create_graph).
The ctx object *is* the graph node (the output's `grad_fn`), as in PyTorch: its class is
generated per Function and named like PyTorch's (`MulBackward0`, or `<Name>Backward` for
user Functions).
"""
import itertools
from sys import getrefcount as _getrefcount

from .. import _blas
from .grad_mode import GradState

__all__ = ['Function', 'Node', 'FunctionCtx', 'BackwardCFunction', 'AccumulateGrad',
           'once_differentiable']

_FREED_MSG = (
    "Trying to backward through the graph a second time (or directly access saved tensors "
    "after they have already been freed). Saved intermediate values of the graph are freed "
    "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
    "backward through the graph a second time or if you need to access saved tensors after "
    "calling backward.")

_sequence = itertools.count()
Tensor = None  # set by ember._tensor to break the import cycle


class Node:
    """A node of the backward graph. `next_functions` holds (node, output_nr) per input."""
    next_functions = ()
    _tensor_pre_hooks = None   # {output_nr: [hook(grad) -> grad|None]}
    _retained = None           # {output_nr: tensor} for retain_grad()
    _pre_hooks = None          # [hook(grad_outputs) -> grad_outputs|None]
    _post_hooks = None         # [hook(grad_inputs, grad_outputs) -> grad_inputs|None]
    _anomaly_trace = None
    _n_outputs = 1
    _out_meta = None
    _input_meta = None         # [(shape, dtype)] per tensor input: grads are reduced/cast to it
    _tensor_positions = None   # forward-arg positions of the tensor inputs, when not all are

    def name(self):
        return type(self).__name__

    @property
    def metadata(self):
        md = self.__dict__.get('_metadata')
        if md is None:
            md = self._metadata = {}
        return md

    def register_hook(self, fn):
        """fn(grad_inputs, grad_outputs) runs after this node's backward; may return new grad_inputs."""
        from ..utils.hooks import RemovableHandle
        if self._post_hooks is None:
            self._post_hooks = []
        return RemovableHandle(self._post_hooks, fn)

    def register_prehook(self, fn):
        """fn(grad_outputs) runs before this node's backward; may return new grad_outputs."""
        from ..utils.hooks import RemovableHandle
        if self._pre_hooks is None:
            self._pre_hooks = []
        return RemovableHandle(self._pre_hooks, fn)

    def _add_tensor_pre_hook(self, output_nr, fn):
        from ..utils.hooks import RemovableHandle
        if self._tensor_pre_hooks is None:
            self._tensor_pre_hooks = {}
        return RemovableHandle(self._tensor_pre_hooks.setdefault(output_nr, []), fn)

    def _release_saved(self):
        pass

    def __repr__(self):
        return f"<{self.name()} object at {hex(id(self))}>"


class AccumulateGrad(Node):
    """The node of a leaf tensor: adds the incoming gradient into `variable.grad`."""

    def __init__(self, variable):
        self.variable = variable

    def name(self):
        return 'torch::autograd::AccumulateGrad'

    def apply(self, grad, create_graph=False):
        var = self.variable
        old = var._grad
        if create_graph:
            var._grad = grad if old is None else old + grad
        elif old is None:
            # .grad must own writable, contiguous memory that nothing else sees (optimizers and
            # clip_grad_norm_ write into it). Take the incoming array when no other tensor or
            # view holds it (reference counts, as torch does), otherwise copy it. Expected refs:
            # array <- grad._data, its Storage, `arr`, getrefcount's argument; tensor <- the
            # engine's buffer list, `grad`, getrefcount's argument.
            arr = grad._data
            if (arr.base is None and arr.flags.c_contiguous and getattr(arr.flags, 'writeable', True)
                    and _getrefcount(arr) <= 4 and _getrefcount(grad) <= 3
                    and grad._storage.device == var._storage.device):
                var._grad = grad if grad._grad_fn is None and not grad._requires_grad else grad.detach()
            else:
                var._grad = Tensor._from_array(arr.copy(), var._storage.device)
        elif old._grad_fn is not None or old._requires_grad:
            var._grad = (old + grad).detach()
        elif not _blas.axpy(1.0, grad._data, old._data):     # one multi-threaded pass when it applies
            old._data += grad._data.astype(old._data.dtype, copy=False)
        hooks = var.__dict__.get('_post_accumulate_hooks')
        if hooks:
            for h in list(hooks):
                h(var)
        return ()


class FunctionCtx:
    """What forward() and backward() may call on ctx."""

    def save_for_backward(self, *tensors):
        self._saved = tensors
        self._saved_versions = tuple([(t._storage.version, t._grad_fn, t._output_nr)
                                      if t is not None else None for t in tensors])

    @property
    def saved_tensors(self):
        saved = self._saved
        if saved is None:
            raise RuntimeError(_FREED_MSG)
        for t, v in zip(saved, self._saved_versions):
            if t is not None and t._storage.version != v[0]:
                _raise_modified(self, t, v)
        outs = self._saved_outputs
        if outs:
            # outputs are stored without their grad_fn (no node -> tensor -> node cycle);
            # hand them back connected to this node again, for double backward
            saved = list(saved)
            for pos, nr in outs:
                u = saved[pos]._alias()
                u._grad_fn, u._output_nr, u._requires_grad = self, nr, True
                saved[pos] = u
            saved = tuple(saved)
        return saved

    def mark_dirty(self, *tensors):
        self._dirty = tensors

    def mark_non_differentiable(self, *tensors):
        self._non_diff = tensors

    def set_materialize_grads(self, value):
        self.materialize_grads = bool(value)

    def save_for_forward(self, *tensors):
        self._saved_forward = tensors


def _raise_modified(node, t, saved_meta):
    import re
    from .._printing import type_name
    expected, fn, nr = saved_meta
    owner = ''
    if fn is _THIS_NODE:
        fn = node
    if fn is None and t._grad_fn is not None:
        fn, nr = node, t._output_nr      # saved before linking: an output of this node
    if fn is not None:
        owner = f", which is output {nr} of {re.sub(r'Backward[0-9]*$', '', fn.name())},"
    raise RuntimeError(
        f"one of the variables needed for gradient computation has been modified by an inplace "
        f"operation: [{type_name(t)} {list(t.shape)}]{owner} is at version {t._storage.version}; "
        f"expected version {expected} instead. Hint: enable anomaly detection to find the "
        f"operation that failed to compute its gradient, with "
        f"torch.autograd.set_detect_anomaly(True, check_nan=False).")


class BackwardCFunction(Node, FunctionCtx):
    """Base of the generated node classes: the ctx of one Function call."""
    _saved = ()
    _saved_versions = ()
    _dirty = ()
    _non_diff = ()
    materialize_grads = True
    needs_input_grad = ()
    _fwd_cls = None
    _strict_arity = False
    _tensor_positions = None
    _input_meta = None
    _saved_outputs = ()        # [(position in _saved, output_nr)] of outputs saved for backward

    def apply(self, *grads):
        return self._fwd_cls.backward(self, *grads)

    def _release_saved(self):
        if self._saved:
            self._saved = None
        attrs = self._fwd_cls.saved_attrs
        if attrs:
            d = self.__dict__
            for name in attrs:
                d.pop(name, None)

    def __getattr__(self, name):
        if name in self._fwd_cls.saved_attrs:
            raise RuntimeError(_FREED_MSG)   # freed by backward, like saved tensors
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")


class _FunctionMeta(type):
    def __init__(cls, name, bases, attrs, node_name=None, **kw):
        super().__init__(name, bases, attrs)
        # user Functions get torch's strict check of the number of gradients backward returns
        strict = not (cls.__module__ or '').startswith('ember.')
        cls._backward_cls = type(node_name or name + 'Backward', (BackwardCFunction,),
                                 {'_fwd_cls': cls, '__module__': cls.__module__,
                                  '_strict_arity': strict})

    def __new__(mcs, name, bases, attrs, node_name=None, **kw):
        return super().__new__(mcs, name, bases, attrs)


def _refresh_view(t):
    """Regenerate the history of a view whose base was modified in place after the view's
    history was recorded (torch does the same lazily): replay the view from its base."""
    base = t._base
    if base is None or not base._requires_grad:
        return
    recorded = t.__dict__.get('_gf_version')
    if recorded is None or recorded == t._storage.version:
        return
    prev = GradState.enabled
    GradState.enabled = True
    try:
        r = base
        for op, args in t._view_chain:
            r = op(r, *args)
    finally:
        GradState.enabled = prev
    t._grad_fn = r._grad_fn
    t._output_nr = r._output_nr
    t._requires_grad = r._requires_grad
    t._gf_version = t._storage.version


def _edge(t):
    if t._base is not None:
        _refresh_view(t)
    fn = t._grad_fn
    if fn is not None:
        return (fn, t._output_nr)
    if t._requires_grad:
        return (t._accumulate_grad_node(), 0)
    return (None, 0)


class Function(metaclass=_FunctionMeta):
    """Base class of differentiable operations (torch.autograd.Function).

    Subclasses define static `forward(ctx, *args)` and `backward(ctx, *grad_outputs)` and are
    called through `apply`. forward runs with grad recording off; it may return Tensors or
    backend arrays (wrapped on the device of the first tensor argument).
    """

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom autograd.Function.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement either the backward or vjp method for "
                                  "your custom autograd.Function to use it with backward mode AD.")

    vjp = backward

    # ctx attributes holding saved arrays (besides save_for_backward): freed after backward
    # unless retain_graph, like saved tensors
    saved_attrs = ()

    @staticmethod
    def setup_context(ctx, inputs, output):
        raise NotImplementedError

    @classmethod
    def apply(cls, *args, **kwargs):
        ctx = cls._backward_cls()
        prev = GradState.enabled
        track = False
        if prev:
            for a in args:
                if isinstance(a, Tensor):
                    if a._base is not None:
                        _refresh_view(a)
                    if a._requires_grad:
                        track = True
        if track or ctx._strict_arity:   # user Functions see it even under no_grad, as in torch
            ctx.needs_input_grad = tuple(isinstance(a, Tensor) and a._requires_grad for a in args)
        GradState.enabled = False
        try:
            if cls.setup_context is Function.setup_context:
                out = cls.forward(ctx, *args, **kwargs)
            else:
                out = cls.forward(*args, **kwargs)
                cls.setup_context(ctx, args, out)
        finally:
            GradState.enabled = prev
        if not isinstance(out, tuple):
            if not isinstance(out, Tensor):
                out = _wrap_output(out, args)
            if track:
                out = _link_single(ctx, args, out)
            elif GradState.inference:
                out._inference = True
            if out._base is not None:
                out._gf_version = out._storage.version
            return out
        outs = tuple(o if (o is None or isinstance(o, Tensor) or not hasattr(o, 'shape'))
                     else _wrap_output(o, args) for o in out)
        if track:
            outs = _link_multi(ctx, args, outs)
        elif GradState.inference:
            for o in outs:
                if isinstance(o, Tensor):
                    o._inference = True
        for o in outs:
            if isinstance(o, Tensor) and o._base is not None:
                o._gf_version = o._storage.version
        return outs


def _wrap_output(arr, args):
    for a in args:
        if isinstance(a, Tensor):
            return Tensor._from_array(arr, a._storage.device)
    return Tensor._from_array(arr)


def _set_edges(ctx, args):
    """Record the graph edges and input metadata of a tracked call (one pass over args)."""
    edges = []
    meta = []
    positions = []
    for i, a in enumerate(args):
        if isinstance(a, Tensor):
            fn = a._grad_fn
            if fn is not None:
                edges.append((fn, a._output_nr))
            elif a._requires_grad:
                edges.append((a._accumulate_grad_node(), 0))
            else:
                edges.append(_NO_EDGE)
            d = a._data
            meta.append((d.shape, d.dtype))
            positions.append(i)
    ctx.next_functions = tuple(edges)
    ctx._input_meta = meta
    n = len(args)
    ctx._n_args = n
    if len(positions) != n:
        ctx._tensor_positions = positions
    if _anomaly.enabled:
        import traceback
        ctx._anomaly_trace = ''.join(traceback.format_stack()[:-3])


_NO_EDGE = (None, 0)


def _link_single(ctx, args, out):
    _set_edges(ctx, args)
    if ctx._dirty:
        _rebase_dirty(ctx)
        return out
    for o in ctx._non_diff:
        if o is out:
            return out
    for a in args:
        if a is out:
            out = _input_view(out)   # an input returned unchanged: a view of it with this history
            break
    if out._data.dtype.kind in 'fcV':
        out._grad_fn = ctx
        out._output_nr = 0
        out._requires_grad = True
        if ctx._saved:
            _detach_saved_output(ctx, out, 0)
    return out


def _detach_saved_output(ctx, out, nr):
    """Store an output the node saved for itself without its grad_fn (breaks the ref cycle)."""
    saved = ctx._saved
    for i, t in enumerate(saved):
        if t is out:
            saved = list(saved)
            saved[i] = out._alias()
            ctx._saved = tuple(saved)
            versions = list(ctx._saved_versions)
            versions[i] = (versions[i][0], _THIS_NODE, nr)
            ctx._saved_versions = tuple(versions)
            ctx._saved_outputs = ctx._saved_outputs + ((i, nr),)


_THIS_NODE = object()   # marks "an output of the node that saved it" in _saved_versions


_DIRTY_LEAF_MSG = "a leaf Variable that requires grad has been used in an in-place operation."


def _replay_alias(t):
    return t.view_as(t)


def _input_view(t):
    """A view of `t` on the same memory (what torch returns for an input passed through)."""
    return t._view(t._data, _replay_alias, ())


def _rebase_dirty(ctx):
    for i, t in enumerate(ctx._dirty):
        if t._grad_fn is None and t._requires_grad:
            raise RuntimeError(_DIRTY_LEAF_MSG)
        t._storage.version += 1
        t._grad_fn = ctx
        t._output_nr = i
        t._requires_grad = True


def _link_multi(ctx, args, outs):
    _set_edges(ctx, args)
    ctx._n_outputs = len(outs)
    ctx._out_meta = tuple((o._data.shape, o.dtype, o._storage.device) if isinstance(o, Tensor) else None
                          for o in outs)
    dirty = ctx._dirty
    non_diff = ctx._non_diff
    result = []
    for nr, o in enumerate(outs):
        if isinstance(o, Tensor):
            if any(o is a for a in args) and not any(o is d for d in dirty):
                o = _input_view(o)
            if any(o is d for d in dirty):
                if o._grad_fn is None and o._requires_grad:
                    raise RuntimeError(_DIRTY_LEAF_MSG)
                o._storage.version += 1
            if not any(o is n for n in non_diff) and o._data.dtype.kind in 'fcV':
                o._grad_fn = ctx
                o._output_nr = nr
                o._requires_grad = True
                if ctx._saved:
                    _detach_saved_output(ctx, o, nr)
        result.append(o)
    return tuple(result)


class _AnomalyState:
    enabled = False
    check_nan = True


_anomaly = _AnomalyState


def once_differentiable(fn):
    """Decorator for backward(): run it without recording a graph (its result is not differentiable)."""
    import functools

    @functools.wraps(fn)
    def wrapper(ctx, *args):
        from .grad_mode import no_grad
        with no_grad():
            return fn(ctx, *args)
    return wrapper
