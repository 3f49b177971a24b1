"""API schemas for the chain: lots, stock, events, trace and recalls.

Quantities are accepted as numbers or strings and always written as strings; times are
ISO 8601 with their offset. A naive time in a request is read in the site's time zone.
"""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.utils import timezone
from ninja import Field, Schema
from pydantic import BaseModel

from shilian.chain.access import recall_impact_for
from shilian.chain.choices import DocumentKind, EventType, InspectionKind, LineRole, LotOrigin, LotStatus, TestStatus
from shilian.chain.lotref import lgtin_urn
from shilian.chain.models import Lot, TraceEvent
from shilian.core.api import DecimalStr, LocalDateTime, text

# A lot expiring within this many days (or already expired) carries ``expiry_warning``.
EXPIRY_WARNING_DAYS = 7


class NamedRef(Schema):
    id: int
    name: str


class ProductRef(Schema):
    id: int
    name: str
    gtin: str | None


# ---------------------------------------------------------------- lots and stock


class LotOut(Schema):
    id: int
    enterprise: NamedRef
    product: ProductRef | None
    product_name: str
    code: str = Field(description="lot code (GS1 AI 10)")
    lgtin: str | None = Field(description="urn:epc:class:lgtin:… when the product has a GTIN")
    unit: str
    origin: LotOrigin
    produced_on: dt.date | None
    expires_on: dt.date | None
    supplier: NamedRef | None
    status: LotStatus
    test_status: TestStatus
    quantity_on_hand: DecimalStr
    quantity_in: DecimalStr = Field(description="quantity received or produced into the lot")
    created_at: LocalDateTime

    @staticmethod
    def resolve_lgtin(obj: Lot) -> str | None:
        gtin = obj.product.gtin if obj.product_id and obj.product else None
        return lgtin_urn(gtin, obj.code) if gtin else None


def expiry_warning(expires_on: dt.date | None, today: dt.date | None = None) -> bool:
    if expires_on is None:
        return False
    return expires_on <= (today or timezone.localdate()) + dt.timedelta(days=EXPIRY_WARNING_DAYS)


class StockLotOut(LotOut):
    expiry_warning: bool = Field(description=f"expired, or expiring within {EXPIRY_WARNING_DAYS} days")

    @staticmethod
    def resolve_expiry_warning(obj: Lot) -> bool:
        return expiry_warning(obj.expires_on)


# ---------------------------------------------------------------- events, out


class EventLineOut(Schema):
    lot: int
    lot_code: str
    product_name: str
    role: LineRole
    quantity: DecimalStr
    unit: str

    @staticmethod
    def resolve_lot(obj: Any) -> int:
        return obj.lot_id

    @staticmethod
    def resolve_lot_code(obj: Any) -> str:
        return obj.lot.code

    @staticmethod
    def resolve_product_name(obj: Any) -> str:
        return obj.lot.product_name


class DocumentOut(Schema):
    id: int
    kind: DocumentKind
    number: str
    original_name: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: LocalDateTime


class EventOut(Schema):
    id: int
    event_type: EventType
    enterprise: NamedRef
    occurred_at: LocalDateTime
    recorded_at: LocalDateTime
    recorded_by: str | None = Field(description="username of who recorded it")
    room: str
    partner: NamedRef | None = Field(description="the supplier or customer in the enterprise's address book")
    counterparty: NamedRef | None = Field(description="the other enterprise, when it is on the platform")
    shipment: int | None = Field(description="for a receipt: the shipment event it books in")
    voids: int | None = Field(description="for a correction: the event it voids")
    voided: bool
    recall: int | None
    reference_no: str
    detail: dict[str, Any]
    lines: list[EventLineOut]
    documents: list[DocumentOut]

    @staticmethod
    def resolve_recorded_by(obj: TraceEvent) -> str | None:
        return obj.recorded_by.get_username() if obj.recorded_by is not None else None

    @staticmethod
    def resolve_shipment(obj: TraceEvent) -> int | None:
        return obj.shipment_id

    @staticmethod
    def resolve_voids(obj: TraceEvent) -> int | None:
        return obj.voids_id

    @staticmethod
    def resolve_recall(obj: TraceEvent) -> int | None:
        return obj.recall_id

    @staticmethod
    def resolve_voided(obj: TraceEvent) -> bool:
        annotated = getattr(obj, "is_voided", None)
        return bool(annotated) if annotated is not None else TraceEvent.objects.filter(voids=obj).exists()

    @staticmethod
    def resolve_lines(obj: TraceEvent) -> list[Any]:
        return list(obj.lines.all())

    @staticmethod
    def resolve_documents(obj: TraceEvent) -> list[Any]:
        return list(obj.documents.all())


