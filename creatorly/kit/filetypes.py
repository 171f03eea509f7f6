"""Product file types from their first bytes, safe stored names, and Content-Disposition values.

Only the content decides the type; the uploader's filename and extension are never consulted.

Decisions:
- Executables are refused before anything else: ELF, Windows PE ("MZ"), Mach-O and universal binaries.
  A text file that happens to start with "MZ" is refused too; safety wins over that rare case.
- Scripts with a shebang ("#!") are refused even though they are valid UTF-8 text: a product file
  should not be one `chmod +x` away from running. Creators who sell scripts upload them in a ZIP.
- Text that opens like HTML, SVG or XML markup is refused: a browser that sniffs it could render it.
- Plain text is UTF-8 (a BOM is allowed) without NUL bytes and with at most 1 control character per
  100 (tabs and line breaks do not count). A multi-byte character cut at the end of the head is fine.
  UTF-16 text is refused (it is full of NUL bytes).
- MP4 (ISO media) is accepted when the ftyp major brand is a plain MP4 brand, M4A when it is "M4A ".
  QuickTime MOV ("qt  "), HEIC/AVIF images, 3GP and other brands are refused.
- EPUB is a ZIP whose first entry is an uncompressed `mimetype` holding `application/epub+zip`.
  Other ZIP-based formats that `filetype` names (DOCX, XLSX, ODT…) are not on the list and are refused.
- Empty files are refused.
"""

from __future__ import annotations

import codecs
import re
import struct
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

import filetype
from unidecode import unidecode

# Callers pass at least this many leading bytes (or the whole file when it is shorter).
HEAD_SIZE = 8192


@dataclass(frozen=True, slots=True)
class FileKind:
    """An allowed product file type, named from its content."""

    name: str
    mime_type: str
    extension: str


PDF = FileKind("PDF", "application/pdf", "pdf")
ZIP = FileKind("ZIP", "application/zip", "zip")
EPUB = FileKind("EPUB", "application/epub+zip", "epub")
MP3 = FileKind("MP3", "audio/mpeg", "mp3")
WAV = FileKind("WAV", "audio/wav", "wav")
MP4 = FileKind("MP4", "video/mp4", "mp4")
M4A = FileKind("M4A", "audio/mp4", "m4a")
PNG = FileKind("PNG", "image/png", "png")
JPEG = FileKind("JPEG", "image/jpeg", "jpg")
TEXT = FileKind("Text", "text/plain; charset=utf-8", "txt")
ALLOWED_KINDS = (PDF, ZIP, EPUB, MP3, WAV, MP4, M4A, PNG, JPEG, TEXT)

_EXECUTABLE_SIGNATURES = (
    b"\x7fELF",  # Linux/BSD ELF
    b"MZ",  # Windows PE and DOS executables
    b"\xfe\xed\xfa\xce",  # Mach-O 32-bit
    b"\xfe\xed\xfa\xcf",  # Mach-O 64-bit
    b"\xce\xfa\xed\xfe",  # Mach-O 32-bit, little-endian
    b"\xcf\xfa\xed\xfe",  # Mach-O 64-bit, little-endian
    b"\xca\xfe\xba\xbe",  # Mach-O universal binary (and Java classes)
    b"#!",  # scripts with an interpreter line
)
_MARKUP_OPENINGS = ("<!doctype", "<html", "<head", "<body", "<script", "<svg", "<?xml", "<iframe")
_UTF8_BOM = b"\xef\xbb\xbf"
_MP4_VIDEO_BRANDS = frozenset({b"isom", b"iso2", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"dash"})
_M4A_BRAND = b"M4A "
_EPUB_MIMETYPE = b"application/epub+zip"
_ZIP_LOCAL_HEADER = struct.Struct("<4s5H3I2H")
_TEXT_CONTROLS_ALLOWED = frozenset("\t\n\r\f")


def _looks_executable(head: bytes) -> bool:
    return head.removeprefix(_UTF8_BOM).startswith(_EXECUTABLE_SIGNATURES)


def _pdf(head: bytes) -> FileKind | None:
    return PDF if head.startswith(b"%PDF-") else None


def _is_epub(head: bytes) -> bool:
    if len(head) < _ZIP_LOCAL_HEADER.size:
        return False
    _, _, _, method, _, _, _, compressed_size, _, name_length, extra_length = _ZIP_LOCAL_HEADER.unpack_from(head)
    name_start = _ZIP_LOCAL_HEADER.size
    content_start = name_start + name_length + extra_length
    content = head[content_start : content_start + compressed_size]
    return head[name_start : name_start + name_length] == b"mimetype" and method == 0 and content == _EPUB_MIMETYPE


def _zip_or_epub(head: bytes) -> FileKind | None:
    if not head.startswith(b"PK\x03\x04"):
        return None
    return EPUB if _is_epub(head) else ZIP


def _is_id3_tag(head: bytes) -> bool:
    # "ID3", major version 2-4, revision, flags, then a four-byte "syncsafe" size (7 bits per byte).
    return len(head) >= 10 and head[:3] == b"ID3" and head[3] in (2, 3, 4) and all(b < 0x80 for b in head[6:10])


