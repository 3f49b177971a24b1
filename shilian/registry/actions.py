"""Every write to the registry: jurisdictions, enterprises, roles, staff and partners."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from shilian.core.errors import DomainError
from shilian.core.history import record
from shilian.core.identifiers import check_division_code, check_gln, check_uscc, division_prefix
from shilian.registry.access import forget_scope
from shilian.registry.choices import JurisdictionLevel, PartnerKind, RoleKind
from shilian.registry.errors import RegistryErrorCode
from shilian.registry.models import Enterprise, Jurisdiction, Partner, Role, StaffMember


def _level_of(code: str) -> str:
    if len(code) == 9:
        return JurisdictionLevel.TOWNSHIP
    prefix = division_prefix(code)
    return {2: JurisdictionLevel.PROVINCE, 4: JurisdictionLevel.CITY}.get(len(prefix), JurisdictionLevel.COUNTY)


@transaction.atomic
def create_jurisdiction(code: str, name: str, *, acting_user: Any, name_en: str = "") -> Jurisdiction:
    """Add a division under its parent (found from the code itself)."""
    try:
        code = check_division_code(code)
    except ValueError as exc:
        raise DomainError(RegistryErrorCode.INVALID_DIVISION, str(exc), field="code") from None
    level = _level_of(code)
    parent = None
    if level != JurisdictionLevel.PROVINCE:
        parent_code = {
            JurisdictionLevel.CITY: code[:2] + "0000",
            JurisdictionLevel.COUNTY: code[:4] + "00",
            JurisdictionLevel.TOWNSHIP: code[:6],
        }[JurisdictionLevel(level)]
        parent = Jurisdiction.objects.filter(pk=parent_code).first()
        if parent is None:
            raise DomainError(RegistryErrorCode.UNKNOWN_PARENT, f"parent division {parent_code} is not registered", field="code")
    jurisdiction = Jurisdiction.objects.create(
        code=code, name=name, name_en=name_en, level=level, parent=parent, prefix=division_prefix(code)
    )
    record("registry.jurisdiction.create", jurisdiction, acting_user=acting_user, jurisdiction_code=code)
    return jurisdiction


def _checked_gln(value: str) -> str:
    if not value.strip():
        return ""
    try:
        return check_gln(value)
    except ValueError as exc:
        raise DomainError(RegistryErrorCode.INVALID_GLN, str(exc), field="gln") from None


@transaction.atomic
def register_enterprise(
    *,
    name: str,
    uscc: str,
    kind: str,
    jurisdiction: Jurisdiction,
    acting_user: Any,
    licence_no: str = "",
    address: str = "",
    contact_phone: str = "",
    gln: str = "",
) -> Enterprise:
    try:
        uscc = check_uscc(uscc)
    except ValueError as exc:
        raise DomainError(RegistryErrorCode.INVALID_USCC, str(exc), field="uscc") from None
    gln = _checked_gln(gln)
    if Enterprise.objects.filter(uscc=uscc).exists():
        raise DomainError(RegistryErrorCode.DUPLICATE_USCC, "an enterprise with this credit code exists", field="uscc")
    enterprise = Enterprise.objects.create(
        name=name,
        uscc=uscc,
        kind=kind,
        jurisdiction=jurisdiction,
        licence_no=licence_no,
        address=address,
        contact_phone=contact_phone,
        gln=gln,
    )
    record(
        "registry.enterprise.register",
        enterprise,
        acting_user=acting_user,
        jurisdiction_code=jurisdiction.code,
        after={"name": name, "uscc": uscc, "kind": kind},
    )
    return enterprise


@transaction.atomic
def grant_role(
    user: Any,
    kind: str,
    *,
    acting_user: Any,
    enterprise: Enterprise | None = None,
    jurisdiction: Jurisdiction | None = None,
) -> Role:
    if (kind == RoleKind.OPERATOR) != (enterprise is not None) or (kind == RoleKind.INSPECTOR) != (
        jurisdiction is not None
    ):
        raise DomainError(RegistryErrorCode.INVALID_ROLE, "an operator needs an enterprise, an inspector a jurisdiction")
    role = Role.objects.create(user=user, kind=kind, enterprise=enterprise, jurisdiction=jurisdiction)
    forget_scope(user)
    code = enterprise.jurisdiction_id if enterprise else (jurisdiction.code if jurisdiction else "")
    record("registry.role.grant", role, acting_user=acting_user, jurisdiction_code=code, kind=kind)
    return role


def create_user(username: str, *, password: str | None, acting_user: Any, full_name: str = "", is_superuser: bool = False) -> Any:
    user_model = get_user_model()
    with transaction.atomic():
        if is_superuser:
            user = user_model.objects.create_superuser(username=username, password=password, first_name=full_name)
        else:
            user = user_model.objects.create_user(username=username, password=password, first_name=full_name)
        record("registry.user.create", user, acting_user=acting_user)
    return user


@transaction.atomic
def add_partner(
    enterprise: Enterprise,
    *,
    name: str,
    kind: str = PartnerKind.BOTH,
    acting_user: Any,
    uscc: str = "",
    linked_enterprise: Enterprise | None = None,
    contact: str = "",
    address: str = "",
    gln: str = "",
) -> Partner:
    if uscc:
        try:
            uscc = check_uscc(uscc)
        except ValueError as exc:
            raise DomainError(RegistryErrorCode.INVALID_USCC, str(exc), field="uscc") from None
    gln = _checked_gln(gln)
    if uscc and linked_enterprise is None:
        # A credit code is a public identifier: one of an enterprise on the platform links the two.
        linked_enterprise = Enterprise.objects.filter(uscc=uscc).exclude(pk=enterprise.pk).first()
    if gln and linked_enterprise is None:  # so is a GLN, when exactly one enterprise has it
        named = list(Enterprise.objects.filter(gln=gln).exclude(pk=enterprise.pk)[:2])
        linked_enterprise = named[0] if len(named) == 1 else None
    if Partner.objects.filter(enterprise=enterprise, name=name).exists():
        raise DomainError(RegistryErrorCode.DUPLICATE_PARTNER, "a partner with this name exists", field="name")
    partner = Partner.objects.create(
        enterprise=enterprise,
        name=name,
        kind=kind,
        uscc=uscc,
        linked_enterprise=linked_enterprise,
        contact=contact,
        address=address,
        gln=gln,
    )
    record(
        "registry.partner.add", partner, acting_user=acting_user, jurisdiction_code=enterprise.jurisdiction_id, name=name
    )
    return partner


@transaction.atomic
def add_staff_member(
    enterprise: Enterprise,
    *,
    name: str,
    acting_user: Any,
    post: str = "",
    health_certificate_no: str = "",
    health_certificate_expires: dt.date | None = None,
) -> StaffMember:
    member = StaffMember.objects.create(
        enterprise=enterprise,
        name=name,
        post=post,
        health_certificate_no=health_certificate_no,
        health_certificate_expires=health_certificate_expires,
    )
    record("registry.staff.add", member, acting_user=acting_user, jurisdiction_code=enterprise.jurisdiction_id)
    return member
