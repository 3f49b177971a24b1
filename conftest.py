import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shilian.config.settings.test")

import pytest


@pytest.fixture(autouse=True)
def _fresh_consumer_page_state():
    """The consumer page keeps per-process state: scans queued for a batch write, the codes
    it has resolved, the page cache. A test must neither leave scans to be written after its
    database is gone nor inherit codes resolved to rows another test rolled back (on
    PostgreSQL ids are not reused, so a stale entry answers 404)."""
    from django.core.cache import caches  # noqa: PLC0415 — after Django is set up

    from shilian.scan import resolver, scanlog  # noqa: PLC0415
    from shilian.scan.pages import page_cache  # noqa: PLC0415

    def clear() -> None:
        scanlog.discard()
        resolver.forget()
        for cache in caches.all():
            cache.clear()
        page_cache().clear()

    clear()
    yield
    clear()


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the site's default language (Chinese): a request in English leaves
    English active in the thread, which a later test in the same worker must not inherit."""
    from django.conf import settings  # noqa: PLC0415
    from django.utils import translation  # noqa: PLC0415

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """With SHILIAN_NO_SKIP set (CI does), a skipped test fails: a test that needs Chromium,
    ffmpeg, nginx-rtmp or the gst camera simulator must run there, not quietly skip."""
    outcome = yield
    report = outcome.get_result()
    if os.environ.get("SHILIAN_NO_SKIP") and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped, but SHILIAN_NO_SKIP is set: {report.longrepr}"


@pytest.fixture(autouse=True)
def _rate_windows_hold_still(monkeypatch):
    """django-ratelimit's windows are fixed slices of the clock: one that ends while a test is
    counting (a slow run) resets the count and the test's last request gets through. Here every
    window ends one period after the test starts, so a test sees one window, as a quick client does."""
    import time  # noqa: PLC0415

    from django_ratelimit import core  # noqa: PLC0415

    start = int(time.time())
    monkeypatch.setattr(core, "_get_window", lambda value, period: start + period)
