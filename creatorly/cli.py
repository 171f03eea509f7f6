"""The `creatorly` command: migrate, seed demo data, run the worker, serve the app."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Coroutine
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, TypeVar

import click
from alembic.config import Config

T = TypeVar("T")
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _alembic_config() -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "alembic"))
    return config


def _reflex_command(*, is_backend_only: bool = False) -> list[str]:
    reflex = shutil.which("reflex") or str(Path(sys.executable).with_name("reflex"))
    from creatorly.config import settings

    if is_backend_only:
        return [reflex, "run", "--env", "prod", "--backend-only", "--backend-port", str(settings.port)]
    return [reflex, "run", "--env", "prod", "--single-port", "--frontend-port", str(settings.port)]


async def _with_disposal(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a use case from the command line and close its database connections before exiting."""
    from creatorly import db

    try:
        return await coroutine
    finally:
        await db.dispose_engine()


@click.group()
def main() -> None:
    """Creatorly: sell what you make."""
    import creatorly.jobs  # noqa: F401  (registers the jobs a command's use cases enqueue, as the app does)


@main.command()
def migrate() -> None:
    """Apply every database migration (alembic upgrade head)."""
    from alembic import command

    command.upgrade(_alembic_config(), "head")


@main.command("seed-demo")
def seed_demo() -> None:
    """Load the demo creator, storefront, products and a year of history (once; safe to repeat)."""
    from creatorly.services.demo.service import seed_demo_data

    account = asyncio.run(_with_disposal(seed_demo_data()))
    if not account.was_created:
        click.echo(f"Demo data already present: storefront /{account.handle}")
        return
    click.echo(f"Demo data loaded in {account.seconds:.1f} s: storefront /{account.handle}")
    for line in account.summary:
        click.echo(f"  {line}")


@main.command()
@click.option("--workers", default=2, show_default=True, help="Worker threads.")
def worker(workers: int) -> None:
    """Run the background job worker and scheduler until stopped."""
    from creatorly.jobs.worker import run_worker

    run_worker(workers=workers)


def _share_metrics_between_processes() -> None:
    """Every web worker process (and the job worker) of this host writes its counters to one fresh folder, which
    /metrics adds up; an operator's own PROMETHEUS_MULTIPROC_DIR is kept."""
    from creatorly.config import settings

    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return
    folder = settings.resolved_data_dir / "metrics"
    shutil.rmtree(folder, ignore_errors=True)  # counters start at zero with the processes, as Prometheus expects
    folder.mkdir(parents=True, exist_ok=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(folder.resolve())


@main.command()
@click.option(
    "--backend-only",
    is_flag=True,
    help="Serve the API, webhooks and websockets but no pages: another host behind the same Redis and database.",
)
def start(backend_only: bool) -> None:
    """Production entry point: migrate, then run `reflex run --env prod` and stop it gracefully on SIGTERM."""
    from alembic import command
    from creatorly.config import settings
    from creatorly.services.health.service import DRAIN_MARKER_VARIABLE

    command.upgrade(_alembic_config(), "head")
    _share_metrics_between_processes()
    arguments = _reflex_command(is_backend_only=backend_only)
    if backend_only:
        os.environ["REFLEX_BACKEND_ONLY"] = "1"  # read by rxconfig.py: a backend-only host has no frontend port
    marker = settings.resolved_data_dir / "run" / f"draining-{os.getpid()}"
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.unlink(missing_ok=True)
    os.environ[DRAIN_MARKER_VARIABLE] = str(marker)  # /health answers 503 while the file exists
    sys.exit(_serve_until_stopped(arguments, port=settings.port, marker=marker))


# On SIGTERM `creatorly start` keeps serving until the port has been quiet this long (no new connection, an empty
# backlog; at most DRAIN_LIMIT_SECONDS, /health answering 503 meanwhile), makes the socket drop new connection
# attempts, lets the server take its backlog (as long again at most), then gives it STOP_LIMIT_SECONDS to finish
# what is in flight: 5 + 5 + 18 s, within the 30 s grace period of the production checklist.
DRAIN_QUIET_SECONDS = 0.5
DRAIN_LIMIT_SECONDS = 5.0
STOP_LIMIT_SECONDS = 18.0


def _serve_until_stopped(arguments: list[str], *, port: int, marker: Path) -> int:
    """Run the server in its own session (a signal to our group reaches only us, so granian's workers are stopped
    by granian, in order), and on SIGTERM or SIGINT drain, then stop it; its exit code, 0 after a requested stop."""
    import time

    from creatorly.kit.tcp_drain import refuse_new_connections, wait_until_quiet

    stop_requested: list[int] = []
    signal.signal(signal.SIGTERM, lambda number, _frame: stop_requested.append(number))
    signal.signal(signal.SIGINT, lambda number, _frame: stop_requested.append(number))
    server = _spawn(arguments)
    while not stop_requested and server.poll() is None:
        time.sleep(0.1)
    if not stop_requested:
        return server.returncode
    marker.touch()
    try:
        waited = wait_until_quiet(port, quiet_seconds=DRAIN_QUIET_SECONDS, limit_seconds=DRAIN_LIMIT_SECONDS)
        refused = refuse_new_connections(server.pid, port)  # server.pid: its session id too
        if refused:  # then let it take what is left in its backlog
            waited += wait_until_quiet(port, quiet_seconds=DRAIN_QUIET_SECONDS, limit_seconds=DRAIN_LIMIT_SECONDS)
        how = "new connections refused" if refused else "no socket filter here: the quiet period alone"
        click.echo(f"Stopping: the port was quiet after {waited:.1f} s ({how}); finishing what is in flight", err=True)
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=STOP_LIMIT_SECONDS)
        except subprocess.TimeoutExpired:
            click.echo(f"Stopping: still busy after {STOP_LIMIT_SECONDS:g} s, killed", err=True)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGKILL)  # leftovers of its group, e.g. a granian worker
        server.wait()
    finally:
        marker.unlink(missing_ok=True)
    return 0


