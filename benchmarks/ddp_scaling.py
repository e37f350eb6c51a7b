"""DDP scaling: samples/s of the LeNet-5 training step on 2 processes (DDP over MPI) vs one.

    python benchmarks/ddp_scaling.py [--steps 30] [--batch 64]

Every process is limited to one BLAS/OpenMP thread, so on a 2-core machine the 1-process run
uses one core and the 2-process run one core each; the scaling factor is
(samples/s with 2 processes) / (samples/s with 1 process), ideally 2.0.
"""
import argparse
import os
import socket
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))
for var in ('OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS'):
    os.environ[var] = '1'


def _train(rank, world_size, steps, batch, port, result_queue):
    import ember
    import ember.distributed as dist
    from workloads import _lenet
    if world_size > 1:
        os.environ.update(MASTER_ADDR='127.0.0.1', MASTER_PORT=str(port), RANK=str(rank),
                          WORLD_SIZE=str(world_size))
        dist.init_process_group('gloo')
    ember.manual_seed(0)
    model = _lenet(ember)
    if world_size > 1:
        model = ember.nn.parallel.DistributedDataParallel(model)
    opt = ember.optim.Adam(model.parameters(), lr=1e-3)
    ember.manual_seed(rank)
    x, y = ember.randn(batch, 1, 28, 28), ember.randint(0, 10, (batch,))

    def step():
        opt.zero_grad()
        ember.nn.functional.cross_entropy(model(x), y).backward()
        opt.step()
    for _ in range(3):
        step()
    if world_size > 1:
        dist.barrier()
    t0 = time.perf_counter()
    for _ in range(steps):
        step()
    if world_size > 1:
        dist.barrier()
    elapsed = time.perf_counter() - t0
    if rank == 0:
        result_queue.put(elapsed)
    if world_size > 1:
        dist.destroy_process_group()


def _free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def run(world_size, steps, batch):
    import multiprocessing as mp
    ctx = mp.get_context('spawn')
    q = ctx.Queue()
    port = _free_port()
    procs = [ctx.Process(target=_train, args=(r, world_size, steps, batch, port, q))
             for r in range(world_size)]
    for p in procs:
        p.start()
    elapsed = q.get(timeout=600)
    for p in procs:
        p.join(60)
    return world_size * batch * steps / elapsed


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--steps', type=int, default=30)
    ap.add_argument('--batch', type=int, default=64)
    args = ap.parse_args()
    one = run(1, args.steps, args.batch)
    two = run(2, args.steps, args.batch)
    print(f"1 process : {one:8.1f} samples/s")
    print(f"2 processes (DDP): {two:8.1f} samples/s")
    print(f"scaling factor: {two / one:.2f}")


if __name__ == '__main__':
    main()
