"""State of `/dashboard/products/{id}`: edit a product, its cover and its files (streamed uploads)."""

from __future__ import annotations

import asyncio
from dataclasses import asdict, dataclass, replace

import reflex as rx

from creatorly.errors import CreatorlyError, InvalidInput
from creatorly.kit.images import IMAGE_LIMITS, ImagePurpose
from creatorly.services.catalog import files, manage
from creatorly.services.catalog.rules import CATEGORIES
from creatorly.services.catalog.schemas import FileView, ProductInput
from creatorly.ui import routes
from creatorly.ui.states.auth import AuthState
from creatorly.ui.states.browser import clear_selected_files, toast
from creatorly.ui.states.dashboard.uploads import first_name_and_stream, read_capped
from creatorly.ui.states.events import Events

FILES_UPLOAD_ID = "product-files"
COVER_UPLOAD_ID = "product-cover"
SCAN_POLL_SECONDS = 2
SCAN_POLL_ATTEMPTS = 300  # ten minutes of "Scanning…"; a reload looks again
_SCAN_WAITING = ("pending", "scanning")


@dataclass
class EditorFile:
    id: int = 0
    name: str = ""
    kind: str = ""
    size: str = ""
    sha256: str = ""
    scan_status: str = "clean"  # pending, scanning, clean, infected or error
    scan_label: str = ""  # "Scanning…", "Clean", "Infected: <signature> — removed"; "" when never scanned


def _editor_file(item: FileView) -> EditorFile:
    return EditorFile(item.id, item.name, item.kind, item.size_label, item.sha256, item.scan_status, item.scan_label)


def _is_waiting(items: list[EditorFile]) -> bool:
    return any(item.scan_status in _SCAN_WAITING for item in items)


def _newly_infected(before: list[EditorFile], after: list[EditorFile]) -> list[EditorFile]:
    was_infected = {item.id for item in before if item.scan_status == "infected"}
    return [item for item in after if item.scan_status == "infected" and item.id not in was_infected]


