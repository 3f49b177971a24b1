from django.db import models
from django.utils.translation import gettext_lazy as _


class CaptureStatus(models.TextChoices):
    """Where a capture job is (the GS1 capture job's ``running`` and ``success``)."""

    RUNNING = "running", _("进行中")  # accepted, the events are being captured
    SUCCESS = "success", _("成功")  # every event stored
    FAILED = "failed", _("失败")  # at least one event refused (rollback: none stored; proceed: the others stored)


class CaptureBehaviour(models.TextChoices):
    """``GS1-Capture-Error-Behaviour``: what an error in one event does to the others."""

    ROLLBACK = "rollback", _("全部回滚")  # all or nothing (the default)
    PROCEED = "proceed", _("继续")  # store the good events, report the bad ones


class IdentifierRole(models.TextChoices):
    """Where an identifier sits in an event: the lists the MATCH_ query parameters read."""

    EPC = "epc", _("对象")  # epcList
    PARENT = "parent", _("父级")  # parentID
    CHILD = "child", _("子级")  # childEPCs
    INPUT = "input", _("投入")  # inputEPCList
    OUTPUT = "output", _("产出")  # outputEPCList
    QUANTITY = "quantity", _("数量")  # quantityList
    CHILD_QUANTITY = "child_quantity", _("子级数量")  # childQuantityList
    INPUT_QUANTITY = "input_quantity", _("投入数量")  # inputQuantityList
    OUTPUT_QUANTITY = "output_quantity", _("产出数量")  # outputQuantityList


class SourceDestKind(models.TextChoices):
    SOURCE = "source", _("来源")  # sourceList
    DESTINATION = "destination", _("去向")  # destinationList
