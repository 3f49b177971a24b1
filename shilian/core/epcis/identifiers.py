"""EPC identifiers: EPC URNs ⇄ GS1 Digital Link URIs, and one canonical form for matching.

EPCIS 2.0 lets a document name the same thing as an EPC URN (``urn:epc:id:sgtin:6901234.056789.1``,
``urn:epc:class:lgtin:6901234.056789.L1``) or as a GS1 Digital Link URI on any domain
(``https://example.com/01/06901234567892/21/1``). Pure functions, no Django:

- ``canonical_epc(value)`` — the form stored and compared: the GS1 key as a canonical Digital Link on
  ``https://id.gs1.org`` (GTIN padded to 14 digits, AI numbers not short names, no query string, the
  finest level only: a serial drops the lot, CPV (AI 22) is dropped), with percent-escapes normalised.
  URN and Digital Link spellings of one thing give the same string; anything that is not a GS1 key
  (``urn:uuid:…``, ``geo:…``, a private URI) is returned unchanged (trimmed).
- ``digital_link(value)`` / ``epc_urn(value)`` — translate between the two spellings for answers
  (``GS1-EPC-Format``); values that cannot be translated come back unchanged.
- ``dl_for_lot`` / ``lgtin_for_lot`` / ``gtin_lot`` — the lot helpers (GTIN + AI 10 lot).

Going from a Digital Link to a URN needs the GS1 Company Prefix length, which a Digital Link does not
carry. It is taken from the URN when the value was one, else from GS1's prefix-length table (biip's
copy: 690/691 → 7 digits, 692–695 → 8, …), else 7 — the common length for Chinese 69x prefixes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Final
from urllib.parse import unquote

from biip.gs1_prefixes import GS1CompanyPrefix

from shilian.core.identifiers import check_gtin, check_lot_code, gtin_check_digit

DL_ORIGIN: Final = "https://id.gs1.org"
DEFAULT_GCP_LENGTH: Final = 7

# Primary keys a Digital Link path starts with, and the qualifiers each may carry (GS1 DL 1.x).
PRIMARY_AIS: Final = frozenset(
    {"01", "00", "253", "255", "401", "402", "414", "417", "8003", "8004", "8006", "8010", "8017", "8018"}
)
QUALIFIER_AIS: Final = frozenset({"10", "21", "22", "235", "254", "7040", "8011", "8019"})
SHORT_NAMES: Final = {
    "gtin": "01", "itip": "8006", "cpid": "8010", "gln": "414", "party": "417", "gsrnp": "8017",
    "gsrn": "8018", "gcn": "255", "sscc": "00", "gdti": "253", "ginc": "401", "gsin": "402",
    "grai": "8003", "giai": "8004", "cpv": "22", "lot": "10", "ser": "21", "glnx": "254",
}  # fmt: skip

# Characters left as they are in a canonical Digital Link value; everything else is %XX-escaped.
_DL_SAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._';=")
# Characters an EPC URN may carry unescaped (GS1 TDS, table of "GS1 AI encodable character set 82").
_URN_SAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._';=!()*+,:")
_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")
# An AI 82-set value as written in a URN (raw characters or %XX escapes).
_X = r"(?:%[0-9A-Fa-f]{2}|[!'()*+,\-.0-9:;=A-Z_a-z])"


class EpcError(ValueError):
    """A value that looks like a GS1 identifier but is not a valid one."""


@dataclass(frozen=True, slots=True)
class Epc:
    """A GS1 key and its qualifiers, in Digital Link order: ``(("01", "06901234567892"), ("10", "L1"))``.

    Values are kept percent-escaped in the canonical Digital Link way. ``gcp_length`` is the GS1
    Company Prefix length when it is known (from a URN).
    """

    path: tuple[tuple[str, str], ...]
    gcp_length: int | None = None
    pattern: bool = False  # a URN id pattern (``urn:epc:idpat:…:*``): a class of things

    @property
    def primary(self) -> tuple[str, str]:
        return self.path[0]

    def qualifier(self, ai: str) -> str | None:
        for key, value in self.path[1:]:
            if key == ai:
                return value
        return None

    def digital_link(self, origin: str = DL_ORIGIN) -> str:
        return origin + "".join(f"/{ai}/{value}" for ai, value in self.path)

    def urn(self, gcp_length: int | None = None) -> str:
        """The EPC URN (pure identity, class or id pattern); EpcError when there is none."""
        return _to_urn(self, gcp_length or self.gcp_length)


def _escape_dl(raw: str) -> str:
    return "".join(ch if ch in _DL_SAFE else "".join(f"%{b:02X}" for b in ch.encode()) for ch in raw)


def _escape_urn(raw: str) -> str:
    return "".join(ch if ch in _URN_SAFE else "".join(f"%{b:02X}" for b in ch.encode()) for ch in raw)


def _unescape(text: str) -> str:
    return unquote(text, errors="strict") if "%" in text else text


def _with_check(body: str) -> str:
    return body + gtin_check_digit(body)


@lru_cache(maxsize=4096)
def default_gcp_length(digits: str) -> int:
    """The GS1 Company Prefix length of a key whose prefix starts at ``digits`` (GS1 table, else 7)."""
    try:
        prefix = GS1CompanyPrefix.extract(digits)
    except Exception:  # biip raises its own error types for unknown or odd prefixes
        prefix = None
    return len(prefix.value) if prefix is not None else DEFAULT_GCP_LENGTH


# --- URN → Epc -------------------------------------------------------------------------------------

_URN_RE = re.compile(r"^urn:epc:(id|class|idpat):([a-z]+):(.+)$")


def _split_cp(text: str, total: int, scheme: str) -> tuple[str, str]:
    """A ``CP.REF`` pair whose digits add up to ``total`` (company prefix 6–12 digits)."""
    cp, sep, ref = text.partition(".")
    if not sep or not cp.isdigit() or not 6 <= len(cp) <= 12 or len(cp) + len(ref) != total:
        raise EpcError(f"{scheme}: company prefix and reference must be {total} digits together")
    if ref and not ref.isdigit():
        raise EpcError(f"{scheme}: reference must be digits")
    return cp, ref


def _urn_value(text: str, scheme: str, max_length: int, digits: bool = False) -> str:
    if not text or not re.fullmatch(_X + "+", text):
        raise EpcError(f"{scheme}: empty value or a character outside the GS1 set")
    raw = _unescape(text)
    if len(raw) > max_length or (digits and not raw.isdigit()):
        raise EpcError(f"{scheme}: value must be {'digits, ' if digits else ''}at most {max_length} characters")
    return _escape_dl(raw)


def _gtin_parts(text: str, scheme: str) -> tuple[str, str, int]:
    """``CP.IR`` of a GTIN → (GTIN-14, rest after the second dot, company prefix length)."""
    cp, _, rest = text.partition(".")
    ir, _, tail = rest.partition(".")
    _split_cp(f"{cp}.{ir}", 13, scheme)
    return _with_check(ir[0] + cp + ir[1:]), tail, len(cp)


def _parse_urn(value: str) -> Epc | None:
    match = _URN_RE.match(value)
    if match is None:
        return None
    kind, scheme, body = match.groups()
    if kind == "class":
        if scheme != "lgtin":
            return None
        gtin, lot, cpl = _gtin_parts(body, "lgtin")
        return Epc((("01", gtin), ("10", _urn_value(lot, "lgtin", 20))), cpl)
    if kind == "idpat":
        return _parse_idpat(scheme, body)
    return _parse_id(scheme, body)


def _parse_id(scheme: str, body: str) -> Epc | None:
    parts = body.split(".")
    if scheme == "sgtin":
        gtin, serial, cpl = _gtin_parts(body, scheme)
        return Epc((("01", gtin), ("21", _urn_value(serial, scheme, 20))), cpl)
    if scheme == "upui":
        gtin, tpx, cpl = _gtin_parts(body, scheme)
        return Epc((("01", gtin), ("235", _urn_value(tpx, scheme, 28))), cpl)
    if scheme == "itip":
        gtin, tail, cpl = _gtin_parts(body, scheme)
        piece, _, rest = tail.partition(".")
        count, _, serial = rest.partition(".")
        if not (len(piece) == len(count) == 2 and (piece + count).isdigit()):
            raise EpcError("itip: piece and total must be two digits each")
        return Epc((("8006", gtin + piece + count), ("21", _urn_value(serial, scheme, 20))), cpl)
    if scheme in ("sscc", "gsrn", "gsrnp", "gsin", "pgln"):
        digit_count = {"sscc": 17, "gsrn": 17, "gsrnp": 17, "gsin": 16, "pgln": 12}[scheme]
        cp, ref = _split_cp(body, digit_count, scheme)
        digits = ref[0] + cp + ref[1:] if scheme == "sscc" else cp + ref
        ai = {"sscc": "00", "gsrn": "8018", "gsrnp": "8017", "gsin": "402", "pgln": "417"}[scheme]
        return Epc(((ai, _with_check(digits)),), len(cp))
    if scheme == "sgln":
        if len(parts) < 3:
            raise EpcError("sgln: expected company prefix, location reference and extension")
        cp, lr = _split_cp(f"{parts[0]}.{parts[1]}", 12, scheme)
        ext = ".".join(parts[2:])
        path: tuple[tuple[str, str], ...] = (("414", _with_check(cp + lr)),)
        if ext != "0":
            path += (("254", _urn_value(ext, scheme, 20)),)
        return Epc(path, len(cp))
    if scheme in ("grai", "gdti", "sgcn"):
        if len(parts) < 3:
            raise EpcError(f"{scheme}: expected company prefix, type and serial")
        cp, ref = _split_cp(f"{parts[0]}.{parts[1]}", 12, scheme)
        serial_text = ".".join(parts[2:])
        limit = {"grai": 16, "gdti": 17, "sgcn": 12}[scheme]
        serial = _urn_value(serial_text, scheme, limit, digits=scheme == "sgcn")
        key = ("0" if scheme == "grai" else "") + cp + ref
        ai = {"grai": "8003", "gdti": "253", "sgcn": "255"}[scheme]
        return Epc(((ai, _with_check(key) + serial),), len(cp))
    if scheme in ("giai", "ginc"):
        cp, _, ref = body.partition(".")
        if not cp.isdigit() or not 6 <= len(cp) <= 12:
            raise EpcError(f"{scheme}: company prefix must be 6–12 digits")
        value = _urn_value(ref, scheme, 30 - len(cp))
        return Epc((({"giai": "8004", "ginc": "401"}[scheme], cp + value),), len(cp))
    if scheme == "cpi":
        if len(parts) < 3:
            raise EpcError("cpi: expected company prefix, component reference and serial")
        cp, serial = parts[0], parts[-1]
        ref = ".".join(parts[1:-1])
        if not cp.isdigit() or not 6 <= len(cp) <= 12 or not serial.isdigit() or len(serial) > 12:
            raise EpcError("cpi: company prefix 6–12 digits and a numeric serial of at most 12")
        return Epc((("8010", cp + _urn_value(ref, scheme, 30 - len(cp))), ("8011", serial)), len(cp))
    return None


def _parse_idpat(scheme: str, body: str) -> Epc | None:
    if not body.endswith(".*"):
        return None  # partial patterns (several stars) name no single class
    head = body[:-2]
    if scheme in ("sgtin", "upui"):
        gtin, _, cpl = _gtin_parts(head + ".", scheme)
        return Epc((("01", gtin),), cpl, pattern=True)
    if scheme == "itip":
        gtin, tail, cpl = _gtin_parts(head, scheme)
        piece, _, total = tail.partition(".")
        return Epc((("8006", gtin + piece + total),), cpl, pattern=True)
    if scheme in ("grai", "gdti", "sgcn"):
        cp, ref = _split_cp(head, 12, scheme)
        key = ("0" if scheme == "grai" else "") + cp + ref
        ai = {"grai": "8003", "gdti": "253", "sgcn": "255"}[scheme]
        return Epc(((ai, _with_check(key)),), len(cp), pattern=True)
    if scheme == "cpi":
        cp, _, ref = head.partition(".")
        return Epc((("8010", cp + _urn_value(ref, scheme, 30 - len(cp))),), len(cp), pattern=True)
    return None


# The syntax of each primary key's value (GS1 General Specifications, AI table; check digits not verified).
_KEY_SYNTAX: Final = {
    "00": re.compile(r"\d{18}"),
    "253": re.compile(r"\d{13}.{0,17}"),
    "255": re.compile(r"\d{13}\d{0,12}"),
    "401": re.compile(r"\d{4}.{0,26}"),
    "402": re.compile(r"\d{17}"),
    "414": re.compile(r"\d{13}"),
    "417": re.compile(r"\d{13}"),
    "8003": re.compile(r"0\d{13}.{0,16}"),
    "8004": re.compile(r"\d{4}.{0,26}"),
    "8006": re.compile(r"\d{18}"),
    "8010": re.compile(r"\d{4}.{0,26}"),
    "8017": re.compile(r"\d{18}"),
    "8018": re.compile(r"\d{18}"),
}


# --- Digital Link → Epc ----------------------------------------------------------------------------

_DL_RE = re.compile(r"^https?://[^/?#]*(/[^?#]*)(?:\?[^#]*)?(?:#.*)?$")


def _parse_dl(value: str) -> Epc | None:
    match = _DL_RE.match(value)
    if match is None:
        return None
    segments = match.group(1).split("/")
    # The key is the last primary-AI segment followed by a value starting with 4 digits (a prefix
    # path before it is allowed, as GS1 Digital Link permits).
    start = None
    for i in range(len(segments) - 2, 0, -1):
        ai = SHORT_NAMES.get(segments[i], segments[i])
        if ai in PRIMARY_AIS and re.match(r"^\d{4}", segments[i + 1] or ""):
            start = i
            break
    if start is None:
        return None
    rest = [s for s in segments[start:]]
    if rest and rest[-1] == "":
        rest.pop()  # a trailing slash
    if len(rest) % 2:
        return None
    pairs: list[tuple[str, str]] = []
    for i in range(0, len(rest), 2):
        ai = SHORT_NAMES.get(rest[i], rest[i])
        if (i == 0) != (ai in PRIMARY_AIS) or (i and ai not in QUALIFIER_AIS):
            return None
        try:
            raw = _unescape(rest[i + 1])
        except UnicodeDecodeError:
            return None
        if not raw:
            return None
        pairs.append((ai, raw))
    return _constrain(pairs)


def _constrain(pairs: list[tuple[str, str]]) -> Epc | None:
    """Pad GTINs to 14 digits; keep the finest level only (serial over lot; no CPV); escape values."""
    ai, key = pairs[0]
    if ai == "01":
        if not key.isdigit() or len(key) not in (8, 12, 13, 14):
            return None
        key = key.zfill(14)
    elif not _KEY_SYNTAX[ai].fullmatch(key):
        return None
    quals = dict(pairs[1:])
    quals.pop("22", None)
    if "21" in quals:
        quals.pop("10", None)
    order = {"22": 0, "10": 1, "21": 2, "235": 3, "254": 4, "8011": 5, "7040": 6, "8019": 7}
    path = ((ai, _escape_dl(key)),) + tuple(
        (q, _escape_dl(v)) for q, v in sorted(quals.items(), key=lambda kv: order[kv[0]])
    )
    return Epc(path)


# --- Epc → URN ---------------------------------------------------------------------------------------


def _urn_text(dl_value: str) -> str:
    return _escape_urn(_unescape(dl_value))


def _to_urn(epc: Epc, gcp_length: int | None) -> str:
    ai, key = epc.primary
    quals = dict(epc.path[1:])

    def cpl(digits: str) -> int:
        return gcp_length or default_gcp_length(digits)

    if ai == "01":
        n = cpl(key[1:])
        cp, ir = key[1 : 1 + n], key[0] + key[1 + n : 13]
        if "21" in quals:
            return f"urn:epc:id:sgtin:{cp}.{ir}.{_urn_text(quals['21'])}"
        if "235" in quals:
            return f"urn:epc:id:upui:{cp}.{ir}.{_urn_text(quals['235'])}"
        if "10" in quals:
            return f"urn:epc:class:lgtin:{cp}.{ir}.{_urn_text(quals['10'])}"
        return f"urn:epc:idpat:sgtin:{cp}.{ir}.*"
    if ai == "00":
        n = cpl(key[1:])
        return f"urn:epc:id:sscc:{key[1 : 1 + n]}.{key[0]}{key[1 + n : 17]}"
    if ai in ("414", "417"):
        n = cpl(key)
        if ai == "417":
            return f"urn:epc:id:pgln:{key[:n]}.{key[n:12]}"
        ext = _urn_text(quals["254"]) if "254" in quals else "0"
        return f"urn:epc:id:sgln:{key[:n]}.{key[n:12]}.{ext}"
    if ai in ("8017", "8018", "402"):
        n = cpl(key)
        scheme = {"8017": "gsrnp", "8018": "gsrn", "402": "gsin"}[ai]
        return f"urn:epc:id:{scheme}:{key[:n]}.{key[n : len(key) - 1]}"
    if ai in ("253", "255"):
        n = cpl(key)
        scheme = "gdti" if ai == "253" else "sgcn"
        serial = key[13:]
        if not serial:
            return f"urn:epc:idpat:{scheme}:{key[:n]}.{key[n:12]}.*"
        return f"urn:epc:id:{scheme}:{key[:n]}.{key[n:12]}.{_urn_text(serial)}"
    if ai == "8003":
        n = cpl(key[1:])
        serial = key[14:]
        if not serial:
            return f"urn:epc:idpat:grai:{key[1 : 1 + n]}.{key[1 + n : 13]}.*"
        return f"urn:epc:id:grai:{key[1 : 1 + n]}.{key[1 + n : 13]}.{_urn_text(serial)}"
    if ai in ("8004", "401"):
        n = cpl(key)
        return f"urn:epc:id:{'giai' if ai == '8004' else 'ginc'}:{key[:n]}.{_urn_text(key[n:])}"
    if ai == "8010":
        n = cpl(key)
        if "8011" not in quals:
            return f"urn:epc:idpat:cpi:{key[:n]}.{_urn_text(key[n:])}.*"
        return f"urn:epc:id:cpi:{key[:n]}.{_urn_text(key[n:])}.{quals['8011']}"
    if ai == "8006":
        n = cpl(key[1:14])
        cp, ir, piece, total = key[1 : 1 + n], key[0] + key[1 + n : 13], key[14:16], key[16:18]
        if "21" not in quals:
            return f"urn:epc:idpat:itip:{cp}.{ir}.{piece}.{total}.*"
        return f"urn:epc:id:itip:{cp}.{ir}.{piece}.{total}.{_urn_text(quals['21'])}"
    raise EpcError(f"no EPC URN for AI ({ai})")


# --- public functions ---------------------------------------------------------------------------------


@lru_cache(maxsize=65536)
def parse_epc(value: str) -> Epc | None:
    """The GS1 key a URN or Digital Link names; None when the value is no GS1 identifier.

    Raises EpcError for a URN of a GS1 scheme that is malformed (wrong digit counts, bad characters).
    Cached (an ``Epc`` is immutable): capture reads each identifier several times — its hash, its
    lot, its location's GLN, its index row.
    """
    text = value.strip()
    if text.startswith("urn:epc:"):
        return _parse_urn(text)
    if text.startswith(("https://", "http://")):
        return _parse_dl(text)
    return None


@lru_cache(maxsize=65536)
def canonical_epc(value: str) -> str:
    """The form to store and compare: canonical Digital Link for GS1 keys, else the value itself."""
    try:
        epc = parse_epc(value)
    except EpcError:
        epc = None
    return epc.digital_link() if epc is not None else value.strip()


def digital_link(value: str) -> str:
    """The value as a canonical GS1 Digital Link URI; unchanged when it names no GS1 key."""
    return canonical_epc(value)


def epc_urn(value: str) -> str:
    """The value as an EPC URN (pure identity, ``lgtin`` class or id pattern); unchanged when none."""
    text = value.strip()
    if text.startswith("urn:"):
        return text
    try:
        epc = parse_epc(text)
        return epc.urn() if epc is not None else text
    except EpcError:
        return text


def gtin_lot(value: str) -> tuple[str, str] | None:
    """(GTIN-14, lot code) of an ``lgtin`` class in URN or Digital Link form; None for anything else."""
    try:
        epc = parse_epc(value)
    except EpcError:
        return None
    if epc is None or epc.primary[0] != "01":
        return None
    lot = epc.qualifier("10")
    if lot is None or epc.qualifier("21") is not None:
        return None
    return epc.primary[1], _unescape(lot)


def dl_for_lot(gtin: str, lot: str, *, origin: str = DL_ORIGIN) -> str:
    """``https://id.gs1.org/01/{gtin14}/10/{lot}``; ValueError for a bad GTIN or lot code."""
    return f"{origin}/01/{check_gtin(gtin)}/10/{_escape_dl(check_lot_code(lot))}"


def lgtin_for_lot(gtin: str, lot: str, *, gcp_length: int | None = None) -> str:
    """``urn:epc:class:lgtin:{cp}.{indicator+item}.{lot}``; ValueError for a bad GTIN or lot code."""
    g = check_gtin(gtin)
    return Epc((("01", g), ("10", _escape_dl(check_lot_code(lot)))), gcp_length).urn()
