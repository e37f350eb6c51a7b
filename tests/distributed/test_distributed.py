"""ember.distributed with real processes: spawn (env://, tcp://, file://), the launcher,
mpiexec, hand-started ranks; collectives vs NumPy, DDP vs single-process training, no_sync,
join, comm hooks, SyncBatchNorm, DistributedSampler, timeouts and errors."""
import os
import shutil
import socket
import subprocess
import sys
import time

import pytest

pytest.importorskip('mpi4py')

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import _workers  # noqa: E402

import ember  # noqa: E402
import ember.distributed as dist  # noqa: E402
import ember.multiprocessing as mp  # noqa: E402

LIMIT = 90  # seconds before a hung multi-process test is killed


def _port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def _spawn(fn, world, *args, env=None):
    old = dict(os.environ)
    os.environ.update(MASTER_ADDR='127.0.0.1', MASTER_PORT=str(_port()), **(env or {}))
    try:
        ctx = mp.spawn(fn, args=(world,) + args, nprocs=world, join=False)
    finally:
        os.environ.clear()
        os.environ.update(old)
    deadline = time.monotonic() + LIMIT
    while not ctx.join(timeout=1):
        if time.monotonic() > deadline:
            for p in ctx.processes:
                p.kill()
            pytest.fail(f"{fn.__name__} with {world} ranks hung")


def _env(**kw):
    env = dict(os.environ, MASTER_ADDR='127.0.0.1', MASTER_PORT=str(_port()),
               OMP_NUM_THREADS='1', **{k: str(v) for k, v in kw.items()})
    env['PYTHONPATH'] = os.pathsep.join([os.path.dirname(os.path.dirname(HERE)),
                                         env.get('PYTHONPATH', '')])
    return env


def test_spawn_two_ranks_env():
    _spawn(_workers.all_in_one, 2, 'env://')


def test_spawn_three_ranks_env():
    # three ranks: the rendezvous grows the group one rank at a time; recv from any rank
    _spawn(_workers.all_in_one, 3, 'env://')


def test_spawn_tcp_init_method():
    _spawn(_workers.all_in_one, 2, f'tcp://127.0.0.1:{_port()}', ('collectives',))


def test_spawn_file_init_method(tmp_path):
    _spawn(_workers.all_in_one, 2, f'file://{tmp_path}/rdzv', ('collectives',))


def test_launcher_through_mpiexec():
    if shutil.which('mpiexec') is None:
        pytest.skip("mpiexec not found")
    out = subprocess.run([sys.executable, '-m', 'ember.distributed.run', '--nproc-per-node', '2',
                          os.path.join(HERE, '_launch_script.py'), 'collectives', 'ddp'],
                         env=_env(), capture_output=True, text=True, timeout=LIMIT)
    assert out.returncode == 0, out.stdout + out.stderr
    assert 'rank 0 ok' in out.stdout and 'rank 1 ok' in out.stdout


def test_launcher_without_mpiexec():
    out = subprocess.run([sys.executable, '-m', 'ember.distributed.run', '--nproc_per_node=2',
                          '--no-mpiexec', os.path.join(HERE, '_launch_script.py'), 'syncbn'],
                         env=_env(), capture_output=True, text=True, timeout=LIMIT)
    assert out.returncode == 0, out.stdout + out.stderr


def test_mpiexec_directly():
    mpiexec = shutil.which('mpiexec')
    if mpiexec is None:
        pytest.skip("mpiexec not found")
    out = subprocess.run([mpiexec, '-n', '2', sys.executable,
                          os.path.join(HERE, '_launch_script.py'), 'collectives'],
                         env=_env(), capture_output=True, text=True, timeout=LIMIT)
    assert out.returncode == 0, out.stdout + out.stderr


def test_ranks_started_by_hand():
    env = _env(WORLD_SIZE=2)
    script = os.path.join(HERE, '_launch_script.py')
    procs = [subprocess.Popen([sys.executable, script, 'collectives'], env=dict(env, RANK=str(r)),
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
             for r in range(2)]
    try:
        outs = [p.communicate(timeout=LIMIT)[0] for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
    assert all(p.returncode == 0 for p in procs), outs


def test_timeout_when_a_rank_exits():
    _spawn(_workers.early_exit, 2, 'env://')


def test_errors_before_init():
    assert dist.is_available() and not dist.is_initialized()
    msg = "Default process group has not been initialized"
    for fn in [dist.get_rank, dist.get_world_size, dist.barrier,
               lambda: dist.all_reduce(ember.ones(2)), lambda: dist.broadcast(ember.ones(2), 0)]:
        with pytest.raises(ValueError, match=msg):
            fn()
    with pytest.raises(ValueError, match=msg):
        ember.utils.data.DistributedSampler(list(range(4)))
    with pytest.raises(RuntimeError, match="NCCL"):
        dist.init_process_group('nccl', init_method='tcp://127.0.0.1:1', rank=0, world_size=1)
    with pytest.raises(ValueError, match="Invalid backend"):
        dist.init_process_group('bogus', rank=0, world_size=1)
    with pytest.raises(ValueError, match="RANK expected"):
        env = {k: v for k, v in os.environ.items() if k != 'RANK'}
        old = dict(os.environ)
        os.environ.clear()
        os.environ.update(env)
        try:
            dist.init_process_group('gloo', init_method='env://')
        finally:
            os.environ.clear()
            os.environ.update(old)


def test_sampler_partitions_without_group():
    n, world = 10, 3
    parts = [list(ember.utils.data.DistributedSampler(list(range(n)), world, r, seed=1))
             for r in range(world)]
    flat = sorted(i for p in parts for i in p)
    assert set(flat) == set(range(n)) and len(flat) == 12


def test_stores(tmp_path):
    for store in [dist.HashStore(), dist.FileStore(str(tmp_path / 'f')),
                  dist.TCPStore('127.0.0.1', 0, 1, True)]:
        store.set('a', 'x')
        assert store.get('a') == b'x'
        assert store.add('n', 2) == 2 and store.add('n', 3) == 5
        store.wait(['a'])
        with pytest.raises(RuntimeError, match="Timeout"):
            store.wait(['missing'], 0.05)
        if isinstance(store, dist.TCPStore):
            store.close()


def test_data_parallel_cpu_runs_module():
    m = ember.nn.Linear(3, 2)
    dp = ember.nn.DataParallel(m)
    x = ember.randn(5, 3)
    assert (dp(x) - m(x)).abs().max().item() == 0
    assert list(dp.state_dict()) == ['module.weight', 'module.bias']
    from ember.nn.parallel import scatter, gather
    parts = scatter((x, 'k'), [None, None], dim=0)
    assert len(parts) == 2 and parts[0][1] == 'k' and parts[0][0].shape[0] == 3
    y = gather([p[0] for p in parts], None, dim=0)
    assert (y - x).abs().max().item() == 0


def test_multiprocessing_spawn_error():
    with pytest.raises(mp.ProcessRaisedException, match="boom"):
        mp.spawn(_workers.boom, nprocs=2)
