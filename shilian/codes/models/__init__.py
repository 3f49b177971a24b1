from shilian.codes.models.codes import SerialRange, ShortCode
from shilian.codes.models.labeljobs import LabelJob

__all__ = ["LabelJob", "SerialRange", "ShortCode"]
