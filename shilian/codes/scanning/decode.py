"""Reading a trace code for receiving (件件扫码): from a photo, or from what a scanner typed.

A photo is decoded on the server with zxing-cpp. The content is sniffed (not the name
or the browser's content type), the size and the pixel count are capped before any
pixel is decoded (a small PNG can inflate to gigabytes), and the fast path looks for
QR and DataMatrix only (184 µs instead of 1.4 ms for all formats, see
``shared/research/performance-codes.md``). When that finds nothing the linear GS1
carriers are tried: an EAN-13 product barcode names the product, a GS1-128 carton
label the product and lot.

What the code says is read by ``codes.digital_link``: a Digital Link URI, a ``/t/``
short link, or a GS1 element string (DataMatrix ``]d2…`` with FNC1 separators, or
``(01)…(10)…``); a bare 8/12/13/14-digit GTIN (an EAN/UPC scanned by a scanner gun)
names the product. Errors are ``ScanError`` with a code and a message in Chinese and
English, like the other domain errors.
"""

from __future__ import annotations

import warnings
from enum import StrEnum
from typing import IO, Any
from urllib.parse import unquote, urlsplit

import zxingcpp
from PIL import Image, UnidentifiedImageError

from shilian.codes.digital_link import CodeKey, DigitalLinkError, parse_uri

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 50_000_000  # a 50 MP phone photo; Pillow's own bomb check starts at 89 MP
MAX_TEXT = 2000
FAST_FORMATS = zxingcpp.barcode_formats_from_str("QRCode,DataMatrix")
# Linear carriers of GS1 keys: EAN/UPC product barcodes, GS1-128 and DataBar carton labels.
LINEAR_FORMATS = zxingcpp.barcode_formats_from_str("EAN13,EAN8,UPCA,UPCE,Code128,DataBar,DataBarExpanded")
# Leading bytes of the image formats phones and scanners produce, and Pillow's name for each.
_SIGNATURES = (
    (b"\xff\xd8\xff", "JPEG"),
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"BM", "BMP"),
)
_HEIF_BRANDS = (b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1", b"avif")


class ScanErrorCode(StrEnum):
    EMPTY = "empty"  # nothing uploaded or typed
    NOT_AN_IMAGE = "not_an_image"  # the upload is not a JPEG/PNG/WebP/GIF/BMP picture
    HEIF = "heif"  # an iPhone HEIC photo, which Pillow cannot open
    TOO_LARGE = "too_large"  # more bytes than MAX_BYTES
    TOO_MANY_PIXELS = "too_many_pixels"  # more pixels than MAX_PIXELS (decompression bomb)
    UNREADABLE = "unreadable"  # a picture whose data is broken
    NO_CODE = "no_code"  # no barcode found in the picture
    NOT_GS1 = "not_gs1"  # a code, but neither a shilian code nor a GS1 code
    MALFORMED = "malformed"  # a GS1 / shilian code that breaks the rules (check digit, order …)


class ScanError(ValueError):
    def __init__(self, code: ScanErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def sniff(head: bytes) -> str | None:
    """Pillow's format name for the picture whose first bytes are ``head``; None if unknown."""
    for signature, name in _SIGNATURES:
        if head.startswith(signature):
            return name
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    return None


def _is_heif(head: bytes) -> bool:
    return head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS


def open_photo(upload: IO[bytes], size: int | None = None) -> Image.Image:
    """The uploaded picture, checked and loaded in 8-bit grey; ``ScanError`` otherwise."""
    if size is None:
        upload.seek(0, 2)
        size = upload.tell()
    if not size:
        raise ScanError(ScanErrorCode.EMPTY, "请拍照或选择一张照片 / take or choose a photo")
    if size > MAX_BYTES:
        raise ScanError(
            ScanErrorCode.TOO_LARGE,
            f"照片太大（{size / 1048576:.1f} MB，上限 {MAX_BYTES // 1048576} MB） / "
            f"the photo is too large ({size / 1048576:.1f} MB, at most {MAX_BYTES // 1048576} MB)",
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    kind = sniff(head)
    if kind is None:
        if _is_heif(head):
            raise ScanError(
                ScanErrorCode.HEIF,
                "无法读取HEIC格式照片：请在相机设置中选“最兼容”，或截屏后上传 / "
                "HEIC photos cannot be read: set the camera to “Most Compatible” or upload a screenshot",
            )
        raise ScanError(
            ScanErrorCode.NOT_AN_IMAGE,
            "上传的文件不是图片（支持JPEG、PNG、WebP、GIF、BMP） / "
            "the file is not a picture (JPEG, PNG, WebP, GIF or BMP)",
        )
    too_many = ScanError(
        ScanErrorCode.TOO_MANY_PIXELS,
        f"图片像素过多（上限 {MAX_PIXELS // 1_000_000} 百万像素） / "
        f"the picture has too many pixels (at most {MAX_PIXELS // 1_000_000} megapixels)",
    )
    unreadable = ScanError(ScanErrorCode.UNREADABLE, "图片已损坏，无法读取 / the picture is damaged and cannot be read")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(upload, formats=[kind])  # reads the header only
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise too_many from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise unreadable from None
    width, height = image.size
    if width * height > MAX_PIXELS:
        raise too_many
    try:
        return image.convert("L")  # decodes the pixels; zxing reads grey fastest
    except (OSError, SyntaxError, ValueError):
        raise unreadable from None


def _text(barcode: Any) -> str:
    """What a symbol holds: a GS1 symbol as its symbology identifier and raw element
    string (FNC1 as GS), so that a lot code with brackets stays unambiguous."""
    if barcode.content_type == zxingcpp.ContentType.GS1:
        return f"{barcode.symbology_identifier}{bytes(barcode.bytes).decode('ascii', 'replace')}"
    return str(barcode.text)


def read_codes(image: Image.Image) -> list[str]:
    """The texts of the codes in the picture, fast path first; duplicates dropped."""
    found = zxingcpp.read_barcodes(image, formats=FAST_FORMATS) or zxingcpp.read_barcodes(image, formats=LINEAR_FORMATS)
    return list(dict.fromkeys(_text(barcode) for barcode in found))


def decode_photo(upload: IO[bytes], size: int | None = None) -> list[str]:
    """The code texts in an uploaded photo; ``ScanError`` when there is none."""
    texts = read_codes(open_photo(upload, size))
    if not texts:
        raise ScanError(
            ScanErrorCode.NO_CODE,
            "照片中没有找到二维码或条码：请对准追溯码、靠近并保持清晰后重拍 / "
            "no code found in the photo: hold the camera closer to the code, in focus, and try again",
        )
    return texts


def _not_gs1(text: str) -> ScanError:
    shown = text if len(text) <= 60 else text[:57] + "…"
    return ScanError(
        ScanErrorCode.NOT_GS1,
        f"这不是食链追溯码或GS1码：“{shown}” / this is not a shilian trace code or a GS1 code: “{shown}”",
    )


def _names_a_key(text: str) -> bool:
    """A URI or path with a ``/01/`` or ``/t/`` segment: a Digital Link or a short link."""
    parts = urlsplit(text)
    if parts.scheme not in ("", "http", "https"):
        return False
    return any(unquote(segment) in ("01", "t") for segment in parts.path.split("/"))


def key_from_text(text: str) -> CodeKey:
    """What a scanned or typed code names; ``ScanError`` when it is not one of ours."""
    text = (text or "").strip()
    if not text:
        raise ScanError(ScanErrorCode.EMPTY, "请扫码或输入追溯码 / scan or type a code")
    if len(text) > MAX_TEXT:
        raise _not_gs1(text)
    if text.isdigit() and len(text) in (8, 12, 13, 14):
        text = f"/01/{text}"  # an EAN/UPC product barcode: the GTIN alone names the product
    looks_gs1 = text[0] in "](" or text[0].isdigit()
    if not looks_gs1 and not _names_a_key(text):
        raise _not_gs1(text)
    try:
        return parse_uri(text)
    except DigitalLinkError as exc:
        raise ScanError(ScanErrorCode.MALFORMED, exc.message) from None
