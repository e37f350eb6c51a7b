"""RNN / LSTM / GRU and their cells vs torch: outputs, final states, every parameter and input
gradient (weights copied from torch), packed sequences, unbatched inputs, errors."""
import warnings

import numpy as np
import pytest
import torch

import ember
from helpers import assert_same, raises_like, to_numpy

R = np.random.default_rng(3)


def _copy(tm, em):
    em.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in tm.state_dict().items()})


def _flat(o):
    if isinstance(o, (torch.nn.utils.rnn.PackedSequence, ember.nn.utils.rnn.PackedSequence)):
        return [o.data]
    if isinstance(o, (tuple, list)):
        return [z for x in o for z in _flat(x)]
    return [o]


def run_both(cls, args, kw, x, hx=None, prep=None, atol=1e-6):
    """Build cls in both libs (float64), copy weights, run, compare outputs and all grads."""
    tm = getattr(torch.nn, cls)(*args, **kw).double()
    em = getattr(ember.nn, cls)(*args, **kw).double()
    _copy(tm, em)
    assert list(tm.state_dict()) == list(em.state_dict())
    outs = []
    for lib, m in ((torch, tm), (ember, em)):
        xt = lib.tensor(x, requires_grad=True)
        ins = [xt]
        h = None
        if hx is not None:
            h = tuple(lib.tensor(a, requires_grad=True) for a in hx)
            ins += list(h)
            h = h if len(h) > 1 else h[0]
        inp = prep(lib, xt) if prep else xt
        out = m(inp) if h is None else m(inp, h)
        flat = _flat(out)
        cot = np.random.default_rng(7)
        loss = sum((f * lib.tensor(cot.uniform(-1, 1, tuple(f.shape)))).sum() for f in flat)
        grads = lib.autograd.grad(loss, ins + list(m.parameters()))
        outs.append((flat, grads))
    (tf, tg), (ef, eg) = outs
    for i, (e, t) in enumerate(zip(ef, tf)):
        assert_same(e, t, atol=atol, rtol=atol, what=f'output {i}')
    names = ['input'] + [f'h{i}' for i in range(len(hx or ()))] + [n for n, _ in tm.named_parameters()]
    for n, e, t in zip(names, eg, tg):
        assert_same(e, t, atol=atol, rtol=atol, what=f'grad {n}')
    return em, tm


CONFIGS = [
    dict(),
    dict(num_layers=2),
    dict(bidirectional=True),
    dict(num_layers=2, bidirectional=True, batch_first=True),
    dict(bias=False),
    dict(num_layers=3, dropout=0.0, bidirectional=True, bias=False),
]


@pytest.mark.parametrize('cls', ['RNN', 'LSTM', 'GRU'])
@pytest.mark.parametrize('kw', CONFIGS)
@pytest.mark.parametrize('with_h', [False, True])
def test_modules_padded(cls, kw, with_h):
    L = kw.get('num_layers', 1) * (2 if kw.get('bidirectional') else 1)
    x = R.standard_normal((3, 5, 4) if kw.get('batch_first') else (5, 3, 4))
    hx = None
    if with_h:
        hx = (R.standard_normal((L, 3, 6)),)
        if cls == 'LSTM':
            hx = hx + (R.standard_normal((L, 3, 6)),)
    run_both(cls, (4, 6), kw, x, hx)


@pytest.mark.parametrize('nl', ['tanh', 'relu'])
def test_rnn_nonlinearity(nl):
    em, _ = run_both('RNN', (4, 5), dict(nonlinearity=nl, num_layers=2), R.standard_normal((6, 2, 4)))
    assert em.nonlinearity == nl


@pytest.mark.parametrize('kw', [dict(proj_size=3), dict(proj_size=2, num_layers=2, bidirectional=True),
                                dict(proj_size=3, batch_first=True, bias=False)])
@pytest.mark.parametrize('with_h', [False, True])
def test_lstm_proj(kw, with_h):
    L = kw.get('num_layers', 1) * (2 if kw.get('bidirectional') else 1)
    x = R.standard_normal((2, 5, 4) if kw.get('batch_first') else (5, 2, 4))
    hx = (R.standard_normal((L, 2, kw['proj_size'])), R.standard_normal((L, 2, 6))) if with_h else None
    run_both('LSTM', (4, 6), kw, x, hx)


