"""Large upload: a BENCH_UPLOAD_MB (default 500) MB product file through the dashboard's product-file upload, against
`cp` of the same file on the same file system.

The app runs as in production (`creatorly start`: migrations, `reflex run --env prod --single-port`, granian with one
worker, PostgreSQL, local private storage under a temporary CREATORLY_DATA_DIR). Headless Chromium (Playwright) signs
in as a creator through /signin and opens the product editor, which gives its tab a Reflex state (session token,
product id) that the upload handler reads; that state can only be made over Reflex's websocket, which is why a browser
is used at all. The browser then uploads a small file through the page's own drop zone and "Upload file" button, and
its request to /_upload is recorded: the big file is sent with the same headers (Reflex-Client-Token,
Reflex-Event-Handler, cookie, origin) and the same multipart/form-data body as Chromium's XMLHttpRequest builds
(one part named "files"), from this process with sendfile, so the client costs the machine little. The upload counts
as done when its ProductFile row exists; the stored file's size and SHA-256 are then checked against the source and
the row, and the file is removed through the service, ready for the next round.

Alternately, A B A B: the app's upload, then `cp` of the same source file into the same data folder. Nothing is
dropped from the page cache: the source file is read from memory in both. The app's storage ends with an fsync; `cp`
does not, so the `cp` + fsync time is printed beside it. During each upload the resident memory (VmRSS) of every
process of the server (the `creatorly start` process and all its descendants) is summed every 50 ms; growth is the
peak minus the sum just before the upload. Needs PostgreSQL (CREATORLY_BENCH_POSTGRES_URL, default
postgresql://postgres@127.0.0.1:5432/postgres; a database bench_upload is made and dropped there) and Chromium
(/usr/bin/chromium or CREATORLY_TEST_CHROMIUM).
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import psutil

from bench.common import drop_database, free_port, fresh_database, load_average, postgres_url, start_server, stop_server

DATABASE = "bench_upload"
SIZE_MB = int(os.environ.get("BENCH_UPLOAD_MB", "500"))
SIZE_BYTES = SIZE_MB * 1024 * 1024
SAMPLE_SECONDS = 0.05
PROFILE = os.environ.get("BENCH_UPLOAD_PROFILE", "") == "1"  # py-spy the server during the first upload
BENCH_DIR = Path(tempfile.mkdtemp(prefix="creatorly-bench-upload-"))
DATA_DIR = BENCH_DIR / "data"
PASSWORD = "correct horse battery staple"
EMAIL = "uploader@example.com"
CHROMIUM = os.environ.get("CREATORLY_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-dev-shm-usage",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
BOUNDARY = "----WebKitFormBoundary" + secrets.token_hex(8)


PORT = free_port()
SERVER_ENVIRONMENT = {
    "CREATORLY_ENV": "production",
    "CREATORLY_SECRET_KEY": secrets.token_urlsafe(32),
    "CREATORLY_PUBLIC_URL": f"http://127.0.0.1:{PORT}",
    "CREATORLY_PORT": str(PORT),
    "CREATORLY_DATABASE_URL": postgres_url(DATABASE),
    "CREATORLY_DATA_DIR": str(DATA_DIR),
    "CREATORLY_REDIS_URL": "",
    "CREATORLY_LOG_LEVEL": "WARNING",
    "CREATORLY_MAX_UPLOAD_BYTES": str(max(SIZE_BYTES * 2, 1024 * 1024)),
    "GRANIAN_WORKERS": "1",
    "REFLEX_TELEMETRY_ENABLED": "false",
}
os.environ.update(SERVER_ENVIRONMENT)  # this process seeds, verifies and cleans up through the same services

from creatorly import db  # noqa: E402
from creatorly.models.enums import PricingModel, Role  # noqa: E402
from creatorly.services.accounts import service as accounts  # noqa: E402
from creatorly.services.catalog import files  # noqa: E402
from creatorly.services.catalog import service as catalog  # noqa: E402
from creatorly.services.catalog.schemas import NewProduct  # noqa: E402
from creatorly.services.creators import service as creators  # noqa: E402


def _make_source(path: Path) -> str:
    """A PDF by its magic bytes (what the upload accepts), random after that; its SHA-256."""
    digest = hashlib.sha256()
    block = 8 * 1024 * 1024
    with path.open("wb") as handle:
        head = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
        written = 0
        while written < SIZE_BYTES:
            data = os.urandom(min(block, SIZE_BYTES - written))
            if written == 0:
                data = head + data[len(head) :]
            handle.write(data)
            digest.update(data)
            written += len(data)
    return digest.hexdigest()


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(8 * 1024 * 1024):
            digest.update(block)
    return digest.hexdigest()


async def _seed_creator_with_product() -> int:
    async with db.transaction() as session:
        user = await accounts.add_verified_user(
            session, email=EMAIL, password=PASSWORD, display_name="Uploader", role=Role.CREATOR
        )
        assert user.id is not None
        creator = await creators.add_creator(
            session, user_id=user.id, handle="uploader", display_name="Uploader", bio_markdown="", currency="USD"
        )
        product = await catalog.add_product(
            session,
            creator,
            NewProduct(
                title="Big Archive",
                summary="A large file.",
                description_markdown="Large.",
                pricing=PricingModel.FIXED,
                price_amount=1500,
                currency="USD",
                is_published=False,
            ),
        )
        assert product.id is not None
        return product.id


class RssSampler:
    """Sum of VmRSS over a process and all its descendants, every SAMPLE_SECONDS, in a thread."""

    def __init__(self, root_pid: int) -> None:
        self._root = psutil.Process(root_pid)
        self.root_pid = root_pid
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.peak_kib = 0
        self.samples = 0

    def _pids(self) -> list[int]:
        return [self._root.pid, *(child.pid for child in self._root.children(recursive=True))]

    def total_kib(self, pids: list[int] | None = None) -> int:
        total = 0
        for pid in pids if pids is not None else self._pids():
            try:
                with open(f"/proc/{pid}/status", "rb") as status:
                    for line in status:
                        if line.startswith(b"VmRSS:"):
                            total += int(line.split()[1])
                            break
            except (FileNotFoundError, ProcessLookupError):
                continue
        return total

    def _loop(self) -> None:
        pids, refreshed = self._pids(), time.monotonic()
        while not self._stop.is_set():
            if time.monotonic() - refreshed > 1.0:  # a worker could be restarted mid-run
                pids, refreshed = self._pids(), time.monotonic()
            self.peak_kib = max(self.peak_kib, self.total_kib(pids))
            self.samples += 1
            self._stop.wait(SAMPLE_SECONDS)

    def start(self) -> None:
        self.peak_kib, self.samples = self.total_kib(), 0
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()


@dataclass(frozen=True, slots=True)
class BrowserUpload:
    """What Chromium sent to /_upload for the page's own upload button."""

    headers: dict[str, str]


