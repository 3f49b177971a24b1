from shilian.core.models.history import HistoryEntry
from shilian.core.models.tokens import ApiToken

__all__ = ["ApiToken", "HistoryEntry"]
