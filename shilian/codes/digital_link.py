"""What a trace code says: GS1 Digital Link URIs, our ``/t/`` short links, element strings.

Three levels, as 浙食链 issues them: product ``/01/{gtin}``, lot ``/01/{gtin}/10/{lot}``,
item ``/01/{gtin}/10/{lot}/21/{serial}``, with expiry (AI 17) and production date (AI 11)
as query attributes; lots without a GTIN get ``/t/{code}`` and items ``/t/{code}/21/{serial}``.

The order and shape of the path are checked here (biip skips any path segments before
the primary key, so ``/10/L/01/…`` would read as a product code); each value is then
validated by biip's GS1 application-identifier tables, and the GTIN check digit by
``core.identifiers`` (biip pads the GTIN but does not check it). Building is ours: biip
builds only canonical ``id.gs1.org`` URIs with every attribute sorted into the query.

Errors are ``DigitalLinkError`` with ``status`` 400 (malformed: the message says what
is wrong, in Chinese and English); "well-formed but unknown" (404) is the resolver's
answer (``codes.queries``), raised with the same class.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from biip import ParseError
from biip.gs1_application_identifiers import GS1ApplicationIdentifier
from biip.gs1_element_strings import GS1ElementString
from biip.gs1_messages import GS1Message
from django.conf import settings

from shilian.codes import shortcodes
from shilian.core.identifiers import check_gtin

# Qualifiers of a GTIN GS1 knows but the platform does not issue (consumer product variant, TPX).
_UNSUPPORTED_QUALIFIERS = {"22", "235"}
_PATH_AIS = {"01", "10", "21", *_UNSUPPORTED_QUALIFIERS}
_SYMBOLOGY_ID = re.compile(r"^\][A-Za-z][0-9A-Za-z]")
_GS = "\x1d"


class DigitalLinkError(ValueError):
    """A code that cannot be read (``status`` 400) or names nothing known (404)."""

    def __init__(self, message: str, *, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class CodeKey:
    """The identifiers a trace code carries; ``gtin`` (14 digits) or ``short``, never both."""

    gtin: str | None = None
    lot: str | None = None
    serial: str | None = None
    short: str | None = None
    expires_on: dt.date | None = None
    produced_on: dt.date | None = None

    @property
    def level(self) -> str:
        """``product``, ``lot`` or ``item`` (a short code always names at least a lot)."""
        if self.serial is not None:
            return "item"
        if self.lot is not None or self.short is not None:
            return "lot"
        return "product"


def _bad(message: str) -> DigitalLinkError:
    return DigitalLinkError(message, status=400)


def _element(ai: str, value: str, label: str) -> GS1ElementString:
    try:
        return GS1ElementString.parse(f"{ai}{value}")
    except ParseError:
        raise _bad(f"{label}格式错误：{value!r} / AI ({ai}) value {value!r} is not valid") from None


def _gtin(value: str) -> str:
    try:
        return check_gtin(value)
    except ValueError as exc:
        raise _bad(f"GTIN {value!r}: {exc}") from None


def _lot(value: str) -> str:
    if not value or len(value) > 20:
        raise _bad(f"批号须为1至20个字符：{value!r} / lot (AI 10) must be 1 to 20 characters")
    _element("10", value, "批号")
    return value


def _serial(value: str) -> str:
    if not value or len(value) > 20:
        raise _bad(f"序列号须为1至20个字符：{value!r} / serial (AI 21) must be 1 to 20 characters")
    _element("21", value, "序列号")
    return value


def _short(value: str) -> str:
    code = shortcodes.normalise(value)
    if len(code) != shortcodes.CODE_LENGTH or any(ch not in shortcodes.ALPHABET for ch in code):
        raise _bad(
            f"追溯码须为{shortcodes.CODE_LENGTH}位字母数字：{value!r} / "
            f"a short code is {shortcodes.CODE_LENGTH} characters of {shortcodes.ALPHABET}"
        )
    if not shortcodes.is_valid(code):
        raise _bad(f"追溯码校验位错误：{value!r} / wrong check character in short code")
    return code


def _query_dates(query: str) -> tuple[dt.date | None, dt.date | None]:
    """Expiry (17) and production date (11); other GS1 AIs are validated and ignored,
    non-numeric keys (``linkType``, tracking parameters) are ignored."""
    expires_on = produced_on = None
    for key, value in parse_qsl(query, keep_blank_values=True):
        if not key.isdigit():
            continue
        try:
            known = GS1ApplicationIdentifier.extract(key).ai == key
        except ParseError:
            known = False
        if not known:
            raise _bad(f"未知的GS1应用标识符：{key} / unknown GS1 application identifier ({key})")
        if key in _PATH_AIS:
            raise _bad(f"AI ({key}) 须在路径中 / AI ({key}) belongs in the path, not the query")
        element = _element(key, value, f"AI ({key})")
        if key == "17":
            expires_on = element.date
        elif key == "11":
            produced_on = element.date
    return expires_on, produced_on


def _strip_prefix(segments: list[str]) -> list[str]:
    """Drop the public URL's path prefix, then anything before the first key segment."""
    base = [s for s in urlsplit(settings.SHILIAN_PUBLIC_URL).path.split("/") if s]
    if base and segments[: len(base)] == base:
        segments = segments[len(base) :]
    for i, segment in enumerate(segments):
        if segment == "t" or segment.isdigit():
            return segments[i:]
    raise _bad("路径中没有GS1数字链接或追溯码 / no GS1 Digital Link key (/01/…) or short code (/t/…) in the path")


