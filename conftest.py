import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shilian.config.settings.test")

import pytest


@pytest.fixture(autouse=True)
def _no_scans_left_queued():
    """Consumer scans are queued in the process and written in batches (shilian.scan.scanlog);
    a test that opens a consumer page must not leave its scans to be written at exit, after
    its database is gone."""
    yield
    from shilian.scan import scanlog  # noqa: PLC0415 — after Django is set up

    scanlog.discard()
