from shilian.scan.models.flags import CounterfeitFlag
from shilian.scan.models.reports import ConsumerReport
from shilian.scan.models.scans import Scan

__all__ = ["ConsumerReport", "CounterfeitFlag", "Scan"]
