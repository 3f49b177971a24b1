from django.db import models
from django.utils.translation import gettext_lazy as _


class EventType(models.TextChoices):
    """Critical tracking events (FSMA 204 CTEs; EPCIS bizStep in brackets)."""

    RECEIVE = "receive", _("进货")  # goods received from a partner (receiving)
    TRANSFORM = "transform", _("生产加工")  # input lots consumed into output lots (commissioning)
    SHIP = "ship", _("销售出库")  # goods shipped to a partner or sold at retail (shipping / retail_selling)
    DISPOSE = "dispose", _("销毁处置")  # destroyed, discarded or returned (destroying)
    INSPECT = "inspect", _("检验")  # a test result on a lot (inspecting)
    RECALL = "recall", _("召回")  # lots marked recalled (holding, disposition recalled)
    VOID = "void", _("更正作废")  # a correction: voids an earlier event


class LineRole(models.TextChoices):
    INPUT = "input", _("投入")  # quantity taken out of the lot
    OUTPUT = "output", _("产出")  # quantity put into the lot
    OBJECT = "object", _("对象")  # the lot is observed, its quantity unchanged


class LotOrigin(models.TextChoices):
    RECEIVED = "received", _("进货")  # bought in
    PRODUCED = "produced", _("自产")  # made here


class LotStatus(models.TextChoices):
    ACTIVE = "active", _("正常")
    RECALLED = "recalled", _("已召回")  # under a recall: must not be sold


class TestStatus(models.TextChoices):
    UNTESTED = "untested", _("未检验")
    PASSED = "passed", _("合格")
    FAILED = "failed", _("不合格")


class InspectionKind(models.TextChoices):
    SELF = "self", _("自检")  # the enterprise's own test
    OFFICIAL = "official", _("监督抽检")  # official sampling by the bureau


class EdgeKind(models.TextChoices):
    TRANSFORM = "transform", _("加工")  # input lot → output lot
    SHIP = "ship", _("流通")  # shipper's lot → receiver's lot


class DocumentKind(models.TextChoices):
    CERTIFICATE = "certificate", _("合格证明")  # certificate of conformity / 检验合格证
    INVOICE = "invoice", _("票据")  # invoice or delivery note (索票)
    TEST_REPORT = "test_report", _("检验报告")
    LICENCE = "licence", _("许可证")  # the supplier's licence (索证)
    OTHER = "other", _("其他")