# `make run` must stop within 10 s of Ctrl+C; what is still running after this is killed.
STOP_GRACE_SECONDS = 8.0


def _die_with_parent() -> None:
    """In a child before exec (Linux): get SIGTERM if `creatorly serve` itself dies, even by SIGKILL."""
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def _spawn(arguments: list[str]) -> subprocess.Popen[bytes]:
    """A child in its own session: a terminal's Ctrl+C reaches only `serve`, which stops the children in order
    (signalled together, granian's own worker processes could die before granian and be respawned)."""
    return subprocess.Popen(  # noqa: S603 (our own command lines)
        arguments, cwd=PROJECT_ROOT, start_new_session=True, preexec_fn=_die_with_parent
    )


def _stop_children(app: subprocess.Popen[bytes], worker: subprocess.Popen[bytes]) -> None:
    """Ask both to stop (the app gracefully through granian, the worker after its running jobs), then kill
    whatever is left of their process groups once the grace period is over."""
    import time

    for process in (app, worker):
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    while time.monotonic() < deadline and (app.poll() is None or worker.poll() is None):
        time.sleep(0.1)
    for process in (app, worker):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # leftovers of the group, e.g. a granian worker
        process.wait()


@main.command()
def serve() -> None:
    """Local all-in-one: the worker in the background and the app in the foreground (make run)."""
    import time

    from creatorly.config import settings

    stop_requested: list[int] = []

    def request_stop(signal_number: int, _frame: object) -> None:
        stop_requested.append(signal_number)

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    _share_metrics_between_processes()
    worker_process = _spawn([sys.executable, "-m", "creatorly.cli", "worker"])
    app_process = _spawn(_reflex_command())
    click.echo(f"Creatorly is starting on {settings.resolved_public_url} (Ctrl+C to stop)")
    while not stop_requested and app_process.poll() is None:
        time.sleep(0.2)
    if stop_requested:
        click.echo("Stopping Creatorly…")
    _stop_children(app_process, worker_process)
    sys.exit(0 if stop_requested else app_process.returncode)