# ---------------------------------------------------------------- events, in

Quantity = Annotated[Decimal, Field(description="a number or a decimal string, in ``unit``")]
Unit = Annotated[str, text(10, required=True)]
When = Annotated[dt.datetime | None, Field(description="when it happened (ISO 8601); now when left out")]


class LineIn(Schema):
    lot: int
    quantity: Quantity
    unit: Unit


class ReceiveIn(Schema):
    """Goods received. Either from an off-platform ``supplier`` (give the product or its
    name and the supplier's lot code), or a ``shipment`` sent by an enterprise on the
    platform (件件扫码): then the lot, product and dates are the shipper's."""

    enterprise: int
    occurred_at: When = None
    quantity: Quantity
    unit: Unit
    lot_code: Annotated[str, text(100)] = ""
    product: int | None = Field(None, description="one of the enterprise's products (raw material)")
    product_name: Annotated[str, text(200)] = ""
    supplier: int | None = Field(None, description="a partner of the enterprise")
    shipment: int | None = Field(None, description="a shipment event sent to the enterprise")
    source_lot: int | None = Field(None, description="which lot of the shipment, when it has several")
    produced_on: dt.date | None = None
    expires_on: dt.date | None = None
    reference_no: Annotated[str, text(60)] = ""
    room: Annotated[str, text(100)] = ""
    acceptance: dict[str, Any] | None = Field(None, description="the receiving check (进货查验) as recorded")
    certificate_no: Annotated[str, text(60)] = Field("", description="number of the uploaded certificate")
    invoice_no: Annotated[str, text(60)] = Field("", description="number of the uploaded invoice")


class OutputIn(Schema):
    product: int
    quantity: Quantity
    unit: Unit
    lot_code: Annotated[str, text(100)] = Field("", description="left out: YYYYMMDD + sequence")
    produced_on: dt.date | None = None
    expires_on: dt.date | None = Field(None, description="left out: production date + the product's shelf life")


class TransformIn(Schema):
    enterprise: int
    occurred_at: When = None
    inputs: list[LineIn]
    outputs: list[OutputIn]
    room: Annotated[str, text(100)] = ""
    note: Annotated[str, text(500)] = ""


class ShipIn(Schema):
    enterprise: int
    occurred_at: When = None
    customer: int | None = Field(None, description="a partner of the enterprise; left out for retail sale")
    lines: list[LineIn]
    reference_no: Annotated[str, text(60)] = ""


class DisposeIn(Schema):
    lot: int
    quantity: Quantity
    unit: Unit
    reason: Annotated[str, text(500, required=True)]
    occurred_at: When = None


class InspectionItem(Schema):
    name: Annotated[str, text(100, required=True)]
    result: Annotated[str, text(100)] = ""
    limit: Annotated[str, text(100)] = ""
    passed: bool | None = None


class InspectIn(Schema):
    """A test result. ``self``: the enterprise's own test (operators); ``official``: official
    sampling (监督抽检) by an inspector of the lot's jurisdiction."""

    lot: int
    kind: InspectionKind
    passed: bool
    occurred_at: When = None
    items: list[InspectionItem] = []
    lab: Annotated[str, text(200)] = ""
    report_no: Annotated[str, text(60)] = ""


class VoidIn(Schema):
    reason: Annotated[str, text(500, required=True)]


# ---------------------------------------------------------------- trace and recall impact
#
# These answers can run to thousands of rows, so they are plain pydantic models (no
# ninja ``Schema`` getter per attribute) serialised straight to JSON by pydantic:
# decimals become strings natively; times are made local by the endpoint beforehand.


class TraceCounts(BaseModel):
    lots: int
    enterprises: int
    holders: int
    shipments: int
    suppliers: int


