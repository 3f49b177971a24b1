"""Two shipments of the last 10 kg at the same moment: exactly one may succeed."""

import threading
from decimal import Decimal

import pytest
from django.db import connection, connections

from shilian.chain.models import Lot, TraceEvent
from shilian.core.errors import DomainError
from shilian.core.testing import factories as f


@pytest.mark.django_db(transaction=True)
def test_concurrent_shipments_of_the_last_stock_cannot_both_succeed():
    shop = f.make_enterprise()
    lot = f.receive(shop, quantity="10")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def ship_all() -> None:
        try:
            barrier.wait(timeout=10)
            f.ship(shop, Lot.objects.get(pk=lot.pk), "10")
            outcomes.append("shipped")
        except DomainError as exc:
            outcomes.append(exc.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=ship_all) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes) == ["insufficient_stock", "shipped"]
    assert Lot.objects.get(pk=lot.pk).quantity_on_hand == Decimal("0.000")
    assert TraceEvent.objects.filter(event_type="ship").count() == 1
    assert connection.vendor in {"sqlite", "postgresql"}
