"""Migrations apply to empty SQLite and PostgreSQL databases and match the models (`alembic check`)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest
from sqlalchemy import inspect

from alembic import command
from creatorly import db
from creatorly.config import settings
from tests.database import alembic_config
from tests.processes import in_fresh_thread, run_async

CORE_TABLES = {"users", "creators", "products", "product_files", "orders", "external_events", "outbox_emails"}


async def _table_names() -> set[str]:
    async with db.get_engine().connect() as connection:
        return await connection.run_sync(lambda sync: set(inspect(sync).get_table_names()))


def _upgrade_check_downgrade() -> None:
    config = alembic_config()
    command.upgrade(config, "head")
    assert run_async(_table_names()) >= CORE_TABLES
    command.check(config)  # raises when the models and the migrations disagree
    command.downgrade(config, "base")
    assert run_async(_table_names()) == {"alembic_version"}
    command.upgrade(config, "head")


def test_migrations_apply_to_an_empty_sqlite_and_show_no_drift(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(settings, "database_url", f"sqlite:///{tmp_path / 'fresh.db'}")
    in_fresh_thread(_upgrade_check_downgrade)


def _postgres_server_url() -> str:
    url = os.environ.get("CREATORLY_TEST_DATABASE_URL", "")
    if not url.startswith("postgres"):
        pytest.skip("set CREATORLY_TEST_DATABASE_URL to a PostgreSQL URL to run this (.ci/run does)")
    return url


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


@pytest.mark.postgres
def test_migrations_apply_to_an_empty_postgresql_and_show_no_drift(monkeypatch: pytest.MonkeyPatch) -> None:
    server = _postgres_server_url()
    name = f"creatorly_migrations_{secrets.token_hex(4)}"
    admin_url = _with_database(server, "postgres").replace("postgresql+asyncpg://", "postgresql://")

    async def admin(statement: str) -> None:
        connection = await asyncpg.connect(admin_url)
        try:
            await connection.execute(statement)
        finally:
            await connection.close()

    run_async(admin(f'CREATE DATABASE "{name}"'))
    try:
        monkeypatch.setattr(settings, "database_url", _with_database(server, name))
        in_fresh_thread(_upgrade_check_downgrade)
    finally:
        run_async(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def test_upgrading_a_sqlite_database_keeps_its_data(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Batch table rebuilds must not cascade-delete children (foreign keys are off while migrating)."""
    monkeypatch.setattr(settings, "database_url", f"sqlite:///{tmp_path / 'old.db'}")
    config = alembic_config()
    in_fresh_thread(command.upgrade, config, "0002_accounts")
    run_async(_insert_rows_as_of_0002())
    in_fresh_thread(command.upgrade, config, "head")
    assert run_async(_scalar("SELECT count(*) FROM products")) == 1
    assert run_async(_scalar("SELECT count(*) FROM product_files")) == 1
    assert run_async(_scalar("SELECT download_limit FROM products")) == 5
    assert run_async(_scalar("SELECT social_links FROM creators")) == "[]"


async def _insert_rows_as_of_0002() -> None:
    now = "2026-01-01 00:00:00+00:00"
    async with db.get_engine().begin() as connection:
        await connection.exec_driver_sql(
            "INSERT INTO users (id, email, display_name, role, is_active, created_at, updated_at) "
            f"VALUES (1, 'old@example.com', 'Old', 'creator', 1, '{now}', '{now}')"
        )
        await connection.exec_driver_sql(
            "INSERT INTO creators (id, user_id, handle, handle_skeleton, display_name, bio_markdown, accent_color, "
            f"default_currency, timezone, created_at, updated_at) VALUES (1, 1, 'old', 'old', 'Old', '', '#000000', "
            f"'USD', 'UTC', '{now}', '{now}')"
        )
        await connection.exec_driver_sql(
            "INSERT INTO products (id, creator_id, slug, title, summary, description_markdown, pricing, price_amount, "
            f"currency, status, created_at, updated_at) VALUES (1, 1, 'zine', 'Zine', '', '', 'fixed', 500, 'USD', "
            f"'published', '{now}', '{now}')"
        )
        await connection.exec_driver_sql(
            "INSERT INTO product_files (id, product_id, storage_key, original_name, content_type, size_bytes, sha256, "
            f"created_at) VALUES (1, 1, 'files/1/1/k', 'zine.pdf', 'application/pdf', 10, 'x', '{now}')"
        )


async def _scalar(sql: str) -> object:
    async with db.get_engine().connect() as connection:
        return (await connection.exec_driver_sql(sql)).scalar()