def _parse_short(rest: list[str], expires_on: dt.date | None, produced_on: dt.date | None) -> CodeKey:
    if len(rest) == 1:
        return CodeKey(short=_short(rest[0]), expires_on=expires_on, produced_on=produced_on)
    if len(rest) == 3 and rest[1] == "21":
        return CodeKey(short=_short(rest[0]), serial=_serial(rest[2]), expires_on=expires_on, produced_on=produced_on)
    raise _bad("追溯码路径应为 /t/{码}[/21/{序列号}] / expected /t/{code} or /t/{code}/21/{serial}")


def _parse_gs1_path(segments: list[str], expires_on: dt.date | None, produced_on: dt.date | None) -> CodeKey:
    first = segments[0]
    if first != "01":
        if first in ("10", "21", *_UNSUPPORTED_QUALIFIERS):
            raise _bad(
                f"限定符顺序错误：/{first}/ 须在 /01/{{GTIN}} 之后 / qualifier /{first}/ must follow /01/{{gtin}}"
            )
        raise _bad(f"不支持的主标识 /{first}/ / unsupported primary key AI ({first}): expected /01/{{gtin}}")
    if len(segments) % 2:
        raise _bad(f"AI ({segments[-1]}) 缺少值 / AI ({segments[-1]}) has no value")
    pairs = list(zip(segments[::2], segments[1::2], strict=True))
    order = ["01", "10", "21"]
    for ai, _value in pairs:
        if ai in _UNSUPPORTED_QUALIFIERS:
            raise _bad(f"本平台不签发限定符 AI ({ai}) / qualifier AI ({ai}) is not issued by this platform")
        if ai not in order:
            raise _bad(f"路径中有未知的应用标识符 /{ai}/ / unknown or unsupported AI ({ai}) in the path")
    positions = [order.index(ai) for ai, _value in pairs]
    for before, after in zip(positions, positions[1:], strict=False):
        if after <= before:
            ai = order[after]
            raise _bad(f"限定符顺序错误：/{ai}/ / qualifiers out of order at /{ai}/: the order is /01/, /10/, /21/")
    values = dict(pairs)
    if "21" in values and "10" not in values:
        raise _bad("序列号 /21/ 须跟在批号 /10/ 之后 / /21/{serial} needs /10/{lot} before it")
    return CodeKey(
        gtin=_gtin(values["01"]),
        lot=_lot(values["10"]) if "10" in values else None,
        serial=_serial(values["21"]) if "21" in values else None,
        expires_on=expires_on,
        produced_on=produced_on,
    )


def parse_uri(uri_or_path: str) -> CodeKey:
    """Read a code: a full http(s) URI, a bare path, or a GS1 element string.

    Raises ``DigitalLinkError`` (400) naming what is wrong.
    """
    text = (uri_or_path or "").strip()
    if not text:
        raise _bad("追溯码为空 / the code is empty")
    if text[0] in "](" or text[0].isdigit():
        return parse_element_string(text)
    parts = urlsplit(text)
    if parts.scheme not in ("", "http", "https"):
        raise _bad(f"不支持的链接协议 {parts.scheme!r} / expected an http(s) URI or a path")
    raw = parts.path.split("/")
    if raw and raw[-1] == "":
        raw = raw[:-1]
    segments = [unquote(s) for s in raw[1:]] if raw and raw[0] == "" else [unquote(s) for s in raw]
    if any(s == "" for s in segments):
        raise _bad("路径中有空段 / empty segment (//) in the path")
    if not segments:
        raise _bad("路径中没有GS1数字链接或追溯码 / no GS1 Digital Link key (/01/…) or short code (/t/…) in the path")
    segments = _strip_prefix(segments)
    expires_on, produced_on = _query_dates(parts.query)
    if segments[0] == "t":
        return _parse_short(segments[1:], expires_on, produced_on)
    return _parse_gs1_path(segments, expires_on, produced_on)


