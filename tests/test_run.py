"""`python -m ember.run` and the torch import alias, on ordinary PyTorch programs."""
import gzip
import os
import struct
import subprocess
import sys

import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROGRAMS = os.path.join(ROOT, 'examples', 'torch_programs')


def run_under_ember(*args, timeout=240):
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get('PYTHONPATH', ''))
    return subprocess.run([sys.executable, '-m', 'ember.run', *args], capture_output=True,
                          text=True, timeout=timeout, env=env, cwd=ROOT)


def test_alias_resolves_torch_to_ember(tmp_path):
    script = tmp_path / 'probe.py'
    script.write_text(
        "import torch, torch.nn as nn, torch.nn.functional as F, ember\n"
        "from torch.utils.data import DataLoader\n"
        "assert torch is ember and nn is ember.nn and F is ember.nn.functional\n"
        "import sys; print(sys.argv[1:])\n")
    r = run_under_ember(str(script), 'a', '--b')
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "['a', '--b']"


def test_missing_module_names_it(tmp_path):
    script = tmp_path / 'missing.py'
    script.write_text("import torch.does_not_exist\n")
    r = run_under_ember(str(script))
    assert r.returncode != 0
    assert 'ImportError' in r.stderr or 'ModuleNotFoundError' in r.stderr
    assert 'does_not_exist' in r.stderr


def test_usage_and_missing_script():
    assert run_under_ember().returncode == 2
    r = run_under_ember('no_such_script.py')
    assert r.returncode == 2 and 'no_such_script.py' in r.stderr


def test_enable_torch_alias_in_process():
    code = ("import ember; ember.enable_torch_alias(); import torch; "
            "assert torch.nn.Linear is ember.nn.Linear; print('ok')")
    r = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0 and r.stdout.strip() == 'ok', r.stderr


@pytest.mark.parametrize('program', ['regression.py', 'vae.py', 'word_lstm.py'])
def test_example_programs_run_and_learn(program):
    r = run_under_ember(os.path.join(PROGRAMS, program))
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.strip().endswith('OK')


def _write_idx(path, array):
    """IDX file: magic (0, 0, dtype 0x08 = ubyte, ndim), big-endian dims, raw bytes (gzipped)."""
    header = struct.pack('>BBBB', 0, 0, 0x08, array.ndim) + struct.pack('>' + 'I' * array.ndim, *array.shape)
    with gzip.open(path, 'wb') as f:
        f.write(header + array.astype(np.uint8).tobytes())


def test_cnn_on_mnist_format_files(tmp_path):
    raw = tmp_path / 'MNIST' / 'raw'
    raw.mkdir(parents=True)
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 10, size=256)
    images = np.zeros((256, 28, 28), dtype=np.uint8)
    for i, lab in enumerate(labels):          # a learnable pattern: a bright bar per class
        images[i, 2 + 2 * lab: 4 + 2 * lab, 4:24] = 255
    images = np.clip(images + rng.integers(0, 40, size=images.shape), 0, 255)
    _write_idx(raw / 'train-images-idx3-ubyte.gz', images)
    _write_idx(raw / 'train-labels-idx1-ubyte.gz', labels)
    _write_idx(raw / 't10k-images-idx3-ubyte.gz', images[:32])
    _write_idx(raw / 't10k-labels-idx1-ubyte.gz', labels[:32])
    r = run_under_ember(os.path.join(PROGRAMS, 'mnist_cnn.py'), str(tmp_path))
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.strip().endswith('OK')
