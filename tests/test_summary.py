"""ember.summary.summary prints torchsummary's table; numbers derived from the layer formulas."""
import math

import ember
import ember.nn as nn
from ember.summary import summary, summary_string


class TwoInput(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(4, 3)
        self.b = nn.Linear(5, 3, bias=False)

    def forward(self, x, y):
        return self.a(x) + self.b(y)


def test_table_for_small_cnn(capsys):
    model = nn.Sequential(nn.Conv2d(1, 6, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                          nn.Linear(6 * 12 * 12, 10))
    total, trainable = summary(model, (1, 28, 28), device='cpu')
    out = capsys.readouterr().out.splitlines()
    conv_params = 6 * 1 * 5 * 5 + 6
    fc_params = 6 * 12 * 12 * 10 + 10
    assert total == trainable == conv_params + fc_params
    assert out[0] == '-' * 64
    assert out[1] == "{:>20}  {:>25} {:>15}".format("Layer (type)", "Output Shape", "Param #")
    assert out[3] == "{:>20}  {:>25} {:>15}".format("Conv2d-1", "[-1, 6, 24, 24]", f"{conv_params:,}")
    assert out[4] == "{:>20}  {:>25} {:>15}".format("ReLU-2", "[-1, 6, 24, 24]", "0")
    assert out[5] == "{:>20}  {:>25} {:>15}".format("MaxPool2d-3", "[-1, 6, 12, 12]", "0")
    assert out[6] == "{:>20}  {:>25} {:>15}".format("Flatten-4", "[-1, 864]", "0")
    assert out[7] == "{:>20}  {:>25} {:>15}".format("Linear-5", "[-1, 10]", f"{fc_params:,}")
    assert f"Total params: {total:,}" in out
    assert "Non-trainable params: 0" in out
    acts = 6 * 24 * 24 * 2 + 6 * 12 * 12 + 864 + 10
    assert f"Input size (MB): {28 * 28 * 4 / 2 ** 20:.2f}" in out
    assert f"Forward/backward pass size (MB): {2 * acts * 4 / 2 ** 20:.2f}" in out
    assert f"Params size (MB): {total * 4 / 2 ** 20:.2f}" in out
    est = 28 * 28 * 4 / 2 ** 20 + 2 * acts * 4 / 2 ** 20 + total * 4 / 2 ** 20
    assert f"Estimated Total Size (MB): {est:.2f}" in out


def test_multiple_inputs_batch_size_and_frozen_params():
    model = TwoInput()
    model.b.weight.requires_grad_(False)
    text, (total, trainable) = summary_string(model, [(4,), (5,)], batch_size=8, device='cpu')
    assert total == 4 * 3 + 3 + 5 * 3
    assert trainable == 4 * 3 + 3
    assert "{:>20}  {:>25} {:>15}".format("Linear-1", "[8, 3]", "15") in text
    assert "{:>20}  {:>25} {:>15}".format("Linear-2", "[8, 3]", "15") in text
    assert f"Input size (MB): {abs(math.prod((4, 5)) * 8 * 4 / 2 ** 20):.2f}" in text


def test_nested_modules_hooks_removed():
    model = nn.Sequential(nn.Sequential(nn.Linear(2, 2), nn.ReLU()), nn.Linear(2, 1))
    text, _ = summary_string(model, (2,), device='cpu')
    assert 'Linear-1' in text and 'ReLU-2' in text and 'Linear-3' in text
    assert 'Sequential' not in text
    assert all(not m._forward_hooks for m in model.modules())
