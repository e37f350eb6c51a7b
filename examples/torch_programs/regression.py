"""Plain PyTorch: fit a noisy cubic with an MLP (run with `python -m ember.run regression.py`)."""
import torch
import torch.nn as nn

torch.manual_seed(0)
x = torch.linspace(-2, 2, 256).unsqueeze(1)
y = x ** 3 - x + 0.1 * torch.randn_like(x)

model = nn.Sequential(nn.Linear(1, 32), nn.Tanh(), nn.Linear(32, 32), nn.Tanh(), nn.Linear(32, 1))
opt = torch.optim.Adam(model.parameters(), lr=1e-2)
loss_fn = nn.MSELoss()
first = None
for step in range(300):
    opt.zero_grad()
    loss = loss_fn(model(x), y)
    loss.backward()
    opt.step()
    if first is None:
        first = loss.item()
print(f"first loss {first:.4f} final loss {loss.item():.4f}")
assert loss.item() < first / 10, "regression did not learn"
print("OK")