@main.command()
@click.option(
    "--days", default=30, show_default=True, type=click.IntRange(1, 3650), help="Orders and payouts of the last N days."
)
def reconcile(days: int) -> None:
    """Compare the ledger with orders, payouts and the providers' records; print each mismatch, exit 1 if any."""
    from creatorly.errors import CreatorlyError
    from creatorly.services.reconciliation import rules
    from creatorly.services.reconciliation import service as reconciliation

    try:
        report = asyncio.run(_with_disposal(reconciliation.reconcile(days=days)))
    except CreatorlyError as error:
        raise click.ClickException(error.message) from None
    for mismatch in report.mismatches:
        click.echo(rules.one_line(mismatch))
    for note in report.notes:
        click.echo(f"Note: {note}", err=True)
    click.echo(
        f"Checked {report.checked_orders} orders, {report.checked_payouts} payouts and {report.checked_payments} "
        f"provider payments of the last {days} days: {len(report.mismatches)} mismatches.",
        err=True,
    )
    sys.exit(1 if report.mismatches else 0)


# `creatorly backup` and `creatorly restore` exit with 1 on a refusal or a damaged archive, 2 when a tool they need
# (pg_dump, pg_restore, the database, the bucket) is missing or failed.
EXIT_REFUSED = 1
EXIT_DEPENDENCY = 2


def _exit_with(error: Exception) -> None:
    from creatorly.services.backup.errors import BackupDependencyError

    click.echo(f"Error: {getattr(error, 'message', error)}", err=True)
    sys.exit(EXIT_DEPENDENCY if isinstance(error, BackupDependencyError) else EXIT_REFUSED)


@main.command()
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Where to write the archive (.tar or .tar.gz); default ./creatorly-backup-<UTC time>.tar.",
)
def backup(output: Path | None) -> None:
    """Write one consistent archive: the database, the private files (or an S3 inventory) and a manifest."""
    from creatorly.errors import CreatorlyError
    from creatorly.services.backup import service as backups

    try:
        made = asyncio.run(_with_disposal(backups.create_backup(output=output)))
    except CreatorlyError as error:
        _exit_with(error)
        return
    manifest = made.manifest
    click.echo(f"Backup written to {made.path}")
    click.echo(f"  {manifest.database_kind} database at migration {manifest.alembic_revision}")
    if manifest.storage_kind == "s3":
        click.echo(f"  S3 inventory of {manifest.s3_object_count} object(s) (the bytes stay in the bucket)")
    else:
        click.echo(f"  {len(manifest.files)} private file(s), {manifest.total_file_bytes} bytes")


@main.command()
@click.argument("archive", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace a database and files folder that already hold data.")
def restore(archive: Path, force: bool) -> None:
    """Restore ARCHIVE (from `creatorly backup`) into an empty database and files folder. Stop the app and the
    worker first; every file is checked against the manifest before anything is written."""
    from alembic.script import ScriptDirectory

    from creatorly.errors import CreatorlyError
    from creatorly.services.backup import service as backups

    scripts = ScriptDirectory.from_config(_alembic_config())
    known = {script.revision for script in scripts.walk_revisions()}
    try:
        done = asyncio.run(
            _with_disposal(
                backups.restore_backup(
                    archive_path=archive,
                    is_forced=force,
                    known_revisions=known,
                    head_revision=scripts.get_current_head() or "",
                )
            )
        )
    except CreatorlyError as error:
        _exit_with(error)
        return
    manifest = done.manifest
    click.echo(f"Restored the backup of {manifest.created_at} (Creatorly {manifest.app_version}):")
    click.echo(f"  {manifest.database_kind} database at migration {manifest.alembic_revision}")
    click.echo(f"  {len(manifest.files)} private file(s) verified against their SHA-256")
    if done.is_behind_code:
        click.echo("The database is at an older migration than this code: run `creatorly migrate` (start does too).")
    for key in done.missing_objects[:20]:
        click.echo(f"Missing from the bucket (or changed): {key}", err=True)
    if done.missing_objects:
        click.echo(
            f"{len(done.missing_objects)} object(s) of the S3 inventory are missing or changed: "
            "restore them from the bucket's versions or replica.",
            err=True,
        )
    for note in done.notes:
        click.echo(f"Note: {note}", err=True)


@main.group()
def events() -> None:
    """Stored provider webhook events."""


@events.command("stuck")
def events_stuck() -> None:
    """List events whose handler failed on every retry the sweeper allows."""
    from creatorly.services.external_events import service as external_events

    for event in asyncio.run(_with_disposal(external_events.stuck_events())):
        click.echo(
            f"#{event.id}\t{event.provider}\t{event.event_type}\t{event.event_id}\t{event.received_at:%Y-%m-%d %H:%M}"
            f"\t{event.attempts} attempts\t{event.last_error}"
        )


@events.command("retry")
@click.argument("event_id", type=click.IntRange(1))
@click.option("--reason", required=True, help="Why (the cause you fixed), for the audit log.")
def events_retry(event_id: int, reason: str) -> None:
    """Handle a stuck event once more now (after fixing its cause) and give it fresh sweeper retries."""
    from creatorly.errors import CreatorlyError
    from creatorly.services.admin.console_actions import retry_webhook_event_as
    from creatorly.services.audit.service import command_line_actor

    retry = retry_webhook_event_as(actor=command_line_actor(), event_id=event_id, reason=reason)
    try:
        outcome = asyncio.run(_with_disposal(retry))
    except CreatorlyError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"Event #{event_id}: {outcome.outcome}")


