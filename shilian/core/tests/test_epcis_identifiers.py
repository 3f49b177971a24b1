"""EPC URN ⇄ GS1 Digital Link, the canonical form for matching, and the lot helpers."""

from __future__ import annotations

import pytest

from shilian.core.epcis.identifiers import (
    EpcError,
    canonical_epc,
    default_gcp_length,
    digital_link,
    dl_for_lot,
    epc_urn,
    gtin_lot,
    lgtin_for_lot,
    parse_epc,
)

# (EPC URN, canonical Digital Link) — every scheme both ways; GS1 examples from the hash goldens.
PAIRS = [
    ("urn:epc:id:sgtin:4012345.012345.12", "https://id.gs1.org/01/04012345123456/21/12"),
    ("urn:epc:id:sgtin:6901234.056789.1001", "https://id.gs1.org/01/06901234567892/21/1001"),
    ("urn:epc:class:lgtin:6901234.056789.L20240501", "https://id.gs1.org/01/06901234567892/10/L20240501"),
    ("urn:epc:idpat:sgtin:4054739.099914.*", "https://id.gs1.org/01/04054739999148"),
    ("urn:epc:id:sscc:4012345.0000000333", "https://id.gs1.org/00/040123450000003338"),
    ("urn:epc:id:sgln:6901234.00001.0", "https://id.gs1.org/414/6901234000016"),
    ("urn:epc:id:sgln:4012345.00011.987", "https://id.gs1.org/414/4012345000115/254/987"),
    ("urn:epc:id:pgln:6909999.00001", "https://id.gs1.org/417/6909999000012"),
    ("urn:epc:id:grai:4012345.66666.87", "https://id.gs1.org/8003/0401234566666387"),
    ("urn:epc:id:giai:4012345.AAbb", "https://id.gs1.org/8004/4012345AAbb"),
    ("urn:epc:id:gsrn:4012345.9876540000", "https://id.gs1.org/8018/401234598765400000"),
    ("urn:epc:id:gsrnp:4012345.0000098765", "https://id.gs1.org/8017/401234500000987658"),
    ("urn:epc:id:gdti:4012345.55555.98", "https://id.gs1.org/253/401234555555498"),
    ("urn:epc:id:sgcn:4012345.99999.44", "https://id.gs1.org/255/401234599999044"),
    ("urn:epc:id:ginc:4012345.333", "https://id.gs1.org/401/4012345333"),
    ("urn:epc:id:gsin:4012345.999987654", "https://id.gs1.org/402/40123459999876541"),
    ("urn:epc:id:cpi:4012345.ABC.123", "https://id.gs1.org/8010/4012345ABC/8011/123"),
    ("urn:epc:id:itip:4012345.012345.01.02.999", "https://id.gs1.org/8006/040123451234560102/21/999"),
    ("urn:epc:id:upui:4012345.012345.AB12", "https://id.gs1.org/01/04012345123456/235/AB12"),
    ("urn:epc:idpat:grai:4012345.66666.*", "https://id.gs1.org/8003/04012345666663"),
    ("urn:epc:idpat:gdti:4012345.55555.*", "https://id.gs1.org/253/4012345555554"),
]


@pytest.mark.parametrize(("urn", "dl"), PAIRS)
def test_urn_and_digital_link_translate_both_ways(urn, dl):
    assert digital_link(urn) == dl
    assert canonical_epc(urn) == canonical_epc(dl) == dl
    assert epc_urn(dl) == urn  # company prefix length from GS1's table (4012345, 6901234: 7 digits)


@pytest.mark.parametrize(
    "spelling",
    [
        "urn:epc:id:sgtin:6901234.056789.1001",
        "https://id.gs1.org/01/06901234567892/21/1001",
        "http://id.gs1.org/01/06901234567892/21/1001",
        "https://example.cn/01/06901234567892/21/1001",
        "https://example.cn/shop/gtin/6901234567892/ser/1001?linkType=gs1:pip#top",
        "https://id.gs1.org/01/06901234567892/10/LOT9/21/1001",  # the serial is the finer level
        "https://id.gs1.org/01/06901234567892/22/A1/21/1001/",  # CPV dropped, trailing slash
        "  urn:epc:id:sgtin:6901234.056789.1001 ",
    ],
)
def test_canonical_form_is_the_same_for_every_spelling(spelling):
    assert canonical_epc(spelling) == "https://id.gs1.org/01/06901234567892/21/1001"


