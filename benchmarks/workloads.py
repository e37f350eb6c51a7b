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


def matmul_1024(lib, n=10):
    """1024x1024 float32 matmul throughput (reported as time per FLOP)."""
    a = lib.ones(1024, 1024) * 0.5
    b = lib.ones(1024, 1024) * 0.25
    for _ in range(2):
        a @ b
    t0 = time.perf_counter()
    for _ in range(n):
        a @ b
    return time.perf_counter() - t0, n * 2 * 1024 ** 3


WORKLOADS = {'small_op': small_op, 'small_chain_fwd_bwd': small_chain_fwd_bwd,
             'matmul_1024': matmul_1024}


if __name__ == '__main__':
    import json
    import sys
    lib_name, name = sys.argv[1], sys.argv[2]
    lib = __import__(lib_name)
    secs, units = WORKLOADS[name](lib)
    print(json.dumps({'seconds': secs, 'units': units}))
