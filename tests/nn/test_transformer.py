"""Transformer family vs torch: parameter names, outputs and all gradients (weights copied from
torch, dropout 0 in train mode), masks, norm_first, batch_first, activations; errors."""
import numpy as np
import pytest
import torch

import ember
from helpers import assert_same, raises_like

R = np.random.default_rng(11)
pytestmark = pytest.mark.filterwarnings('ignore:enable_nested_tensor', 'ignore:Support for mismatched')


def _copy(tm, em):
    assert list(tm.state_dict()) == list(em.state_dict())
    em.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in tm.state_dict().items()})


def both(build, inputs, call, atol=1e-6):
    """build(lib) -> module; call(module, lib, *tensors) -> output; compare output and grads."""
    tm, em = build(torch).double(), build(ember).double()
    _copy(tm, em)
    res = []
    for lib, m in ((torch, tm), (ember, em)):
        ins = [lib.tensor(a, requires_grad=True) for a in inputs]
        out = call(m, lib, *ins)
        cot = lib.tensor(np.sin(np.arange(out.numel())).reshape(tuple(out.shape)))
        grads = lib.autograd.grad((out * cot).sum(), ins + list(m.parameters()))
        res.append((out, grads))
    (to, tg), (eo, eg) = res
    assert_same(eo, to, atol=atol, rtol=atol)
    names = [f'in{i}' for i in range(len(inputs))] + [n for n, _ in tm.named_parameters()]
    for n, e, t in zip(names, eg, tg):
        assert_same(e, t, atol=atol, rtol=atol, what=f'grad {n}')


def _causal(lib, n):
    return lib.nn.Transformer.generate_square_subsequent_mask(n, dtype=lib.float64)


@pytest.mark.parametrize('norm_first', [False, True])
@pytest.mark.parametrize('batch_first', [False, True])
@pytest.mark.parametrize('activation', ['relu', 'gelu', 'callable'])
def test_encoder_layer(norm_first, batch_first, activation):
    def build(lib):
        act = (lambda x: lib.tanh(x)) if activation == 'callable' else activation
        return lib.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, activation=act,
                                              batch_first=batch_first, norm_first=norm_first)
    x = R.standard_normal((3, 5, 8))
    kpm = np.zeros((3, 5), bool)
    kpm[1, 3:] = True
    both(build, [x], lambda m, lib, x: m(x))
    both(build, [x], lambda m, lib, x: m(x, src_mask=_causal(lib, 3) if not batch_first else None,
                                         src_key_padding_mask=lib.tensor(kpm) if batch_first else None))


@pytest.mark.parametrize('norm_first', [False, True])
@pytest.mark.parametrize('bias', [True, False])
def test_decoder_layer(norm_first, bias):
    def build(lib):
        return lib.nn.TransformerDecoderLayer(8, 2, 12, dropout=0.0, norm_first=norm_first, bias=bias)
    tgt, mem = R.standard_normal((4, 2, 8)), R.standard_normal((6, 2, 8))
    mkpm = np.zeros((2, 6), bool)
    mkpm[0, 5] = True
    both(build, [tgt, mem], lambda m, lib, t, s: m(t, s, tgt_mask=_causal(lib, 4), tgt_is_causal=True,
                                                    memory_key_padding_mask=lib.tensor(mkpm)))


@pytest.mark.parametrize('norm', [False, True])
def test_encoder_decoder_stacks(norm):
    def enc(lib):
        layer = lib.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, batch_first=True)
        return lib.nn.TransformerEncoder(layer, 2, lib.nn.LayerNorm(8) if norm else None,
                                         enable_nested_tensor=False)
    x = R.standard_normal((2, 5, 8))
    both(enc, [x], lambda m, lib, x: m(x, mask=_causal(lib, 5)))
    both(enc, [x], lambda m, lib, x: m(x, mask=_causal(lib, 5), is_causal=True))

    def dec(lib):
        return lib.nn.TransformerDecoder(lib.nn.TransformerDecoderLayer(8, 2, 16, dropout=0.0), 2,
                                         lib.nn.LayerNorm(8) if norm else None)
    both(dec, [R.standard_normal((3, 2, 8)), R.standard_normal((5, 2, 8))],
         lambda m, lib, t, s: m(t, s, tgt_mask=_causal(lib, 3)))


@pytest.mark.parametrize('batch_first', [False, True])
def test_transformer_full(batch_first):
    def build(lib):
        lib.manual_seed(0)
        return lib.nn.Transformer(8, 2, 2, 1, 16, dropout=0.0, batch_first=batch_first)
    src = R.standard_normal((2, 5, 8) if batch_first else (5, 2, 8))
    tgt = R.standard_normal((2, 4, 8) if batch_first else (4, 2, 8))
    skpm = np.zeros((2, 5), bool)
    skpm[1, 4] = True
    both(build, [src, tgt], lambda m, lib, s, t: m(
        s, t, tgt_mask=lib.nn.Transformer.generate_square_subsequent_mask(4, dtype=lib.float64),
        src_key_padding_mask=lib.tensor(skpm), memory_key_padding_mask=lib.tensor(skpm)))


def test_transformer_unbatched():
    def build(lib):
        return lib.nn.Transformer(8, 2, 1, 1, 16, dropout=0.0)
    both(build, [R.standard_normal((5, 8)), R.standard_normal((3, 8))], lambda m, lib, s, t: m(s, t))


def test_generate_square_subsequent_mask():
    e = ember.nn.Transformer.generate_square_subsequent_mask(4)
    t = torch.nn.Transformer.generate_square_subsequent_mask(4)
    assert_same(e, t)


def test_param_names_and_repr():
    t = torch.nn.Transformer(16, 4, 1, 1, 32)
    e = ember.nn.Transformer(16, 4, 1, 1, 32)
    assert [(n, tuple(p.shape)) for n, p in t.named_parameters()] == \
        [(n, tuple(p.shape)) for n, p in e.named_parameters()]
    t = torch.nn.TransformerEncoderLayer(16, 4, 32)
    e = ember.nn.TransformerEncoderLayer(16, 4, 32)
    assert repr(e) == repr(t)


def test_dropout_eval_train():
    layer = ember.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.5)
    x = ember.randn(5, 2, 8)
    layer.eval()
    a = layer(x).detach().numpy()
    assert np.allclose(a, layer(x).detach().numpy())
    layer.train()
    assert not np.allclose(a, layer(x).detach().numpy())


def test_errors():
    raises_like(lambda lib: lib.nn.TransformerEncoderLayer(8, 2, activation='tanh'), match='activation should be relu/gelu')
    raises_like(lambda lib: lib.nn.TransformerEncoderLayer(10, 3), match='embed_dim must be divisible')
    raises_like(lambda lib: lib.nn.Transformer(8, 2, 1, 1, 16)(lib.randn(5, 2, 8), lib.randn(4, 3, 8)),
                match='the batch number of src and tgt must be equal')
    raises_like(lambda lib: lib.nn.Transformer(8, 2, 1, 1, 16)(lib.randn(5, 2, 6), lib.randn(4, 2, 6)),
                match='the feature number of src and tgt must be equal to d_model')
