"""Request plumbing: one operation id per request, so its history rows group together."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from shilian.core.history import begin_operation, end_operation


class OperationMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        begin_operation()
        try:
            return self.get_response(request)
        finally:
            end_operation()
