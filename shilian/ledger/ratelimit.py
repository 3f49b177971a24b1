"""Rates of the ledger's public pages (counted by ``shilian.core.ratelimit``)."""

from shilian.core.ratelimit import retry_after

# Proof pages recompute hashes: 1 a second on average per client address.
PROOF_RATE = "60/m"
# The roots are small, cacheable JSON.
ROOTS_RATE = "120/m"

__all__ = ["PROOF_RATE", "ROOTS_RATE", "retry_after"]
