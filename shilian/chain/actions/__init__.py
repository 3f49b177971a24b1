"""Every write to the chain: one transaction per action, with its history row."""

from shilian.chain.actions.batch import BatchRef, ReceiveOp, ShipOp, TransformOp, record_batch
from shilian.chain.actions.corrections import void_event
from shilian.chain.actions.documents import Attachment
from shilian.chain.actions.inspection import record_inspection
from shilian.chain.actions.production import InputSpec, OutputSpec, record_transformation
from shilian.chain.actions.recalls import start_recall
from shilian.chain.actions.receiving import receive_lot
from shilian.chain.actions.shipping import ShipLine, dispose_lot, ship_lots

__all__ = [
    "Attachment",
    "BatchRef",
    "InputSpec",
    "OutputSpec",
    "ReceiveOp",
    "ShipLine",
    "ShipOp",
    "TransformOp",
    "dispose_lot",
    "receive_lot",
    "record_batch",
    "record_inspection",
    "record_transformation",
    "ship_lots",
    "start_recall",
    "void_event",
]
