"""Wait, before a web server is told to stop, until its port has gone quiet.

A server that stops accepting closes its listening socket: connections the kernel had already accepted into the
listen backlog are then reset, and a connection the server took but had not yet read a request from is closed
unanswered (hyper's graceful shutdown treats it as idle). Either way a client that had connected gets no answer.
So `creatorly start` keeps the server serving after SIGTERM until no new connection has arrived for a moment and
the backlog is empty (bounded), and only then asks it to stop; it finishes what is in flight and exits.

Once quiet, the listening socket is made to drop new connection attempts (a socket filter, attached through a
copy of the server's descriptor) so nothing slips into the backlog in the moment between the decision and the
server closing its socket: such a client retries its SYN and finds the port closed (refused, never accepted and
dropped). Linux reads the sockets from /proc/net/tcp{,6}; elsewhere the wait is the quiet period alone."""

from __future__ import annotations

import contextlib
import ctypes
import os
import socket
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

PROC_TABLES = (Path("/proc/net/tcp"), Path("/proc/net/tcp6"))
LISTEN = "0A"
PIDFD_GETFD = 438  # the same system call number on every Linux architecture (5.6 and later)
SO_ATTACH_FILTER = 26
DROP_EVERYTHING = struct.pack("HBBI", 0x06, 0, 0, 0)  # classic BPF: `ret #0`


@dataclass(frozen=True, slots=True)
class PortSockets:
    """What the kernel holds for one local port: the remote ends of its connections in any state (one opened and
    closed between two readings stays in TIME_WAIT a while, so it is seen too) and the listen backlog."""

    peers: frozenset[str]
    backlog: int


def read_port(port: int, tables: tuple[Path, ...] = PROC_TABLES) -> PortSockets | None:
    """The port's sockets, or None where the kernel doesn't publish them (not Linux)."""
    peers: set[str] = set()
    backlog = 0
    found_table = False
    for table in tables:
        try:
            lines = table.read_text().splitlines()[1:]
        except OSError:
            continue
        found_table = True
        for line in lines:
            fields = line.split()
            if len(fields) < 5 or int(fields[1].rsplit(":", 1)[1], 16) != port:
                continue
            state = fields[3]
            if state == LISTEN:
                backlog += int(fields[4].split(":")[1], 16)  # rx_queue of a listener: connections not yet taken
            else:
                peers.add(fields[2])
    return PortSockets(frozenset(peers), backlog) if found_table else None


def wait_until_quiet(
    port: int,
    *,
    quiet_seconds: float,
    limit_seconds: float,
    read: Callable[[int], PortSockets | None] = read_port,
    poll_seconds: float = 0.05,
) -> float:
    """Block until no new connection reached `port` for `quiet_seconds` and its backlog is empty, or until
    `limit_seconds` passed; the seconds waited. Long-lived connections (websockets) don't hold it up: only new
    peers do."""
    started = time.monotonic()
    deadline = started + limit_seconds
    sockets = read(port)
    if sockets is None:
        time.sleep(min(quiet_seconds, limit_seconds))
        return time.monotonic() - started
    seen = set(sockets.peers)
    quiet_since = started
    while (now := time.monotonic()) < deadline:
        sockets = read(port) or PortSockets(frozenset(), 0)
        if sockets.backlog or not sockets.peers <= seen:
            quiet_since = now
        seen |= sockets.peers
        if now - quiet_since >= quiet_seconds:
            break
        time.sleep(poll_seconds)
    return time.monotonic() - started


def _listening_inodes(port: int, tables: tuple[Path, ...] = PROC_TABLES) -> set[str]:
    inodes: set[str] = set()
    for table in tables:
        with contextlib.suppress(OSError):
            for line in table.read_text().splitlines()[1:]:
                fields = line.split()
                if len(fields) > 9 and fields[3] == LISTEN and int(fields[1].rsplit(":", 1)[1], 16) == port:
                    inodes.add(fields[9])
    return inodes


def _session_members(session_id: int) -> list[int]:
    """The processes of a session (the server and the workers it forked, which hold its listening socket)."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            if int(fields[3]) == session_id:  # state ppid pgrp session
                members.append(int(entry.name))
    return members


def refuse_new_connections(session_id: int, port: int) -> bool:
    """Make the socket that a process of this session listens on at `port` drop new connection attempts; whether
    it could (Linux 5.6+, allowed to read those processes' descriptors). Connections already made are untouched."""
    inodes = _listening_inodes(port)
    if not inodes or not hasattr(os, "pidfd_open"):
        return False
    return any(_attach_drop_filter(pid, inodes) for pid in _session_members(session_id))


def _attach_drop_filter(pid: int, inodes: set[str]) -> bool:
    libc = ctypes.CDLL(None, use_errno=True)
    program = ctypes.create_string_buffer(DROP_EVERYTHING)
    fprog = struct.pack("HL", 1, ctypes.addressof(program))  # struct sock_fprog {len; *filter}
    attached = False
    try:
        pidfd = os.pidfd_open(pid)
    except OSError:
        return False
    try:
        for entry in Path(f"/proc/{pid}/fd").iterdir():
            with contextlib.suppress(OSError):
                target = os.readlink(entry)
                if not target.startswith("socket:[") or target[8:-1] not in inodes:
                    continue
                copy = libc.syscall(PIDFD_GETFD, pidfd, int(entry.name), 0)
                if copy < 0:
                    continue
                with socket.socket(fileno=copy) as listener:
                    listener.setsockopt(socket.SOL_SOCKET, SO_ATTACH_FILTER, fprog)
                attached = True
    except OSError:
        return attached
    finally:
        os.close(pidfd)
    return attached
