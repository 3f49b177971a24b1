"""Recording events: receive (with or without files), transform, ship, dispose, inspect, void.

Each endpoint fetches what the body names through the access funnel (a row the user
cannot see is 404, one they see but may not act for is 403, both naming the field),
then calls one action. The action checks the rest in its one transaction.
"""

from typing import Annotated, Any

from ninja import File, Router, UploadedFile
from ninja.responses import Status

from shilian.catalog.access import access_product
from shilian.chain.access import access_event, access_incoming_shipment, access_lot
from shilian.chain.actions import (
    Attachment,
    InputSpec,
    OutputSpec,
    ShipLine,
    dispose_lot,
    receive_lot,
    record_inspection,
    record_transformation,
    ship_lots,
    void_event,
)
from shilian.chain.api.common import event_out, when
from shilian.chain.choices import DocumentKind, InspectionKind
from shilian.chain.documents import check_document
from shilian.chain.errors import ChainErrorCode
from shilian.chain.models import Lot, TraceEvent
from shilian.chain.schemas import DisposeIn, EventOut, InspectIn, ReceiveIn, ShipIn, TransformIn, VoidIn
from shilian.core.access import Perm
from shilian.core.api import PROBLEMS, ApiRequest, fetch, invalid
from shilian.core.errors import DomainError, NotFoundError
from shilian.registry.access import access_enterprise, access_partner
from shilian.registry.models import Enterprise, Partner

router = Router(tags=["chain 追溯事件"])

CREATED = {201: EventOut, **PROBLEMS}


def _own_partner(user: Any, pk: int, enterprise: Enterprise, *, field: str) -> Partner:
    partner = fetch(access_partner, user, pk, Perm.OPERATE, field=field)
    if partner.enterprise_id != enterprise.pk:
        raise invalid(field, "不是本主体的供应商或客户 / not a partner of this enterprise")
    return partner


def _incoming(user: Any, shipment_id: int, source_lot: int | None) -> tuple[TraceEvent, Lot | None]:
    try:
        shipment = access_incoming_shipment(user, shipment_id)
    except NotFoundError as exc:
        exc.field = "shipment"
        raise
    if source_lot is None:
        return shipment, None
    line = shipment.lines.select_related("lot").filter(lot_id=source_lot).first()
    if line is None:
        raise invalid("source_lot", "这批货中没有该批次 / that lot is not in the shipment")
    return shipment, line.lot


def _receive(request: ApiRequest, payload: ReceiveIn, attachments: list[Attachment]) -> TraceEvent:
    user = request.auth
    enterprise = fetch(access_enterprise, user, payload.enterprise, Perm.OPERATE, field="enterprise")
    product = None
    if payload.product is not None:
        product = fetch(access_product, user, payload.product, Perm.OPERATE, field="product")
        if product.enterprise_id != enterprise.pk:
            raise invalid("product", "不是本主体的产品 / not a product of this enterprise")
    supplier = _own_partner(user, payload.supplier, enterprise, field="supplier") if payload.supplier else None
    shipment, source_lot = None, None
    if payload.shipment is not None:
        shipment, source_lot = _incoming(user, payload.shipment, payload.source_lot)
    elif payload.source_lot is not None:
        raise invalid("source_lot", "只在收取平台内发货时填写 / only with a shipment")
    return receive_lot(
        enterprise,
        acting_user=user,
        occurred_at=when(payload.occurred_at),
        quantity=payload.quantity,
        unit=payload.unit,
        lot_code=payload.lot_code,
        product=product,
        product_name=payload.product_name,
        supplier=supplier,
        shipment=shipment,
        source_lot=source_lot,
        produced_on=payload.produced_on,
        expires_on=payload.expires_on,
        attachments=attachments,
        acceptance=payload.acceptance,
        reference_no=payload.reference_no,
        room=payload.room,
    )


@router.post("/events/receive", response=CREATED)
def receive(request: ApiRequest, payload: ReceiveIn) -> Any:
    """Record goods received (进货), from an off-platform supplier or a shipment on the platform."""
    return Status(201, event_out(_receive(request, payload, [])))