def _is_mpeg_audio_frame(head: bytes) -> bool:
    if len(head) < 4 or head[0] != 0xFF or head[1] & 0xE0 != 0xE0:
        return False
    version, layer = (head[1] >> 3) & 0b11, (head[1] >> 1) & 0b11
    bitrate, sample_rate = head[2] >> 4, (head[2] >> 2) & 0b11
    return version != 0b01 and layer != 0b00 and bitrate != 0b1111 and sample_rate != 0b11


def _mp3(head: bytes) -> FileKind | None:
    return MP3 if _is_id3_tag(head) or _is_mpeg_audio_frame(head) else None


def _wav(head: bytes) -> FileKind | None:
    return WAV if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WAVE" else None


def _iso_media(head: bytes) -> FileKind | None:
    if len(head) < 16 or head[4:8] != b"ftyp":
        return None
    box_size = int.from_bytes(head[:4], "big")
    if box_size < 16 or box_size > len(head):
        return None
    major_brand = head[8:12]
    if major_brand in _MP4_VIDEO_BRANDS:
        return MP4
    return M4A if major_brand == _M4A_BRAND else None


def _png(head: bytes) -> FileKind | None:
    return PNG if head.startswith(b"\x89PNG\r\n\x1a\n") and head[12:16] == b"IHDR" else None


def _jpeg(head: bytes) -> FileKind | None:
    return JPEG if head.startswith(b"\xff\xd8\xff") else None


# What `filetype` guesses -> the stricter explicit check that must agree before a kind is accepted.
_CONFIRMATIONS: dict[str, Callable[[bytes], FileKind | None]] = {
    "application/pdf": _pdf,
    "application/zip": _zip_or_epub,
    "application/epub+zip": _zip_or_epub,
    "audio/mpeg": _mp3,
    "audio/x-wav": _wav,
    "video/mp4": _iso_media,
    "video/x-m4v": _iso_media,
    "audio/mp4": _iso_media,
    "image/png": _png,
    "image/jpeg": _jpeg,
}


def _decoded_text(head: bytes) -> str | None:
    # A head cut inside a multi-byte character is still text: the decoder keeps the partial bytes.
    try:
        return codecs.getincrementaldecoder("utf-8-sig")().decode(head, final=False)
    except UnicodeDecodeError:
        return None


def _is_plain_text(head: bytes) -> bool:
    text = _decoded_text(head)
    if not text or "\x00" in text:
        return False
    if text.lstrip().lower().startswith(_MARKUP_OPENINGS):
        return False
    controls = sum(1 for char in text if unicodedata.category(char) == "Cc" and char not in _TEXT_CONTROLS_ALLOWED)
    return controls * 100 <= len(text)


def detect_file_kind(head: bytes) -> FileKind | None:
    """The allowed kind of a file from its first HEAD_SIZE bytes (more are ignored), else None.

    `filetype` names the format and an explicit check of that format's header must agree; bytes it does
    not recognise are accepted only as plain text. See the module docstring for what is refused.
    """
    head = head[:HEAD_SIZE]
    if not head or _looks_executable(head):
        return None
    guessed = filetype.guess_mime(head)
    confirm = _CONFIRMATIONS.get(guessed or "")
    if confirm is not None:
        return confirm(head)
    return TEXT if guessed is None and _is_plain_text(head) else None


_MAX_NAME_LENGTH = 150
_MAX_EXTENSION_LENGTH = 16
_UNSAFE_NAME_CHARACTERS = frozenset({"Cc", "Cf", "Zl", "Zp"})
_FALLBACK_UNSAFE = re.compile(r'[^\x20-\x7e]|["\\%]')


def _split_extension(name: str) -> tuple[str, str]:
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem or len(extension) + 1 > _MAX_EXTENSION_LENGTH or " " in extension:
        return name, ""
    return stem, "." + extension


def safe_original_name(name: str) -> str:
    """A display/download name without folders, control characters or leading dots; at most 150 chars.

    "../../etc/passwd" -> "passwd", "C:\\evil\\x.exe" -> "x.exe"; an empty result becomes "file".
    Format characters (such as the right-to-left override used to disguise extensions) are dropped.
    """
    normalised = unicodedata.normalize("NFC", name).replace("\\", "/")
    last_part = normalised.rsplit("/", 1)[-1]
    visible = "".join(char for char in last_part if unicodedata.category(char) not in _UNSAFE_NAME_CHARACTERS)
    cleaned = visible.strip().lstrip(".").strip()
    if not cleaned:
        return "file"
    stem, extension = _split_extension(cleaned)
    return stem[: _MAX_NAME_LENGTH - len(extension)].rstrip() + extension


def _ascii_fallback(name: str) -> str:
    stem, extension = _split_extension(name)
    ascii_stem = _FALLBACK_UNSAFE.sub("_", unidecode(stem).replace('"', "'")).strip()
    ascii_extension = _FALLBACK_UNSAFE.sub("_", unidecode(extension))
    return (ascii_stem or "file") + ascii_extension


def content_disposition(original_name: str, *, inline: bool = False) -> str:
    """An RFC 6266 Content-Disposition value with an ASCII `filename` and a UTF-8 `filename*`.

    The name is made safe first (see safe_original_name). In the ASCII fallback double quotes become
    apostrophes and backslashes, percent signs and non-ASCII leftovers become underscores.
    """
    name = safe_original_name(original_name)
    disposition = "inline" if inline else "attachment"
    encoded = quote(name, safe="")
    return f"{disposition}; filename=\"{_ascii_fallback(name)}\"; filename*=UTF-8''{encoded}"
