"""Build TensorBoard `Summary` protobufs from ember tensors, NumPy arrays and Python numbers.

Everything here is plain NumPy on the host: TensorBoard data is always written from the CPU.
The protobuf classes come from the `tensorboard` package (no hand-written wire format).
"""
import io
import math
import struct
import zlib

import numpy as np

from tensorboard.compat.proto.summary_pb2 import HistogramProto, Summary, SummaryMetadata
from tensorboard.compat.proto.tensor_pb2 import TensorProto
from tensorboard.compat.proto.tensor_shape_pb2 import TensorShapeProto

__all__ = ['make_np', 'scalar', 'histogram', 'histogram_raw', 'image', 'text', 'hparams',
           'pr_curve', 'pr_curve_raw', 'custom_scalars', 'make_grid', 'convert_to_HWC',
           'encode_png', 'tensor_summary', 'figure_to_image']


# ---------------------------------------------------------------------------- conversion

def make_np(x):
    """ember Tensor / torch-like tensor / NumPy array / number / list -> NumPy array (host)."""
    from ember._tensor import Tensor
    if isinstance(x, np.ndarray):
        return x
    if isinstance(x, Tensor):
        return np.asarray(x.detach().numpy(force=True))
    if isinstance(x, (int, float, bool, np.generic)):
        return np.array([x])
    if hasattr(x, 'detach') and hasattr(x, 'cpu'):        # e.g. a real torch tensor
        return x.detach().cpu().numpy()
    if isinstance(x, (list, tuple)):
        return np.asarray(x)
    raise NotImplementedError(f'Got {type(x)}, but numpy array or ember tensor are expected.')


def _shape_proto(shape):
    return TensorShapeProto(dim=[TensorShapeProto.Dim(size=int(d)) for d in shape])


def _plugin_meta(name, content=b'', display_name=None):
    kw = {} if display_name is None else {'display_name': display_name}
    return SummaryMetadata(plugin_data=SummaryMetadata.PluginData(plugin_name=name, content=content), **kw)


# ---------------------------------------------------------------------------- scalars

def scalar(name, value, new_style=False, double_precision=False):
    """A scalar summary: legacy `simple_value`, or (new_style) a scalars-plugin tensor."""
    arr = make_np(value).squeeze()
    if arr.ndim != 0:
        raise AssertionError(f'Tensor should contain one element (0 dimensions). Was given size: '
                             f'{arr.size} and {arr.ndim} dimensions.')
    value = float(arr)
    if not new_style:
        return Summary(value=[Summary.Value(tag=name, simple_value=value)])
    if double_precision:
        tensor = TensorProto(double_val=[value], dtype='DT_DOUBLE')
    else:
        tensor = TensorProto(float_val=[value], dtype='DT_FLOAT')
    return Summary(value=[Summary.Value(tag=name, tensor=tensor, metadata=_plugin_meta('scalars'))])


def tensor_summary(name, tensor):
    """A raw tensor summary (float/int/bool/string), readable by the tensors API."""
    from tensorboard.util.tensor_util import make_tensor_proto
    arr = make_np(tensor)
    return Summary(value=[Summary.Value(tag=name, tensor=make_tensor_proto(arr),
                                        metadata=SummaryMetadata())])


# ---------------------------------------------------------------------------- histograms

def _tensorflow_bins():
    """TensorFlow's default histogram edges: +-1e-12 * 1.1**k up to 1e20, and 0."""
    pos = 1e-12 * 1.1 ** np.arange(0, math.ceil(math.log(1e20 / 1e-12, 1.1)))
    pos = pos[pos < 1e20]
    return np.concatenate([-pos[::-1], [0.0], pos])


_TF_BINS = None


def histogram_raw(name, min, max, num, sum, sum_squares, bucket_limits, bucket_counts):
    """A histogram summary from precomputed statistics (bucket_limits are right edges)."""
    if len(bucket_limits) != len(bucket_counts):
        raise ValueError('len(bucket_limits) != len(bucket_counts), see the document.')
    hist = HistogramProto(min=float(min), max=float(max), num=float(num), sum=float(sum),
                          sum_squares=float(sum_squares),
                          bucket_limit=[float(v) for v in make_np(bucket_limits).reshape(-1)],
                          bucket=[float(v) for v in make_np(bucket_counts).reshape(-1)])
    return Summary(value=[Summary.Value(tag=name, histo=hist)])