def test_company_prefix_length_comes_from_the_urn_or_the_gs1_table():
    # A URN's own split is kept in a round trip through its Epc.
    epc = parse_epc("urn:epc:id:sgtin:690123.4056789.7")
    assert epc is not None
    assert epc.gcp_length == 6
    assert epc.urn() == "urn:epc:id:sgtin:690123.4056789.7"
    # From a Digital Link: GS1 China's allocation — 690/691 seven digits, 692–695 eight.
    assert default_gcp_length("6901234567892") == 7
    assert default_gcp_length("6921234567890") == 8
    assert epc_urn("https://id.gs1.org/01/06921234567890/10/A") == "urn:epc:class:lgtin:69212345.06789.A"
    assert lgtin_for_lot("06921234567890", "A", gcp_length=7) == "urn:epc:class:lgtin:6921234.056789.A"


def test_escapes_are_normalised_between_spellings():
    urn = "urn:epc:id:sgtin:0614141.812345.6789%2F%26%25%22!%3F()"
    dl = "https://id.gs1.org/01/80614141123458/21/6789%2F%26%25%22%21%3F%28%29"
    assert canonical_epc(urn) == dl
    assert canonical_epc(dl.replace("%2F", "%2f")) == dl
    assert epc_urn(dl) == urn


@pytest.mark.parametrize(
    "value",
    ["urn:uuid:5b4e0a4c-1f9a-4c9b-8f5e-3e2f1d0c9b8a", "geo:30.27,120.15", "http://transaction.example.com/po/12345678",
     "https://example.com/01/abc", "urn:epcglobal:cbv:bt:6901234000016:PO1", "urn:shilian:uscc:91330100MA2KXXXX0X"],
)  # fmt: skip
def test_values_that_are_no_gs1_key_are_left_alone(value):
    assert canonical_epc(value) == value
    assert digital_link(value) == value
    assert epc_urn(value) == value


@pytest.mark.parametrize(
    ("urn", "why"),
    [
        ("urn:epc:id:sgtin:6901234.05678.1", "13 digits"),
        ("urn:epc:id:sgtin:6901234.056789.", "character"),
        ("urn:epc:id:sscc:6901234.123", "17 digits"),
        ("urn:epc:class:lgtin:6901234.056789.L#1", "character"),
        ("urn:epc:id:sgln:6901234.00001", "extension"),
    ],
)
def test_malformed_urns_are_errors_and_stay_unchanged(urn, why):
    with pytest.raises(EpcError, match=why):
        parse_epc(urn)
    assert canonical_epc(urn) == urn


def test_lot_helpers():
    assert dl_for_lot("6901234567892", "L/1") == "https://id.gs1.org/01/06901234567892/10/L%2F1"
    assert lgtin_for_lot("06901234567892", "L/1") == "urn:epc:class:lgtin:6901234.056789.L%2F1"
    assert gtin_lot("urn:epc:class:lgtin:6901234.056789.L%2F1") == ("06901234567892", "L/1")
    assert gtin_lot("https://example.cn/01/6901234567892/10/L%2F1?x=1") == ("06901234567892", "L/1")
    assert gtin_lot("urn:epc:id:sgtin:6901234.056789.1001") is None  # an instance, not a lot
    assert gtin_lot("https://id.gs1.org/01/06901234567892/10/L1/21/9") is None
    assert gtin_lot("urn:uuid:1") is None
    with pytest.raises(ValueError, match="check digit"):
        dl_for_lot("06901234567891", "L1")
    with pytest.raises(ValueError, match="20"):
        lgtin_for_lot("06901234567892", "L" * 21)
