"""HistogramObserver: keeps a 2048-bin histogram of everything it sees and picks the min/max
that minimize the L2 error of quantizing that histogram to 2**bits levels (the search torch
inherited from caffe2's NormMinimization). Arithmetic is float32 like torch's, so the chosen
range matches torch's on the same data."""
import math
import warnings

from ... import _dtype as D
from .observer import UniformQuantizationObserverBase, _t, _xp, _EPS
from .._qtensor import per_tensor_affine

__all__ = ['HistogramObserver']

f32 = 'float32'


def _histc(xp, x, bins, mn, mx):
    """torch.histc in float32: pos = (x - min) * bins / (max - min); x == max in the last bin."""
    mn, mx = xp.float32(mn), xp.float32(mx)
    if mn == mx:
        mn, mx = mn - xp.float32(1), mx + xp.float32(1)
    x = x[(x >= mn) & (x <= mx)]
    pos = ((x - mn) * xp.float32(bins) / (mx - mn)).astype('int64')
    pos = xp.minimum(pos, bins - 1)
    return xp.bincount(pos, minlength=bins)[:bins].astype(f32)


def _linspace(xp, start, end, steps):
    """torch.linspace in float32: the first half counts up from start, the rest down from end."""
    start, end = xp.float32(start), xp.float32(end)
    step = (end - start) / xp.float32(steps - 1)
    i = xp.arange(steps)
    half = steps // 2
    up = start + step * i.astype(f32)
    down = end - step * (steps - i - 1).astype(f32)
    return xp.where(i < half, up, down).astype(f32)