@main.group()
def admin() -> None:
    """Platform administration."""


@admin.command("create")
@click.argument("email")
@click.password_option(help="The admin's password (prompted when not given).")
def admin_create(email: str, password: str) -> None:
    """Create an admin account for EMAIL, or promote the existing account to admin."""
    from creatorly.errors import CreatorlyError
    from creatorly.services.accounts.service import create_admin
    from creatorly.services.audit.service import command_line_actor

    try:
        is_new = asyncio.run(_with_disposal(create_admin(email=email, password=password, actor=command_line_actor())))
    except CreatorlyError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"{'Created' if is_new else 'Promoted'} admin {email}.")
    click.echo("Admins must turn on two-factor authentication at their first sign-in (Account → Security).")


@admin.command("set-terms")
@click.argument("handle")
@click.option("--fee", type=str, default=None, metavar="PERCENT", help="Platform fee for this creator, 0–50.")
@click.option("--default-fee", is_flag=True, help="Use the platform's default fee for this creator.")
@click.option("--hold-days", type=int, default=None, metavar="N", help="Days a sale is held before payout, 0–90.")
@click.option("--default-hold", is_flag=True, help="Use the platform's default hold period for this creator.")
@click.option("--reason", default="", help="Why, for the audit log.")
def admin_set_terms(
    handle: str, fee: str | None, default_fee: bool, hold_days: int | None, default_hold: bool, reason: str
) -> None:
    """Set the platform fee and/or hold period of the creator HANDLE; an option left out keeps its value."""
    from creatorly.errors import CreatorlyError

    if fee is not None and default_fee:
        raise click.UsageError("Give --fee or --default-fee, not both.")
    if hold_days is not None and default_hold:
        raise click.UsageError("Give --hold-days or --default-hold, not both.")
    if fee is None and not default_fee and hold_days is None and not default_hold:
        raise click.UsageError("Nothing to set: give --fee/--default-fee and/or --hold-days/--default-hold.")
    fee_percent = _percent_option(fee)
    try:
        fee_set, hold_set = asyncio.run(
            _with_disposal(
                _set_terms(
                    handle,
                    fee_percent,
                    hold_days,
                    keep_fee=fee is None and not default_fee,
                    keep_hold=hold_days is None and not default_hold,
                    reason=reason,
                )
            )
        )
    except CreatorlyError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"Set terms for {handle}: {_terms_text(fee_set, hold_set)}.")


@admin.command("payout-review")
@click.argument("handle")
@click.option("--on/--off", "under_review", required=True, help="Hold the creator's payouts, or release them.")
@click.option("--reason", "--note", "reason", required=True, help="Why: for the audit log, shown to the creator.")
def admin_payout_review(handle: str, under_review: bool, reason: str) -> None:
    """Put the payouts of the creator HANDLE under review (withdrawals and scheduled payouts stop), or release them."""
    from creatorly.errors import CreatorlyError
    from creatorly.services.admin.console_actions import review_payouts_as
    from creatorly.services.audit.service import command_line_actor

    review = review_payouts_as(actor=command_line_actor(), handle=handle, under_review=under_review, reason=reason)
    try:
        asyncio.run(_with_disposal(review))
    except CreatorlyError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"Payouts of {handle} are {'under review' if under_review else 'released from review'}.")


