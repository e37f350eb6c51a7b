"""`python -m ember.run SCRIPT [ARGS...]`: run an unmodified PyTorch program on ember.

`import torch`, `torch.*`, `torchvision.*` and `torchsummary` inside the script (and anything it
imports) resolve to ember's modules. Also installed as the `ember-run` console script.
"""
import os
import runpy
import sys

from ._alias import enable_torch_alias

__all__ = ['main']

USAGE = "usage: python -m ember.run SCRIPT [ARGS...]   (or: python -m ember.run -m MODULE [ARGS...])"


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ('-h', '--help'):
        print(USAGE)
        return 0 if argv else 2
    enable_torch_alias()
    if argv[0] == '-m':
        if len(argv) < 2:
            print(USAGE, file=sys.stderr)
            return 2
        sys.argv = argv[1:]
        runpy.run_module(argv[1], run_name='__main__', alter_sys=True)
        return 0
    script = argv[0]
    if not os.path.exists(script):
        print(f"ember.run: can't open file '{script}': No such file", file=sys.stderr)
        return 2
    sys.argv = argv
    sys.path.insert(0, os.path.dirname(os.path.abspath(script)))
    runpy.run_path(script, run_name='__main__')
    return 0


if __name__ == '__main__':
    sys.exit(main())
