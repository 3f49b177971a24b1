"""Fields shared by the chain forms: quantities, dates, and lots picked from stock."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from shilian.chain.models import Lot
from shilian.core.identifiers import check_lot_code


def quantity_field(label: Any, **kwargs: Any) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        min_value=Decimal("0.001"),
        max_digits=14,
        decimal_places=3,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "any", "min": "0"}),
        **kwargs,
    )


def date_field(label: Any, **kwargs: Any) -> forms.DateField:
    return forms.DateField(label=label, required=False, widget=forms.DateInput(attrs={"type": "date"}), **kwargs)


def clean_lot_code(value: str) -> str:
    try:
        return check_lot_code(value)
    except ValueError as exc:
        raise forms.ValidationError(str(exc)) from None


class StockLotField(forms.ModelChoiceField):
    """A lot in stock, shown as product · lot code · quantity on hand · expiry."""

    def label_from_instance(self, obj: Any) -> str:
        lot: Lot = obj
        text = f"{lot.product_name} · {lot.code} · {lot.quantity_on_hand.normalize():f} {lot.unit}"
        if lot.expires_on:
            text += " · " + str(_("expires %(date)s") % {"date": date_format(lot.expires_on, "SHORT_DATE_FORMAT")})
        return text


class LotRowForm(forms.Form):
    """One row of a production's inputs or a shipment's lines: a lot and how much of it."""

    lot = StockLotField(queryset=Lot.objects.none(), label=_("Lot"), empty_label=_("— pick a lot —"))
    quantity = quantity_field(_("Quantity (in the lot's unit)"))

    def __init__(self, *args: Any, lots: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if lots is not None:
            self.fields["lot"].queryset = lots  # type: ignore[attr-defined]


class BaseLotRowFormSet(forms.BaseFormSet):
    default_error_messages = {
        "too_few_forms": _("Pick at least one lot and its quantity."),
        "too_many_forms": _("At most %(num)d lots at once."),
    }

    def clean(self) -> None:
        if any(self.errors):
            return
        seen: set[int] = set()
        for form in self.forms:
            lot = form.cleaned_data.get("lot") if form.cleaned_data else None
            if lot is None:
                continue
            if lot.pk in seen:
                form.add_error("lot", _("This lot is already in another row."))
            seen.add(lot.pk)

    def filled(self) -> list[forms.Form]:
        """The rows with a lot, in order (blank extra rows left out)."""
        return [form for form in self.forms if form.cleaned_data and form.cleaned_data.get("lot")]


MAX_ROWS = 20


def lot_row_formset(rows: int = 1) -> type[BaseLotRowFormSet]:
    """A formset class showing ``rows`` rows when unbound; the first row is required."""
    rows = max(1, min(rows, MAX_ROWS))
    return forms.formset_factory(  # type: ignore[return-value]
        LotRowForm,
        formset=BaseLotRowFormSet,
        extra=rows - 1,
        min_num=1,
        validate_min=True,
        max_num=MAX_ROWS,
        validate_max=True,
    )
