"""The registry's API: jurisdictions, enterprises, their partners and staff.

Reads go through ``registry.access``; writes through ``registry.actions``.
"""

from typing import Annotated, Any

from django.db.models import Exists, OuterRef, Q
from ninja import Query, Router
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.responses import Status

from shilian.core.access import Perm
from shilian.core.api import FORBIDDEN, PROBLEMS, ApiRequest, fetch, invalid
from shilian.core.errors import DomainError
from shilian.registry.access import access_enterprise, jurisdictions_for, partners_for, scope_for
from shilian.registry.actions import add_partner, add_staff_member, register_enterprise
from shilian.registry.choices import EnterpriseKind
from shilian.registry.models import Enterprise, Jurisdiction, StaffMember
from shilian.registry.schemas import (
    EnterpriseIn,
    EnterpriseOut,
    JurisdictionOut,
    PartnerIn,
    PartnerOut,
    StaffIn,
    StaffOut,
)

router = Router(tags=["registry 主体登记"])


@router.get("/jurisdictions", response={200: list[JurisdictionOut], **PROBLEMS})
def list_jurisdictions(request: ApiRequest) -> Any:
    """Jurisdictions (辖区) the user may see, by division code.

    An admin sees all; an inspector sees the subtrees they were granted; an operator
    sees the chain of divisions above each of their enterprises (township, county,
    city, province), which says which bureaus supervise them. Roles add up.
    """
    user = request.auth
    found = {j.code: j for j in jurisdictions_for(user)}
    scope = scope_for(user)
    if scope.enterprise_ids and not scope.is_admin:
        # A division is above an enterprise when the enterprise's code starts with its prefix.
        above = Enterprise.objects.filter(
            pk__in=sorted(scope.enterprise_ids), jurisdiction__code__startswith=OuterRef("prefix")
        )
        found.update((j.code, j) for j in Jurisdiction.objects.filter(Exists(above)))
    return [found[code] for code in sorted(found)]


@router.get("/enterprises", response={200: list[EnterpriseOut], **PROBLEMS})
@paginate(LimitOffsetPagination)
def list_enterprises(
    request: ApiRequest,
    kind: EnterpriseKind | None = None,
    jurisdiction: Annotated[str | None, Query(description="division code: the enterprises of its subtree")] = None,
    q: Annotated[str | None, Query(description="part of the name, or the exact credit code")] = None,
) -> Any:
    """Enterprises (主体) the user may view: their own, or those of their jurisdictions."""
    qs = Enterprise.objects.for_user(request.auth).select_related("jurisdiction").order_by("name", "pk")
    if kind:
        qs = qs.filter(kind=kind)
    if jurisdiction:
        qs = qs.filter(jurisdiction__code__startswith=_division_prefix(jurisdiction))
    if q:
        qs = qs.filter(Q(name__icontains=q.strip()) | Q(uscc=q.strip().upper()))
    return qs


def _division_prefix(code: str) -> str:
    row = Jurisdiction.objects.filter(pk=code.strip()).values_list("prefix", flat=True).first()
    if row is None:
        raise invalid("jurisdiction", f"未登记的行政区划代码 / unknown division code {code!r}")
    return row


@router.get("/enterprises/{int:enterprise_id}", response={200: EnterpriseOut, **PROBLEMS})
def get_enterprise(request: ApiRequest, enterprise_id: int) -> Any:
    return access_enterprise(request.auth, enterprise_id)


@router.post("/enterprises", response={201: EnterpriseOut, **PROBLEMS})
def create_enterprise(request: ApiRequest, payload: EnterpriseIn) -> Any:
    """Register an enterprise (admin only). The credit code's check character is verified."""
    if not scope_for(request.auth).is_admin:
        raise DomainError(FORBIDDEN, "只有平台管理员可以登记主体 / only an admin may register enterprises")
    jurisdiction = Jurisdiction.objects.filter(pk=payload.jurisdiction).first()
    if jurisdiction is None:
        raise invalid("jurisdiction", f"未登记的行政区划代码 / unknown division code {payload.jurisdiction!r}")
    enterprise = register_enterprise(
        name=payload.name,
        uscc=payload.uscc,
        kind=payload.kind,
        jurisdiction=jurisdiction,
        licence_no=payload.licence_no,
        address=payload.address,
        contact_phone=payload.contact_phone,
        gln=payload.gln,
        acting_user=request.auth,
    )
    return Status(201, enterprise)


@router.get("/enterprises/{int:enterprise_id}/partners", response={200: list[PartnerOut], **PROBLEMS})
@paginate(LimitOffsetPagination)
def list_partners(request: ApiRequest, enterprise_id: int) -> Any:
    """The enterprise's suppliers and customers."""
    enterprise = access_enterprise(request.auth, enterprise_id)
    return partners_for(request.auth).filter(enterprise=enterprise).select_related("linked_enterprise").order_by("name", "pk")


@router.post("/enterprises/{int:enterprise_id}/partners", response={201: PartnerOut, **PROBLEMS})
def create_partner(request: ApiRequest, enterprise_id: int, payload: PartnerIn) -> Any:
    """Add a supplier or customer. A credit code of an enterprise on the platform links the two."""
    enterprise = fetch(access_enterprise, request.auth, enterprise_id, Perm.OPERATE)
    partner = add_partner(
        enterprise,
        name=payload.name,
        kind=payload.kind,
        uscc=payload.uscc,
        contact=payload.contact,
        address=payload.address,
        gln=payload.gln,
        acting_user=request.auth,
    )
    return Status(201, partner)


@router.get("/enterprises/{int:enterprise_id}/staff", response={200: list[StaffOut], **PROBLEMS})
@paginate(LimitOffsetPagination)
def list_staff(request: ApiRequest, enterprise_id: int) -> Any:
    """Staff and their health certificates (健康证), flagged when expired or expiring."""
    enterprise = access_enterprise(request.auth, enterprise_id)
    return StaffMember.objects.filter(enterprise=enterprise).order_by("name", "pk")


@router.post("/enterprises/{int:enterprise_id}/staff", response={201: StaffOut, **PROBLEMS})
def create_staff(request: ApiRequest, enterprise_id: int, payload: StaffIn) -> Any:
    enterprise = fetch(access_enterprise, request.auth, enterprise_id, Perm.OPERATE)
    member = add_staff_member(
        enterprise,
        name=payload.name,
        post=payload.post,
        health_certificate_no=payload.health_certificate_no,
        health_certificate_expires=payload.health_certificate_expires,
        acting_user=request.auth,
    )
    return Status(201, member)
