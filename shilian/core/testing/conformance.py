"""Where the shared conformance data lives, for tests.

The data (GS1 EPCIS documents, JSON Schema, event-hash goldens) sits in ``../shared/conformance``
beside the checkout, locally and in CI. Tests read it through these paths only.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from django.conf import settings


def _conformance_dir() -> Path:
    """``SHILIAN_CONFORMANCE_DIR`` if set, else ``../shared/conformance`` beside the checkout. Missing
    data is an error, not an empty test list: the conformance tests must never pass by skipping."""
    given = os.environ.get("SHILIAN_CONFORMANCE_DIR")
    path = Path(given) if given else Path(settings.BASE_DIR).parent / "shared" / "conformance"
    if not (path / "epcis" / "valid").is_dir() or not (path / "event-hash").is_dir():
        raise RuntimeError(
            f"no conformance data at {path}: check out ../shared beside the project, or set SHILIAN_CONFORMANCE_DIR"
        )
    return path


CONFORMANCE = _conformance_dir()
EPCIS_DIR = CONFORMANCE / "epcis"
EPCIS_VALID = EPCIS_DIR / "valid"
EPCIS_INVALID = EPCIS_DIR / "invalid"
EPCIS_EVENTS = EPCIS_DIR / "events"
EPCIS_QUERY = EPCIS_DIR / "query"
EPCIS_GS1 = EPCIS_DIR / "gs1"
EVENT_HASH = CONFORMANCE / "event-hash"


def load_json(path: Path) -> Any:
    with path.open(encoding="utf-8") as f:
        return json.load(f)


def valid_documents() -> list[Path]:
    """The 38 EPCIS 2.0 documents a conforming capture endpoint accepts."""
    return sorted(EPCIS_VALID.glob("*.json"))


def invalid_documents() -> list[Path]:
    """The 15 EPCIS documents a conforming capture endpoint rejects."""
    return sorted(EPCIS_INVALID.glob("*.json"))


def hash_documents() -> list[Path]:
    """The event-hash golden documents (each ``X.jsonld`` has ``X.hashes``, maybe ``X.prehashes``)."""
    return sorted(EVENT_HASH.glob("*.jsonld"))