def test_visitor_marks_survive_the_rekeying_migration_both_ways(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """0012 rekeys today's visitor marks from the rollup row's id to the rollup's key, and back on downgrade."""
    monkeypatch.setattr(settings, "database_url", f"sqlite:///{tmp_path / 'marks.db'}")
    config = alembic_config()
    in_fresh_thread(command.upgrade, config, "0011_members_free_products")
    run_async(_insert_rows_as_of_0002())
    run_async(_insert_marks_as_of_0011())
    in_fresh_thread(command.upgrade, config, "head")
    marks = "SELECT creator_id, day, kind, dimension, visitor_id FROM analytics_daily_visitors ORDER BY visitor_id"
    assert run_async(_rows(marks)) == [
        (1, "2026-11-22", "product_view", "product:1", "v1"),
        (1, "2026-11-22", "product_view", "product:1", "v2"),
    ]
    in_fresh_thread(command.downgrade, config, "0011_members_free_products")
    old = "SELECT rollup_id, visitor_id, day FROM analytics_daily_visitors ORDER BY rollup_id, visitor_id"
    # a mark now stands for the key in every currency, so going back it marks each currency's row
    assert run_async(_rows(old)) == [
        (1, "v1", "2026-11-22"),
        (1, "v2", "2026-11-22"),
        (2, "v1", "2026-11-22"),
        (2, "v2", "2026-11-22"),
    ]


async def _insert_marks_as_of_0011() -> None:
    async with db.get_engine().begin() as connection:
        await connection.exec_driver_sql(
            "INSERT INTO analytics_daily (id, creator_id, day, kind, dimension, dimension_type, currency, events, "
            "visitors, amount, net_amount) VALUES "
            "(1, 1, '2026-11-22', 'product_view', 'product:1', 'product', 'USD', 2, 2, 0, 0), "
            "(2, 1, '2026-11-22', 'product_view', 'product:1', 'product', 'EUR', 1, 1, 0, 0)"
        )
        await connection.exec_driver_sql(
            "INSERT INTO analytics_daily_visitors (rollup_id, visitor_id, day) VALUES "
            "(1, 'v1', '2026-11-22'), (2, 'v1', '2026-11-22'), (1, 'v2', '2026-11-22')"
        )


async def _rows(sql: str) -> list[tuple[object, ...]]:
    async with db.get_engine().connect() as connection:
        return [tuple(row) for row in (await connection.exec_driver_sql(sql)).all()]


def test_tip_jars_in_another_currency_than_the_store_start_again_in_the_store_currency(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """0015: a tip jar saved in a currency other than the store's takes the store's, with its defaults."""
    monkeypatch.setattr(settings, "database_url", f"sqlite:///{tmp_path / 'tips.db'}")
    config = alembic_config()
    in_fresh_thread(command.upgrade, config, "0014_subscription_event_kinds")
    run_async(_insert_rows_as_of_0002())
    run_async(_insert_tip_settings_as_of_0014())
    in_fresh_thread(command.upgrade, config, "head")
    settings_rows = "SELECT creator_id, goal_currency, presets, goal_title, goal_amount FROM tip_settings ORDER BY 1"
    assert run_async(_rows(settings_rows)) == [
        (1, "USD", "[300, 700]", "Camera", 50000),  # already in the store's currency: kept
        (2, "INR", "[]", "", None),  # was USD in a rupee store
    ]


async def _insert_tip_settings_as_of_0014() -> None:
    now = "2026-01-01 00:00:00+00:00"
    async with db.get_engine().begin() as connection:
        await connection.exec_driver_sql(
            "INSERT INTO users (id, email, display_name, role, is_active, created_at, updated_at) "
            f"VALUES (2, 'rupee@example.com', 'Rupee', 'creator', 1, '{now}', '{now}')"
        )
        await connection.exec_driver_sql(
            "INSERT INTO creators (id, user_id, handle, handle_skeleton, display_name, bio_markdown, social_links, "
            f"accent_color, default_currency, timezone, created_at, updated_at) VALUES (2, 2, 'rupee', 'rupee', "
            f"'Rupee', '', '[]', '#000000', 'INR', 'UTC', '{now}', '{now}')"
        )
        await connection.exec_driver_sql(
            "INSERT INTO tip_settings (creator_id, presets, goal_title, goal_amount, goal_currency, updated_at) VALUES "
            f"(1, '[300, 700]', 'Camera', 50000, 'USD', '{now}'), (2, '[300, 500]', 'Trip', 90000, 'USD', '{now}')"
        )
