"""Label PDFs end to end: render through the real code path, rasterise with pdftoppm,
decode every code with zxing-cpp, and resolve each decoded code back to its lot."""

import io
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import zxingcpp
from django.test import Client
from PIL import Image

from shilian.codes.actions import ensure_lot_code, issue_serials
from shilian.codes.choices import Layout, Symbol
from shilian.codes.digital_link import parse_uri
from shilian.codes.labels import lot_labels_pdf
from shilian.codes.labels.layouts import geometry
from shilian.codes.queries import lot_for_key
from shilian.codes.tests.factories import produce_lot

pytestmark = pytest.mark.django_db
FORMATS = {Symbol.QR: zxingcpp.BarcodeFormat.QRCode, Symbol.DATAMATRIX: zxingcpp.BarcodeFormat.DataMatrix}


def rasterise(pdf: bytes, tmp_path: Path, dpi: int) -> list[Image.Image]:
    source = tmp_path / "labels.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-png", str(source), str(tmp_path / "page")], check=True)
    return [Image.open(io.BytesIO(p.read_bytes())) for p in sorted(tmp_path.glob("page*.png"))]


def decoded(pages: list[Image.Image], symbol: str) -> list[str]:
    out = []
    for page in pages:
        for found in zxingcpp.read_barcodes(page, formats=FORMATS[Symbol(symbol)]):
            out.append(found.symbology_identifier + found.bytes.decode() if symbol == Symbol.DATAMATRIX else found.text)
    return out


@pytest.mark.parametrize(
    ("layout", "symbol", "gtin", "dpi"),
    [
        (Layout.A4_4X10, Symbol.QR, "06901234567892", 150),
        (Layout.A4_3X8, Symbol.QR, None, 150),
        (Layout.T40X30, Symbol.QR, None, 203),
        (Layout.T50X30, Symbol.DATAMATRIX, "06901234567892", 203),
        (Layout.T60X40, Symbol.QR, "06901234567892", 203),
    ],
)
def test_every_item_code_on_the_sheet_scans_back_to_its_lot(tmp_path, settings, layout, symbol, gtin, dpi):
    settings.SHILIAN_PUBLIC_URL = "https://trace.example.cn"
    lot = produce_lot(gtin=gtin, lot_code="20241008-01")
    per_page = geometry(layout).per_page
    count = per_page + 2 if per_page > 1 else 3  # a second, partly filled page
    issued = issue_serials(lot, count, acting_user=None)
    pages = rasterise(lot_labels_pdf(lot, layout=layout, symbol=symbol, serial_range=issued), tmp_path, dpi)
    assert len(pages) == (2 if per_page > 1 else count)
    texts = decoded(pages, symbol)
    keys = [parse_uri(text) for text in texts]
    assert sorted(int(key.serial) for key in keys) == list(range(1, count + 1))
    for key in keys:
        assert lot_for_key(key) == lot
        assert key.gtin == gtin
        if gtin:
            assert (key.lot, key.produced_on, key.expires_on) == ("20241008-01", lot.produced_on, lot.expires_on)
    if symbol == Symbol.QR:  # what a phone does with the URI: open it, and see this lot's page
        client = Client()
        for text in texts:
            parts = urlsplit(text)
            assert f"{parts.scheme}://{parts.netloc}" == settings.SHILIAN_PUBLIC_URL
            page = client.get(parts.path, QUERY_STRING=parts.query)
            assert page.status_code == 200, (text, page.content[:300])
            assert "20241008-01" in page.content.decode()


def test_copies_of_the_lot_code_scan_to_the_lot(tmp_path):
    lot = produce_lot()
    ensure_lot_code(lot, acting_user=None)
    pages = rasterise(lot_labels_pdf(lot, layout=Layout.A4_4X10, copies=40), tmp_path, 150)
    texts = decoded(pages, Symbol.QR)
    assert len(texts) == 40
    assert len(set(texts)) == 1
    assert lot_for_key(parse_uri(texts[0])) == lot
    assert parse_uri(texts[0]).short is not None


def test_the_cjk_font_is_embedded_as_a_subset(tmp_path):
    lot = produce_lot(name="五常稻花香大米")
    ensure_lot_code(lot, acting_user=None)
    path = tmp_path / "labels.pdf"
    path.write_bytes(lot_labels_pdf(lot, layout=Layout.T60X40, copies=2))
    fonts = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout.splitlines()[2:]
    assert len(fonts) == 1  # no stray Helvetica: every glyph comes from the embedded font
    name, kind, *_rest = fonts[0].split()
    assert name.endswith("WenQuanYiZenHei-0")
    assert "+" in name
    assert kind == "TrueType"
    assert fonts[0].split()[-5:-2] == ["yes", "yes", "yes"]  # emb sub uni
    text = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
    assert "五常稻花香大米" in text
    assert "批号：" in text
