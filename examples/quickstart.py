"""A first look at ember: tensors, broadcasting, autograd, a tiny gradient-descent fit.

Run: python examples/quickstart.py   (the same code runs with `import torch`).
"""
import ember as torch

torch.manual_seed(0)

x = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
print("x =", x)
print("x.t() shares memory:", x.t().data_ptr() == x.data_ptr())

# fit y = 3 * x + 1 with plain gradient descent
xs = torch.tensor([0.0, 1.0, 2.0, 3.0, 4.0])
ys = xs * 3 + 1
w = torch.zeros(1, requires_grad=True)
b = torch.zeros(1, requires_grad=True)
for step in range(200):
    loss = ((xs * w + b - ys) ** 2).mean()
    loss.backward()
    with torch.no_grad():
        w -= 0.05 * w.grad
        b -= 0.05 * b.grad
    w.grad = None
    b.grad = None
print(f"fitted w={w.item():.3f} b={b.item():.3f} loss={loss.item():.2e}")
