"""ember.load on hostile and corrupt files: clear errors, nothing executed; atomic ember.save.

Every hostile payload has a sentinel that running it would flip (a file it would create, or a
flag set by a function/method it would have to call); each test asserts the sentinel is intact.
"""
import gzip
import io
import os
import pickle
import signal
import struct
import subprocess
import sys
import textwrap
import time
import zipfile

import numpy as np
import pytest
import torch

import ember

FLIPPED = []          # set by flip(): the callable some payloads point at


def flip(*args):
    FLIPPED.append(args)
    return 0


# ------------------------------------------------------------------- pickle opcode assembly

def G(module, name):                                   # GLOBAL
    return b'c' + f'{module}\n{name}\n'.encode()


def S(text):                                           # BINUNICODE
    b = text.encode()
    return b'X' + struct.pack('<I', len(b)) + b


def I(n):                                              # BININT
    return b'J' + struct.pack('<i', n)


def T(*parts):                                         # MARK ... TUPLE
    return b'(' + b''.join(parts) + b't'


PROTO, STOP, REDUCE, BINPERSID, BUILD = b'\x80\x02', b'.', b'R', b'Q', b'b'
SETITEM, SETITEMS, APPEND, APPENDS = b's', b'u', b'a', b'e'
EMPTY_DICT, EMPTY_LIST, EMPTY_TUPLE, FALSE, MARK, NEWOBJ = b'}', b']', b')', b'\x89', b'(', b'\x81'


def storage_pid(numel=4, key='0', stype='FloatStorage', location='cpu'):
    return T(S('storage'), G('torch', stype), S(key), S(location), I(numel)) + BINPERSID


def tensor_ops(numel=4, size=(4,), stride=(1,), offset=0, pid=None):
    """Opcodes for _rebuild_tensor_v2(storage, offset, size, stride, False, OrderedDict())."""
    pid = storage_pid(numel) if pid is None else pid
    return (G('torch._utils', '_rebuild_tensor_v2')
            + T(pid, I(offset), T(*map(I, size)), T(*map(I, stride)), FALSE,
                G('collections', 'OrderedDict') + EMPTY_TUPLE + REDUCE) + REDUCE)


FLOATS = np.arange(4, dtype='<f4').tobytes()


