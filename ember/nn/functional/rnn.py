"""Fused recurrent layers: one Function per (layer, direction) for RNN (tanh/relu), LSTM (with
projection) and GRU.

Why fused: autograd over per-step ember ops costs ~15 graph nodes per time step; here the
input projection for all time steps is one GEMM, each step is one GEMM (h @ W_hh^T) plus
vectorized gate math on backend arrays, and backward through time is one reverse loop of
GEMMs with the weight gradients gathered in one GEMM each at the end. Like torch's fused CPU
kernel (grad_fn MkldnnRnnLayerBackward0), it is differentiable once, not twice.

Layout: inputs are 2-D (N, I) "time-major packed" rows plus `steps`, a tuple of
(row offset, active batch) per time step. A padded (T, B, I) input is the case
steps = ((t*B, B) for t); a PackedSequence's data is used as is (its batch sizes are
non-increasing, so step t updates the first n rows of the running state).
"""
from ..._tensor import Tensor
from ...autograd.function import Function

__all__ = []


def _sig(xp, a):
    # tanh form: no overflow warnings for large |a|
    return 0.5 + 0.5 * xp.tanh(0.5 * a)


def _arr(t):
    return None if t is None else t._data


class _RNNLayer(Function, node_name='MkldnnRnnLayerBackward0'):
    """One direction of one layer. mode: 'LSTM', 'GRU', 'RNN_TANH' or 'RNN_RELU'."""
    saved_attrs = ('saved', '_ws')     # per-step activations: freed after backward

    @staticmethod
    def forward(ctx, x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr, mode, steps, reverse):
        xp = x._storage.device.xp
        X, Wih, Whh = x._data, w_ih._data, w_hh._data
        bih, bhh, Whr = _arr(b_ih), _arr(b_hh), _arr(w_hr)
        N = X.shape[0]
        G = Wih.shape[0]
        gx = xp.matmul(X, Wih.T)
        if bih is not None:
            gx += bih
            if mode != 'GRU':
                gx += bhh
        h = h0._data.copy()
        Hout = h.shape[1]
        out = xp.zeros((N, Hout), dtype=X.dtype)
        hprev = xp.zeros((N, Hout), dtype=X.dtype)
        order = reversed(steps) if reverse else steps
        WhhT = Whh.T
        if mode == 'LSTM':
            H = G // 4
            c = c0._data.copy()
            acts = xp.empty((N, G), dtype=X.dtype)      # i, f, g, o activations
            cprev = xp.zeros((N, H), dtype=X.dtype)
            tcs = xp.zeros((N, H), dtype=X.dtype)        # tanh(c_t)
            hhs = xp.zeros((N, H), dtype=X.dtype) if Whr is not None else None
            WhrT = Whr.T if Whr is not None else None
            for off, n in order:
                rows = slice(off, off + n)
                hp = h[:n]
                hprev[rows] = hp
                g = gx[rows] + xp.matmul(hp, WhhT)
                a = acts[rows]
                a[:, :2 * H] = _sig(xp, g[:, :2 * H])
                a[:, 2 * H:3 * H] = xp.tanh(g[:, 2 * H:3 * H])
                a[:, 3 * H:] = _sig(xp, g[:, 3 * H:])
                cp = c[:n]
                cprev[rows] = cp
                cn = a[:, H:2 * H] * cp + a[:, :H] * a[:, 2 * H:3 * H]
                tc = xp.tanh(cn)
                tcs[rows] = tc
                hn = a[:, 3 * H:] * tc
                if WhrT is not None:
                    hhs[rows] = hn
                    hn = xp.matmul(hn, WhrT)
                c[:n] = cn
                h[:n] = hn
                out[rows] = hn
            ctx.saved = (X, hprev, acts, cprev, tcs, hhs)
            ctx.meta = (mode, steps, reverse)
            ctx._ws = (w_ih, w_hh, w_hr)
            return out, h, c
        if mode == 'GRU':
            H = G // 3
            acts = xp.empty((N, G), dtype=X.dtype)       # r, z, n
            ghn = xp.empty((N, H), dtype=X.dtype)        # W_hn h + b_hn
            for off, n in order:
                rows = slice(off, off + n)
                hp = h[:n]
                hprev[rows] = hp
                gh = xp.matmul(hp, WhhT)
                if bhh is not None:
                    gh += bhh
                gxr = gx[rows]
                a = acts[rows]
                a[:, :2 * H] = _sig(xp, gxr[:, :2 * H] + gh[:, :2 * H])
                ghn[rows] = gh[:, 2 * H:]
                nn_ = xp.tanh(gxr[:, 2 * H:] + a[:, :H] * gh[:, 2 * H:])
                a[:, 2 * H:] = nn_
                z = a[:, H:2 * H]
                hn = nn_ + z * (hp - nn_)
                h[:n] = hn
                out[rows] = hn
            ctx.saved = (X, hprev, acts, ghn)
        else:
            relu = mode == 'RNN_RELU'
            for off, n in order:
                rows = slice(off, off + n)
                hp = h[:n]
                hprev[rows] = hp
                g = gx[rows] + xp.matmul(hp, WhhT)
                hn = xp.maximum(g, 0) if relu else xp.tanh(g)
                h[:n] = hn
                out[rows] = hn
            ctx.saved = (X, hprev, out)
        ctx.meta = (mode, steps, reverse)
        ctx._ws = (w_ih, w_hh, w_hr)
        return out, h

    @staticmethod
    def backward(ctx, dout, dhn, dcn=None):
        mode, steps, reverse = ctx.meta
        w_ih, w_hh, w_hr = ctx._ws
        dev = w_ih._storage.device
        xp = dev.xp
        Wih, Whh = w_ih._data, w_hh._data
        Whr = _arr(w_hr)
        X, hprev = ctx.saved[0], ctx.saved[1]
        N = X.shape[0]
        G = Wih.shape[0]
        Hout = hprev.shape[1]
        B = steps[0][1] if steps else 0
        dO = xp.zeros((N, Hout), X.dtype) if dout is None else dout._data
        dh = xp.zeros((B, Hout), X.dtype) if dhn is None else dhn._data.astype(X.dtype, copy=True)
        dG = xp.zeros((N, G), dtype=X.dtype)
        order = steps if reverse else reversed(steps)
        dWhr = None
        dc = None
        if mode == 'LSTM':
            _, _, acts, cprev, tcs, hhs = ctx.saved
            H = G // 4
            dc = xp.zeros((B, H), X.dtype) if dcn is None else dcn._data.astype(X.dtype, copy=True)
            if Whr is not None:
                dHH = xp.zeros((N, Hout), X.dtype)
            for off, n in order:
                rows = slice(off, off + n)
                dht = dh[:n] + dO[rows]
                if Whr is not None:
                    dHH[rows] = dht
                    dht = xp.matmul(dht, Whr)
                a = acts[rows]
                i, f, g, o = a[:, :H], a[:, H:2 * H], a[:, 2 * H:3 * H], a[:, 3 * H:]
                tc = tcs[rows]
                dct = dc[:n] + dht * o * (1 - tc * tc)
                dg = dG[rows]
                dg[:, :H] = dct * g * i * (1 - i)
                dg[:, H:2 * H] = dct * cprev[rows] * f * (1 - f)
                dg[:, 2 * H:3 * H] = dct * i * (1 - g * g)
                dg[:, 3 * H:] = dht * tc * o * (1 - o)
                dc[:n] = dct * f
                dh[:n] = xp.matmul(dg, Whh)
            if Whr is not None:
                dWhr = xp.matmul(dHH.T, hhs)
            dGh = dG
        elif mode == 'GRU':
            _, _, acts, ghn = ctx.saved
            H = G // 3
            dGh = xp.zeros((N, G), dtype=X.dtype)
            for off, n in order:
                rows = slice(off, off + n)
                dht = dh[:n] + dO[rows]
                a = acts[rows]
                r, z, nn_ = a[:, :H], a[:, H:2 * H], a[:, 2 * H:]
                hp = hprev[rows]
                dpn = dht * (1 - z) * (1 - nn_ * nn_)
                dg = dG[rows]
                dgh = dGh[rows]
                dg[:, 2 * H:] = dpn
                dgh[:, 2 * H:] = dpn * r
                dg[:, :H] = dpn * ghn[rows] * r * (1 - r)
                dg[:, H:2 * H] = dht * (hp - nn_) * z * (1 - z)
                dgh[:, :2 * H] = dg[:, :2 * H]
                dh[:n] = dht * z + xp.matmul(dgh, Whh)
        else:
            out = ctx.saved[2]
            relu = mode == 'RNN_RELU'
            for off, n in order:
                rows = slice(off, off + n)
                dht = dh[:n] + dO[rows]
                o = out[rows]
                dg = dht * (o > 0) if relu else dht * (1 - o * o)
                dG[rows] = dg
                dh[:n] = xp.matmul(dg, Whh)
            dGh = dG
        need = ctx.needs_input_grad

        def T(a):
            return None if a is None else Tensor._from_array(a, dev)
        dx = T(xp.matmul(dG, Wih)) if need[0] else None
        dWih = T(xp.matmul(dG.T, X)) if need[3] else None
        dWhh = T(xp.matmul(dGh.T, hprev)) if need[4] else None
        dbih = T(dG.sum(0)) if need[5] else None
        dbhh = T(dGh.sum(0)) if need[6] else None
        return (dx, T(dh) if need[1] else None, T(dc) if need[2] else None, dWih, dWhh,
                dbih, dbhh, T(dWhr) if need[7] else None, None, None, None)


def _rnn_layer(mode, x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr, steps, reverse):
    """Run one layer direction; returns (out (N, H_out), h_n, c_n or None)."""
    res = _RNNLayer.apply(x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr, mode, steps, reverse)
    if mode == 'LSTM':
        return res
    return res[0], res[1], None
