"""What every EPCIS endpoint shares: bearer-token authentication (as /api/v1), problem
documents, the EPCIS headers, OPTIONS discovery and method dispatch."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from shilian.core.auth import TokenAuth
from shilian.core.errors import NotFoundError
from shilian.interop.capture.actions import capture_limit, file_size_limit
from shilian.interop.identifiers import EpcFormat
from shilian.interop.problems import EpcisProblem, Exc

PROBLEM = "application/problem+json"
JSON_TYPES = ("application/json", "application/ld+json")
VERSION_HEADERS = {
    "GS1-EPCIS-Version": "2.0.0",
    "GS1-EPCIS-Min": "2.0.0",
    "GS1-EPCIS-Max": "2.0.0",
    "GS1-CBV-Version": "2.0.0",
    "GS1-CBV-Min": "2.0.0",
    "GS1-CBV-Max": "2.0.0",
    "GS1-Vendor-Version": "shilian-1",
}
_auth = TokenAuth()

View = Callable[..., HttpResponse]


def json_response(body: Any, status: int = 200, content_type: str = "application/json") -> HttpResponse:
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False, separators=(",", ":")), status=status, content_type=content_type
    )
    for name, value in VERSION_HEADERS.items():
        response[name] = value
    return response


def problem_response(problem: EpcisProblem) -> HttpResponse:
    response = json_response(problem.body(), problem.status, PROBLEM)
    if problem.status == 401:
        response["WWW-Authenticate"] = "Bearer"
    if problem.status == 413 and problem.type == Exc.CAPTURE_LIMIT:
        capture_headers(response)
    return response


def capture_headers(response: HttpResponse) -> HttpResponse:
    response["GS1-EPCIS-Capture-Limit"] = str(capture_limit())
    response["GS1-EPCIS-Capture-File-Size-Limit"] = str(file_size_limit())
    response["GS1-Capture-Error-Behaviour"] = "all"
    return response


def epc_format(request: HttpRequest) -> EpcFormat:
    """``GS1-EPC-Format`` of the request (absent: Digital Link, as the binding says)."""
    value = request.headers.get("GS1-EPC-Format", "").strip()
    if not value:
        return EpcFormat.DIGITAL_LINK
    try:
        return EpcFormat(value)
    except ValueError:
        raise EpcisProblem(
            Exc.NOT_ACCEPTABLE,
            406,
            f"GS1-EPC-Format {value!r}: expected one of {', '.join(f.value for f in EpcFormat)}",
        ) from None


def user_of(request: HttpRequest) -> Any:
    """The user of the bearer token; a SecurityException (401) without a valid one."""
    user = _auth(request)
    if not user:
        raise EpcisProblem(
            Exc.SECURITY, 401, "需要有效的 API 令牌 / a valid API token is required (Authorization: Bearer …)"
        )
    return user


def accepts_json(request: HttpRequest) -> None:
    accept = request.headers.get("Accept", "")
    if accept and not any(t in accept for t in ("json", "*/*", "application/*")):
        raise EpcisProblem(Exc.NOT_ACCEPTABLE, 406, f"this repository answers in JSON / JSON-LD, not {accept}")


def read_json_body(request: HttpRequest) -> bytes:
    """The request body of a JSON capture: 415 for another content type, 413 when too large."""
    content_type = request.content_type or ""
    if content_type not in JSON_TYPES:
        raise EpcisProblem(
            Exc.UNSUPPORTED_MEDIA_TYPE,
            415,
            f"send application/json or application/ld+json, not {content_type or 'nothing'}",
        )
    limit = file_size_limit()
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > limit:
        raise EpcisProblem(Exc.CAPTURE_LIMIT, 413, f"文档超过 {limit} 字节 / the document exceeds {limit} bytes")
    return request.body


def endpoint(
    *methods: str, options_headers: Callable[[HttpResponse], HttpResponse] | None = None
) -> Callable[[View], View]:
    """An EPCIS endpoint: ``methods`` (OPTIONS answered here, 204 with the discovery headers,
    no token needed), errors as problem documents."""
    allowed = ", ".join(("OPTIONS", *methods))

    def decorate(view: View) -> View:
        @csrf_exempt  # bearer tokens, no cookies: nothing for CSRF to protect
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method == "OPTIONS":
                response = json_response(None, 204)
                response.content = b""
                response["Allow"] = allowed
                response["GS1-EPC-Format"] = "Always_GS1_Digital_Link"
                return options_headers(response) if options_headers else response
            if request.method not in methods:
                response = problem_response(
                    EpcisProblem(Exc.IMPLEMENTATION, 405, f"{request.method} is not allowed here")
                )
                response["Allow"] = allowed
                return response
            try:
                return view(request, *args, **kwargs)
            except EpcisProblem as problem:
                return problem_response(problem)
            except NotFoundError as exc:
                return problem_response(EpcisProblem(Exc.NO_SUCH_RESOURCE, 404, exc.message))

        return wrapper

    return decorate
