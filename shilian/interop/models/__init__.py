from shilian.interop.models.capture import CaptureJob
from shilian.interop.models.events import (
    ChainLink,
    ChainSync,
    EpcisBizTransaction,
    EpcisEvent,
    EpcisIdentifier,
    EpcisSourceDest,
)

__all__ = [
    "CaptureJob",
    "ChainLink",
    "ChainSync",
    "EpcisBizTransaction",
    "EpcisEvent",
    "EpcisIdentifier",
    "EpcisSourceDest",
]
