"""A lot's page: product, dates, stock, status, where it came from and went, and its whole history."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shilian.chain.access import access_document, access_event, access_lot, events_for
from shilian.chain.actions import void_event
from shilian.chain.choices import EventType, LotStatus
from shilian.chain.forms.lots import RecallForm, VoidForm
from shilian.chain.forms.receiving import ACCEPTANCE_CHECKS
from shilian.chain.models import Document, EventLine, Lot
from shilian.chain.views.stock import SOON_DAYS
from shilian.core.access import Perm
from shilian.core.errors import DomainError
from shilian.core.htmx import apply_domain_error, not_found_as_404, render_page
from shilian.registry.access import can
from shilian.registry.models import Enterprise
from shilian.registry.workspace import inspector_page, operator_page

NOT_VOIDABLE = {EventType.VOID, EventType.RECALL}


def expiry_state(expires_on: Any, today: Any) -> str:
    """``expired``, ``soon`` (within SOON_DAYS) or ``ok``, as on the stock page."""
    if expires_on is None:
        return "ok"
    if expires_on < today:
        return "expired"
    return "soon" if (expires_on - today).days <= SOON_DAYS else "ok"


def lot_history(user: Any, lot: Lot, perm: str) -> list[Any]:
    """Every event with a line on the lot, newest first, with lines, documents and voids."""
    return list(
        events_for(user, perm)
        .filter(lines__lot=lot)
        .distinct()
        .select_related("partner", "counterparty", "recorded_by", "voids", "voided_by", "recall")
        .prefetch_related(
            Prefetch("lines", queryset=EventLine.objects.select_related("lot").order_by("pk")),
            Prefetch("documents", queryset=Document.objects.order_by("pk")),
        )
        .order_by("-occurred_at", "-pk")
    )


def _links(user: Any, lot: Lot, edges: Any, side: str) -> list[dict[str, Any]]:
    """The lots on the other side of the lot's edges; edge quantities are in the source lot's unit."""
    out = []
    for edge in edges:
        other: Lot = getattr(edge, side)
        enterprise: Enterprise = other.enterprise
        out.append(
            {
                "lot": other,
                "enterprise": enterprise,
                "kind": edge.get_kind_display(),
                "quantity": edge.quantity,
                "unit": other.unit if side == "src" else lot.unit,
                "link": can(user, Perm.VIEW, enterprise),
            }
        )
    return out


def lot_context(request: HttpRequest, lot: Lot, *, mode: str, void_forms: dict[int, VoidForm] | None = None) -> dict[str, Any]:
    perm = Perm.OPERATE if mode == "operator" else Perm.SUPERVISE
    history = lot_history(request.user, lot, perm)
    for event in history:
        event.voided = hasattr(event, "voided_by")
        event.voidable = mode == "operator" and not event.voided and event.event_type not in NOT_VOIDABLE
        event.void_form = (void_forms or {}).get(event.pk)
        acceptance = (event.detail or {}).get("acceptance") or {}
        event.checks = [(label, bool(acceptance.get(key))) for key, label in ACCEPTANCE_CHECKS.items() if key in acceptance]
    sources = lot.in_edges.select_related("src", "src__enterprise").order_by("pk")
    uses = lot.out_edges.select_related("dst", "dst__enterprise").order_by("pk")
    context: dict[str, Any] = {
        "lot": lot,
        "mode": mode,
        "expiry": expiry_state(lot.expires_on, timezone.localdate()),
        "history": history,
        "sources": _links(request.user, lot, sources, "src"),
        "uses": _links(request.user, lot, uses, "dst"),
    }
    if mode == "operator":
        context["enterprise"] = lot.enterprise
    elif lot.status == LotStatus.ACTIVE:
        context["recall_form"] = RecallForm(initial={"lot": lot.pk})
    return context


@operator_page
def operator_lot(request: HttpRequest, enterprise: Enterprise, pk: int) -> HttpResponse:
    lot = access_lot(request.user, pk, Perm.OPERATE)
    if lot.enterprise_id != enterprise.pk:
        raise Http404("lot")
    return render_page(request, "chain/lot.html", lot_context(request, lot, mode="operator"))


@inspector_page
def inspector_lot(request: HttpRequest, pk: int) -> HttpResponse:
    lot = access_lot(request.user, pk, Perm.SUPERVISE)
    return render_page(request, "chain/lot.html", lot_context(request, lot, mode="inspector"))


@operator_page
@require_POST
def void(request: HttpRequest, enterprise: Enterprise, pk: int) -> HttpResponse:
    """Void a wrong record with a reason: a new event undoes it (never an edit)."""
    event = access_event(request.user, pk, Perm.OPERATE)
    lot = access_lot(request.user, request.POST.get("lot", ""), Perm.OPERATE)
    if event.enterprise_id != enterprise.pk or lot.enterprise_id != enterprise.pk:
        raise Http404("event")
    form = VoidForm(request.POST)
    if form.is_valid():
        try:
            void_event(event, reason=form.cleaned_data["reason"], acting_user=request.user)
        except DomainError as exc:
            apply_domain_error(exc, form)
        else:
            messages.success(request, _("The record was voided."))
            return redirect("chain:operator_lot", pk=lot.pk)
    context = lot_context(request, lot, mode="operator", void_forms={event.pk: form})
    return render_page(request, "chain/lot.html", context)


@login_required
@not_found_as_404
def document(request: HttpRequest, pk: int) -> FileResponse:
    """A certificate, invoice or report, for whoever may see its enterprise."""
    doc = access_document(request.user, pk)
    return FileResponse(doc.file.open("rb"), content_type=doc.content_type, filename=doc.original_name)
