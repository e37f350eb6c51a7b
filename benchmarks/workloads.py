"""Benchmark workloads, written once against the torch API and run on ember or torch.

Each workload takes the library module (`ember` or `torch`) and returns (seconds, units),
where units is what the ratio is reported over (ops or FLOPs).
"""
import time

WORKLOADS = {}
FLOP_WORKLOADS = {'matmul_1024', 'conv2d_64_forward'}   # report GFLOP/s instead of time per step


def workload(fn):
    """Register a workload under its function name."""
    WORKLOADS[fn.__name__] = fn
    return fn


def _timed(step, n, warmup=2):
    """Seconds for n calls of step() after `warmup` untimed calls."""
    for _ in range(warmup):
        step()
    t0 = time.perf_counter()
    for _ in range(n):
        step()
    return time.perf_counter() - t0


def _classifier_step(lib, model, opt, x, y):
    """A training step: zero_grad, cross-entropy forward/backward, optimizer step."""
    def step():
        opt.zero_grad()
        lib.nn.functional.cross_entropy(model(x), y).backward()
        opt.step()
    return step


@workload
def small_op(lib, n=20000):
    """Latency of one small elementwise op (a + b on 16-element float32 tensors)."""
    a = lib.ones(16)
    b = lib.ones(16)
    for _ in range(200):
        a + b
    t0 = time.perf_counter()
    for _ in range(n):
        a + b
    return time.perf_counter() - t0, n


@workload
def small_chain_fwd_bwd(lib, n=2000):
    """Latency per op of a chain of 6 small ops with backward (x requires grad)."""
    x = lib.ones(16, requires_grad=True)
    w = lib.ones(16, requires_grad=True)

    def step():
        y = (x * w + 1.0).exp() * 0.5
        s = (y - x).sum()
        s.backward()
    return _timed(step, n, 50), n * 6


@workload
def matmul_1024(lib, n=30):
    """1024x1024 float32 matmul throughput (reported as time per FLOP)."""
    a = lib.ones(1024, 1024) * 0.5
    b = lib.ones(1024, 1024) * 0.25
    for _ in range(2):
        a @ b
    t0 = time.perf_counter()
    for _ in range(n):
        a @ b
    return time.perf_counter() - t0, n * 2 * 1024 ** 3


@workload
def conv2d_fwd_bwd(lib, n=10):
    """Conv2d forward+backward: batch 16, 32->64 channels, 32x32, 3x3, padding 1 (float32)."""
    lib.manual_seed(0)
    x = lib.randn(16, 32, 32, 32, requires_grad=True)
    w = lib.randn(64, 32, 3, 3, requires_grad=True)
    b = lib.randn(64, requires_grad=True)
    conv2d = lib.nn.functional.conv2d

    def step():
        y = conv2d(x, w, b, padding=1)
        y.sum().backward()
    return _timed(step, n, 2), n


@workload
def maxpool2d_fwd_bwd(lib, n=10):
    """MaxPool2d(2) forward + backward on 32x64x32x32 float32 (as after BatchNorm + ReLU)."""
    x = lib.randn(32, 64, 32, 32, requires_grad=True)
    pool = lib.nn.MaxPool2d(2)

    def step():
        pool(x).sum().backward()
    return _timed(step, n, 2), n


@workload
def cnn_train_step(lib, n=10):
    """One Adam step of a small CNN (conv-bn-relu x2, pool, linear) on 32 images of 3x32x32."""
    nn = lib.nn
    lib.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(3, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(),
                          nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
                          nn.MaxPool2d(2), nn.Flatten(), nn.Linear(32 * 16 * 16, 10))
    opt = lib.optim.Adam(model.parameters(), lr=1e-3)
    x = lib.randn(32, 3, 32, 32)
    y = lib.randint(0, 10, (32,))

    step = _classifier_step(lib, model, opt, x, y)
    return _timed(step, n, 2), n


