"""The label form on a lot's labels page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shilian.codes.actions import MAX_LABELS_PER_JOB
from shilian.codes.choices import Layout, Symbol


class LabelForm(forms.Form):
    LOT = "lot"
    SERIALS = "serials"

    layout = forms.ChoiceField(label=_("Layout"), choices=Layout.choices, initial=Layout.A4_4X10)
    symbol = forms.ChoiceField(label=_("Symbology"), choices=Symbol.choices, initial=Symbol.QR)
    mode = forms.ChoiceField(
        label=_("What to print"),
        choices=[
            (LOT, _("The lot code on every label (copies)")),
            (SERIALS, _("One item code per label, with new serial numbers")),
        ],
        initial=LOT,
        widget=forms.RadioSelect,
    )
    count = forms.IntegerField(label=_("Number of labels"), min_value=1, max_value=MAX_LABELS_PER_JOB, initial=40)

    def request(self) -> dict[str, Any]:
        """The keyword arguments of the label actions, from valid data."""
        data = self.cleaned_data
        serials = data["count"] if data["mode"] == self.SERIALS else 0
        return {
            "layout": data["layout"],
            "symbol": data["symbol"],
            "serials": serials,
            "copies": 1 if serials else data["count"],
        }