def parse_element_string(text: str) -> CodeKey:
    """Read a GS1 element string as a GS1 DataMatrix or GS1-128 scanner gives it:
    with a symbology identifier (``]d2``) and GS separators, or in the human-readable
    ``(01)…(10)…`` form."""
    value = _SYMBOLOGY_ID.sub("", text.strip(), count=1)
    try:
        message = GS1Message.parse_hri(value) if value.startswith("(") else GS1Message.parse(value)
    except ParseError as exc:
        raise _bad(f"GS1元素串无法解析 / not a valid GS1 element string: {exc}") from None
    found = {es.ai.ai: es for es in message.element_strings}
    if "01" not in found:
        raise _bad("GS1元素串中没有 (01) GTIN / the element string has no (01) GTIN")
    if "21" in found and "10" not in found:
        raise _bad("序列号 (21) 须与批号 (10) 一起出现 / (21) serial needs a (10) lot")
    return CodeKey(
        gtin=_gtin(found["01"].value),
        lot=_lot(found["10"].value) if "10" in found else None,
        serial=_serial(found["21"].value) if "21" in found else None,
        expires_on=found["17"].date if "17" in found else None,
        produced_on=found["11"].date if "11" in found else None,
    )


def _yymmdd(day: dt.date) -> str:
    return day.strftime("%y%m%d")


def build_uri(
    *,
    gtin: str | None = None,
    lot: str | None = None,
    serial: str | None = None,
    short: str | None = None,
    expires_on: dt.date | None = None,
    produced_on: dt.date | None = None,
    base: str | None = None,
) -> str:
    """The code URI on ``base`` (default ``settings.SHILIAN_PUBLIC_URL``).

    ``/01/{gtin14}/10/{lot}[/21/{serial}]?11=YYMMDD&17=YYMMDD`` or ``/t/{code}[/21/{serial}]``;
    values are validated and percent-encoded. Raises ``DigitalLinkError`` (400).
    """
    origin = (base if base is not None else settings.SHILIAN_PUBLIC_URL).rstrip("/")
    if (gtin is None) == (short is None):
        raise _bad("须给出 GTIN 或追溯码之一 / give exactly one of gtin or short")
    if gtin is not None:
        path = f"/01/{_gtin(gtin)}"
        if lot is not None:
            path += f"/10/{quote(_lot(lot), safe='')}"
        elif serial is not None:
            raise _bad("序列号 /21/ 须跟在批号 /10/ 之后 / /21/{serial} needs /10/{lot} before it")
    else:
        if lot is not None:
            raise _bad("追溯码已代表批次，不能再带批号 / a short code names the lot: no lot with it")
        path = f"/t/{_short(short or '')}"
    if serial is not None:
        path += f"/21/{quote(_serial(serial), safe='')}"
    query = []
    if produced_on is not None:
        query.append(f"11={_yymmdd(produced_on)}")
    if expires_on is not None:
        query.append(f"17={_yymmdd(expires_on)}")
    return origin + path + ("?" + "&".join(query) if query else "")


def element_string(key: CodeKey, *, brackets: bool = True) -> str:
    """The GS1 element string of a GTIN code, for a GS1 DataMatrix.

    Fixed-length AIs first (01, 11, 17), then lot and serial, so at most one FNC1
    separator is needed. ``brackets=True`` gives zint's GS1 input ``[01]…[10]…``;
    ``False`` the human-readable ``(01)…(10)…``.
    """
    if key.gtin is None:
        raise _bad("只有带GTIN的追溯码才有GS1元素串 / only GTIN codes have a GS1 element string")
    o, c = ("[", "]") if brackets else ("(", ")")
    parts = [f"{o}01{c}{key.gtin}"]
    if key.produced_on is not None:
        parts.append(f"{o}11{c}{_yymmdd(key.produced_on)}")
    if key.expires_on is not None:
        parts.append(f"{o}17{c}{_yymmdd(key.expires_on)}")
    if key.lot is not None:
        parts.append(f"{o}10{c}{key.lot}")
    if key.serial is not None:
        parts.append(f"{o}21{c}{key.serial}")
    return "".join(parts)
