"""The FSMA 204 request form: a date range and/or traceability lot codes (and, for inspectors,
a jurisdiction within their own)."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shilian.core.identifiers import check_lot_code
from shilian.interop.fsma.query import FsmaQuery
from shilian.registry.access import jurisdictions_for

MAX_LOT_CODES = 500
_SEPARATORS = re.compile(r"[\s,，;；、]+")


class FsmaForm(forms.Form):
    date_from = forms.DateField(label=_("Start date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("End date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    lot_codes = forms.CharField(
        label=_("Traceability lot codes"),
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Separated by spaces, commas or new lines. Leave empty for every lot in the dates."),
    )

    def clean_lot_codes(self) -> tuple[str, ...]:
        codes: list[str] = []
        for raw in _SEPARATORS.split(self.cleaned_data.get("lot_codes") or ""):
            if not raw:
                continue
            try:
                code = check_lot_code(raw)
            except ValueError as exc:
                raise forms.ValidationError(f"{raw}: {exc}") from None
            if code not in codes:
                codes.append(code)
        if len(codes) > MAX_LOT_CODES:
            raise forms.ValidationError(_("At most %(n)d lot codes at a time.") % {"n": MAX_LOT_CODES})
        return tuple(codes)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end date is before the start date."))
        if not (start or end or data.get("lot_codes")) and not self.errors:
            raise forms.ValidationError(_("Give a date range, lot codes, or both."))
        return data

    def fsma_query(self, **scope: Any) -> FsmaQuery:
        data = self.cleaned_data
        return FsmaQuery(
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            lot_codes=data.get("lot_codes") or (),
            **scope,
        )


class InspectorFsmaForm(FsmaForm):
    jurisdiction = forms.ChoiceField(label=_("Jurisdiction"), required=False)
    enterprise = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        jurisdictions = jurisdictions_for(user)
        choices: list[tuple[str, Any]] = [("", _("All of my jurisdiction"))]
        choices += [(j.code, f"{j.code} {j.name}") for j in jurisdictions]
        field = self.fields["jurisdiction"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices
        self.prefixes = {j.code: j.prefix for j in jurisdictions}

    def division_prefix(self) -> str:
        code = self.cleaned_data.get("jurisdiction") or ""
        return self.prefixes.get(code, "")
