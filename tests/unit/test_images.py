"""Image uploads: limits checked before decoding, metadata stripped, WebP out at the purpose's size."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image, ImageCms

from creatorly.kit.images import ImagePurpose, ImageRejected, ProcessedImage, process_image

MEBIBYTE = 1024 * 1024
RED, GREEN, BLUE = (220, 20, 20), (20, 200, 20), (20, 20, 220)


def _encode(image: Image.Image, image_format: str, **params: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, image_format, **params)
    return buffer.getvalue()


def _png(width: int, height: int, color: tuple[int, ...] = RED, mode: str = "RGB") -> bytes:
    return _encode(Image.new(mode, (width, height), color), "PNG")


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _png_declaring(width: int, height: int) -> bytes:
    """A PNG whose header claims width x height but which holds a single byte of pixel data."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(b"\x00"))
        + _png_chunk(b"IEND", b"")
    )


def _opened(processed: ProcessedImage) -> Image.Image:
    return Image.open(io.BytesIO(processed.data))


def _is_close(actual: tuple[int, ...], expected: tuple[int, ...], tolerance: int = 12) -> bool:
    return all(abs(a - e) <= tolerance for a, e in zip(actual, expected, strict=False))


def test_exif_gps_and_xmp_are_gone_after_processing() -> None:
    # given: a phone-style JPEG with camera, GPS and XMP metadata
    exif = Image.Exif()
    exif[0x010F] = "SpyCam Industries"  # Make
    exif[0x0110] = "SpyCam 3000"  # Model
    exif[0x8825] = {1: "N", 2: (48.0, 51.0, 24.0), 3: "E", 4: (2.0, 21.0, 8.0)}  # GPS IFD
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/">secret-location</x:xmpmeta>'
    original = _encode(Image.new("RGB", (640, 480), GREEN), "JPEG", exif=exif, xmp=xmp)
    assert b"SpyCam" in original and b"secret-location" in original

    # when
    processed = process_image(original, purpose=ImagePurpose.COVER)

    # then
    result = _opened(processed)
    assert b"SpyCam" not in processed.data
    assert b"secret-location" not in processed.data
    assert dict(result.getexif()) == {}
    assert {"exif", "xmp", "icc_profile"} & set(result.info) == set()


def test_colour_profile_is_applied_then_dropped() -> None:
    # given
    srgb_profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    original = _encode(Image.new("RGB", (64, 64), GREEN), "JPEG", icc_profile=srgb_profile, quality=95)

    # when
    processed = process_image(original, purpose=ImagePurpose.COVER)

    # then
    result = _opened(processed)
    assert "icc_profile" not in result.info
    assert b"ICCP" not in processed.data
    assert _is_close(result.convert("RGB").getpixel((32, 32)), GREEN)  # type: ignore[arg-type]


def test_output_is_webp_with_matching_dimensions() -> None:
    # when
    processed = process_image(_png(800, 600), purpose=ImagePurpose.COVER)

    # then
    result = _opened(processed)
    assert (processed.content_type, processed.extension) == ("image/webp", "webp")
    assert processed.data[:4] == b"RIFF" and processed.data[8:12] == b"WEBP"
    assert (result.format, result.size, result.mode) == ("WEBP", (800, 600), "RGB")
    assert (processed.width, processed.height) == (800, 600)


@pytest.mark.parametrize(
    ("purpose", "given_size", "expected_size"),
    [
        (ImagePurpose.AVATAR, (1200, 900), (512, 512)),
        (ImagePurpose.AVATAR, (300, 200), (200, 200)),
        (ImagePurpose.BANNER, (4800, 1200), (2400, 600)),
        (ImagePurpose.BANNER, (3000, 3000), (800, 800)),
        (ImagePurpose.BANNER, (1000, 300), (1000, 300)),
        (ImagePurpose.COVER, (2000, 4000), (800, 1600)),
        (ImagePurpose.COVER, (500, 700), (500, 700)),
    ],
)
def test_each_purpose_fits_its_size_limits_without_upscaling(
    purpose: ImagePurpose, given_size: tuple[int, int], expected_size: tuple[int, int]
) -> None:
    processed = process_image(_png(*given_size), purpose=purpose)

    assert (processed.width, processed.height) == expected_size
    assert _opened(processed).size == expected_size


def test_avatar_is_a_centred_square_crop() -> None:
    # given: red | green | blue thirds side by side
    image = Image.new("RGB", (300, 100), RED)
    image.paste(GREEN, (100, 0, 200, 100))
    image.paste(BLUE, (200, 0, 300, 100))

    # when
    result = _opened(process_image(_encode(image, "PNG"), purpose=ImagePurpose.AVATAR)).convert("RGB")

    # then: only the green middle remains
    assert result.size == (100, 100)
    for point in [(2, 2), (50, 50), (97, 97)]:
        assert _is_close(result.getpixel(point), GREEN), point  # type: ignore[arg-type]


