"""The jurisdiction access policy shared by every app.

A user's :class:`Scope` says which enterprises they may view, operate for, or
supervise. A grant on a jurisdiction covers its subtree: a GB/T 2260 code prefix
(Wagtail's collection policy, with division codes as the materialised path).
Each app's ``access.py`` turns a scope into its one scoped fetch.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from django.db.models import Q


class Perm(StrEnum):
    VIEW = "view"  # read the row
    OPERATE = "operate"  # record events as the enterprise (operators)
    SUPERVISE = "supervise"  # trace, recall, official sampling (inspectors)


@dataclass(frozen=True)
class Scope:
    """What one user may reach. Built by ``registry.access.scope_for``."""

    is_admin: bool = False
    division_prefixes: tuple[str, ...] = ()
    enterprise_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def is_inspector(self) -> bool:
        return bool(self.division_prefixes)

    @property
    def is_operator(self) -> bool:
        return bool(self.enterprise_ids)

    def covers_division(self, code: str) -> bool:
        return any(code.startswith(prefix) for prefix in self.division_prefixes)

    def allows(self, perm: Perm, *, enterprise_id: int, division_code: str) -> bool:
        if self.is_admin:
            return True
        if perm is Perm.OPERATE:
            return enterprise_id in self.enterprise_ids
        if perm is Perm.SUPERVISE:
            return self.covers_division(division_code)
        return enterprise_id in self.enterprise_ids or self.covers_division(division_code)

    def q(self, perm: Perm, *, enterprise_field: str, division_field: str) -> Q:
        """A filter selecting the rows this scope allows for ``perm``."""
        if self.is_admin:
            return Q()
        nothing = Q(pk__in=[])
        by_enterprise = Q(**{f"{enterprise_field}__in": sorted(self.enterprise_ids)}) if self.enterprise_ids else nothing
        by_division = nothing
        for prefix in self.division_prefixes:
            by_division |= Q(**{f"{division_field}__startswith": prefix})
        if perm is Perm.OPERATE:
            return by_enterprise
        if perm is Perm.SUPERVISE:
            return by_division
        return by_enterprise | by_division


NO_SCOPE = Scope()
