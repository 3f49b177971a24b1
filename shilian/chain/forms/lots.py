"""Forms on lot, trace and recall pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from shilian.chain.queries.trace import Direction


class VoidForm(forms.Form):
    reason = forms.CharField(label=_("Why is this record wrong?"), max_length=500)


class LotSearchForm(forms.Form):
    ref = forms.CharField(
        label=_("Find a lot"),
        max_length=300,
        help_text=_(
            "The lot number printed on the package, a product name, urn:epc:class:lgtin:… "
            "or the GS1 Digital Link from the package code."
        ),
    )


class TraceForm(forms.Form):
    lot = forms.CharField(label=_("Lot"), max_length=300)
    direction = forms.ChoiceField(
        label=_("Direction"),
        choices=[(Direction.FORWARD.value, _("Forward (where it went)")), (Direction.BACKWARD.value, _("Backward (where it came from)"))],
        required=False,
    )

    def clean_direction(self) -> Direction:
        return Direction(self.cleaned_data.get("direction") or Direction.FORWARD.value)


class RecallForm(forms.Form):
    lot = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Reason for the recall"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: failed official sampling, report number …"),
    )
