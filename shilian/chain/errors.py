from enum import StrEnum


class ChainErrorCode(StrEnum):
    INSUFFICIENT_STOCK = "insufficient_stock"
    UNKNOWN_UNIT = "unknown_unit"
    INCOMPATIBLE_UNIT = "incompatible_unit"
    INVALID_QUANTITY = "invalid_quantity"
    INVALID_LOT_CODE = "invalid_lot_code"
    DUPLICATE_LOT_CODE = "duplicate_lot_code"
    EXPIRY_BEFORE_PRODUCTION = "expiry_before_production"
    WRONG_ENTERPRISE = "wrong_enterprise"
    NO_INPUTS = "no_inputs"
    NO_OUTPUTS = "no_outputs"
    SHIPMENT_NOT_FOR_YOU = "shipment_not_for_you"
    OVER_SHIPPED = "over_shipped"
    ALREADY_VOIDED = "already_voided"
    CANNOT_VOID = "cannot_void"
    ALREADY_RECALLED = "already_recalled"
    LOT_RECALLED = "lot_recalled"
    INVALID_DOCUMENT = "invalid_document"
    MISSING_FIELD = "missing_field"
    IN_THE_FUTURE = "in_the_future"
