"""Label PDF benchmark: N item labels with distinct codes into one PDF, next to the bare
encoder rate measured in the same run.

    .venv/bin/python bench/labels.py --quick        # smoke run: 500 labels, ~5 s
    .venv/bin/python bench/labels.py                # 10,000 labels, 5 repeats, ~1 min

No database: the labels go through the real code path from the code key on
(``queries.item_uris`` builds each item's GS1 Digital Link, ``labels.render_labels``
encodes it with zint, draws it as one path beside the lot's CJK text and writes the
PDF), with the lot's text given directly instead of read from a lot row. Every label
carries a different serial, so no encoding is reused.

Printed, each the median of ``--reps`` runs (wall and CPU time of this process):

- ``encoder``: zint QR encodes of the same N URIs (``symbols._symbol``), codes/s;
- ``encode + path``: the same, plus the PDF path string (``symbols.pdf_ops``);
- ``labels``: the whole PDF, labels/s, and its ratio to the encoder rate;
- the wall time for N labels against the 10 s goal for 10,000;
- checks on the last PDF: pdffonts (embedded CJK subset) and page 1 rasterised at
  150 dpi with every code decoded (zxing-cpp) and parsed back.

Results go to bench/out/labels.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

OUT = ROOT / "bench" / "out"
GOAL_SECONDS_PER_10K = 10.0
BASE = "https://trace.example.cn"
GTIN = "06901234567892"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--labels", type=int, help="labels in the PDF (default 10,000; quick 500)")
    ap.add_argument("--reps", type=int, help="timed runs of each measurement (default 5; quick 3)")
    ap.add_argument("--layout", default="a4-4x10", help="a4-3x8, a4-4x10, 40x30, 50x30 or 60x40")
    ap.add_argument("--symbol", default="qr", choices=("qr", "datamatrix"))
    ap.add_argument("--quick", action="store_true", help="500 labels, 3 runs (the smoke run)")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    args.labels = args.labels or (500 if args.quick else 10_000)
    args.reps = args.reps or (3 if args.quick else 5)
    return args


def log(msg: str) -> None:
    print(msg, flush=True)


def timed(fn: Callable[[], Any], reps: int) -> dict[str, float]:
    """Median wall and CPU seconds of ``reps`` runs (after one warm-up run)."""
    fn()
    walls, cpus = [], []
    for _ in range(reps):
        w, c = time.perf_counter(), time.process_time()
        fn()
        cpus.append(time.process_time() - c)
        walls.append(time.perf_counter() - w)
    return {"wall": statistics.median(walls), "cpu": statistics.median(cpus), "walls": walls}


def check_pdf(pdf: bytes, symbol: str, expected_per_page: int) -> dict[str, Any]:
    """pdffonts, and page 1 at 150 dpi: every code decoded and parsed back to the lot key."""
    import zxingcpp  # noqa: PLC0415
    from PIL import Image  # noqa: PLC0415

    from shilian.codes.digital_link import parse_uri  # noqa: PLC0415

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "labels.pdf"
        path.write_bytes(pdf)
        fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
        subprocess.run(
            ["pdftoppm", "-r", "150", "-gray", "-png", "-f", "1", "-l", "1", str(path), f"{tmp}/p"], check=True
        )
        (page,) = Path(tmp).glob("p*.png")
        fmt = zxingcpp.BarcodeFormat.QRCode if symbol == "qr" else zxingcpp.BarcodeFormat.DataMatrix
        found = zxingcpp.read_barcodes(Image.open(page), formats=fmt)
    keys = [parse_uri(f.text) for f in found]
    font_rows = [line.split() for line in fonts.splitlines()[2:]]
    return {
        "fonts": [{"name": r[0], "type": r[1], "emb": r[-5], "sub": r[-4]} for r in font_rows],
        "page1_decoded": len(found),
        "page1_expected": expected_per_page,
        "page1_parsed_ok": sum(1 for k in keys if k.gtin == GTIN and k.lot == "20241008-01"),
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shilian.config.settings.test")
    import django  # noqa: PLC0415

    django.setup()
    from shilian.codes.choices import Symbol  # noqa: PLC0415
    from shilian.codes.digital_link import CodeKey, element_string  # noqa: PLC0415
    from shilian.codes.labels import LabelText, render_labels  # noqa: PLC0415
    from shilian.codes.labels.fonts import find_font_path, label_font  # noqa: PLC0415
    from shilian.codes.labels.layouts import geometry  # noqa: PLC0415
    from shilian.codes.queries import item_uris  # noqa: PLC0415
    from shilian.codes.symbols import _symbol, pdf_ops  # noqa: PLC0415

    n, symbol = args.labels, Symbol(args.symbol)
    key = CodeKey(gtin=GTIN, lot="20241008-01", produced_on=dt.date(2024, 10, 8), expires_on=dt.date(2025, 4, 6))
    text = LabelText(
        product_name="温岭石塘鱼干（特级）",
        lot_code=key.lot or "",
        produced_on=key.produced_on,
        expires_on=key.expires_on,
        enterprise="温岭市石塘镇阳光共富作坊",
        licence="JY13310810012345",
        storage="阴凉干燥处，开封后冷藏",
    )
    label_font()

    def items() -> list[tuple[str, str]]:
        if symbol == Symbol.DATAMATRIX:
            return [
                (element_string(CodeKey(**{**key.__dict__, "serial": str(i)})), f"序列号：{i}") for i in range(1, n + 1)
            ]
        return [(uri, f"序列号：{i}") for i, uri in enumerate(item_uris(key, 1, n, base=BASE), start=1)]

    data = [d for d, _caption in items()]
    log(
        f"labels: {n:,} item labels ({args.layout}, {symbol}), {args.reps} runs each after a warm-up; "
        f"font {find_font_path()}"
    )
    log(f"payload e.g. {data[-1]!r} ({len(data[-1])} chars)")

    encoder = timed(lambda: [_symbol(symbol, d) for d in data], args.reps)
    encode_path = timed(lambda: [pdf_ops(d, symbol) for d in data], args.reps)
    last: dict[str, bytes] = {}

    def render() -> None:
        out = io.BytesIO()
        render_labels(text, items(), layout=args.layout, symbol=symbol, out=out)
        last["pdf"] = out.getvalue()

    labels = timed(render, args.reps)
    checks = check_pdf(last["pdf"], symbol, min(n, geometry(args.layout).per_page))

    def rate(t: dict[str, float], k: str) -> float:
        return n / t[k]

    enc_rate, lab_rate = rate(encoder, "cpu"), rate(labels, "cpu")
    projected_10k = labels["wall"] * 10_000 / n
    rows = [
        ("zint encoder (bare)", encoder, "codes/s"),
        ("zint encode + PDF path string", encode_path, "codes/s"),
        ("labels into one PDF (real path)", labels, "labels/s"),
    ]
    log("")
    log(f"{'measurement':<34}{'wall med s':>11}{'cpu med s':>10}{'rate (wall)':>13}{'rate (cpu)':>12}  unit")
    for name, t, unit in rows:
        log(f"{name:<34}{t['wall']:>11.3f}{t['cpu']:>10.3f}{rate(t, 'wall'):>13,.0f}{rate(t, 'cpu'):>12,.0f}  {unit}")
    log("")
    log(
        f"labels/s ÷ encoder codes/s (cpu): {lab_rate / enc_rate:.2f}  (a label costs {enc_rate / lab_rate:.1f}× a bare encode)"
    )
    projection = "" if n == 10_000 else f" (projected from {n:,} labels: {labels['wall']:.2f} s)"
    log(
        f"wall time for 10,000 labels: {projected_10k:.2f} s{projection} — goal < {GOAL_SECONDS_PER_10K:.0f} s: "
        f"{'met' if projected_10k < GOAL_SECONDS_PER_10K else 'NOT met'}"
    )
    log(f"PDF: {len(last['pdf']) / 1024:,.0f} KiB ({len(last['pdf']) / n:,.0f} bytes per label)")
    fonts = ", ".join(f"{f['name']} {f['type']} emb={f['emb']} sub={f['sub']}" for f in checks["fonts"])
    log(f"pdffonts: {fonts}")
    log(
        f"page 1 at 150 dpi: {checks['page1_decoded']}/{checks['page1_expected']} codes decoded, "
        f"{checks['page1_parsed_ok']} parsed back to the lot"
    )
    log(
        "research reference (research/performance-codes.md): zint 6,100–6,500 codes/s per core; "
        "reportlab path per QR 413 labels/s, raw operators floor ≈1,400 labels/s per core"
    )
    result = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "load": os.getloadavg()},
        "labels": n,
        "layout": args.layout,
        "symbol": str(symbol),
        "reps": args.reps,
        "encoder": encoder,
        "encode_path": encode_path,
        "render": labels,
        "encoder_codes_per_s_cpu": enc_rate,
        "labels_per_s_cpu": lab_rate,
        "labels_per_s_wall": rate(labels, "wall"),
        "ratio_labels_to_encoder": lab_rate / enc_rate,
        "seconds_per_10k_wall": projected_10k,
        "goal_met": projected_10k < GOAL_SECONDS_PER_10K,
        "pdf_bytes": len(last["pdf"]),
        "checks": checks,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / "labels.json"
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    log(f"\nwrote {path}")
    ok = checks["page1_decoded"] == checks["page1_expected"] == checks["page1_parsed_ok"]
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
