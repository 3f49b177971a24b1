"""Registry pages: the home redirect, the enterprise picker, partners, staff, and the inspector's enterprise list."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_http_methods

from shilian.core.access import Perm
from shilian.core.errors import DomainError
from shilian.core.htmx import apply_domain_error, not_found_as_404, paginate, render_page
from shilian.core.xlsx_export import Column, field_column, wants_xlsx, xlsx_response
from shilian.registry.access import access_enterprise, partners_for, scope_for
from shilian.registry.actions import add_partner, add_staff_member
from shilian.registry.forms import PartnerForm, PickEnterpriseForm, SearchForm, StaffForm
from shilian.registry.models import Enterprise, Partner, StaffMember
from shilian.registry.queries import CERTIFICATE_WARNING_DAYS, staff_of
from shilian.registry.workspace import choose_enterprise, inspector_page, operated_ids, operator_page

ENTERPRISE_COLUMNS = (
    field_column(Enterprise, "name", width=28),
    field_column(Enterprise, "uscc", width=22),
    field_column(Enterprise, "licence_no", width=18),
    field_column(Enterprise, "kind", display=True, width=14),
    field_column(Enterprise, "jurisdiction_id", header=_l("division code"), width=12),
    field_column(Enterprise, "jurisdiction.name", header=_l("jurisdiction"), width=14),
    field_column(Enterprise, "address", width=36),
    field_column(Enterprise, "contact_phone", width=16),
    field_column(Enterprise, "gln", width=16),
)
PARTNER_COLUMNS = (
    field_column(Partner, "name", width=28),
    field_column(Partner, "kind", display=True, width=12),
    field_column(Partner, "uscc", width=22),
    field_column(Partner, "linked_enterprise.name", header=_l("on-platform enterprise"), width=28),
    field_column(Partner, "contact", width=18),
    field_column(Partner, "address", width=36),
    field_column(Partner, "gln", width=16),
)
CERTIFICATE_STATUS_LABELS: dict[str, Any] = {
    "missing": _l("No expiry date"),
    "expired": _l("Expired"),
    "expiring": _l("Expiring soon"),
    "valid": _l("Valid"),
}
STAFF_COLUMNS = (
    field_column(StaffMember, "name", width=14),
    field_column(StaffMember, "post", width=14),
    field_column(StaffMember, "health_certificate_no", width=20),
    field_column(StaffMember, "health_certificate_expires", width=14),
    Column(_l("Status"), lambda member: CERTIFICATE_STATUS_LABELS.get(member.certificate_status), 12),
)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Inspectors and admins start at the regulator pages, operators at their stock."""
    scope = scope_for(request.user)
    if scope.is_inspector or scope.is_admin:
        return redirect("registry:enterprise_list")
    if scope.is_operator:
        return redirect("chain:dashboard")
    return render(request, "home.html")


@login_required
@not_found_as_404
@require_http_methods(["GET", "POST"])
def pick_enterprise(request: HttpRequest) -> HttpResponse:
    """For someone who records for several enterprises: which one this session acts for."""
    ids = operated_ids(request.user)
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    if request.method == "POST":
        form = PickEnterpriseForm(request.POST)
        if form.is_valid():
            choose_enterprise(request, form.cleaned_data["enterprise"])
            return redirect(next_url or "chain:dashboard")
    if not ids:
        raise Http404("no enterprise")
    enterprises = [access_enterprise(request.user, pk, Perm.OPERATE) for pk in ids]
    return render(request, "registry/pick.html", {"enterprises": enterprises, "next": next_url})


@operator_page
@require_http_methods(["GET", "POST"])
def partner_list(request: HttpRequest, enterprise: Enterprise) -> HttpResponse:
    """The enterprise's suppliers and customers, and a form to add one."""
    form = PartnerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            partner = add_partner(
                enterprise,
                name=data["name"],
                kind=data["kind"],
                uscc=data["uscc"],
                gln=data["gln"],
                contact=data["contact"],
                address=data["address"],
                acting_user=request.user,
            )
        except DomainError as exc:
            apply_domain_error(exc, form)
        else:
            messages.success(request, _("Partner %(name)s added.") % {"name": partner.name})
            return redirect("registry:partner_list")
    partners = partners_for(request.user, Perm.OPERATE).filter(enterprise=enterprise).select_related("linked_enterprise")
    if request.method == "GET" and wants_xlsx(request):
        return xlsx_response(partners.order_by("name", "pk"), PARTNER_COLUMNS, filename="partners.xlsx")
    return render(request, "registry/partners.html", {"enterprise": enterprise, "partners": partners, "form": form})


@operator_page
@require_http_methods(["GET", "POST"])
def staff_list(request: HttpRequest, enterprise: Enterprise) -> HttpResponse:
    """The enterprise's staff with their health certificates (expired or expiring flagged), and a form to add one."""
    form = StaffForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            member = add_staff_member(
                enterprise,
                name=data["name"],
                post=data["post"],
                health_certificate_no=data["health_certificate_no"],
                health_certificate_expires=data["health_certificate_expires"],
                acting_user=request.user,
            )
        except DomainError as exc:
            apply_domain_error(exc, form)
        else:
            messages.success(request, _("Staff member %(name)s added.") % {"name": member.name})
            return redirect("registry:staff_list")
    members = staff_of(request.user, enterprise, Perm.OPERATE, today=timezone.localdate())
    if request.method == "GET" and wants_xlsx(request):
        return xlsx_response(members, STAFF_COLUMNS, filename="staff.xlsx")
    staff: list[Any] = list(members)
    statuses = Counter(member.certificate_status for member in staff)
    warnings = {"expired": statuses["expired"], "expiring": statuses["expiring"]}
    context = {
        "enterprise": enterprise,
        "staff": staff,
        "warnings": warnings,
        "warning_days": CERTIFICATE_WARNING_DAYS,
        "form": form,
    }
    return render(request, "registry/staff.html", context)


@inspector_page
def enterprise_list(request: HttpRequest) -> HttpResponse:
    """Enterprises in the inspector's jurisdiction subtree, searchable by name or credit code."""
    search = SearchForm(request.GET)
    q = search.cleaned_data["q"].strip() if search.is_valid() else ""
    enterprises = Enterprise.objects.for_user(request.user, Perm.SUPERVISE).select_related("jurisdiction")
    if q:
        enterprises = enterprises.filter(Q(name__icontains=q) | Q(uscc__iexact=q) | Q(licence_no__iexact=q))
    if wants_xlsx(request):
        return xlsx_response(enterprises.order_by("name", "pk"), ENTERPRISE_COLUMNS, filename="enterprises.xlsx")
    page = paginate(request, enterprises.order_by("name", "pk"), 25)
    return render_page(
        request,
        "registry/enterprise_list.html",
        {"page": page, "search": search, "q": q},
        partial="results",
    )
