"""The consumer's report form: ``/p/report/`` (linked from every consumer page).

The form on the page carries no CSRF token, so that the page stays the same bytes for
everyone and can be cached and pre-rendered: the report is anonymous (no session, no
user acts), so a forged submission could do no more than a direct one, which the
per-client rate limit already bounds.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from shilian.chain.models import Lot
from shilian.codes.digital_link import DigitalLinkError, parse_uri
from shilian.core.errors import DomainError
from shilian.scan.actions import file_report
from shilian.scan.client import describe_request
from shilian.scan.forms import ReportForm
from shilian.scan.pages import canonical_path, page_language
from shilian.scan.queries.page import LotPage, load_page
from shilian.scan.ratelimit import REPORT_RATE, RESOLVE_RATE, retry_after
from shilian.scan.render import report_form
from shilian.scan.resolver import resolve_and_read
from shilian.scan.views.responses import error_page, public_headers, too_many


def _page(request: HttpRequest, template: str, context: dict, lang: str, status: int = 200) -> HttpResponse:
    with translation.override(lang):
        response = HttpResponse(render_to_string(template, {"lang": lang, **context}), status=status)
    response["Cache-Control"] = "no-store"
    return public_headers(response, lang)


def _back(page: LotPage, lang: str) -> str:
    path = canonical_path(page)
    return f"{path}?lang=en" if lang == "en" else path


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    data = request.POST if request.method == "POST" else request.GET
    lang = page_language(data.get("lang"))
    group, rate = ("scan.report", REPORT_RATE) if request.method == "POST" else ("scan.resolve", RESOLVE_RATE)
    wait = retry_after(request, group, rate)
    if wait is not None:
        return too_many(request, wait, lang=lang)
    try:
        target, page = resolve_and_read(parse_uri(data.get("code", "")), load_page)
    except DigitalLinkError as exc:
        return error_page(request, exc.status, exc.message, lang=lang)
    if page is None:  # pragma: no cover - found by the lookup a moment ago
        return error_page(request, 404, "lot not found", lang=lang)
    canonical = canonical_path(page)
    context: dict[str, Any] = {"p": page, "title": page.product_name, "back": _back(page, lang)}
    with translation.override(lang):
        form = ReportForm(request.POST, request.FILES) if request.method == "POST" else ReportForm()
        if request.method != "POST":
            context["form_html"] = mark_safe(report_form(canonical, lang))  # escaped by report_form
            return _page(request, "scan/report.html", context, lang)
        if form.is_valid():
            lot = Lot.objects.select_related("enterprise").get(pk=target.lot_id)
            try:
                file_report(
                    lot,
                    kind=form.cleaned_data["kind"],
                    description=form.cleaned_data["description"],
                    contact=form.cleaned_data["contact"],
                    photo=form.cleaned_data["photo"],
                    client=describe_request(request.META).client,
                )
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                return _page(request, "scan/report_done.html", context, lang)
        sent = {name: request.POST.get(name, "") for name in ("kind", "description", "contact")}
        errors = {field: [str(m) for m in messages] for field, messages in form.errors.items()}
        context["form_html"] = mark_safe(report_form(canonical, lang, form_data=sent, form_errors=errors))
    return _page(request, "scan/report.html", context, lang, status=400)
