"""EPCIS exceptions as RFC 7807 problem documents (the REST binding's error bodies).

``type`` is the EPCIS exception (``epcisException:ValidationException`` …); a problem
about one event of a document also says which (``eventIndex``, counted from 0 in the
document's event list, and its ``eventID`` when known) and which field (``pointer``, a
JSON pointer into the document).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Exc(StrEnum):
    VALIDATION = "epcisException:ValidationException"
    QUERY_PARAMETER = "epcisException:QueryParameterException"
    QUERY_TOO_LARGE = "epcisException:QueryTooLargeException"
    SECURITY = "epcisException:SecurityException"
    NO_SUCH_RESOURCE = "epcisException:NoSuchResourceException"
    ALREADY_EXISTS = "epcisException:ResourceAlreadyExistsException"
    CAPTURE_LIMIT = "epcisException:CaptureLimitExceededException"
    UNSUPPORTED_MEDIA_TYPE = "epcisException:UnsupportedMediaTypeException"
    NOT_ACCEPTABLE = "epcisException:NotAcceptableException"
    IMPLEMENTATION = "epcisException:ImplementationException"


TITLES = {
    Exc.VALIDATION: "Invalid EPCIS document",
    Exc.QUERY_PARAMETER: "Invalid query parameter",
    Exc.QUERY_TOO_LARGE: "Query result too large",
    Exc.SECURITY: "Access denied",
    Exc.NO_SUCH_RESOURCE: "Not found",
    Exc.ALREADY_EXISTS: "A resource with the provided identifier already exists",
    Exc.CAPTURE_LIMIT: "Capture payload too large",
    Exc.UNSUPPORTED_MEDIA_TYPE: "Unsupported media type",
    Exc.NOT_ACCEPTABLE: "Not acceptable",
    Exc.IMPLEMENTATION: "Implementation exception",
}


@dataclass
class EpcisProblem(Exception):
    """An EPCIS exception; ``body()`` is its problem document."""

    type: Exc
    status: int
    detail: str
    event_index: int | None = None
    pointer: str = ""
    event_id: str = ""
    code: str = ""
    errors: tuple[dict[str, Any], ...] = ()

    def __str__(self) -> str:
        return self.detail

    def body(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": str(self.type), "title": TITLES[self.type], "status": self.status}
        out["detail"] = self.detail
        if self.event_index is not None:
            out["eventIndex"] = self.event_index
        if self.pointer:
            out["pointer"] = self.pointer
        if self.event_id:
            out["eventID"] = self.event_id
        if self.code:
            out["code"] = self.code
        if self.errors:
            out["errors"] = list(self.errors)
        return out


def event_pointer(index: int, pointer: str = "", *, list_path: str = "/epcisBody/eventList") -> str:
    """The JSON pointer of field ``pointer`` (itself a pointer into the event) of event ``index``."""
    return f"{list_path}/{index}{pointer}"


def validation(detail: str, **kwargs: Any) -> EpcisProblem:
    return EpcisProblem(Exc.VALIDATION, 400, detail, **kwargs)


def query_parameter(name: str, detail: str) -> EpcisProblem:
    return EpcisProblem(Exc.QUERY_PARAMETER, 400, f"{name}: {detail}", pointer=name)
