"""Per-rank shim the launcher runs under mpiexec: maps the MPI rank to RANK / LOCAL_RANK and
runs the user's script (or module, or executable) as __main__."""
import os
import runpy
import sys


def main():
    base = int(sys.argv[1])
    local = int(os.environ.get('PMI_RANK', os.environ.get('OMPI_COMM_WORLD_RANK', '0')))
    os.environ['RANK'] = str(base + local)
    os.environ['LOCAL_RANK'] = str(local)
    rest = sys.argv[2:]
    if rest[0] == '--exec':
        os.execvp(rest[1], rest[1:])
    if rest[0] == '-u':
        rest = rest[1:]
    if rest[0] == '-m':
        sys.argv = rest[1:]
        runpy.run_module(rest[1], run_name='__main__', alter_sys=True)
    else:
        sys.argv = rest
        sys.path.insert(0, os.path.dirname(os.path.abspath(rest[0])))
        runpy.run_path(rest[0], run_name='__main__')


if __name__ == '__main__':
    main()
