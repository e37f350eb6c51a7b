"""ember.cuda / ember.accelerator / ember.backends answer like torch on this machine."""
import pytest
import torch

import ember


def test_availability_matches_torch_on_this_machine():
    assert ember.cuda.is_available() == torch.cuda.is_available()
    assert ember.cuda.device_count() == torch.cuda.device_count()
    assert ember.accelerator.is_available() == torch.accelerator.is_available()
    assert ember.accelerator.device_count() == torch.accelerator.device_count()
    assert ember.backends.mps.is_available() == torch.backends.mps.is_available()


@pytest.mark.skipif(torch.cuda.is_available(), reason='CPU-only expectations')
def test_cpu_only_answers():
    assert ember.accelerator.current_accelerator() is None
    assert ember.cuda.memory_allocated() == 0
    assert ember.cuda.max_memory_allocated() == 0
    ember.cuda.manual_seed(0)          # silently ignored without CUDA, like torch
    ember.cuda.manual_seed_all(0)
    ember.cuda.empty_cache()
    with pytest.raises(AssertionError, match='not compiled with CUDA'):
        ember.cuda.current_device()
    with pytest.raises((AssertionError, RuntimeError)):
        ember.zeros(2, device='cuda')
    with pytest.raises((AssertionError, RuntimeError)):
        ember.ones(2).cuda()


def test_cudnn_flags_are_settable_and_scoped():
    cudnn = ember.backends.cudnn
    assert cudnn.enabled is True and cudnn.deterministic is False
    cudnn.benchmark = True
    try:
        with cudnn.flags(enabled=True, benchmark=False, deterministic=True):
            assert cudnn.deterministic is True and cudnn.benchmark is False
        assert cudnn.benchmark is True and cudnn.deterministic is False
    finally:
        cudnn.benchmark = False
    assert cudnn.is_available() == torch.backends.cudnn.is_available()


def test_device_objects_and_mixing_error():
    assert str(ember.device('cuda', 1)) == str(torch.device('cuda', 1))
    a = ember.ones(2)
    assert a.device == ember.device('cpu') and a.is_cpu and not a.is_cuda
    assert a.get_device() == torch.ones(2).get_device()
