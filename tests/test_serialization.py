"""ember.save / ember.load: PyTorch's zip format in both directions, safe loading, atomic writes."""
import io
import os
import pathlib
import pickle
import zipfile
from collections import OrderedDict

import numpy as np
import pytest
import torch

import ember
from helpers import to_numpy

DTYPES = ['float32', 'float64', 'float16', 'bfloat16', 'int8', 'int16', 'int32', 'int64', 'uint8',
          'bool', 'complex64', 'complex128']


def _values(dtype):
    base = np.array([[0, 1, -2, 3], [4, -5, 6, 7], [8, 9, -10, 11]])
    if dtype == 'bool':
        return base % 2 == 0
    if dtype == 'uint8':
        return np.abs(base).astype('uint8')
    if dtype.startswith('complex'):
        return (base + 0.5j * base).astype(dtype)
    if dtype == 'bfloat16':
        return base.astype('float32')
    return base.astype(dtype)


def _pair(dtype):
    v = _values(dtype)
    e = ember.tensor(v, dtype=getattr(ember, dtype))
    t = torch.tensor(v, dtype=getattr(torch, dtype))
    return e, t


def _check(e, t):
    assert str(e.dtype) == str(t.dtype)
    assert tuple(e.shape) == tuple(t.shape)
    assert tuple(e.stride()) == tuple(t.stride())
    np.testing.assert_array_equal(to_numpy(e), to_numpy(t))


@pytest.mark.parametrize('dtype', DTYPES)
def test_ember_file_loads_in_torch(tmp_path, dtype):
    e, _ = _pair(dtype)
    path = tmp_path / 'x.pt'
    ember.save({'t': e, 'view': e.t(), 'row': e[1]}, path)
    loaded = torch.load(path, weights_only=True)
    _check(e, loaded['t'])
    _check(e.t(), loaded['view'])
    _check(e[1], loaded['row'])
    # views of one storage are saved once and stay views after loading
    assert loaded['t'].untyped_storage().data_ptr() == loaded['view'].untyped_storage().data_ptr()
    assert loaded['row'].storage_offset() == 4


@pytest.mark.parametrize('dtype', DTYPES)
def test_torch_file_loads_in_ember(tmp_path, dtype):
    _, t = _pair(dtype)
    path = tmp_path / 'x.pt'
    torch.save({'t': t, 'view': t.t(), 'row': t[1]}, path)
    loaded = ember.load(path)
    _check(loaded['t'], t)
    _check(loaded['view'], t.t())
    _check(loaded['row'], t[1])
    assert loaded['t'].data_ptr() == loaded['view'].data_ptr()
    loaded['t'][0, 0] = 1   # memory is shared between views, as in torch
    assert to_numpy(loaded['view'])[0, 0] == to_numpy(loaded['t'])[0, 0]


def test_shared_storage_written_once(tmp_path):
    x = ember.ones(10, 10)
    ember.save([x, x[2:], x.t(), x], tmp_path / 'a.pt')
    names = zipfile.ZipFile(tmp_path / 'a.pt').namelist()
    assert sum(1 for n in names if '/data/' in n) == 1
    assert {n.split('/', 1)[1] for n in names} >= {'data.pkl', 'byteorder', 'version', 'data/0',
                                                   '.data/serialization_id'}
    assert len({n.split('/')[0] for n in names}) == 1


def test_parameters_requires_grad_and_metadata_roundtrip(tmp_path):
    tm = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
    torch.save(tm.state_dict(), tmp_path / 'sd.pt')
    sd = ember.load(tmp_path / 'sd.pt')
    assert dict(sd._metadata) == dict(tm.state_dict()._metadata)
    assert list(sd) == list(tm.state_dict())
    p = ember.nn.Parameter(ember.ones(3))
    ember.save({'p': p, 'g': ember.ones(2, requires_grad=True), 'sd': sd}, tmp_path / 'p.pt')
    back = torch.load(tmp_path / 'p.pt', weights_only=True)
    assert isinstance(back['p'], torch.nn.Parameter) and back['p'].requires_grad
    assert back['g'].requires_grad and not isinstance(back['g'], torch.nn.Parameter)
    assert dict(back['sd']._metadata) == dict(tm.state_dict()._metadata)
    mine = ember.load(tmp_path / 'p.pt')
    assert isinstance(mine['p'], ember.nn.Parameter) and mine['g'].requires_grad


