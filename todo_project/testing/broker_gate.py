"""A TCP gate in front of the local broker: a broker outage that keeps the broker's data.

The local broker (Tansu) keeps everything in memory, so stopping its process also wipes every
topic, message and committed offset: a data-loss disaster, not the outage a production broker
(Redpanda, with its disk) goes through when it stops and comes back. Instead, clients reach the
broker through this gate (start the broker with `KafkaBroker(advertised_port=gate.port)`), and
`cut()` takes the broker away: the listening socket closes (new connections are refused) and
every open connection is closed, which is what clients see of a broker that stopped. `restore()`
listens again on the same port; the broker kept its data meanwhile, as a restarted one would.

In a test (threads of the test process)::

    gate = Gate(port=free_port(), target=broker.port).restore()
    ...
    gate.cut(); ...; gate.restore()

As a process of its own (the chaos run), SIGUSR1 cuts, SIGUSR2 restores, SIGTERM/SIGINT exit::

    python -m todo_project.testing.broker_gate --port GATE --target BROKER_PORT

Binds 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import socket
import threading
import time

HOST = "127.0.0.1"


class Gate:
    def __init__(self, *, port: int, target: int) -> None:
        self.port = port
        self.target = target
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None
        self._connections: set[socket.socket] = set()
        self.accepted = 0

    def restore(self) -> Gate:
        with self._lock:
            if self._listener is not None:
                return self
            listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            deadline = time.monotonic() + 10
            while True:
                try:
                    listener.bind((HOST, self.port))
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.1)
            listener.listen(128)
            listener.settimeout(0.2)
            self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()
        print(f"{time.strftime('%H:%M:%S')} gate open on {HOST}:{self.port}", flush=True)
        return self

    def cut(self) -> None:
        with self._lock:
            listener, self._listener = self._listener, None
            connections, self._connections = self._connections, set()
        if listener is not None:
            listener.close()
        for sock in connections:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        print(
            f"{time.strftime('%H:%M:%S')} gate cut: listener closed, "
            f"{len(connections) // 2} connection(s) closed",
            flush=True,
        )

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return  # closed by cut()
            try:
                upstream = socket.create_connection((HOST, self.target), timeout=5)
            except OSError:
                client.close()
                continue
            for sock in (client, upstream):
                sock.settimeout(None)
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self._lock:
                if self._listener is not listener:  # cut meanwhile
                    client.close()
                    upstream.close()
                    return
                self._connections |= {client, upstream}
                self.accepted += 1
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            # One side ended: end both (the other pump wakes up and returns too).
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
            with self._lock:
                self._connections.discard(source)
                self._connections.discard(sink)
            source.close()
            sink.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--target", type=int, required=True)
    args = parser.parse_args()
    gate = Gate(port=args.port, target=args.target)
    stop = threading.Event()
    requests: list[str] = []
    wake = threading.Event()

    def on_signal(signum: int, _frame: object) -> None:
        if signum in (signal.SIGTERM, signal.SIGINT):
            stop.set()
        else:
            requests.append("cut" if signum == signal.SIGUSR1 else "restore")
        wake.set()

    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGUSR1, signal.SIGUSR2):
        signal.signal(signum, on_signal)
    gate.restore()
    while not stop.is_set():
        wake.wait(1.0)
        wake.clear()
        while requests:
            getattr(gate, requests.pop(0))()
    gate.cut()


if __name__ == "__main__":
    main()
