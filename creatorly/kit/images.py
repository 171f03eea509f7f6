"""Creator image uploads checked, decoded within limits, resized and re-encoded as metadata-free WebP."""

from __future__ import annotations

import struct
import warnings
from dataclasses import dataclass
from enum import StrEnum
from io import BytesIO

from PIL import Image, ImageCms, ImageOps

MAX_PIXELS = 40_000_000
WEBP_QUALITY = 85
_MEBIBYTE = 1024 * 1024

NOT_AN_IMAGE = "That file isn't a PNG, JPEG, WebP or GIF image."
TOO_MANY_PIXELS = f"That image is too large (at most {MAX_PIXELS // 1_000_000} megapixels)."
DAMAGED_IMAGE = "That image file is damaged or incomplete."

# Everything Pillow's decoders raise on hostile or broken input; anything else is a bug worth seeing.
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, IndexError, struct.error)
_ALPHA_MODES = frozenset({"RGBA", "RGBa", "LA", "La", "PA"})


class ImageRejected(ValueError):
    """The upload is not an image Creatorly accepts; the message is safe to show to the creator."""


class ImagePurpose(StrEnum):
    AVATAR = "avatar"
    BANNER = "banner"
    COVER = "cover"


@dataclass(frozen=True, slots=True)
class ImageLimits:
    max_bytes: int
    max_width: int
    max_height: int
    is_square_crop: bool


IMAGE_LIMITS: dict[ImagePurpose, ImageLimits] = {
    ImagePurpose.AVATAR: ImageLimits(5 * _MEBIBYTE, 512, 512, is_square_crop=True),
    ImagePurpose.BANNER: ImageLimits(10 * _MEBIBYTE, 2400, 800, is_square_crop=False),
    ImagePurpose.COVER: ImageLimits(10 * _MEBIBYTE, 1600, 1600, is_square_crop=False),
}


@dataclass(frozen=True, slots=True)
class ProcessedImage:
    """A re-encoded image ready to store: WebP bytes without EXIF, XMP or ICC metadata."""

    data: bytes
    width: int
    height: int
    content_type: str = "image/webp"
    extension: str = "webp"


def _pillow_format(data: bytes) -> str:
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "GIF"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    raise ImageRejected(NOT_AN_IMAGE)


def _open_header(data: bytes, pillow_format: str) -> Image.Image:
    # Image.open reads only the header. Pillow's MAX_IMAGE_PIXELS is process-wide, so it is left alone:
    # our lower MAX_PIXELS is checked right after, and Pillow's bomb warning becomes an error. (The
    # warnings filter is process-wide too; a thread racing it can only end up stricter, never looser.)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(BytesIO(data), formats=[pillow_format])
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageRejected(TOO_MANY_PIXELS) from None
    except _DECODE_ERRORS:
        raise ImageRejected(DAMAGED_IMAGE) from None
    width, height = image.size
    if width * height > MAX_PIXELS:
        raise ImageRejected(TOO_MANY_PIXELS)
    return image


def _decode_upright(image: Image.Image, limits: ImageLimits) -> Image.Image:
    longest_side = max(limits.max_width, limits.max_height)
    # JPEG can decode at 1/2, 1/4 or 1/8 scale while staying at least this big: far less memory.
    image.draft(image.mode, (longest_side, longest_side))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image.load()  # the first frame of an animated GIF or WebP
            upright = ImageOps.exif_transpose(image)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageRejected(TOO_MANY_PIXELS) from None
    except _DECODE_ERRORS:
        raise ImageRejected(DAMAGED_IMAGE) from None
    return upright if upright is not None else image


def _to_srgb(image: Image.Image) -> Image.Image:
    has_alpha = image.mode in _ALPHA_MODES or "transparency" in image.info
    mode = "RGBA" if has_alpha else "RGB"
    icc_profile = image.info.get("icc_profile")
    if icc_profile:
        # Phone photos often carry Display P3; converting keeps their colours once the profile is dropped.
        try:
            source = ImageCms.ImageCmsProfile(BytesIO(icc_profile))
            converted = ImageCms.profileToProfile(image, source, ImageCms.createProfile("sRGB"), outputMode=mode)
        except (ImageCms.PyCMSError, OSError, ValueError):
            converted = None
        if converted is not None:
            return converted
    return image.convert(mode)


def _resize(image: Image.Image, limits: ImageLimits) -> Image.Image:
    if limits.is_square_crop:
        side = min(limits.max_width, image.width, image.height)
        return ImageOps.fit(image, (side, side), method=Image.Resampling.LANCZOS)
    resized = image.copy()
    resized.thumbnail((limits.max_width, limits.max_height), Image.Resampling.LANCZOS)  # never enlarges
    return resized


def _encode_webp(image: Image.Image) -> ProcessedImage:
    image.info.clear()  # WebP writes only what is passed to save(); clearing keeps it that way
    buffer = BytesIO()
    image.save(buffer, format="WEBP", quality=WEBP_QUALITY)
    return ProcessedImage(data=buffer.getvalue(), width=image.width, height=image.height)


def process_image(data: bytes, *, purpose: ImagePurpose) -> ProcessedImage:
    """Check, decode, orient, resize and re-encode an uploaded image as WebP without metadata.

    Refusals raise ImageRejected with a message for the creator: too many bytes (checked first), not a
    PNG/JPEG/WebP/GIF by its magic bytes, more than MAX_PIXELS declared in the header (checked before
    any pixel is decoded), or a damaged file. Animated images keep their first frame.
    """
    limits = IMAGE_LIMITS[purpose]
    if len(data) > limits.max_bytes:
        raise ImageRejected(f"Images can be at most {limits.max_bytes // _MEBIBYTE} MB.")
    image = _open_header(data, _pillow_format(data))
    upright = _decode_upright(image, limits)
    return _encode_webp(_resize(_to_srgb(upright), limits))
