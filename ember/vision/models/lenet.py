"""LeNet-5 (LeCun et al., 1998) for 1x32x32 inputs (pass 1x28x28 MNIST with `padding=2`).

Layout: conv(1->6, 5x5) -> tanh/relu -> 2x2 pool -> conv(6->16, 5x5) -> act -> pool ->
fc 400->120 -> fc 120->84 -> fc 84->num_classes. torchvision has no LeNet; the names here
(`features`, `classifier`) follow the AlexNet/VGG convention.
"""
from ... import nn, flatten

__all__ = ['LeNet', 'lenet']


class LeNet(nn.Module):
    """Classic LeNet-5. Input 1x32x32; with in_size=28 the first conv pads by 2 (MNIST)."""

    def __init__(self, num_classes=10, in_channels=1, in_size=32, activation='relu'):
        super().__init__()
        if in_size not in (28, 32):
            raise ValueError(f"LeNet expects 28x28 or 32x32 inputs, got in_size={in_size}")
        act = nn.ReLU if activation == 'relu' else nn.Tanh
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, 6, kernel_size=5, padding=2 if in_size == 28 else 0), act(),
            nn.MaxPool2d(2, 2),
            nn.Conv2d(6, 16, kernel_size=5), act(),
            nn.MaxPool2d(2, 2))
        self.classifier = nn.Sequential(
            nn.Linear(16 * 5 * 5, 120), act(),
            nn.Linear(120, 84), act(),
            nn.Linear(84, num_classes))

    def forward(self, x):
        x = self.features(x)
        return self.classifier(flatten(x, 1))


def lenet(*, weights=None, progress=True, **kwargs):
    from ._utils import _load_weights
    return _load_weights(LeNet(**kwargs), weights)
