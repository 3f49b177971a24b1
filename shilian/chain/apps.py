from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChainConfig(AppConfig):
    name = "shilian.chain"
    label = "chain"
    verbose_name = _("Chain")
