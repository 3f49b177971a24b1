"""A chain event whose transaction commits after a later one was stored is still stored, by the
next query, with no newer event needed (``interop.sync``'s watermark and its pending id), and a
client polling by ``recordTime`` gets it."""

import datetime as dt
import threading

import pytest
from django.db import connection, connections

from shilian.chain.models import TraceEvent
from shilian.core.testing import factories as f
from shilian.interop import sync
from shilian.interop.models import ChainSync, EpcisEvent
from shilian.interop.sync import sync_chain_events
from shilian.interop.tests.epcis_support import get, results


def poll(user) -> str:
    """A client's poll of every event: the newest recordTime it saw."""
    seen = results(get("/epcis/events", user, {"perPage": 100}))
    return max((e["recordTime"] for e in seen), key=dt.datetime.fromisoformat)


@pytest.mark.django_db(transaction=True)
def test_an_event_committed_late_is_stored_by_the_next_query(monkeypatch):
    monkeypatch.setattr(sync, "GRACE", 0)
    early, later = f.make_enterprise(name="早作坊"), f.make_enterprise(name="晚作坊")
    admin = f.make_admin()
    f.receive(early, quantity="1", product_name="糖", lot_code="EARLY0")
    sync_chain_events()
    taken, release = threading.Event(), threading.Event()
    held: list[int] = []

    def record_and_hold() -> None:
        """Takes its event id, then keeps its transaction open until released."""
        from django.db import transaction

        try:
            with transaction.atomic():
                lot = f.receive(early, quantity="1", product_name="糖", lot_code="LATE1")
                held.append(lot.event_lines.get().event_id)
                taken.set()
                assert release.wait(timeout=30)
        finally:
            connections.close_all()

    worker = threading.Thread(target=record_and_hold)
    if connection.vendor != "postgresql":
        newest = poll(admin)  # while the worker writes, a request (its token's use) would wait
    worker.start()
    try:
        assert taken.wait(timeout=30)
        if connection.vendor == "postgresql":
            # a later event commits first and is stored; the held one is not visible yet
            f.receive(later, quantity="1", product_name="盐", lot_code="NOW1")
            newer = TraceEvent.objects.latest("pk").pk
            assert newer > held[0]
            sync_chain_events()
            assert EpcisEvent.objects.filter(trace_event_id=newer).exists()
            for _ in range(3):  # however often it runs, the watermark stays below the held id
                sync_chain_events()
                assert ChainSync.objects.get().watermark < held[0]
            newest = poll(admin)
        else:  # one writer at a time: a sync meanwhile sees nothing new and holds nothing back
            assert sync_chain_events() == 0
    finally:
        release.set()
        worker.join(timeout=30)
    assert not EpcisEvent.objects.filter(trace_event_id=held[0]).exists()
    # no newer event: the next query stores it, and the client's next poll from the newest
    # recordTime it saw gets it (recordTime is when the store took it in, not when it was recorded)
    polled = results(get("/epcis/events", admin, {"perPage": 100, "GE_recordTime": newest}))
    assert EpcisEvent.objects.filter(trace_event_id=held[0]).count() == 1
    late = EpcisEvent.objects.get(trace_event_id=held[0])
    assert late.event_id in {e["eventID"] for e in polled}
    assert dt.datetime.fromisoformat(late.body["recordTime"]) >= dt.datetime.fromisoformat(newest)
    assert EpcisEvent.objects.count() == TraceEvent.objects.count()
    # and the state settles: the watermark reaches the last id, the cheap check answers again
    for _ in range(3):
        sync_chain_events()
    state = ChainSync.objects.get()
    assert (state.watermark, state.pending) == (TraceEvent.objects.latest("pk").pk, None)


@pytest.mark.django_db(transaction=True)
def test_the_watermark_waits_for_a_transaction_that_has_written(monkeypatch):
    """On PostgreSQL the transactions writing when the grace period ends are waited for; on
    SQLite none can be writing while a sync writes its state."""
    monkeypatch.setattr(sync, "GRACE", 0)
    workshop = f.make_enterprise(name="面坊")
    f.receive(workshop, quantity="1", product_name="面粉", lot_code="W1")
    sync_chain_events()
    writing, release = threading.Event(), threading.Event()

    def write_and_hold() -> None:
        from django.db import transaction

        try:
            with transaction.atomic():
                workshop.refresh_from_db()
                workshop.save(update_fields=["name"])  # a transaction id, no chain event
                writing.set()
                assert release.wait(timeout=30)
        finally:
            connections.close_all()

    if connection.vendor != "postgresql":
        sync_chain_events()
        assert ChainSync.objects.get().pending is None
        return
    worker = threading.Thread(target=write_and_hold)
    worker.start()
    try:
        assert writing.wait(timeout=30)
        sync_chain_events()  # the grace period is over: the writing session is noted
        state = ChainSync.objects.get()
        assert state.pending is not None
        assert state.watermark < state.pending
        assert len(state.waiting_for) == 1
        sync_chain_events()
        assert ChainSync.objects.get().pending == state.pending  # still waiting
    finally:
        release.set()
        worker.join(timeout=30)
    sync_chain_events()
    state = ChainSync.objects.get()
    assert (state.watermark, state.pending, state.waiting_for) == (TraceEvent.objects.latest("pk").pk, None, None)
