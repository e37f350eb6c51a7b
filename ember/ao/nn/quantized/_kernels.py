"""Integer kernels of the quantized modules: int32 accumulation of (x_q - zp_x)(w_q - zp_w),
then fbgemm-style requantization y_q = zp + nearbyint((acc + bias / (s_x s_w)) * s_x s_w / s_y)
in float32 (ReLU-fused variants clamp at zp)."""
from ...._tensor import Tensor
from ...._storage import Storage  # noqa: F401
from ....nn.functional.conv import _pad_input, _conv_out_size, _im2col_t, _bn_to_nb, _prod
from ..._qtensor import _make_q, per_tensor_affine, QTensor
from .... import _dtype as D


def _require_q(x, op):
    if not isinstance(x, QTensor):
        raise NotImplementedError(
            f"Could not run '{op}' with arguments from the 'CPU' backend. This could be because "
            "the operator doesn't exist for this backend (the input must be a quantized tensor: "
            "put a QuantStub before this module).")


def _centered(xp, q):
    """q's integers minus its zero point(s) as int32, and its scale(s) as float32 arrays."""
    if q._q_axis is None:
        return (q._data.astype(xp.int32) - xp.int32(q._q_zp),
                xp.asarray([q._q_scale], dtype=xp.float32))
    shape = [1] * q._data.ndim
    shape[q._q_axis] = -1
    zp = q._q_zps._data.astype(xp.int32).reshape(shape)
    return q._data.astype(xp.int32) - zp, q._q_scales._data.astype(xp.float32)


def _requantize(xp, acc, act_w_scale, bias, out_scale, out_zp, relu, ch_shape):
    """acc int32 (channels along ch_shape) -> quint8 array."""
    f32 = xp.float32
    raw = acc.astype(f32)
    s = act_w_scale.reshape(ch_shape)
    if bias is not None:
        raw = raw + (bias.astype(f32).reshape(ch_shape) / s).astype(f32)
    mult = (s / f32(out_scale)).astype(f32)
    q = xp.rint((raw * mult).astype(f32)) + out_zp
    lo = out_zp if relu else 0
    return xp.clip(q, lo, 255).astype(xp.uint8)


def quantized_linear(x, wq, bias, out_scale, out_zp, relu=False):
    """quint8 x (..., K) times qint8 weight (O, K) -> quint8 (..., O) with the given qparams."""
    _require_q(x, 'quantized::linear')
    xp = x._storage.device.xp
    xi, sx = _centered(xp, x)
    wi, sw = _centered(xp, wq)
    K = xi.shape[-1]
    acc = xp.matmul(xi.reshape(-1, K), wi.T)                       # int32 accumulation
    act_w = (sx[0] * sw).astype(xp.float32)
    b = None if bias is None else bias.detach()._data
    out = _requantize(xp, acc, act_w, b, out_scale, out_zp, relu, (1, -1))
    out = out.reshape(xi.shape[:-1] + (wi.shape[0],))
    return _make_q(out, x._storage.device, D.quint8, per_tensor_affine, float(out_scale),
                   int(out_zp))


def quantized_conv2d(x, wq, bias, stride, padding, dilation, groups, out_scale, out_zp,
                     relu=False):
    """quint8 NCHW x convolved with qint8 weight (O, C/g, kh, kw) via int32 im2col GEMM."""
    _require_q(x, 'quantized::conv2d.new')
    xp = x._storage.device.xp
    xi, sx = _centered(xp, x)
    wi, sw = _centered(xp, wq)
    unbatched = xi.ndim == 3
    if unbatched:
        xi = xi[None]
    N = xi.shape[0]
    O = wi.shape[0]
    K = wi.shape[2:]
    a = _pad_input(xp, xi, padding, padding)                        # zero = real 0 after centering
    out = _conv_out_size(a.shape[2:], K, stride, dilation)
    cols = _im2col_t(xp, a, K, out, stride, dilation, groups)       # (g, CgK, N*L)
    acc = xp.matmul(wi.reshape(groups, O // groups, -1), cols)      # int32 (g, Og, N*L)
    acc = _bn_to_nb(acc, N, groups, O // groups, _prod(out)).reshape((N, O) + out)
    act_w = (sx[0] * sw).astype(xp.float32)
    b = None if bias is None else bias.detach()._data
    res = _requantize(xp, acc, act_w, b, out_scale, out_zp, relu, (1, -1, 1, 1))
    if unbatched:
        res = res[0]
    return _make_q(xp.ascontiguousarray(res), x._storage.device, D.quint8, per_tensor_affine,
                   float(out_scale), int(out_zp))


def choose_qparams_dynamic(xp, x, reduce_range=True, qmin=0, qmax=255):
    """fbgemm's ChooseQuantizationParams for a float input seen at run time (quint8)."""
    if reduce_range:
        qmin, qmax = qmin // 2, qmax // 2
    mn = min(float(x.min()) if x.size else 0.0, 0.0)
    mx = max(float(x.max()) if x.size else 0.0, 0.0)
    mn, mx = float(xp.float32(mn)), float(xp.float32(mx))
    scale = (mx - mn) / (qmax - qmin)
    if float(xp.float32(scale)) == 0.0:
        scale = 0.1
    zmin = qmin - mn / scale
    zmax = qmax - mx / scale
    emin = abs(qmin) - abs(mn / scale)
    emax = abs(qmax) - abs(mx / scale)
    z = zmin if emin < emax else zmax
    z = qmin if z < qmin else qmax if z > qmax else int(round(z))
    return float(xp.float32(scale)), int(z)


def dynamic_linear(x, wq, bias, reduce_range=True):
    """float x -> quantize with run-time qparams -> int32 GEMM -> float output."""
    from ..._qtensor import _quantize_array
    xp = x._storage.device.xp
    xa = x.detach()._data.astype(xp.float32)
    s, z = choose_qparams_dynamic(xp, xa, reduce_range)
    xq = _quantize_array(xp, xa, s, z, 0, 255, xp.uint8)
    wi, sw = _centered(xp, wq)
    K = xa.shape[-1]
    acc = xp.matmul(xq.reshape(-1, K).astype(xp.int32) - xp.int32(z), wi.T)
    y = acc.astype(xp.float32) * (xp.float32(s) * sw).astype(xp.float32)
    if bias is not None:
        y = y + bias.detach()._data.astype(xp.float32)
    return Tensor._from_array(y.reshape(xa.shape[:-1] + (wi.shape[0],)).astype(xp.float32),
                              x._storage.device)
