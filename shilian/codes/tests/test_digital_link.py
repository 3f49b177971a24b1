import datetime as dt
import re

import pytest
from django.test import override_settings

from shilian.codes.digital_link import CodeKey, DigitalLinkError, build_uri, element_string, parse_uri
from shilian.codes.shortcodes import check_character

GTIN = "06901234567892"
BODY = "ABCDEFGHJK"
SHORT = BODY + check_character(BODY)


def test_lot_uri_round_trip():
    uri = build_uri(
        gtin=GTIN,
        lot="LOT2023100801",
        expires_on=dt.date(2025, 12, 31),
        produced_on=dt.date(2023, 10, 8),
        base="https://trace.example.cn",
    )
    assert uri == "https://trace.example.cn/01/06901234567892/10/LOT2023100801?11=231008&17=251231"
    assert parse_uri(uri) == CodeKey(
        gtin=GTIN, lot="LOT2023100801", expires_on=dt.date(2025, 12, 31), produced_on=dt.date(2023, 10, 8)
    )


def test_levels_and_default_base(settings):
    settings.SHILIAN_PUBLIC_URL = "https://t.example"
    assert build_uri(gtin=GTIN) == "https://t.example/01/06901234567892"
    assert parse_uri(build_uri(gtin=GTIN)).level == "product"
    item = build_uri(gtin=GTIN, lot="A1", serial="42")
    assert item == "https://t.example/01/06901234567892/10/A1/21/42"
    assert parse_uri(item) == CodeKey(gtin=GTIN, lot="A1", serial="42")
    assert parse_uri(item).level == "item"


@pytest.mark.parametrize("gtin", ["6901234567892", "06901234567892", "96385074", "036000291452"])
def test_short_gtins_become_14_digits(gtin):
    assert parse_uri(f"/01/{gtin}/10/X").gtin == gtin.zfill(14)


def test_bare_path_and_foreign_host_and_ignored_query():
    assert parse_uri("/01/06901234567892/10/X?linkType=gs1:pip&utm_source=a") == CodeKey(gtin=GTIN, lot="X")
    assert parse_uri("https://id.gs1.org/01/06901234567892/10/X/").lot == "X"


def test_percent_encoded_lot_round_trips():
    uri = build_uri(gtin=GTIN, lot="A/B%C", base="https://h")
    assert uri == "https://h/01/06901234567892/10/A%2FB%25C"
    assert parse_uri(uri).lot == "A/B%C"


@override_settings(SHILIAN_PUBLIC_URL="https://h.example/trace")
def test_public_url_path_prefix_is_stripped():
    assert parse_uri("https://h.example/trace/t/" + SHORT) == CodeKey(short=SHORT)


def test_short_codes():
    assert build_uri(short=SHORT, base="https://h") == f"https://h/t/{SHORT}"
    assert parse_uri(f"/t/{SHORT}") == CodeKey(short=SHORT)
    assert parse_uri(f"/t/{SHORT.lower()}/21/7") == CodeKey(short=SHORT, serial="7")
    assert parse_uri(f"/t/{SHORT}").level == "lot"


@pytest.mark.parametrize(
    ("uri", "words"),
    [
        ("/01/06901234567893/10/X", "check digit"),
        ("/01/06901234567/10/X", "8, 12, 13 or 14 digits"),
        ("/10/X/01/06901234567892", "/10/ must follow /01/"),
        ("/21/5/10/X/01/06901234567892", "/21/ must follow /01/"),
        ("/01/06901234567892/21/5", "needs /10/{lot}"),
        ("/01/06901234567892/21/5/10/X", "out of order"),
        ("/01/06901234567892/10/X/10/Y", "out of order"),
        ("/01/06901234567892/99/X", "unknown or unsupported AI (99)"),
        ("/01/06901234567892/22/X", "not issued by this platform"),
        ("/01/06901234567892/10", "has no value"),
        ("/01/06901234567892/10/ABCDEFGHIJKLMNOPQRSTU", "1 to 20 characters"),
        ("/01/06901234567892/10/L%C3%A9", "AI (10) value"),
        ("/01/06901234567892/10/A%20B", "AI (10) value"),
        ("/01/06901234567892/10/X?17=251399", "AI (17) value"),
        ("/01/06901234567892/10/X?9999=1", "unknown GS1 application identifier (9999)"),
        ("/01/06901234567892/10/X?10=Y", "belongs in the path"),
        ("/8004/123/10/X", "unsupported primary key AI (8004)"),
        ("/products/list", "no GS1 Digital Link key"),
        ("ftp://h/01/06901234567892", "http(s)"),
        ("", "empty"),
        ("/t/ABCDEFGHJK0", "wrong check character"),
        ("/t/ABCDEFGHJKU", "11 characters of"),
        ("/t/ABC", "11 characters of"),
        (f"/t/{SHORT}/10/X", "expected /t/{code}"),
        ("/01//10/X", "empty segment"),
        ("(01)06901234567893(10)X", "check digit"),
        ("(01)06901234567892(21)5", "needs a (10) lot"),
        ("(10)X", "no (01) GTIN"),
    ],
)
def test_malformed_codes_are_400_and_say_what(uri, words):
    with pytest.raises(DigitalLinkError) as err:
        parse_uri(uri)
    assert err.value.status == 400
    assert words in err.value.message


def test_element_strings_as_scanners_give_them():
    expected = CodeKey(
        gtin=GTIN, lot="L1", serial="9", expires_on=dt.date(2025, 12, 31), produced_on=dt.date(2023, 10, 1)
    )
    assert parse_uri("]d2" + "0106901234567892" + "11231001" + "17251231" + "10L1" + "\x1d" + "219") == expected
    assert parse_uri("(01)06901234567892(11)231001(17)251231(10)L1(21)9") == expected
    assert element_string(expected) == "[01]06901234567892[11]231001[17]251231[10]L1[21]9"
    assert element_string(expected, brackets=False) == "(01)06901234567892(11)231001(17)251231(10)L1(21)9"


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({}, "exactly one of gtin or short"),
        ({"gtin": GTIN, "short": SHORT}, "exactly one of gtin or short"),
        ({"gtin": GTIN, "serial": "1"}, "needs /10/{lot}"),
        ({"short": SHORT, "lot": "X"}, "no lot with it"),
        ({"gtin": "06901234567893"}, "check digit"),
        ({"gtin": GTIN, "lot": "é"}, "AI (10) value"),
    ],
)
def test_build_refuses_what_parse_would_refuse(kwargs, words):
    with pytest.raises(DigitalLinkError, match=re.escape(words)):
        build_uri(base="https://h", **kwargs)
