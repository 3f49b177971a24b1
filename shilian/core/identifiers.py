"""Check characters and syntax of the identifiers the platform accepts.

Pure functions, no Django: GB 32100 unified social credit codes, GS1 GTINs and GLNs
(mod-10), GS1 AI (10) lot codes and GB/T 2260 division codes. Each ``check_*`` returns the
normalised value or raises ``ValueError`` with a message fit for a form field.
"""

from __future__ import annotations

import re

# GB 32100-2015: 31 characters, without I, O, Z, S, V.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")

# GS1 General Specifications, figure 7.11-1: the invariant subset of ISO 646 (CSET 82).
AI10_MAX_LENGTH = 20
_AI10_RE = re.compile(r"^[!\"%&'()*+,\-./0-9:;<=>?A-Z_a-z]{1,20}$")


def uscc_check_character(first17: str) -> str:
    total = sum(USCC_ALPHABET.index(ch) * w for ch, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def check_uscc(value: str) -> str:
    code = value.strip().upper()
    if len(code) != 18:
        raise ValueError("统一社会信用代码必须为18位 / must be 18 characters")
    if not _USCC_RE.match(code):
        raise ValueError("统一社会信用代码含非法字符 / contains characters outside GB 32100")
    if uscc_check_character(code[:17]) != code[17]:
        raise ValueError("统一社会信用代码校验码错误 / wrong check character")
    return code


def gtin_check_digit(body: str) -> str:
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return str((10 - total % 10) % 10)


def check_gtin(value: str) -> str:
    """Validate a GTIN-8/12/13/14 and return it as 14 digits."""
    digits = value.strip()
    if not digits.isdigit() or len(digits) not in (8, 12, 13, 14):
        raise ValueError("GTIN必须为8、12、13或14位数字 / must be 8, 12, 13 or 14 digits")
    if gtin_check_digit(digits[:-1]) != digits[-1]:
        raise ValueError("GTIN校验位错误 / wrong check digit")
    return digits.zfill(14)


def check_gln(value: str) -> str:
    """Validate a GS1 Global Location Number: 13 digits, the last a mod-10 check digit."""
    digits = value.strip()
    if not digits.isdigit() or len(digits) != 13:
        raise ValueError("GLN必须为13位数字 / must be 13 digits")
    if gtin_check_digit(digits[:-1]) != digits[-1]:
        raise ValueError("GLN校验位错误 / wrong check digit")
    return digits


def check_lot_code(value: str) -> str:
    code = value.strip()
    if not code:
        raise ValueError("批号不能为空 / lot code is required")
    if len(code) > AI10_MAX_LENGTH:
        raise ValueError("批号最多20个字符 / at most 20 characters (GS1 AI 10)")
    if not _AI10_RE.match(code):
        raise ValueError("批号含GS1 AI(10)字符集以外的字符 / characters outside the GS1 AI (10) set")
    return code


def division_prefix(code: str) -> str:
    """The significant prefix of a GB/T 2260 code: its subtree is every code starting with it.

    330000 → "33" (province), 331000 → "3310" (city), 331081 → "331081" (county),
    331081101 → "331081101" (township, 9 digits).
    """
    if len(code) == 9:
        return code
    if code.endswith("0000"):
        return code[:2]
    if code.endswith("00"):
        return code[:4]
    return code


def check_division_code(value: str) -> str:
    code = value.strip()
    if not code.isdigit() or len(code) not in (6, 9):
        raise ValueError("行政区划代码必须为6位或9位数字 / must be 6 or 9 digits (GB/T 2260)")
    return code
