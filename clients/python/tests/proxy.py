"""A round-robin TCP proxy on loopback standing in for a Kubernetes Service over several server
replicas (the Python twin of test/support/round-robin-proxy.ts): each new connection goes to the
next backend in turn, a backend that refuses is skipped, ``drop_backend`` takes one out of the
rotation (its open connections stay, silent or not, unless ``close_connections``), and
``routes`` lists where each accepted connection went."""

import socket
import threading


def _pump(src, dst):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    finally:
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class RoundRobinProxy:
    def __init__(self, backends):
        self._lock = threading.Lock()
        self._rotation = list(backends)
        self._next = 0
        self._open = []  # (backend, client socket, upstream socket)
        self.routes = []
        self._listener = socket.create_server(('127.0.0.1', 0))
        self.port = self._listener.getsockname()[1]
        self.address = f'127.0.0.1:{self.port}'
        threading.Thread(target=self._accept, daemon=True).start()

    def add_backend(self, backend):
        with self._lock:
            self._rotation.append(backend)

    def drop_backend(self, backend, close_connections=False):
        with self._lock:
            if backend in self._rotation:
                self._rotation.remove(backend)
                self._next = 0
        if close_connections:
            self.close_connections(backend)

    def close_connections(self, backend=None):
        with self._lock:
            cut = [c for c in self._open if backend is None or c[0] == backend]
            self._open = [c for c in self._open if c not in cut]
        for _, client, upstream in cut:
            client.close()
            upstream.close()
        return len(cut)

    def _upstream(self):
        with self._lock:
            candidates = len(self._rotation)
        for _ in range(candidates):
            with self._lock:
                if not self._rotation:
                    return None, None
                backend = self._rotation[self._next % len(self._rotation)]
                self._next = (self._next + 1) % len(self._rotation)
            host, port = backend.rsplit(':', 1)
            try:
                return backend, socket.create_connection((host, int(port)), timeout=1)
            except OSError:
                continue
        return None, None

    def _accept(self):
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return  # closed
            backend, upstream = self._upstream()
            self.routes.append(backend)
            if upstream is None:
                client.close()
                continue
            upstream.settimeout(None)
            with self._lock:
                self._open.append((backend, client, upstream))
            threading.Thread(target=_pump, args=(client, upstream), daemon=True).start()
            threading.Thread(target=_pump, args=(upstream, client), daemon=True).start()

    def close(self):
        self._listener.close()
        self.close_connections()
