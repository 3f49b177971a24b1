"""Seal the events recorded before the chain of evidence existed, once, in id order per
enterprise: after this, every event has its entry (new ones get theirs when recorded).

Uses the historical models and the pure functions that define the canonical form and the
entry hash, so it keeps working as the models change later.
"""

import hashlib
from collections import defaultdict

from django.db import migrations
from django.utils import timezone

CHUNK = 400


def seal_recorded_events(apps, schema_editor):
    from shilian.chain.canonical import DOCUMENT_FIELDS, EVENT_FIELDS, KIND, LINE_FIELDS, encode
    from shilian.core.ledger import GENESIS, entry_hash

    TraceEvent = apps.get_model("chain", "TraceEvent")
    EventLine = apps.get_model("chain", "EventLine")
    Document = apps.get_model("chain", "Document")
    LedgerEntry = apps.get_model("core", "LedgerEntry")
    LedgerHead = apps.get_model("core", "LedgerHead")
    sealed = set(LedgerEntry.objects.filter(kind=KIND).values_list("subject_id", flat=True))
    pending = defaultdict(list)
    for pk, enterprise_id in TraceEvent.objects.order_by("pk").values_list("pk", "enterprise_id"):
        if pk not in sealed:
            pending[enterprise_id].append(pk)
    now = timezone.now()
    for enterprise_id, ids in sorted(pending.items()):
        head = LedgerHead.objects.filter(pk=enterprise_id).first()
        seq, prev = (head.seq, head.head_hash) if head is not None else (0, GENESIS)
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            lines, documents = defaultdict(list), defaultdict(list)
            for row in EventLine.objects.filter(event_id__in=chunk).values_list(*LINE_FIELDS).order_by():
                lines[row[1]].append(row)
            for row in Document.objects.filter(event_id__in=chunk).values_list(*DOCUMENT_FIELDS).order_by():
                documents[row[1]].append(row)
            entries = []
            for row in TraceEvent.objects.filter(pk__in=chunk).order_by("pk").values_list(*EVENT_FIELDS):
                seq += 1
                digest = hashlib.sha256(encode(row, lines[row[0]], documents[row[0]])).hexdigest()
                this = entry_hash(enterprise_id, seq, KIND, row[0], digest, prev, now)
                entries.append(
                    LedgerEntry(
                        enterprise_id=enterprise_id,
                        seq=seq,
                        kind=KIND,
                        subject_id=row[0],
                        digest=digest,
                        prev_hash=prev,
                        entry_hash=this,
                        recorded_at=now,
                    )
                )
                prev = this
            LedgerEntry.objects.bulk_create(entries)
        LedgerHead.objects.update_or_create(enterprise_id=enterprise_id, defaults={"seq": seq, "head_hash": prev})


class Migration(migrations.Migration):
    dependencies = [
        ("chain", "0003_covering_indexes"),
        ("core", "0002_ledger"),
        ("ledger", "0001_initial"),
    ]

    operations = [migrations.RunPython(seal_recorded_events, migrations.RunPython.noop)]