@router.post("/events/receive/upload", response=CREATED)
def receive_with_documents(
    request: ApiRequest,
    payload: ReceiveIn,
    certificate: Annotated[UploadedFile | None, File(description="certificate of conformity: PDF or image")] = None,
    invoice: Annotated[UploadedFile | None, File(description="invoice or delivery note: PDF or image")] = None,
) -> Any:
    """Receiving with its evidence (索证索票), as ``multipart/form-data``: a ``payload`` part
    holding the same JSON as ``/events/receive``, and ``certificate`` and ``invoice`` files.
    Each file must be a PDF or an image under the size limit; otherwise nothing is written."""
    attachments = []
    for field, upload, kind, number in (
        ("certificate", certificate, DocumentKind.CERTIFICATE, payload.certificate_no),
        ("invoice", invoice, DocumentKind.INVOICE, payload.invoice_no),
    ):
        if upload is None:
            continue
        try:
            checked = check_document(upload, upload.name or field)
        except ValueError as exc:
            raise DomainError(ChainErrorCode.INVALID_DOCUMENT, str(exc), field=field) from None
        attachments.append(Attachment(kind=kind, file=checked, number=number))
    return Status(201, event_out(_receive(request, payload, attachments)))


@router.post("/events/transform", response=CREATED)
def transform(request: ApiRequest, payload: TransformIn) -> Any:
    """Record production (生产加工): input lots consumed, one new lot per output."""
    user = request.auth
    enterprise = fetch(access_enterprise, user, payload.enterprise, Perm.OPERATE, field="enterprise")
    inputs = [
        InputSpec(fetch(access_lot, user, item.lot, Perm.OPERATE, field=f"inputs[{i}].lot"), item.quantity, item.unit)
        for i, item in enumerate(payload.inputs)
    ]
    outputs = [
        OutputSpec(
            product=fetch(access_product, user, item.product, Perm.OPERATE, field=f"outputs[{i}].product"),
            quantity=item.quantity,
            unit=item.unit,
            lot_code=item.lot_code,
            produced_on=item.produced_on,
            expires_on=item.expires_on,
        )
        for i, item in enumerate(payload.outputs)
    ]
    event = record_transformation(
        enterprise,
        inputs=inputs,
        outputs=outputs,
        occurred_at=when(payload.occurred_at),
        room=payload.room,
        note=payload.note,
        acting_user=user,
    )
    return Status(201, event_out(event))


@router.post("/events/ship", response=CREATED)
def ship(request: ApiRequest, payload: ShipIn) -> Any:
    """Record a shipment (销售出库) to a customer, or a retail sale when no customer is given."""
    user = request.auth
    enterprise = fetch(access_enterprise, user, payload.enterprise, Perm.OPERATE, field="enterprise")
    customer = _own_partner(user, payload.customer, enterprise, field="customer") if payload.customer else None
    lines = [
        ShipLine(fetch(access_lot, user, item.lot, Perm.OPERATE, field=f"lines[{i}].lot"), item.quantity, item.unit)
        for i, item in enumerate(payload.lines)
    ]
    event = ship_lots(
        enterprise,
        lines=lines,
        customer=customer,
        reference_no=payload.reference_no,
        occurred_at=when(payload.occurred_at),
        acting_user=user,
    )
    return Status(201, event_out(event))


@router.post("/events/dispose", response=CREATED)
def dispose(request: ApiRequest, payload: DisposeIn) -> Any:
    """Record a disposal (销毁处置): part or all of a lot destroyed or discarded."""
    lot = fetch(access_lot, request.auth, payload.lot, Perm.OPERATE, field="lot")
    event = dispose_lot(
        lot,
        quantity=payload.quantity,
        unit=payload.unit,
        reason=payload.reason,
        occurred_at=when(payload.occurred_at),
        acting_user=request.auth,
    )
    return Status(201, event_out(event))


@router.post("/events/inspect", response=CREATED)
def inspect(request: ApiRequest, payload: InspectIn) -> Any:
    """Record a test result: ``self`` by an operator of the lot's enterprise, ``official``
    (监督抽检) by an inspector of its jurisdiction."""
    perm = Perm.SUPERVISE if payload.kind == InspectionKind.OFFICIAL else Perm.OPERATE
    lot = fetch(access_lot, request.auth, payload.lot, perm, field="lot")
    event = record_inspection(
        lot,
        kind=payload.kind,
        passed=payload.passed,
        occurred_at=when(payload.occurred_at),
        items=[item.model_dump() for item in payload.items],
        lab=payload.lab,
        report_no=payload.report_no,
        acting_user=request.auth,
    )
    return Status(201, event_out(event))


@router.post("/events/{int:event_id}/void", response=CREATED)
def void(request: ApiRequest, event_id: int, payload: VoidIn) -> Any:
    """Void an event (更正): a new event undoes its effect on stock and the lot graph."""
    event = fetch(access_event, request.auth, event_id, Perm.OPERATE)
    return Status(201, event_out(void_event(event, reason=payload.reason, acting_user=request.auth)))
