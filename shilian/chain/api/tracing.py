"""Trace (一键追溯) and recall (召回): for inspectors of the lot's jurisdiction and admins."""

from typing import Annotated, Any, Literal

from django.http import HttpResponse
from ninja import Query, Router
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.responses import Status

from shilian.chain.access import access_recall, recalls_for
from shilian.chain.actions import start_recall
from shilian.chain.api.common import find, find_id
from shilian.chain.exports import to_csv, to_xlsx
from shilian.chain.queries.impact_doc import impact_document
from shilian.chain.queries.report import NOTICE_COLUMNS, recall_notice_rows
from shilian.chain.queries.trace import Direction
from shilian.chain.queries.trace_doc import trace_document
from shilian.chain.schemas import RecallImpactOut, RecallIn, RecallOut, TraceOut
from shilian.core.access import Perm
from shilian.core.api import PROBLEMS, ApiRequest

router = Router(tags=["chain 追溯与召回"])

LOT_REF = "lot id, urn:epc:class:lgtin:… or GS1 Digital Link URI"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/trace", response={200: TraceOut, **PROBLEMS}, by_alias=True)
def trace_lot(
    request: ApiRequest,
    lot: Annotated[str, Query(description=LOT_REF)],
    direction: Annotated[Direction, Query(description="forward: where it went; backward: where it came from")] = Direction.FORWARD,
) -> Any:
    """One-click trace from a lot through every enterprise it reached (or came from).

    Needs supervision of the lot's enterprise (an inspector of its jurisdiction, or an
    admin). Enterprises outside the user's scope appear with name, kind and jurisdiction only.
    """
    root = find_id(request.auth, lot, Perm.SUPERVISE, field="lot")
    # The database writes the answer (TraceOut's shape, checked by the tests): no per-lot objects.
    return HttpResponse(trace_document(request.auth, root, direction), content_type="application/json")


@router.get("/recalls/impact", response={200: RecallImpactOut, **PROBLEMS})
def impact(request: ApiRequest, lot: Annotated[str, Query(description=LOT_REF)]) -> Any:
    """What recalling the lot would reach, without recording anything: every lot made from
    it or shipped as it, who holds how much, and the shipments out. A fixed number of
    queries whatever the size of the recall."""
    root = find_id(request.auth, lot, Perm.SUPERVISE, field="lot")
    # The database writes the answer (RecallImpactOut's shape, checked by the tests).
    return HttpResponse(impact_document(root), content_type="application/json")


@router.post("/recalls", response={201: RecallOut, **PROBLEMS}, by_alias=True)
def create_recall(request: ApiRequest, payload: RecallIn) -> Any:
    """Start a recall on a lot: it and everything downstream are marked recalled."""
    root = find(request.auth, payload.lot, Perm.SUPERVISE, field="lot")
    return Status(201, start_recall(root, reason=payload.reason, acting_user=request.auth))


@router.get("/recalls", response={200: list[RecallOut], **PROBLEMS}, by_alias=True)
@paginate(LimitOffsetPagination)
def list_recalls(request: ApiRequest) -> Any:
    """Recalls started in the user's jurisdictions, or reaching their enterprises; newest first."""
    return recalls_for(request.auth).select_related("root_lot", "started_by").order_by("-started_at", "-pk")


@router.get("/recalls/{int:recall_id}", response={200: RecallOut, **PROBLEMS}, by_alias=True)
def get_recall(request: ApiRequest, recall_id: int) -> Any:
    return access_recall(request.auth, recall_id)


@router.get(
    "/recalls/{int:recall_id}/notice",
    response=PROBLEMS,
    openapi_extra={
        "responses": {
            200: {
                "description": "who must act on the recall, with quantities",
                "content": {"text/csv": {}, XLSX: {}},
            }
        }
    },
)
def recall_notice(
    request: ApiRequest,
    recall_id: int,
    file_format: Annotated[Literal["csv", "xlsx"], Query(alias="format")] = "csv",
) -> Any:
    """The recall notice list (召回通知清单) as a CSV or Excel download."""
    recall = access_recall(request.auth, recall_id)
    rows = recall_notice_rows(request.auth, recall)
    if file_format == "xlsx":
        response = HttpResponse(to_xlsx(NOTICE_COLUMNS, rows, title=recall.reference), content_type=XLSX)
    else:
        response = HttpResponse(to_csv(NOTICE_COLUMNS, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{recall.reference}-notice.{file_format}"'
    return response
