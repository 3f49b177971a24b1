"""Checking an uploaded photo (a consumer's report, a workshop's answer): an image read from its bytes, under the size limit."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from typing import IO

from PIL import Image, UnidentifiedImageError

from shilian.chain.documents import sniff_content_type

PHOTO_MAX_BYTES = 5 * 1024 * 1024
# Decoding stops past this many pixels (Pillow's decompression-bomb guard, tightened).
PHOTO_MAX_PIXELS = 50_000_000
EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg", "image/gif": "gif", "image/webp": "webp"}


@dataclass(frozen=True)
class CheckedPhoto:
    content_type: str
    size: int
    sha256: str
    data: bytes

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.content_type]


def check_photo(file: IO[bytes]) -> CheckedPhoto:
    """Read and check one upload; ``ValueError`` with a message for the field otherwise.

    The type comes from the first bytes (``chain.documents.sniff_content_type``), never
    from the name or the browser's claim; a PDF is refused; Pillow must read the header.
    """
    data = file.read(PHOTO_MAX_BYTES + 1)
    if len(data) > PHOTO_MAX_BYTES:
        raise ValueError("照片超过5 MB / the photo is over 5 MB")
    if not data:
        raise ValueError("照片为空 / the photo is empty")
    content_type = sniff_content_type(data[:16])
    if content_type not in EXTENSIONS:
        raise ValueError("只接受图片（PNG、JPEG、GIF、WebP） / only images (PNG, JPEG, GIF, WebP) are accepted")
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValueError("图片已损坏或无法读取 / the image is damaged or unreadable") from None
    if width * height > PHOTO_MAX_PIXELS:
        raise ValueError("图片像素过多 / the image has too many pixels")
    return CheckedPhoto(content_type=content_type, size=len(data), sha256=hashlib.sha256(data).hexdigest(), data=data)
