"""API schemas for the registry: jurisdictions, enterprises, partners and staff."""

import datetime as dt
from typing import Annotated, Literal, cast

from django.utils import timezone
from ninja import Schema
from pydantic import StringConstraints

from shilian.core.api import LocalDateTime, text
from shilian.registry.choices import EnterpriseKind, JurisdictionLevel, PartnerKind
from shilian.registry.models import StaffMember
from shilian.registry.queries import certificate_status


class JurisdictionRef(Schema):
    code: str
    name: str


class JurisdictionOut(Schema):
    code: str
    name: str
    name_en: str
    level: JurisdictionLevel
    parent: str | None
    prefix: str

    @staticmethod
    def resolve_parent(obj: object) -> str | None:
        return getattr(obj, "parent_id", None)


class EnterpriseRef(Schema):
    id: int
    name: str


class EnterpriseOut(Schema):
    id: int
    name: str
    uscc: str
    licence_no: str
    kind: EnterpriseKind
    address: str
    jurisdiction: JurisdictionRef
    gln: str
    contact_phone: str
    created_at: LocalDateTime


class EnterpriseIn(Schema):
    name: Annotated[str, text(200, required=True)]
    uscc: Annotated[str, text(30, required=True)]
    kind: EnterpriseKind
    jurisdiction: Annotated[str, text(9, required=True)]
    licence_no: Annotated[str, text(40)] = ""
    address: Annotated[str, text(300)] = ""
    contact_phone: Annotated[str, text(30)] = ""
    gln: Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^(\d{13})?$")] = ""


class PartnerOut(Schema):
    id: int
    enterprise_id: int
    name: str
    kind: PartnerKind
    uscc: str
    linked_enterprise: EnterpriseRef | None
    contact: str
    address: str
    gln: str


class PartnerIn(Schema):
    """A supplier or customer. When ``uscc`` is the credit code of an enterprise on the
    platform (or ``gln`` the GLN of exactly one), the partner is linked to it, so that
    shipments to it can be received there. ``gln``: the partner's GS1 GLN, its party id in EPCIS."""

    name: Annotated[str, text(200, required=True)]
    kind: PartnerKind = PartnerKind.BOTH
    uscc: Annotated[str, text(30)] = ""
    contact: Annotated[str, text(100)] = ""
    address: Annotated[str, text(300)] = ""
    gln: Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^(\d{13})?$")] = ""


CertificateStatus = Literal["valid", "expiring", "expired", "missing"]


class StaffOut(Schema):
    id: int
    enterprise_id: int
    name: str
    post: str
    health_certificate_no: str
    health_certificate_expires: dt.date | None
    certificate_status: CertificateStatus
    active: bool

    @staticmethod
    def resolve_certificate_status(obj: StaffMember) -> CertificateStatus:
        return cast(CertificateStatus, certificate_status(obj.health_certificate_expires, timezone.localdate()))


class StaffIn(Schema):
    name: Annotated[str, text(50, required=True)]
    post: Annotated[str, text(50)] = ""
    health_certificate_no: Annotated[str, text(50)] = ""
    health_certificate_expires: dt.date | None = None