def make_histogram(values, bins, max_bins=None):
    """HistogramProto of `values`: np.histogram with `bins` ('tensorflow', a NumPy bin spec, an
    int or explicit edges), optionally merged down to `max_bins`, trimmed to the occupied range
    (keeping one empty bucket on the left, as TensorBoard expects)."""
    global _TF_BINS
    values = np.asarray(values, dtype=np.float64).reshape(-1)
    if isinstance(bins, str) and bins == 'tensorflow':
        if _TF_BINS is None:
            _TF_BINS = _tensorflow_bins()
        bins = _TF_BINS
    counts, limits = np.histogram(values, bins=bins)
    nbins = len(counts)
    if max_bins is not None and nbins > max_bins:
        group = nbins // max_bins
        pad = (-nbins) % group
        counts = np.pad(counts, (0, pad)).reshape(-1, group).sum(axis=1)
        new_limits = limits[::group]
        if nbins % group:
            new_limits = np.concatenate([new_limits, limits[-1:]])
        limits = new_limits
    # counts aligned with right edges; a leading 0 for the left-most edge
    counts = np.concatenate([[0], counts])
    nz = np.nonzero(counts)[0]
    if nz.size == 0:
        raise ValueError('The histogram is empty, please file a bug report.')
    start = max(int(nz[0]) - 1, 0)
    end = nz[-1] + 1
    counts, limits = counts[start:end], limits[start:end]
    return HistogramProto(min=float(values.min()), max=float(values.max()), num=float(values.size),
                          sum=float(values.sum()), sum_squares=float(values.dot(values)),
                          bucket_limit=limits.tolist(), bucket=counts.astype(np.float64).tolist())



def histogram(name, values, bins='tensorflow', max_bins=None):
    arr = make_np(values).astype(np.float64)
    return Summary(value=[Summary.Value(tag=name, histo=make_histogram(arr, bins, max_bins))])


# ---------------------------------------------------------------------------- images

def _png_chunk(kind, data):
    body = kind + data
    return struct.pack('>I', len(data)) + body + struct.pack('>I', zlib.crc32(body) & 0xffffffff)


def encode_png(hwc):
    """uint8 HWC (C in 1, 3, 4) -> PNG bytes. Pillow if installed, else zlib (stored filter 0)."""
    hwc = np.ascontiguousarray(hwc, dtype=np.uint8)
    h, w, c = hwc.shape
    try:
        from PIL import Image
    except ImportError:
        Image = None
    if Image is not None:
        buf = io.BytesIO()
        Image.fromarray(hwc[:, :, 0] if c == 1 else hwc, {1: 'L', 3: 'RGB', 4: 'RGBA'}[c]).save(buf, format='PNG')
        return buf.getvalue()
    color_type = {1: 0, 3: 2, 4: 6}[c]
    raw = np.concatenate([np.zeros((h, 1), np.uint8), hwc.reshape(h, w * c)], axis=1).tobytes()
    return (b'\x89PNG\r\n\x1a\n'
            + _png_chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, color_type, 0, 0, 0))
            + _png_chunk(b'IDAT', zlib.compress(raw, 6)) + _png_chunk(b'IEND', b''))


def make_grid(nchw, ncols=8):
    """Tile N images (NCHW) into one CHW image, row-major, ncols per row, no padding."""
    if nchw.shape[1] == 1:
        nchw = np.concatenate([nchw, nchw, nchw], 1)
    n, c, h, w = nchw.shape
    if c not in (3, 4):
        raise AssertionError('the images should have 1, 3 or 4 channels')
    ncols = min(n, ncols)
    nrows = int(math.ceil(float(n) / ncols))
    pad = nrows * ncols - n
    if pad:
        nchw = np.concatenate([nchw, np.zeros((pad, c, h, w), nchw.dtype)], 0)
    return nchw.reshape(nrows, ncols, c, h, w).transpose(2, 0, 3, 1, 4).reshape(c, nrows * h, ncols * w)


def convert_to_HWC(arr, input_format):
    """Reorder an image array in `input_format` (e.g. CHW, HW, NCHW) to HWC with 3 or 4 channels."""
    fmt = input_format.upper()
    if len(set(fmt)) != len(fmt):
        raise AssertionError(f'You can not use the same dimension shordhand twice. input_format: {input_format}')
    if arr.ndim != len(fmt):
        raise AssertionError(f'size of input tensor and input format are different. '
                             f'tensor shape: {arr.shape}, input_format: {input_format}')
    if len(fmt) == 4:
        nchw = arr.transpose([fmt.find(ch) for ch in 'NCHW'])
        return make_grid(nchw).transpose(1, 2, 0)
    if len(fmt) == 3:
        hwc = arr.transpose([fmt.find(ch) for ch in 'HWC'])
        if hwc.shape[2] == 1:
            hwc = np.concatenate([hwc, hwc, hwc], 2)
        return hwc
    if len(fmt) == 2:
        hw = arr.transpose([fmt.find(ch) for ch in 'HW'])
        return np.stack([hw, hw, hw], 2)
    raise AssertionError(f'unsupported input_format: {input_format}')


