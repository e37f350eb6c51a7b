"""Run every workload on ember and on torch in separate processes, alternating, and print
the ember/torch time ratio per workload (median over rounds; < 1 means ember is faster).

    python benchmarks/run.py [--rounds 3] [workload ...]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from workloads import WORKLOADS, FLOP_WORKLOADS  # noqa: E402


def measure(lib, name):
    root = os.path.dirname(HERE)
    env = dict(os.environ, PYTHONPATH=root + os.pathsep + os.environ.get('PYTHONPATH', ''))
    out = subprocess.run([sys.executable, os.path.join(HERE, 'workloads.py'), lib, name],
                         capture_output=True, text=True, check=True, cwd=root, env=env)
    r = json.loads(out.stdout.strip().splitlines()[-1])
    return r['seconds'] / r['units']


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--rounds', type=int, default=3)
    p.add_argument('workloads', nargs='*', default=list(WORKLOADS))
    args = p.parse_args()
    print(f"{'workload':24s} {'ember/unit':>12s} {'torch/unit':>12s} {'ratio':>7s}")
    results = {}
    for name in args.workloads:
        e_times, t_times = [], []
        for _ in range(args.rounds):
            e_times.append(measure('ember', name))
            t_times.append(measure('torch', name))
        e, t = statistics.median(e_times), statistics.median(t_times)
        results[name] = e / t
        if name not in FLOP_WORKLOADS:
            print(f"{name:24s} {e * 1e6:10.2f}us {t * 1e6:10.2f}us {e / t:7.2f}")
        else:
            print(f"{name:24s} {1e-9 / e:7.1f}GFLOP/s {1e-9 / t:7.1f}GFLOP/s {e / t:7.2f}")
    return results


if __name__ == '__main__':
    main()
