from shilian.core.models.history import HistoryEntry
from shilian.core.models.ledger import LedgerEntry, LedgerHead
from shilian.core.models.tokens import ApiToken

__all__ = ["ApiToken", "HistoryEntry", "LedgerEntry", "LedgerHead"]