def _to_uint8(arr):
    """uint8 kept; anything else is taken as [0, 1] and scaled to [0, 255]."""
    if arr.dtype == np.uint8:
        return arr
    return (arr.astype(np.float32) * 255.0).clip(0, 255).astype(np.uint8)


def image(tag, tensor, dataformats='CHW'):
    """An image summary (PNG) from an image array in `dataformats`."""
    hwc = _to_uint8(convert_to_HWC(make_np(tensor), dataformats))
    h, w, c = hwc.shape
    img = Summary.Image(height=h, width=w, colorspace=c, encoded_image_string=encode_png(hwc))
    return Summary(value=[Summary.Value(tag=tag, image=img)])


def figure_to_image(figures, close=True):
    """Render matplotlib figure(s) to CHW (or NCHW for a list) uint8 RGB arrays (Agg canvas)."""

    def render(fig):
        canvas = getattr(fig, 'canvas', None)
        if canvas is None or not hasattr(canvas, 'buffer_rgba'):
            try:
                from matplotlib.backends.backend_agg import FigureCanvasAgg
            except ImportError as e:
                raise ImportError('add_figure needs matplotlib: pip install matplotlib') from e
            canvas = FigureCanvasAgg(fig)
        canvas.draw()
        rgba = np.asarray(canvas.buffer_rgba(), dtype=np.uint8)
        if close:
            try:
                import matplotlib.pyplot as plt
            except ImportError:
                plt = None
            if plt is not None:
                plt.close(fig)
        return rgba[:, :, :3].transpose(2, 0, 1)

    if isinstance(figures, (list, tuple)):
        return np.stack([render(f) for f in figures])
    return render(figures)


# ---------------------------------------------------------------------------- text

def text(tag, text_string):
    """A text-plugin summary (markdown is rendered by TensorBoard)."""
    from tensorboard.plugins.text.plugin_data_pb2 import TextPluginData
    meta = _plugin_meta('text', TextPluginData(version=0).SerializeToString())
    tensor = TensorProto(dtype='DT_STRING', string_val=[text_string.encode('utf_8')],
                         tensor_shape=_shape_proto([1]))
    return Summary(value=[Summary.Value(tag=tag + '/text_summary', metadata=meta, tensor=tensor)])


# ---------------------------------------------------------------------------- hparams

def hparams(hparam_dict=None, metric_dict=None, hparam_domain_discrete=None):
    """The hparams plugin's (experiment, session_start_info, session_end_info) summaries."""
    from ember._tensor import Tensor
    from tensorboard.plugins.hparams.api_pb2 import DataType, Experiment, HParamInfo, MetricInfo, MetricName, Status
    from tensorboard.plugins.hparams.plugin_data_pb2 import HParamsPluginData, SessionEndInfo, SessionStartInfo
    from google.protobuf.struct_pb2 import ListValue, Value

    if not isinstance(hparam_dict, dict) or not isinstance(metric_dict, dict):
        raise TypeError('hparam_dict and metric_dict should be dictionary.')
    hparam_domain_discrete = hparam_domain_discrete or {}
    if not isinstance(hparam_domain_discrete, dict):
        raise TypeError('parameter: hparam_domain_discrete should be a dictionary.')
    for k, v in hparam_domain_discrete.items():
        if k not in hparam_dict or not isinstance(v, list) or \
                not all(isinstance(d, type(hparam_dict[k])) for d in v):
            raise TypeError(f"parameter: hparam_domain_discrete[{k}] should be a list of same type "
                            f"as hparam_dict[{k}].")

    infos = []
    ssi = SessionStartInfo()
    for k, v in hparam_dict.items():
        if v is None:
            continue
        if isinstance(v, Tensor) or (hasattr(v, 'item') and not isinstance(v, (str, bytes))):
            v = make_np(v).reshape(-1)[0].item()
        if isinstance(v, (int, float)):     # bools too (they are ints), as torch logs them
            ssi.hparams[k].number_value = v
            dtype = DataType.DATA_TYPE_FLOAT64
            domain = [Value(number_value=d) for d in hparam_domain_discrete.get(k, [])]
        elif isinstance(v, str):
            ssi.hparams[k].string_value = v
            dtype = DataType.DATA_TYPE_STRING
            domain = [Value(string_value=d) for d in hparam_domain_discrete.get(k, [])]
        else:
            raise ValueError('value should be one of int, float, str, bool, or torch.Tensor')
        info = HParamInfo(name=k, type=dtype)
        if k in hparam_domain_discrete:
            info.domain_discrete.CopyFrom(ListValue(values=domain))
        infos.append(info)

    def summ(tag, **plugin_kw):
        content = HParamsPluginData(version=0, **plugin_kw).SerializeToString()
        return Summary(value=[Summary.Value(tag=tag, metadata=_plugin_meta('hparams', content))])

    exp = Experiment(hparam_infos=infos,
                     metric_infos=[MetricInfo(name=MetricName(tag=k)) for k in metric_dict])
    return (summ('_hparams_/experiment', experiment=exp),
            summ('_hparams_/session_start_info', session_start_info=ssi),
            summ('_hparams_/session_end_info',
                 session_end_info=SessionEndInfo(status=Status.Value('STATUS_SUCCESS'))))


