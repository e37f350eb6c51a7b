"""einsum: Einstein summation over an equation string (or torch's sublist form).

The equation is first made explicit (ellipses expanded to letters, implicit output spelled out),
then the forward is one `xp.einsum(..., optimize=True)` call. The gradient of each operand is
another einsum of the incoming gradient with the other operands, so einsum is differentiable to
any order. Repeated letters in an operand (a diagonal) are handled by contracting with identity
matrices; letters summed out of one operand alone are restored with a vector of ones.
"""
from .._tensor import Tensor
from ..autograd.function import Function
from ._util import device_of

__all__ = ['einsum']

_LETTERS = [chr(c) for c in range(ord('A'), ord('Z') + 1)] + [chr(c) for c in range(ord('a'), ord('z') + 1)]
_WORD = {'float32': 'Float', 'float64': 'Double', 'float16': 'Half', 'bfloat16': 'BFloat16',
         'int64': 'Long', 'int32': 'Int', 'int16': 'Short', 'int8': 'Char', 'uint8': 'Byte',
         'bool': 'Bool', 'complex64': 'ComplexFloat', 'complex128': 'ComplexDouble'}


def _sublist_to_eq(args):
    """torch's einsum(op0, [0, 1], op1, [1, 2], [0, 2]) form -> (equation, operands)."""
    def term(sub):
        s = ''
        for x in sub:
            if x is Ellipsis:
                s += '...'
            elif isinstance(x, int) and 0 <= x < 52:
                s += _LETTERS[x]
            else:
                raise RuntimeError(f"einsum(): expected subscript to be in [0, 52) but got {x}")
        return s
    ops, terms = list(args[0::2]), [term(s) for s in args[1::2]]
    n = len(args) // 2
    ops, terms = ops[:n], terms[:n]
    eq = ','.join(terms)
    if len(args) % 2:
        eq += '->' + term(args[-1])
    return eq, ops


def _parse(eq, shapes):
    """Explicit form of eq: (list of input terms, output term), ellipses expanded."""
    eq = eq.replace(' ', '')
    if '->' in eq:
        lhs, rhs = eq.split('->', 1)
    else:
        lhs, rhs = eq, None
    terms = lhs.split(',')
    if len(terms) > len(shapes):
        raise RuntimeError("einsum(): fewer operands were provided than specified in the equation")
    if len(terms) < len(shapes):
        raise RuntimeError("einsum(): more operands were provided than specified in the equation")
    used = set(c for c in eq if c.isalpha())
    for c in eq:
        if not (c.isalpha() or c in '.,->'):
            raise RuntimeError(f"einsum(): invalid subscript given at index {eq.index(c)} in the equation "
                               f"string, subscripts must be in [a-zA-Z]")
    pool = [c for c in _LETTERS if c not in used]
    n_ell = 0
    parts = []
    for i, (t, shape) in enumerate(zip(terms, shapes)):
        if '...' in t:
            pre, post = t.split('...', 1)
            k = len(shape) - len(pre) - len(post)
            if k < 0:
                raise RuntimeError(f"einsum(): the number of subscripts in the equation ({len(pre) + len(post)}) "
                                   f"is more than the number of dimensions ({len(shape)}) for operand {i}")
            n_ell = max(n_ell, k)
            parts.append((pre, k, post))
        else:
            if len(t) != len(shape):
                raise RuntimeError(f"einsum(): the number of subscripts in the equation ({len(t)}) does not "
                                   f"match the number of dimensions ({len(shape)}) for operand {i} and no "
                                   f"ellipsis was given")
            parts.append((t, None, ''))
    ell = ''.join(pool[:n_ell])
    ins = [pre if k is None else pre + ell[n_ell - k:] + post for pre, k, post in parts]
    if rhs is None:
        counts = {}
        for t in ins:
            for c in t:
                counts[c] = counts.get(c, 0) + 1
        out = ell + ''.join(sorted(c for c, n in counts.items() if n == 1 and c not in ell))
    else:
        out = rhs.replace('...', ell)
        for c in out:
            if out.count(c) > 1:
                raise RuntimeError(f"einsum(): output subscript {c} appears more than once in the output")
            if not any(c in t for t in ins):
                raise RuntimeError(f"einsum(): output subscript {c} does not appear in the equation for "
                                   f"any input operand")
    return ins, out


