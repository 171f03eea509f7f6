"""Dependencies down: a real redis-server stopped and started again, a files folder that is not a folder, and the
classification that turns each outage into a 503 naming the part."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.routing import Route
from starlette.testclient import TestClient

from creatorly.api.unavailable import EXCEPTION_HANDLERS
from creatorly.kit.streams import single_chunk
from creatorly.providers import ratelimit
from creatorly.providers.ratelimit import RateLimiter
from creatorly.providers.storage.base import StorageUnavailable
from creatorly.providers.storage.local import LocalFileStorage
from tests.processes import REDIS_SERVER_PATH, RedisServer, free_port


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    if not Path(REDIS_SERVER_PATH).exists():
        pytest.skip("redis-server is not installed")
    server = RedisServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


async def test_rate_limits_fall_back_to_memory_while_redis_is_down_and_recover(
    redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ratelimit, "REDIS_RETRY_SECONDS", 0.0)
    limiter = RateLimiter(f"redis://127.0.0.1:{redis_server.port}/0")
    assert await limiter.hit("2/minute", "up") is True
    assert not limiter.is_using_memory

    redis_server.stop()
    assert [await limiter.hit("2/minute", "down") for _ in range(3)] == [True, True, False]  # still limited

    redis_server.start()
    assert await limiter.hit("2/minute", "back") is True
    assert not limiter.is_using_memory


async def test_a_files_folder_that_is_not_a_folder_is_storage_unavailable(tmp_path: Path) -> None:
    root = tmp_path / "files"
    root.write_bytes(b"not a folder")  # root ignores chmod; a regular file in the way fails for everyone
    storage = LocalFileStorage(root)
    with pytest.raises(StorageUnavailable):
        await storage.check()
    with pytest.raises(StorageUnavailable):
        await storage.save("files/1/2/key", single_chunk(b"%PDF-1.4"), max_bytes=100)

    root.unlink()  # the folder comes back
    await storage.check()
    stored = await storage.save("files/1/2/key", single_chunk(b"%PDF-1.4"), max_bytes=100)
    assert stored.size_bytes == 8


def _failing_app(error: Exception) -> Starlette:
    async def route(_request: Request) -> None:
        raise error

    return Starlette(routes=[Route("/x", route)], exception_handlers=EXCEPTION_HANDLERS)


@pytest.mark.parametrize(
    ("error", "part"),
    [
        (StorageUnavailable("local storage: NotADirectoryError"), "storage"),
        (RedisConnectionError("Connection refused"), "redis"),
    ],
)
def test_an_outage_answers_503_naming_the_part_without_a_traceback(error: Exception, part: str) -> None:
    with TestClient(_failing_app(error), raise_server_exceptions=False) as client:
        answer = client.get("/x")
        page = client.get("/x", headers={"Accept": "text/html"})
    assert answer.status_code == 503
    assert answer.json()["unavailable"] == part
    assert answer.headers["Retry-After"]
    assert "Traceback" not in answer.text
    assert page.status_code == 503 and "Temporarily unavailable" in page.text


async def test_a_database_that_does_not_answer_answers_503_naming_the_database() -> None:
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    port = free_port()  # nothing listens there: the database is down
    engine = create_async_engine(f"postgresql+asyncpg://postgres@127.0.0.1:{port}/x", connect_args={"timeout": 2})
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception as error:
        caught = error
    finally:
        await engine.dispose()
    with TestClient(_failing_app(caught), raise_server_exceptions=False) as client:
        answer = client.get("/x")
    assert answer.status_code == 503
    assert answer.json()["unavailable"] == "database"
