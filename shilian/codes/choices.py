from django.db import models
from django.utils.translation import gettext_lazy as _


class Layout(models.TextChoices):
    """Label layouts: A4 sheets for office printers, single labels for thermal printers."""

    A4_3X8 = "a4-3x8", _("A4 3×8（24枚/页）")  # 70 × 37 mm labels, 24 per sheet
    A4_4X10 = "a4-4x10", _("A4 4×10（40枚/页）")  # 52.5 × 29.7 mm labels, 40 per sheet
    T40X30 = "40x30", _("热敏 40×30 mm")  # one label per page, thermal roll
    T50X30 = "50x30", _("热敏 50×30 mm")  # one label per page, thermal roll
    T60X40 = "60x40", _("热敏 60×40 mm")  # one label per page, thermal roll


class Symbol(models.TextChoices):
    QR = "qr", _("二维码 QR")  # QR code, error correction M, carrying the URI
    DATAMATRIX = "datamatrix", _("GS1 DataMatrix")  # GS1 element string with FNC1 (GTIN codes only)


class SymbolFormat(models.TextChoices):
    SVG = "svg", "SVG"
    PNG = "png", "PNG"
    PDF = "pdf", "PDF"


class LabelJobStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")  # waiting for the task worker
    RUNNING = "running", _("生成中")  # pages being drawn
    DONE = "done", _("已完成")  # the PDF is ready to download
    FAILED = "failed", _("失败")  # stopped; ``error`` says why
