"""Forms of the catalog pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from shilian.catalog.choices import Category, ProductKind
from shilian.core.forms import CheckedField
from shilian.core.identifiers import check_gtin
from shilian.core.units import Unit


class ProductForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    specification = forms.CharField(
        label=_("Specification"), max_length=100, required=False, help_text=_("For example 500 g per bag.")
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=ProductKind.choices, initial=ProductKind.FINISHED)
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices, initial=Category.OTHER)
    unit = forms.ChoiceField(label=_("Stock unit"), choices=Unit.choices, initial=Unit.KILOGRAM)
    shelf_life_days = forms.IntegerField(
        label=_("Shelf life (days)"),
        min_value=1,
        max_value=36500,
        required=False,
        help_text=_("Used to set the expiry date of each lot you produce."),
    )
    gtin = CheckedField(check_gtin, label=_("GTIN (barcode number)"), max_length=14)
    storage = forms.CharField(label=_("Storage conditions"), max_length=200, required=False)
    standard = forms.CharField(label=_("Product standard"), max_length=100, required=False)
