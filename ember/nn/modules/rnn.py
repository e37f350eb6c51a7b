"""Recurrent modules: RNN (tanh/relu), LSTM (proj_size), GRU and their cells.

Parameters are named, shaped, ordered and initialized as torch's (weight_ih_l0,
weight_hh_l0, bias_ih_l0, bias_hh_l0, weight_hr_l0, *_reverse; U(-1/sqrt(H), 1/sqrt(H))), so
torch state_dicts load. Each (layer, direction) runs as one fused Function
(nn/functional/rnn.py); cells are compositions of ember ops (so they are twice
differentiable).
"""
import math
import numbers
import warnings

from .. import functional as F
from .. import init
from ..._ops.creation import empty, zeros
from ..._ops.join import cat as _cat, stack as _stack
from ..functional.rnn import _rnn_layer
from ..parameter import Parameter
from .module import Module

__all__ = ['RNNBase', 'RNN', 'LSTM', 'GRU', 'RNNCellBase', 'RNNCell', 'LSTMCell', 'GRUCell']


def _packed_cls():
    from ..utils.rnn import PackedSequence
    return PackedSequence


def _steps_from_batch_sizes(batch_sizes):
    steps, off = [], 0
    for n in batch_sizes:
        steps.append((off, n))
        off += n
    return tuple(steps)


