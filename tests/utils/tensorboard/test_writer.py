"""ember.utils.tensorboard.SummaryWriter: files written by ember are read back with TensorBoard's
own EventAccumulator and compared with what torch.utils.tensorboard writes for the same calls."""
import io
import os
import re
import socket

import numpy as np
import pytest

pytest.importorskip('tensorboard')

import ember  # noqa: E402
from ember import nn  # noqa: E402
from ember.utils.tensorboard import SummaryWriter  # noqa: E402
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator  # noqa: E402

torch = pytest.importorskip('torch')
from torch.utils.tensorboard import SummaryWriter as TorchWriter  # noqa: E402

ALL = {'compressedHistograms': 0, 'images': 0, 'audio': 0, 'scalars': 0, 'histograms': 0, 'tensors': 0}


def load(path):
    acc = EventAccumulator(str(path), size_guidance=ALL)
    acc.Reload()
    return acc


def both(tmp_path, fn):
    """Run fn(writer, lib, array_fn) with ember's and torch's writers; return both log dirs."""
    dirs = []
    for name, W, lib in (('ember', SummaryWriter, ember), ('torch', TorchWriter, torch)):
        d = tmp_path / name
        with W(str(d)) as w:
            fn(w, lib)
        dirs.append(d)
    return dirs


def tree(root):
    """Relative file layout with event file names reduced to their directory."""
    out = set()
    for dirpath, _, files in os.walk(root):
        rel = os.path.relpath(dirpath, root)
        rel = re.sub(r'^\d+\.\d+', '<time>', rel)
        for f in files:
            out.add(os.path.join(rel, 'events' if f.startswith('events.out.tfevents.') else f))
    return out


def decode(png):
    from PIL import Image
    return np.asarray(Image.open(io.BytesIO(png)))


# ------------------------------------------------------------------ construction and files