def test_exif_orientation_is_applied_before_resizing() -> None:
    # given: a landscape JPEG that the camera says must be rotated 90 degrees
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90 CW
    original = _encode(Image.new("RGB", (400, 200), BLUE), "JPEG", exif=exif)

    # when
    processed = process_image(original, purpose=ImagePurpose.COVER)

    # then
    assert (processed.width, processed.height) == (200, 400)


def test_transparency_is_kept() -> None:
    processed = process_image(_png(64, 64, (10, 20, 30, 0), mode="RGBA"), purpose=ImagePurpose.AVATAR)

    result = _opened(processed)
    assert result.mode == "RGBA"
    assert result.getpixel((32, 32))[3] == 0  # type: ignore[index]


def test_webp_and_gif_uploads_are_accepted() -> None:
    webp = process_image(_encode(Image.new("RGB", (40, 30), RED), "WEBP"), purpose=ImagePurpose.COVER)
    gif = process_image(_encode(Image.new("RGB", (40, 30), RED), "GIF"), purpose=ImagePurpose.COVER)

    assert (webp.width, webp.height) == (40, 30)
    assert (gif.width, gif.height) == (40, 30)


def test_animated_gif_keeps_its_first_frame() -> None:
    # given
    frames = [Image.new("RGB", (60, 60), RED), Image.new("RGB", (60, 60), BLUE)]
    animated = _encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)

    # when
    result = _opened(process_image(animated, purpose=ImagePurpose.AVATAR)).convert("RGB")

    # then
    assert getattr(result, "n_frames", 1) == 1
    assert _is_close(result.getpixel((30, 30)), RED)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("purpose", "limit", "expected_message"),
    [
        (ImagePurpose.AVATAR, 5 * MEBIBYTE, "Images can be at most 5 MB."),
        (ImagePurpose.BANNER, 10 * MEBIBYTE, "Images can be at most 10 MB."),
        (ImagePurpose.COVER, 10 * MEBIBYTE, "Images can be at most 10 MB."),
    ],
)
def test_oversize_bytes_are_refused_before_decoding(purpose: ImagePurpose, limit: int, expected_message: str) -> None:
    # given: a valid small PNG padded past the limit (decoding it would have succeeded)
    oversize = _png(10, 10) + b"\x00" * limit

    # when / then
    with pytest.raises(ImageRejected) as refusal:
        process_image(oversize, purpose=purpose)
    assert str(refusal.value) == expected_message


@pytest.mark.parametrize("size", [(7000, 7000), (10_000, 10_000), (50_000, 50_000)])
def test_a_huge_declared_size_is_refused_without_decoding(size: tuple[int, int]) -> None:
    # given: a tiny file whose header claims tens of megapixels or more; decoding would say "damaged"
    crafted = _png_declaring(*size)
    assert len(crafted) < 100

    # when / then
    with pytest.raises(ImageRejected) as refusal:
        process_image(crafted, purpose=ImagePurpose.COVER)
    assert str(refusal.value) == "That image is too large (at most 40 megapixels)."


def test_a_declared_size_within_the_limit_is_decoded_and_found_damaged() -> None:
    with pytest.raises(ImageRejected) as refusal:
        process_image(_png_declaring(2000, 2000), purpose=ImagePurpose.COVER)

    assert str(refusal.value) == "That image file is damaged or incomplete."


@pytest.mark.parametrize(
    "content",
    [
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n%%EOF\n",
        b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 64,
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
        _encode(Image.new("RGB", (10, 10)), "BMP"),
        _encode(Image.new("RGB", (10, 10)), "TIFF"),
        b"",
    ],
)
def test_anything_but_png_jpeg_webp_or_gif_is_refused(content: bytes) -> None:
    with pytest.raises(ImageRejected) as refusal:
        process_image(content, purpose=ImagePurpose.AVATAR)

    assert str(refusal.value) == "That file isn't a PNG, JPEG, WebP or GIF image."


@pytest.mark.parametrize(
    "content",
    [
        _png(200, 200)[:120],
        b"\x89PNG\r\n\x1a\n" + _encode(Image.new("RGB", (10, 10)), "JPEG")[8:],
        b"\xff\xd8\xff" + b"\x00" * 64,
    ],
)
def test_damaged_or_mislabelled_images_are_refused(content: bytes) -> None:
    with pytest.raises(ImageRejected) as refusal:
        process_image(content, purpose=ImagePurpose.COVER)

    assert str(refusal.value) == "That image file is damaged or incomplete."


def test_image_rejected_is_a_value_error() -> None:
    assert issubclass(ImageRejected, ValueError)
