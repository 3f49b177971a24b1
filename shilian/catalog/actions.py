"""Every write to the catalog."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from shilian.catalog.choices import Category, ProductKind
from shilian.catalog.errors import CatalogErrorCode
from shilian.catalog.models import Product
from shilian.core.errors import DomainError
from shilian.core.history import record
from shilian.core.identifiers import check_gtin
from shilian.core.units import check_unit
from shilian.registry.models import Enterprise


@transaction.atomic
def create_product(
    enterprise: Enterprise,
    *,
    name: str,
    acting_user: Any,
    specification: str = "",
    gtin: str | None = None,
    kind: str = ProductKind.FINISHED,
    category: str = Category.OTHER,
    unit: str = "kg",
    shelf_life_days: int | None = None,
    ingredients: str = "",
    storage: str = "",
    standard: str = "",
) -> Product:
    if gtin:
        try:
            gtin = check_gtin(gtin)
        except ValueError as exc:
            raise DomainError(CatalogErrorCode.INVALID_GTIN, str(exc), field="gtin") from None
        if Product.objects.filter(gtin=gtin).exists():
            raise DomainError(CatalogErrorCode.DUPLICATE_GTIN, "a product with this GTIN exists", field="gtin")
    try:
        unit = check_unit(unit)
    except ValueError as exc:
        raise DomainError(CatalogErrorCode.UNKNOWN_UNIT, str(exc), field="unit") from None
    if Product.objects.filter(enterprise=enterprise, name=name, specification=specification).exists():
        raise DomainError(CatalogErrorCode.DUPLICATE_PRODUCT, "this product exists", field="name")
    product = Product.objects.create(
        enterprise=enterprise,
        name=name,
        specification=specification,
        gtin=gtin or None,
        kind=kind,
        category=category,
        unit=unit,
        shelf_life_days=shelf_life_days,
        ingredients=ingredients,
        storage=storage,
        standard=standard,
    )
    record(
        "catalog.product.create",
        product,
        acting_user=acting_user,
        jurisdiction_code=enterprise.jurisdiction_id,
        after={"name": name, "gtin": gtin},
    )
    return product