def test_default_logdir_and_file_naming(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    w = SummaryWriter(comment='_lr0.1', filename_suffix='.ember')
    tw = TorchWriter(comment='_lr0.1_torch')
    logdir = w.get_logdir()
    pat = r'^runs[/\\][A-Z][a-z]{2}\d{2}_\d{2}-\d{2}-\d{2}_' + re.escape(socket.gethostname()) + '_lr0.1'
    assert re.match(pat + '$', logdir) and re.match(pat + '_torch$', tw.get_logdir())
    w.close()
    tw.close()
    files = os.listdir(logdir)
    assert len(files) == 1
    assert re.match(r'^events\.out\.tfevents\.\d+\.' + re.escape(socket.gethostname()) + r'\.\d+\.\d+\.ember$', files[0])


def test_context_manager_close_and_reopen(tmp_path):
    with SummaryWriter(tmp_path) as w:
        w.add_scalar('a', 1.0, 0)
    assert w.file_writer is None and w.all_writers is None
    assert [e.value for e in load(tmp_path).Scalars('a')] == [1.0]
    w.add_scalar('a', 2.0, 1)          # reopens a new file, as torch does
    w.flush()
    w.close()
    assert len(os.listdir(tmp_path)) == 2
    assert [e.value for e in load(tmp_path).Scalars('a')] == [1.0, 2.0]


def test_purge_step(tmp_path):
    with SummaryWriter(tmp_path) as w:
        for s in range(10):
            w.add_scalar('loss', float(s), s)
    with SummaryWriter(tmp_path, purge_step=5) as w:
        for s in range(5, 8):
            w.add_scalar('loss', 100.0 + s, s)
    ev = load(tmp_path).Scalars('loss')
    assert [e.step for e in ev] == list(range(8))
    assert [e.value for e in ev] == [0, 1, 2, 3, 4, 105, 106, 107]


# ------------------------------------------------------------------ scalars

@pytest.mark.parametrize('make', [lambda lib, v: v, lambda lib, v: lib.tensor(v),
                                  lambda lib, v: np.float64(v), lambda lib, v: lib.tensor([v])])
def test_add_scalar_matches_torch(tmp_path, make):
    vals = [0.5, -1.25, 3.14159, 1e-8, 7]

    def fn(w, lib):
        for i, v in enumerate(vals):
            w.add_scalar('train/loss', make(lib, v), i * 10, walltime=100.0 + i)
    e, t = both(tmp_path, fn)
    got, ref = load(e).Scalars('train/loss'), load(t).Scalars('train/loss')
    assert [(x.step, x.value, x.wall_time) for x in got] == [(x.step, x.value, x.wall_time) for x in ref]
    assert [x.value for x in got] == [float(np.float32(v)) for v in vals]


def test_add_scalar_new_style_and_double(tmp_path):
    def fn(w, lib):
        w.add_scalar('f', 0.1, 1, new_style=True)
        w.add_scalar('d', 0.1, 2, new_style=True, double_precision=True)
    e, t = both(tmp_path, fn)
    from tensorboard.util.tensor_util import make_ndarray
    for d in (e, t):
        acc = load(d)
        f, dd = acc.Tensors('f')[0], acc.Tensors('d')[0]
        assert (f.step, dd.step) == (1, 2)
        assert make_ndarray(f.tensor_proto).dtype == np.float32 and make_ndarray(f.tensor_proto) == np.float32(0.1)
        assert make_ndarray(dd.tensor_proto).dtype == np.float64 and make_ndarray(dd.tensor_proto) == 0.1
        assert acc.SummaryMetadata('d').plugin_data.plugin_name == 'scalars'


def test_add_scalar_rejects_non_scalar(tmp_path):
    with SummaryWriter(tmp_path) as w, pytest.raises(AssertionError):
        w.add_scalar('x', ember.ones(3), 0)


def test_add_scalars_subruns_match_torch(tmp_path):
    def fn(w, lib):
        for s in range(3):
            w.add_scalars('run/loss', {'train': s * 1.5, 'val': lib.tensor(s + 0.25)}, s)
    e, t = both(tmp_path, fn)
    assert tree(e) == tree(t) == {'./events', 'run_loss_train/events', 'run_loss_val/events'}
    for sub in ('run_loss_train', 'run_loss_val'):
        got, ref = load(e / sub).Scalars('run/loss'), load(t / sub).Scalars('run/loss')
        assert [(x.step, x.value) for x in got] == [(x.step, x.value) for x in ref]
        assert load(e / sub).Tags()['scalars'] == ['run/loss']


# ------------------------------------------------------------------ histograms

@pytest.mark.parametrize('bins,max_bins', [('tensorflow', None), ('auto', None), ('fd', None),
                                           ('sturges', None), (10, None), (50, 7), (64, 16)])
@pytest.mark.parametrize('data', ['normal', 'positive', 'const'])
def test_add_histogram_matches_torch(tmp_path, bins, max_bins, data):
    rng = np.random.default_rng(0)
    x = {'normal': rng.standard_normal(500), 'positive': rng.exponential(3.0, 200),
         'const': np.zeros(20)}[data]
    if data == 'const' and bins == 'fd':
        pytest.skip('fd bin width is 0 for constant data')

    def fn(w, lib):
        w.add_histogram('h', lib.tensor(x), 3, bins=bins, max_bins=max_bins)
    e, t = both(tmp_path, fn)
    got, ref = load(e).Histograms('h')[0], load(t).Histograms('h')[0]
    assert got.step == ref.step == 3
    g, r = got.histogram_value, ref.histogram_value
    assert (g.min, g.max, g.num) == (r.min, r.max, r.num) == (x.min(), x.max(), x.size)
    np.testing.assert_allclose([g.sum, g.sum_squares], [r.sum, r.sum_squares], rtol=1e-12)
    np.testing.assert_allclose(g.bucket_limit, r.bucket_limit, rtol=1e-12)
    assert list(g.bucket) == list(r.bucket)
    assert sum(g.bucket) == x.size


def test_add_histogram_counts_vs_numpy(tmp_path):
    x = np.random.default_rng(1).uniform(0, 10, 300)
    with SummaryWriter(tmp_path) as w:
        w.add_histogram('h', x, 0, bins=5)
        w.add_histogram_raw('raw', min=0, max=4, num=6, sum=10, sum_squares=30,
                            bucket_limits=[1, 2, 4], bucket_counts=[1, 2, 3], global_step=2)
    h = load(tmp_path).Histograms('h')[0].histogram_value
    counts, edges = np.histogram(x, bins=5)
    assert list(h.bucket) == [0.0] + counts.tolist()
    np.testing.assert_allclose(h.bucket_limit, edges)
    raw = load(tmp_path).Histograms('raw')[0]
    assert raw.step == 2 and list(raw.histogram_value.bucket) == [1, 2, 3]
    with SummaryWriter(tmp_path) as w, pytest.raises(ValueError):
        w.add_histogram_raw('bad', 0, 1, 1, 1, 1, [1, 2], [1])


# ------------------------------------------------------------------ images

@pytest.mark.parametrize('shape,fmt,kind', [
    ((3, 8, 10), 'CHW', 'float'), ((1, 8, 10), 'CHW', 'float'), ((8, 10), 'HW', 'float'),
    ((8, 10, 3), 'HWC', 'uint8'), ((8, 10, 4), 'HWC', 'uint8'), ((4, 8, 10), 'CHW', 'float'),
    ((5, 3, 4, 6), 'NCHW', 'float'), ((11, 1, 4, 6), 'NCHW', 'float'), ((2, 4, 6, 3), 'NHWC', 'uint8'),
])
def test_add_image_matches_torch(tmp_path, shape, fmt, kind):
    rng = np.random.default_rng(2)
    x = rng.random(shape).astype(np.float32) if kind == 'float' else rng.integers(0, 256, shape).astype(np.uint8)

    def fn(w, lib):
        if len(fmt) == 4:
            w.add_images('img', lib.tensor(x), 1, dataformats=fmt)
        else:
            w.add_image('img', lib.tensor(x), 1, dataformats=fmt)
    e, t = both(tmp_path, fn)
    got, ref = load(e).Images('img')[0], load(t).Images('img')[0]
    assert (got.step, got.width, got.height) == (ref.step, ref.width, ref.height)
    a, b = decode(got.encoded_image_string), decode(ref.encoded_image_string)
    assert a.shape == b.shape
    np.testing.assert_array_equal(a, b)


def test_png_without_pillow(monkeypatch):
    import builtins
    from ember.utils.tensorboard import summary as S
    img = np.random.default_rng(3).integers(0, 256, (5, 7, 3)).astype(np.uint8)
    real_import = builtins.__import__

    def no_pil(name, *a, **k):
        if name == 'PIL' or name.startswith('PIL.'):
            raise ImportError(name)
        return real_import(name, *a, **k)
    monkeypatch.setattr(builtins, '__import__', no_pil)
    png = S.encode_png(img)
    monkeypatch.undo()
    np.testing.assert_array_equal(decode(png), img)


def test_add_figure(tmp_path):
    plt = pytest.importorskip('matplotlib.pyplot')
    fig = plt.figure(figsize=(2, 1), dpi=50)
    plt.plot([0, 1], [1, 0])
    with SummaryWriter(tmp_path) as w:
        w.add_figure('fig', fig, 4)
    im = load(tmp_path).Images('fig')[0]
    assert (im.step, im.width, im.height) == (4, 100, 50)


# ------------------------------------------------------------------ text, pr curves, custom scalars

def test_add_text_matches_torch(tmp_path):
    def fn(w, lib):
        w.add_text('notes', 'lr = **0.1**, ünïcode', 7)
    e, t = both(tmp_path, fn)
    for d in (e, t):
        acc = load(d)
        ev = acc.Tensors('notes/text_summary')[0]
        assert ev.step == 7 and ev.tensor_proto.string_val == ['lr = **0.1**, ünïcode'.encode()]
        assert acc.SummaryMetadata('notes/text_summary').plugin_data.plugin_name == 'text'


@pytest.mark.parametrize('n,weights', [(127, False), (10, True), (200, False)])
def test_add_pr_curve_matches_torch(tmp_path, n, weights):
    rng = np.random.default_rng(4)
    labels = rng.integers(0, 2, 50)
    preds = rng.random(50)
    preds[:2] = [0.0, 1.0]
    wts = rng.random(50) if weights else None

    def fn(w, lib):
        w.add_pr_curve('pr', lib.tensor(labels), lib.tensor(preds), 2, num_thresholds=n,
                       weights=wts)   # torch's writer takes weights as an array only
    from tensorboard.util.tensor_util import make_ndarray
    from tensorboard.plugins.pr_curve.plugin_data_pb2 import PrCurvePluginData
    e, t = both(tmp_path, fn)
    got, ref = load(e).Tensors('pr')[0], load(t).Tensors('pr')[0]
    np.testing.assert_allclose(make_ndarray(got.tensor_proto), make_ndarray(ref.tensor_proto), rtol=1e-6, atol=1e-6)
    with SummaryWriter(tmp_path / 'ember_t') as w:   # ember tensors everywhere
        w.add_pr_curve('pr', ember.tensor(labels), ember.tensor(preds), 2, num_thresholds=n,
                       weights=None if wts is None else ember.tensor(wts))
    np.testing.assert_allclose(make_ndarray(load(tmp_path / 'ember_t').Tensors('pr')[0].tensor_proto),
                               make_ndarray(ref.tensor_proto), rtol=1e-6, atol=1e-6)
    meta = load(e).SummaryMetadata('pr').plugin_data
    assert meta.plugin_name == 'pr_curves'
    assert PrCurvePluginData.FromString(meta.content).num_thresholds == min(n, 127)


def test_add_pr_curve_raw_and_custom_scalars(tmp_path):
    from tensorboard.plugins.custom_scalar import layout_pb2
    c = np.arange(5.0)
    with SummaryWriter(tmp_path) as w:
        w.add_pr_curve_raw('raw', c, c, c, c, c / 5, c / 5, 1, num_thresholds=5)
        w.add_custom_scalars({'Loss': {'both': ['Multiline', ['loss/train', 'loss/val']],
                                       'band': ['Margin', ['m', 'lo', 'hi']]}})
    acc = load(tmp_path)
    from tensorboard.util.tensor_util import make_ndarray
    assert make_ndarray(acc.Tensors('raw')[0].tensor_proto).shape == (6, 5)
    layout = layout_pb2.Layout.FromString(acc.Tensors('custom_scalars__config__')[0].tensor_proto.string_val[0])
    chart = layout.category[0].chart
    assert layout.category[0].title == 'Loss' and list(chart[0].multiline.tag) == ['loss/train', 'loss/val']
    assert chart[1].margin.series[0].upper == 'hi'


# ------------------------------------------------------------------ hparams

def test_add_hparams_matches_torch(tmp_path):
    from tensorboard.plugins.hparams.plugin_data_pb2 import HParamsPluginData

    def fn(w, lib):
        w.add_hparams({'lr': 0.1, 'bsize': 32, 'opt': 'sgd', 'flag': True, 't': lib.tensor([2.5])},
                      {'hparam/accuracy': 0.9, 'hparam/loss': 0.25}, run_name='trial1', global_step=3)
        w.add_hparams({'lr': 0.01}, {'hparam/accuracy': 0.5})
    e, t = both(tmp_path, fn)
    assert tree(e) == tree(t) == {'./events', 'trial1/events', '<time>/events'}
    for tag in ('_hparams_/experiment', '_hparams_/session_start_info', '_hparams_/session_end_info'):
        contents = []
        for d in (e, t):
            acc = load(d / 'trial1')
            assert tag in acc.summary_metadata
            meta = acc.SummaryMetadata(tag).plugin_data
            assert meta.plugin_name == 'hparams'
            contents.append(HParamsPluginData.FromString(meta.content))
        assert contents[0] == contents[1]
    sub_e, sub_t = load(e / 'trial1'), load(t / 'trial1')
    for m in ('hparam/accuracy', 'hparam/loss'):
        assert [(x.step, x.value) for x in sub_e.Scalars(m)] == [(x.step, x.value) for x in sub_t.Scalars(m)]


def test_add_hparams_domain_discrete_and_errors(tmp_path):
    from tensorboard.plugins.hparams.plugin_data_pb2 import HParamsPluginData
    with SummaryWriter(tmp_path) as w:
        w.add_hparams({'opt': 'adam', 'lr': ember.tensor(0.5)}, {'m': ember.tensor(1.0)},
                      hparam_domain_discrete={'opt': ['adam', 'sgd']}, run_name='r')
        with pytest.raises(TypeError):
            w.add_hparams([1], {'m': 1})
        with pytest.raises(ValueError):
            w.add_hparams({'x': [1, 2]}, {'m': 1}, run_name='bad')
    meta = load(tmp_path / 'r').SummaryMetadata('_hparams_/experiment').plugin_data
    infos = {i.name: i for i in HParamsPluginData.FromString(meta.content).experiment.hparam_infos}
    assert [v.string_value for v in infos['opt'].domain_discrete.values] == ['adam', 'sgd']
    ssi = load(tmp_path / 'r').SummaryMetadata('_hparams_/session_start_info').plugin_data
    assert HParamsPluginData.FromString(ssi.content).session_start_info.hparams['lr'].number_value == 0.5
    assert load(tmp_path / 'r').Scalars('m')[0].value == 1.0


# ------------------------------------------------------------------ embeddings

def test_add_embedding_matches_torch(tmp_path):
    rng = np.random.default_rng(5)
    mat = rng.standard_normal((10, 4)).astype(np.float32)
    imgs = rng.random((10, 3, 4, 5)).astype(np.float32)
    meta2 = [[str(i), i % 3] for i in range(10)]

    def fn(w, lib):
        w.add_embedding(lib.tensor(mat), metadata=list('abcdefghij'), label_img=lib.tensor(imgs), global_step=3)
        w.add_embedding(lib.tensor(mat[:5]), metadata=meta2[:5], metadata_header=['name', 'cls'], tag='feat')
        w.add_embedding(mat[:2])
    e, t = both(tmp_path, fn)
    assert tree(e) == tree(t)
    for rel in ('projector_config.pbtxt', '00003/default/tensors.tsv', '00003/default/metadata.tsv',
                '00000/feat/tensors.tsv', '00000/feat/metadata.tsv', '00000/default/tensors.tsv'):
        assert (e / rel).read_text() == (t / rel).read_text(), rel
    np.testing.assert_array_equal(decode((e / '00003/default/sprite.png').read_bytes()),
                                  decode((t / '00003/default/sprite.png').read_bytes()))
    rows = [list(map(float, r.split('\t'))) for r in (e / '00003/default/tensors.tsv').read_text().splitlines()]
    np.testing.assert_array_equal(np.array(rows, np.float32), mat)
    assert (e / '00000/feat/metadata.tsv').read_text().splitlines()[:2] == ['name\tcls', '0\t0']


# ------------------------------------------------------------------ graph

class _Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3, padding=1)
        self.bn = nn.BatchNorm2d(4)
        self.pool = nn.MaxPool2d(2)

    def forward(self, x):
        return self.pool(nn.functional.relu(self.bn(self.conv(x))))


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = _Block()
        self.fc1 = nn.Linear(16, 8)
        self.head = nn.Sequential(nn.ReLU(), nn.Dropout(0.5), nn.Linear(8, 3))

    def forward(self, x):
        x = self.features(x).flatten(1)
        return self.head(self.fc1(x)) * 2


