"""Shipping form: to a customer from the address book, or a retail sale."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shilian.registry.models import Partner


class ShipForm(forms.Form):
    customer = forms.ModelChoiceField(
        queryset=Partner.objects.none(),
        label=_("Customer"),
        required=False,
        empty_label=_("Retail sale (no customer)"),
    )
    reference_no = forms.CharField(label=_("Delivery note number"), max_length=60, required=False)

    def __init__(self, *args: Any, customers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = customers  # type: ignore[attr-defined]
