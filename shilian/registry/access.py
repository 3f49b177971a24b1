"""The registry's access funnel: a user's scope, and the one scoped fetch of an enterprise."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from shilian.core.access import NO_SCOPE, Perm, Scope
from shilian.core.db import bound_cursor
from shilian.core.errors import NotFoundError
from shilian.registry.choices import RoleKind
from shilian.registry.models import Enterprise, Jurisdiction, Partner, Role

_CACHE_ATTR = "_shilian_scope"


def scope_for(user: Any) -> Scope:
    """The user's scope, computed once per user object (one query)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return NO_SCOPE
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    prefixes: list[str] = []
    enterprise_ids: set[int] = set()
    is_admin = bool(user.is_superuser)
    with bound_cursor(prepare=True) as cursor:  # every scoped request: raw, prepared on PostgreSQL
        cursor.execute(_ROLES, [user.pk])
        roles = cursor.fetchall()
    for kind, enterprise_id, prefix in roles:
        if kind == RoleKind.ADMIN:
            is_admin = True
        elif kind == RoleKind.OPERATOR:
            enterprise_ids.add(enterprise_id)
        elif kind == RoleKind.INSPECTOR:
            prefixes.append(prefix)
    scope = Scope(is_admin=is_admin, division_prefixes=tuple(sorted(prefixes)), enterprise_ids=frozenset(enterprise_ids))
    setattr(user, _CACHE_ATTR, scope)
    return scope


# Role.objects.filter(user=user).values_list("kind", "enterprise_id", "jurisdiction__prefix"),
# without compiling the ORM query on every request
_ROLES = (
    f"SELECT r.kind, r.enterprise_id, j.prefix FROM {Role._meta.db_table} r "
    f"LEFT JOIN {Jurisdiction._meta.db_table} j ON j.code = r.jurisdiction_id WHERE r.user_id = %s"
)


def forget_scope(user: Any) -> None:
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def enterprise_filter(user: Any, perm: str = Perm.VIEW, *, prefix: str = "") -> Q:
    """Filter on any model with an enterprise: ``prefix`` is the path to it (``"enterprise__"``)."""
    return scope_for(user).q(
        Perm(perm),
        enterprise_field=prefix.removesuffix("__") or "pk",
        division_field=f"{prefix}jurisdiction__code",
    )


def can(user: Any, perm: str, enterprise: Enterprise) -> bool:
    return scope_for(user).allows(Perm(perm), enterprise_id=enterprise.pk, division_code=enterprise.jurisdiction_id)


def access_enterprise(user: Any, pk: int | str, perm: str = Perm.VIEW) -> Enterprise:
    """The enterprise, if the user may ``perm`` it; one NotFoundError for missing and forbidden."""
    try:
        enterprise = Enterprise.objects.select_related("jurisdiction").get(pk=int(pk))
    except (Enterprise.DoesNotExist, ValueError, TypeError):
        raise NotFoundError("enterprise") from None
    if not can(user, perm, enterprise):
        raise NotFoundError("enterprise")
    return enterprise


def access_partner(user: Any, pk: int | str, perm: str = Perm.VIEW) -> Partner:
    try:
        partner = Partner.objects.select_related("enterprise", "linked_enterprise").get(pk=int(pk))
    except (Partner.DoesNotExist, ValueError, TypeError):
        raise NotFoundError("partner") from None
    if not can(user, perm, partner.enterprise):
        raise NotFoundError("partner")
    return partner


def jurisdictions_for(user: Any) -> list[Jurisdiction]:
    """The jurisdictions an inspector may pick (their grants and everything below)."""
    scope = scope_for(user)
    qs = Jurisdiction.objects.all()
    if not scope.is_admin:
        q = Q(pk__in=[])
        for prefix in scope.division_prefixes:
            q |= Q(code__startswith=prefix)
        qs = qs.filter(q)
    return list(qs)


def partners_for(user: Any, perm: str = Perm.VIEW) -> Any:
    return Partner.objects.filter(enterprise_filter(user, perm, prefix="enterprise__"))
