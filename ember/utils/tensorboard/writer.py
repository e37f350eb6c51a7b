"""SummaryWriter (torch.utils.tensorboard.SummaryWriter) on top of the `tensorboard` package.

Event files are written by tensorboard's own EventFileWriter (record framing, CRCs, a
background flushing thread); this module only builds Events from the summaries in summary.py
and lays out folders the way torch does (sub-runs for add_scalars and add_hparams, projector
files for add_embedding).
"""
import math
import os
import socket
import time
import warnings
from datetime import datetime

import numpy as np

from tensorboard.compat.proto.event_pb2 import Event, SessionLog
from tensorboard.summary.writer.event_file_writer import EventFileWriter

from . import summary as S

__all__ = ['FileWriter', 'SummaryWriter']


class FileWriter:
    """Writes Events (summaries, graphs, run metadata) to one event file in `log_dir`."""

    def __init__(self, log_dir, max_queue=10, flush_secs=120, filename_suffix=''):
        log_dir = str(log_dir)
        self.event_writer = EventFileWriter(log_dir, max_queue, flush_secs, filename_suffix)

    def get_logdir(self):
        return self.event_writer.get_logdir()

    def add_event(self, event, step=None, walltime=None):
        event.wall_time = time.time() if walltime is None else walltime
        if step is not None:
            event.step = int(step)
        self.event_writer.add_event(event)

    def add_summary(self, summary, global_step=None, walltime=None):
        self.add_event(Event(summary=summary), global_step, walltime)

    def add_graph(self, graph_profile, walltime=None):
        graph_def, run_metadata = graph_profile
        self.add_event(Event(graph_def=graph_def.SerializeToString()), None, walltime)
        if run_metadata is not None:
            from tensorboard.compat.proto.event_pb2 import TaggedRunMetadata
            trm = TaggedRunMetadata(tag='step1', run_metadata=run_metadata.SerializeToString())
            self.add_event(Event(tagged_run_metadata=trm), None, walltime)

    def flush(self):
        self.event_writer.flush()

    def close(self):
        self.event_writer.close()

    def reopen(self):
        self.event_writer.reopen()


def _default_logdir(comment=''):
    current_time = datetime.now().strftime('%b%d_%H-%M-%S')
    return os.path.join('runs', current_time + '_' + socket.gethostname() + comment)