class RNNBase(Module):
    """Shared constructor, parameter layout, checks and the layer loop of RNN/LSTM/GRU."""

    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, proj_size=0, device=None, dtype=None):
        factory = {'device': device, 'dtype': dtype}
        super().__init__()
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        num_directions = 2 if bidirectional else 1
        if (not isinstance(dropout, numbers.Number) or isinstance(dropout, bool)
                or not 0 <= dropout <= 1):
            raise ValueError("dropout should be a number in range [0, 1] representing the "
                             "probability of an element being zeroed")
        if dropout > 0 and num_layers == 1:
            warnings.warn("dropout option adds dropout after all but last recurrent layer, so "
                          "non-zero dropout expects num_layers greater than 1, but got "
                          f"dropout={dropout} and num_layers={num_layers}")
        if not isinstance(hidden_size, int):
            raise TypeError(f"hidden_size should be of type int, got: {type(hidden_size).__name__}")
        if hidden_size <= 0:
            raise ValueError("hidden_size must be greater than zero")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        if proj_size < 0:
            raise ValueError("proj_size should be a positive integer or zero to disable projections")
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        gate = {'LSTM': 4, 'GRU': 3, 'RNN_TANH': 1, 'RNN_RELU': 1}.get(mode)
        if gate is None:
            raise ValueError("Unrecognized RNN mode: " + mode)
        if mode != 'LSTM' and proj_size:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        gate_size = gate * hidden_size
        real_hidden = proj_size if proj_size > 0 else hidden_size
        self._flat_weights_names = []
        self._all_weights = []
        for layer in range(num_layers):
            for direction in range(num_directions):
                layer_in = input_size if layer == 0 else real_hidden * num_directions
                sfx = '_reverse' if direction == 1 else ''
                params = [('weight_ih_l{}{}', (gate_size, layer_in)),
                          ('weight_hh_l{}{}', (gate_size, real_hidden))]
                if bias:
                    params += [('bias_ih_l{}{}', (gate_size,)), ('bias_hh_l{}{}', (gate_size,))]
                if proj_size > 0:
                    params.append(('weight_hr_l{}{}', (proj_size, hidden_size)))
                names = []
                for fmt, shape in params:
                    name = fmt.format(layer, sfx)
                    setattr(self, name, Parameter(empty(shape, **factory)))
                    names.append(name)
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self.reset_parameters()

    @property
    def _flat_weights(self):
        return [getattr(self, n, None) for n in self._flat_weights_names]

    @property
    def all_weights(self):
        return [[getattr(self, w) for w in ws] for ws in self._all_weights]

    def flatten_parameters(self):
        """No-op (there is no cuDNN weight buffer to compact)."""

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for w in self.parameters():
            init.uniform_(w, -stdv, stdv)

    def _layer_weights(self, layer, direction):
        sfx = '_reverse' if direction == 1 else ''
        g = lambda n: getattr(self, f'{n}_l{layer}{sfx}', None)   # noqa: E731
        return g('weight_ih'), g('weight_hh'), g('bias_ih'), g('bias_hh'), g('weight_hr')

    # ---- checks (torch's messages) ----
    def check_input(self, input, batch_sizes):
        expected = 2 if batch_sizes is not None else 3
        if input.dim() != expected:
            raise RuntimeError(f"input must have {expected} dimensions, got {input.dim()}")
        if self.input_size != input.size(-1):
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected "
                               f"{self.input_size}, got {input.size(-1)}")

    def get_expected_hidden_size(self, input, batch_sizes):
        if batch_sizes is not None:
            mini_batch = int(batch_sizes[0])
        else:
            mini_batch = input.size(0) if self.batch_first else input.size(1)
        D = 2 if self.bidirectional else 1
        hs = self.proj_size if self.proj_size > 0 else self.hidden_size
        return (self.num_layers * D, mini_batch, hs)

    def check_hidden_size(self, hx, expected, msg='Expected hidden size {}, got {}'):
        if tuple(hx.size()) != expected:
            raise RuntimeError(msg.format(expected, list(hx.size())))

    def _weights_have_changed(self):
        return False

    def check_forward_args(self, input, hidden, batch_sizes):
        self.check_input(input, batch_sizes)
        self.check_hidden_size(hidden, self.get_expected_hidden_size(input, batch_sizes))

    def permute_hidden(self, hx, permutation):
        if permutation is None:
            return hx
        return hx.index_select(1, permutation)

    def _check_dims(self, input, name):
        if input.dim() not in (2, 3):
            extra = ' tensor' if self.mode.startswith('RNN') else ''
            raise ValueError(f"{name}: Expected input to be 2D or 3D, got {input.dim()}D{extra} instead")

    # ---- the layer loop ----
    def _run(self, x, steps, h0, c0):
        """x: (N, I) time-major rows; h0/c0: (L*D, B, H). Returns (out (N, D*H), h_n, c_n)."""
        D = 2 if self.bidirectional else 1
        hs, cs = [], []
        layer_in = x
        for layer in range(self.num_layers):
            outs = []
            for d in range(D):
                w_ih, w_hh, b_ih, b_hh, w_hr = self._layer_weights(layer, d)
                k = layer * D + d
                out, h, c = _rnn_layer(self.mode, layer_in, h0[k], None if c0 is None else c0[k],
                                       w_ih, w_hh, b_ih, b_hh, w_hr, steps, d == 1)
                outs.append(out)
                hs.append(h)
                cs.append(c)
            layer_in = outs[0] if D == 1 else _cat(outs, -1)
            if self.dropout > 0 and self.training and layer < self.num_layers - 1:
                layer_in = F.dropout(layer_in, self.dropout, True)
        return layer_in, _stack(hs), (_stack(cs) if c0 is not None else None)

    def forward(self, input, hx=None):
        PackedSequence = _packed_cls()
        is_lstm = self.mode == 'LSTM'
        name = {'LSTM': 'LSTM', 'GRU': 'GRU'}.get(self.mode, 'RNN')
        packed = isinstance(input, PackedSequence)
        sorted_idx = unsorted_idx = None
        if packed:
            data, batch_sizes, sorted_idx, unsorted_idx = input
            bs = [int(b) for b in batch_sizes.tolist()]
            batched = True
        else:
            self._check_dims(input, name)
            batched = input.dim() == 3
            batch_dim = 0 if self.batch_first else 1
            if not batched:
                input = input.unsqueeze(batch_dim)
            bs = None
        # hidden state(s)
        if hx is not None:
            if is_lstm:
                h0, c0 = hx
                if batched and (h0.dim() != 3 or c0.dim() != 3):
                    raise RuntimeError(f"For batched 3-D input, hx and cx should also be 3-D but "
                                       f"got ({h0.dim()}-D, {c0.dim()}-D) tensors")
                if not batched and (h0.dim() != 2 or c0.dim() != 2):
                    raise RuntimeError(f"For unbatched 2-D input, hx and cx should also be 2-D but "
                                       f"got ({h0.dim()}-D, {c0.dim()}-D) tensors")
                if not batched:
                    h0, c0 = h0.unsqueeze(1), c0.unsqueeze(1)
            else:
                h0, c0 = hx, None
                if batched and h0.dim() != 3:
                    raise RuntimeError(f"For batched 3-D input, hx should also be 3-D but got "
                                       f"{h0.dim()}-D tensor")
                if not batched and h0.dim() != 2:
                    raise RuntimeError(f"For unbatched 2-D input, hx should also be 2-D but got "
                                       f"{h0.dim()}-D tensor")
                if not batched:
                    h0 = h0.unsqueeze(1)
            h0 = self.permute_hidden(h0, sorted_idx)
            if c0 is not None:
                c0 = self.permute_hidden(c0, sorted_idx)
        if packed:
            self.check_input(data, bs)
            x2, steps = data, _steps_from_batch_sizes(bs)
        else:
            self.check_input(input, None)
            x = input.transpose(0, 1) if self.batch_first else input
            T, B = x.shape[0], x.shape[1]
            x2 = x.reshape(T * B, x.shape[2])
            steps = tuple((t * B, B) for t in range(T))
        exp = self.get_expected_hidden_size(data if packed else input, bs)
        hs = exp[2]
        if hx is None:
            h0 = zeros(exp, dtype=x2.dtype, device=x2.device)
            c0 = zeros(exp[:2] + (self.hidden_size,), dtype=x2.dtype, device=x2.device) \
                if is_lstm else None
        elif is_lstm:
            self.check_hidden_size(h0, exp, 'Expected hidden[0] size {}, got {}')
            self.check_hidden_size(c0, exp[:2] + (self.hidden_size,),
                                   'Expected hidden[1] size {}, got {}')
        else:
            self.check_hidden_size(h0, exp)
        out2, hn, cn = self._run(x2, steps, h0, c0)
        hn = self.permute_hidden(hn, unsorted_idx)
        if cn is not None:
            cn = self.permute_hidden(cn, unsorted_idx)
        hidden = (hn, cn) if is_lstm else hn
        if packed:
            return PackedSequence(out2, batch_sizes, sorted_idx, unsorted_idx), hidden
        D = 2 if self.bidirectional else 1
        out = out2.view(T, B, D * hs)
        if self.batch_first:
            out = out.transpose(0, 1)
        if not batched:
            out = out.squeeze(batch_dim)
            hidden = (hn.squeeze(1), cn.squeeze(1)) if is_lstm else hn.squeeze(1)
        return out, hidden

    def extra_repr(self):
        s = '{input_size}, {hidden_size}'
        if self.proj_size != 0:
            s += ', proj_size={proj_size}'
        if self.num_layers != 1:
            s += ', num_layers={num_layers}'
        if self.bias is not True:
            s += ', bias={bias}'
        if self.batch_first is not False:
            s += ', batch_first={batch_first}'
        if self.dropout != 0:
            s += ', dropout={dropout}'
        if self.bidirectional is not False:
            s += ', bidirectional={bidirectional}'
        return s.format(**self.__dict__)

    def __setstate__(self, d):
        super().__setstate__(d)


