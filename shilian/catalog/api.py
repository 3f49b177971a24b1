"""The catalog's API: products. Reads through ``catalog.access``, writes through ``catalog.actions``."""

from typing import Annotated, Any

from django.db.models import Q
from ninja import Query, Router
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.responses import Status

from shilian.catalog.access import access_product, products_for
from shilian.catalog.actions import create_product
from shilian.catalog.choices import Category, ProductKind
from shilian.catalog.schemas import ProductIn, ProductOut
from shilian.core.access import Perm
from shilian.core.api import PROBLEMS, ApiRequest, fetch
from shilian.registry.access import access_enterprise

router = Router(tags=["catalog 产品"])


@router.get("/products", response={200: list[ProductOut], **PROBLEMS})
@paginate(LimitOffsetPagination)
def list_products(
    request: ApiRequest,
    enterprise: int | None = None,
    kind: ProductKind | None = None,
    category: Category | None = None,
    q: Annotated[str | None, Query(description="part of the name, or a GTIN")] = None,
) -> Any:
    """Products of the enterprises the user may view."""
    qs = products_for(request.auth).select_related("enterprise").order_by("name", "specification", "pk")
    if enterprise is not None:
        qs = qs.filter(enterprise_id=enterprise)
    if kind:
        qs = qs.filter(kind=kind)
    if category:
        qs = qs.filter(category=category)
    if q:
        text = q.strip()
        qs = qs.filter(Q(name__icontains=text) | Q(gtin=text.zfill(14) if text.isdigit() else text))
    return qs


@router.get("/products/{int:product_id}", response={200: ProductOut, **PROBLEMS})
def get_product(request: ApiRequest, product_id: int) -> Any:
    return access_product(request.auth, product_id)


@router.post("/products", response={201: ProductOut, **PROBLEMS})
def create(request: ApiRequest, payload: ProductIn) -> Any:
    """Add a product for an enterprise the user operates. The GTIN's check digit is verified."""
    enterprise = fetch(access_enterprise, request.auth, payload.enterprise, Perm.OPERATE, field="enterprise")
    product = create_product(
        enterprise,
        name=payload.name,
        specification=payload.specification,
        gtin=payload.gtin or None,
        kind=payload.kind,
        category=payload.category,
        unit=payload.unit,
        shelf_life_days=payload.shelf_life_days,
        ingredients=payload.ingredients,
        storage=payload.storage,
        standard=payload.standard,
        acting_user=request.auth,
    )
    return Status(201, product)
