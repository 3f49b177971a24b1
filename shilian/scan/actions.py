"""Every write of the scan app: the scan log, consumer reports; one transaction each."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction

from shilian.chain.models import Lot
from shilian.chain.photos import CheckedPhoto
from shilian.core.errors import DomainError
from shilian.core.history import record
from shilian.scan.choices import ReportKind
from shilian.scan.counterfeit import check_items
from shilian.scan.errors import ScanErrorCode
from shilian.scan.models import ConsumerReport, CounterfeitFlag, Scan
from shilian.scan.scanrows import ScanRow

DESCRIPTION_MAX = 1000
CONTACT_MAX = 100


_SCAN_INSERT = (
    f"INSERT INTO {Scan._meta.db_table} ({', '.join(ScanRow._fields)}) "
    f"VALUES ({', '.join(['%s'] * len(ScanRow._fields))})"
)


@transaction.atomic
def record_scans(rows: Sequence[ScanRow]) -> list[CounterfeitFlag]:
    """Write a batch of scans with one prepared insert, then raise the suspected
    counterfeit flags their item codes call for. Returns the flags newly raised.

    Plain rows through ``executemany``: the ORM's ``bulk_create`` cost ~0.1 ms a row here,
    more than serving the page. No history row: the scan log is itself the record.
    """
    if not rows:
        return []
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.executemany(_SCAN_INSERT, [(adapt(row.scanned_at), *row[1:]) for row in rows])
    items = [(row.lot_id, row.serial) for row in rows if row.serial and row.lot_id is not None]
    if not items:
        return []
    now = max(row.scanned_at for row in rows if row.serial and row.lot_id is not None)
    return check_items(items, now)


@transaction.atomic
def file_report(
    lot: Lot,
    *,
    kind: str,
    description: str = "",
    contact: str = "",
    photo: CheckedPhoto | None = None,
    client: str = "",
    acting_user: Any = None,
) -> ConsumerReport:
    """A consumer reports a problem with a lot; the inspectors of its jurisdiction see it."""
    if kind not in ReportKind.values:
        raise DomainError(ScanErrorCode.MISSING_FIELD, "请选择问题类型 / pick what is wrong", field="kind")
    description, contact = description.strip(), contact.strip()
    if len(description) > DESCRIPTION_MAX:
        raise DomainError(
            ScanErrorCode.MISSING_FIELD, f"描述最多{DESCRIPTION_MAX}字 / at most {DESCRIPTION_MAX} characters", field="description"
        )
    if len(contact) > CONTACT_MAX:
        raise DomainError(
            ScanErrorCode.MISSING_FIELD, f"联系方式最多{CONTACT_MAX}字 / at most {CONTACT_MAX} characters", field="contact"
        )
    report = ConsumerReport(
        lot=lot,
        enterprise_id=lot.enterprise_id,
        jurisdiction_code=lot.enterprise.jurisdiction_id,
        kind=kind,
        description=description,
        contact=contact,
        client=client,
    )
    if photo is not None:
        # Content-addressed, like chain documents: a rolled-back report leaves at most a
        # file that the same photo would reuse.
        path = f"reports/{photo.sha256[:2]}/{photo.sha256}.{photo.extension}"
        if not default_storage.exists(path):
            path = default_storage.save(path, ContentFile(photo.data))
        report.photo.name = path
        report.photo_type, report.photo_size, report.photo_sha256 = photo.content_type, photo.size, photo.sha256
    report.save()
    record(
        "scan.report",
        report,
        acting_user=acting_user,
        jurisdiction_code=report.jurisdiction_code,
        lot=lot.pk,
        kind=kind,
        photo=bool(photo),
    )
    return report
