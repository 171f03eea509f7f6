"""Connected dashboards: how many signed-in creators' dashboard tabs (Reflex websocket clients) one host holds while
10 of them send events, with the event round trip p95 under 300 ms; and the server's memory per tab.

Creatorly runs as `creatorly start --backend-only` (production settings, PostgreSQL), once with Redis
(CREATORLY_REDIS_URL: Reflex runs min(2·CPU+1, 8) granian workers, state in Redis) and once without (one worker).
Each client speaks what a browser's socket.io client sends on `/_event` (engine.io v4 over a websocket, namespace
`/_event`): the CONNECT packet carries `hydrate_and_load` for `/dashboard` with the session cookie as client storage
and the compiled initial-state hashes, so the backend checks the session, runs the page's on_load (require_login,
DashboardHomeState.load: the creator's figures from the database, linking the live channel) and sends the deltas;
then the tab idles, answering engine.io pings. Tabs are opened in steps (BENCH_DASHBOARDS_STEPS, cumulative
totals, BENCH_DASHBOARDS_CONNECTING at a time per client process); at each step 10 of them send
`AuthState.require_login` (the dashboard's own on_load guard: one session check in the database, answered with the
signed-in creator's vars; BENCH_DASHBOARDS_EVENT=choose_range sends the "30 days" button instead, which reloads the
figures) in a closed loop with 0.1 s pauses, and the round trip is the time to its answering delta. A step holds
when every tab stayed open and the p95 is under 300 ms; the ramp stops at the first step that does not. Clients
live in BENCH_DASHBOARDS_CLIENT_PROCESSES separate processes (raw websockets on aiohttp, no socket.io client
objects), whose CPU is reported. Needs PostgreSQL (CREATORLY_BENCH_POSTGRES_URL, database
bench_sockets made and dropped) and, for the Redis mode, Redis (BENCH_DASHBOARDS_REDIS_URL, a db that is flushed).
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ADMIN_URL = os.environ.get("CREATORLY_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
DATABASE = os.environ.get("BENCH_DASHBOARDS_DATABASE", "bench_sockets")
REDIS_URL = os.environ.get("BENCH_DASHBOARDS_REDIS_URL", "redis://127.0.0.1:6379/6")
STEPS = [int(step) for step in os.environ.get("BENCH_DASHBOARDS_STEPS", "500,1000,2000,3000").split(",")]
MODES = os.environ.get("BENCH_DASHBOARDS_MODES", "redis,single").split(",")
SENDERS = int(os.environ.get("BENCH_DASHBOARDS_SENDERS", "10"))
SEND_SECONDS = float(os.environ.get("BENCH_DASHBOARDS_SEND_SECONDS", "10"))
SEND_PAUSE_SECONDS = float(os.environ.get("BENCH_DASHBOARDS_SEND_PAUSE", "0.1"))  # a sender's think time
# Two tabs per signed-in creator at the largest step (a creator's laptop and phone): every tab of a creator links
# the creator's one live channel (CreatorLive), and a new link reaches each tab already on it.
CREATORS = int(os.environ.get("BENCH_DASHBOARDS_CREATORS", str(max(STEPS) // 2)))
CLIENT_PROCESSES = int(os.environ.get("BENCH_DASHBOARDS_CLIENT_PROCESSES", "2"))
CONNECTING_AT_ONCE = int(os.environ.get("BENCH_DASHBOARDS_CONNECTING", "10"))  # per client process
CONNECT_TIMEOUT_SECONDS = float(os.environ.get("BENCH_DASHBOARDS_CONNECT_TIMEOUT", "30"))
EVENT = os.environ.get("BENCH_DASHBOARDS_EVENT", "require_login")
DEBUG = os.environ.get("BENCH_DASHBOARDS_DEBUG") == "1"
GOAL_CLIENTS = 2000
GOAL_P95_MS = 300.0
FILE_LIMIT = 65536
PAGE = "/dashboard"
BENCH_DIR = Path(os.environ.get("BENCH_DASHBOARDS_DIR") or tempfile.mkdtemp(prefix="creatorly-bench-dashboards-"))
os.environ["BENCH_DASHBOARDS_DIR"] = str(BENCH_DIR)  # the prepare and client subprocesses write here too


def _raise_file_limit() -> int:
    """As many file descriptors as the hard limit allows (a server started from here inherits them)."""
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = FILE_LIMIT if hard == resource.RLIM_INFINITY else min(FILE_LIMIT, hard)
    resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    return wanted


def _database_url(driver: str = "postgresql") -> str:
    parts = urlsplit(ADMIN_URL)
    return urlunsplit((driver, parts.netloc, f"/{DATABASE}", parts.query, parts.fragment))


def _server_environment(port: int, *, redis_url: str) -> dict[str, str]:
    return {
        "CREATORLY_ENV": "production",
        "CREATORLY_SECRET_KEY": "bench-dashboards-" + "k" * 40,
        "CREATORLY_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "CREATORLY_PORT": str(port),
        "CREATORLY_DATABASE_URL": _database_url(),
        "CREATORLY_DATA_DIR": str(BENCH_DIR / "data"),
        "CREATORLY_REDIS_URL": redis_url,
        "CREATORLY_LOG_LEVEL": "WARNING",
        "REFLEX_TELEMETRY_ENABLED": "false",
    }


# ---------------------------------------------------------------- prepare (a subprocess with the app's settings)


async def _seed(count: int) -> list[str]:
    """`count` creators, each with one product and a signed-in session, 100 to a transaction."""
    from creatorly import db
    from creatorly.models.enums import PricingModel, Role
    from creatorly.services.accounts import service as accounts
    from creatorly.services.accounts.passwords import hash_password
    from creatorly.services.accounts.sessions import open_session
    from creatorly.services.catalog import service as catalog
    from creatorly.services.catalog.schemas import NewProduct
    from creatorly.services.creators import service as creators

    one_hash = hash_password("x" * 12)  # Argon2 once, not per seeded account: nobody signs in with it here
    accounts.hash_password = lambda _password: one_hash  # type: ignore[assignment]
    tokens = []
    for first in range(0, count, 100):
        async with db.transaction() as session:
            for number in range(first, min(count, first + 100)):
                user = await accounts.add_verified_user(
                    session,
                    email=f"tab{number}@example.com",
                    password="x" * 12,
                    display_name=f"T{number}",
                    role=Role.CREATOR,
                )
                assert user.id is not None
                creator = await creators.add_creator(
                    session,
                    user_id=user.id,
                    handle=f"tabs{number}",
                    display_name=f"T{number}",
                    bio_markdown="",
                    currency="USD",
                )
                product = NewProduct(
                    title="Product",
                    summary="s",
                    description_markdown="d",
                    pricing=PricingModel.FIXED,
                    price_amount=500,
                    currency="USD",
                    is_published=True,
                )
                await catalog.add_product(session, creator, product)
                tokens.append(await open_session(session, user.id, user_agent="bench-dashboards"))
    await db.dispose_engine()
    return tokens


async def _frontend_facts() -> dict[str, Any]:
    """What the compiled frontend would hold: state schema, initial-state hashes and the names it sends."""
    import reflex as rx
    from reflex.state import _resolve_delta, state_snapshot_hashes

    import creatorly.creatorly  # noqa: F401  (registers every page and state, as the server does)
    from creatorly.ui.states.auth import AuthState
    from creatorly.ui.states.dashboard.home import DashboardHomeState

    snapshot = await _resolve_delta(rx.State(_reflex_internal_init=True).dict(initial=True))
    return {
        "root": rx.State.get_full_name(),
        "schema": rx.State._to_frontend_schema(),
        "hashes": state_snapshot_hashes(snapshot),
        "cookie_var": f"{AuthState.get_full_name()}.session_token",
        "events": {
            "require_login": [f"{AuthState.get_full_name()}.require_login", {}],
            "live_changed": [f"{DashboardHomeState.get_full_name()}.live_changed", {"version": 0, "message": ""}],
            "choose_range": [f"{DashboardHomeState.get_full_name()}.choose_range", {"range_key": "30"}],
        },
        "reflex_version": rx.constants.Reflex.VERSION,
    }


def _prepare() -> None:
    from alembic.config import Config

    from alembic import command
    from creatorly.cli import PROJECT_ROOT

    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.attributes["skip_logging"] = True
    config.set_main_option("script_location", str(PROJECT_ROOT / "alembic"))
    command.upgrade(config, "head")
    tokens = asyncio.run(_seed(CREATORS))
    facts = asyncio.run(_frontend_facts())
    print(json.dumps({"tokens": tokens, **facts}))


# ---------------------------------------------------------------- the client side (subprocesses)

NAMESPACE = "/_event"
LOADED_MARK = '"is_loading_rx_state_":false'


@dataclass
class Tab:
    """One dashboard tab: its websocket, and a queue of the `event` updates it received."""

    websocket: Any = None
    updates: asyncio.Queue[int] = field(default_factory=asyncio.Queue)
    hydrate_bytes: int = 0
    is_open: bool = False
    is_loaded: bool = False  # the dashboard's figures arrived (its on_load chain finished)


def _boot_event(facts: dict[str, Any], session_token: str) -> dict[str, Any]:
    return {
        "name": f"{facts['root']}.hydrate_and_load",
        "payload": {"vars": {facts["cookie_var"]: session_token}, "hashes": facts["hashes"]},
        "router_data": {"pathname": PAGE, "asPath": PAGE},
    }


async def _read_forever(tab: Tab) -> None:
    """Answer pings, count each `event` update (with its size); stop when the socket closes."""
    import aiohttp

    prefix = f"42{NAMESPACE},"
    async for message in tab.websocket:
        if message.type != aiohttp.WSMsgType.TEXT:
            break
        data: str = message.data
        if DEBUG:
            print(f"<- {len(data)} {data[:5000]}", file=sys.stderr, flush=True)
        if data == "2":
            await tab.websocket.send_str("3")
        elif data.startswith(prefix) and data[len(prefix) :].startswith('["event"'):
            if not tab.is_loaded and LOADED_MARK in data and data.find(LOADED_MARK) > data.find("dashboard_home_state"):
                tab.is_loaded = True
            tab.updates.put_nowait(len(data))
        elif data.startswith(f"44{NAMESPACE}"):  # CONNECT_ERROR: the namespace refused the tab
            break
    tab.is_open = False
    tab.updates.put_nowait(-1)


async def _open_tab(http: Any, url: str, facts: dict[str, Any], session_token: str, origin: str) -> Tab:
    tab = Tab()
    token = str(uuid.uuid4())
    tab.websocket = await http.ws_connect(
        f"{url}/_event/?EIO=4&transport=websocket&token={token}",
        protocols=[facts["reflex_version"]],
        headers={"Origin": origin, "Cookie": f"creatorly_session={session_token}"},
        heartbeat=None,
        autoping=True,
        max_msg_size=0,
    )
    opened = await tab.websocket.receive_str()  # engine.io OPEN: {"sid", "pingInterval", …}
    if not opened.startswith("0"):
        raise ConnectionError(f"unexpected engine.io open {opened[:80]!r}")
    auth = {"event": _boot_event(facts, session_token), "state_schema": facts["schema"]}
    await tab.websocket.send_str(f"40{NAMESPACE},{json.dumps(auth)}")
    acknowledged = await tab.websocket.receive_str()
    if not acknowledged.startswith(f"40{NAMESPACE}"):
        raise ConnectionError(f"namespace refused: {acknowledged[:120]!r}")
    tab.is_open = True
    asyncio.get_running_loop().create_task(_read_forever(tab))
    # The page is loaded once the dashboard's figures arrived: the delta that sets DashboardHomeState.is_loading
    # false (the on_load chain's last update).
    while not tab.is_loaded:
        size = await asyncio.wait_for(tab.updates.get(), timeout=CONNECT_TIMEOUT_SECONDS)
        if size < 0:
            raise ConnectionError("closed while loading")
        tab.hydrate_bytes += size
    return tab


async def _round_trips(tabs: list[Tab], facts: dict[str, Any], seconds: float) -> tuple[list[float], int]:
    """Each sender sends live_changed, waits for its delta, pauses, again, for `seconds`; times and failures."""
    times: list[float] = []
    failures = 0
    deadline = time.perf_counter() + seconds

    async def sender(tab: Tab, number: int) -> None:
        nonlocal failures
        while time.perf_counter() < deadline:
            if not tab.is_open:
                failures += 1
                return
            while not tab.updates.empty():
                tab.updates.get_nowait()
            name, payload = facts["events"][EVENT]
            event = {
                "name": name,
                "payload": payload,
                "router_data": {"pathname": PAGE, "asPath": PAGE},
            }
            started = time.perf_counter()
            await tab.websocket.send_str(f"42{NAMESPACE},{json.dumps(['event', event])}")
            try:
                size = await asyncio.wait_for(tab.updates.get(), timeout=10)
            except TimeoutError:
                failures += 1
                continue
            if size < 0:
                failures += 1
                return
            times.append(time.perf_counter() - started)
            await asyncio.sleep(SEND_PAUSE_SECONDS)

    await asyncio.gather(*(sender(tab, number) for number, tab in enumerate(tabs)))
    return times, failures


async def _open_tabs(http: Any, setup: dict[str, Any], tabs: list[Tab], count: int) -> dict[str, Any]:
    """Open `count` more tabs, CONNECTING_AT_ONCE at a time; how many are open, failures and the median hydrate."""
    facts, tokens = setup["facts"], setup["facts"]["tokens"]
    gate = asyncio.Semaphore(CONNECTING_AT_ONCE)
    errors: list[str] = []
    sizes: list[int] = []

    async def one(number: int) -> None:
        async with gate:
            try:
                tab = await asyncio.wait_for(
                    _open_tab(http, setup["url"], facts, tokens[number % len(tokens)], setup["origin"]),
                    CONNECT_TIMEOUT_SECONDS + 5,
                )
            except Exception as error:  # a failed tab is counted, not fatal
                errors.append(f"{type(error).__name__}: {error}"[:160])
                return
            tabs.append(tab)
            sizes.append(tab.hydrate_bytes)

    offset, stride, done = setup["offset"], setup["stride"], len(tabs)
    await asyncio.gather(*(one(offset + stride * (done + number)) for number in range(count)))
    return {
        "open": sum(1 for tab in tabs if tab.is_open),
        "failed": len(errors),
        "errors": errors[:3],
        "hydrate_bytes": sorted(sizes)[len(sizes) // 2] if sizes else 0,
    }


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def _client_main() -> None:
    """Commands on stdin, one JSON line each: {"open": n} | {"send": seconds} | {"stop": true}; answers on stdout."""
    import aiohttp

    _raise_file_limit()
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=2**24)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    setup = json.loads(await reader.readline())
    facts = setup["facts"]
    tabs: list[Tab] = []
    connector = aiohttp.TCPConnector(limit=0, force_close=False)
    async with aiohttp.ClientSession(connector=connector) as http:
        while line := await reader.readline():
            command = json.loads(line)
            cpu_before, started = _cpu_seconds(), time.perf_counter()
            answer: dict[str, Any] = {}
            if "open" in command:
                answer = await _open_tabs(http, setup, tabs, command["open"])
            elif "send" in command:
                senders = [tab for tab in tabs if tab.is_open][:SENDERS]
                times, failures = await _round_trips(senders, facts, command["send"])
                answer = {"times": times, "failures": failures, "senders": len(senders)}
                answer["open"] = sum(1 for tab in tabs if tab.is_open)
            elif "count" in command:
                answer = {"open": sum(1 for tab in tabs if tab.is_open)}
            else:
                break
            answer["cpu_seconds"] = _cpu_seconds() - cpu_before
            answer["wall_seconds"] = time.perf_counter() - started
            answer["cpu_total"] = _cpu_seconds()
            print(json.dumps(answer), flush=True)
        for tab in tabs:
            if tab.is_open:
                await tab.websocket.close()


# ---------------------------------------------------------------- the orchestrator


class ClientProcess:
    def __init__(self, number: int, facts: dict[str, Any], port: int) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bench.dashboards", "client"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=(BENCH_DIR / f"client{number}.log").open("ab"),
            text=True,
        )
        setup = {
            "facts": facts,
            "url": f"http://127.0.0.1:{port}",
            "origin": f"http://127.0.0.1:{port}",
            "offset": number,  # tab k of this process is tab offset + stride·k of all: token of creator k mod count
            "stride": CLIENT_PROCESSES,
        }
        self.ask_nowait(setup)

    def ask_nowait(self, command: dict[str, Any]) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(command) + "\n")
        self.process.stdin.flush()

    def answer(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise SystemExit(f"a client process died; see {BENCH_DIR}")
        return dict(json.loads(line))

    def stop(self) -> None:
        if self.process.poll() is None:
            self.ask_nowait({"stop": True})
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _server_processes(pid: int) -> list[Any]:
    import psutil

    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def _server_memory(pid: int) -> tuple[float, float, int]:
    """Resident and proportional set size (MiB, summed over the server's processes), and how many processes."""
    import psutil

    rss = pss = 0
    processes = _server_processes(pid)
    for process in processes:
        try:
            rss += process.memory_info().rss
            pss += process.memory_full_info().pss
        except psutil.Error:
            continue
    return rss / 2**20, pss / 2**20, len(processes)


def _server_file_limit(pid: int) -> str:
    limits = set()
    for process in _server_processes(pid)[-1:]:
        for line in Path(f"/proc/{process.pid}/limits").read_text().splitlines():
            if line.startswith("Max open files"):
                limits.add(" ".join(line.split()[3:5]))
    return ", ".join(sorted(limits)) or "unknown"


def _server_cpu_seconds(pid: int) -> float:
    import psutil

    total = 0.0
    for process in _server_processes(pid):
        try:
            times = process.cpu_times()
            total += times.user + times.system
        except psutil.Error:
            continue
    return total


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0


async def _fresh_database(*, drop_only: bool = False) -> None:
    import asyncpg

    admin = await asyncpg.connect(ADMIN_URL)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        if not drop_only:
            await admin.execute(f'CREATE DATABASE "{DATABASE}"')
    finally:
        await admin.close()


def _flush_redis() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


def _redis_keys() -> int:
    import redis

    return int(redis.Redis.from_url(REDIS_URL).dbsize())


@dataclass
class StepResult:
    clients: int
    p50_ms: float
    p95_ms: float
    round_trips: int
    failures: int
    rss_mib: float
    pss_mib: float
    client_cpu_percent: float
    server_cpu_percent: float
    open_seconds: float
    hydrate_bytes: int
    open_cpu_ms: float  # server CPU per tab opened in the step

    @property
    def is_held(self) -> bool:
        return self.failures == 0 and self.round_trips > 0 and self.p95_ms < GOAL_P95_MS


def _start_server(mode: str, port: int) -> subprocess.Popen[bytes]:
    from bench.common import start_server

    redis_url = REDIS_URL if mode == "redis" else ""
    environment = _server_environment(port, redis_url=redis_url)
    if workers := os.environ.get("BENCH_DASHBOARDS_WORKERS"):
        environment["GRANIAN_WORKERS"] = workers
    return start_server(
        [sys.executable, "-m", "creatorly.cli", "start", "--backend-only"],
        port=port,
        log_path=BENCH_DIR / f"creatorly-{mode}.log",
        environment=environment,
        health_path="/ping",
    )


def _open_step(clients: list[ClientProcess], wanted: int, have: int) -> tuple[int, int, list[str], int, float]:
    """Open tabs until `wanted` in all, split over the client processes; open, failed, errors, size, client CPU."""
    more = wanted - have
    shares = [more // len(clients) + (1 if index < more % len(clients) else 0) for index in range(len(clients))]
    for client, share in zip(clients, shares, strict=True):
        client.ask_nowait({"open": share})
    answers = [client.answer() for client in clients]
    return (
        sum(answer["open"] for answer in answers),
        sum(answer["failed"] for answer in answers),
        [error for answer in answers for error in answer["errors"]],
        max(answer["hydrate_bytes"] for answer in answers),
        sum(answer["cpu_seconds"] for answer in answers),
    )


def _measure_step(
    server_pid: int, clients: list[ClientProcess], wanted: int, have: int
) -> tuple[StepResult, list[str]]:
    started, open_cpu_before = time.perf_counter(), _server_cpu_seconds(server_pid)
    is_open, failed, errors, hydrate_bytes, _open_cpu = _open_step(clients, wanted, have)
    open_seconds = time.perf_counter() - started
    open_cpu_ms = 1000 * (_server_cpu_seconds(server_pid) - open_cpu_before) / max(1, is_open - have)
    time.sleep(2)  # let the last on_load chains finish before timing the senders
    server_cpu_before, cpu_before = _server_cpu_seconds(server_pid), time.perf_counter()
    for client in clients[1:]:
        client.ask_nowait({"count": True})
    clients[0].ask_nowait({"send": SEND_SECONDS})
    answers = [client.answer() for client in clients]
    wall = time.perf_counter() - cpu_before
    server_cpu = _server_cpu_seconds(server_pid) - server_cpu_before
    send = answers[0]
    client_cpu = sum(answer["cpu_seconds"] for answer in answers)
    still_open = sum(answer["open"] for answer in answers)
    rss, pss, _count = _server_memory(server_pid)
    times = send["times"]
    result = StepResult(
        clients=still_open,
        p50_ms=_percentile(times, 0.5) * 1000,
        p95_ms=_percentile(times, 0.95) * 1000,
        round_trips=len(times),
        failures=failed + send["failures"] + (is_open - still_open),
        rss_mib=rss,
        pss_mib=pss,
        client_cpu_percent=100 * client_cpu / wall,
        server_cpu_percent=100 * server_cpu / wall,
        open_seconds=open_seconds,
        hydrate_bytes=hydrate_bytes,
        open_cpu_ms=open_cpu_ms,
    )
    return result, errors


def _print_step(result: StepResult, baseline_rss: float, baseline_pss: float) -> None:
    added = max(result.clients, 1)
    print(
        f"  {result.clients:5d} tabs  p50 {result.p50_ms:6.1f} ms  p95 {result.p95_ms:7.1f} ms  "
        f"({result.round_trips} round trips)  failures {result.failures:4d}  | server RSS {result.rss_mib:7.1f} MiB "
        f"(+{(result.rss_mib - baseline_rss) * 1024 / added:5.1f} KiB/tab), PSS {result.pss_mib:7.1f} MiB "
        f"(+{(result.pss_mib - baseline_pss) * 1024 / added:5.1f} KiB/tab)  | "
        f"CPU server {result.server_cpu_percent:4.0f}% "
        f"clients {result.client_cpu_percent:3.0f}%  | opened in {result.open_seconds:5.1f} s, "
        f"{result.open_cpu_ms:4.0f} ms server CPU per tab, "
        f"hydrate {result.hydrate_bytes / 1024:.1f} KiB",
        flush=True,
    )


def _run_mode(mode: str, facts: dict[str, Any]) -> list[StepResult]:
    from bench.common import free_port, stop_server

    if mode == "redis":
        _flush_redis()
    port = free_port()
    server = _start_server(mode, port)
    clients: list[ClientProcess] = []
    results: list[StepResult] = []
    try:
        time.sleep(3)  # granian's workers finish starting after the first one answers
        baseline_rss, baseline_pss, process_count = _server_memory(server.pid)
        print(
            f"{mode}: {process_count} server processes, RSS {baseline_rss:.1f} MiB, PSS {baseline_pss:.1f} MiB before "
            f"any tab; server open-file limit {_server_file_limit(server.pid)}",
            flush=True,
        )
        clients = [ClientProcess(number, facts, port) for number in range(CLIENT_PROCESSES)]
        have = 0
        for wanted in STEPS:
            result, errors = _measure_step(server.pid, clients, wanted, have)
            have = result.clients
            results.append(result)
            _print_step(result, baseline_rss, baseline_pss)
            for error in errors:
                print(f"    e.g. {error}")
            if not result.is_held:
                break
        if mode == "redis":
            print(f"  Redis db keys: {_redis_keys()}")
    finally:
        for client in clients:
            client.stop()
        stop_server(server)
    held = [result.clients for result in results if result.is_held]
    print(f"  {mode}: largest step held {max(held) if held else 0} tabs (p95 < {GOAL_P95_MS:.0f} ms, no failure)")
    return results


def _prepare_facts() -> dict[str, Any]:
    from bench.common import free_port

    environment = dict(os.environ)
    environment.update(_server_environment(free_port(), redis_url=""))
    done = subprocess.run(
        [sys.executable, "-m", "bench.dashboards", "prepare"],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"prepare failed:\n{done.stderr[-3000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> None:
    from bench.common import load_average

    limit = _raise_file_limit()
    print(
        f"Connected dashboards: steps {STEPS}, {SENDERS} senders for {SEND_SECONDS:g} s per step, "
        f"{CLIENT_PROCESSES} client processes, open-file limit {limit}"
    )
    print(f"  {load_average()} (before)", flush=True)
    asyncio.run(_fresh_database())
    summary: dict[str, int] = {}
    try:
        facts = _prepare_facts()
        for mode in MODES:
            results = _run_mode(mode, facts)
            held = [result.clients for result in results if result.is_held]
            summary[mode] = max(held) if held else 0
    finally:
        asyncio.run(_fresh_database(drop_only=True))
    if "redis" in summary:
        verdict = "met" if summary["redis"] >= GOAL_CLIENTS else "NOT met"
        print(f"  goal ≥ {GOAL_CLIENTS} tabs with Redis at p95 < {GOAL_P95_MS:.0f} ms: {verdict} ({summary})")
    print(f"  {load_average()} (after); logs in {BENCH_DIR}")


if __name__ == "__main__":
    if sys.argv[1:] == ["prepare"]:
        _prepare()
    elif sys.argv[1:] == ["client"]:
        asyncio.run(_client_main())
    else:
        main()
