"""Online patrol pages (/r/patrols/): start one, look through each workshop's cameras, keep a
snapshot as evidence, record findings against the checklist, finish."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Count, Exists, OuterRef, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from shilian.core.access import Perm
from shilian.core.errors import DomainError, NotFoundError
from shilian.core.htmx import apply_domain_error, paginate, render_page
from shilian.registry.access import enterprise_filter, jurisdictions_for
from shilian.registry.models import Enterprise
from shilian.registry.workspace import inspector_page
from shilian.sunshine.access import access_camera, access_patrol, cameras_for, patrols_for
from shilian.sunshine.actions.patrols import finish_patrol, record_finding, start_patrol
from shilian.sunshine.actions.snapshots import take_snapshot
from shilian.sunshine.choices import SnapshotPurpose
from shilian.sunshine.forms import FindingForm, PatrolForm
from shilian.sunshine.models import Camera, Finding, Patrol, Snapshot
from shilian.sunshine.views.media import frame_version
from shilian.sunshine.views.wall import tone

CANDIDATES_SHOWN = 200


def _candidates(user: Any) -> list[Enterprise]:
    """Workshops with an enabled camera the inspector may supervise."""
    return list(
        Enterprise.objects.filter(enterprise_filter(user, Perm.SUPERVISE), cameras__enabled=True)
        .distinct()
        .select_related("jurisdiction")
        .order_by("jurisdiction_id", "name", "pk")[:CANDIDATES_SHOWN]
    )


@inspector_page
@require_http_methods(["GET", "POST"])
def patrol_list(request: HttpRequest) -> HttpResponse:
    """The inspector's patrols, and the form to start one (pick workshops or draw at random)."""
    areas = jurisdictions_for(request.user)
    candidates = _candidates(request.user)
    form = PatrolForm(request.POST or None, jurisdictions=areas, enterprises=candidates)
    if request.method == "POST" and form.is_valid():
        area = next(area for area in areas if area.code == form.cleaned_data["jurisdiction"])
        chosen = [int(pk) for pk in form.cleaned_data["enterprises"]]
        picked = [enterprise for enterprise in candidates if enterprise.pk in chosen]
        try:
            patrol = start_patrol(
                area, enterprises=picked, random_count=form.cleaned_data["random_count"] or 0, acting_user=request.user
            )
        except DomainError as exc:
            apply_domain_error(exc, form)
        else:
            return redirect("sunshine:patrol_detail", pk=patrol.pk)
    patrols = (
        patrols_for(request.user)
        .select_related("jurisdiction", "inspector")
        .annotate(
            workshops=Count("enterprises", distinct=True),
            issues=Count("findings", filter=Q(findings__result="issue"), distinct=True),
        )
        .order_by("-started_at", "-pk")
    )
    page = paginate(request, patrols, 20)
    return render_page(request, "sunshine/patrol_list.html", {"form": form, "page": page})


def _workshop_view(patrol: Patrol, enterprise: Enterprise, user: Any, snapshot: Snapshot | None) -> dict[str, Any]:
    cameras = list(cameras_for(user, Perm.SUPERVISE).filter(enterprise=enterprise, enabled=True).order_by("room", "pk"))
    findings = list(
        Finding.objects.filter(patrol=patrol, enterprise=enterprise)
        .select_related("snapshot")
        .order_by("created_at", "pk")
    )
    initial: dict[str, Any] = {"enterprise": enterprise.pk, "result": "compliant"}
    if snapshot is not None:
        initial.update(snapshot=snapshot.pk, camera=snapshot.camera_id)
    return {
        "enterprise": enterprise,
        "tiles": [{"camera": camera, "tone": tone(camera), "version": frame_version(camera.pk)} for camera in cameras],
        "findings": findings,
        "snapshot": snapshot,
        "form": FindingForm(initial=initial),
    }


