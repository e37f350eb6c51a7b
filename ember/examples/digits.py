"""The main demo: train a small CNN on the bundled Digits dataset (8x8 handwritten digits).

    python -m ember.examples.digits [--epochs 8] [--batch-size 64] [--lr 0.01] [--device cpu]
                                    [--log-dir runs/digits] [--checkpoint digits.pt] [--resume]

Everything a PyTorch user expects is here, written in ordinary PyTorch style on ember: a
Dataset + DataLoader, an nn.Module CNN, cross-entropy, SGD with momentum and a OneCycle LR
schedule, a tqdm progress bar per epoch, TensorBoard logging, checkpoints and --resume.
"""
import argparse
import os
import time

import numpy as np

import ember as torch
import ember.nn as nn
import ember.nn.functional as F
from ember.utils.data import DataLoader, TensorDataset

def load_digits(seed=None):
    """(train, test) TensorDatasets of 1x8x8 float images in [0, 1] and int64 labels, from the
    bundled `ember.vision.datasets.Digits` (its fixed 80/20 split)."""
    from ember.vision.datasets.digits import load_digits_arrays
    out = []
    for train in (True, False):
        images, labels = load_digits_arrays(train)
        x = torch.from_numpy(images.astype(np.float32)[:, None] / 255.0)
        out.append(TensorDataset(x, torch.from_numpy(labels)))
    return tuple(out)


class DigitNet(nn.Module):
    """conv(1->16) -> conv(16->32) -> pool -> fc(512->64) -> fc(64->10)."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(16)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.pool = nn.MaxPool2d(2)
        self.fc1 = nn.Linear(32 * 4 * 4, 64)
        self.dropout = nn.Dropout(0.2)
        self.fc2 = nn.Linear(64, 10)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = torch.flatten(x, 1)
        x = self.dropout(F.relu(self.fc1(x)))
        return self.fc2(x)


def evaluate(model, loader, device):
    model.eval()
    correct = total = 0
    loss_sum = 0.0
    with torch.no_grad():
        for x, y in loader:
            x, y = x.to(device), y.to(device)
            out = model(x)
            loss_sum += F.cross_entropy(out, y, reduction='sum').item()
            correct += (out.argmax(1) == y).sum().item()
            total += y.numel()
    return loss_sum / total, correct / total


def _progress(iterable, desc, total):
    try:
        from tqdm import tqdm
        return tqdm(iterable, desc=desc, total=total, leave=False, dynamic_ncols=True)
    except ImportError:        # tqdm is optional: plain iteration without a bar
        return iterable


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--epochs', type=int, default=8)
    p.add_argument('--batch-size', type=int, default=64)
    p.add_argument('--lr', type=float, default=0.05)
    p.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    p.add_argument('--log-dir', default=os.path.join('runs', 'digits'))
    p.add_argument('--checkpoint', default='digits.pt')
    p.add_argument('--resume', action='store_true', help='continue from --checkpoint')
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--num-workers', type=int, default=0)
    args = p.parse_args(argv)

    torch.manual_seed(args.seed)
    device = torch.device(args.device)
    train_set, test_set = load_digits()
    train_loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=True,
                              num_workers=args.num_workers)
    test_loader = DataLoader(test_set, batch_size=256)

    model = DigitNet().to(device)
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, weight_decay=1e-4)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=args.lr * 4, epochs=args.epochs,
                                                    steps_per_epoch=len(train_loader))
    start_epoch = 0
    if args.resume and os.path.exists(args.checkpoint):
        ckpt = torch.load(args.checkpoint, map_location=device)
        model.load_state_dict(ckpt['model'])
        optimizer.load_state_dict(ckpt['optimizer'])
        sched_state = dict(ckpt['scheduler'])
        sched_state['total_steps'] = scheduler.total_steps   # the schedule follows this run's --epochs
        scheduler.load_state_dict(sched_state)
        start_epoch = ckpt['epoch'] + 1
        print(f"resumed from {args.checkpoint} at epoch {start_epoch}")

    writer = None
    try:
        from ember.utils.tensorboard import SummaryWriter
        writer = SummaryWriter(args.log_dir)
    except ImportError:        # tensorboard not installed: train without event files
        print("tensorboard is not installed; skipping event logging")

    t0 = time.time()
    step = start_epoch * len(train_loader)
    for epoch in range(start_epoch, args.epochs):
        model.train()
        seen = correct = 0
        running = 0.0
        bar = _progress(train_loader, f"epoch {epoch + 1}/{args.epochs}", len(train_loader))
        for x, y in bar:
            x, y = x.to(device), y.to(device)
            optimizer.zero_grad()
            out = model(x)
            loss = F.cross_entropy(out, y)
            loss.backward()
            optimizer.step()
            scheduler.step()
            running += loss.item() * y.numel()
            correct += (out.argmax(1) == y).sum().item()
            seen += y.numel()
            if writer is not None:
                writer.add_scalar('train/loss', loss.item(), step)
                writer.add_scalar('train/lr', scheduler.get_last_lr()[0], step)
            step += 1
            if hasattr(bar, 'set_postfix'):
                bar.set_postfix(loss=f"{running / seen:.3f}", acc=f"{correct / seen:.3f}")
        test_loss, test_acc = evaluate(model, test_loader, device)
        if writer is not None:
            writer.add_scalar('test/loss', test_loss, epoch)
            writer.add_scalar('test/accuracy', test_acc, epoch)
        print(f"epoch {epoch + 1}/{args.epochs}  train loss {running / seen:.4f}  "
              f"train acc {correct / seen:.3f}  test loss {test_loss:.4f}  test acc {test_acc:.3f}")
        torch.save({'epoch': epoch, 'model': model.state_dict(), 'optimizer': optimizer.state_dict(),
                    'scheduler': scheduler.state_dict(), 'test_accuracy': test_acc}, args.checkpoint)
    if writer is not None:
        writer.close()
    _, test_acc = evaluate(model, test_loader, device)
    print(f"test accuracy {test_acc:.4f}  ({time.time() - t0:.1f}s)  checkpoint: {args.checkpoint}")
    return test_acc


if __name__ == '__main__':
    main()
