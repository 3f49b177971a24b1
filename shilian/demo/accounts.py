"""Demo accounts: the platform admin, four inspectors (province → township) and one
operator per enterprise. All share the published password ``shilian-demo``."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from shilian.demo.enterprises import ENTERPRISES
from shilian.demo.places import CITY, PROVINCE, SHITANG, WENLING
from shilian.registry.actions import create_user, grant_role
from shilian.registry.choices import RoleKind
from shilian.registry.models import Enterprise, Jurisdiction, Role

PASSWORD = "shilian-demo"


@dataclass(frozen=True)
class Account:
    username: str
    full_name: str
    role: str  # admin, inspector or operator
    scope: str  # what it covers, for the listing


INSPECTORS = [
    ("insp_zj", "浙江省市场监管局 演示监管员", PROVINCE, "浙江省 330000"),
    ("insp_tz", "台州市市场监管局 演示监管员", CITY, "台州市 331000"),
    ("insp_wl", "温岭市市场监管局 演示监管员", WENLING, "温岭市 331081"),
    ("insp_st", "石塘市场监管所 演示监管员", SHITANG, f"石塘镇 {SHITANG}"),
]


def account_list() -> list[Account]:
    """Every demo account, in the order the command prints them."""
    accounts = [Account("admin", "平台管理员", "admin", "全平台 / whole platform")]
    accounts += [Account(u, name, "inspector", scope) for u, name, _code, scope in INSPECTORS]
    accounts += [Account(spec.username, spec.owner, "operator", spec.name) for spec in ENTERPRISES]
    return accounts


@cache
def password_hash() -> str:
    """One hash for every new demo account: PBKDF2 costs a fifth of a second per hash,
    and the password is published anyway."""
    return make_password(PASSWORD)


def _user(username: str, full_name: str, *, acting_user: Any, superuser: bool = False) -> tuple[Any, bool]:
    """The user, created without a password (set in bulk afterwards), or the existing one."""
    existing = get_user_model().objects.filter(username=username).first()
    if existing is not None:
        return existing, False
    # password=None gives an unusable password (Django's create_user), replaced in bulk below.
    user = create_user(
        username, password=None, acting_user=acting_user, full_name=full_name, is_superuser=superuser
    )
    return user, True


def _grant(user: Any, kind: str, *, acting_user: Any, **target: Any) -> None:
    if not Role.objects.filter(user=user, kind=kind, **target).exists():
        grant_role(user, kind, acting_user=acting_user, **target)


def create_admin() -> tuple[Any, list[str]]:
    """The superuser with the admin role; returns it and ["admin"] if it already existed."""
    admin, created = _user("admin", "平台管理员", acting_user=None, superuser=True)
    if created:
        get_user_model().objects.filter(pk=admin.pk).update(password=password_hash())
    _grant(admin, RoleKind.ADMIN, acting_user=admin)
    return admin, ([] if created else ["admin"])


def create_accounts(admin: Any, enterprises: dict[str, Enterprise]) -> tuple[dict[str, Any], list[str]]:
    """Inspectors and operators with their roles; returns users by user name and the
    names of accounts that already existed (they keep their password)."""
    users: dict[str, Any] = {"admin": admin}
    created: list[Any] = []
    kept: list[str] = []
    for username, full_name, code, _scope in INSPECTORS:
        user, new = _user(username, full_name, acting_user=admin)
        _grant(user, RoleKind.INSPECTOR, acting_user=admin, jurisdiction=Jurisdiction.objects.get(pk=code))
        users[username] = user
        if new:
            created.append(user)
        else:
            kept.append(username)
    for spec in ENTERPRISES:
        user, new = _user(spec.username, spec.owner, acting_user=admin)
        _grant(user, RoleKind.OPERATOR, acting_user=admin, enterprise=enterprises[spec.slug])
        users[spec.username] = user
        if new:
            created.append(user)
        else:
            kept.append(spec.username)
    get_user_model().objects.filter(pk__in=[u.pk for u in created]).update(password=password_hash())
    return users, kept