async def _browser_session(playwright: object, product_id: int, warm_file: Path) -> tuple[object, BrowserUpload]:
    """Sign in through /signin, open the product editor, upload `warm_file` with its drop zone and button."""
    browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)  # type: ignore[attr-defined]
    page = await browser.new_page()
    base = f"http://127.0.0.1:{PORT}"

    async def open_page(path: str) -> None:
        await page.goto(base + path)
        await page.wait_for_selector('#app-ready[data-ready="true"]', state="attached", timeout=60_000)

    await open_page("/signin")
    await page.get_by_label("Email").fill(EMAIL)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url(lambda url: "/signin" not in url, timeout=30_000)
    await open_page(f"/dashboard/products/{product_id}")
    await page.get_by_role("heading", name="Edit product").wait_for(timeout=30_000)
    async with page.expect_file_chooser() as chooser:
        await page.get_by_text("Drop a file here, or click to choose").click()
    await (await chooser.value).set_files(str(warm_file))
    async with page.expect_request(lambda request: request.url.endswith("/_upload")) as sent:
        await page.get_by_role("button", name="Upload file").click()
    request = await sent.value
    await page.get_by_text(f"{warm_file.name} uploaded.").wait_for(timeout=30_000)
    headers = await request.all_headers()
    return browser, BrowserUpload(headers=headers)


