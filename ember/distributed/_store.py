"""Small key-value stores used only for rendezvous (= torch.distributed.TCPStore/FileStore/
HashStore): they carry the MPI port name and the joining order, never tensor data."""
import fcntl
import os
import pickle
import socket
import socketserver
import struct
import threading
import time
from datetime import timedelta

__all__ = ['Store', 'TCPStore', 'FileStore', 'HashStore', 'PrefixStore']

_DEFAULT_TIMEOUT = timedelta(seconds=300)


def _secs(timeout):
    return timeout.total_seconds() if isinstance(timeout, timedelta) else float(timeout)


def _as_bytes(value):
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode()
    return str(value).encode()


class Store:
    """Interface: set/get/add/wait/check/delete_key/num_keys; `get` and `wait` block until the
    keys exist or the store's timeout passes (then RuntimeError, as torch's stores do)."""

    def __init__(self, timeout=_DEFAULT_TIMEOUT):
        self.timeout = timeout if isinstance(timeout, timedelta) else timedelta(seconds=timeout)

    def set_timeout(self, timeout):
        self.timeout = timeout

    # subclasses implement _get_now(key) -> bytes|None, set, add, delete_key, num_keys
    def get(self, key):
        self.wait([key])
        return self._get_now(key)

    def check(self, keys):
        return all(self._get_now(k) is not None for k in keys)

    def wait(self, keys, timeout=None):
        limit = _secs(timeout if timeout is not None else self.timeout)
        deadline = time.monotonic() + limit
        delay = 0.001
        while not self.check(keys):
            if time.monotonic() > deadline:
                raise RuntimeError(f"Timeout waiting for keys {list(keys)} in the store after "
                                   f"{limit:.1f}s")
            time.sleep(delay)
            delay = min(delay * 2, 0.05)

    def compare_set(self, key, expected, desired):
        raise NotImplementedError


class HashStore(Store):
    """An in-process, thread-safe store."""

    def __init__(self, timeout=_DEFAULT_TIMEOUT):
        super().__init__(timeout)
        self._d = {}
        self._lock = threading.Lock()

    def set(self, key, value):
        with self._lock:
            self._d[key] = _as_bytes(value)

    def _get_now(self, key):
        with self._lock:
            return self._d.get(key)

    def add(self, key, amount):
        with self._lock:
            v = int(self._d.get(key, b'0')) + int(amount)
            self._d[key] = str(v).encode()
            return v

    def delete_key(self, key):
        with self._lock:
            return self._d.pop(key, None) is not None

    def num_keys(self):
        with self._lock:
            return len(self._d)


class FileStore(Store):
    """A store in one file shared by the processes (a pickled dict under an fcntl lock)."""

    def __init__(self, file_name, world_size=-1, timeout=_DEFAULT_TIMEOUT):
        super().__init__(timeout)
        self.path = file_name
        self.world_size = world_size
        open(self.path, 'ab').close()

    def _locked(self, fn):
        with open(self.path, 'r+b') as f:
            fcntl.flock(f, fcntl.LOCK_EX)
            try:
                raw = f.read()
                d = pickle.loads(raw) if raw else {}
                out, changed = fn(d)
                if changed:
                    f.seek(0)
                    f.truncate()
                    f.write(pickle.dumps(d))
                    f.flush()
                return out
            finally:
                fcntl.flock(f, fcntl.LOCK_UN)

    def set(self, key, value):
        value = _as_bytes(value)
        self._locked(lambda d: (d.__setitem__(key, value), True))

    def _get_now(self, key):
        return self._locked(lambda d: (d.get(key), False))

    def add(self, key, amount):
        def fn(d):
            v = int(d.get(key, b'0')) + int(amount)
            d[key] = str(v).encode()
            return v, True
        return self._locked(fn)

    def delete_key(self, key):
        return self._locked(lambda d: (d.pop(key, None) is not None, True))

    def num_keys(self):
        return self._locked(lambda d: (len(d), False))


def _send_msg(sock, obj):
    data = pickle.dumps(obj)
    sock.sendall(struct.pack('!I', len(data)) + data)


def _recv_exact(sock, n):
    buf = b''
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise ConnectionError("store connection closed")
        buf += chunk
    return buf


def _recv_msg(sock):
    (n,) = struct.unpack('!I', _recv_exact(sock, 4))
    return pickle.loads(_recv_exact(sock, n))


class _StoreServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class TCPStore(Store):
    """A store served by the master process over TCP (`is_master=True` starts the server in a
    daemon thread); every process, the master included, talks to it as a client."""

    def __init__(self, host_name, port, world_size=None, is_master=False,
                 timeout=_DEFAULT_TIMEOUT, wait_for_workers=True, multi_tenant=False, **kwargs):
        super().__init__(timeout)
        self.host = host_name
        self.world_size = world_size
        self._server = None
        if is_master:
            data = HashStore()

            class Handler(socketserver.BaseRequestHandler):
                def handle(self):
                    try:
                        while True:
                            op, args = _recv_msg(self.request)
                            _send_msg(self.request, getattr(data, op)(*args))
                    except (ConnectionError, EOFError, OSError):
                        pass

            self._server = _StoreServer(('', int(port)), Handler)
            port = self._server.server_address[1]
            threading.Thread(target=self._server.serve_forever, daemon=True).start()
        self.port = int(port)
        self._lock = threading.Lock()
        self._sock = self._connect()

    def _connect(self):
        deadline = time.monotonic() + _secs(self.timeout)
        while True:
            try:
                s = socket.create_connection((self.host, self.port), timeout=_secs(self.timeout))
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                return s
            except OSError as e:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"could not connect to the TCPStore at {self.host}:"
                                       f"{self.port}: {e}") from None
                time.sleep(0.02)

    def _call(self, op, *args):
        with self._lock:
            _send_msg(self._sock, (op, args))
            return _recv_msg(self._sock)

    def set(self, key, value):
        self._call('set', key, _as_bytes(value))

    def _get_now(self, key):
        return self._call('_get_now', key)

    def add(self, key, amount):
        return self._call('add', key, amount)

    def delete_key(self, key):
        return self._call('delete_key', key)

    def num_keys(self):
        return self._call('num_keys')

    def close(self):
        try:
            self._sock.close()
        finally:
            if self._server is not None:
                self._server.shutdown()
                self._server.server_close()
                self._server = None


class PrefixStore(Store):
    """Wraps a store, prefixing every key (so several groups can share one store)."""

    def __init__(self, prefix, store):
        super().__init__(store.timeout)
        self.prefix = prefix
        self.underlying_store = store

    def _k(self, key):
        return f"{self.prefix}/{key}"

    def set(self, key, value):
        self.underlying_store.set(self._k(key), value)

    def _get_now(self, key):
        return self.underlying_store._get_now(self._k(key))

    def add(self, key, amount):
        return self.underlying_store.add(self._k(key), amount)

    def delete_key(self, key):
        return self.underlying_store.delete_key(self._k(key))

    def num_keys(self):
        return self.underlying_store.num_keys()
