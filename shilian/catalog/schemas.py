"""API schemas for the catalog: products."""

from typing import Annotated

from ninja import Field, Schema

from shilian.catalog.choices import Category, ProductKind
from shilian.core.api import LocalDateTime, text


class EnterpriseName(Schema):
    id: int
    name: str


class ProductOut(Schema):
    id: int
    enterprise: EnterpriseName
    name: str
    specification: str
    gtin: str | None = Field(description="GTIN-14, or null")
    kind: ProductKind
    category: Category
    unit: str
    shelf_life_days: int | None
    ingredients: str
    storage: str
    standard: str
    active: bool
    created_at: LocalDateTime


class ProductIn(Schema):
    enterprise: int = Field(description="the enterprise that makes or sells the product; you must operate it")
    name: Annotated[str, text(200, required=True)]
    specification: Annotated[str, text(100)] = ""
    gtin: Annotated[str, text(14)] | None = Field(None, description="GTIN-8, -12, -13 or -14; stored as 14 digits")
    kind: ProductKind = ProductKind.FINISHED
    category: Category = Category.OTHER
    unit: Annotated[str, text(10, required=True)] = "kg"
    shelf_life_days: int | None = Field(None, ge=1, le=36500)
    ingredients: Annotated[str, text(2000)] = ""
    storage: Annotated[str, text(200)] = ""
    standard: Annotated[str, text(100)] = ""
