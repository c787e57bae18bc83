"""A TCP relay in front of a server that a test (or a benchmark) can cut, like losing signal."""

from __future__ import annotations

import contextlib
import socket
import threading


class NetworkSwitch:
    """A TCP relay in front of the server that the test can cut, like losing signal.

    Playwright's offline emulation covers pages but not service workers (their Background Sync
    would reach the server behind the test's back), so the offline test goes through this relay
    and cuts it as well as calling `context.set_offline(True)`.
    """

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.online = True
        self.open: set[socket.socket] = set()
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.online:
                client.close()  # no signal
                continue
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port))
            except OSError:
                client.close()
                continue
            with self.lock:
                self.open.update((client, upstream))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
            with self.lock:
                self.open.discard(source)
            source.close()  # each socket is the source of exactly one pump

    def set_online(self, online: bool) -> None:
        self.online = online
        if not online:
            with self.lock:
                for s in list(self.open):
                    with contextlib.suppress(OSError):
                        s.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        self.set_online(False)
        self.listener.close()
