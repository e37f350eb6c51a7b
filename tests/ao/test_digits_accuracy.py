"""Accuracy of post-training static and dynamic quantization on the bundled Digits data:
the int8 model stays within 1 point of the float model."""
import copy
import warnings

import numpy as np
import pytest

import ember
import ember.nn as nn
import ember.nn.functional as F
import ember.ao.quantization as eq
from ember.examples.digits import load_digits

warnings.filterwarnings('ignore')


class QDigitNet(nn.Module):
    """DigitNet-like CNN with quant/dequant stubs: conv+bn+relu, conv+relu, pool, fc+relu, fc."""

    def __init__(self):
        super().__init__()
        self.quant = eq.QuantStub()
        self.conv1 = nn.Conv2d(1, 8, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(8)
        self.relu1 = nn.ReLU()
        self.conv2 = nn.Conv2d(8, 16, 3, padding=1)
        self.relu2 = nn.ReLU()
        self.pool = nn.MaxPool2d(2)
        self.flat = nn.Flatten()
        self.fc1 = nn.Linear(16 * 4 * 4, 32)
        self.relu3 = nn.ReLU()
        self.fc2 = nn.Linear(32, 10)
        self.dequant = eq.DeQuantStub()

    def forward(self, x):
        x = self.quant(x)
        x = self.relu1(self.bn1(self.conv1(x)))
        x = self.pool(self.relu2(self.conv2(x)))
        x = self.relu3(self.fc1(self.flat(x)))
        return self.dequant(self.fc2(x))


def _tensors():
    train, test = load_digits()
    return train.tensors, test.tensors


def _train(model, xtr, ytr, epochs, lr=0.05, batch=64):
    ember.manual_seed(0)
    opt = ember.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    n = xtr.shape[0]
    model.train()
    for _ in range(epochs):
        perm = ember.randperm(n)
        for i in range(0, n, batch):
            idx = perm[i:i + batch]
            opt.zero_grad()
            F.cross_entropy(model(xtr[idx]), ytr[idx]).backward()
            opt.step()
    model.eval()
    return model


def _accuracy(model, x, y):
    with ember.no_grad():
        return (model(x).argmax(1) == y).float().mean().item() * 100


@pytest.fixture(scope='module')
def data():
    return _tensors()


def test_static_quantization_accuracy(data):
    (xtr, ytr), (xte, yte) = data
    ember.manual_seed(0)
    model = _train(QDigitNet(), xtr, ytr, epochs=4)
    float_acc = _accuracy(model, xte, yte)
    assert float_acc > 90, f'float model did not train: {float_acc:.1f}%'

    qm = eq.fuse_modules(copy.deepcopy(model), [['conv1', 'bn1', 'relu1'], ['conv2', 'relu2'],
                                                ['fc1', 'relu3']])
    qm.qconfig = eq.get_default_qconfig('x86')
    eq.prepare(qm, inplace=True)
    with ember.no_grad():
        for i in range(0, 512, 128):          # calibrate on training images
            qm(xtr[i:i + 128])
    eq.convert(qm, inplace=True)
    assert qm.conv1.weight().dtype is ember.qint8
    assert qm.fc2.weight().dtype is ember.qint8
    q_acc = _accuracy(qm, xte, yte)
    assert abs(q_acc - float_acc) <= 1.0, f'float {float_acc:.2f}% vs int8 {q_acc:.2f}%'


def test_dynamic_quantization_accuracy(data):
    (xtr, ytr), (xte, yte) = data
    ember.manual_seed(0)
    mlp = nn.Sequential(nn.Flatten(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU(),
                        nn.Linear(32, 10))
    _train(mlp, xtr, ytr, epochs=15, lr=0.1)
    float_acc = _accuracy(mlp, xte, yte)
    assert float_acc > 90, f'float MLP did not train: {float_acc:.1f}%'
    qmlp = eq.quantize_dynamic(mlp, {nn.Linear}, dtype=ember.qint8)
    assert type(qmlp[1]).__name__ == 'Linear' and type(qmlp[1]) is not nn.Linear
    q_acc = _accuracy(qmlp, xte, yte)
    assert abs(q_acc - float_acc) <= 1.0, f'float {float_acc:.2f}% vs dynamic int8 {q_acc:.2f}%'


@pytest.mark.parametrize('fn', [
    lambda lib, q: lib.nn.MaxPool2d(2)(q),
    lambda lib, q: lib.nn.functional.max_pool2d(q, 3, stride=1, padding=1),
    lambda lib, q: lib.nn.functional.max_pool1d(q[0], 2),
    lambda lib, q: lib.flatten(q, 1),
    lambda lib, q: lib.nn.Flatten()(q),
])
def test_quantized_pool_and_flatten_stay_quantized(fn):
    """Ops the converted CNN runs between quantized layers keep the tensor quantized (as torch)."""
    import torch
    x = np.random.default_rng(0).uniform(0, 2, size=(2, 3, 4, 4)).astype('float32')
    tq = torch.quantize_per_tensor(torch.tensor(x), 0.05, 4, torch.quint8)
    eqt = ember.quantize_per_tensor(ember.tensor(x), 0.05, 4, ember.quint8)
    t, e = fn(torch, tq), fn(ember, eqt)
    assert e.is_quantized and str(e.dtype) == str(t.dtype)
    assert (e.q_scale(), e.q_zero_point()) == (t.q_scale(), t.q_zero_point())
    np.testing.assert_array_equal(e.int_repr().numpy(), t.int_repr().numpy())
