"""The ``shilian`` template library: ``qty`` shows quantities without useless trailing zeros."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from shilian.core.templatetags.shilian import qty


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("12.500"), "12.5"),
        (Decimal("100.000"), "100"),
        (Decimal("0.125"), "0.125"),
        (Decimal("0.100"), "0.1"),
        (Decimal("1200"), "1200"),
        (Decimal("1.2E+3"), "1200"),
        (Decimal("0.000"), "0"),
        (Decimal("-0.000"), "0"),
        (Decimal("-2.50"), "-2.5"),
        (Decimal("12345678901.001"), "12345678901.001"),
        (3, "3"),
        (12.5, "12.5"),
        ("7.10", "7.1"),
    ],
)
def test_qty_drops_trailing_zeros_only(value, shown):
    assert qty(value) == shown


@pytest.mark.parametrize("value", [None, "", "abc", Decimal("NaN"), Decimal("Infinity"), True])
def test_qty_leaves_what_is_not_a_quantity_alone(value):
    assert qty(value) is value


def test_qty_in_a_template_is_plain_digits_in_every_language():
    template = Template("{% load shilian %}{{ a|qty }} kg / {{ b|qty }} kg / {{ c|qty }} kg / [{{ missing|qty }}]")
    context = {"a": Decimal("12.500"), "b": Decimal("1234567.000"), "c": Decimal("0.125")}
    for language in ("zh-hans", "en"):
        with translation.override(language):
            assert template.render(Context(context)) == "12.5 kg / 1234567 kg / 0.125 kg / []"
