"""Recalls (召回): start one from a lot, see who must act with quantities, download the list."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_http_methods

from shilian.chain.access import access_lot, access_recall, recalls_for
from shilian.chain.actions import start_recall
from shilian.chain.choices import LotStatus
from shilian.chain.exports import to_csv, to_xlsx
from shilian.chain.forms.lots import RecallForm
from shilian.chain.models import Recall
from shilian.chain.queries.recall import recall_impact
from shilian.chain.queries.report import NOTICE_COLUMNS, recall_notice_rows
from shilian.core.access import Perm
from shilian.core.errors import DomainError
from shilian.core.htmx import apply_domain_error, paginate, render_page
from shilian.core.xlsx_export import Column, field_column, wants_xlsx, xlsx_response
from shilian.registry.workspace import inspector_page

RECALL_COLUMNS = (
    field_column(Recall, "reference", width=18),
    field_column(Recall, "started_at", width=18),
    field_column(Recall, "root_lot.product_name", width=18),
    field_column(Recall, "root_lot.code", width=16),
    field_column(Recall, "root_lot.enterprise.name", header=_l("enterprise"), width=24),
    field_column(Recall, "reason", width=40),
    Column(_l("Lots recalled"), lambda recall: (recall.impact or {}).get("lots"), 10),
    Column(_l("started by"), lambda recall: recall.started_by.get_username() if recall.started_by else None, 14),
)


@inspector_page
@require_http_methods(["GET", "POST"])
def recall_start(request: HttpRequest) -> HttpResponse:
    """The recall form for one lot, with what it will reach; POST starts the recall."""
    data = request.POST if request.method == "POST" else None
    form = RecallForm(data, initial={"lot": request.GET.get("lot")})
    lot_id = request.POST.get("lot") if data is not None else request.GET.get("lot")
    lot = access_lot(request.user, lot_id or "", Perm.SUPERVISE)
    if request.method == "POST" and form.is_valid():
        try:
            recall = start_recall(lot, reason=form.cleaned_data["reason"], acting_user=request.user)
        except DomainError as exc:
            apply_domain_error(exc, form, aliases={"lot": ""})  # the lot is hidden: say it above the form
        else:
            messages.success(request, _("Recall %(reference)s started.") % {"reference": recall.reference})
            return redirect("chain:recall_detail", pk=recall.pk)
    impact = recall_impact([lot.pk])
    earlier = None
    if lot.status == LotStatus.RECALLED:  # said before the form is filled in, not after
        earlier = recalls_for(request.user).filter(events__lines__lot=lot).order_by("-started_at").first()
    context = {"form": form, "lot": lot, "impact": impact, "earlier": earlier}
    return render_page(request, "chain/recall_start.html", context)


@inspector_page
def recall_list(request: HttpRequest) -> HttpResponse:
    recalls = recalls_for(request.user).select_related("root_lot", "root_lot__enterprise", "started_by")
    if wants_xlsx(request):
        return xlsx_response(recalls.order_by("-started_at", "-pk"), RECALL_COLUMNS, filename="recalls.xlsx")
    page = paginate(request, recalls.order_by("-started_at", "-pk"), 25)
    return render_page(request, "chain/recall_list.html", {"page": page}, partial="results")


@inspector_page
def recall_detail(request: HttpRequest, pk: int) -> HttpResponse:
    recall = access_recall(request.user, pk)
    rows = recall_notice_rows(request.user, recall)
    return render_page(request, "chain/recall.html", {"recall": recall, "rows": rows})


@inspector_page
def recall_notice(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """Who must act, as CSV or XLSX."""
    recall = access_recall(request.user, pk)
    rows = recall_notice_rows(request.user, recall)
    if fmt == "csv":
        body, content_type = to_csv(NOTICE_COLUMNS, rows), "text/csv; charset=utf-8"
    elif fmt == "xlsx":
        body = to_xlsx(NOTICE_COLUMNS, rows, title=recall.reference)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        raise Http404("format")
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{recall.reference}.{fmt}"'
    return response