class SummaryWriter:
    """Writes TensorBoard event files into `log_dir` (default runs/<date>_<host><comment>).

    Every add_* method takes ember tensors, NumPy arrays or Python numbers; `global_step` is the
    x-axis and `walltime` (default now) the event time. Use as a context manager to close it.
    """

    def __init__(self, log_dir=None, comment='', purge_step=None, max_queue=10, flush_secs=120,
                 filename_suffix=''):
        if not log_dir:
            log_dir = _default_logdir(comment)
        self.log_dir = str(log_dir)
        self.purge_step = purge_step
        self.max_queue = max_queue
        self.flush_secs = flush_secs
        self.filename_suffix = filename_suffix
        self.file_writer = self.all_writers = None
        self._get_file_writer()

    # ------------------------------------------------------------------ writers
    def _get_file_writer(self):
        """The main FileWriter, (re)created after close(); writes the purge marker once."""
        if self.all_writers is None or self.file_writer is None:
            self.file_writer = FileWriter(self.log_dir, self.max_queue, self.flush_secs, self.filename_suffix)
            self.all_writers = {self.file_writer.get_logdir(): self.file_writer}
            if self.purge_step is not None:
                step = self.purge_step
                self.file_writer.add_event(Event(step=step, file_version='brain.Event:2'))
                self.file_writer.add_event(Event(step=step, session_log=SessionLog(status=SessionLog.START)))
                self.purge_step = None
        return self.file_writer

    def get_logdir(self):
        """The directory event files are written to."""
        return self.log_dir

    def _add(self, summ, global_step, walltime):
        self._get_file_writer().add_summary(summ, global_step, walltime)

    # ------------------------------------------------------------------ scalars
    def add_scalar(self, tag, scalar_value, global_step=None, walltime=None, new_style=False,
                   double_precision=False):
        """Log one scalar (a float, a 1-element tensor or array) under `tag`."""
        self._add(S.scalar(tag, scalar_value, new_style=new_style, double_precision=double_precision),
                  global_step, walltime)

    def add_scalars(self, main_tag, tag_scalar_dict, global_step=None, walltime=None):
        """Log several scalars in one chart: each key goes to its own sub-run
        `log_dir/<main_tag>_<key>` (tag = main_tag), so TensorBoard overlays them."""
        walltime = time.time() if walltime is None else walltime
        fw_logdir = self._get_file_writer().get_logdir()
        for tag, value in tag_scalar_dict.items():
            fw_tag = fw_logdir + '/' + main_tag.replace('/', '_') + '_' + tag
            fw = self.all_writers.get(fw_tag)
            if fw is None:
                fw = FileWriter(fw_tag, self.max_queue, self.flush_secs, self.filename_suffix)
                self.all_writers[fw_tag] = fw
            fw.add_summary(S.scalar(main_tag, value), global_step, walltime)

    def add_tensor(self, tag, tensor, global_step=None, walltime=None):
        """Log a whole tensor (read back with the tensors API)."""
        self._add(S.tensor_summary(tag, tensor), global_step, walltime)

    # ------------------------------------------------------------------ histograms
    def add_histogram(self, tag, values, global_step=None, bins='tensorflow', walltime=None, max_bins=None):
        """Histogram of `values`; bins: 'tensorflow' (exponential edges), a NumPy spec or an int."""
        self._add(S.histogram(tag, values, bins, max_bins=max_bins), global_step, walltime)

    def add_histogram_raw(self, tag, min, max, num, sum, sum_squares, bucket_limits, bucket_counts,
                          global_step=None, walltime=None):
        """Histogram from precomputed statistics; bucket_limits are the buckets' right edges."""
        self._add(S.histogram_raw(tag, min, max, num, sum, sum_squares, bucket_limits, bucket_counts),
                  global_step, walltime)

    # ------------------------------------------------------------------ images
    def add_image(self, tag, img_tensor, global_step=None, walltime=None, dataformats='CHW'):
        """One image (CHW/HWC/HW); floats in [0, 1] are scaled to 0..255, uint8 kept."""
        self._add(S.image(tag, img_tensor, dataformats=dataformats), global_step, walltime)

    def add_images(self, tag, img_tensor, global_step=None, walltime=None, dataformats='NCHW'):
        """A batch of images (NCHW/NHWC/...) tiled into one grid image, 8 per row."""
        self._add(S.image(tag, img_tensor, dataformats=dataformats), global_step, walltime)

    def add_figure(self, tag, figure, global_step=None, close=True, walltime=None):
        """Render a matplotlib figure (or a list of them, as a grid) and log it as an image."""
        if isinstance(figure, (list, tuple)):
            self.add_image(tag, S.figure_to_image(figure, close), global_step, walltime, dataformats='NCHW')
        else:
            self.add_image(tag, S.figure_to_image(figure, close), global_step, walltime, dataformats='CHW')

    # ------------------------------------------------------------------ text
    def add_text(self, tag, text_string, global_step=None, walltime=None):
        """Log (markdown) text; shows in TensorBoard's Text tab under `<tag>/text_summary`."""
        self._add(S.text(tag, text_string), global_step, walltime)

    # ------------------------------------------------------------------ graph
    def add_graph(self, model, input_to_model=None, verbose=False, use_strict_trace=True):
        """Trace `model(input_to_model)` and write its op graph, grouped by module."""
        from ._graph import graph
        self._get_file_writer().add_graph(graph(model, input_to_model, verbose))

    # ------------------------------------------------------------------ hparams
    def add_hparams(self, hparam_dict, metric_dict, hparam_domain_discrete=None, run_name=None,
                    global_step=None):
        """Log one hyper-parameter set with its metrics, in the sub-run `log_dir/<run_name>`
        (default: the current time), for TensorBoard's HParams tab."""
        if not isinstance(hparam_dict, dict) or not isinstance(metric_dict, dict):
            raise TypeError('hparam_dict and metric_dict should be dictionary.')
        exp, ssi, sei = S.hparams(hparam_dict, metric_dict, hparam_domain_discrete)
        if not run_name:
            run_name = str(time.time())
        logdir = os.path.join(self._get_file_writer().get_logdir(), run_name)
        with SummaryWriter(log_dir=logdir) as w_hp:
            fw = w_hp._get_file_writer()
            fw.add_summary(exp, global_step)
            fw.add_summary(ssi, global_step)
            fw.add_summary(sei, global_step)
            for k, v in metric_dict.items():
                w_hp.add_scalar(k, v, global_step)

    # ------------------------------------------------------------------ embeddings
    def add_embedding(self, mat, metadata=None, label_img=None, global_step=None, tag='default',
                      metadata_header=None):
        """Write projector data for `mat` (N x D) in log_dir/<step:05>/<tag>/ (tensors.tsv,
        metadata.tsv, sprite.png) and register it in log_dir/projector_config.pbtxt."""
        from google.protobuf import text_format
        from tensorboard.plugins.projector.projector_config_pb2 import EmbeddingInfo, ProjectorConfig

        mat = S.make_np(mat)
        if mat.ndim != 2:
            raise AssertionError('mat should be 2D, where mat.size(0) is the number of data points')
        if global_step is None:
            global_step = 0
        subdir = f'{str(global_step).zfill(5)}/{tag}'
        save_path = os.path.join(self._get_file_writer().get_logdir(), subdir)
        if os.path.exists(save_path):
            warnings.warn('warning: Embedding dir exists, did you set global_step for add_embedding()?')
        else:
            os.makedirs(save_path)
        info = EmbeddingInfo(tensor_name=f'{tag}:{str(global_step).zfill(5)}',
                             tensor_path=f'{subdir}/tensors.tsv')
        if metadata is not None:
            if len(metadata) != mat.shape[0]:
                raise AssertionError('#labels should equal with #data points')
            _write_metadata(metadata, save_path, metadata_header)
            info.metadata_path = f'{subdir}/metadata.tsv'
        if label_img is not None:
            label_img = S.make_np(label_img)
            if label_img.shape[0] != mat.shape[0]:
                raise AssertionError('#images should equal with #data points')
            _write_sprite(label_img, save_path)
            info.sprite.image_path = f'{subdir}/sprite.png'
            info.sprite.single_image_dim.extend([label_img.shape[3], label_img.shape[2]])
        with open(os.path.join(save_path, 'tensors.tsv'), 'w') as f:
            for row in mat.tolist():
                f.write('\t'.join(str(x) for x in row) + '\n')
        config = ProjectorConfig(embeddings=[info])
        with open(os.path.join(self._get_file_writer().get_logdir(), 'projector_config.pbtxt'), 'a') as f:
            f.write(text_format.MessageToString(config))

    # ------------------------------------------------------------------ PR curves
    def add_pr_curve(self, tag, labels, predictions, global_step=None, num_thresholds=127, weights=None,
                     walltime=None):
        """Precision-recall curve of `predictions` in [0, 1] against boolean `labels`."""
        self._add(S.pr_curve(tag, labels, predictions, num_thresholds, weights), global_step, walltime)

    def add_pr_curve_raw(self, tag, true_positive_counts, false_positive_counts, true_negative_counts,
                         false_negative_counts, precision, recall, global_step=None, num_thresholds=127,
                         weights=None, walltime=None):
        """PR curve from precomputed counts (each of length num_thresholds)."""
        self._add(S.pr_curve_raw(tag, true_positive_counts, false_positive_counts, true_negative_counts,
                                 false_negative_counts, precision, recall, num_thresholds, weights),
                  global_step, walltime)

    # ------------------------------------------------------------------ custom scalars
    def add_custom_scalars(self, layout):
        """Custom Scalars layout: {category: {chart title: ['Multiline' | 'Margin', [tags]]}}."""
        self._get_file_writer().add_summary(S.custom_scalars(layout))

    def add_custom_scalars_multilinechart(self, tags, category='default', title='untitled'):
        self.add_custom_scalars({category: {title: ['Multiline', tags]}})

    def add_custom_scalars_marginchart(self, tags, category='default', title='untitled'):
        self.add_custom_scalars({category: {title: ['Margin', tags]}})

    # ------------------------------------------------------------------ lifecycle
    def flush(self):
        """Write pending events to disk."""
        if self.all_writers is None:
            return
        for w in self.all_writers.values():
            w.flush()

    def close(self):
        """Flush and close every event file (a later add_* opens a new file)."""
        if self.all_writers is None:
            return
        for w in self.all_writers.values():
            w.flush()
            w.close()
        self.file_writer = self.all_writers = None

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_val, exc_tb):
        self.close()


def _write_metadata(metadata, save_path, metadata_header=None):
    if metadata_header is not None:
        if len(metadata_header) != len(metadata[0]):
            raise AssertionError('len of header must be equal to the number of columns in metadata')
        lines = ['\t'.join(str(e) for e in row) for row in [metadata_header] + list(metadata)]
    else:
        lines = [str(x) for x in metadata]
    with open(os.path.join(save_path, 'metadata.tsv'), 'w', encoding='utf8') as f:
        for line in lines:
            f.write(line + '\n')


def _write_sprite(label_img, save_path):
    """All label images (NCHW, floats in [0, 1]) in one square PNG, ceil(sqrt(N)) per row."""
    nrow = int(math.ceil(label_img.shape[0] ** 0.5))
    grid = S.make_grid(label_img, ncols=nrow).transpose(1, 2, 0)      # HWC
    side = max(grid.shape[0], grid.shape[1])
    square = np.zeros((side, side, grid.shape[2]), dtype=np.float64)
    square[:grid.shape[0], :grid.shape[1]] = grid
    png = S.encode_png(np.uint8((square * 255).clip(0, 255)))
    with open(os.path.join(save_path, 'sprite.png'), 'wb') as f:
        f.write(png)
