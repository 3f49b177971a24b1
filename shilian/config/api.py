"""The JSON API: one NinjaAPI, one router per app, RFC 7807 problem documents for errors."""

from __future__ import annotations

from ninja import NinjaAPI

from shilian.core.api import install_problem_handlers
from shilian.core.auth import TokenAuth

api = NinjaAPI(
    title="shilian 食链 API",
    version="1",
    urls_namespace="api",
    auth=TokenAuth(),
    openapi_url="/openapi.json",
    docs_url="/docs",
)
install_problem_handlers(api)