def archive(pkl, storages=None, byteorder=b'little', extra=()):
    """A zip laid out like torch.save's: archive/data.pkl, archive/data/<key>, records."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, 'w', zipfile.ZIP_STORED) as z:
        z.writestr('archive/data.pkl', pkl)
        if byteorder is not None:
            z.writestr('archive/byteorder', byteorder)
        for key, data in ({'0': FLOATS} if storages is None else storages).items():
            z.writestr(f'archive/data/{key}', data)
        for name, data in extra:
            z.writestr(f'archive/{name}', data)
        z.writestr('archive/version', b'3\n')
    return buf.getvalue()


def load_bytes(data, **kw):
    return ember.load(io.BytesIO(data), **kw)


@pytest.fixture
def sentinel(tmp_path, monkeypatch):
    """A path any shell/eval payload would create, and hooks any method abuse would trip."""
    FLIPPED.clear()
    path = tmp_path / 'pwned'
    calls = []
    orig = ember.Tensor.__setitem__

    def spy(self, *a):
        calls.append(a)
        return orig(self, *a)
    monkeypatch.setattr(ember.Tensor, '__setitem__', spy)
    yield path
    assert not path.exists(), 'a payload ran'
    assert not FLIPPED, 'a payload called flip()'
    assert not calls, 'a payload called Tensor.__setitem__'


def test_crafted_archive_is_valid():
    """The assembler itself is right: a benign crafted file loads in torch and ember alike."""
    data = archive(PROTO + tensor_ops(size=(2, 2), stride=(2, 1)) + STOP)
    t = torch.load(io.BytesIO(data), weights_only=True)
    e = load_bytes(data)
    np.testing.assert_array_equal(e.numpy(), t.numpy())


# ------------------------------------------------------------------- code execution attempts

def _shell_payloads(path):
    cmd = f'touch {path}'
    return {
        'os.system': G('os', 'system') + T(S(cmd)) + REDUCE,
        'posix.system': G('posix', 'system') + T(S(cmd)) + REDUCE,
        'builtins.eval': G('builtins', 'eval') + T(S(f"open({str(path)!r}, 'w').close()")) + REDUCE,
        'builtins.exec': G('builtins', 'exec') + T(S(f"open({str(path)!r}, 'w').close()")) + REDUCE,
        'subprocess.Popen': G('subprocess', 'Popen') + T(T(S('touch'), S(str(path)))) + REDUCE,
        'builtins.getattr': (G('builtins', 'getattr') + T(G('os', 'system'), S('__call__')) + REDUCE
                             + T(S(cmd)) + REDUCE),
        'unknown callable': G(__name__, 'flip') + T(S('x')) + REDUCE,
        'STACK_GLOBAL os.system': (b'\x8c\x02os\x8c\x06system\x93' + T(S(cmd)) + REDUCE),
        'INST os.system': MARK + S(cmd) + b'ios\nsystem\n',
        'NEWOBJ of a function': G(__name__, 'flip') + EMPTY_TUPLE + NEWOBJ,
        'nested in a dict': EMPTY_DICT + S('w') + tensor_ops() + SETITEM + S('x')
                            + G('os', 'system') + T(S(cmd)) + REDUCE + SETITEM,
    }


@pytest.mark.parametrize('name', list(_shell_payloads('p')))
def test_code_execution_payloads_refused(sentinel, name):
    data = archive(PROTO + _shell_payloads(sentinel)[name] + STOP)
    with pytest.raises(pickle.UnpicklingError, match='Unsupported global|not an allowed global'):
        load_bytes(data)


class _Evil:
    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (os.system, (f'touch {self.path}',))


def test_pickled_reduce_object_refused(sentinel, tmp_path):
    torch.save({'w': torch.ones(2), 'evil': _Evil(sentinel)}, tmp_path / 'e.pt')
    with pytest.raises(pickle.UnpicklingError, match='Unsupported global'):
        ember.load(tmp_path / 'e.pt')


# ------------------------------------------------------------------- opcode abuse on allowed objects

_ABUSE = {
    # SETITEM / SETITEMS on a tensor built by an allowed REDUCE: must not call Tensor.__setitem__
    'SETITEM on tensor': tensor_ops() + I(0) + I(7) + SETITEM,
    'SETITEMS on tensor': tensor_ops() + MARK + I(0) + I(7) + SETITEMS,
    'SETITEM on list': EMPTY_LIST + I(0) + I(1) + SETITEM,
    'SETITEM on Size': G('torch', 'Size') + T(T(I(1))) + REDUCE + I(0) + I(1) + SETITEM,
    'APPEND on dict': EMPTY_DICT + I(1) + APPEND,
    'APPEND on tensor': tensor_ops() + I(1) + APPEND,
    'APPENDS on OrderedDict': G('collections', 'OrderedDict') + EMPTY_TUPLE + REDUCE + MARK + I(1) + APPENDS,
    'ADDITEMS on list': EMPTY_LIST + MARK + I(1) + b'\x90',
    'BUILD on tensor': tensor_ops() + EMPTY_DICT + S('_data') + I(1) + SETITEM + BUILD,
    'BUILD on Size': G('torch', 'Size') + T(T(I(1))) + REDUCE + EMPTY_DICT + BUILD,
    'BUILD OrderedDict slotstate': (G('collections', 'OrderedDict') + EMPTY_TUPLE + REDUCE
                                    + T(EMPTY_DICT, EMPTY_DICT + S('move_to_end') + I(1) + SETITEM) + BUILD),
    'REDUCE of a dtype': G('torch', 'float32') + EMPTY_TUPLE + REDUCE,
    'REDUCE of a storage type': G('torch', 'FloatStorage') + EMPTY_TUPLE + REDUCE,
    'REDUCE of a non-global': tensor_ops() + EMPTY_TUPLE + REDUCE,
    'rebuild_from_type of a non-rebuild function': (G('torch._tensor', '_rebuild_from_type_v2')
                                                    + T(G('builtins', 'set'), G('torch', 'Tensor'),
                                                        T(T(I(1))), EMPTY_DICT) + REDUCE),
}


@pytest.mark.parametrize('name', list(_ABUSE))
def test_opcode_abuse_refused(sentinel, name):
    data = archive(PROTO + _ABUSE[name] + STOP)
    with pytest.raises(pickle.UnpicklingError, match='Weights only load failed'):
        load_bytes(data)


@pytest.mark.parametrize('name', ['SETITEM on list', 'APPEND on dict', 'APPENDS on OrderedDict'])
def test_opcode_abuse_torch_agrees(name):
    with pytest.raises(pickle.UnpicklingError):
        torch.load(io.BytesIO(archive(PROTO + _ABUSE[name] + STOP)), weights_only=True)


def test_metadata_build_on_ordereddict_still_works():
    od = (G('collections', 'OrderedDict') + EMPTY_TUPLE + REDUCE
          + EMPTY_DICT + S('_metadata') + EMPTY_DICT + SETITEM + BUILD + S('w') + tensor_ops() + SETITEM)
    out = load_bytes(archive(PROTO + od + STOP))
    assert out._metadata == {} and list(out) == ['w']


# ------------------------------------------------------------------- persistent ids and storages

_BAD_PIDS = {
    'string': S('storage') + BINPERSID,
    'int': I(3) + BINPERSID,
    'short tuple': T(S('storage'), S('0')) + BINPERSID,
    'not storage': T(S('module'), G('torch', 'FloatStorage'), S('0'), S('cpu'), I(4)) + BINPERSID,
    'bad storage type': T(S('storage'), G('builtins', 'set'), S('0'), S('cpu'), I(4)) + BINPERSID,
    'numel not int': T(S('storage'), G('torch', 'FloatStorage'), S('0'), S('cpu'), S('4')) + BINPERSID,
    'text PERSID': b'Pfoo\n',
}


@pytest.mark.parametrize('name', list(_BAD_PIDS))
def test_persistent_ids_that_are_not_storages(sentinel, name):
    with pytest.raises(pickle.UnpicklingError, match='persistent id|storage type'):
        load_bytes(archive(PROTO + _BAD_PIDS[name] + STOP))


@pytest.mark.parametrize('numel,data', [(100, FLOATS), (4, FLOATS[:10]), (4, b''), (-1, FLOATS)])
def test_storage_size_does_not_match_bytes(numel, data):
    with pytest.raises(RuntimeError, match='storage data/0 holds .* declared size'):
        load_bytes(archive(PROTO + tensor_ops(numel=numel) + STOP, {'0': data}))


def test_missing_storage_record():
    with pytest.raises(RuntimeError, match='data/0 is missing'):
        load_bytes(archive(PROTO + tensor_ops() + STOP, {}))


@pytest.mark.parametrize('size,stride,offset', [((5,), (1,), 0), ((2,), (1,), 3), ((2,), (4,), 0),
                                                ((2, 2), (2, 2), 0), ((1,), (1,), 4), ((2,), (1,), -1),
                                                ((2,), (-1,), 1), ((-1,), (1,), 0), ((2, 2), (1,), 0)])
def test_view_past_its_storage(size, stride, offset):
    with pytest.raises(RuntimeError, match='out of a storage|negative|do not match'):
        load_bytes(archive(PROTO + tensor_ops(size=size, stride=stride, offset=offset) + STOP))


def test_view_past_storage_torch_agrees():
    with pytest.raises(RuntimeError):
        torch.load(io.BytesIO(archive(PROTO + tensor_ops(size=(5,)) + STOP)), weights_only=True)


# ------------------------------------------------------------------- corrupt archives

def _good(tmp_path):
    ember.save({'w': ember.arange(64.0), 'b': ember.ones(3)}, tmp_path / 'ok.pt')
    return (tmp_path / 'ok.pt').read_bytes()


def _rezip(data, name, fn):
    """data with record `name` (suffix match) passed through fn (None drops the record)."""
    src, buf = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(buf, 'w') as z:
        for n in src.namelist():
            content = src.read(n)
            if n.endswith(name):
                content = fn(content)
                if content is None:
                    continue
            z.writestr(n, content)
    return buf.getvalue()


@pytest.mark.parametrize('cut', [1, 2, 3, 5, 10, 30])
def test_truncated_data_pkl(tmp_path, cut):
    data = _rezip(_good(tmp_path), 'data.pkl', lambda b: b[:len(b) * cut // 31])
    with pytest.raises(pickle.UnpicklingError, match='Invalid checkpoint|Weights only'):
        load_bytes(data)


@pytest.mark.parametrize('keep', [0, 4, 100, 0.5, 0.9, -10, -22])
def test_truncated_or_empty_zip(tmp_path, keep):
    data = _good(tmp_path)
    n = int(len(data) * keep) if isinstance(keep, float) else keep
    with pytest.raises(RuntimeError, match='Invalid checkpoint'):
        load_bytes(data[:n])


def test_empty_zip_and_missing_data_pkl(tmp_path):
    buf = io.BytesIO()
    zipfile.ZipFile(buf, 'w').close()
    with pytest.raises(RuntimeError, match='no data.pkl'):
        load_bytes(buf.getvalue())
    with pytest.raises(RuntimeError, match='no data.pkl'):
        load_bytes(_rezip(_good(tmp_path), 'data.pkl', lambda b: None))
    (tmp_path / 'empty.pt').write_bytes(b'')
    with pytest.raises(RuntimeError, match='Invalid checkpoint'):
        ember.load(tmp_path / 'empty.pt')


def test_corrupted_storage_bytes_fail_crc(tmp_path):
    data = bytearray(_good(tmp_path))
    i = data.index(np.arange(64.0, dtype='<f4').tobytes())
    data[i + 8] ^= 0xFF
    with pytest.raises((RuntimeError, pickle.UnpicklingError), match='Invalid checkpoint.*CRC'):
        load_bytes(bytes(data))


@pytest.mark.parametrize('content', [np.random.default_rng(1).bytes(4096), gzip.compress(b'x' * 1000),
                                     b'PK\x03\x04' + b'\x00' * 40, pickle.dumps({'a': 1}, protocol=2)])
def test_wrong_magic(content):
    with pytest.raises(RuntimeError, match='not a PyTorch zip archive|Invalid checkpoint'):
        load_bytes(content)


def test_torchscript_archive(tmp_path):
    scripted = torch.jit.script(torch.nn.Linear(2, 2))
    torch.jit.save(scripted, tmp_path / 'ts.pt')
    crafted = archive(PROTO + I(1) + STOP, extra=[('constants.pkl', PROTO + EMPTY_TUPLE + STOP),
                                                  ('code/__torch__.py', b'')])
    for data in ((tmp_path / 'ts.pt').read_bytes(), crafted):
        for weights_only in (True, False):
            with pytest.raises(RuntimeError, match='TorchScript.*not supported'):
                load_bytes(data, weights_only=weights_only)


@pytest.mark.parametrize('order', [b'middle', b'', b'\xff\xfe', b'LITTLE ENDIAN'])
def test_unknown_byteorder(order):
    with pytest.raises(RuntimeError, match='unknown byteorder'):
        load_bytes(archive(PROTO + tensor_ops() + STOP, byteorder=order))


def test_big_endian_and_missing_byteorder_records_load():
    big = np.arange(4, dtype='>f4').tobytes()
    out = load_bytes(archive(PROTO + tensor_ops() + STOP, {'0': big}, byteorder=b'big'))
    assert out.tolist() == [0.0, 1.0, 2.0, 3.0]
    assert load_bytes(archive(PROTO + tensor_ops() + STOP, byteorder=None)).tolist() == [0.0, 1.0, 2.0, 3.0]


# ------------------------------------------------------------------- atomic writes

_CHILD = textwrap.dedent('''
    import os, sys, time
    sys.path.insert(0, {root!r})
    import ember, ember.serialization as S
    path, ready = sys.argv[1], sys.argv[2]
    orig = S._write_archive

    class Slow:
        """File proxy: after about 1 MB is written, announce it and hang mid-write."""
        def __init__(self, f):
            self.f, self.n = f, 0
        def write(self, b):
            self.n += len(b)
            out = self.f.write(b)
            if self.n > (1 << 20) and not os.path.exists(ready):
                self.f.flush()
                open(ready, 'w').close()
                time.sleep(60)
            return out
        def __getattr__(self, name):
            return getattr(self.f, name)

    S._write_archive = lambda f, *a: orig(Slow(f), *a)
    ember.save({{'v': ember.full((1 << 20,), 2.0)}}, path)
''')


def _temp_files(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.endswith('.tmp'))


def test_killed_writer_keeps_previous_checkpoint(tmp_path):
    path, ready = tmp_path / 'ckpt.pt', tmp_path / 'ready'
    other = tmp_path / '.other.pt.unrelated.tmp'          # someone else's file: never touched
    other.write_bytes(b'keep me')
    ember.save({'v': ember.tensor([1.0])}, path)
    before = path.read_bytes()
    root = os.path.dirname(os.path.dirname(os.path.abspath(ember.__file__)))
    child = subprocess.Popen([sys.executable, '-c', _CHILD.format(root=root), str(path), str(ready)])
    try:
        deadline = time.time() + 60
        while not ready.exists():
            assert child.poll() is None, 'child exited before reaching the write'
            assert time.time() < deadline
            time.sleep(0.05)
        stale = [n for n in _temp_files(tmp_path) if n.startswith('.ckpt.pt.')]
        assert len(stale) == 1 and (tmp_path / stale[0]).stat().st_size > (1 << 20)
        child.send_signal(signal.SIGKILL)
        child.wait(30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert path.read_bytes() == before
    # the killed writer's temp file ('.<name>.<host>.<pid>.<random>.tmp', pid now dead) is
    # removed when the checkpoint is next loaded; unrelated files are never touched
    assert _temp_files(tmp_path) == sorted(stale + [other.name])
    assert ember.load(path)['v'].tolist() == [1.0]
    assert _temp_files(tmp_path) == [other.name]
    ember.save({'v': ember.tensor([3.0])}, path)
    assert ember.load(path)['v'].tolist() == [3.0]
    assert _temp_files(tmp_path) == [other.name]
    assert other.read_bytes() == b'keep me'


@pytest.mark.parametrize('failure', ['unpicklable', 'fsync', 'write', 'replace'])
def test_failed_write_keeps_previous_checkpoint(tmp_path, monkeypatch, failure):
    path = tmp_path / 'ckpt.pt'
    ember.save({'v': ember.tensor([1.0])}, path)
    os.chmod(path, 0o640)
    obj = {'v': ember.tensor([2.0])}
    if failure == 'unpicklable':
        obj['bad'] = lambda: 0
    elif failure == 'fsync':       # e.g. a full disk reported at flush time
        monkeypatch.setattr(os, 'fsync', lambda fd: (_ for _ in ()).throw(OSError(28, 'No space left')))
    elif failure == 'write':
        monkeypatch.setattr(ember.serialization, '_write_archive',
                            lambda f, *a: (f.write(b'partial'), (_ for _ in ()).throw(OSError(28, 'full'))))
    else:
        monkeypatch.setattr(os, 'replace', lambda *a: (_ for _ in ()).throw(OSError(18, 'cross-device')))
    with pytest.raises(Exception):
        ember.save(obj, path)
    monkeypatch.undo()
    assert ember.load(path)['v'].tolist() == [1.0]
    assert [p.name for p in tmp_path.iterdir()] == ['ckpt.pt']
    ember.save({'v': ember.tensor([4.0])}, path)       # overwriting keeps the file's permissions
    assert ember.load(path)['v'].tolist() == [4.0]
    assert oct(os.stat(path).st_mode & 0o777) == oct(0o640)
    assert [p.name for p in tmp_path.iterdir()] == ['ckpt.pt']


def test_new_file_permissions_follow_umask(tmp_path):
    ember.save(ember.ones(1), tmp_path / 'a.pt')
    torch.save(torch.ones(1), tmp_path / 'b.pt')
    assert os.stat(tmp_path / 'a.pt').st_mode == os.stat(tmp_path / 'b.pt').st_mode
