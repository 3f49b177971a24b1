"""Carrying a previewed file to its confirmation without storing it: the parsed rows, signed
(Django's signing, salted, compressed) into the confirmation form, valid for an hour, for the
one enterprise and ledger kind they were read for. The rows are checked again on confirmation."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core import signing

from shilian.interop.ledgers.columns import FIELDS, LedgerErrorCode, LedgerImportError, LedgerKind, RowError, Type
from shilian.interop.ledgers.reader import LedgerRow, ParsedLedger

SALT = "shilian.interop.ledgers"
MAX_AGE_SECONDS = 3600


def dump(parsed: ParsedLedger, *, enterprise_id: int, token: str, sha256: str) -> str:
    rows = [
        [row.number, {key: _json(value) for key, value in row.values.items() if value is not None}]
        for row in parsed.rows
    ]
    body = {"e": enterprise_id, "k": str(parsed.kind), "t": token, "h": sha256, "c": parsed.columns, "r": rows}
    return signing.dumps(body, salt=SALT, compress=True)


def load(text: str, *, enterprise_id: int, kind: LedgerKind) -> tuple[ParsedLedger, str, str]:
    """The parsed ledger, its preview token and file hash; LedgerImportError if the form was
    altered, is older than an hour, or belongs to another enterprise or ledger."""
    try:
        body = signing.loads(text, salt=SALT, max_age=MAX_AGE_SECONDS)
    except signing.SignatureExpired:
        raise _refuse("预览已过期，请重新上传 / the preview expired, upload the file again") from None
    except signing.BadSignature:
        raise _refuse("预览数据无效，请重新上传 / the preview is not valid, upload the file again") from None
    if body.get("e") != enterprise_id or body.get("k") != str(kind):
        raise _refuse("预览不属于当前主体或台账 / the preview is for another enterprise or ledger")
    types = {spec.key: spec.type for spec in FIELDS[kind]}
    parsed = ParsedLedger(kind, columns=dict(body.get("c") or {}))
    for number, values in body.get("r") or []:
        parsed.rows.append(LedgerRow(int(number), {key: _value(types.get(key), raw) for key, raw in values.items()}))
    return parsed, str(body.get("t") or ""), str(body.get("h") or "")


def _refuse(message: str) -> LedgerImportError:
    return LedgerImportError(LedgerErrorCode.BAD_FILE, [RowError(None, "", message)])


def _json(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return "t:" + value.isoformat()
    if isinstance(value, dt.date):
        return "d:" + value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _value(kind: Type | None, raw: Any) -> Any:
    if isinstance(raw, str) and raw.startswith("t:") and kind in (Type.DATETIME,):
        return dt.datetime.fromisoformat(raw[2:])
    if isinstance(raw, str) and raw.startswith("d:") and kind in (Type.DATE, Type.DATETIME):
        return dt.date.fromisoformat(raw[2:])
    if kind is Type.QUANTITY:
        return Decimal(str(raw))
    return raw
