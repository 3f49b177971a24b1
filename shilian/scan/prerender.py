"""Pre-rendered consumer pages for nginx: one file per lot-level code and language.

``shilian prerender`` writes ``{root}/{lang}/01/{gtin14}/10/{lot}.html`` and
``{root}/{lang}/t/{code}.html`` (root: ``DATA_DIR/pages``), the very bytes the resolver
serves (``pages.render_lot_page``), and nginx answers lot-level scans from them with no
Python at all (``deploy/nginx/``); item codes (``/21/``) still go to the app, which checks
that the serial was issued.

Which lots to render again: the lots of the event lines written since the last pass
(``queries.page.lot_version``), and lots that just got a short code. Each candidate's version is compared with the one
last written, so a lot is rendered only when its page changed. Lines are re-read with a
look-back of ``LOOKBACK`` ids, because on PostgreSQL a transaction holding a lower id
may commit after one holding a higher id.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db.models import F, Max, Q

from shilian.chain.models import EventLine, Lot
from shilian.codes.models import ShortCode
from shilian.scan.pages import LANGUAGES, PAGE_FORMAT, canonical_path, render_lot_page
from shilian.scan.queries.page import load_page, lot_version

# Lot codes nginx can map to a file name as they are (its location regex is the same);
# pages of other lot codes (with /, %, spaces …) are served by the app.
SAFE_LOT = re.compile(r"^[0-9A-Za-z_-][0-9A-Za-z._-]{0,19}$")
LOOKBACK = 1000
CHUNK = 500


def pages_root() -> Path:
    return Path(settings.DATA_DIR) / "pages"


def page_file(root: Path, lang: str, path: str) -> Path | None:
    """Where nginx looks for the page of a lot-level code path; None if it cannot map it."""
    parts = path.strip("/").split("/")
    if len(parts) == 4 and parts[0] == "01" and parts[2] == "10" and SAFE_LOT.match(parts[3]):
        return root / lang / "01" / parts[1] / "10" / f"{parts[3]}.html"
    if len(parts) == 2 and parts[0] == "t" and parts[1].isalnum():
        return root / lang / "t" / f"{parts[1]}.html"
    return None


def _write(target: Path, body: bytes) -> None:
    """Atomically: nginx never serves half a file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(body)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@dataclass
class Prerenderer:
    """Keeps the files under ``root`` in step with the database, pass after pass."""

    root: Path
    written: dict[int, str] = field(default_factory=dict)
    line_mark: int = 0
    code_mark: int = 0

    def render(self, lot_ids: Iterable[int], *, force: bool = False) -> int:
        """Write the pages of these lots whose version changed (all of them with ``force``)."""
        count = 0
        for lot_id in lot_ids:
            version = lot_version(lot_id)
            if not force and self.written.get(lot_id) == version:
                continue
            page = load_page(lot_id, version=version)
            if page is None:
                continue
            path = canonical_path(page)
            for lang in LANGUAGES:
                target = page_file(self.root, lang, path) if path else None
                if target is not None:
                    _write(target, render_lot_page(page, lang).encode())
            self.written[lot_id] = version
            count += 1
        return count

    def full_pass(self) -> int:
        """Every lot with a public code, rendered again."""
        self.line_mark = EventLine.objects.aggregate(m=Max("id"))["m"] or 0
        self.code_mark = ShortCode.objects.aggregate(m=Max("id"))["m"] or 0
        (self.root / ".format").parent.mkdir(parents=True, exist_ok=True)
        count = self.render(_public_lots(), force=True)
        (self.root / ".format").write_text(PAGE_FORMAT)
        return count

    def incremental_pass(self) -> int:
        """The lots whose page may have changed since the last pass."""
        line_top = EventLine.objects.aggregate(m=Max("id"))["m"] or 0
        code_top = ShortCode.objects.aggregate(m=Max("id"))["m"] or 0
        touched = set(
            EventLine.objects.filter(id__gt=max(0, self.line_mark - LOOKBACK), id__lte=line_top)
            .values_list("lot_id", flat=True)
            .distinct()
        )
        coded = set(ShortCode.objects.filter(id__gt=self.code_mark, id__lte=code_top).values_list("lot_id", flat=True))
        self.line_mark, self.code_mark = line_top, code_top
        candidates = _with_public_code(sorted(touched | coded))
        return self.render(candidates)

    def format_changed(self) -> bool:
        marker = self.root / ".format"
        return not marker.exists() or marker.read_text() != PAGE_FORMAT


def _public_filter() -> Q:
    """Lots whose code is public: the GTIN owner's own lots, and lots with a short code."""
    owner = Q(product__gtin__isnull=False, product__enterprise_id=F("enterprise_id")) & ~Q(product__gtin="")
    return owner | Q(short_code__isnull=False)


def _public_lots() -> Iterator[int]:
    last = 0
    while True:
        ids = list(
            Lot.objects.filter(_public_filter(), pk__gt=last).order_by("pk").values_list("pk", flat=True)[:CHUNK]
        )
        if not ids:
            return
        yield from ids
        last = ids[-1]


def _with_public_code(ids: list[int]) -> list[int]:
    out: list[int] = []
    for start in range(0, len(ids), CHUNK):
        out.extend(Lot.objects.filter(_public_filter(), pk__in=ids[start : start + CHUNK]).values_list("pk", flat=True))
    return sorted(out)
