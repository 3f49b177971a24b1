"""Serials and short codes issued at the same moment for one lot never collide."""

import threading

import pytest
from django.db import connections

from shilian.chain.models import Lot
from shilian.codes.actions import ensure_lot_code, issue_serials
from shilian.codes.models import SerialRange, ShortCode
from shilian.codes.tests.factories import produce_lot


def _together(work, n: int = 4) -> list[str]:
    barrier = threading.Barrier(n)
    outcomes: list[str] = []

    def run() -> None:
        try:
            barrier.wait(timeout=10)
            outcomes.append(work())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_concurrent_serial_ranges_do_not_overlap():
    lot = produce_lot()
    _together(lambda: str(issue_serials(Lot.objects.get(pk=lot.pk), 10, acting_user=None).pk))
    ranges = [(r.first, r.last) for r in SerialRange.objects.filter(lot=lot).order_by("first")]
    assert ranges == [(1, 10), (11, 20), (21, 30), (31, 40)]
    assert ShortCode.objects.filter(lot=lot).count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_first_prints_issue_one_short_code():
    lot = produce_lot()
    uris = _together(lambda: ensure_lot_code(Lot.objects.get(pk=lot.pk), acting_user=None))
    assert len(uris) == 4
    assert len(set(uris)) == 1
    assert ShortCode.objects.filter(lot=lot).count() == 1
