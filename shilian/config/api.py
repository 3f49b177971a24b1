"""The JSON API: one NinjaAPI, one router per app under /api/v1/, RFC 7807 problem documents for errors."""

from __future__ import annotations

from ninja import NinjaAPI

from shilian.catalog.api import router as catalog_router
from shilian.chain.api import router as chain_router
from shilian.core.api import install_problem_handlers
from shilian.core.auth import TokenAuth
from shilian.registry.api import router as registry_router

api = NinjaAPI(
    title="shilian 食链 API",
    version="1",
    urls_namespace="api",
    auth=TokenAuth(),
    openapi_url="/openapi.json",
    docs_url="/docs",
)
install_problem_handlers(api)
api.add_router("/v1/", registry_router)
api.add_router("/v1/", catalog_router)
api.add_router("/v1/", chain_router)