@pytest.mark.parametrize('cls', ['RNN', 'LSTM', 'GRU'])
@pytest.mark.parametrize('kw', [dict(), dict(batch_first=True, num_layers=2, bidirectional=True)])
def test_unbatched(cls, kw):
    L = kw.get('num_layers', 1) * (2 if kw.get('bidirectional') else 1)
    hx = (R.standard_normal((L, 5)),) * (2 if cls == 'LSTM' else 1)
    run_both(cls, (3, 5), kw, R.standard_normal((4, 3)))
    run_both(cls, (3, 5), kw, R.standard_normal((4, 3)), hx)


@pytest.mark.parametrize('cls', ['RNN', 'LSTM', 'GRU'])
@pytest.mark.parametrize('enforce_sorted', [True, False])
@pytest.mark.parametrize('kw', [dict(), dict(num_layers=2, bidirectional=True),
                                dict(batch_first=True, bidirectional=True)])
@pytest.mark.parametrize('with_h', [False, True])
def test_packed(cls, enforce_sorted, kw, with_h):
    lengths = [5, 4, 4, 2, 1] if enforce_sorted else [2, 5, 1, 4, 4]
    bf = kw.get('batch_first', False)
    x = R.standard_normal((5, 5, 3))

    def prep(lib, xt):
        return lib.nn.utils.rnn.pack_padded_sequence(xt, lib.tensor(lengths), batch_first=bf,
                                                     enforce_sorted=enforce_sorted)
    L = kw.get('num_layers', 1) * (2 if kw.get('bidirectional') else 1)
    hx = None
    if with_h:
        hx = (R.standard_normal((L, 5, 4)),) * (2 if cls == 'LSTM' else 1)
    run_both(cls, (3, 4), kw, x, hx, prep=prep)


def test_packed_lstm_proj_unsorted():
    lengths = [3, 6, 2]

    def prep(lib, xt):
        return lib.nn.utils.rnn.pack_padded_sequence(xt, lengths, enforce_sorted=False)
    run_both('LSTM', (3, 5), dict(proj_size=2, num_layers=2, bidirectional=True),
             R.standard_normal((6, 3, 3)), prep=prep)


def test_packed_output_type():
    m = ember.nn.GRU(3, 4)
    p = ember.nn.utils.rnn.pack_sequence([ember.randn(3, 3), ember.randn(2, 3)])
    out, h = m(p)
    assert isinstance(out, ember.nn.utils.rnn.PackedSequence)
    assert out.data.shape == (5, 4) and tuple(h.shape) == (1, 2, 4)
    assert out.batch_sizes.tolist() == [2, 2, 1]


def test_parameters_names_shapes_init():
    for cls, kw in [('LSTM', dict(num_layers=2, bidirectional=True, proj_size=3)),
                    ('GRU', dict(num_layers=2, bias=False)), ('RNN', dict(bidirectional=True))]:
        tm = getattr(torch.nn, cls)(5, 7, **kw)
        em = getattr(ember.nn, cls)(5, 7, **kw)
        assert [(n, tuple(p.shape)) for n, p in tm.named_parameters()] == \
            [(n, tuple(p.shape)) for n, p in em.named_parameters()]
        assert tm._flat_weights_names == em._flat_weights_names
        assert len(em._flat_weights) == len(tm._flat_weights)
        bound = 1 / 7 ** 0.5
        for p in em.parameters():
            a = to_numpy(p)
            # U(-bound, bound) drawn in float32 (rounding may land a hair past the bound)
            assert a.max() <= bound + 1e-6 and a.min() >= -bound - 1e-6
            if a.size >= 30:
                assert a.std() > bound / 4
        em.flatten_parameters()
        assert repr(em) == repr(tm)
        assert len(em.all_weights) == len(tm.all_weights)


def test_dropout_between_layers():
    em = ember.nn.LSTM(4, 8, num_layers=2, dropout=0.5)
    x = ember.randn(6, 3, 4)
    em.eval()
    a, _ = em(x)
    b, _ = em(x)
    assert_same(a, torch.tensor(to_numpy(b)))
    em.train()
    c, _ = em(x)
    assert not np.allclose(to_numpy(a), to_numpy(c))
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        ember.nn.GRU(3, 3, dropout=0.2)
    assert any('num_layers greater than 1' in str(x.message) for x in w)


def test_grad_fn_name():
    out, _ = ember.nn.LSTM(3, 4)(ember.randn(2, 1, 3, requires_grad=True))
    assert out.grad_fn is not None


