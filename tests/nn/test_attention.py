"""F.scaled_dot_product_attention and nn.MultiheadAttention vs torch (values, weights, grads)."""
import numpy as np
import pytest
import torch

import ember
from helpers import assert_same, parity, rand, raises_like

R = np.random.default_rng(5)
pytestmark = pytest.mark.filterwarnings('ignore:Support for mismatched')


# ---------------------------------------------------------------- SDPA
@pytest.mark.parametrize('shape', [((2, 3, 4, 8), (2, 3, 5, 8), (2, 3, 5, 6)),
                                   ((4, 8), (5, 8), (5, 8)),
                                   ((3, 4, 8), (3, 4, 8), (3, 4, 8))])
@pytest.mark.parametrize('scale', [None, 0.3])
def test_sdpa_basic(shape, scale):
    q, k, v = (rand(*s) for s in shape)
    parity(lambda lib, q, k, v: lib.nn.functional.scaled_dot_product_attention(q, k, v, scale=scale),
           q, k, v)


@pytest.mark.parametrize('mask_kind', ['bool', 'float', 'bool_bcast', 'bool_empty_row'])
def test_sdpa_masks(mask_kind):
    q, k, v = rand(2, 2, 4, 6), rand(2, 2, 5, 6), rand(2, 2, 5, 6)
    if mask_kind == 'float':
        m = rand(2, 1, 4, 5)
    else:
        m = R.random((4, 5)) > 0.3
        m[:, 0] = True
        if mask_kind == 'bool_empty_row':
            m[2] = False
        if mask_kind == 'bool':
            m = np.broadcast_to(m, (2, 2, 4, 5)).copy()
    parity(lambda lib, q, k, v, m: lib.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=m),
           q, k, v, m)


def test_sdpa_causal_and_gqa():
    q, k, v = rand(2, 4, 5, 6), rand(2, 2, 7, 6), rand(2, 2, 7, 6)
    parity(lambda lib, q, k, v: lib.nn.functional.scaled_dot_product_attention(
        q, k, v, is_causal=True, enable_gqa=True), q, k, v)
    q = rand(1, 2, 6, 4)
    parity(lambda lib, q: lib.nn.functional.scaled_dot_product_attention(q, q, q, is_causal=True), q)


def test_sdpa_dropout():
    q = ember.randn(2, 4, 8)
    out0 = ember.nn.functional.scaled_dot_product_attention(q, q, q)
    ember.manual_seed(0)
    out1 = ember.nn.functional.scaled_dot_product_attention(q, q, q, dropout_p=0.5)
    assert not np.allclose(out0.numpy(), out1.numpy())
    out2 = ember.nn.functional.scaled_dot_product_attention(q, q, q, dropout_p=0.0)
    np.testing.assert_allclose(out0.numpy(), out2.numpy())


def test_sdpa_gradcheck():
    q = ember.randn(1, 3, 2, dtype=ember.float64, requires_grad=True)
    k = ember.randn(1, 4, 2, dtype=ember.float64, requires_grad=True)
    v = ember.randn(1, 4, 2, dtype=ember.float64, requires_grad=True)
    m = ember.randn(3, 4, dtype=ember.float64)
    F = ember.nn.functional
    assert ember.autograd.gradcheck(lambda q, k, v: F.scaled_dot_product_attention(q, k, v, m), (q, k, v))
    assert ember.autograd.gradcheck(lambda q, k, v: F.scaled_dot_product_attention(q, k, v, is_causal=True),
                                    (q, k, v))
    assert ember.autograd.gradgradcheck(lambda q, k, v: F.scaled_dot_product_attention(q, k, v), (q, k, v))


def test_sdpa_errors():
    q = rand(2, 3, 4)
    raises_like(lambda lib, q: lib.nn.functional.scaled_dot_product_attention(
        q, q, q, attn_mask=lib.ones(3, 3, dtype=lib.bool), is_causal=True), q)


# ---------------------------------------------------------------- MultiheadAttention
def _copy(tm, em):
    em.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in tm.state_dict().items()})


def mha_both(kw, q, k, v, fwd_kw=None, self_attn=False):
    fwd_kw = fwd_kw or {}
    tm = torch.nn.MultiheadAttention(8, 2, **kw).double()
    em = ember.nn.MultiheadAttention(8, 2, **kw).double()
    assert list(tm.state_dict()) == list(em.state_dict())
    _copy(tm, em)
    res = []
    for lib, m in ((torch, tm), (ember, em)):
        ins = [lib.tensor(a, requires_grad=True) for a in ((q,) if self_attn else (q, k, v))]
        kwl = {n: (lib.tensor(a) if isinstance(a, np.ndarray) else a) for n, a in fwd_kw.items()}
        out, w = m(*(ins * 3 if self_attn else ins), **kwl)
        loss = (out * lib.tensor(np.cos(np.arange(out.numel())).reshape(tuple(out.shape)))).sum()
        if w is not None:
            loss = loss + (w * w).sum()
        grads = lib.autograd.grad(loss, ins + list(m.parameters()))
        res.append((out, w, grads))
    (to, tw, tg), (eo, ew, eg) = res
    assert_same(eo, to, what='output')
    if tw is None:
        assert ew is None
    else:
        assert_same(ew, tw, what='weights')
    for n, e, t in zip(['q', 'k', 'v'] + [n for n, _ in tm.named_parameters()], eg, tg):
        assert_same(e, t, what=f'grad {n}')