def test_add_graph(tmp_path):
    from tensorboard.compat.proto.graph_pb2 import GraphDef
    model = Net()
    bn = model.features.bn
    with SummaryWriter(tmp_path) as w:
        w.add_graph(model, ember.randn(2, 1, 4, 4))
    acc = load(tmp_path)
    assert acc.Tags()['graph']
    gd = GraphDef.FromString(acc.Graph().SerializeToString())
    nodes = {n.name: n for n in gd.node}
    names = set(nodes)
    for scope in ('Net/_Block[features]/Conv2d[conv]', 'Net/_Block[features]/BatchNorm2d[bn]',
                  'Net/_Block[features]/MaxPool2d[pool]', 'Net/Linear[fc1]', 'Net/Sequential[head]/ReLU[0]',
                  'Net/Sequential[head]/Linear[2]'):
        assert any(n.startswith(scope + '/') for n in names), scope
    assert {'Net/Linear[fc1]/weight', 'Net/Linear[fc1]/bias', 'Net/_Block[features]/Conv2d[conv]/weight'} <= names
    assert nodes['input/input.0'].op == 'IO Node'
    out = nodes['output/output.1']
    assert out.op == 'IO Node' and len(out.input) == 1 and nodes[out.input[0]].op == 'aten::mul'
    conv = [n for n in gd.node if n.name.startswith('Net/_Block[features]/Conv2d[conv]/') and n.op.startswith('aten::')]
    assert conv and 'input/input.0' in conv[0].input
    shape = [d.size for d in conv[0].attr['_output_shapes'].list.shape[0].dim]
    assert shape == [2, 4, 4, 4]
    for n in gd.node:      # every edge points at an existing node
        for i in n.input:
            assert i.split(':')[0] in names
    # traced in eval mode, modes restored, no BatchNorm statistics update
    assert model.training and model.head[1].training
    assert float(bn.running_mean.abs().sum()) == 0.0 and int(bn.num_batches_tracked) == 0
    assert 'step1' in acc.Tags()['run_metadata']


