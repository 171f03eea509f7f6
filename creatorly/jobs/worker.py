"""The worker process: Huey's consumer with thread workers and the periodic scheduler."""

from __future__ import annotations

import signal
import threading
from contextlib import suppress

from huey.consumer import Consumer

import creatorly.jobs  # noqa: F401  (registers every job before the consumer starts)
from creatorly import queue
from creatorly.config import settings
from creatorly.observability import configure_error_tracking, configure_logging, get_logger

logger = get_logger(__name__)


def build_consumer(*, workers: int = 2, check_interval_seconds: float = 0.25) -> Consumer:
    """Huey's consumer, stopping gracefully on SIGTERM (a container or service manager) and SIGINT (Ctrl+C)
    alike: it takes no new job and exits once the running ones end. A second signal stops it at once."""
    consumer = Consumer(
        queue.huey,
        workers=workers,
        worker_type="thread",
        periodic=True,
        initial_delay=check_interval_seconds,
        backoff=1.15,
        max_delay=1.0,
        check_worker_health=True,
        graceful_signal="TERM",
    )
    consumer._signal_actions[signal.SIGINT] = (False, True)  # (restart, graceful), as for SIGTERM
    return consumer


class HeartbeatThread(threading.Thread):
    """Writes the worker's heartbeat every CREATORLY_WORKER_HEARTBEAT_SECONDS, which /health reads."""

    def __init__(self) -> None:
        super().__init__(name="creatorly-heartbeat", daemon=True)
        self._stopping = threading.Event()

    def run(self) -> None:
        while not self._stopping.is_set():
            try:
                queue.write_heartbeat()
            except Exception:  # the queue's storage is down: /health says so; keep trying
                logger.warning("worker_heartbeat_failed", exc_info=True)
            self._stopping.wait(settings.worker_heartbeat_seconds)

    def stop(self) -> None:
        self._stopping.set()
        self.join(timeout=5)
        with suppress(Exception):
            queue.write_heartbeat(is_stopped=True)


def run_worker(*, workers: int = 2) -> None:
    """Run until SIGTERM/SIGINT; running jobs finish before it exits, and the heartbeat then says stopped."""
    configure_logging()
    configure_error_tracking()
    heartbeat = HeartbeatThread()
    heartbeat.start()
    try:
        build_consumer(workers=workers).run()
    finally:
        heartbeat.stop()