def _percent_option(text: str | None) -> Decimal | None:
    if text is None:
        return None
    try:
        return Decimal(text.strip().removesuffix("%"))
    except InvalidOperation:
        raise click.BadParameter(f"{text!r} is not a number.", param_hint="--fee") from None


async def _set_terms(
    handle: str, fee: Decimal | None, hold_days: int | None, *, keep_fee: bool, keep_hold: bool, reason: str
) -> tuple[Decimal | None, int | None]:
    """Options left out keep the creator's current value; the rest are written in one use case."""
    from creatorly.services.admin.actions import change_creator_terms
    from creatorly.services.audit.service import command_line_actor
    from creatorly.services.creators import service as creators

    current = await creators.get_creator_terms(handle=handle)
    fee = current.platform_fee_percent if keep_fee else fee
    hold_days = current.hold_period_days if keep_hold else hold_days
    await change_creator_terms(
        actor=command_line_actor(), handle=handle, platform_fee_percent=fee, hold_period_days=hold_days, reason=reason
    )
    return fee, hold_days


@admin.command("suspend")
@click.argument("handle")
@click.option("--reason", required=True, help="Why: for the audit log, and emailed to the creator.")
def admin_suspend(handle: str, reason: str) -> None:
    """Suspend the creator HANDLE: pages hidden, new orders refused, payouts held; buyers keep their files."""
    from creatorly.errors import CreatorlyError
    from creatorly.services.admin.suspension import suspend_creator
    from creatorly.services.audit.service import command_line_actor

    try:
        asyncio.run(_with_disposal(suspend_creator(actor=command_line_actor(), handle=handle, reason=reason)))
    except CreatorlyError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"Suspended {handle}.")


@admin.command("restore")
@click.argument("handle")
@click.option("--reason", required=True, help="Why: for the audit log, and emailed to the creator.")
def admin_restore(handle: str, reason: str) -> None:
    """Restore the suspended creator HANDLE: pages, orders and payouts as before the suspension."""
    from creatorly.errors import CreatorlyError
    from creatorly.services.admin.suspension import restore_creator
    from creatorly.services.audit.service import command_line_actor

    try:
        asyncio.run(_with_disposal(restore_creator(actor=command_line_actor(), handle=handle, reason=reason)))
    except CreatorlyError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"Restored {handle}.")


def _terms_text(fee: Decimal | None, hold_days: int | None) -> str:
    from creatorly.config import settings

    fee_text = f"{settings.platform_fee_percent}% (platform default)" if fee is None else f"{fee}%"
    hold_text = f"{settings.hold_period_days} days (platform default)" if hold_days is None else f"{hold_days} days"
    return f"platform fee {fee_text}, hold period {hold_text}"


@main.group()
def clock() -> None:
    """The memberships test clock (not in production)."""


@clock.command("advance")
@click.argument("step")
def clock_advance(step: str) -> None:
    """Move the memberships clock forward by STEP (30m, 3d, 1w, 1M) and run what came due."""
    from creatorly.errors import CreatorlyError
    from creatorly.services.memberships import clock as membership_clock
    from creatorly.services.memberships import renewals

    try:
        moved_to = membership_clock.advance(step)
    except CreatorlyError as error:
        raise click.ClickException(error.message) from None
    handled = asyncio.run(_with_disposal(renewals.run_due()))
    click.echo(f"Memberships clock now {moved_to:%Y-%m-%d %H:%M} UTC; {handled} subscription(s) came due.")


@clock.command("reset")
def clock_reset() -> None:
    """Back to the real time."""
    from creatorly.errors import CreatorlyError
    from creatorly.services.memberships import clock as membership_clock

    try:
        membership_clock.reset()
    except CreatorlyError as error:
        raise click.ClickException(error.message) from None
    click.echo("Memberships clock reset to the real time.")


if __name__ == "__main__":
    main()
