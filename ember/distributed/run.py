"""torchrun-style launcher: `python -m ember.distributed.run --nproc-per-node N script.py args`.

Starts the ranks through `mpiexec` when it is available (so they share COMM_WORLD), else as
plain subprocesses that meet through the env:// rendezvous. Each rank gets RANK, WORLD_SIZE,
LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR and MASTER_PORT, like torchrun."""
import argparse
import os
import shutil
import socket
import subprocess
import sys


def _free_port():
    with socket.socket() as s:
        s.bind(('', 0))
        return s.getsockname()[1]


def _parser():
    p = argparse.ArgumentParser(prog='ember.distributed.run', description=__doc__)
    p.add_argument('--nproc-per-node', '--nproc_per_node', dest='nproc_per_node', default='1')
    p.add_argument('--nnodes', default='1')
    p.add_argument('--node-rank', '--node_rank', dest='node_rank', type=int, default=0)
    p.add_argument('--master-addr', '--master_addr', dest='master_addr', default='127.0.0.1')
    p.add_argument('--master-port', '--master_port', dest='master_port', type=int, default=None)
    p.add_argument('--standalone', action='store_true')
    p.add_argument('--rdzv-backend', '--rdzv_backend', dest='rdzv_backend', default=None)
    p.add_argument('--rdzv-endpoint', '--rdzv_endpoint', dest='rdzv_endpoint', default=None)
    p.add_argument('--no-mpiexec', dest='no_mpiexec', action='store_true',
                   help="start plain subprocesses instead of going through mpiexec")
    p.add_argument('-m', '--module', dest='module', action='store_true')
    p.add_argument('--no-python', '--no_python', dest='no_python', action='store_true')
    p.add_argument('training_script')
    p.add_argument('training_script_args', nargs=argparse.REMAINDER)
    return p


def _target(args):
    if args.no_python:
        return [args.training_script]
    if args.module:
        return [sys.executable, '-u', '-m', args.training_script]
    return [sys.executable, '-u', args.training_script]


def main(argv=None):
    args = _parser().parse_args(argv)
    n = os.cpu_count() if args.nproc_per_node in ('auto', 'cpu') else int(args.nproc_per_node)
    nnodes = int(str(args.nnodes).split(':')[-1])
    world = n * nnodes
    port = args.master_port or _free_port()
    env = dict(os.environ, MASTER_ADDR=args.master_addr, MASTER_PORT=str(port),
               WORLD_SIZE=str(world), LOCAL_WORLD_SIZE=str(n), GROUP_RANK=str(args.node_rank),
               TORCHELASTIC_RUN_ID=os.environ.get('TORCHELASTIC_RUN_ID', 'ember'),
               OMP_NUM_THREADS=os.environ.get('OMP_NUM_THREADS', '1'))
    mpiexec = shutil.which('mpiexec')
    if mpiexec and nnodes == 1 and not args.no_mpiexec:
        cmd = [mpiexec, '-n', str(n), sys.executable, '-m', 'ember.distributed._rank',
               str(args.node_rank * n)] + _target(args)[1 if not args.no_python else 0:] \
            + args.training_script_args
        if args.no_python:
            cmd = [mpiexec, '-n', str(n), sys.executable, '-m', 'ember.distributed._rank',
                   str(args.node_rank * n), '--exec', args.training_script] + \
                args.training_script_args
        return subprocess.call(cmd, env=env)
    procs = []
    for local in range(n):
        e = dict(env, RANK=str(args.node_rank * n + local), LOCAL_RANK=str(local))
        procs.append(subprocess.Popen(_target(args) + args.training_script_args, env=e))
    code = 0
    import time
    while procs:
        for p in list(procs):
            rc = p.poll()
            if rc is None:
                continue
            procs.remove(p)
            if rc != 0 and code == 0:
                code = rc
                for q in procs:
                    q.terminate()
        time.sleep(0.05)
    return code


if __name__ == '__main__':
    sys.exit(main())
