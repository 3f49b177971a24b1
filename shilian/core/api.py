"""API plumbing shared by every app's router.

RFC 7807 problem documents for every error, naming the field where there is one; the
schema types every app uses for times and quantities; and ``fetch``, the rule that a
row the user cannot see is 404 while a row they see but may not act on is 403.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Annotated, Any, TypeVar

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from pydantic import PlainSerializer, StringConstraints

from shilian.core.access import Perm
from shilian.core.errors import DomainError, NotFoundError

PROBLEM = "application/problem+json"

# Codes that mean "the input is well formed but the current state refuses it".
CONFLICT_CODES = frozenset(
    {"insufficient_stock", "over_shipped", "lot_recalled", "already_voided", "already_recalled", "cannot_void"}
)
FORBIDDEN = "forbidden"

T = TypeVar("T")


def _local_iso(value: dt.datetime) -> str:
    return timezone.localtime(value).isoformat() if timezone.is_aware(value) else value.isoformat()


class ApiRequest(HttpRequest):
    """The request an endpoint receives: ``auth`` is the user the bearer token belongs to."""

    auth: Any


# A timezone-aware datetime, written as ISO 8601 with the local offset (+08:00).
LocalDateTime = Annotated[dt.datetime, PlainSerializer(_local_iso, return_type=str)]
# A quantity: accepted as a number or a string, always written as a string (no float rounding).
DecimalStr = Annotated[Decimal, PlainSerializer(lambda d: str(d), return_type=str)]


def text(max_length: int, *, required: bool = False) -> StringConstraints:
    """For ``Annotated[str, text(n)]``: stripped, at most ``n`` characters, not blank when required."""
    return StringConstraints(strip_whitespace=True, min_length=1 if required else 0, max_length=max_length)


class FieldError(Schema):
    field: str
    message: str


class Problem(Schema):
    """An RFC 7807 problem document (``application/problem+json``)."""

    type: str
    title: str
    status: int
    code: str
    detail: str | None = None
    errors: list[FieldError] | None = None


# For ``response=`` dicts, so that OpenAPI shows the problem shape on error statuses.
PROBLEMS: dict[int, Any] = {401: Problem, 403: Problem, 404: Problem, 409: Problem, 422: Problem}


def fetch(access: Callable[..., T], user: Any, pk: Any, perm: str = Perm.VIEW, *, field: str = "") -> T:
    """``access(user, pk, perm)``, naming ``field`` on failure.

    A row the user cannot even view stays a 404 (one answer for missing and hidden);
    a row they can view but not ``perm`` is a 403, so an inspector learns why their
    write was refused without anyone learning more than they may see.
    """
    try:
        return access(user, pk, perm)
    except NotFoundError as exc:
        if Perm(perm) is not Perm.VIEW:
            try:
                access(user, pk, Perm.VIEW)
            except NotFoundError:
                pass
            else:
                raise DomainError(
                    FORBIDDEN, f"没有权限 / you may not {perm} this {exc.message.removesuffix(' not found')}", field=field or None
                ) from None
        exc.field = field or exc.field
        raise


def invalid(field: str, message: str) -> ValidationError:
    """A 422 naming ``field``, for what the edge checks beyond the schema (an unknown code...)."""
    return ValidationError([{"loc": (field,), "msg": message, "type": "value_error"}])


def problem(
    api: NinjaAPI,
    request: HttpRequest,
    *,
    status: int,
    title: str,
    code: str,
    detail: str = "",
    errors: list[dict[str, Any]] | None = None,
) -> HttpResponse:
    body: dict[str, Any] = {"type": f"https://shilian.dev/problems/{code}", "title": title, "status": status, "code": code}
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    response = api.create_response(request, body, status=status)
    response["Content-Type"] = PROBLEM
    return response


def _field_of(loc: list[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "form", "file", "payload")]
    out = ""
    for p in parts:
        out += f"[{p}]" if p.isdigit() else (f".{p}" if out else p)
    return out


def install_problem_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(ValidationError)
    def on_validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        errors = [{"field": _field_of(list(e.get("loc", []))), "message": e.get("msg", "")} for e in exc.errors]
        first = errors[0]["field"] if errors else ""
        return problem(
            api, request, status=422, title="Invalid input", code="validation_error",
            detail=f"{first}: {errors[0]['message']}" if errors else "", errors=errors,
        )

    @api.exception_handler(NotFoundError)
    def on_not_found(request: HttpRequest, exc: NotFoundError) -> HttpResponse:
        errors = [{"field": exc.field, "message": exc.message}] if exc.field else None
        return problem(api, request, status=404, title="Not found", code="not_found", detail=exc.message, errors=errors)

    @api.exception_handler(Http404)
    def on_http404(request: HttpRequest, exc: Http404) -> HttpResponse:
        return problem(api, request, status=404, title="Not found", code="not_found", detail="not found")

    @api.exception_handler(DomainError)
    def on_domain(request: HttpRequest, exc: DomainError) -> HttpResponse:
        errors = [{"field": exc.field, "message": exc.message}] if exc.field else None
        if exc.code == FORBIDDEN:
            status, title = 403, "Forbidden"
        elif exc.code in CONFLICT_CODES:
            status, title = 409, "Conflict"
        else:
            status, title = 422, "Refused"
        return problem(api, request, status=status, title=title, code=exc.code, detail=exc.message, errors=errors)

    @api.exception_handler(AuthenticationError)
    def on_auth(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = problem(
            api, request, status=401, title="Unauthorized", code="unauthorized", detail="a valid API token is required"
        )
        response["WWW-Authenticate"] = "Bearer"
        return response

    @api.exception_handler(HttpError)
    def on_http(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return problem(api, request, status=exc.status_code, title=str(exc), code="http_error", detail=str(exc))
