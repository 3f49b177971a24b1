from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SunshineConfig(AppConfig):
    name = "shilian.sunshine"
    label = "sunshine"
    verbose_name = _("Sunshine workshops (cameras)")