@workload
def lstm_train_step(lib, n=5):
    """Word-language-model SGD step: Embedding 10000x200, 2-layer LSTM 200 (dropout 0.2),
    seq 35, batch 20, Linear decoder, cross entropy, clip_grad_norm 0.25."""
    nn = lib.nn
    lib.manual_seed(0)
    emb = nn.Embedding(10000, 200)
    rnn = nn.LSTM(200, 200, 2, dropout=0.2)
    dec = nn.Linear(200, 10000)
    drop = nn.Dropout(0.2)
    params = list(emb.parameters()) + list(rnn.parameters()) + list(dec.parameters())
    opt = lib.optim.SGD(params, lr=20.0)
    x = lib.randint(0, 10000, (35, 20))
    y = lib.randint(0, 10000, (35 * 20,))
    hidden = (lib.zeros(2, 20, 200), lib.zeros(2, 20, 200))

    def step():
        opt.zero_grad()
        out, _ = rnn(drop(emb(x)), hidden)
        logits = dec(drop(out)).view(-1, 10000)
        nn.functional.cross_entropy(logits, y).backward()
        nn.utils.clip_grad_norm_(params, 0.25)
        opt.step()
    return _timed(step, n, 2), n


@workload
def transformer_train_step(lib, n=5):
    """AdamW step of a 2-layer TransformerEncoder (d_model 128, 4 heads, ff 512, batch_first)
    on batch 16 x seq 64, mean-pooled into a 10-way classifier."""
    nn = lib.nn
    lib.manual_seed(0)
    layer = nn.TransformerEncoderLayer(128, 4, 512, batch_first=True)
    enc = nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)
    head = nn.Linear(128, 10)
    params = list(enc.parameters()) + list(head.parameters())
    opt = lib.optim.AdamW(params, lr=1e-3)
    x = lib.randn(16, 64, 128)
    y = lib.randint(0, 10, (16,))

    def step():
        opt.zero_grad()
        nn.functional.cross_entropy(head(enc(x).mean(1)), y).backward()
        opt.step()
    return _timed(step, n, 2), n


def _mlp(lib):
    nn = lib.nn
    return nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 256), nn.ReLU(),
                         nn.Linear(256, 10))


def _lenet(lib):
    """LeNet-5 for 28x28 inputs (first conv padded by 2), as in the classic MNIST setup."""
    nn = lib.nn
    return nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(16 * 5 * 5, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(),
                         nn.Linear(84, 10))


@workload
def conv2d_64_forward(lib, n=5):
    """Conv2d 64->64 3x3 (padding 1) on 16x64x56x56: forward throughput (time per FLOP)."""
    lib.manual_seed(0)
    conv = lib.nn.Conv2d(64, 64, 3, padding=1)
    x = lib.randn(16, 64, 56, 56)
    with lib.no_grad():
        secs = _timed(lambda: conv(x), n, warmup=1)
    return secs, n * 2 * 16 * 64 * 56 * 56 * 64 * 9


@workload
def conv2d_64_fwd_bwd(lib, n=3):
    """Conv2d 64->64 3x3 on 16x64x56x56: forward + backward (input and weight grads)."""
    lib.manual_seed(0)
    conv = lib.nn.Conv2d(64, 64, 3, padding=1)
    x = lib.randn(16, 64, 56, 56, requires_grad=True)
    return _timed(lambda: conv(x).sum().backward(), n, warmup=1), n


@workload
def mlp_fwd_bwd(lib, n=50):
    """MLP 784-512-256-10, batch 128: forward + backward of a cross-entropy loss."""
    lib.manual_seed(0)
    model = _mlp(lib)
    x, y = lib.randn(128, 784), lib.randint(0, 10, (128,))
    return _timed(lambda: lib.nn.functional.cross_entropy(model(x), y).backward(), n, 5), n


@workload
def mlp_train_step(lib, n=50):
    """MLP 784-512-256-10, batch 128: one SGD (momentum 0.9) step with CrossEntropyLoss."""
    lib.manual_seed(0)
    model = _mlp(lib)
    opt = lib.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    loss_fn = lib.nn.CrossEntropyLoss()
    x, y = lib.randn(128, 784), lib.randint(0, 10, (128,))

    def step():
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()
    return _timed(step, n, 5), n


