"""add_graph: trace an nn.Module into a GraphDef that TensorBoard's graph plugin draws.

How the trace works (no JIT): the model runs once with gradient recording on and the inputs
marked as requiring grad, so every differentiable op leaves a node in the autograd graph.
Forward pre/post hooks on every submodule keep a scope stack (`Net/Sequential[seq]/Linear[0]`);
when a module returns, the autograd nodes reachable from its outputs that no scope owns yet
were created inside it, so they get its scope (inner modules return first, so the deepest scope
wins). Parameters show up as leaves (AccumulateGrad) and are named after the module owning them.
The model runs in eval mode (its modes are restored afterwards). Each op becomes a NodeDef with op type `aten::<name>`, its input edges and its output shapes.
"""
import re

from tensorboard.compat.proto.attr_value_pb2 import AttrValue
from tensorboard.compat.proto.config_pb2 import RunMetadata
from tensorboard.compat.proto.graph_pb2 import GraphDef
from tensorboard.compat.proto.node_def_pb2 import NodeDef
from tensorboard.compat.proto.step_stats_pb2 import DeviceStepStats, StepStats
from tensorboard.compat.proto.tensor_shape_pb2 import TensorShapeProto
from tensorboard.compat.proto.versions_pb2 import VersionDef


def _op_type(node):
    """AddmmBackward0 -> aten::addmm, MaxPool2DWithIndicesBackward0 -> aten::max_pool2d_with_indices."""
    name = type(node).__name__
    if name == 'AccumulateGrad':
        return 'prim::GetAttr'
    name = re.sub(r'Backward\d*$', '', name)
    name = re.sub(r'(\d)D', r'\1d', name)
    name = re.sub(r'(.)([A-Z][a-z]+)', r'\1_\2', name)
    name = re.sub(r'([a-z0-9])([A-Z])', r'\1_\2', name)
    return 'aten::' + name.lower()


def _tensors(obj):
    """Tensors inside a (nested) module output."""
    from ember._tensor import Tensor
    if isinstance(obj, Tensor):
        return [obj]
    if isinstance(obj, (list, tuple)):
        return [t for o in obj for t in _tensors(o)]
    if isinstance(obj, dict):
        return [t for o in obj.values() for t in _tensors(o)]
    return []


def _shape_attr(shapes):
    return AttrValue(list=AttrValue.ListValue(shape=[
        TensorShapeProto(dim=[TensorShapeProto.Dim(size=int(d)) for d in s]) for s in shapes]))


def _node(name, op, inputs=(), attr='', shapes=None):
    n = NodeDef(name=name, op=op, input=list(inputs))
    n.attr['attr'].CopyFrom(AttrValue(s=attr.encode()))
    if shapes is not None:
        n.attr['_output_shapes'].CopyFrom(_shape_attr(shapes))
    return n


def _module_scopes(model):
    """id(module) -> scope name like torch's: Net/Sequential[seq]/Linear[0]."""
    scopes = {id(model): type(model).__name__}
    stack = [model]
    while stack:
        mod = stack.pop()
        for name, child in mod._modules.items():
            if child is not None and id(child) not in scopes:
                scopes[id(child)] = f'{scopes[id(mod)]}/{type(child).__name__}[{name}]'
                stack.append(child)
    return scopes


def _walk(start_nodes, owner, scope):
    """Give `scope` to every autograd node reachable from start_nodes that has no owner yet."""
    stack = [n for n in start_nodes if n is not None]
    while stack:
        node = stack.pop()
        if id(node) in owner or type(node).__name__ == 'AccumulateGrad':
            continue
        owner[id(node)] = (scope, node)
        for fn, _ in getattr(node, 'next_functions', ()):
            if fn is not None:
                stack.append(fn)


