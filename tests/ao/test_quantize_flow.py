"""prepare -> calibrate -> convert, QAT, fuse_modules and quantize_dynamic vs torch eager mode."""
import io
import warnings

import numpy as np
import pytest
import torch
import torch.ao.quantization as tq

import ember
import ember.ao.quantization as eq
import ember.ao.nn.quantized as enq

warnings.filterwarnings('ignore')
RNG = np.random.default_rng(2)


def make_model(lib, q):
    nn = lib.nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.quant = q.QuantStub()
            self.conv = nn.Conv2d(2, 4, 3, padding=1)
            self.bn = nn.BatchNorm2d(4)
            self.relu = nn.ReLU()
            self.conv2 = nn.Conv2d(4, 4, 3, stride=2)
            self.relu2 = nn.ReLU()
            self.flat = nn.Flatten()
            self.fc = nn.Linear(36, 10)
            self.fc2 = nn.Linear(10, 5)
            self.dequant = q.DeQuantStub()

        def forward(self, x):
            x = self.relu(self.bn(self.conv(self.quant(x))))
            x = self.flat(self.relu2(self.conv2(x)))
            return self.dequant(self.fc2(self.fc(x)))
    return Net()


def copy_weights(em, tm):
    sd = {k: ember.tensor(v.detach().numpy()) for k, v in tm.state_dict().items()}
    em.load_state_dict(sd)


def pair():
    torch.manual_seed(0)
    tm = make_model(torch, tq)
    em = make_model(ember, eq)
    with torch.no_grad():
        tm.bn.running_mean.uniform_(-0.5, 0.5)
        tm.bn.running_var.uniform_(0.5, 2.0)
        tm.bn.weight.uniform_(0.5, 1.5)
        tm.bn.bias.uniform_(-0.2, 0.2)
    copy_weights(em, tm)
    return em, tm


def data(n=3):
    return [RNG.standard_normal((8, 2, 8, 8)).astype('float32') for _ in range(n)]


