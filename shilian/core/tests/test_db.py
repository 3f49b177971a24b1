"""``core.db.bound_cursor``: the same answers as Django's cursor, bound on the server and
prepared once per connection on PostgreSQL (ADR 0011)."""

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from shilian.core.db import bound_cursor

pytestmark = pytest.mark.django_db

STATEMENT = "SELECT %s + 1, %s || 'x', 'a%%b'"  # written as for connection.cursor(): %% is a %


def _prepared_here() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.parametrize("prepare", [False, True])
def test_a_bound_cursor_answers_like_the_ordinary_one_and_is_logged(prepare):
    with connection.cursor() as cursor:
        cursor.execute(STATEMENT, [41, "y"])
        expected = cursor.fetchone()
    with CaptureQueriesContext(connection) as captured, bound_cursor(prepare=prepare) as cursor:
        for _ in range(3):
            cursor.execute(STATEMENT, [41, "y"])
            assert cursor.fetchone() == expected == (42, "yx", "a%b")
    assert len(captured.captured_queries) == 3  # through Django's wrapper: counted like any query
    assert all("41" in q["sql"] and "'a%b'" in q["sql"] for q in captured.captured_queries)  # logged as run


def test_on_postgresql_the_statement_is_prepared_once_per_connection_unless_switched_off():
    marker = "SELECT 7 * %s AS shilian_bound_cursor_test"
    with bound_cursor(prepare=True) as cursor:
        cursor.execute(marker, [6])
        assert cursor.fetchone() == (42,)
    if connection.vendor != "postgresql":  # SQLite has no server: the ordinary cursor, nothing to prepare
        assert connection.vendor == "sqlite"
        return
    assert sum("shilian_bound_cursor_test" in s for s in _prepared_here()) == 1
    with bound_cursor(prepare=True) as cursor:  # again: the same prepared statement
        cursor.execute(marker, [2])
        assert cursor.fetchone() == (14,)
    assert sum("shilian_bound_cursor_test" in s for s in _prepared_here()) == 1
    with override_settings(SHILIAN_PG_PREPARE=False), bound_cursor(prepare=True) as cursor:
        cursor.execute(marker.replace("7", "8"), [2])
        assert cursor.fetchone() == (16,)
    assert not any("8 * $1" in s for s in _prepared_here())

