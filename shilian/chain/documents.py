"""Checking uploaded evidence files: a PDF or an image, under the size limit.

The type is read from the file's first bytes, not from its name or the client's claim.
Used by the forms and the API alike.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import IO

from django.conf import settings

_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


@dataclass(frozen=True)
class CheckedFile:
    name: str
    content_type: str
    size: int
    sha256: str
    data: bytes


def sniff_content_type(head: bytes) -> str | None:
    for signature, content_type in _SIGNATURES:
        if head.startswith(signature):
            return content_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def check_document(file: IO[bytes], name: str) -> CheckedFile:
    """Read and check one upload; ValueError with a message for the field otherwise."""
    limit = settings.SHILIAN_MAX_DOCUMENT_BYTES
    data = file.read(limit + 1)
    if len(data) > limit:
        raise ValueError(f"文件超过{limit // (1024 * 1024)} MB / file is over the {limit // (1024 * 1024)} MB limit")
    if not data:
        raise ValueError("文件为空 / the file is empty")
    content_type = sniff_content_type(data[:16])
    if content_type is None:
        raise ValueError("只接受PDF或图片 / only PDF or image files (PNG, JPEG, GIF, WebP) are accepted")
    return CheckedFile(
        name=name[-200:], content_type=content_type, size=len(data), sha256=hashlib.sha256(data).hexdigest(), data=data
    )