def test_fuse_modules_matches_unfused():
    em, tm = pair()
    em.eval()
    tm.eval()
    x = data(1)[0]
    ref = em(ember.tensor(x)).detach().numpy()
    fe = eq.fuse_modules(em, [['conv', 'bn', 'relu'], ['conv2', 'relu2']])
    ft = tq.fuse_modules(tm, [['conv', 'bn', 'relu'], ['conv2', 'relu2']])
    assert type(fe.conv).__name__ == type(ft.conv).__name__ == 'ConvReLU2d'
    assert type(fe.bn).__name__ == 'Identity' and type(fe.relu).__name__ == 'Identity'
    np.testing.assert_allclose(fe(ember.tensor(x)).detach().numpy(), ref, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(fe.conv[0].weight.detach().numpy(),
                               ft.conv[0].weight.detach().numpy(), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(fe.conv[0].bias.detach().numpy(),
                               ft.conv[0].bias.detach().numpy(), rtol=1e-6, atol=1e-7)
    # linear + bn, linear + relu
    lin_e, lin_t = ember.nn.Sequential(ember.nn.Linear(4, 3), ember.nn.BatchNorm1d(3)), \
        torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.BatchNorm1d(3))
    copy_weights(lin_e, lin_t)
    lin_e.eval()
    lin_t.eval()
    xe = RNG.standard_normal((5, 4)).astype('float32')
    out_e = eq.fuse_modules(lin_e, ['0', '1'])(ember.tensor(xe)).detach().numpy()
    np.testing.assert_allclose(out_e, lin_t(torch.tensor(xe)).detach().numpy(), rtol=1e-5, atol=1e-6)
    em.train()
    with pytest.raises(AssertionError):
        eq.fuse_modules(em, [['conv', 'bn']])


@pytest.mark.parametrize('backend', ['x86', 'qnnpack_cfg'])
def test_prepare_calibrate_convert(backend):
    torch.backends.quantized.engine = 'x86'
    em, tm = pair()
    em.eval()
    tm.eval()
    fused = [['conv', 'bn', 'relu'], ['conv2', 'relu2']]
    em = eq.fuse_modules(em, fused)
    tm = tq.fuse_modules(tm, fused)
    qe = eq.get_default_qconfig('x86') if backend == 'x86' else eq.default_qconfig
    qt = tq.get_default_qconfig('x86') if backend == 'x86' else tq.default_qconfig
    em.qconfig, tm.qconfig = qe, qt
    pe, pt = eq.prepare(em), tq.prepare(tm)
    assert type(pe.quant.activation_post_process).__name__ == \
        type(pt.quant.activation_post_process).__name__
    assert hasattr(pe.fc, 'activation_post_process') and not hasattr(em.fc, 'activation_post_process')
    for b in data():
        pe(ember.tensor(b))
        pt(torch.tensor(b))
    ce, ct = eq.convert(pe), tq.convert(pt)
    for name in ['quant', 'conv', 'conv2', 'fc', 'fc2', 'dequant']:
        me, mt = getattr(ce, name), getattr(ct, name)
        assert me._get_name() == mt._get_name(), name
    for name in ['conv', 'conv2', 'fc', 'fc2']:
        me, mt = getattr(ce, name), getattr(ct, name)
        np.testing.assert_allclose(me.scale, mt.scale, rtol=1e-6)
        assert me.zero_point == mt.zero_point
        np.testing.assert_array_equal(me.weight().int_repr().numpy(), mt.weight().int_repr().numpy())
    np.testing.assert_allclose(ce.quant.scale.numpy(), ct.quant.scale.numpy(), rtol=1e-6)
    x = data(1)[0]
    ye = ce(ember.tensor(x)).numpy()
    yt = ct(torch.tensor(x)).numpy()
    # fbgemm may differ by one LSB in the intermediate layers; allow a couple of output steps
    assert np.abs(ye - yt).max() <= 2.01 * ct.fc2.scale
    assert (np.abs(ye - yt) <= 1e-6).mean() > 0.9
    assert ce(ember.tensor(x)).dtype is ember.float32


def test_quantized_tensor_flow_types():
    em, _ = pair()
    em.eval()
    em.qconfig = eq.default_qconfig
    pe = eq.prepare(em)
    pe(ember.tensor(data(1)[0]))
    ce = eq.convert(pe)
    assert isinstance(ce.conv, enq.Conv2d) and isinstance(ce.fc, enq.Linear)
    q = ce.quant(ember.tensor(data(1)[0]))
    assert q.is_quantized and q.dtype is ember.quint8
    assert ce.conv(q).dtype is ember.quint8
    with pytest.raises(NotImplementedError):
        ce.fc(ember.randn(2, 36))


def test_convert_before_prepare_raises():
    em, tm = pair()
    for m, q in ((em, eq), (tm, tq)):
        m.eval()
        for c in m.children():
            c.qconfig = q.default_qconfig
        with pytest.raises(AssertionError, match='activation_post_process'):
            q.convert(m)


def test_size_on_disk_4x_smaller():
    nn = ember.nn
    m = nn.Sequential(eq.QuantStub(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 128),
                      eq.DeQuantStub()).eval()
    m.qconfig = eq.default_qconfig
    p = eq.prepare(m)
    p(ember.randn(16, 256))
    c = eq.convert(p)

    def size(mod):
        buf = io.BytesIO()
        ember.save(mod.state_dict(), buf)
        return buf.tell()
    assert size(m) / size(c) > 3.5
    # the converted state dict round-trips
    buf = io.BytesIO()
    ember.save(c.state_dict(), buf)
    buf.seek(0)
    c2 = eq.convert(eq.prepare(m))
    c2.load_state_dict(ember.load(buf))
    x = ember.randn(4, 256)
    np.testing.assert_array_equal(c2(x).numpy(), c(x).numpy())


def test_qat_flow():
    em, tm = pair()
    em.bn, tm.bn = ember.nn.Identity(), torch.nn.Identity()   # no quantized BatchNorm in ember yet
    fused = [['conv2', 'relu2']]
    em = eq.fuse_modules_qat(em.train(), fused)
    tm = tq.fuse_modules_qat(tm.train(), fused)
    em.qconfig = eq.get_default_qat_qconfig('x86')
    tm.qconfig = tq.get_default_qat_qconfig('x86')
    pe, pt = eq.prepare_qat(em), tq.prepare_qat(tm)
    assert type(pe.fc).__name__ == type(pt.fc).__name__ == 'Linear'
    assert type(pe.fc).__module__.startswith('ember.ao.nn.qat')
    assert type(pe.conv2).__name__ == type(pt.conv2).__name__ == 'ConvReLU2d'
    oe = ember.optim.SGD(pe.parameters(), lr=0.05)
    ot = torch.optim.SGD(pt.parameters(), lr=0.05)
    for b in data(3):
        target = RNG.standard_normal((8, 5)).astype('float32')
        le = ((pe(ember.tensor(b)) - ember.tensor(target)) ** 2).mean()
        lt = ((pt(torch.tensor(b)) - torch.tensor(target)) ** 2).mean()
        np.testing.assert_allclose(le.item(), lt.item(), rtol=1e-2)  # LSB flips in fake quant
        oe.zero_grad()
        ot.zero_grad()
        le.backward()
        lt.backward()
        oe.step()
        ot.step()
    np.testing.assert_allclose(pe.fc.weight.detach().numpy(), pt.fc.weight.detach().numpy(),
                               rtol=1e-2, atol=1e-3)
    pe.eval()
    pt.eval()
    ce, ct = eq.convert(pe), tq.convert(pt)
    assert ce.fc._get_name() == ct.fc._get_name() == 'QuantizedLinear'
    assert ce.conv2._get_name() == ct.conv2._get_name() == 'QuantizedConvReLU2d'
    x = data(1)[0]
    ye, yt = ce(ember.tensor(x)).numpy(), ct(torch.tensor(x)).numpy()
    assert np.abs(ye - yt).max() <= 3.01 * ct.fc2.scale


def test_quantize_helper():
    em, _ = pair()
    em.bn = ember.nn.Identity()
    em.qconfig = eq.default_qconfig
    batches = [ember.tensor(b) for b in data(2)]

    def calib(model, xs):
        for x in xs:
            model(x)
    q = eq.quantize(em, calib, [batches])
    assert isinstance(q.fc, enq.Linear)
    assert q(batches[0]).shape == (8, 5)


def test_quantize_dynamic_linear():
    torch.manual_seed(1)
    tm = torch.nn.Sequential(torch.nn.Linear(16, 32), torch.nn.ReLU(), torch.nn.Linear(32, 4))
    em = ember.nn.Sequential(ember.nn.Linear(16, 32), ember.nn.ReLU(), ember.nn.Linear(32, 4))
    copy_weights(em, tm)
    de = eq.quantize_dynamic(em, {ember.nn.Linear}, dtype=ember.qint8)
    dt = tq.quantize_dynamic(tm, {torch.nn.Linear}, dtype=torch.qint8)
    assert de[0]._get_name() == dt[0]._get_name() == 'DynamicQuantizedLinear'
    assert repr(de[0]) == repr(dt[0])
    np.testing.assert_array_equal(de[0].weight().int_repr().numpy(), dt[0].weight().int_repr().numpy())
    x = RNG.standard_normal((10, 16)).astype('float32')
    ye, yt = de(ember.tensor(x)).numpy(), dt(torch.tensor(x)).numpy()
    np.testing.assert_allclose(ye, yt, rtol=1e-4, atol=1e-4)
    # the default spec converts Linear too
    assert eq.quantize_dynamic(em)[2]._get_name() == 'DynamicQuantizedLinear'


def test_quantize_dynamic_lstm():
    if not hasattr(ember.nn, 'LSTM'):
        pytest.skip('ember.nn.LSTM not available yet')
    torch.manual_seed(2)
    tm = torch.nn.LSTM(6, 8, batch_first=True)
    em = ember.nn.LSTM(6, 8, batch_first=True)
    copy_weights(em, tm)
    de = eq.quantize_dynamic(em, {ember.nn.LSTM})
    dt = tq.quantize_dynamic(tm, {torch.nn.LSTM})
    x = RNG.standard_normal((3, 5, 6)).astype('float32')
    ye, yt = de(ember.tensor(x))[0].detach().numpy(), dt(torch.tensor(x))[0].detach().numpy()
    np.testing.assert_allclose(ye, yt, atol=2e-2)
