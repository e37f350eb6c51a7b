"""The hooks example: Grad-CAM from forward/backward hooks, saved as a PNG."""
import struct
import zlib

import numpy as np

import ember
import ember.nn.functional as F
from ember.examples import digits, hooks_gradcam


def test_gradcam_matches_manual_computation_and_writes_png(tmp_path):
    ckpt = tmp_path / 'd.pt'
    digits.main(['--epochs', '1', '--checkpoint', str(ckpt), '--log-dir', str(tmp_path / 'runs')])
    out = tmp_path / 'cam.png'
    cam, cls = hooks_gradcam.main(['--checkpoint', str(ckpt), '--out', str(out), '--scale', '4'])
    assert tuple(cam.shape) == (8, 8)
    assert float(cam.min()) == 0.0 and abs(float(cam.max()) - 1.0) < 1e-6

    # the same heatmap computed without hooks: split the forward at the pooling layer
    model = digits.DigitNet()
    model.load_state_dict(ember.load(ckpt)['model'])
    model.eval()
    _, test_set = digits.load_digits()
    x = test_set[0][0].unsqueeze(0)
    a = model.pool(F.relu(model.conv2(F.relu(model.bn1(model.conv1(x))))))
    a.retain_grad()
    logits = model.fc2(F.relu(model.fc1(ember.flatten(a, 1))))
    logits[0, cls].backward()
    w = a.grad.mean(dim=(2, 3), keepdim=True)
    ref = F.interpolate(F.relu((w * a.detach()).sum(1, keepdim=True)), size=(8, 8), mode='bilinear',
                        align_corners=False)[0, 0]
    ref = (ref - ref.min()) / (ref.max() - ref.min()).clamp(min=1e-8)
    np.testing.assert_allclose(cam.numpy(), ref.numpy(), atol=1e-5)

    data = out.read_bytes()
    assert data[:8] == b'\x89PNG\r\n\x1a\n'
    w_, h_ = struct.unpack('>II', data[16:24])
    assert (w_, h_) == (8 * 3 * 4, 8 * 4)
    idat_len = struct.unpack('>I', data[33:37])[0]
    raw = zlib.decompress(data[41:41 + idat_len])
    assert len(raw) == h_ * (1 + 3 * w_)
