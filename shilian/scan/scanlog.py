"""The scan log's write path: scans gathered per process and written in batches.

A page served from cache costs one indexed read; writing its scan row on its own would
be a write transaction per scan (SQLite serialises them). So scans wait here and are
written by ``record_scans`` in one statement.

- In the server (``front_door`` turns it on), a background thread of each worker process
  writes them: every ``MAX_DELAY`` seconds, or as soon as ``BACKGROUND_BATCH`` have
  gathered. A request only appends to a list, and never waits for the database (a WAL
  checkpoint can hold SQLite's write lock for a good part of a second).
- Elsewhere (tests, management commands) the request writes: as soon as ``BATCH_SIZE``
  have gathered, or with the next scan once ``MAX_DELAY`` seconds passed since the last
  write (at low traffic every scan is written at once).

Both flush at exit. A crash loses at most the last second of scans.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time

from django.db import DatabaseError, connection

from shilian.scan.actions import record_scans
from shilian.scan.scanrows import ScanRow

BATCH_SIZE = 50
BACKGROUND_BATCH = 500
MAX_DELAY = 1.0

logger = logging.getLogger(__name__)
_pending: list[ScanRow] = []
_lock = threading.Lock()
_last_write = 0.0
_background = False
_writer_pid = 0
_wake = threading.Event()


def use_background_writer() -> None:
    """Write from a background thread in each process from now on (the WSGI entry calls this)."""
    global _background
    _background = True


def log_scan(scan: ScanRow) -> None:
    """Queue one scan; write the queue (or wake the writer) when it is full or old enough."""
    global _last_write
    with _lock:
        _pending.append(scan)
        if _background:
            _ensure_writer()
            if len(_pending) >= BACKGROUND_BATCH:
                _wake.set()
            return
        now = time.monotonic()
        if len(_pending) < BATCH_SIZE and now - _last_write < MAX_DELAY:
            return
        batch = _take()
        _last_write = now
    _write(batch)


def flush() -> int:
    """Write whatever is queued now, in this thread; returns how many scans were written."""
    global _last_write
    with _lock:
        batch = _take()
        _last_write = time.monotonic()
    _write(batch)
    return len(batch)


def discard() -> None:
    """Drop the queue without writing (tests, between databases)."""
    with _lock:
        _pending.clear()


def pending() -> int:
    return len(_pending)


def _take() -> list[ScanRow]:
    batch = _pending[:]
    _pending.clear()
    return batch


def _write(batch: list[ScanRow]) -> None:
    if not batch:
        return
    try:
        record_scans(batch)
    except DatabaseError:
        logger.exception("could not write %d scans to the scan log", len(batch))


def _ensure_writer() -> None:
    """Start this process's writer thread (again after a fork: threads do not survive one)."""
    global _writer_pid
    if _writer_pid == os.getpid():
        return
    _writer_pid = os.getpid()
    threading.Thread(target=_run_writer, name="shilian-scan-log", daemon=True).start()


def _run_writer() -> None:
    while True:
        _wake.wait(MAX_DELAY)
        _wake.clear()
        with _lock:
            batch = _take()
        if batch:
            _write(batch)
            connection.close_if_unusable_or_obsolete()  # this thread's own connection
        elif connection.connection is not None:  # idle for a whole period: give the session back
            connection.close()


atexit.register(flush)
