"""Units of quantity and conversion between units of one dimension."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _


class Unit(models.TextChoices):
    KILOGRAM = "kg", _("千克")
    GRAM = "g", _("克")
    TONNE = "t", _("吨")
    LITRE = "L", _("升")
    MILLILITRE = "mL", _("毫升")
    PIECE = "piece", _("件")
    BOX = "box", _("箱")
    BAG = "bag", _("袋")
    BOTTLE = "bottle", _("瓶")


# unit → (dimension, factor to the dimension's base unit)
_FACTORS: dict[str, tuple[str, Decimal]] = {
    "kg": ("mass", Decimal(1)),
    "g": ("mass", Decimal("0.001")),
    "t": ("mass", Decimal(1000)),
    "L": ("volume", Decimal(1)),
    "mL": ("volume", Decimal("0.001")),
    "piece": ("piece", Decimal(1)),
    "box": ("box", Decimal(1)),
    "bag": ("bag", Decimal(1)),
    "bottle": ("bottle", Decimal(1)),
}
_ALIASES = {"KG": "kg", "公斤": "kg", "千克": "kg", "克": "g", "吨": "t", "升": "L", "l": "L", "ml": "mL",
            "毫升": "mL", "件": "piece", "个": "piece", "箱": "box", "袋": "bag", "瓶": "bottle"}


COUNTED = frozenset({"piece", "box", "bag", "bottle"})  # whole items: half a bag is not a quantity


def check_unit(value: str) -> str:
    unit = _ALIASES.get(value.strip(), value.strip())
    if unit not in _FACTORS:
        raise ValueError(f"未知单位 / unknown unit {value!r}")
    return unit


def convert(quantity: Decimal, from_unit: str, to_unit: str) -> Decimal:
    """``quantity`` in ``from_unit`` expressed in ``to_unit``; ValueError across dimensions."""
    if from_unit == to_unit:
        return quantity
    dim_from, f_from = _FACTORS[from_unit]
    dim_to, f_to = _FACTORS[to_unit]
    if dim_from != dim_to:
        raise ValueError(f"不能把{from_unit}换算为{to_unit} / cannot convert {from_unit} to {to_unit}")
    return quantity * f_from / f_to