# ---------------------------------------------------------------------------- PR curves

_MIN_COUNT = 1e-7


def _pr_summary(tag, data, num_thresholds):
    from tensorboard.plugins.pr_curve.plugin_data_pb2 import PrCurvePluginData
    content = PrCurvePluginData(version=0, num_thresholds=num_thresholds).SerializeToString()
    tensor = TensorProto(dtype='DT_FLOAT', float_val=np.asarray(data, np.float32).reshape(-1).tolist(),
                         tensor_shape=_shape_proto(data.shape))
    return Summary(value=[Summary.Value(tag=tag, metadata=_plugin_meta('pr_curves', content), tensor=tensor)])


def pr_curve_data(labels, predictions, num_thresholds=127, weights=None):
    """[6, num_thresholds] rows: TP, FP, TN, FN, precision, recall at thresholds i/(n-1)."""
    num_thresholds = min(num_thresholds, 127)
    labels = make_np(labels).reshape(-1).astype(bool)
    predictions = make_np(predictions).reshape(-1).astype(np.float64)
    w = 1.0 if weights is None else make_np(weights).reshape(-1).astype(np.float64)
    idx = np.floor(predictions * (num_thresholds - 1)).astype(np.int64)
    lab = labels.astype(np.float64)
    tp_b = np.bincount(idx, weights=np.broadcast_to(lab * w, idx.shape), minlength=num_thresholds)
    fp_b = np.bincount(idx, weights=np.broadcast_to((1.0 - lab) * w, idx.shape), minlength=num_thresholds)
    tp = np.cumsum(tp_b[::-1])[::-1][:num_thresholds]
    fp = np.cumsum(fp_b[::-1])[::-1][:num_thresholds]
    tn = fp[0] - fp
    fn = tp[0] - tp
    precision = tp / np.maximum(_MIN_COUNT, tp + fp)
    recall = tp / np.maximum(_MIN_COUNT, tp + fn)
    return np.stack([tp, fp, tn, fn, precision, recall]), num_thresholds


def pr_curve(tag, labels, predictions, num_thresholds=127, weights=None):
    data, n = pr_curve_data(labels, predictions, num_thresholds, weights)
    return _pr_summary(tag, data, n)


def pr_curve_raw(tag, tp, fp, tn, fn, precision, recall, num_thresholds=127, weights=None):
    num_thresholds = min(num_thresholds, 127)
    data = np.stack([make_np(a).reshape(-1).astype(np.float64) for a in (tp, fp, tn, fn, precision, recall)])
    return _pr_summary(tag, data, num_thresholds)


# ---------------------------------------------------------------------------- custom scalars

def custom_scalars(layout):
    """The custom_scalars plugin layout: {category: {title: ['Multiline'|'Margin', tags]}}."""
    from tensorboard.plugins.custom_scalar import layout_pb2
    categories = []
    for cat, charts_dict in layout.items():
        charts = []
        for title, (kind, tags) in charts_dict.items():
            if kind == 'Margin':
                if len(tags) != 3:
                    raise AssertionError('Margin charts need [value, lower, upper] tags')
                series = [layout_pb2.MarginChartContent.Series(value=tags[0], lower=tags[1], upper=tags[2])]
                chart = layout_pb2.Chart(title=title, margin=layout_pb2.MarginChartContent(series=series))
            else:
                chart = layout_pb2.Chart(title=title, multiline=layout_pb2.MultilineChartContent(tag=tags))
            charts.append(chart)
        categories.append(layout_pb2.Category(title=cat, chart=charts))
    layout = layout_pb2.Layout(category=categories)
    tensor = TensorProto(dtype='DT_STRING', string_val=[layout.SerializeToString()],
                         tensor_shape=TensorShapeProto())
    return Summary(value=[Summary.Value(tag='custom_scalars__config__', tensor=tensor,
                                        metadata=_plugin_meta('custom_scalars'))])
