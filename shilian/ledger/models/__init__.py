from shilian.ledger.models.keys import SigningKey
from shilian.ledger.models.roots import DailyRoot, RootLeaf

__all__ = ["DailyRoot", "RootLeaf", "SigningKey"]
