import datetime as dt

import pytest
from django.core.cache import caches
from django.utils import timezone

from shilian.ledger import actions
from shilian.ledger.keys import ENV


@pytest.fixture(autouse=True)
def _ledger_state(settings, tmp_path, monkeypatch):
    """A fresh key directory (the key file is generated there) and empty caches per test."""
    settings.DATA_DIR = tmp_path
    monkeypatch.delenv(ENV, raising=False)
    for cache in caches.all():
        cache.clear()
    yield
    for cache in caches.all():
        cache.clear()


@pytest.fixture
def tomorrow(monkeypatch):
    """Today's events recorded, the platform's clock moved a day on: today can be closed."""
    today = timezone.localdate()
    monkeypatch.setattr(actions, "today", lambda: today + dt.timedelta(days=1))
    return today
