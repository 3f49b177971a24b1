import pytest
from django.core.cache import caches

from shilian.scan import resolver, scanlog
from shilian.scan.pages import page_cache


@pytest.fixture(autouse=True)
def _fresh_process_state():
    """Each test starts with an empty scan queue, code table and caches (they live per process)."""
    scanlog.discard()
    resolver.forget()
    for cache in caches.all():
        cache.clear()
    page_cache().clear()
    yield
    scanlog.discard()
    resolver.forget()
