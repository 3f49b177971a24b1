from enum import StrEnum


class CodesErrorCode(StrEnum):
    INVALID_COUNT = "invalid_count"
    TOO_MANY_SERIALS = "too_many_serials"
    NO_CODE = "no_code"
    DATAMATRIX_NEEDS_GTIN = "datamatrix_needs_gtin"
    INVALID_LAYOUT = "invalid_layout"
    NO_FONT = "no_font"
    LOT_RECALLED = "lot_recalled"
