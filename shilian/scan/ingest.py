"""Scans served by nginx from pre-rendered pages, read back from its scan log.

nginx writes one line per page it served from a file (``deploy/nginx``, ``log_format
shilian_scan``), tab-separated: time (``$msec``), request URI, status, the client's
network (nginx cuts the address to /24 or three IPv6 groups before writing), user agent,
Accept-Language. Each line becomes the same scan row the app would have written
(``source=nginx``). The position read so far is kept next to the log (``.offset``:
inode and byte offset), so a pass reads only new lines and a rotated log starts over.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from shilian.codes.digital_link import DigitalLinkError, parse_uri
from shilian.scan.actions import record_scans
from shilian.scan.choices import ScanKind, ScanSource
from shilian.scan.client import describe, network_of
from shilian.scan.resolver import resolve_key
from shilian.scan.scanrows import ScanRow, scan_row

BATCH = 1000
_ESCAPED = re.compile(rb"\\x([0-9A-Fa-f]{2})")


def unescape(field: str) -> str:
    r"""Undo nginx's log escaping (``\xHH`` for ``"``, ``\`` and bytes outside ASCII), giving
    the header as a WSGI server hands it to the app (bytes read as Latin-1)."""
    raw = _ESCAPED.sub(lambda m: bytes([int(m.group(1), 16)]), field.encode("latin-1", "replace"))
    return raw.decode("latin-1")


def parse_line(line: str) -> ScanRow | None:
    """The scan row of one log line; None for a line that is not a served scan."""
    fields = line.rstrip("\n").split("\t")
    if len(fields) != 6:
        return None
    msec, uri, status, network, user_agent, accept_language = fields
    if status not in ("200", "304"):
        return None
    try:
        scanned_at = dt.datetime.fromtimestamp(float(msec), tz=dt.UTC)
        key = parse_uri(unescape(uri))
        target = resolve_key(key) if key.level != "product" else None
    except (ValueError, OverflowError, DigitalLinkError):
        return None
    user_agent = unescape(user_agent)[:500]
    info = describe(
        network=network_of(unescape(network)) if network != "-" else "",
        user_agent="" if user_agent == "-" else user_agent,
        accept_language="" if accept_language == "-" else unescape(accept_language),
    )
    return scan_row(key, info, kind=ScanKind.PAGE, target=target, source=ScanSource.NGINX, scanned_at=scanned_at)


@dataclass
class LogCursor:
    """How far the log has been read: its inode and byte offset, kept in ``{log}.offset``."""

    log: Path

    @property
    def state_file(self) -> Path:
        return self.log.with_name(self.log.name + ".offset")

    def load(self) -> tuple[int, int]:
        try:
            state = json.loads(self.state_file.read_text())
            return int(state["inode"]), int(state["offset"])
        except (OSError, ValueError, KeyError, TypeError):
            return 0, 0

    def save(self, inode: int, offset: int) -> None:
        tmp = self.state_file.with_name(self.state_file.name + ".tmp")
        tmp.write_text(json.dumps({"inode": inode, "offset": offset}))
        os.replace(tmp, self.state_file)


def _complete_lines(log: Path, offset: int) -> Iterator[tuple[str, int]]:
    """Whole lines after ``offset`` with the offset after each (a line still being written waits)."""
    with log.open("rb") as handle:
        handle.seek(offset)
        for raw in handle:
            if not raw.endswith(b"\n"):
                return
            offset += len(raw)
            yield raw.decode("latin-1"), offset


def ingest(log: Path) -> int:
    """Read the new lines of the log into the scan log; returns how many scans were written."""
    if not log.exists():
        return 0
    cursor = LogCursor(log)
    inode, offset = cursor.load()
    stat = log.stat()
    current_inode = stat.st_ino
    if inode != current_inode or stat.st_size < offset:
        offset = 0  # rotated or truncated: a new file
    rows: list[ScanRow] = []
    written = 0
    position = offset
    for line, after in _complete_lines(log, offset):
        row = parse_line(line)
        if row is not None:
            rows.append(row)
        position = after
        if len(rows) >= BATCH:
            record_scans(rows)
            written += len(rows)
            rows = []
            cursor.save(current_inode, position)
    if rows:
        record_scans(rows)
        written += len(rows)
    cursor.save(current_inode, position)
    return written
