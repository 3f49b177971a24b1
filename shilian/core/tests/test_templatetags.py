"""The ``shilian`` template library: ``qty`` shows quantities without useless trailing zeros."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from shilian.core.templatetags.shilian import one_language, qty


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


@pytest.mark.parametrize(
    ("message", "zh", "en"),
    [
        ("库存不足：年糕 A/7 现有 50 kg / only 20 kg left", "库存不足：年糕 A/7 现有 50 kg", "only 20 kg left"),
        (  # a "/" inside an address is not the separator
            "需要RTSP地址，如 rtsp://10.1.1.9:554/ch/102 / needs its RTSP address, e.g. rtsp://10.1.1.9:554/ch/102",
            "需要RTSP地址，如 rtsp://10.1.1.9:554/ch/102",
            "needs its RTSP address, e.g. rtsp://10.1.1.9:554/ch/102",
        ),
        ("必填", "必填", "必填"),  # one language: as it is
        ("This field is required.", "This field is required.", "This field is required."),
        ("A / B", "A / B", "A / B"),  # no Chinese before the slash: not a pair
    ],
)
def test_one_language_keeps_the_pages_half_of_a_bilingual_message(message, zh, en):
    with translation.override("zh-hans"):
        assert one_language(message) == zh
    with translation.override("en"):
        assert one_language(message) == en


def test_form_errors_on_a_page_speak_its_language():
    from django import forms

    class F(forms.Form):
        lot_code = forms.CharField()

        def clean_lot_code(self):
            raise forms.ValidationError("批号含非法字符 / characters outside the GS1 AI (10) set")

    for lang, shown, hidden in (("zh-hans", "批号含非法字符", "GS1 AI"), ("en", "characters outside", "批号")):
        with translation.override(lang):
            html = str(F({"lot_code": "x"})["lot_code"].errors)
        assert shown in html
        assert hidden not in html
