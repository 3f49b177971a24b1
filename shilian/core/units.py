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

# Units a quantity may be given in, but no lot or product is kept in (EPCIS and labels speak the
# units above): 斤 (市斤, half a kilogram), as market ledgers and scales in China write weights.
ENTRY_ONLY = {"jin": "kg"}
_FACTORS["jin"] = ("mass", Decimal("0.5"))
_ALIASES.update({"斤": "jin", "市斤": "jin"})
ENTRY_CHOICES = [*Unit.choices, ("jin", _("斤"))]


def check_unit(value: str) -> str:
    """A unit stock is kept in (the lot's, the product's)."""
    unit = _ALIASES.get(value.strip(), value.strip())
    if unit not in _FACTORS or unit in ENTRY_ONLY:
        raise ValueError(f"未知单位 / unknown unit {value!r}")
    return unit


def check_entry_unit(value: str) -> str:
    """A unit a quantity may be given in: a stock unit, or 斤."""
    unit = _ALIASES.get(value.strip(), value.strip())
    if unit not in _FACTORS:
        raise ValueError(f"未知单位 / unknown unit {value!r}")
    return unit


def stock_unit(unit: str) -> str:
    """The unit a quantity given in ``unit`` is kept in: 斤 → kg, any other as it is."""
    return ENTRY_ONLY.get(unit, unit)


def convert(quantity: Decimal, from_unit: str, to_unit: str) -> Decimal:
    """``quantity`` in ``from_unit`` expressed in ``to_unit``; ValueError across dimensions."""
    if from_unit == to_unit:
        return quantity
    dim_from, f_from = _FACTORS[from_unit]
    dim_to, f_to = _FACTORS[to_unit]
    if dim_from != dim_to:
        raise ValueError(f"不能把{from_unit}换算为{to_unit} / cannot convert {from_unit} to {to_unit}")
    return quantity * f_from / f_to
