"""The consumer's "report a problem" form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from shilian.chain.photos import CheckedPhoto, check_photo
from shilian.scan.actions import CONTACT_MAX, DESCRIPTION_MAX
from shilian.scan.choices import ReportKind


class ReportForm(forms.Form):
    kind = forms.ChoiceField(label=_("What is wrong?"), choices=ReportKind.choices)
    description = forms.CharField(label=_("Details"), required=False, max_length=DESCRIPTION_MAX)
    contact = forms.CharField(label=_("Contact"), required=False, max_length=CONTACT_MAX)
    photo = forms.FileField(label=_("Photo"), required=False)

    def clean_contact(self) -> str:
        """Empty, or something to answer: a phone number (7–20 digits) or an e-mail address."""
        contact = self.cleaned_data.get("contact", "").strip()
        digits = sum(c.isdigit() for c in contact)
        phone = all(c.isdigit() or c in "+-() " for c in contact) and 7 <= digits <= 20
        if contact and not phone:
            try:
                validate_email(contact)
            except forms.ValidationError:
                raise forms.ValidationError(_("A phone number or an e-mail address, so that we can answer you.")) from None
        return contact

    def clean_photo(self) -> CheckedPhoto | None:
        upload: Any = self.cleaned_data.get("photo")
        if not upload:
            return None
        try:
            return check_photo(upload)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None
