"""Benchmark workloads, written once against the torch API and run on ember or torch.

Each workload takes the library module (`ember` or `torch`) and returns (seconds, units),
where units is what the ratio is reported over (ops or FLOPs).
"""
import time


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


def small_chain_fwd_bwd(lib, n=2000):
    """Latency per op of a chain of 6 small ops with backward (x requires grad)."""
    x = lib.ones(16, requires_grad=True)
    w = lib.ones(16, requires_grad=True)

    def step():
        y = (x * w + 1.0).exp() * 0.5
        s = (y - x).sum()
        s.backward()
    for _ in range(50):
        step()
    t0 = time.perf_counter()
    for _ in range(n):
        step()
    return time.perf_counter() - t0, n * 6


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
    for _ in range(2):
        step()
    t0 = time.perf_counter()
    for _ in range(n):
        step()
    return time.perf_counter() - t0, n


def maxpool2d_fwd_bwd(lib, n=10):
    """MaxPool2d(2) forward + backward on 32x64x32x32 float32 (as after BatchNorm + ReLU)."""
    x = lib.randn(32, 64, 32, 32, requires_grad=True)
    pool = lib.nn.MaxPool2d(2)

    def step():
        pool(x).sum().backward()
    for _ in range(2):
        step()
    t0 = time.perf_counter()
    for _ in range(n):
        step()
    return time.perf_counter() - t0, n


WORKLOADS = {'small_op': small_op, 'small_chain_fwd_bwd': small_chain_fwd_bwd,
             'matmul_1024': matmul_1024, 'conv2d_fwd_bwd': conv2d_fwd_bwd, 'maxpool2d_fwd_bwd': maxpool2d_fwd_bwd}


if __name__ == '__main__':
    import json
    import sys
    lib_name, name = sys.argv[1], sys.argv[2]
    lib = __import__(lib_name)
    secs, units = WORKLOADS[name](lib)
    print(json.dumps({'seconds': secs, 'units': units}))
