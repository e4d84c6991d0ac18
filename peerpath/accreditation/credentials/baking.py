"""The badge image, and baking the signed credential into it (Open Badges 3.0 PNG baking).

The image is drawn with Pillow: a disc in NHS blue (#005eb8) with the scheme's short
name in white (contrast 6.4:1, past WCAG AA for any text size). Baking adds one
uncompressed ``iTXt`` chunk with the keyword ``openbadgecredential`` whose text is
the compact VC-JWT, so the PNG alone is enough to verify the badge.
"""

from __future__ import annotations

import io
import re
import textwrap
from functools import cache

from PIL import Image, ImageDraw, ImageFont, PngImagePlugin

from peerpath.accreditation.models import Scheme

KEYWORD = "openbadgecredential"
SIZE = 512
NHS_BLUE = "#005eb8"
NHS_DARK_BLUE = "#003087"
WHITE = "#ffffff"

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


@cache
def _font(size: int, *, bold: bool = True) -> Font:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    try:
        return ImageFont.truetype(name, size)
    except OSError:
        return ImageFont.load_default(size=size)  # Pillow's own font, when the system has no DejaVu


def short_name(scheme: Scheme) -> str:
    """'Accredited carer peer trainer (Recovery College)' → 'Carer peer trainer'."""
    name = re.sub(r"\s*\(.*\)\s*$", "", scheme.name).strip()
    name = re.sub(r"^accredited\s+", "", name, flags=re.IGNORECASE)
    return name[:1].upper() + name[1:] if name else scheme.name


def _centred(draw: ImageDraw.ImageDraw, y: float, text: str, font: Font) -> float:
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
    draw.text(((SIZE - (right - left)) / 2 - left, y - top), text, font=font, fill=WHITE)
    return y + (bottom - top)


def badge_image(scheme: Scheme, service_name: str) -> bytes:
    """A square PNG badge for ``scheme`` (not yet baked)."""
    image = Image.new("RGBA", (SIZE, SIZE), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((8, 8, SIZE - 8, SIZE - 8), fill=NHS_DARK_BLUE)
    draw.ellipse((24, 24, SIZE - 24, SIZE - 24), fill=NHS_BLUE)
    lines = textwrap.wrap(short_name(scheme), width=14)[:4]
    title_font = _font(44 if len(lines) <= 2 else 36)
    label_font = _font(26, bold=False)
    line_height = title_font.size * 1.2 if isinstance(title_font, ImageFont.FreeTypeFont) else 48
    block = len(lines) * line_height
    y = (SIZE - block) / 2
    _centred(draw, y - 70, "Accredited", label_font)
    for line in lines:
        _centred(draw, y, line, title_font)
        y += line_height
    _centred(draw, y + 30, service_name, label_font)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def bake(png: bytes, token: str) -> bytes:
    """``png`` with the compact JWT in one uncompressed ``iTXt`` chunk keyed ``openbadgecredential``."""
    image = Image.open(io.BytesIO(png))
    info = PngImagePlugin.PngInfo()
    info.add_itxt(KEYWORD, token, zip=False)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", pnginfo=info)
    return buffer.getvalue()


def baked_token(png: bytes) -> str | None:
    """The credential baked into ``png``, if any."""
    image = Image.open(io.BytesIO(png))
    value = getattr(image, "text", {}).get(KEYWORD)
    return str(value) if value is not None else None
