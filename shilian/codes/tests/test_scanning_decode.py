"""Reading codes for receiving: photos decoded with zxing-cpp, and what a scanner typed."""

import datetime as dt
import io
import time

import pytest
import zint
from PIL import Image

from shilian.codes.digital_link import CodeKey, build_uri
from shilian.codes.scanning import decode
from shilian.codes.scanning.decode import MAX_BYTES, ScanError, ScanErrorCode, decode_photo, key_from_text, sniff
from shilian.codes.tests.test_scanning_support import datamatrix, photo, png, qr

LOT_KEY = CodeKey(
    gtin="06901234567892", lot="NG-0412", expires_on=dt.date(2025, 5, 12), produced_on=dt.date(2025, 4, 12)
)
LOT_URI = "http://127.0.0.1:8000/01/06901234567892/10/NG-0412?11=250412&17=250512"


def _decode(data: bytes) -> list[str]:
    return decode_photo(io.BytesIO(data))


def _error(data: bytes) -> ScanError:
    with pytest.raises(ScanError) as caught:
        _decode(data)
    return caught.value


def _linear(symbology, text: str, *, gs1: bool = False) -> bytes:
    sym = zint.Symbol()
    sym.symbology = symbology
    if gs1:
        sym.input_mode = zint.InputMode.GS1
    sym.scale = 2
    sym.whitespace_width = 10
    sym.encode(text)
    sym.buffer()
    bitmap = sym.bitmap
    return png(Image.frombytes("RGB", (bitmap.shape[1], bitmap.shape[0]), bitmap.tobytes()))


def test_build_uri_gives_the_uri_the_tests_print():
    assert build_uri(**LOT_KEY.__dict__) == LOT_URI


def test_a_qr_png_decodes_to_its_uri():
    assert _decode(png(qr(LOT_URI))) == [LOT_URI]


def test_a_gs1_datamatrix_decodes_to_its_element_string_with_fnc1():
    assert _decode(png(datamatrix(LOT_KEY))) == ["]d2010690123456789211250412172505121" + "0NG-0412"]
    assert key_from_text(_decode(png(datamatrix(LOT_KEY)))[0]) == LOT_KEY


@pytest.mark.parametrize("angle", [0, 13, 90, 200])
def test_photo_like_jpegs_decode(angle):
    """Scaled (bilinear), turned, blurred and JPEG-compressed, on a coloured background."""
    assert _decode(photo(qr(LOT_URI), angle=angle)) == [LOT_URI]
    assert [key_from_text(t) for t in _decode(photo(datamatrix(LOT_KEY), code_px=240, angle=angle))] == [LOT_KEY]


def test_a_small_code_in_a_12_megapixel_photo_decodes_quickly():
    data = photo(qr(LOT_URI), size=(4000, 3000), code_px=420, angle=7)
    start = time.perf_counter()
    assert _decode(data) == [LOT_URI]
    assert time.perf_counter() - start < 2.0  # measured ~0.1 s; generous for a loaded CI machine


def test_two_codes_in_one_photo_are_both_read():
    canvas = Image.new("L", (900, 420), 255)
    canvas.paste(qr(LOT_URI), (10, 10))
    canvas.paste(qr("https://example.com/hello"), (470, 10))
    assert sorted(_decode(png(canvas))) == sorted([LOT_URI, "https://example.com/hello"])


def test_an_ean13_product_barcode_is_read_on_the_slower_path():
    texts = _decode(_linear(zint.Symbology.EANX, "690123456789"))
    assert texts == ["6901234567892"]
    assert key_from_text(texts[0]) == CodeKey(gtin="06901234567892")


def test_a_gs1_128_carton_label_is_read_with_its_lot():
    texts = _decode(_linear(zint.Symbology.GS1_128, "[01]06901234567892[10]NG-0412", gs1=True))
    assert texts == ["]C1010690123456789210NG-0412"]
    assert key_from_text(texts[0]) == CodeKey(gtin="06901234567892", lot="NG-0412")


