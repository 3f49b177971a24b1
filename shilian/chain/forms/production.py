"""Production form: what was made; the input lots are a formset of lot rows."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shilian.catalog.models import Product
from shilian.chain.forms.fields import clean_lot_code, date_field, quantity_field
from shilian.core.units import ENTRY_CHOICES


class ProduceForm(forms.Form):
    product = forms.ModelChoiceField(queryset=Product.objects.none(), label=_("Product made"), empty_label=_("— pick a product —"))
    quantity = quantity_field(_("Quantity made"))
    unit = forms.ChoiceField(
        label=_("Unit"),
        choices=[("", _("the product's unit")), *ENTRY_CHOICES],
        required=False,
    )
    lot_code = forms.CharField(
        label=_("Lot code"),
        max_length=20,
        required=False,
        help_text=_("Leave empty to number the lot automatically (date and sequence)."),
    )
    produced_on = date_field(_("Production date"), help_text=_("Today if left empty."))
    expires_on = date_field(_("Expiry date"), help_text=_("From the product's shelf life if left empty."))

    def __init__(self, *args: Any, products: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = products  # type: ignore[attr-defined]

    def clean_lot_code(self) -> str:
        value = self.cleaned_data["lot_code"].strip()
        return clean_lot_code(value) if value else ""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        produced, expires = data.get("produced_on"), data.get("expires_on")
        if produced and expires and expires < produced:
            self.add_error("expires_on", _("The expiry date is before the production date."))
        return data
