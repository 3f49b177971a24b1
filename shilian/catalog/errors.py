from enum import StrEnum


class CatalogErrorCode(StrEnum):
    INVALID_GTIN = "invalid_gtin"
    DUPLICATE_GTIN = "duplicate_gtin"
    DUPLICATE_PRODUCT = "duplicate_product"
    UNKNOWN_UNIT = "unknown_unit"
