"""Hooks in practice: feature maps with forward hooks and a Grad-CAM heatmap.

    python -m ember.examples.hooks_gradcam [--checkpoint digits.pt] [--out gradcam.png]

Loads (or quickly trains) the digits CNN, records the last convolutional block's activations
(after ReLU and pooling) with a forward hook and their gradients with a full backward hook, and
builds Grad-CAM: channel weights = mean
gradient per channel, heatmap = ReLU(sum_k w_k * A_k), upsampled to the input size. Saves a
PNG with the input digit, the heatmap and their overlay side by side, and prints per-channel
feature-map statistics.
"""
import argparse
import os
import struct
import zlib

import numpy as np

import ember as torch
import ember.nn.functional as F
from ember.examples.digits import DigitNet, load_digits, main as train_digits


def write_png(path, rgb):
    """Write an HxWx3 uint8 array as a PNG (zlib-compressed scanlines, filter type 0)."""
    h, w, _ = rgb.shape
    raw = b''.join(b'\x00' + rgb[y].tobytes() for y in range(h))

    def chunk(tag, data):
        return (struct.pack('>I', len(data)) + tag + data +
                struct.pack('>I', zlib.crc32(tag + data) & 0xffffffff))
    png = (b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, 2, 0, 0, 0)) +
           chunk(b'IDAT', zlib.compress(raw, 9)) + chunk(b'IEND', b''))
    with open(path, 'wb') as f:
        f.write(png)


def grad_cam(model, layer, image, target=None):
    """(heatmap in [0, 1] at the input's size, predicted class, feature maps of `layer`)."""
    store = {}
    fwd = layer.register_forward_hook(lambda m, args, out: store.__setitem__('act', out))
    bwd = layer.register_full_backward_hook(lambda m, gin, gout: store.__setitem__('grad', gout[0]))
    try:
        model.eval()
        logits = model(image)
        cls = int(logits.argmax(1).item()) if target is None else target
        model.zero_grad()
        logits[0, cls].backward()
    finally:
        fwd.remove()
        bwd.remove()
    act, grad = store['act'].detach(), store['grad'].detach()
    weights = grad.mean(dim=(2, 3), keepdim=True)               # alpha_k
    cam = F.relu((weights * act).sum(1, keepdim=True))          # ReLU(sum_k alpha_k A_k)
    cam = F.interpolate(cam, size=image.shape[-2:], mode='bilinear', align_corners=False)
    cam = cam - cam.min()
    cam = cam / cam.max().clamp(min=1e-8)
    return cam[0, 0], cls, act[0]


def _colorize(gray):
    """Map [0, 1] to a blue-red ramp (HxWx3 uint8)."""
    g = np.clip(gray, 0, 1)
    return (np.stack([g, 0.2 + 0.0 * g, 1 - g], -1) * 255).astype(np.uint8)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--checkpoint', default='digits.pt')
    p.add_argument('--out', default='gradcam.png')
    p.add_argument('--index', type=int, default=0, help='test image to explain')
    p.add_argument('--scale', type=int, default=16, help='pixel size in the saved PNG')
    args = p.parse_args(argv)
    if not os.path.exists(args.checkpoint):
        print(f"{args.checkpoint} not found: training the digits CNN for 3 epochs first")
        train_digits(['--epochs', '3', '--checkpoint', args.checkpoint])
    model = DigitNet()
    model.load_state_dict(torch.load(args.checkpoint)['model'])
    _, test_set = load_digits()
    image, label = test_set[args.index]
    image = image.unsqueeze(0).requires_grad_(True)
    conv_maps = {}
    h = model.conv2.register_forward_hook(lambda m, a, out: conv_maps.__setitem__('conv2', out.detach()))
    cam, cls, _ = grad_cam(model, model.pool, image)
    h.remove()
    maps = conv_maps['conv2'][0]
    print(f"label {int(label)}  predicted {cls}")
    print("conv2 feature maps (channel: mean / max activation):")
    for c in range(min(8, maps.shape[0])):
        print(f"  {c:2d}: {maps[c].mean().item():.3f} / {maps[c].max().item():.3f}")
    img = image.detach()[0, 0].numpy()
    heat = cam.numpy()
    gray = np.repeat((img * 255).astype(np.uint8)[..., None], 3, -1)
    overlay = (0.5 * gray + 0.5 * _colorize(heat)).astype(np.uint8)
    panel = np.concatenate([gray, _colorize(heat), overlay], axis=1)
    panel = panel.repeat(args.scale, 0).repeat(args.scale, 1)
    write_png(args.out, panel)
    print(f"saved {args.out} (input | Grad-CAM | overlay)")
    return cam, cls


if __name__ == '__main__':
    main()