@pytest.mark.parametrize('kw', [dict(), dict(bias=False), dict(add_bias_kv=True), dict(add_zero_attn=True),
                                dict(add_bias_kv=True, add_zero_attn=True), dict(kdim=3, vdim=5),
                                dict(batch_first=True), dict(kdim=3, vdim=5, batch_first=True, bias=False)])
@pytest.mark.parametrize('need_weights,avg', [(True, True), (True, False), (False, True)])
def test_mha_options(kw, need_weights, avg):
    bf = kw.get('batch_first', False)
    q = R.standard_normal((4, 3, 8))
    k = R.standard_normal((5, 3, kw.get('kdim', 8)))
    v = R.standard_normal((5, 3, kw.get('vdim', 8)))
    if bf:
        q, k, v = (a.transpose(1, 0, 2).copy() for a in (q, k, v))
    kpm = np.zeros((3, 5), bool)
    kpm[0, 3:] = True
    am = R.standard_normal((4, 5))
    mha_both(kw, q, k, v, dict(key_padding_mask=kpm, attn_mask=am, need_weights=need_weights,
                               average_attn_weights=avg))


@pytest.mark.parametrize('masks', ['none', 'kpm_float', 'am_bool', 'am_3d', 'causal', 'both_bool'])
@pytest.mark.parametrize('need_weights', [True, False])
def test_mha_masks(masks, need_weights):
    q = R.standard_normal((5, 2, 8))
    fk = {'need_weights': need_weights}
    causal = np.triu(np.full((5, 5), -np.inf), 1)
    if masks == 'kpm_float':
        m = np.zeros((2, 5))
        m[1, 4] = -np.inf
        fk['key_padding_mask'] = m
    elif masks == 'am_bool':
        fk['attn_mask'] = np.triu(np.ones((5, 5), bool), 1)
    elif masks == 'am_3d':
        fk['attn_mask'] = R.standard_normal((4, 5, 5))
    elif masks == 'causal':
        fk['attn_mask'] = causal
        fk['is_causal'] = True
    elif masks == 'both_bool':
        fk['attn_mask'] = np.triu(np.ones((5, 5), bool), 1)
        kp = np.zeros((2, 5), bool)
        kp[0, 4] = True
        fk['key_padding_mask'] = kp
    mha_both({}, q, None, None, fk, self_attn=True)


def test_mha_unbatched():
    q, k = R.standard_normal((4, 8)), R.standard_normal((6, 8))
    kpm = np.zeros(6, bool)
    kpm[5] = True
    mha_both({}, q, k, k.copy(), dict(key_padding_mask=kpm))
    mha_both({}, q, k, k.copy(), dict(need_weights=False))


def test_mha_dropout_train_eval():
    m = ember.nn.MultiheadAttention(8, 2, dropout=0.5)
    x = ember.randn(4, 2, 8)
    m.eval()
    a = m(x, x, x)[0]
    assert np.allclose(a.detach().numpy(), m(x, x, x)[0].detach().numpy())
    m.train()
    assert not np.allclose(a.detach().numpy(), m(x, x, x)[0].detach().numpy())


def test_mha_init_and_names():
    m = ember.nn.MultiheadAttention(16, 4, add_bias_kv=True)
    assert type(m.out_proj).__name__ == 'NonDynamicallyQuantizableLinear'
    assert np.all(m.in_proj_bias.detach().numpy() == 0) and np.all(m.out_proj.bias.detach().numpy() == 0)
    assert tuple(m.bias_k.shape) == (1, 1, 16)
    t = torch.nn.MultiheadAttention(16, 4, add_bias_kv=True)
    assert repr(m) == repr(t)


def test_mha_errors():
    raises_like(lambda lib: lib.nn.MultiheadAttention(10, 3), match='embed_dim must be divisible by num_heads')
    x = rand(4, 2, 8, dtype='float32')
    raises_like(lambda lib, x: lib.nn.MultiheadAttention(8, 2)(x, x, x, attn_mask=lib.zeros(3, 4)),
                x, match='The shape of the 2D attn_mask is')
    raises_like(lambda lib, x: lib.nn.MultiheadAttention(8, 2)(x, x, x, attn_mask=lib.zeros(3, 4, 4)),
                x, match='The shape of the 3D attn_mask is')
    raises_like(lambda lib, x: lib.nn.MultiheadAttention(8, 2)(x, x, x, is_causal=True), x,
                match='Need attn_mask')
    raises_like(lambda lib, x: lib.nn.MultiheadAttention(8, 2)(x, x, x, key_padding_mask=lib.zeros(2, 4, dtype=lib.int64)),
                x, match='only bool and floating types')
