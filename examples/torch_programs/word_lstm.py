"""Plain PyTorch: a word-level LSTM language model on a tiny corpus."""
import torch
import torch.nn as nn

torch.manual_seed(0)
text = ("the cat sat on the mat . the dog sat on the log . the cat saw the dog . "
        "the dog saw the cat . a cat and a dog sat on a mat . ") * 8
words = text.split()
vocab = sorted(set(words))
idx = {w: i for i, w in enumerate(vocab)}
ids = torch.tensor([idx[w] for w in words])


class LM(nn.Module):
    def __init__(self, n, emb=16, hidden=32):
        super().__init__()
        self.embed = nn.Embedding(n, emb)
        self.lstm = nn.LSTM(emb, hidden, num_layers=2, batch_first=True)
        self.head = nn.Linear(hidden, n)

    def forward(self, x, state=None):
        out, state = self.lstm(self.embed(x), state)
        return self.head(out), state


model = LM(len(vocab))
opt = torch.optim.Adam(model.parameters(), lr=1e-2)
seq = 12
inputs = ids[:-1].unfold(0, seq, seq)
targets = ids[1:].unfold(0, seq, seq)
losses = []
for epoch in range(40):
    logits, _ = model(inputs)
    loss = nn.functional.cross_entropy(logits.reshape(-1, len(vocab)), targets.reshape(-1))
    opt.zero_grad()
    loss.backward()
    nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    losses.append(loss.item())
print(f"perplexity {torch.exp(torch.tensor(losses[0])):.2f} -> {torch.exp(torch.tensor(losses[-1])):.2f}")
assert losses[-1] < losses[0] * 0.5, "LM did not learn"
print("OK")