class ProductEditorState(rx.State):
    is_found: bool = False
    is_loading: bool = True
    form: dict[str, str] = {}
    status: str = ""
    currency: str = ""  # the store's ISO code, beside the price fields
    public_url: str = ""
    cover_url: str = ""
    files: list[EditorFile] = []
    errors: dict[str, str] = {}
    categories: list[list[str]] = [[key, label] for key, label in CATEGORIES.items()]
    member_tier_options: list[list[str]] = []  # [tier id, name] for "Free for members"; "" is "Nobody"
    is_saving: bool = False
    is_uploading: bool = False
    upload_progress: int = 0
    upload_error: str = ""
    remove_file_id: int = 0  # the file whose removal confirmation is open
    _product_id: int = 0
    _is_watching_scans: bool = False

    async def _token(self) -> str:
        return (await self.get_state(AuthState)).session_token

    @rx.event
    async def load(self) -> Events:
        self.is_loading, self.errors, self.upload_error = True, {}, ""
        raw_id = str(getattr(self, "edit_product_id", "") or "")
        self._product_id = int(raw_id) if raw_id.isdigit() else 0
        try:
            detail = await manage.get_my_product(session_token=await self._token(), product_id=self._product_id)
        except CreatorlyError:
            self.is_found, self.is_loading = False, False
            return
        self.is_found = True
        self.form = {name: str(value) for name, value in asdict(detail.values).items()}
        self.status, self.public_url, self.cover_url = detail.status, detail.public_url, detail.cover_url
        self.currency = detail.currency
        self.files = [_editor_file(item) for item in detail.files]
        self.member_tier_options = [[str(option.id), option.name] for option in detail.member_tiers]
        self.is_loading = False
        yield None
        if _is_waiting(self.files):
            yield ProductEditorState.watch_scans

    @rx.event
    def set_pricing(self, pricing: str) -> None:
        self.form = {**self.form, "pricing": pricing}

    @rx.event
    async def save(self, form: dict[str, str]) -> Events:
        self.is_saving, self.errors = True, {}
        yield None
        values = ProductInput(**{name: str(form.get(name, self.form.get(name, ""))) for name in ProductInput.__slots__})
        # A browser leaves an unticked checkbox out of the form: missing means off, not "as loaded".
        values = replace(values, stamp_pdf="on" if form.get("stamp_pdf") else "")
        try:
            await manage.update_product(session_token=await self._token(), product_id=self._product_id, values=values)
        except InvalidInput as error:
            self.errors = {error.field or "title": error.message}
            yield toast.error(error.message)
            return
        except CreatorlyError as error:
            yield toast.error(error.message)
            return
        finally:
            self.is_saving = False
        yield toast.success("Saved.")
        yield ProductEditorState.load

    @rx.event
    async def change_status(self, status: str) -> Events:
        try:
            await manage.set_status(session_token=await self._token(), product_id=self._product_id, status=status)
        except CreatorlyError as error:
            yield toast.error(error.message)
            return
        labels = {"published": "Published! It's live on your storefront.", "draft": "Moved back to drafts."}
        yield toast.success(labels.get(status, "Archived."))
        yield ProductEditorState.load

    @rx.event
    def on_upload_progress(self, progress: dict[str, float]) -> None:
        self.upload_progress = round(progress.get("progress", 0) * 100)

    @rx.event(background=True)
    async def upload_file(self, chunks: rx.UploadChunkIterator) -> Events:
        async with self:
            token, product_id = (await self.get_state(AuthState)).session_token, self._product_id
            self.is_uploading, self.upload_error, self.upload_progress = True, "", 0
        try:
            name, stream = await first_name_and_stream(chunks)
            added = await files.add_product_file(
                session_token=token, product_id=product_id, filename=name, chunks=stream
            )
        except CreatorlyError as error:
            await _drain(chunks)  # a refusal before the last byte would otherwise end the request with a 400
            async with self:
                self.is_uploading, self.upload_error = False, error.message
            yield toast.error(error.message)
            return
        async with self:
            self.is_uploading, self.upload_progress = False, 100
            self.files = [*self.files, _editor_file(added)]
            await clear_selected_files(self, FILES_UPLOAD_ID)
        is_scanning = added.scan_status in _SCAN_WAITING
        yield toast.success(f"{added.name} uploaded." + (" Checking it for viruses…" if is_scanning else ""))
        if is_scanning:
            yield ProductEditorState.watch_scans

    @rx.event(background=True)
    async def watch_scans(self) -> Events:
        """While any file waits for its virus scan, look again every few seconds; tell the creator of an infection."""
        async with self:
            if self._is_watching_scans:
                return
            self._is_watching_scans = True
            token, product_id = (await self.get_state(AuthState)).session_token, self._product_id
        try:
            for _ in range(SCAN_POLL_ATTEMPTS):
                await asyncio.sleep(SCAN_POLL_SECONDS)
                try:
                    latest = [
                        _editor_file(item)
                        for item in await files.list_my_files(session_token=token, product_id=product_id)
                    ]
                except CreatorlyError:
                    return
                async with self:
                    if self._product_id != product_id:
                        return  # another product is open now
                    infected, self.files = _newly_infected(self.files, latest), latest
                for item in infected:
                    found = item.scan_label.removeprefix("Infected: ").removesuffix(" — removed")
                    yield toast.error(f"{item.name} was removed: the virus check found {found}.")
                if not _is_waiting(latest):
                    return
        finally:
            async with self:
                self._is_watching_scans = False

    @rx.event
    def cancel_upload(self) -> Events:  # type: ignore[misc]
        self.is_uploading, self.upload_progress = False, 0
        yield rx.cancel_upload(FILES_UPLOAD_ID)
        yield toast.info("Upload cancelled.")

    @rx.event
    def set_remove_open(self, file_id: int, is_open: bool) -> None:
        self.remove_file_id = file_id if is_open else 0

    @rx.event
    async def delete_file(self, file_id: int) -> Events:
        self.remove_file_id = 0
        try:
            await files.delete_product_file(session_token=await self._token(), file_id=file_id)
        except CreatorlyError as error:
            yield toast.error(error.message)
            return
        self.files = [item for item in self.files if item.id != file_id]
        yield toast.success("File removed.")

    @rx.event(background=True)
    async def upload_cover(self, chunks: rx.UploadChunkIterator) -> Events:
        async with self:
            token, product_id = (await self.get_state(AuthState)).session_token, self._product_id
        try:
            data = await read_capped(chunks, max_bytes=IMAGE_LIMITS[ImagePurpose.COVER].max_bytes, label="Cover images")
            url = await manage.set_cover(session_token=token, product_id=product_id, data=data)
        except (CreatorlyError, ValueError) as error:
            yield toast.error(getattr(error, "message", str(error)))
            return
        async with self:
            self.cover_url = url
            await clear_selected_files(self, COVER_UPLOAD_ID)
        yield toast.success("Cover updated.")

    @rx.event
    def back(self) -> Events:  # type: ignore[misc]
        yield rx.redirect(routes.DASHBOARD_PRODUCTS)


async def _drain(chunks: rx.UploadChunkIterator) -> None:
    """Read what is left of a refused upload (nothing is kept), so its request ends normally."""
    async for _chunk in chunks:
        pass