def _request_head(upload: BrowserUpload, filename: str) -> tuple[bytes, bytes, int]:
    """The request line and headers, the multipart part's head, and its tail, as Chromium's FormData sends them."""
    part_head = (
        f"--{BOUNDARY}\r\n"
        f'Content-Disposition: form-data; name="files"; filename="{filename}"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode()
    part_tail = f"\r\n--{BOUNDARY}--\r\n".encode()
    length = len(part_head) + SIZE_BYTES + len(part_tail)
    kept = {
        name: value
        for name, value in upload.headers.items()
        if name.lower() not in {"content-type", "content-length", "host"} and not name.startswith(":")
    }
    lines = [
        "POST /_upload HTTP/1.1",
        f"Host: 127.0.0.1:{PORT}",
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}",
        f"Content-Length: {length}",
        *(f"{name}: {value}" for name, value in kept.items()),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + part_head, part_tail, length


async def _read_status(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1])


async def _post_file(upload: BrowserUpload, source: Path, filename: str) -> int:
    head, tail, _length = _request_head(upload, filename)
    reader, writer = await asyncio.open_connection("127.0.0.1", PORT)
    try:
        writer.write(head)
        await writer.drain()
        with source.open("rb") as handle:
            await asyncio.get_running_loop().sendfile(writer.transport, handle)
        writer.write(tail)
        await writer.drain()
        return await _read_status(reader)
    finally:
        writer.close()


async def _wait_for_row(connection: asyncpg.Connection, filename: str, limit_seconds: float) -> asyncpg.Record:
    deadline = time.monotonic() + limit_seconds
    while time.monotonic() < deadline:
        row = await connection.fetchrow(
            "SELECT id, storage_key, size_bytes, sha256 FROM product_files WHERE original_name = $1", filename
        )
        if row is not None:
            return row
        await asyncio.sleep(0.02)
    raise SystemExit(f"no ProductFile row for {filename} after {limit_seconds:.0f} s; see {BENCH_DIR}/creatorly.log")


@dataclass(frozen=True, slots=True)
class AppRun:
    seconds: float
    answered_seconds: float
    before_mib: float
    peak_mib: float
    samples: int

    @property
    def per_second(self) -> float:
        return SIZE_MB / self.seconds

    @property
    def growth_mib(self) -> float:
        return self.peak_mib - self.before_mib


async def _app_round(
    number: int, upload: BrowserUpload, source: Path, expected_sha256: str, sampler: RssSampler, session_token: str
) -> AppRun:
    filename = f"bench-{number}.pdf"
    connection = await asyncpg.connect(postgres_url(DATABASE))
    try:
        await asyncio.sleep(1.0)  # let the server settle after the previous round
        before = sampler.total_kib()
        profiler = _start_profiler(sampler.root_pid) if PROFILE and number == 0 else None
        sampler.start()
        started = time.perf_counter()
        status = await _post_file(upload, source, filename)
        answered = time.perf_counter() - started
        row = await _wait_for_row(connection, filename, limit_seconds=300)
        seconds = time.perf_counter() - started
        sampler.stop()
    finally:
        await connection.close()
        if profiler is not None:
            profiler.send_signal(2)
            profiler.wait()
    if status != 202:
        raise SystemExit(f"/_upload answered {status}; see {BENCH_DIR}/creatorly.log")
    stored = DATA_DIR / "files" / row["storage_key"]
    size, sha256 = stored.stat().st_size, _file_sha256(stored)
    if not (size == row["size_bytes"] == SIZE_BYTES and sha256 == row["sha256"] == expected_sha256):
        raise SystemExit(f"stored file differs: size {size} sha256 {sha256} row {dict(row)}")
    await files.delete_product_file(session_token=session_token, file_id=row["id"])
    return AppRun(seconds, answered, before / 1024, sampler.peak_kib / 1024, sampler.samples)


def _start_profiler(pid: int) -> subprocess.Popen[bytes]:
    """py-spy (collapsed stacks, GIL-holding frames and idle ones apart) over the server and its workers."""
    output = BENCH_DIR / "profile.txt"
    command = ["py-spy", "record", "--pid", str(pid), "--subprocesses", "--rate", "250", "--format", "raw"]
    quiet = subprocess.DEVNULL
    process = subprocess.Popen([*command, "--output", str(output)], stdout=quiet, stderr=quiet)
    time.sleep(1.0)  # py-spy attaches
    return process


