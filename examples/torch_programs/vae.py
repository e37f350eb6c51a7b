"""Plain PyTorch: a small VAE on synthetic blobs (reparameterization trick, KL term)."""
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
centers = torch.randn(4, 16) * 2
data = (centers[torch.randint(0, 4, (512,))] + 0.3 * torch.randn(512, 16)).sigmoid()


class VAE(nn.Module):
    def __init__(self, d=16, h=32, z=2):
        super().__init__()
        self.enc = nn.Linear(d, h)
        self.mu = nn.Linear(h, z)
        self.logvar = nn.Linear(h, z)
        self.dec1 = nn.Linear(z, h)
        self.dec2 = nn.Linear(h, d)

    def forward(self, x):
        h = F.relu(self.enc(x))
        mu, logvar = self.mu(h), self.logvar(h)
        z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
        return torch.sigmoid(self.dec2(F.relu(self.dec1(z)))), mu, logvar


model = VAE()
opt = torch.optim.Adam(model.parameters(), lr=3e-3)
history = []
for epoch in range(40):
    for batch in data.split(64):
        recon, mu, logvar = model(batch)
        rec = F.binary_cross_entropy(recon, batch, reduction='sum')
        kld = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
        loss = (rec + kld) / batch.shape[0]
        opt.zero_grad()
        loss.backward()
        opt.step()
    history.append(loss.item())
print(f"loss {history[0]:.3f} -> {history[-1]:.3f}")
assert history[-1] < history[0], "VAE did not learn"
print("OK")
