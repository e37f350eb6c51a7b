"""The main demo trains, learns, checkpoints, logs and resumes."""
import os

import ember
from ember.examples import digits


def test_demo_one_epoch_learns_and_writes_checkpoint(tmp_path, capsys):
    ckpt = tmp_path / 'digits.pt'
    logdir = tmp_path / 'runs'
    acc = digits.main(['--epochs', '1', '--checkpoint', str(ckpt), '--log-dir', str(logdir)])
    assert acc > 0.5            # chance is 0.1
    assert ckpt.exists()
    state = ember.load(ckpt)
    assert state['epoch'] == 0 and set(state) >= {'model', 'optimizer', 'scheduler'}
    try:
        import tensorboard  # noqa: F401
        assert any(f.startswith('events.out.tfevents') for f in os.listdir(logdir))
    except ImportError:
        pass
    out = capsys.readouterr().out
    assert 'test accuracy' in out


def test_demo_resume_continues_from_checkpoint(tmp_path, capsys):
    ckpt = tmp_path / 'digits.pt'
    args = ['--epochs', '2', '--checkpoint', str(ckpt), '--log-dir', str(tmp_path / 'runs')]
    digits.main(['--epochs', '1', '--checkpoint', str(ckpt), '--log-dir', str(tmp_path / 'runs')])
    capsys.readouterr()
    acc = digits.main(args + ['--resume'])
    out = capsys.readouterr().out
    assert 'resumed from' in out and 'epoch 2/2' in out and 'epoch 1/2' not in out
    assert ember.load(ckpt)['epoch'] == 1
    assert acc > 0.8
