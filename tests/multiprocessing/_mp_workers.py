"""Child-process bodies for test_multiprocessing.py (importable by spawned children)."""
import ember


def fill(t, value):
    t.fill_(value)


def add_rows(q_in, q_out):
    t = q_in.get()
    t[0] += 10
    q_out.put((t, t.is_shared()))
    q_in.get()      # stay alive until the parent has received (the descriptor comes from here)


def view_write(t):
    t[1:, 1:].mul_(-1)


def hogwild(rank, model, x, y, steps):
    ember.manual_seed(rank)
    opt = ember.optim.SGD(model.parameters(), lr=0.05)
    for _ in range(steps):
        idx = ember.randint(0, x.shape[0], (16,))
        opt.zero_grad()
        loss = ember.nn.functional.mse_loss(model(x[idx]), y[idx])
        loss.backward()
        opt.step()
