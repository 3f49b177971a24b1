import io
import subprocess
import xml.etree.ElementTree as ET

import pytest
import zxingcpp
from PIL import Image

from shilian.codes.choices import Symbol
from shilian.codes.digital_link import CodeKey, element_string, parse_uri
from shilian.codes.symbols import SymbolError, encode, pdf_ops, to_image, to_pdf, to_png, to_svg

URIS = [
    "https://trace.example.cn/01/06901234567892/10/LOT2023100801/21/123?17=251231",
    "http://127.0.0.1:8000/t/ABCDEFGHJK7",
    "https://h/01/06901234567892/10/A%2FB",
]


def decode(image: Image.Image, fmt: zxingcpp.BarcodeFormat) -> list[zxingcpp.Barcode]:
    return zxingcpp.read_barcodes(image, formats=fmt)


@pytest.mark.parametrize("uri", URIS)
@pytest.mark.parametrize("scale", [1, 2, 3])
def test_qr_png_round_trips(uri, scale):
    png = to_png(encode(uri), scale=scale)
    (found,) = decode(Image.open(io.BytesIO(png)), zxingcpp.BarcodeFormat.QRCode)
    assert found.text == uri
    assert found.ec_level == "M"


@pytest.mark.parametrize("scale", [2, 3])
def test_gs1_datamatrix_round_trips(scale):
    key = CodeKey(gtin="06901234567892", lot="LOT1", serial="9", expires_on=None, produced_on=None)
    matrix = encode(element_string(key), Symbol.DATAMATRIX)
    (found,) = decode(Image.open(io.BytesIO(to_png(matrix, scale=scale))), zxingcpp.BarcodeFormat.DataMatrix)
    assert found.content_type == zxingcpp.ContentType.GS1
    assert found.symbology_identifier == "]d2"
    assert found.bytes == b"010690123456789210LOT1\x1d219"
    assert parse_uri(found.symbology_identifier + found.bytes.decode()) == key
    assert parse_uri(found.text) == key


def test_quiet_zone_and_matrix_shape():
    qr = encode(URIS[0])
    assert (qr.rows, qr.width, qr.quiet) == (37, 37, 4)  # version 5-M
    assert qr.size == (45, 45)
    image = to_image(qr, scale=1)
    assert image.getpixel((0, 0)) == 255
    assert image.getpixel((4, 4)) == 0  # the finder pattern's corner, after 4 light modules
    ops, width = pdf_ops(URIS[0])
    assert width == 37
    assert ops.count(" re") == len(qr.runs)


def test_svg_is_one_path_with_the_quiet_zone():
    svg = to_svg(encode(URIS[1]), module_px=3)
    root = ET.fromstring(svg)
    assert root.get("viewBox") == "0 0 37 37"  # version 3 (29 modules) + 2 × 4
    assert len(root.findall("{http://www.w3.org/2000/svg}path")) == 1


def test_pdf_symbol_scans(tmp_path):
    path = tmp_path / "code.pdf"
    path.write_bytes(to_pdf(encode(URIS[0]), module_mm=0.5))
    subprocess.run(["pdftoppm", "-r", "200", "-gray", "-png", str(path), str(tmp_path / "p")], check=True)
    (page,) = tmp_path.glob("p*.png")
    (found,) = decode(Image.open(page), zxingcpp.BarcodeFormat.QRCode)
    assert found.text == URIS[0]


def test_data_too_long_is_a_symbol_error():
    with pytest.raises(SymbolError, match="too long"):
        encode("x" * 5000)