def _cp_round(source: Path) -> tuple[float, float]:
    target = DATA_DIR / "files" / f"cp-copy-{secrets.token_hex(4)}.pdf"
    started = time.perf_counter()
    subprocess.run(["cp", str(source), str(target)], check=True)
    copied = time.perf_counter() - started
    with target.open("rb") as handle:
        os.fsync(handle.fileno())
    synced = time.perf_counter() - started
    target.unlink()
    return copied, synced


async def _session_token_of(browser: object) -> str:
    context = browser.contexts[0]  # type: ignore[attr-defined]
    cookies = await context.cookies()
    return next(cookie["value"] for cookie in cookies if cookie["name"] == "creatorly_session")


async def _run() -> None:
    from playwright.async_api import async_playwright

    print(f"Large upload: {SIZE_MB} MB through the product editor's streaming upload (production, PostgreSQL), A B A B")
    print(f"  {load_average()} (before)")
    await fresh_database(DATABASE)
    source = BENCH_DIR / "source.pdf"
    expected_sha256 = await asyncio.to_thread(_make_source, source)
    warm = BENCH_DIR / "warm-up.pdf"
    warm.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + secrets.token_bytes(200_000))
    started = time.perf_counter()
    server = start_server(
        [sys.executable, "-m", "creatorly.cli", "start"],
        port=PORT,
        log_path=BENCH_DIR / "creatorly.log",
        environment=SERVER_ENVIRONMENT,
    )
    try:
        print(f"  app built and started in {time.perf_counter() - started:.0f} s", flush=True)
        product_id = await _seed_creator_with_product()
        async with async_playwright() as playwright:
            browser, upload = await _browser_session(playwright, product_id, warm)
            token = await _session_token_of(browser)
            sampler = RssSampler(server.pid)
            app_runs: list[AppRun] = []
            cp_runs: list[tuple[float, float]] = []
            for number in range(2):
                run = await _app_round(number, upload, source, expected_sha256, sampler, token)
                app_runs.append(run)
                print(
                    f"  app   {run.seconds:6.2f} s  {run.per_second:7.1f} MB/s  "
                    f"(202 after {run.answered_seconds:5.2f} s)  RSS before {run.before_mib:6.1f} MiB  "
                    f"peak {run.peak_mib:6.1f} MiB  growth "
                    f"{run.growth_mib:6.1f} MiB  ({run.samples} samples)",
                    flush=True,
                )
                copied, synced = await asyncio.to_thread(_cp_round, source)
                cp_runs.append((copied, synced))
                print(
                    f"  cp    {copied:6.2f} s  {SIZE_MB / copied:7.1f} MB/s  (with fsync {synced:5.2f} s, "
                    f"{SIZE_MB / synced:7.1f} MB/s)",
                    flush=True,
                )
            await browser.close()  # type: ignore[attr-defined]
    finally:
        stop_server(server)
        await db.dispose_engine()
        await drop_database(DATABASE)
    best_app = max(run.per_second for run in app_runs)
    best_cp = max(SIZE_MB / copied for copied, _ in cp_runs)
    best_cp_synced = max(SIZE_MB / synced for _, synced in cp_runs)
    growth = max(run.growth_mib for run in app_runs)
    print("  verified each round: stored size and SHA-256 equal the source's and the ProductFile row's")
    print(f"  ratio app/cp (best of two each): {best_app / best_cp:.2f} (goal ≥ 0.5)")
    print(f"  ratio app/(cp + fsync): {best_app / best_cp_synced:.2f}")
    print(f"  server RSS growth (worst round): {growth:.1f} MiB (goal < 128 MiB)")
    print("  page cache: nothing dropped; the source is read from memory by both")
    print(f"  {load_average()} (after)")
    source.unlink(missing_ok=True)
    shutil.rmtree(DATA_DIR / "files", ignore_errors=True)
    print(f"  logs in {BENCH_DIR}")


def main() -> None:
    asyncio.run(_run())


if __name__ == "__main__":
    main()
