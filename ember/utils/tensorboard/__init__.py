"""ember.utils.tensorboard (= torch.utils.tensorboard): SummaryWriter for TensorBoard event files.

Needs the `tensorboard` package (pip install "ember[tensorboard]").
"""
try:
    import tensorboard  # noqa: F401
except ImportError as e:  # pragma: no cover - depends on the environment
    raise ImportError('TensorBoard logging requires TensorBoard version 1.15 or above '
                      '(pip install tensorboard)') from e

from .writer import FileWriter, SummaryWriter  # noqa: E402

__all__ = ['FileWriter', 'SummaryWriter']
