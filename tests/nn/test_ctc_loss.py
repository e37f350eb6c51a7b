"""CTCLoss parity with torch: padded and concatenated targets, unequal lengths, reductions,
zero_infinity, unbatched input, the gradient (torch's convention), errors and gradcheck."""
import numpy as np
import pytest
import torch

import ember
from helpers import parity, rand, raises_like

RNG = np.random.default_rng(7)
T_, N_, C_, S_ = 8, 3, 5, 4
IL = [8, 6, 7]
TL = [4, 1, 2]
TG = RNG.integers(1, C_, size=(N_, S_)).astype('int64')
TG[0, 1] = TG[0, 2]          # a repeated label needs a blank in between


def F(lib):
    return lib.nn.functional


def _concat():
    return np.concatenate([TG[i, :TL[i]] for i in range(N_)])


@pytest.mark.parametrize('red', ['none', 'mean', 'sum'])
@pytest.mark.parametrize('dtype', ['float32', 'float64'])
@pytest.mark.parametrize('fmt', ['padded', 'concat', 'tensor_lengths'])
def test_ctc_parity(red, dtype, fmt):
    def fn(lib, x):
        lp = F(lib).log_softmax(x, 2)
        tg = lib.tensor(_concat() if fmt == 'concat' else TG)
        il, tl = (lib.tensor(IL), lib.tensor(TL)) if fmt == 'tensor_lengths' else (tuple(IL), tuple(TL))
        return F(lib).ctc_loss(lp, tg, il, tl, reduction=red)
    parity(fn, rand(T_, N_, C_, dtype=dtype), atol=1e-4 if dtype == 'float32' else 1e-7)


@pytest.mark.parametrize('red', ['none', 'mean', 'sum'])
def test_ctc_raw_log_probs_grad_and_blank(red):
    lp = np.log(rand(T_, N_, C_, low=0.05, high=1.0))
    lp = lp - np.log(np.exp(lp).sum(2, keepdims=True))
    parity(lambda lib, x: F(lib).ctc_loss(x, lib.tensor(TG), IL, TL, reduction=red), lp, atol=1e-7)
    tg = np.where(TG == 2, 0, TG)   # blank = 2
    parity(lambda lib, x: F(lib).ctc_loss(x, lib.tensor(tg), IL, TL, blank=2, reduction=red), lp,
           atol=1e-7)


@pytest.mark.parametrize('zero_infinity', [False, True])
@pytest.mark.parametrize('red', ['none', 'mean', 'sum'])
def test_ctc_impossible_alignment(zero_infinity, red):
    il = (2, 6, 7)    # sample 0 needs at least 5 frames for its 4 labels (one repeat)

    def fn(lib, x):
        return F(lib).ctc_loss(F(lib).log_softmax(x, 2), lib.tensor(TG), il, TL, reduction=red,
                               zero_infinity=zero_infinity)
    parity(fn, rand(T_, N_, C_), grad=zero_infinity, atol=1e-7)
    if not zero_infinity:
        out = fn(ember, ember.tensor(rand(T_, N_, C_)))
        assert np.isinf(out.detach().numpy()).any()


def test_ctc_zero_length_target_and_unbatched():
    tl = (4, 0, 2)
    parity(lambda lib, x: F(lib).ctc_loss(F(lib).log_softmax(x, 2), lib.tensor(TG), IL, tl,
                                          reduction='none'), rand(T_, N_, C_), atol=1e-7)
    for red in ['none', 'mean', 'sum']:
        parity(lambda lib, x: F(lib).ctc_loss(F(lib).log_softmax(x, 1), lib.tensor(TG[0, :3]),
                                              lib.tensor(7), lib.tensor(3), reduction=red),
               rand(T_, C_), atol=1e-7)


def test_ctc_module_and_grad_fn():
    m = ember.nn.CTCLoss(blank=0, reduction='sum', zero_infinity=True)
    assert repr(m) == repr(torch.nn.CTCLoss(blank=0, reduction='sum', zero_infinity=True))
    parity(lambda lib, x: lib.nn.CTCLoss(reduction='mean')(F(lib).log_softmax(x, 2), lib.tensor(TG),
                                                          IL, TL), rand(T_, N_, C_), atol=1e-7)
    lp = ember.randn(T_, N_, C_, requires_grad=True)
    out = F(ember).ctc_loss(lp, ember.tensor(TG), IL, TL, reduction='none')
    assert type(out.grad_fn).__name__ == 'CtcLossBackward0'


def test_ctc_errors():
    x = rand(T_, N_, C_)
    raises_like(lambda lib, x: F(lib).ctc_loss(x, lib.tensor(TG), (9, 6, 7), TL), x,
                match='Expected input_lengths to have value at most 8, but got value 9')
    raises_like(lambda lib, x: F(lib).ctc_loss(x, lib.tensor(TG[:, :2]), IL, TL), x,
                match='Expected tensor to have size at least 4 at dimension 1')


def test_ctc_gradcheck():
    from ember.autograd import gradcheck
    x = ember.tensor(rand(5, 2, 4), requires_grad=True)
    tg = ember.tensor(np.array([[1, 1], [2, 3]]))
    for red in ['none', 'mean', 'sum']:
        assert gradcheck(lambda x: F(ember).ctc_loss(F(ember).log_softmax(x, 2), tg, (5, 4), (2, 1),
                                                     reduction=red), (x,), eps=1e-6, atol=1e-5)