class RNN(RNNBase):
    """Elman RNN: h_t = act(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh), act tanh or relu."""

    def __init__(self, *args, **kwargs):
        if 'proj_size' in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if len(args) > 3:
            self.nonlinearity = args[3]
            args = args[:3] + args[4:]
        else:
            self.nonlinearity = kwargs.pop('nonlinearity', 'tanh')
        if self.nonlinearity == 'tanh':
            mode = 'RNN_TANH'
        elif self.nonlinearity == 'relu':
            mode = 'RNN_RELU'
        else:
            raise ValueError(f"Unknown nonlinearity '{self.nonlinearity}'. Select from 'tanh' or 'relu'.")
        super().__init__(mode, *args, **kwargs)

    def extra_repr(self):
        s = super().extra_repr()
        if self.nonlinearity != 'tanh':
            s += f', nonlinearity={self.nonlinearity}'
        return s


class LSTM(RNNBase):
    """Long short-term memory (gates i, f, g, o) with optional output projection."""

    def __init__(self, *args, **kwargs):
        super().__init__('LSTM', *args, **kwargs)


class GRU(RNNBase):
    """Gated recurrent unit (gates r, z, n; b_hn inside the reset product, as torch)."""

    def __init__(self, *args, **kwargs):
        if 'proj_size' in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        super().__init__('GRU', *args, **kwargs)


