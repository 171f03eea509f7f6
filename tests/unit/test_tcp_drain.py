"""The pre-shutdown drain reads a real listening socket through the kernel's tables and waits for quiet."""

from __future__ import annotations

import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Iterator

import pytest

from creatorly.kit.tcp_drain import read_port, refuse_new_connections, wait_until_quiet

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the kernel's tables are Linux's")


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    yield server
    server.close()


def _port(server: socket.socket) -> int:
    return int(server.getsockname()[1])


def test_connections_not_yet_accepted_are_counted_in_the_backlog_and_as_peers(listener: socket.socket) -> None:
    clients = [socket.create_connection(listener.getsockname()) for _ in range(3)]
    try:
        sockets = read_port(_port(listener))

        assert sockets is not None
        assert (sockets.backlog, len(sockets.peers)) == (3, 3)

        accepted, _ = listener.accept()
        after = read_port(_port(listener))
        assert after is not None
        assert (after.backlog, len(after.peers)) == (2, 3)
        accepted.close()
    finally:
        for client in clients:
            client.close()


def test_an_idle_port_is_quiet_after_the_quiet_period(listener: socket.socket) -> None:
    kept_open = socket.create_connection(listener.getsockname())  # a websocket-like long connection
    accepted, _ = listener.accept()
    try:
        waited = wait_until_quiet(_port(listener), quiet_seconds=0.3, limit_seconds=5)
    finally:
        accepted.close()
        kept_open.close()

    assert 0.3 <= waited < 1.5


def test_new_connections_keep_the_port_draining_until_they_stop(listener: socket.socket) -> None:
    def keep_connecting() -> None:
        for _ in range(8):
            with socket.create_connection(listener.getsockname()):
                accepted, _ = listener.accept()
                accepted.close()
            time.sleep(0.15)

    clients = threading.Thread(target=keep_connecting)
    clients.start()
    waited = wait_until_quiet(_port(listener), quiet_seconds=0.4, limit_seconds=10)
    clients.join()

    assert waited >= 8 * 0.15 + 0.4 - 0.2


def test_a_backlog_nobody_takes_is_waited_for_no_longer_than_the_limit(listener: socket.socket) -> None:
    stuck = socket.create_connection(listener.getsockname())
    try:
        waited = wait_until_quiet(_port(listener), quiet_seconds=0.2, limit_seconds=1.0)
    finally:
        stuck.close()

    assert 1.0 <= waited < 2.0


def test_a_listener_held_by_a_forked_worker_of_a_session_can_be_made_to_drop_new_connection_attempts() -> None:
    import subprocess

    server = subprocess.Popen(  # in its own session, as `creatorly start` runs the server
        [
            sys.executable,
            "-c",
            # A forked worker holds the listening socket and the parent closes its copy, as granian's do
            "import os, socket, sys, time\n"
            "s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(16)\n"
            "print(s.getsockname()[1], flush=True)\n"
            "if os.fork():\n    s.close()\n"
            "time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        assert server.stdout is not None
        port = int(server.stdout.readline())
        address = ("127.0.0.1", port)
        before = socket.create_connection(address, timeout=2)  # made before: stays in the backlog, untouched

        assert refuse_new_connections(server.pid, port)

        with pytest.raises(TimeoutError):
            socket.create_connection(address, timeout=0.5)  # the SYN is dropped: never accepted
        sockets = read_port(port)
        assert sockets is not None
        assert sockets.backlog == 1
        before.close()
    finally:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()