def graph(model, args, verbose=False):
    """Run `model(*args)` once and return (GraphDef, RunMetadata) for TensorBoard."""
    import ember
    from ember._tensor import Tensor

    if args is None:
        args = ()
    elif not isinstance(args, (list, tuple)):
        args = (args,)
    traced_args = []
    input_names = {}   # id(leaf tensor) -> IO node name
    io_nodes = []
    for i, a in enumerate(args):
        if isinstance(a, Tensor):
            name = f'input/input.{i}'
            t = a.detach()
            if t.dtype.is_floating_point or t.dtype.is_complex:
                t = t.clone().requires_grad_(True)
            input_names[id(t)] = name
            io_nodes.append(_node(name, 'IO Node', shapes=[tuple(t.shape)]))
            traced_args.append(t)
        else:
            traced_args.append(a)

    scopes = _module_scopes(model)
    param_names = {}   # id(param) -> node name
    for _, mod in model.named_modules():
        for pname, p in mod._parameters.items():
            if p is not None and id(p) not in param_names:
                param_names[id(p)] = f'{scopes.get(id(mod), type(mod).__name__)}/{pname}'

    owner = {}         # id(autograd node) -> (scope, node)
    stack = []

    def pre_hook(mod, inputs):
        if stack:   # nodes made by the enclosing module's own code before this call
            _walk([t._grad_fn for t in _tensors(inputs)], owner, stack[-1])
        stack.append(scopes.get(id(mod), type(mod).__name__))

    def post_hook(mod, inputs, output):
        scope = stack.pop()
        _walk([t._grad_fn for t in _tensors(output)], owner, scope)

    # traced in eval mode (no BatchNorm statistics update, no dropout), as torch does
    modes = [(mod, mod.training) for mod in model.modules()]
    model.eval()
    handles = []
    for mod in model.modules():
        handles.append(mod.register_forward_pre_hook(pre_hook))
        handles.append(mod.register_forward_hook(post_hook))
    try:
        with ember.enable_grad():
            out = model(*traced_args)
    finally:
        for h in handles:
            h.remove()
        for mod, mode in modes:
            mod.training = mode
    outputs = _tensors(out)
    root = type(model).__name__
    _walk([t._grad_fn for t in outputs], owner, root)

    # output shapes, from the consumers' recorded input metadata and from the outputs
    shapes = {}
    for _, node in owner.values():
        meta = getattr(node, '_input_meta', None) or ()
        for (fn, nr), m in zip(getattr(node, 'next_functions', ()), meta):
            if fn is not None:
                shapes[(id(fn), nr)] = tuple(m[0])
        for nr, m in enumerate(getattr(node, '_out_meta', None) or ()):
            if m is not None:
                shapes[(id(node), nr)] = tuple(m[0])
    for t in outputs:
        if t._grad_fn is not None:
            shapes[(id(t._grad_fn), t._output_nr)] = tuple(t.shape)

    # names: scope/op, made unique in order of creation (sequence_nr is not needed: ids suffice)
    names = {}
    used = set()
    for key, (scope, node) in owner.items():
        base = f'{scope}/{_op_type(node).split("::")[-1]}'
        name, k = base, 0
        while name in used:
            k += 1
            name = f'{base}.{k}'
        used.add(name)
        names[key] = name

    param_nodes = {}

    def source(fn, nr):
        """Name of the node feeding an edge (an op, a parameter or a model input)."""
        if type(fn).__name__ == 'AccumulateGrad':
            var = fn.variable
            if id(var) in input_names:
                return input_names[id(var)]
            name = param_names.get(id(var))
            if name is None:
                name = f'{root}/constant.{len(param_nodes)}'
            if name not in param_nodes:
                pname = name.rsplit('/', 1)[-1]
                param_nodes[name] = _node(name, 'prim::GetAttr', attr=f'{{ name :  {pname} }}',
                                          shapes=[tuple(var.shape)])
            return name
        name = names.get(id(fn))
        if name is None:
            return None
        return name if nr == 0 else f'{name}:{nr}'

    op_nodes = []
    for key, (scope, node) in owner.items():
        inputs = [s for fn, nr in getattr(node, 'next_functions', ()) if fn is not None
                  for s in [source(fn, nr)] if s is not None]
        outs = sorted((nr, s) for (nid, nr), s in shapes.items() if nid == key)
        op_nodes.append(_node(names[key], _op_type(node), inputs, attr='{}',
                              shapes=[s for _, s in outs] if outs else None))
    op_nodes.reverse()   # creation order (the walk went from outputs back to inputs)

    for i, t in enumerate(outputs):
        if t._grad_fn is not None:
            src = source(t._grad_fn, t._output_nr)
        else:
            src = input_names.get(id(t))
        io_nodes.append(_node(f'output/output.{i + 1}', 'IO Node', [src] if src else [],
                              shapes=[tuple(t.shape)]))

    gd = GraphDef(node=io_nodes + list(param_nodes.values()) + op_nodes,
                  versions=VersionDef(producer=22))
    if verbose:
        print(gd)
    meta = RunMetadata(step_stats=StepStats(dev_stats=[DeviceStepStats(device='/device:CPU:0')]))
    return gd, meta