class _Einsum(Function, node_name='ViewBackward0'):
    # torch's einsum result is usually a view of a bmm; its node is then ViewBackward0
    @staticmethod
    def forward(ctx, ins, out, *ops):
        ctx.ins, ctx.out = ins, out
        if ctx.needs_input_grad:
            ctx.save_for_backward(*ops)
        xp = ops[0]._storage.device.xp
        arrays = [o._data for o in ops]
        dt = arrays[0].dtype
        low = dt.itemsize == 2 and dt.kind == 'f' or dt.name == 'bfloat16'
        if low:
            arrays = [a.astype('float32') for a in arrays]
        r = xp.einsum(','.join(ins) + '->' + out, *arrays, optimize=len(arrays) > 1)
        r = xp.asarray(r)
        return r.astype(dt) if low or r.dtype != dt else r

    @staticmethod
    def backward(ctx, g):
        ops = ctx.saved_tensors
        ins, out = ctx.ins, ctx.out
        grads = [None, None]
        for i, need in enumerate(ctx.needs_input_grad[2:]):
            grads.append(_operand_grad(g, ops, ins, out, i) if need else None)
        return tuple(grads)


def _operand_grad(g, ops, ins, out, i):
    """d(einsum)/d(operand i) contracted with g: an einsum of g with the other operands."""
    xp = g._storage.device.xp
    dev = g._storage.device
    used = set(''.join(ins) + out)
    fresh = [c for c in _LETTERS if c not in used]
    terms, tensors = [out], [g]
    for j, (t, o) in enumerate(zip(ins, ops)):
        if j != i:
            terms.append(t)
            tensors.append(o.conj() if o._data.dtype.kind == 'c' else o)
    target = ''
    shape = ops[i]._data.shape
    seen = set()
    for c, size in zip(ins[i], shape):
        if c in seen:                       # diagonal: pick it out with an identity matrix
            f = fresh.pop(0)
            terms.append(c + f)
            tensors.append(Tensor._from_array(xp.eye(size, dtype=g._data.dtype), dev))
            target += f
        else:
            seen.add(c)
            target += c
    present = set(''.join(terms))
    for c, size in zip(ins[i], shape):
        if c not in present:                # summed out of this operand alone: broadcast back
            terms.append(c)
            tensors.append(Tensor._from_array(xp.ones(size, dtype=g._data.dtype), dev))
            present.add(c)
    r = _Einsum.apply(terms, target, *tensors)
    if r._data.shape != shape:
        # a letter the operand had at full size but every other term only at size 1
        r = r.expand(tuple(s if q == 1 else q for s, q in zip(shape, r._data.shape)))
    return r


def einsum(*args):
    """Sum of products over the indices of an Einstein-notation equation, e.g.
    einsum('bij,bjk->bik', a, b); operands may also be passed as one list."""
    if not args:
        raise TypeError("einsum(): must specify the equation string and at least one operand, or at "
                        "least one operand and its subscripts list")
    if isinstance(args[0], str):
        eq, ops = args[0], list(args[1:])
        if len(ops) == 1 and isinstance(ops[0], (list, tuple)):
            ops = list(ops[0])
    else:
        eq, ops = _sublist_to_eq(args)
    if not ops:
        raise RuntimeError("einsum(): must provide at least one operand")
    for o in ops:
        if not isinstance(o, Tensor):
            raise TypeError(f"einsum(): argument 'operands' must be tuple of Tensors, not {type(o).__name__}")
    device_of(*ops)
    ins, out = _parse(eq, [o._data.shape for o in ops])
    dt = ops[0]._data.dtype
    for o in ops[1:]:
        if o._data.dtype != dt:
            raise RuntimeError(f"expected scalar type {_WORD.get(ops[0].dtype.name)} but found "
                               f"{_WORD.get(o.dtype.name)}")
    sizes = {}
    for i, (t, o) in enumerate(zip(ins, ops)):
        for c, s in zip(t, o._data.shape):
            prev = sizes.get(c)
            if prev is None or prev == 1:
                sizes[c] = s
            elif s != prev and s != 1:
                raise RuntimeError(f"einsum(): subscript {c} has size {s} for operand {i} which does not "
                                   f"broadcast with previously seen size {prev}")
        for c in set(t):
            dims = [o._data.shape[k] for k, x in enumerate(t) if x == c]
            if len(set(dims)) > 1:
                raise RuntimeError(f"einsum(): subscript {c} is repeated for operand {i} but the sizes "
                                   f"don't match, {dims[0]} != {dims[1]}")
    return _Einsum.apply(ins, out, *ops)
