"""Script run by the launcher / mpiexec tests: the usual torchrun-style env:// start."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _workers  # noqa: E402

if __name__ == '__main__':
    rank, world = int(os.environ.get('RANK', os.environ.get('PMI_RANK', 0))), \
        int(os.environ.get('WORLD_SIZE', os.environ.get('PMI_SIZE', 1)))
    if 'LOCAL_RANK' in os.environ:
        assert int(os.environ['LOCAL_RANK']) == rank
    _workers.all_in_one(rank, world, None, tuple(sys.argv[1:]) or ('collectives',))
    print(f"rank {rank} ok")
