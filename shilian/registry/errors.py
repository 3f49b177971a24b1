from enum import StrEnum


class RegistryErrorCode(StrEnum):
    INVALID_USCC = "invalid_uscc"
    INVALID_GLN = "invalid_gln"
    DUPLICATE_USCC = "duplicate_uscc"
    INVALID_DIVISION = "invalid_division"
    UNKNOWN_PARENT = "unknown_parent"
    DUPLICATE_PARTNER = "duplicate_partner"
    INVALID_ROLE = "invalid_role"
