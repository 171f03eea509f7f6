"""Private file storage: local folder and S3 (moto's standalone server over HTTP) behave the same."""

from __future__ import annotations

import hashlib
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from creatorly.providers.storage.base import FileStorage, ObjectMissing, ObjectTooLarge
from creatorly.providers.storage.local import LocalFileStorage
from creatorly.providers.storage.s3 import PART_SIZE, S3FileStorage
from tests.integration.s3 import BUCKET


async def _chunks(data: bytes, size: int = 256 * 1024) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


async def _read_all(storage: FileStorage, key: str, **byte_range: int) -> bytes:
    return b"".join([chunk async for chunk in storage.read(key, **byte_range)])


@pytest.fixture(params=["local", "s3"])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> FileStorage:
    if request.param == "local":
        return LocalFileStorage(tmp_path / "files")
    endpoint = request.getfixturevalue("moto_endpoint")
    return S3FileStorage(
        bucket=BUCKET, region="us-east-1", endpoint_url=endpoint, access_key_id="testing", secret_access_key="testing"
    )


async def test_round_trip_with_ranges_and_checksum(storage: FileStorage) -> None:
    data = os.urandom(PART_SIZE * 2 + 12345)  # more than two multipart parts on S3
    stored = await storage.save("products/1/abc", _chunks(data), max_bytes=len(data))
    assert stored.size_bytes == len(data)
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert await storage.size("products/1/abc") == len(data)
    assert await _read_all(storage, "products/1/abc") == data
    assert await _read_all(storage, "products/1/abc", start=10, end=19) == data[10:20]
    await storage.check()
    await storage.delete("products/1/abc")
    with pytest.raises(ObjectMissing):
        await storage.size("products/1/abc")


async def test_an_oversize_stream_is_refused_and_nothing_is_kept(storage: FileStorage) -> None:
    with pytest.raises(ObjectTooLarge):
        await storage.save("products/1/big", _chunks(b"x" * 1000, size=100), max_bytes=999)
    with pytest.raises(ObjectMissing):
        await storage.size("products/1/big")


@pytest.mark.parametrize("key", ["../escape", "a/../../etc/passwd", "/absolute", ""])
async def test_local_storage_refuses_keys_that_leave_its_folder(tmp_path: Path, key: str) -> None:
    storage = LocalFileStorage(tmp_path / "files")
    with pytest.raises(ValueError, match="unsafe storage key"):
        await storage.save(key, _chunks(b"data"), max_bytes=100)
    assert not any((tmp_path).rglob("passwd"))


async def test_local_storage_leaves_no_partial_file_behind(tmp_path: Path) -> None:
    storage = LocalFileStorage(tmp_path / "files")
    with pytest.raises(ObjectTooLarge):
        await storage.save("k/1", _chunks(b"y" * 500, size=50), max_bytes=100)
    assert [path for path in (tmp_path / "files").rglob("*") if path.is_file()] == []


async def test_s3_presigned_url_serves_the_object(moto_endpoint: str) -> None:
    import httpx

    storage = S3FileStorage(
        bucket=BUCKET,
        region="us-east-1",
        endpoint_url=moto_endpoint,
        access_key_id="testing",
        secret_access_key="testing",
    )
    await storage.save("products/2/file", _chunks(b"hello presigned"), max_bytes=100)
    url = storage.presigned_url("products/2/file", expires_in_seconds=60, download_name="hello.txt")
    async with httpx.AsyncClient() as client:
        response = await client.get(url)
    assert response.status_code == 200
    assert response.content == b"hello presigned"
    assert response.headers["content-disposition"] == 'attachment; filename="hello.txt"'


async def test_local_storage_refusing_mid_stream_waits_for_the_buffer_being_written(tmp_path: Path) -> None:
    # Given a stream past the limit only after more than one 4 MiB write buffer has been handed to the writer thread
    storage = LocalFileStorage(tmp_path / "files")
    data = os.urandom(9 * 1024 * 1024)
    # When it is saved with a limit just below its size
    with pytest.raises(ObjectTooLarge):
        await storage.save("k/2", _chunks(data), max_bytes=len(data) - 1)
    # Then nothing is left behind, not even the partial file the thread was writing
    assert [path for path in (tmp_path / "files").rglob("*") if path.is_file()] == []


async def test_local_storage_hashes_every_byte_across_write_buffers(tmp_path: Path) -> None:
    # Given a stream of odd-sized chunks spanning several write buffers and a short tail
    storage = LocalFileStorage(tmp_path / "files")
    data = os.urandom(10 * 1024 * 1024 + 777)
    # When it is saved
    stored = await storage.save("k/3", _chunks(data, size=65_537), max_bytes=len(data))
    # Then the file, its size and its SHA-256 are exactly the stream's
    assert (stored.size_bytes, stored.sha256) == (len(data), hashlib.sha256(data).hexdigest())
    assert await _read_all(storage, "k/3") == data