class HistogramObserver(UniformQuantizationObserverBase):
    """Range from a histogram with the outliers trimmed to minimize quantization error."""

    def __init__(self, bins=2048, dtype=D.quint8, qscheme=per_tensor_affine,
                 reduce_range=False, quant_min=None, quant_max=None, factory_kwargs=None,
                 eps=_EPS, is_dynamic=False, **kwargs):
        if is_dynamic:
            raise NotImplementedError("HistogramObserver doesn't support dynamic quantization")
        super().__init__(dtype=dtype, qscheme=qscheme, reduce_range=reduce_range,
                         quant_min=quant_min, quant_max=quant_max,
                         factory_kwargs=factory_kwargs, eps=eps, is_dynamic=is_dynamic, **kwargs)
        xp = _xp()
        self.bins = bins
        self.register_buffer('histogram', _t(xp.zeros(bins, dtype=f32)))
        self.register_buffer('min_val', _t(xp.asarray(math.inf, dtype=f32)))
        self.register_buffer('max_val', _t(xp.asarray(-math.inf, dtype=f32)))
        self.dst_nbins = 2 ** (dtype.itemsize * 8)
        self.upsample_rate = 16

    # ------------------------------------------------------------------ search
    def _get_norm(self, delta_begin, delta_end, density):
        return density * ((delta_end * delta_end * delta_end
                           - delta_begin * delta_begin * delta_begin) / 3)

    def _compute_quantization_error(self, next_start_bin, next_end_bin):
        xp = _xp()
        bins = self.bins
        bin_width = (float(self.max_val) - float(self.min_val)) / bins
        dst_bin_width = bin_width * (next_end_bin - next_start_bin + 1) / self.dst_nbins
        if dst_bin_width == 0.0:
            return 0.0
        bw, dw = xp.float32(bin_width), xp.float32(dst_bin_width)
        src_begin = (xp.arange(bins) - next_start_bin).astype(f32) * bw
        src_end = src_begin + bw
        top = xp.float32(self.dst_nbins - 1)
        d_begin = xp.clip(xp.floor_divide(src_begin, dw), xp.float32(0), top)
        d_begin_center = (d_begin + xp.float32(0.5)) * dw
        d_end = xp.clip(xp.floor_divide(src_end, dw), xp.float32(0), top)
        density = self.histogram._data / bw
        half = xp.float32(dst_bin_width / 2)
        norm = xp.zeros(bins, dtype=f32)
        norm += self._get_norm(src_begin - d_begin_center, xp.ones(bins, dtype=f32) * half, density)
        norm += (d_end - d_begin - xp.float32(1)) * self._get_norm(
            xp.float32(-dst_bin_width / 2), half, density)
        d_end_center = d_end * dw + half
        norm += self._get_norm(xp.float32(-dst_bin_width / 2), src_end - d_end_center, density)
        return float(norm.sum(dtype=f32))

    def _non_linear_param_search(self):
        xp = _xp()
        hist = self.histogram._data
        if hist.shape[0] != self.bins:
            raise AssertionError("bins mismatch")
        mn, mx = self.min_val._data, self.max_val._data
        bin_width = ((mx - mn) / xp.float32(self.bins)).astype(f32)
        total = float(hist.sum(dtype=f32))
        csum = xp.cumsum(hist, dtype=f32)
        stepsize = 1e-5
        alpha, beta = 0.0, 1.0
        start_bin, end_bin = 0, self.bins - 1
        norm_min = math.inf
        while alpha < beta:
            next_alpha = alpha + stepsize
            next_beta = beta - stepsize
            # first l >= start_bin with csum[l] >= next_alpha*total (csum is nondecreasing)
            l = max(start_bin, int(xp.searchsorted(csum, xp.float32(next_alpha * total), 'left')))
            l = min(l, end_bin) if l > start_bin else start_bin
            r = int(xp.searchsorted(csum, xp.float32(next_beta * total), 'right')) - 1
            r = max(start_bin, min(end_bin, r))
            next_start_bin, next_end_bin = start_bin, end_bin
            if (l - start_bin) > (end_bin - r):
                next_start_bin = l
                alpha = next_alpha
            else:
                next_end_bin = r
                beta = next_beta
            if next_start_bin == start_bin and next_end_bin == end_bin:
                continue
            norm = self._compute_quantization_error(next_start_bin, next_end_bin)
            if norm > norm_min:
                break
            norm_min = norm
            start_bin, end_bin = next_start_bin, next_end_bin
        new_min = mn + bin_width * xp.float32(start_bin)
        new_max = mn + bin_width * xp.float32(end_bin + 1)
        return _t(xp.asarray(new_min, dtype=f32)), _t(xp.asarray(new_max, dtype=f32))

    # ------------------------------------------------------------------ histogram updates
    def _upscale_histogram(self, histogram, orig_min, orig_max, update_min, update_max):
        xp = _xp()
        up = self.upsample_rate
        histogram = xp.repeat(histogram, up) / xp.float32(up)
        bin_size = (orig_max - orig_min) / xp.float32(self.bins * up)
        mids = _linspace(xp, orig_min, orig_max, self.bins * up + 1)[:-1] + xp.float32(0.5) * bin_size
        bounds = _linspace(xp, update_min, update_max, self.bins + 1)
        idx = xp.searchsorted(bounds, mids.astype(f32), 'right') - 1
        idx = xp.clip(idx, 0, self.bins - 1)
        return xp.bincount(idx, weights=histogram, minlength=self.bins).astype(f32)

    def _combine_histograms(self, orig_hist, orig_min, orig_max, update_hist, update_min,
                            update_max):
        xp = _xp()
        if update_min == orig_min and update_max == orig_max:
            return orig_hist + update_hist
        if orig_min == orig_max:
            value = orig_hist.sum(dtype=f32)
            moved = _histc(xp, xp.asarray([orig_min], dtype=f32), self.bins, update_min, update_max)
            return moved * value + update_hist
        return update_hist + self._upscale_histogram(orig_hist, orig_min, orig_max, update_min,
                                                     update_max)

    def reset_histogram(self, x, min_val, max_val):
        xp = _xp()
        self.min_val = _t(xp.asarray(min_val, dtype=f32))
        self.max_val = _t(xp.asarray(max_val, dtype=f32))
        self.histogram = _t(_histc(xp, x, self.bins, min_val, max_val))

    def forward(self, x_orig):
        if x_orig.numel() == 0:
            return x_orig
        xp = _xp()
        x = x_orig.detach()._data.astype(f32).reshape(-1)
        x_min, x_max = x.min(), x.max()
        if x_min == -math.inf or x_max == math.inf:
            warnings.warn("torch.inf detected in input tensor, ignoring input", stacklevel=2)
            x = x[xp.abs(x) != math.inf]
            if x.size == 0:
                return x_orig
            x_min, x_max = x.min(), x.max()
        cur_min, cur_max = self.min_val._data, self.max_val._data
        if cur_min == math.inf or cur_max == -math.inf:
            self.reset_histogram(x, x_min, x_max)
            return x_orig
        new_min, new_max = xp.minimum(cur_min, x_min), xp.maximum(cur_max, x_max)
        update = _histc(xp, x, self.bins, new_min, new_max)
        if new_min == cur_min and new_max == cur_max:
            self.histogram = _t((self.histogram._data + update).astype(f32))
        else:
            self.histogram = _t(self._combine_histograms(self.histogram._data, cur_min, cur_max,
                                                         update, new_min, new_max).astype(f32))
            self.min_val = _t(xp.asarray(new_min, dtype=f32))
            self.max_val = _t(xp.asarray(new_max, dtype=f32))
        return x_orig

    def calculate_qparams(self):
        xp = _xp()
        if float(self.min_val) == math.inf and float(self.max_val) == -math.inf:
            warnings.warn("must run observer before calling calculate_qparams. Returning "
                          "default scale and zero point ", stacklevel=2)
            return _t(xp.asarray([1.0], dtype=f32)), _t(xp.asarray([0], dtype='int64'))
        if self.bins != len(self.histogram._data):
            raise AssertionError("The number of bins in histogram should be equal to the number "
                                 "of bins supplied while making this observer")
        new_min, new_max = self._non_linear_param_search()
        return self._calculate_qparams(new_min, new_max)

    def extra_repr(self):
        return f"min_val={self.min_val}, max_val={self.max_val}"
