from django.db import models
from django.utils.translation import gettext_lazy as _


class ScanSource(models.TextChoices):
    APP = "app", _("application")  # resolved by the Django app (embedded default, or nginx's fallback)
    NGINX = "nginx", _("front server")  # served from a pre-rendered page, ingested from nginx's access log


class ScanKind(models.TextChoices):
    PAGE = "page", _("consumer page")  # a person opened the page
    LINKSET = "linkset", _("linkset")  # a program asked for the GS1 linkset


class ReportKind(models.TextChoices):
    ILLNESS = "illness", _("Felt ill after eating")  # 食用后身体不适
    FOREIGN_BODY = "foreign", _("Foreign object")  # 异物
    SPOILED = "spoiled", _("Spoiled or smells wrong")  # 变质、异味
    LABEL = "label", _("Label or date problem")  # 标签、日期问题
    FAKE = "fake", _("Looks counterfeit")  # 疑似假冒
    OTHER = "other", _("Something else")  # 其他


class FlagReason(models.TextChoices):
    TOO_MANY_SCANS = "scans", _("Scanned more often than one pack plausibly is")  # 扫码次数异常
    TOO_MANY_CLIENTS = "clients", _("Scanned by many clients within a short time")  # 短时间内多终端扫码