class TraceLotOut(BaseModel):
    id: int
    enterprise_id: int
    product_id: int | None
    product_name: str
    gtin: str | None
    epc_class: str | None = Field(description="urn:epc:class:lgtin:… when the product has a GTIN")
    digital_link: str | None = Field(description="https://id.gs1.org/01/…/10/… when the product has a GTIN")
    code: str
    quantity_on_hand: Decimal
    unit: str
    status: LotStatus
    origin: LotOrigin
    produced_on: dt.date | None
    expires_on: dt.date | None


class TraceEdgeOut(BaseModel):
    from_: int = Field(alias="from", description="lot id")
    to: int


class TraceEnterpriseOut(BaseModel):
    """An enterprise the trace reaches. Outside the user's scope only its name, kind and
    jurisdiction are given."""

    id: int
    name: str
    kind: str
    jurisdiction_code: str
    jurisdiction_name: str
    in_scope: bool
    uscc: str | None
    licence_no: str | None
    address: str | None
    contact_phone: str | None


class TraceHolderOut(BaseModel):
    enterprise: int
    unit: str
    quantity: Decimal


class TraceShipmentOut(BaseModel):
    event: int
    from_enterprise: int
    lot: int
    customer: str | None
    to_enterprise: int | None
    retail: bool
    quantity: Decimal
    in_transit: Decimal
    unit: str
    occurred_at: dt.datetime | None


class TraceSupplierOut(BaseModel):
    partner: str
    on_platform: bool
    lot: int
    enterprise: int


class TraceOut(BaseModel):
    direction: str
    root: int
    counts: TraceCounts
    lots: list[TraceLotOut]
    edges: list[TraceEdgeOut]
    enterprises: list[TraceEnterpriseOut]
    holders: list[TraceHolderOut]
    shipments: list[TraceShipmentOut]
    suppliers: list[TraceSupplierOut]


class EnterpriseName(BaseModel):
    """Outside the user's scope an enterprise is shown by name only."""

    id: int
    name: str


class ImpactHolderOut(BaseModel):
    enterprise: EnterpriseName
    unit: str
    lots: int
    quantity: Decimal


class ImpactCustomerOut(BaseModel):
    """Everything one enterprise shipped out of the reached lots to one destination, in one unit."""

    from_enterprise: EnterpriseName
    customer: str | None = Field(description="the partner's name; null for retail sale")
    to_enterprise: EnterpriseName | None
    retail: bool
    shipments: int
    quantity: Decimal
    in_transit: Decimal
    unit: str


class RecallImpactOut(BaseModel):
    lot: int = Field(description="the root lot")
    lot_count: int
    holders: list[ImpactHolderOut]
    customers: list[ImpactCustomerOut]


# ---------------------------------------------------------------- recalls


class RecallIn(Schema):
    lot: Annotated[str, text(500, required=True)] = Field(description="lot id, urn:epc:class:lgtin:… or Digital Link URI")
    reason: Annotated[str, text(2000, required=True)]


class FrozenHolder(Schema):
    enterprise: int
    unit: str
    lots: int
    quantity: str


class FrozenCustomer(Schema):
    """All that one enterprise shipped out of recalled lots to one destination."""

    from_: int = Field(alias="from")
    partner: int | None
    counterparty: int | None
    retail: bool
    shipments: int
    quantity: str
    in_transit: str
    unit: str


class FrozenImpact(Schema):
    """The impact as it stood when the recall started."""

    lots: int = 0
    holders: list[FrozenHolder] = []
    customers: list[FrozenCustomer] = []


class RecallLotRef(Schema):
    id: int
    enterprise_id: int
    product_name: str
    code: str


class RecallOut(Schema):
    id: int
    reference: str
    root_lot: RecallLotRef
    reason: str
    started_by: str | None
    started_at: LocalDateTime
    jurisdiction_code: str
    impact: FrozenImpact

    @staticmethod
    def resolve_started_by(obj: Any) -> str | None:
        return obj.started_by.get_username() if obj.started_by_id else None

    @staticmethod
    def resolve_impact(obj: Any, context: Any) -> dict[str, Any]:
        return recall_impact_for(context["request"].auth, obj)
