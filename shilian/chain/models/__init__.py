from shilian.chain.models.documents import Document
from shilian.chain.models.events import EventLine, TraceEvent
from shilian.chain.models.lots import Lot, LotEdge, LotShipment
from shilian.chain.models.recalls import Recall

__all__ = ["Document", "EventLine", "Lot", "LotEdge", "LotShipment", "Recall", "TraceEvent"]
