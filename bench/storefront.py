"""Storefront read path: seed one creator with many products among many creators, time get_storefront.

Prints median and p95 latency of the storefront use case and of GET /health through the ASGI app, on a
throw-away SQLite database (or CREATORLY_BENCH_DATABASE_URL when set).
"""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import time
from pathlib import Path

BENCH_DIR = Path(tempfile.mkdtemp(prefix="creatorly-bench-"))
os.environ["CREATORLY_DATA_DIR"] = str(BENCH_DIR)
os.environ["CREATORLY_DATABASE_URL"] = os.environ.get(
    "CREATORLY_BENCH_DATABASE_URL", f"sqlite:///{BENCH_DIR / 'bench.db'}"
)
os.environ["CREATORLY_LOG_LEVEL"] = "WARNING"

import httpx  # noqa: E402
from alembic.config import Config  # noqa: E402

from alembic import command  # noqa: E402
from creatorly import db  # noqa: E402
from creatorly.api.app import api  # noqa: E402
from creatorly.cli import PROJECT_ROOT  # noqa: E402
from creatorly.models.enums import PricingModel, Role  # noqa: E402
from creatorly.services.accounts import service as accounts  # noqa: E402
from creatorly.services.catalog import service as catalog  # noqa: E402
from creatorly.services.catalog.schemas import NewProduct  # noqa: E402
from creatorly.services.creators import service as creators  # noqa: E402

CREATORS = 50
PRODUCTS_PER_CREATOR = 50
ROUNDS = 200


async def _seed() -> None:
    for number in range(CREATORS):
        async with db.transaction() as session:
            user = await accounts.add_verified_user(
                session,
                email=f"bench{number}@example.com",
                password="x" * 12,
                display_name=f"B{number}",
                role=Role.CREATOR,
            )
            assert user.id is not None
            creator = await creators.add_creator(
                session,
                user_id=user.id,
                handle=f"bench{number}",
                display_name=f"B{number}",
                bio_markdown="",
                currency="USD",
            )
            for index in range(PRODUCTS_PER_CREATOR):
                await catalog.add_product(
                    session,
                    creator,
                    NewProduct(
                        title=f"Product {index}",
                        summary="s",
                        description_markdown="d",
                        pricing=PricingModel.FIXED,
                        price_amount=100 + index,
                        currency="USD",
                        is_published=index % 5 != 0,
                    ),
                )


async def _time(label: str, call: object) -> None:
    timings = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        await call()  # type: ignore[operator]
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    print(f"{label:<40} median {statistics.median(timings):7.2f} ms   p95 {p95:7.2f} ms   ({ROUNDS} rounds)")


async def _run() -> None:
    started = time.perf_counter()
    await _seed()
    print(f"seeded {CREATORS} creators x {PRODUCTS_PER_CREATOR} products in {time.perf_counter() - started:.1f} s")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=api), base_url="http://bench") as client:
        await _time("storefront use case (40 published cards)", lambda: catalog.get_storefront(handle="bench42"))
        await _time("GET /health (database + storage)", lambda: client.get("/health"))
    await db.dispose_engine()


def main() -> None:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.attributes["skip_logging"] = True
    command.upgrade(config, "head")
    print(f"database: {db.settings.resolved_database_url.split('://')[0]}")
    asyncio.run(_run())


if __name__ == "__main__":
    main()
