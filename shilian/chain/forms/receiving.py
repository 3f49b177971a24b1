"""Receiving forms: goods from a supplier, and a shipment sent on the platform."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from shilian.catalog.models import Product
from shilian.chain.actions import Attachment
from shilian.chain.choices import DocumentKind
from shilian.chain.documents import CheckedFile, check_document
from shilian.chain.forms.fields import clean_lot_code, date_field, quantity_field
from shilian.core.units import ENTRY_CHOICES, Unit
from shilian.registry.models import Partner

ACCEPTANCE_CHECKS = {
    "packaging_intact": _("Packaging intact"),
    "label_complete": _("Label complete (name, producer, dates)"),
    "sensory_normal": _("Appearance and smell normal"),
    "temperature_ok": _("Temperature as required"),
}


def _checked(upload: UploadedFile | None) -> CheckedFile | None:
    if not upload:
        return None
    try:
        return check_document(upload, upload.name or "upload")
    except ValueError as exc:
        raise forms.ValidationError(str(exc)) from None


class ReceiveForm(forms.Form):
    product = forms.ModelChoiceField(
        queryset=Product.objects.none(),
        label=_("Product"),
        required=False,
        empty_label=_("— not in my products: type the name below —"),
    )
    product_name = forms.CharField(label=_("Product name"), max_length=200, required=False)
    supplier = forms.ModelChoiceField(queryset=Partner.objects.none(), label=_("Supplier"), empty_label=_("— pick a supplier —"))
    quantity = quantity_field(_("Quantity"))
    unit = forms.ChoiceField(label=_("Unit"), choices=ENTRY_CHOICES, initial=Unit.KILOGRAM)
    lot_code = forms.CharField(label=_("Lot code on the goods"), max_length=20)
    produced_on = date_field(_("Production date"))
    expires_on = date_field(_("Expiry date"))
    certificate = forms.FileField(label=_("Certificate (PDF or photo)"), required=False)
    certificate_no = forms.CharField(label=_("Certificate number"), max_length=60, required=False)
    invoice = forms.FileField(label=_("Invoice or delivery note (PDF or photo)"), required=False)
    invoice_no = forms.CharField(label=_("Invoice number"), max_length=60, required=False)

    def __init__(self, *args: Any, products: Any, suppliers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = products  # type: ignore[attr-defined]
        self.fields["supplier"].queryset = suppliers  # type: ignore[attr-defined]
        for name, label in ACCEPTANCE_CHECKS.items():
            self.fields[f"check_{name}"] = forms.BooleanField(label=label, required=False)
        for name in ("certificate", "invoice"):
            self.fields[name].widget.attrs["accept"] = "application/pdf,image/*"

    def clean_lot_code(self) -> str:
        return clean_lot_code(self.cleaned_data["lot_code"])

    def clean_certificate(self) -> CheckedFile | None:
        return _checked(self.cleaned_data.get("certificate"))

    def clean_invoice(self) -> CheckedFile | None:
        return _checked(self.cleaned_data.get("invoice"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("product") and not (data.get("product_name") or "").strip() and "product_name" not in self.errors:
            self.add_error("product_name", _("Pick a product or type its name."))
        produced, expires = data.get("produced_on"), data.get("expires_on")
        if produced and expires and expires < produced:
            self.add_error("expires_on", _("The expiry date is before the production date."))
        return data

    def attachments(self) -> list[Attachment]:
        data = self.cleaned_data
        out = []
        if data.get("certificate"):
            out.append(Attachment(DocumentKind.CERTIFICATE, data["certificate"], data["certificate_no"]))
        if data.get("invoice"):
            out.append(Attachment(DocumentKind.INVOICE, data["invoice"], data["invoice_no"]))
        return out

    def acceptance(self) -> dict[str, bool]:
        return {name: bool(self.cleaned_data.get(f"check_{name}")) for name in ACCEPTANCE_CHECKS}


class ReceiveShipmentForm(forms.Form):
    """One tap: receive what remains of one lot of a shipment sent to this enterprise."""

    lot = forms.IntegerField(widget=forms.HiddenInput)
    quantity = quantity_field(_("Quantity received"))
