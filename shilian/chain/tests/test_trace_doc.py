"""The trace statement's pieces that the API comparisons do not reach: local times of any date."""

import datetime as dt
import zoneinfo

import pytest
from django.db import connection
from django.test import override_settings

from shilian.chain.queries.trace_doc import _fixed_offset, _local

pytestmark = pytest.mark.django_db

UTC = dt.UTC
INSTANTS = [
    dt.datetime(1988, 7, 1, 4, 0, 0, 500000, tzinfo=UTC),  # Shanghai kept summer time 1986–1991 (+09:00)
    dt.datetime(1991, 9, 14, 17, 30, tzinfo=UTC),  # the last change
    dt.datetime(1991, 9, 16, 0, 0, tzinfo=UTC),
    dt.datetime(2026, 3, 29, 0, 59, 59, tzinfo=UTC),  # Berlin's change to summer time at 01:00 UTC
    dt.datetime(2026, 3, 29, 1, 0, 0, 123456, tzinfo=UTC),
    dt.datetime(2026, 11, 29, 10, 0, tzinfo=UTC),
    dt.datetime(2100, 1, 1, 0, 0, tzinfo=UTC),  # past the constant-offset horizon
]


def _written(value: dt.datetime) -> str:
    expression = _local(connection.vendor).replace("{x}", "x")
    cast = "CAST(%s AS timestamptz)" if connection.vendor == "postgresql" else "%s"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {expression} FROM (SELECT {cast} AS x) z", [connection.ops.adapt_datetimefield_value(value)])
        return cursor.fetchone()[0]


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "Europe/Berlin", "UTC"])
def test_times_are_written_in_the_site_zone_with_its_offset(zone):
    with override_settings(TIME_ZONE=zone):
        for value in INSTANTS:
            assert _written(value) == value.astimezone(zoneinfo.ZoneInfo(zone)).isoformat(), value


def test_a_zone_with_one_offset_since_a_date_gets_the_constant():
    since, minutes = _fixed_offset("Asia/Shanghai")
    assert minutes == 8 * 60
    assert dt.datetime(1991, 9, 14, tzinfo=UTC) < since <= dt.datetime(1991, 9, 16, tzinfo=UTC)
    assert _fixed_offset("UTC") == (dt.datetime(1970, 1, 1, tzinfo=UTC), 0)
    assert _fixed_offset("Europe/Berlin") is None  # summer time every year


def test_the_trace_and_impact_statements_are_prepared_on_postgresql():
    """On PostgreSQL they run as named prepared statements (core.db.bound_cursor, ADR 0011)."""
    from shilian.chain.queries.impact_doc import impact_document
    from shilian.chain.queries.trace import Direction
    from shilian.chain.queries.trace_doc import trace_document
    from shilian.core.testing import factories as f

    maker = f.make_enterprise()
    lot = f.receive(maker, quantity="5")
    assert '"lot_count":1' in impact_document(lot.pk)
    assert '"lots":1' in trace_document(f.make_admin(), lot.pk, Direction.FORWARD)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement FROM pg_prepared_statements")
            prepared = [row[0] for row in cursor.fetchall()]
        assert any("chain_lotshipment" in s and "WITH RECURSIVE reach" in s for s in prepared)
        assert any("WITH RECURSIVE walk" in s for s in prepared)
