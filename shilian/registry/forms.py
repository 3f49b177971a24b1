"""Forms of the registry pages: picking the enterprise to record for, adding a partner or a staff member."""

from __future__ import annotations

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shilian.core.forms import CheckedField
from shilian.core.identifiers import check_gln, check_uscc
from shilian.registry.choices import PartnerKind
from shilian.registry.queries import CERTIFICATE_WARNING_DAYS


class PickEnterpriseForm(forms.Form):
    enterprise = forms.IntegerField(widget=forms.HiddenInput)
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class PartnerForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=PartnerKind.choices, initial=PartnerKind.BOTH)
    uscc = CheckedField(
        check_uscc,
        label=_("Unified social credit code"),
        max_length=18,
        help_text=_("If the partner is on the platform, its shipments to you can be received in one tap."),
    )
    gln = CheckedField(
        check_gln,
        label=_("GLN"),
        max_length=13,
        help_text=_("The partner's GS1 Global Location Number (13 digits), if it has one."),
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    contact = forms.CharField(label=_("Contact"), max_length=100, required=False)
    address = forms.CharField(label=_("Address"), max_length=300, required=False)


class StaffForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=50)
    post = forms.CharField(label=_("Post"), max_length=50, required=False)
    health_certificate_no = forms.CharField(label=_("Health certificate number"), max_length=50, required=False)
    health_certificate_expires = forms.DateField(
        label=_("Health certificate expires"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=format_lazy(
            _("Certificates expiring within {days} days are flagged."), days=CERTIFICATE_WARNING_DAYS
        ),
    )


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=100, required=False)
