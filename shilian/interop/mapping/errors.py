"""The one error of the mapping: an event that cannot be applied to the chain."""

from __future__ import annotations


class MappingError(Exception):
    """Event ``event_index`` of the document cannot be applied; ``pointer`` is a JSON
    pointer into that event naming the field (``/quantityList/0/epcClass``)."""

    def __init__(self, event_index: int, pointer: str, message: str) -> None:
        super().__init__(f"event {event_index} {pointer}: {message}")
        self.event_index = event_index
        self.pointer = pointer
        self.message = message

    def __repr__(self) -> str:
        return f"MappingError({self.event_index!r}, {self.pointer!r}, {self.message!r})"
