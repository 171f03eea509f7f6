"""The worker process: Huey's consumer with thread workers and the periodic scheduler."""

from __future__ import annotations

import signal

from huey.consumer import Consumer

import creatorly.jobs  # noqa: F401  (registers every job before the consumer starts)
from creatorly import queue
from creatorly.observability import configure_logging


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


def run_worker(*, workers: int = 2) -> None:
    """Run until SIGTERM/SIGINT; running jobs finish before it exits."""
    configure_logging()
    build_consumer(workers=workers).run()
