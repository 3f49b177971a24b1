"""The upload form and the preview's confirmation form of the ledger import."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from shilian.interop.ledgers.reader import MAX_BYTES


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Ledger file (.xlsx)"),
        help_text=_("Fill in the template, save it as .xlsx and upload it here."),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than %(mb)d MB.") % {"mb": MAX_BYTES // (1024 * 1024)})
        return bytes(upload.read(MAX_BYTES + 1))


class ConfirmForm(forms.Form):
    payload = forms.CharField(widget=forms.HiddenInput, max_length=4 * 1024 * 1024)