def test_checkpoint_dict_with_optimizer_state(tmp_path):
    tm = torch.nn.Linear(3, 2)
    opt = torch.optim.Adam(tm.parameters(), lr=1e-3)
    tm(torch.ones(4, 3)).sum().backward()
    opt.step()
    ckpt = {'epoch': 7, 'model': tm.state_dict(), 'optimizer': opt.state_dict(), 'loss': 0.25,
            'name': 'run', 'lrs': [0.1, 0.01], 'flag': None, 'blob': b'\x00\x01'}
    torch.save(ckpt, tmp_path / 'c.pt')
    e = ember.load(tmp_path / 'c.pt')
    assert e['epoch'] == 7 and e['loss'] == 0.25 and e['blob'] == b'\x00\x01'
    assert e['optimizer']['param_groups'][0]['lr'] == 1e-3
    st = e['optimizer']['state'][0]
    np.testing.assert_allclose(to_numpy(st['exp_avg']), to_numpy(opt.state_dict()['state'][0]['exp_avg']))
    ember.save(e, tmp_path / 'c2.pt')
    t2 = torch.load(tmp_path / 'c2.pt', weights_only=True)
    assert t2['optimizer']['param_groups'] == opt.state_dict()['param_groups']
    np.testing.assert_allclose(t2['model']['weight'].numpy(), tm.weight.detach().numpy())


def test_misc_objects_roundtrip(tmp_path):
    obj = {'size': ember.Size([2, 3]), 'dtype': ember.float16, 'device': ember.device('cpu'),
           'scalar': ember.tensor(3.5), 'empty': ember.zeros(0, 3), 'tuple': (1, 2.0, 'x'),
           'set': {1, 2}}
    ember.save(obj, tmp_path / 'm.pt')
    t = torch.load(tmp_path / 'm.pt', weights_only=True)
    assert t['size'] == torch.Size([2, 3]) and t['dtype'] == torch.float16
    assert t['device'] == torch.device('cpu') and t['scalar'].item() == 3.5
    assert t['empty'].shape == (0, 3) and t['set'] == {1, 2}
    e = ember.load(tmp_path / 'm.pt')
    assert e['size'] == ember.Size([2, 3]) and e['dtype'] is ember.float16
    assert isinstance(e['size'], ember.Size)


class Evil:
    def __reduce__(self):
        return (os.system, ('echo pwned > /tmp/ember_pwned',))


def test_weights_only_refuses_arbitrary_globals(tmp_path):
    target = pathlib.Path('/tmp/ember_pwned')
    if target.exists():
        target.unlink()
    torch.save({'x': torch.ones(2), 'evil': Evil()}, tmp_path / 'evil.pt')
    with pytest.raises(pickle.UnpicklingError, match='Unsupported global'):
        ember.load(tmp_path / 'evil.pt')
    assert not target.exists()


def test_safe_globals_allowlist(tmp_path):
    torch.save({'x': torch.ones(2), 'c': Point(1, 2)}, tmp_path / 'pt.pt')
    with pytest.raises(pickle.UnpicklingError):
        ember.load(tmp_path / 'pt.pt')
    with ember.serialization.safe_globals([Point]):
        assert ember.load(tmp_path / 'pt.pt')['c'] == Point(1, 2)
    assert Point not in ember.serialization.get_safe_globals()
    ember.serialization.add_safe_globals([Point])
    try:
        assert ember.load(tmp_path / 'pt.pt')['c'] == Point(1, 2)
    finally:
        ember.serialization.clear_safe_globals()
    assert ember.load(tmp_path / 'pt.pt', weights_only=False)['c'] == Point(1, 2)


class Point(tuple):
    def __new__(cls, x, y):
        return tuple.__new__(cls, (x, y))

    def __reduce__(self):
        return (Point, tuple(self))


def test_whole_module_save_and_load(tmp_path):
    model = ember.nn.Sequential(ember.nn.ReLU(), ember.nn.Tanh())
    model.register_buffer('scale', ember.tensor([2.0]))
    ember.save(model, tmp_path / 'model.pt')
    with pytest.raises(pickle.UnpicklingError):
        ember.load(tmp_path / 'model.pt')
    back = ember.load(tmp_path / 'model.pt', weights_only=False)
    assert repr(back) == repr(model)
    np.testing.assert_array_equal(to_numpy(back.scale), [2.0])


