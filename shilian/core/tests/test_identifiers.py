import pytest

from shilian.core.identifiers import (
    check_division_code,
    check_gln,
    check_gtin,
    check_lot_code,
    check_uscc,
    division_prefix,
)
from shilian.core.units import check_unit, convert


@pytest.mark.parametrize("code", ["91350100M000100Y43", "91110000600037341L", "91330000742906207U"])
def test_published_credit_codes_pass(code):
    assert check_uscc(code.lower()) == code


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("91350100M000100Y44", "check character"),
        ("91350100M000100Y4", "18"),
        ("91350100M0001O0Y43", "characters"),  # letter O is not in GB 32100's alphabet
    ],
)
def test_bad_credit_codes_say_why(code, message):
    with pytest.raises(ValueError, match=message):
        check_uscc(code)


@pytest.mark.parametrize(
    ("raw", "gtin14"),
    [("96385074", "00000096385074"), ("036000291452", "00036000291452"), ("4006381333931", "04006381333931"),
     ("04006381333931", "04006381333931")],
)
def test_gtins_normalise_to_14(raw, gtin14):
    assert check_gtin(raw) == gtin14


@pytest.mark.parametrize(("raw", "message"), [("4006381333932", "check digit"), ("400638133393", "check digit"),
                                              ("12345", "digits"), ("40063813339a1", "digits")])
def test_bad_gtins(raw, message):
    with pytest.raises(ValueError, match=message):
        check_gtin(raw)


def test_glns_carry_a_mod_10_check_digit():
    assert check_gln(" 6901234000016 ") == "6901234000016"  # GS1 China prefix 6901234, location 00001
    assert check_gln("0614141000036") == "0614141000036"  # GS1's example GLN
    for bad, message in (("6901234000017", "check digit"), ("690123400001", "13"), ("69012340000a6", "13")):
        with pytest.raises(ValueError, match=message):
            check_gln(bad)


def test_lot_codes_follow_gs1_ai10():
    assert check_lot_code(" 2024-05/A ") == "2024-05/A"
    for bad in ("", "X" * 21, "批次1", "A B", "A#1"):
        with pytest.raises(ValueError, match="批号"):
            check_lot_code(bad)


def test_division_prefixes_cover_subtrees():
    assert [division_prefix(c) for c in ("330000", "331000", "331081", "331081105")] == ["33", "3310", "331081", "331081105"]
    assert check_division_code("331081105") == "331081105"
    with pytest.raises(ValueError, match="6 or 9 digits"):
        check_division_code("3310")


def test_units_convert_within_a_dimension_only():
    from decimal import Decimal

    assert convert(Decimal("1500"), check_unit("克"), "kg") == Decimal("1.5")
    assert convert(Decimal("2"), "L", "mL") == Decimal("2000")
    with pytest.raises(ValueError, match="cannot convert"):
        convert(Decimal(1), "kg", "L")
    with pytest.raises(ValueError, match="unknown unit"):
        check_unit("furlong")
