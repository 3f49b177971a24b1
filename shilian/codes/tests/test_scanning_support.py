"""Helpers for the scan-to-receive tests (this module holds no tests): real code pictures,
made with zint through ``codes.symbols``, as a printer and as a phone camera would give them."""

from __future__ import annotations

import io

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image, ImageFilter

from shilian.codes import symbols
from shilian.codes.choices import Symbol
from shilian.codes.digital_link import CodeKey, element_string


def qr(text: str, *, scale: int = 4) -> Image.Image:
    return symbols.to_image(symbols.encode(text, Symbol.QR), scale=scale)


def datamatrix(key: CodeKey, *, scale: int = 6) -> Image.Image:
    """A GS1 DataMatrix of the key's element string (FNC1 first, GS between variable AIs)."""
    return symbols.to_image(symbols.encode(element_string(key), Symbol.DATAMATRIX), scale=scale)


def png(image: Image.Image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()


def photo(image: Image.Image, *, size: tuple[int, int] = (1600, 1200), code_px: int = 360, angle: float = 13) -> bytes:
    """A photo-like JPEG: the code scaled (bilinear), turned, set on a grey-brown table,
    blurred a little and compressed, the way a phone shot of a pack comes out."""
    table = (176, 164, 142)
    code = image.convert("RGB").resize((code_px, code_px), Image.Resampling.BILINEAR)
    code = code.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=table)
    canvas = Image.new("RGB", size, table)
    canvas.paste(code, ((size[0] - code.width) // 2 + 37, (size[1] - code.height) // 2 - 21))
    canvas = canvas.filter(ImageFilter.GaussianBlur(1.2))
    buf = io.BytesIO()
    canvas.save(buf, format="JPEG", quality=80)
    return buf.getvalue()


def upload(data: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def english(user) -> Client:
    """A logged-in client reading the pages in English (the messages asserted are the msgids)."""
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    if user is not None:
        client.force_login(user)
    return client
