"""The catalog's access funnel. Products are visible to whoever may view their enterprise;
a product's public facts (name, GTIN) are also shown to anyone tracing through it."""

from __future__ import annotations

from typing import Any

from shilian.catalog.models import Product
from shilian.core.access import Perm
from shilian.core.errors import NotFoundError
from shilian.registry.access import can, enterprise_filter


def products_for(user: Any, perm: str = Perm.VIEW) -> Any:
    return Product.objects.filter(enterprise_filter(user, perm, prefix="enterprise__"))


def access_product(user: Any, pk: int | str, perm: str = Perm.VIEW) -> Product:
    try:
        product = Product.objects.select_related("enterprise").get(pk=int(pk))
    except (Product.DoesNotExist, ValueError, TypeError):
        raise NotFoundError("product") from None
    if not can(user, perm, product.enterprise):
        raise NotFoundError("product")
    return product