@inspector_page
def patrol_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One workshop of the patrol at a time (``?e=``): its cameras, a snapshot, the findings."""
    patrol = access_patrol(request.user, pk)
    workshops = list(
        patrol.enterprises.select_related("jurisdiction")
        .annotate(found=Exists(Finding.objects.filter(patrol=patrol, enterprise=OuterRef("pk"))))
        .order_by("name", "pk")
    )
    current = next((e for e in workshops if str(e.pk) == request.GET.get("e")), workshops[0] if workshops else None)
    snapshot = None
    if current is not None and request.GET.get("snapshot", "").isdigit():
        snapshot = (
            Snapshot.objects.filter(pk=int(request.GET["snapshot"]), camera__enterprise=current)
            .filter(camera__in=cameras_for(request.user, Perm.SUPERVISE))
            .first()
        )
    context: dict[str, Any] = {"patrol": patrol, "workshops": workshops, "current": current}
    if current is not None:
        context.update(_workshop_view(patrol, current, request.user, snapshot))
    return render_page(request, "sunshine/patrol_detail.html", context)


def _back(patrol: Patrol, enterprise_id: int, snapshot: int | None = None) -> str:
    url = reverse("sunshine:patrol_detail", args=[patrol.pk]) + f"?e={enterprise_id}"
    return url + (f"&snapshot={snapshot}" if snapshot else "") + f"#e{enterprise_id}"


@inspector_page
@require_POST
def patrol_snapshot(request: HttpRequest, pk: int) -> HttpResponse:
    """Keep the camera's current frame as patrol evidence; the finding form then carries it."""
    patrol = access_patrol(request.user, pk)
    camera = access_camera(request.user, request.POST.get("camera", ""), Perm.SUPERVISE)
    if not patrol.enterprises.filter(pk=camera.enterprise_id).exists():
        raise NotFoundError("camera")
    try:
        snapshot = take_snapshot(camera, purpose=SnapshotPurpose.PATROL, acting_user=request.user)
    except DomainError as exc:
        messages.error(request, f"{camera.name}: {exc.message}")
        return redirect(_back(patrol, camera.enterprise_id))
    messages.success(request, _("Snapshot kept as evidence."))
    return redirect(_back(patrol, camera.enterprise_id, snapshot.pk))


@inspector_page
@require_POST
def patrol_finding(request: HttpRequest, pk: int) -> HttpResponse:
    patrol = access_patrol(request.user, pk)
    form = FindingForm(request.POST)
    enterprise_id = request.POST.get("enterprise", "")
    enterprise = patrol.enterprises.filter(pk=int(enterprise_id) if enterprise_id.isdigit() else 0).first()
    if enterprise is None:
        raise NotFoundError("enterprise")
    if form.is_valid():
        data = form.cleaned_data
        camera = _own(Camera, cameras_for(request.user, Perm.SUPERVISE), data.get("camera"))
        snapshot = _own(
            Snapshot,
            Snapshot.objects.filter(camera__in=cameras_for(request.user, Perm.SUPERVISE)),
            data.get("snapshot"),
        )
        try:
            record_finding(
                patrol,
                enterprise,
                item=data["item"],
                result=data["result"],
                note=data["note"],
                deadline=data["deadline"],
                camera=camera,
                snapshot=snapshot,
                acting_user=request.user,
            )
        except DomainError as exc:
            apply_domain_error(exc, form)
        else:
            messages.success(request, _("Finding recorded."))
            return redirect(_back(patrol, enterprise.pk))
    workshops = list(patrol.enterprises.select_related("jurisdiction").order_by("name", "pk"))
    context = {
        "patrol": patrol,
        "workshops": workshops,
        "current": enterprise,
        **_workshop_view(patrol, enterprise, request.user, None),
    }
    context["form"] = form
    return render_page(request, "sunshine/patrol_detail.html", context, status=400)


def _own(model: Any, scoped: Any, pk: int | None) -> Any:
    """The row if given and in scope (a hidden field pointing elsewhere is refused)."""
    if pk is None:
        return None
    row = scoped.filter(pk=pk).select_related("camera").first() if model is Snapshot else scoped.filter(pk=pk).first()
    if row is None:
        raise NotFoundError(model._meta.model_name)
    return row


@inspector_page
@require_POST
def patrol_finish(request: HttpRequest, pk: int) -> HttpResponse:
    patrol = access_patrol(request.user, pk)
    try:
        finish_patrol(patrol, acting_user=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Patrol finished."))
    return redirect("sunshine:patrol_detail", pk=patrol.pk)
