"""A scan as the log writes it: a plain row, built per request without a model instance."""

from __future__ import annotations

import datetime as dt
from typing import Any, NamedTuple

from django.utils import timezone

from shilian.codes.digital_link import CodeKey
from shilian.scan.choices import ScanSource
from shilian.scan.client import ClientInfo


class ScanRow(NamedTuple):
    """The columns of ``Scan`` in insert order (``record_scans`` writes them as they are)."""

    scanned_at: dt.datetime
    source: str
    kind: str
    lot_id: int | None
    product_id: int | None
    enterprise_id: int | None
    jurisdiction_code: str
    gtin: str
    lot_code: str
    serial: str
    short_code: str
    ua_family: str
    platform: str
    language: str
    client: str


def scan_row(
    key: CodeKey,
    info: ClientInfo,
    *,
    kind: str,
    target: Any = None,
    source: str = ScanSource.APP,
    scanned_at: dt.datetime | None = None,
    product_id: int | None = None,
    enterprise_id: int | None = None,
    jurisdiction_code: str = "",
) -> ScanRow:
    """The row of one scan; ``target`` (a ``resolver.Target``) names the lot when one was found."""
    if target is not None:
        product_id, enterprise_id, jurisdiction_code = target.product_id, target.enterprise_id, target.jurisdiction_code
    return ScanRow(
        scanned_at or timezone.now(),
        source,
        kind,
        target.lot_id if target is not None else None,
        product_id,
        enterprise_id,
        jurisdiction_code,
        key.gtin or "",
        key.lot or "",
        key.serial or "",
        key.short or "",
        info.ua_family,
        info.platform,
        info.language,
        info.client,
    )