def test_map_location_forms(tmp_path):
    ember.save({'x': ember.ones(2)}, tmp_path / 'x.pt')
    for loc in ('cpu', ember.device('cpu'), {'cpu': 'cpu'}, lambda storage, location: storage, None):
        out = ember.load(tmp_path / 'x.pt', map_location=loc)
        assert out['x'].device == ember.device('cpu')
        np.testing.assert_array_equal(to_numpy(out['x']), [1.0, 1.0])


def test_file_like_and_pathlike(tmp_path):
    buf = io.BytesIO()
    ember.save(ember.arange(5), buf)
    buf.seek(0)
    assert torch.load(buf, weights_only=True).tolist() == [0, 1, 2, 3, 4]
    buf.seek(0)
    assert ember.load(buf).tolist() == [0, 1, 2, 3, 4]
    p = tmp_path / 'y.pth'
    ember.save(ember.ones(1), p)
    assert ember.load(str(p)).tolist() == [1.0]


def test_atomic_write_keeps_previous_checkpoint(tmp_path):
    path = tmp_path / 'ckpt.pt'
    ember.save({'v': ember.tensor([1.0])}, path)
    with pytest.raises(Exception):
        ember.save({'v': ember.tensor([2.0]), 'bad': lambda: 0}, path)
    assert ember.load(path)['v'].tolist() == [1.0]
    assert [p.name for p in tmp_path.iterdir()] == ['ckpt.pt']   # no temp files left behind


