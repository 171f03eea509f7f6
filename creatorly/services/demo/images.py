"""The demo's pictures, drawn in code (no files to ship): product covers, the creator's avatar and banner, as PNG."""

from __future__ import annotations

import io
import random
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFilter, ImageFont

COVER_SIZE = (1200, 900)
AVATAR_SIZE = (512, 512)
BANNER_SIZE = (2400, 800)


@dataclass(frozen=True, slots=True)
class Palette:
    top: tuple[int, int, int]
    bottom: tuple[int, int, int]
    accent: tuple[int, int, int]


PALETTES = [
    Palette((255, 183, 94), (186, 72, 60), (255, 236, 200)),  # golden hour
    Palette((120, 190, 220), (64, 88, 170), (230, 244, 255)),  # watercolor blue
    Palette((60, 60, 72), (150, 120, 90), (240, 220, 180)),  # film and darkroom
    Palette((250, 210, 160), (90, 150, 160), (255, 250, 235)),  # Lisbon tiles
    Palette((40, 44, 60), (110, 60, 90), (250, 200, 120)),  # notebook
]


def _gradient(size: tuple[int, int], palette: Palette) -> Image.Image:
    height = size[1]
    column = Image.new("RGB", (1, height))
    for y in range(height):
        share = y / max(height - 1, 1)
        column.putpixel(
            (0, y), tuple(round(a + (b - a) * share) for a, b in zip(palette.top, palette.bottom, strict=True))
        )
    return column.resize(size)


def _shapes(image: Image.Image, palette: Palette, rng: random.Random, *, count: int) -> Image.Image:
    """Soft translucent circles and a horizon band: reads as light and landscape at thumbnail size."""
    layer = Image.new("RGBA", image.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    width, height = image.size
    for _ in range(count):
        radius = rng.randint(height // 10, height // 3)
        x, y = rng.randint(0, width), rng.randint(0, height)
        alpha = rng.randint(40, 110)
        draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=(*palette.accent, alpha))
    draw.rectangle((0, int(height * 0.72), width, height), fill=(*palette.bottom, 90))
    blurred = layer.filter(ImageFilter.GaussianBlur(radius=max(width // 120, 2)))
    return Image.alpha_composite(image.convert("RGBA"), blurred)


def _translucent(image: Image.Image) -> tuple[Image.Image, ImageDraw.ImageDraw]:
    """A clear layer the size of `image` to draw see-through shapes on (ImageDraw does not blend by itself)."""
    layer = Image.new("RGBA", image.size, (0, 0, 0, 0))
    return layer, ImageDraw.Draw(layer)


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="PNG", optimize=False)
    return buffer.getvalue()


def _wrapped(title: str, *, per_line: int) -> list[str]:
    lines: list[str] = []
    for word in title.split():
        if lines and len(lines[-1]) + len(word) < per_line:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


def cover_png(title: str, *, index: int, seed: int) -> bytes:
    """A product cover: gradient, light shapes and the title in large type."""
    rng = random.Random(f"{seed}:cover:{index}")
    palette = PALETTES[index % len(PALETTES)]
    image = _shapes(_gradient(COVER_SIZE, palette), palette, rng, count=9)
    shadow, shade = _translucent(image)
    font = _font(84)
    lines = _wrapped(title, per_line=16)
    for number, line in enumerate(lines):
        shade.text((84, 124 + number * 104), line, font=font, fill=(0, 0, 0, 90))
    image = Image.alpha_composite(image, shadow.filter(ImageFilter.GaussianBlur(radius=3)))
    draw = ImageDraw.Draw(image)
    for number, line in enumerate(lines):
        draw.text((80, 120 + number * 104), line, font=font, fill=(255, 255, 255, 255))
    draw.text((84, COVER_SIZE[1] - 110), "MIRA COSTA", font=_font(40), fill=(*palette.accent, 255))
    return _png(image)


def avatar_png(initials: str, *, seed: int) -> bytes:
    """A round monogram on a warm gradient."""
    palette = PALETTES[0]
    image = _shapes(_gradient(AVATAR_SIZE, palette), palette, random.Random(f"{seed}:avatar"), count=4)
    draw = ImageDraw.Draw(image)
    draw.ellipse((56, 56, 456, 456), outline=(255, 255, 255, 230), width=10)
    draw.text((256, 262), initials, font=_font(190), fill=(255, 255, 255, 255), anchor="mm")
    return _png(image)


def banner_png(*, seed: int) -> bytes:
    """A wide sunset over the sea: gradient sky, a sun and drifting light."""
    palette = Palette((255, 200, 120), (60, 90, 150), (255, 240, 210))
    image = _shapes(_gradient(BANNER_SIZE, palette), palette, random.Random(f"{seed}:banner"), count=14)
    layer, draw = _translucent(image)
    draw.ellipse((1700, 220, 2060, 580), fill=(255, 226, 160, 235))
    for row in range(6):
        y = 600 + row * 34
        draw.line((0, y, BANNER_SIZE[0], y + 12), fill=(255, 255, 255, 40 - row * 5), width=5)
    return _png(Image.alpha_composite(image, layer.filter(ImageFilter.GaussianBlur(radius=2))))
