"""A private clamd (Debian's clamav-daemon) for tests: its own port, config and a one-signature database.

The database is a single body signature matching the EICAR test file anywhere in a stream, so clamd starts in
well under a second and reports a stable name (clamd adds ".UNOFFICIAL" to signatures from unsigned files). The
daemon can be stopped and started again on the same port, as a scanner outage would look.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import pytest

from tests.processes import free_port

# Built from two halves so this source file itself never matches a virus scanner's EICAR signature.
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
SIGNATURE_NAME = "Eicar-Test-Signature"
REPORTED_SIGNATURE = f"{SIGNATURE_NAME}.UNOFFICIAL"
STREAM_MAX_LENGTH = "4000M"  # clamd's ceiling is just under 4 GB: enough for 2 GB uploads
CLAMD_CANDIDATES = ("/usr/sbin/clamd", "/usr/bin/clamd")


def clamd_binary() -> str | None:
    found = shutil.which("clamd")
    return found or next((path for path in CLAMD_CANDIDATES if Path(path).is_file()), None)


def write_config(folder: Path, *, port: int, stream_max_length: str = STREAM_MAX_LENGTH) -> Path:
    database = folder / "db"
    database.mkdir(parents=True, exist_ok=True)
    (database / "creatorly-test.ndb").write_text(f"{SIGNATURE_NAME}:0:*:{EICAR.hex()}\n")
    config = folder / "clamd.conf"
    config.write_text(
        "\n".join(
            [
                "Foreground yes",
                f"TCPSocket {port}",
                "TCPAddr 127.0.0.1",
                f"DatabaseDirectory {database}",
                f"StreamMaxLength {stream_max_length}",
                f"MaxScanSize {stream_max_length}",
                f"MaxFileSize {stream_max_length}",
                f"LogFile {folder / 'clamd.log'}",
                f"PidFile {folder / 'clamd.pid'}",
                f"TemporaryDirectory {folder}",
                "",
            ]
        )
    )
    return config


def _answers_ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as connection:
            connection.sendall(b"zPING\0")
            return connection.recv(16).rstrip(b"\0") == b"PONG"
    except OSError:
        return False


class Clamd:
    """One clamd process on a fixed port; `url` is what CREATORLY_CLAMAV_URL takes."""

    def __init__(self, folder: Path, *, stream_max_length: str = STREAM_MAX_LENGTH) -> None:
        binary = clamd_binary()
        assert binary is not None
        self.binary = binary
        self.port = free_port()
        self.folder = folder
        self.config = write_config(folder, port=self.port, stream_max_length=stream_max_length)
        self._process: subprocess.Popen[bytes] | None = None
        self._log: BinaryIO | None = None
        self.started_in_seconds = 0.0

    @property
    def url(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"

    def start(self, *, timeout_seconds: float = 20) -> None:
        began = time.monotonic()
        self._log = (self.folder / "clamd.out").open("ab")
        self._process = subprocess.Popen(
            [self.binary, "--config-file", str(self.config)], stdout=self._log, stderr=subprocess.STDOUT
        )
        while time.monotonic() - began < timeout_seconds:
            if self._process.poll() is not None:
                raise RuntimeError(f"clamd exited at start: {(self.folder / 'clamd.out').read_text()[-2000:]}")
            if _answers_ping(self.port):
                self.started_in_seconds = time.monotonic() - began
                return
            time.sleep(0.02)
        self.stop()
        raise RuntimeError(f"clamd did not answer PING within {timeout_seconds} s")

    def stop(self) -> None:
        if self._process is None:
            return
        self._process.terminate()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(timeout=10)
        self._process = None
        if self._log is not None:
            self._log.close()
            self._log = None


def _skip_without_clamd() -> None:
    if clamd_binary() is None:
        pytest.skip(
            "SKIPPED LOUDLY: no clamd binary (Debian's clamav-daemon). `make test` installs it with apt; "
            "install it yourself with `sudo apt-get install clamav-daemon` to run the file scanning tests."
        )


@pytest.fixture
def clamd(tmp_path: Path) -> Iterator[Clamd]:
    """A running private clamd, stopped at teardown."""
    _skip_without_clamd()
    daemon = Clamd(tmp_path / "clamd")
    daemon.start()
    yield daemon
    daemon.stop()


@pytest.fixture
def small_stream_clamd(tmp_path: Path) -> Iterator[Clamd]:
    """A clamd that takes streams of at most 1 MB, to see what a too-large stream gets."""
    _skip_without_clamd()
    daemon = Clamd(tmp_path / "clamd-small", stream_max_length="1M")
    daemon.start()
    yield daemon
    daemon.stop()
