from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InteropConfig(AppConfig):
    name = "shilian.interop"
    label = "interop"
    verbose_name = _("Interoperability (EPCIS, FSMA 204, spreadsheets)")