# ---------------------------------------------------------------- cells
class RNNCellBase(Module):
    """weight_ih (chunks*H, I), weight_hh (chunks*H, H), biases (chunks*H,), U(-1/sqrt(H), .)."""

    def __init__(self, input_size, hidden_size, bias, num_chunks, device=None, dtype=None):
        factory = {'device': device, 'dtype': dtype}
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        self.weight_ih = Parameter(empty((num_chunks * hidden_size, input_size), **factory))
        self.weight_hh = Parameter(empty((num_chunks * hidden_size, hidden_size), **factory))
        if bias:
            self.bias_ih = Parameter(empty(num_chunks * hidden_size, **factory))
            self.bias_hh = Parameter(empty(num_chunks * hidden_size, **factory))
        else:
            self.register_parameter('bias_ih', None)
            self.register_parameter('bias_hh', None)
        self.reset_parameters()

    def extra_repr(self):
        s = '{input_size}, {hidden_size}'
        if 'bias' in self.__dict__ and self.bias is not True:
            s += ', bias={bias}'
        if 'nonlinearity' in self.__dict__ and self.nonlinearity != 'tanh':
            s += ', nonlinearity={nonlinearity}'
        return s.format(**self.__dict__)

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for w in self.parameters():
            init.uniform_(w, -stdv, stdv)

    def _prep(self, input, hx, name, n_state=1):
        if input.dim() not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.dim()}D instead")
        if hx is not None:
            for h in (hx if isinstance(hx, tuple) else (hx,)):
                if h.dim() not in (1, 2):
                    raise ValueError(f"{name}: Expected hidden to be 1D or 2D, got {h.dim()}D instead")
        if input.size(-1) != self.input_size:
            raise RuntimeError(f"input has inconsistent input_size: got {input.size(-1)} expected "
                               f"{self.input_size}")
        batched = input.dim() == 2
        if not batched:
            input = input.unsqueeze(0)
        if hx is None:
            z = zeros(input.size(0), self.hidden_size, dtype=input.dtype, device=input.device)
            hx = z if n_state == 1 else (z, z)
        elif not batched:
            hx = hx.unsqueeze(0) if n_state == 1 else (hx[0].unsqueeze(0), hx[1].unsqueeze(0))
        for h in (hx if isinstance(hx, tuple) else (hx,)):
            if h.size(0) != input.size(0):
                raise RuntimeError(f"Input batch size {input.size(0)} doesn't match hidden0 batch "
                                   f"size {h.size(0)}")
            if h.size(1) != self.hidden_size:
                raise RuntimeError(f"hidden0 has inconsistent hidden_size: got {h.size(1)}, "
                                   f"expected {self.hidden_size}")
        return input, hx, batched

    def _gates(self, input, h):
        return F.linear(input, self.weight_ih, self.bias_ih), F.linear(h, self.weight_hh, self.bias_hh)


class RNNCell(RNNCellBase):
    """h' = act(x W_ih^T + b_ih + h W_hh^T + b_hh)."""

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity='tanh', device=None,
                 dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=1, device=device, dtype=dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):
        input, hx, batched = self._prep(input, hx, 'RNNCell')
        gi, gh = self._gates(input, hx)
        if self.nonlinearity == 'tanh':
            ret = (gi + gh).tanh()
        elif self.nonlinearity == 'relu':
            ret = F.relu(gi + gh)
        else:
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        return ret if batched else ret.squeeze(0)


class LSTMCell(RNNCellBase):
    """One LSTM step; returns (h', c')."""

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=4, device=device, dtype=dtype)

    def forward(self, input, hx=None):
        input, (h, c), batched = self._prep(input, hx, 'LSTMCell', 2)
        gi, gh = self._gates(input, h)
        i, f, g, o = (gi + gh).chunk(4, 1)
        c2 = f.sigmoid() * c + i.sigmoid() * g.tanh()
        h2 = o.sigmoid() * c2.tanh()
        if not batched:
            return h2.squeeze(0), c2.squeeze(0)
        return h2, c2


class GRUCell(RNNCellBase):
    """One GRU step; returns h'."""

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=3, device=device, dtype=dtype)

    def forward(self, input, hx=None):
        input, h, batched = self._prep(input, hx, 'GRUCell')
        gi, gh = self._gates(input, h)
        ir, iz, in_ = gi.chunk(3, 1)
        hr, hz, hn = gh.chunk(3, 1)
        r = (ir + hr).sigmoid()
        z = (iz + hz).sigmoid()
        n = (in_ + r * hn).tanh()
        h2 = n + z * (h - n)
        return h2 if batched else h2.squeeze(0)
