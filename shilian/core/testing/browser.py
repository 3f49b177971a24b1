"""Playwright for the browser tests, leaving no database session behind.

While ``sync_playwright()`` is open, the test's own code runs inside Playwright's event loop,
where Django's connections belong to that context (asgiref's ``Local``), not to the thread: a
query made there opens a connection of its own. It is closed here before the context ends;
otherwise PostgreSQL still holds it when pytest-django drops the test database ("is being
accessed by other users").
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connections
from playwright.sync_api import Playwright, sync_playwright


@contextmanager
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        try:
            yield p
        finally:
            connections.close_all()