def test_sniffing_goes_by_content_not_name():
    assert sniff(png(qr("x"))) == "PNG"
    assert sniff(photo(qr("x"))) == "JPEG"
    assert sniff(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "WEBP"
    assert sniff(b"%PDF-1.4") is None
    assert sniff(b"<svg xmlns") is None


def test_a_webp_photo_decodes():
    buf = io.BytesIO()
    qr(LOT_URI).save(buf, format="WEBP", lossless=True)
    assert _decode(buf.getvalue()) == [LOT_URI]


def test_bad_uploads_say_what_is_wrong():
    cases = [
        (b"", ScanErrorCode.EMPTY, "请拍照或选择一张照片 / take or choose a photo"),
        (
            b"%PDF-1.4\n%%EOF\n",
            ScanErrorCode.NOT_AN_IMAGE,
            "上传的文件不是图片（支持JPEG、PNG、WebP、GIF、BMP） / the file is not a picture (JPEG, PNG, WebP, GIF or BMP)",
        ),
        (
            b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00",
            ScanErrorCode.HEIF,
            "无法读取HEIC格式照片：请在相机设置中选“最兼容”，或截屏后上传 / "
            "HEIC photos cannot be read: set the camera to “Most Compatible” or upload a screenshot",
        ),
        (
            b"\x89PNG\r\n\x1a\n" + b"\x00" * 32,
            ScanErrorCode.UNREADABLE,
            "图片已损坏，无法读取 / the picture is damaged and cannot be read",
        ),
        (
            photo(qr(LOT_URI))[:3000],  # a photo cut off in transfer
            ScanErrorCode.UNREADABLE,
            "图片已损坏，无法读取 / the picture is damaged and cannot be read",
        ),
        (
            png(Image.new("L", (400, 300), 200)),
            ScanErrorCode.NO_CODE,
            "照片中没有找到二维码或条码：请对准追溯码、靠近并保持清晰后重拍 / "
            "no code found in the photo: hold the camera closer to the code, in focus, and try again",
        ),
    ]
    for data, code, message in cases:
        error = _error(data)
        assert (error.code, error.message) == (code, message)


def test_an_oversized_upload_is_refused_before_it_is_read():
    data = b"\xff\xd8\xff" + b"\x00" * MAX_BYTES  # one byte over, and not even a real JPEG
    error = _error(data)
    assert error.code == ScanErrorCode.TOO_LARGE
    assert error.message == "照片太大（10.0 MB，上限 10 MB） / the photo is too large (10.0 MB, at most 10 MB)"


def test_a_decompression_bomb_is_refused_from_its_header(monkeypatch):
    """A 12,000 × 12,000 PNG is a few hundred kB but 144 MP: refused before decoding."""
    buf = io.BytesIO()
    Image.new("1", (12000, 12000), 1).save(buf, format="PNG")
    assert len(buf.getvalue()) < 1024 * 1024
    error = _error(buf.getvalue())
    assert (error.code, error.message) == (
        ScanErrorCode.TOO_MANY_PIXELS,
        "图片像素过多（上限 50 百万像素） / the picture has too many pixels (at most 50 megapixels)",
    )
    # our own cap, below Pillow's: a picture over it is refused without decoding too
    monkeypatch.setattr(decode, "MAX_PIXELS", 400 * 300 - 1)
    assert _error(png(Image.new("L", (400, 300), 200))).code == ScanErrorCode.TOO_MANY_PIXELS


@pytest.mark.parametrize(
    ("text", "key"),
    [
        (LOT_URI, LOT_KEY),
        ("  /01/06901234567892/10/NG-0412  ", CodeKey(gtin="06901234567892", lot="NG-0412")),
        ("https://id.gs1.org/01/6901234567892/10/NG-0412", CodeKey(gtin="06901234567892", lot="NG-0412")),
        (
            "]d2010690123456789210NG-0412\x1d17250512",
            CodeKey(gtin="06901234567892", lot="NG-0412", expires_on=dt.date(2025, 5, 12)),
        ),
        ("(01)06901234567892(10)NG-0412", CodeKey(gtin="06901234567892", lot="NG-0412")),
        ("010690123456789210NG-0412", CodeKey(gtin="06901234567892", lot="NG-0412")),
        ("6901234567892", CodeKey(gtin="06901234567892")),
        ("06901234567892", CodeKey(gtin="06901234567892")),
    ],
)
def test_typed_and_scanned_texts_name_a_key(text, key):
    assert key_from_text(text) == key


@pytest.mark.parametrize(
    ("text", "code", "message"),
    [
        ("", ScanErrorCode.EMPTY, "请扫码或输入追溯码 / scan or type a code"),
        (
            "hello",
            ScanErrorCode.NOT_GS1,
            "这不是食链追溯码或GS1码：“hello” / this is not a shilian trace code or a GS1 code: “hello”",
        ),
        (
            "https://weixin.qq.com/r/abcdef",
            ScanErrorCode.NOT_GS1,
            "这不是食链追溯码或GS1码：“https://weixin.qq.com/r/abcdef” / "
            "this is not a shilian trace code or a GS1 code: “https://weixin.qq.com/r/abcdef”",
        ),
        (
            "6901234567893",
            ScanErrorCode.MALFORMED,
            "GTIN '6901234567893': GTIN校验位错误 / wrong check digit",
        ),
        (
            "/10/NG-0412/01/06901234567892",
            ScanErrorCode.MALFORMED,
            "限定符顺序错误：/10/ 须在 /01/{GTIN} 之后 / qualifier /10/ must follow /01/{gtin}",
        ),
        (
            "http://127.0.0.1:8000/01/06901234567893/10/NG-0412",
            ScanErrorCode.MALFORMED,
            "GTIN '06901234567893': GTIN校验位错误 / wrong check digit",
        ),
    ],
)
def test_texts_that_are_not_our_codes_say_why(text, code, message):
    with pytest.raises(ScanError) as caught:
        key_from_text(text)
    assert (caught.value.code, caught.value.message) == (code, message)


def test_a_very_long_text_is_not_parsed():
    with pytest.raises(ScanError) as caught:
        key_from_text("/01/" + "9" * 5000)
    assert caught.value.code == ScanErrorCode.NOT_GS1
    shown = "/01/" + "9" * 53 + "…"
    assert (
        caught.value.message
        == f"这不是食链追溯码或GS1码：“{shown}” / this is not a shilian trace code or a GS1 code: “{shown}”"
    )
