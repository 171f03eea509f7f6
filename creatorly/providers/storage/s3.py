"""Private files in an S3 bucket (or an S3-compatible server) with boto3: multipart in, ranged reads out."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from creatorly.errors import ProviderError
from creatorly.providers.storage.base import (
    InventoryItem,
    ObjectMissing,
    ObjectTooLarge,
    StorageUnavailable,
    StoredObject,
)

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

PART_SIZE = 8 * 1024 * 1024  # S3 needs parts of at least 5 MiB, except the last
_READ_CHUNK = 1024 * 1024


class S3FileStorage:
    name = "s3"

    def __init__(
        self,
        *,
        bucket: str,
        region: str,
        endpoint_url: str | None = None,
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
    ) -> None:
        self._bucket = bucket
        credentials: dict[str, Any] = {}
        if access_key_id and secret_access_key:
            credentials = {"aws_access_key_id": access_key_id, "aws_secret_access_key": secret_access_key}
        self._client: S3Client = boto3.client(
            "s3",
            region_name=region,
            endpoint_url=endpoint_url or None,
            config=Config(connect_timeout=5, read_timeout=60, retries={"max_attempts": 3, "mode": "standard"}),
            **credentials,
        )

    async def save(self, key: str, chunks: AsyncIterator[bytes], *, max_bytes: int) -> StoredObject:
        upload = await self._call(self._client.create_multipart_upload, Bucket=self._bucket, Key=key)
        upload_id = upload["UploadId"]
        try:
            size, digest, parts = await self._upload_parts(key, upload_id, chunks, max_bytes)
            await self._call(
                self._client.complete_multipart_upload,
                Bucket=self._bucket,
                Key=key,
                UploadId=upload_id,
                MultipartUpload={"Parts": parts},
            )
        except BaseException:
            await self._call(self._client.abort_multipart_upload, Bucket=self._bucket, Key=key, UploadId=upload_id)
            raise
        return StoredObject(key=key, size_bytes=size, sha256=digest)

    async def _upload_parts(
        self, key: str, upload_id: str, chunks: AsyncIterator[bytes], max_bytes: int
    ) -> tuple[int, str, list[Any]]:
        digest = hashlib.sha256()
        buffer = bytearray()
        parts: list[Any] = []
        size = 0

        async def flush() -> None:
            number = len(parts) + 1
            answer = await self._call(
                self._client.upload_part,
                Bucket=self._bucket,
                Key=key,
                UploadId=upload_id,
                PartNumber=number,
                Body=bytes(buffer),
            )
            parts.append({"ETag": answer["ETag"], "PartNumber": number})
            buffer.clear()

        async for chunk in chunks:
            size += len(chunk)
            if size > max_bytes:
                raise ObjectTooLarge(f"larger than {max_bytes} bytes")
            digest.update(chunk)
            buffer.extend(chunk)
            if len(buffer) >= PART_SIZE:
                await flush()
        if buffer or not parts:
            await flush()
        return size, digest.hexdigest(), parts

    async def read(self, key: str, *, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        byte_range = f"bytes={start}-{'' if end is None else end}"
        answer = await self._call(self._client.get_object, Bucket=self._bucket, Key=key, Range=byte_range)
        body = answer["Body"]
        try:
            while chunk := await asyncio.to_thread(body.read, _READ_CHUNK):
                yield chunk
        finally:
            body.close()

    async def size(self, key: str) -> int:
        answer = await self._call(self._client.head_object, Bucket=self._bucket, Key=key)
        return int(answer["ContentLength"])

    async def delete(self, key: str) -> None:
        await self._call(self._client.delete_object, Bucket=self._bucket, Key=key)

    async def check(self) -> None:
        await self._call(self._client.head_bucket, Bucket=self._bucket)

    async def inventory(self) -> list[InventoryItem]:
        """Every object in the bucket (key, size, ETag), page by page."""
        return await self._call(self._list_everything)  # type: ignore[no-any-return]

    def _list_everything(self) -> list[InventoryItem]:
        items = []
        for page in self._client.get_paginator("list_objects_v2").paginate(Bucket=self._bucket):
            for found in page.get("Contents", []):
                items.append(
                    InventoryItem(key=found["Key"], size_bytes=int(found["Size"]), etag=found["ETag"].strip('"'))
                )
        return items

    def presigned_url(self, key: str, *, expires_in_seconds: int, download_name: str) -> str:
        """A short-lived GET link that names the download safely."""
        return self._client.generate_presigned_url(
            "get_object",
            Params={
                "Bucket": self._bucket,
                "Key": key,
                "ResponseContentDisposition": f'attachment; filename="{download_name}"',
            },
            ExpiresIn=expires_in_seconds,
        )

    async def _call(self, method: Any, **arguments: Any) -> Any:
        try:
            return await asyncio.to_thread(method, **arguments)
        except ClientError as error:
            code = str(error.response.get("Error", {}).get("Code", ""))
            if code in {"NoSuchKey", "404", "NotFound"}:
                raise ObjectMissing(arguments.get("Key", "")) from error
            status = int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 500))
            raise ProviderError(f"S3 error {code}", is_retryable=status >= 500 or status == 429) from error
        except BotoCoreError as error:  # endpoint unreachable, connection closed, read timeout
            raise StorageUnavailable(f"S3 unreachable: {type(error).__name__}") from error
