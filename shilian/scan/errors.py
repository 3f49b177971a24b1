from enum import StrEnum


class ScanErrorCode(StrEnum):
    MISSING_FIELD = "missing_field"
    INVALID_PHOTO = "invalid_photo"
    UNKNOWN_CODE = "unknown_code"
