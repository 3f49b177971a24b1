"""shilian's template filters: ``{% load shilian %}``."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django import template
from django.utils.translation import get_language

from shilian.core.units import COUNTED, Unit

register = template.Library()


@register.filter
def qty(value: Any) -> Any:
    """A quantity without useless trailing zeros: 12.500 → "12.5", 100.000 → "100", 0.125 stays.

    Plain digits with a dot (no grouping), so the text also fits a number input's value.
    Empty values and anything that is not a number are returned unchanged.
    """
    if value is None or value == "" or isinstance(value, bool):
        return value
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return value
    if not number.is_finite():
        return value
    if number == 0:
        return "0"
    return f"{number.normalize():f}"


@register.filter
def unit(value: Any) -> Any:
    """A counted unit in the page's language (bag → 袋 / bag); a measure keeps its symbol (kg, mL),
    as on a Chinese label; anything else unchanged."""
    return Unit(value).label if value in COUNTED else value


# "中文 / English" (the domain's messages name both, for the API): the part of the page's language
_BOTH = re.compile(r"^(?P<zh>.*[\u3400-\u9fff].*?) / (?P<en>[A-Za-z(\"'].*)$", re.DOTALL)


@register.filter
def one_language(message: Any) -> Any:
    """A bilingual "中文 / English" message in the page's language only; any other text unchanged."""
    match = _BOTH.match(str(message))
    if match is None:
        return message
    return match["en"] if (get_language() or "").startswith("en") else match["zh"]