# ---------------------------------------------------------------- cells
@pytest.mark.parametrize('cls', ['RNNCell', 'LSTMCell', 'GRUCell'])
@pytest.mark.parametrize('bias', [True, False])
@pytest.mark.parametrize('batched', [True, False])
@pytest.mark.parametrize('with_h', [True, False])
def test_cells(cls, bias, batched, with_h):
    shp = (3, 4) if batched else (4,)
    hs = (3, 5) if batched else (5,)
    hx = None
    if with_h:
        hx = (R.standard_normal(hs),) * (2 if cls == 'LSTMCell' else 1)
    run_both(cls, (4, 5), dict(bias=bias), R.standard_normal(shp), hx)


def test_rnncell_relu():
    run_both('RNNCell', (4, 5), dict(nonlinearity='relu'), R.standard_normal((3, 4)),
             (R.standard_normal((3, 5)),))


@pytest.mark.parametrize('cls', ['RNNCell', 'LSTMCell', 'GRUCell'])
def test_cells_gradcheck(cls):
    ember.manual_seed(0)
    m = getattr(ember.nn, cls)(3, 2).double()
    x = ember.randn(2, 3, dtype=ember.float64, requires_grad=True)
    h = ember.randn(2, 2, dtype=ember.float64, requires_grad=True)
    if cls == 'LSTMCell':
        c = ember.randn(2, 2, dtype=ember.float64, requires_grad=True)
        fn = lambda x, h, c, *p: m(x, (h, c))   # noqa: E731
        args = (x, h, c)
    else:
        fn = lambda x, h, *p: m(x, h)           # noqa: E731
        args = (x, h)
    assert ember.autograd.gradcheck(fn, args + tuple(m.parameters()))


def test_fused_layer_gradcheck():
    """The fused per-layer Function against finite differences (float64, tiny shapes)."""
    ember.manual_seed(0)
    for cls, kw in [('LSTM', dict(proj_size=1, bidirectional=True)), ('GRU', {}), ('RNN', {})]:
        m = getattr(ember.nn, cls)(2, 2, **kw).double()
        x = ember.randn(3, 2, 2, dtype=ember.float64, requires_grad=True)
        assert ember.autograd.gradcheck(lambda x, *p: m(x)[0], (x,) + tuple(m.parameters()))


# ---------------------------------------------------------------- errors
def test_errors():
    e = raises_like(lambda lib: lib.nn.LSTM(4, 3)(lib.randn(5, 2, 3)),
                    match='input.size(-1) must be equal to input_size. Expected 4, got 3')
    assert isinstance(e, RuntimeError)
    raises_like(lambda lib: lib.nn.RNN(4, 3)(lib.randn(2, 3, 4, 5)), match='Expected input to be 2D or 3D')
    raises_like(lambda lib: lib.nn.GRU(4, 3)(lib.randn(5, 2, 4), lib.randn(1, 2, 2)),
                match='Expected hidden size (1, 2, 3), got [1, 2, 2]')
    raises_like(lambda lib: lib.nn.LSTM(4, 3)(lib.randn(5, 2, 4), (lib.randn(1, 2, 3), lib.randn(1, 2, 2))),
                match='Expected hidden[1] size (1, 2, 3), got [1, 2, 2]')
    raises_like(lambda lib: lib.nn.LSTM(4, 3)(lib.randn(5, 2, 4), (lib.randn(2, 3), lib.randn(2, 3))),
                match='For batched 3-D input, hx and cx should also be 3-D')
    raises_like(lambda lib: lib.nn.RNN(4, 3)(lib.randn(5, 4), lib.randn(1, 1, 3)),
                match='For unbatched 2-D input, hx should also be 2-D')
    raises_like(lambda lib: lib.nn.LSTM(4, 3, proj_size=3), match='proj_size has to be smaller')
    raises_like(lambda lib: lib.nn.GRU(4, 3, proj_size=1), match='proj_size argument is only supported')
    raises_like(lambda lib: lib.nn.RNN(4, 3, nonlinearity='sigmoid'), match='Unknown nonlinearity')
    raises_like(lambda lib: lib.nn.LSTM(4, 3, dropout=1.5), match='dropout should be a number')
    raises_like(lambda lib: lib.nn.LSTM(4, 0), match='hidden_size must be greater than zero')
    raises_like(lambda lib: lib.nn.LSTMCell(4, 3)(lib.randn(2, 2, 4)), match='Expected input to be 1D or 2D')
    raises_like(lambda lib: lib.nn.GRUCell(4, 3)(lib.randn(2, 3)), match='input has inconsistent input_size')