@workload
def lenet_fwd_bwd(lib, n=20):
    """LeNet-5, batch 64 of 1x28x28: forward + backward."""
    lib.manual_seed(0)
    model = _lenet(lib)
    x, y = lib.randn(64, 1, 28, 28), lib.randint(0, 10, (64,))
    return _timed(lambda: lib.nn.functional.cross_entropy(model(x), y).backward(), n), n


@workload
def lenet_train_step(lib, n=20):
    """LeNet-5, batch 64 of 1x28x28: one Adam step."""
    lib.manual_seed(0)
    model = _lenet(lib)
    opt = lib.optim.Adam(model.parameters(), lr=1e-3)
    x, y = lib.randn(64, 1, 28, 28), lib.randint(0, 10, (64,))

    step = _classifier_step(lib, model, opt, x, y)
    return _timed(step, n), n


@workload
def bn_relu_pool_fwd_bwd(lib, n=10):
    """BatchNorm2d + ReLU + MaxPool2d on 32x64x32x32 (training mode): forward + backward."""
    nn = lib.nn
    block = nn.Sequential(nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2))
    lib.manual_seed(0)
    x = lib.randn(32, 64, 32, 32, requires_grad=True)
    return _timed(lambda: block(x).sum().backward(), n), n


def _cifar_resnet(lib):
    """conv 3->16, then BasicBlock stages of 16/32/64 channels (one block each), pool, fc."""
    nn = lib.nn

    class Block(nn.Module):
        def __init__(self, cin, cout, stride):
            super().__init__()
            self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(cout)
            self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
            self.bn2 = nn.BatchNorm2d(cout)
            self.short = (nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))
                          if stride != 1 or cin != cout else nn.Identity())

        def forward(self, x):
            out = nn.functional.relu(self.bn1(self.conv1(x)))
            return nn.functional.relu(self.bn2(self.conv2(out)) + self.short(x))

    return nn.Sequential(nn.Conv2d(3, 16, 3, 1, 1, bias=False), nn.BatchNorm2d(16), nn.ReLU(),
                         Block(16, 16, 1), Block(16, 32, 2), Block(32, 64, 2),
                         nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10))


@workload
def resnet_cifar_train_step(lib, n=3):
    """Small CIFAR-style ResNet (BasicBlocks 16/32/64 with BatchNorm), batch 32 of 3x32x32,
    one SGD step with weight decay."""
    lib.manual_seed(0)
    model = _cifar_resnet(lib)
    opt = lib.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=5e-4)
    x, y = lib.randn(32, 3, 32, 32), lib.randint(0, 10, (32,))

    step = _classifier_step(lib, model, opt, x, y)
    return _timed(step, n, 1), n



def _dataloader_epoch(lib, num_workers):
    """One shuffled epoch over a 60,000 x 784 float32 TensorDataset (MNIST-sized), batch 128,
    worker start-up included; one untimed epoch first. Units: batches."""
    from_data = lib.utils.data
    lib.manual_seed(0)
    ds = from_data.TensorDataset(lib.randn(60000, 784), lib.randint(0, 10, (60000,)))
    loader = from_data.DataLoader(ds, batch_size=128, shuffle=True, num_workers=num_workers)

    def epoch():
        n = 0
        for x, y in loader:
            n += 1
        return n
    epoch()
    t0 = time.perf_counter()
    n = epoch()
    return time.perf_counter() - t0, n


@workload
def dataloader_throughput_w0(lib):
    """DataLoader epoch in the main process (num_workers=0)."""
    return _dataloader_epoch(lib, 0)


@workload
def dataloader_throughput_w2(lib):
    """DataLoader epoch with two worker processes (num_workers=2)."""
    return _dataloader_epoch(lib, 2)


if __name__ == '__main__':
    import json
    import sys
    lib_name, name = sys.argv[1], sys.argv[2]
    lib = __import__(lib_name)
    secs, units = WORKLOADS[name](lib)
    print(json.dumps({'seconds': secs, 'units': units}))