def test_corrupt_files_raise_clear_errors(tmp_path):
    path = tmp_path / 'bad.pt'
    path.write_bytes(b'not a checkpoint at all')
    with pytest.raises(RuntimeError, match='Invalid checkpoint'):
        ember.load(path)
    ember.save({'x': ember.ones(3)}, tmp_path / 'ok.pt')
    data = (tmp_path / 'ok.pt').read_bytes()
    (tmp_path / 'trunc.pt').write_bytes(data[: len(data) // 2])
    with pytest.raises((RuntimeError, pickle.UnpicklingError)):
        ember.load(tmp_path / 'trunc.pt')


# ------------------------------------------------------------ models and optimizers, both ways

def _cnn(lib):
    # no conv bias before BatchNorm: its gradient is ~0 and Adam would amplify rounding noise
    nn = lib.nn
    return nn.Sequential(nn.Conv2d(2, 4, 3, padding=1, bias=False), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(4 * 3 * 3, 5), nn.Tanh(), nn.Linear(5, 3))


def _train(lib, model, opt, x, y, steps=3):
    for _ in range(steps):
        opt.zero_grad()
        lib.nn.functional.cross_entropy(model(x), y).backward()
        opt.step()


def _data(lib):
    rng = np.random.default_rng(0)
    x = lib.tensor(rng.standard_normal((6, 2, 6, 6)).astype('float32'))
    y = lib.tensor(rng.integers(0, 3, 6))
    return x, y


@pytest.mark.parametrize('optim', ['Adam', 'SGD'])
def test_torch_trained_model_loads_into_ember(tmp_path, optim):
    torch.manual_seed(0)
    tm = _cnn(torch)
    kw = {'lr': 1e-2} if optim == 'Adam' else {'lr': 0.1, 'momentum': 0.9}
    topt = getattr(torch.optim, optim)(tm.parameters(), **kw)
    _train(torch, tm, topt, *_data(torch))
    torch.save({'model': tm.state_dict(), 'opt': topt.state_dict()}, tmp_path / 'm.pt')

    ck = ember.load(tmp_path / 'm.pt')
    em = _cnn(ember)
    em.load_state_dict(ck['model'])
    eopt = getattr(ember.optim, optim)(em.parameters(), **kw)
    eopt.load_state_dict(ck['opt'])
    tm.eval(), em.eval()
    x, _ = _data(torch)
    ex, _ = _data(ember)
    np.testing.assert_allclose(to_numpy(em(ex)), tm(x).detach().numpy(), rtol=1e-5, atol=1e-5)
    # the optimizer state carries on: one more identical step on both sides gives the same weights
    tm.train(), em.train()
    _train(torch, tm, topt, *_data(torch), steps=1)
    _train(ember, em, eopt, *_data(ember), steps=1)
    for (k, tv), (k2, ev) in zip(tm.state_dict().items(), em.state_dict().items()):
        assert k == k2
        np.testing.assert_allclose(to_numpy(ev), tv.numpy(), rtol=1e-4, atol=1e-5, err_msg=k)


@pytest.mark.parametrize('optim', ['Adam', 'SGD'])
def test_ember_trained_model_loads_into_torch(tmp_path, optim):
    ember.manual_seed(0)
    em = _cnn(ember)
    kw = {'lr': 1e-2} if optim == 'Adam' else {'lr': 0.1, 'momentum': 0.9}
    eopt = getattr(ember.optim, optim)(em.parameters(), **kw)
    _train(ember, em, eopt, *_data(ember))
    ember.save({'model': em.state_dict(), 'opt': eopt.state_dict(), 'epoch': 3}, tmp_path / 'm.pt')

    ck = torch.load(tmp_path / 'm.pt', weights_only=True)
    tm = _cnn(torch)
    tm.load_state_dict(ck['model'])
    topt = getattr(torch.optim, optim)(tm.parameters(), **kw)
    topt.load_state_dict(ck['opt'])
    assert ck['epoch'] == 3
    tm.eval(), em.eval()
    np.testing.assert_allclose(tm(_data(torch)[0]).detach().numpy(), to_numpy(em(_data(ember)[0])),
                               rtol=1e-5, atol=1e-5)
    tm.train(), em.train()
    _train(torch, tm, topt, *_data(torch), steps=1)
    _train(ember, em, eopt, *_data(ember), steps=1)
    for (k, tv), ev in zip(tm.state_dict().items(), em.state_dict().values()):
        np.testing.assert_allclose(tv.numpy(), to_numpy(ev), rtol=1e-4, atol=1e-5, err_msg=k)


_VIEWS = {
    'transpose': lambda x: x.transpose(0, 2),
    'step_slice': lambda x: x[:, ::2, 1:],
    'permute': lambda x: x.permute(2, 0, 1),
    'expand': lambda x: x[:, :1, :].expand(2, 3, 4),
    'diagonal': lambda x: x[0].diagonal(),
    'narrow_row': lambda x: x[1, 2],
}


@pytest.mark.parametrize('view', list(_VIEWS))
def test_non_contiguous_views_both_ways(tmp_path, view):
    v = np.arange(24, dtype='float32').reshape(2, 3, 4)
    e, t = _VIEWS[view](ember.tensor(v)), _VIEWS[view](torch.tensor(v))
    ember.save(e, tmp_path / 'e.pt')
    torch.save(t, tmp_path / 't.pt')
    from_e, from_t = torch.load(tmp_path / 'e.pt', weights_only=True), ember.load(tmp_path / 't.pt')
    _check(e, from_e)
    _check(from_t, t)
    assert from_t.storage_offset() == t.storage_offset()


def test_mmap_accepted(tmp_path):
    torch.save({'w': torch.arange(6.).reshape(2, 3)}, tmp_path / 'w.pt')
    out = ember.load(tmp_path / 'w.pt', mmap=True)
    np.testing.assert_array_equal(to_numpy(out['w']), np.arange(6.).reshape(2, 3))
    out = ember.load(str(tmp_path / 'w.pt'), mmap=True, weights_only=True, map_location='cpu')
    assert out['w'].shape == (2, 3)
    with pytest.raises(ValueError, match='file path'):      # as torch: mmap needs a path
        ember.load(io.BytesIO((tmp_path / 'w.pt').read_bytes()), mmap=True)


def test_map_location_forms_on_torch_file(tmp_path):
    torch.save({'x': torch.arange(3.), 'p': torch.nn.Parameter(torch.ones(2))}, tmp_path / 'x.pt')
    seen = []

    def fn(storage, location):
        seen.append(location)
        return storage

    forms = ['cpu', ember.device('cpu'), torch.device('cpu'), {'cpu': 'cpu'}, {'cuda:0': 'cpu'}, fn,
             lambda storage, loc: None]
    for loc in forms:
        out = ember.load(tmp_path / 'x.pt', map_location=loc)
        assert out['x'].device == ember.device('cpu') and out['x'].tolist() == [0.0, 1.0, 2.0]
        assert isinstance(out['p'], ember.nn.Parameter) and out['p'].requires_grad
    assert seen == ['cpu', 'cpu']