def _op_scopes(gd):
    return {n.name.rsplit('/', 1)[0] for n in gd.node if n.op.startswith('aten::')}


@pytest.mark.filterwarnings('ignore::DeprecationWarning')
def test_add_graph_scopes_match_torch(tmp_path):
    from tensorboard.compat.proto.graph_pb2 import GraphDef

    def build(lib):
        class Block(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.conv = lib.nn.Conv2d(1, 4, 3, padding=1)
                self.bn = lib.nn.BatchNorm2d(4)
                self.pool = lib.nn.MaxPool2d(2)

            def forward(self, x):
                return self.pool(lib.nn.functional.relu(self.bn(self.conv(x))))

        class Net(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.features = Block()
                self.fc1 = lib.nn.Linear(16, 8)
                self.head = lib.nn.Sequential(lib.nn.ReLU(), lib.nn.Linear(8, 3), lib.nn.Sigmoid())

            def forward(self, x):
                return self.head(self.fc1(self.features(x).flatten(1)))
        return Net()

    def fn(w, lib):
        w.add_graph(build(lib), lib.randn(2, 1, 4, 4))
    e, t = both(tmp_path, fn)
    ge, gt = (GraphDef.FromString(load(d).Graph().SerializeToString()) for d in (e, t))
    assert _op_scopes(ge) == _op_scopes(gt)
    io = lambda g: sorted((n.name, [tuple(d.size for d in s.dim) for s in n.attr['_output_shapes'].list.shape])
                          for n in g.node if n.op == 'IO Node')
    assert [s for _, s in io(ge)] == [s for _, s in io(gt)]


def test_add_graph_multiple_inputs_and_int_input(tmp_path, capsys):
    from tensorboard.compat.proto.graph_pb2 import GraphDef

    class Two(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = nn.Embedding(10, 4)
            self.fc = nn.Linear(4, 2)

        def forward(self, idx, x):
            return self.fc(self.emb(idx) + x), x.sum()

    with SummaryWriter(tmp_path) as w:
        w.add_graph(Two(), (ember.tensor([[1, 2, 3]]), ember.randn(1, 3, 4)), verbose=True)
    assert 'Embedding[emb]' in capsys.readouterr().out
    gd = GraphDef.FromString(load(tmp_path).Graph().SerializeToString())
    nodes = {n.name: n for n in gd.node}
    assert {'input/input.0', 'input/input.1', 'output/output.1', 'output/output.2',
            'Two/Embedding[emb]/weight', 'Two/Linear[fc]/weight'} <= set(nodes)
    assert any(n.startswith('Two/Embedding[emb]/') and nodes[n].op.startswith('aten::') for n in nodes)
    assert nodes['output/output.2'].input and nodes[nodes['output/output.2'].input[0]].op == 'aten::sum'


class _FakeCanvas:
    """Stands in for a matplotlib Agg canvas (draw + buffer_rgba)."""
    def __init__(self, rgba):
        self.rgba = rgba
        self.drawn = False

    def draw(self):
        self.drawn = True

    def buffer_rgba(self):
        return memoryview(self.rgba)


class _FakeFigure:
    def __init__(self, rgba):
        self.canvas = _FakeCanvas(rgba)


def test_add_figure_renders_canvas(tmp_path):
    rng = np.random.default_rng(6)
    rgba = [rng.integers(0, 256, (6, 9, 4)).astype(np.uint8) for _ in range(3)]
    with SummaryWriter(tmp_path) as w:
        fig = _FakeFigure(rgba[0])
        w.add_figure('one', fig, 1, close=False)
        w.add_figure('many', [_FakeFigure(r) for r in rgba], 2, close=False)
    assert fig.canvas.drawn
    acc = load(tmp_path)
    np.testing.assert_array_equal(decode(acc.Images('one')[0].encoded_image_string), rgba[0][:, :, :3])
    grid = decode(acc.Images('many')[0].encoded_image_string)
    assert grid.shape == (6, 27, 3)
    np.testing.assert_array_equal(grid[:, 9:18], rgba[1][:, :, :3])
