"""The consumer page's HTML, written out in Python.

The page is the platform's hot path when it is not cached (``bench/consumer.py``): Django's
template engine spent ~0.6 ms on it, mostly resolving variables and ``{% translate %}``
tags, more than the rest of the request. Here the static text is translated once per
language (``_labels``; the strings are marked with ``gettext_noop`` so ``makemessages``
finds them) and the page is joined from escaped values, in ~0.05 ms. The markup mirrors a
template: one function per section, in page order.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping, Sequence
from html import escape
from pathlib import Path
from typing import Any

from django.utils import translation
from django.utils.translation import gettext, gettext_noop, ngettext

from shilian.chain.choices import DocumentKind
from shilian.scan.choices import ReportKind
from shilian.scan.queries.page import LotPage, Source, TestResult
from shilian.sunshine.consumer import room_slot

_CSS = Path(__file__).with_name("templates") / "scan" / "_page.css"

_TEXT = {
    "brand": gettext_noop("Shilian food trace"),
    "recalled": gettext_noop("This lot has been recalled"),
    "stop": gettext_noop("Stop eating it."),
    "return": gettext_noop("Take it back to the shop where you bought it."),
    "questions": gettext_noop("Questions:"),
    "hotline": gettext_noop("market supervision hotline"),
    "lot": gettext_noop("Lot"),
    "produced": gettext_noop("Production date"),
    "expires": gettext_noop("Expiry date"),
    "tests": gettext_noop("Tests"),
    "passed": gettext_noop("Passed"),
    "failed": gettext_noop("Failed"),
    "untested": gettext_noop("Not tested"),
    "results": gettext_noop("Test results"),
    "official": gettext_noop("Official sampling"),
    "self": gettext_noop("Self-test"),
    "no_tests": gettext_noop("No test recorded for this lot yet."),
    "sources": gettext_noop("Where the ingredients came from"),
    "in_house": gettext_noop("Made in house"),
    "supplier": gettext_noop("Supplier"),
    "received": gettext_noop("received"),
    "source_lot": gettext_noop("lot"),
    "certified": gettext_noop("Certificates on file"),
    "no_certificate": gettext_noop("No certificate on file"),
    "no_sources": gettext_noop("No ingredients recorded."),
    "product": gettext_noop("Product"),
    "ingredients": gettext_noop("Ingredients"),
    "standard": gettext_noop("Standard"),
    "storage": gettext_noop("Storage"),
    "shelf_life": gettext_noop("Shelf life"),
    "made_by": gettext_noop("Made by"),
    "name": gettext_noop("Business name"),
    "licence": gettext_noop("Licence"),
    "address": gettext_noop("Address"),
    "area": gettext_noop("Area"),
    "room": gettext_noop("Production room"),
    "no_camera": gettext_noop("No camera yet"),
    "report": gettext_noop("Report a problem"),
    "what": gettext_noop("What is wrong?"),
    "choose": gettext_noop("— choose one —"),
    "details": gettext_noop("Details (optional)"),
    "photo": gettext_noop("Photo (optional, up to 5 MB)"),
    "contact": gettext_noop("Phone or e-mail, if you want an answer (optional)"),
    "send": gettext_noop("Send the report"),
    "footer": gettext_noop("Food safety complaints: 12315"),
}


@functools.lru_cache(maxsize=8)
def _labels(lang: str) -> dict[str, str]:
    """Every static string of the page in ``lang`` (escaped), the document and report kinds too."""
    with translation.override(lang):
        labels = {key: escape(gettext(text)) for key, text in _TEXT.items()}
        labels.update({f"doc:{kind.value}": escape(str(kind.label)) for kind in DocumentKind})
        labels.update({f"report:{kind.value}": escape(str(kind.label)) for kind in ReportKind})
    return labels


@functools.lru_cache(maxsize=1)
def page_css() -> str:
    return _CSS.read_text()


def _day(value: dt.date | None) -> str:
    return value.isoformat() if value is not None else "—"


def _with_lang(path: str, lang: str) -> str:
    return f"{path}?lang=en" if lang == "en" else path


def render_page(
    page: LotPage,
    lang: str,
    *,
    canonical: str,
    origin: str,
    form_data: Mapping[str, Any] | None = None,
    form_errors: Mapping[str, Sequence[str]] | None = None,
) -> str:
    t = _labels(lang)
    html_lang = "en" if lang == "en" else "zh-Hans"
    other = "zh-hans" if lang == "en" else "en"
    other_lang = "zh-Hans" if lang == "en" else "en"
    other_href = escape(_with_lang(canonical, other))
    head = [
        f'<!doctype html>\n<html lang="{html_lang}">\n<head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">\n'
        f"<title>{escape(page.product_name)} · {escape(page.enterprise)}</title>"
    ]
    if canonical:
        head.append(
            f'\n<link rel="canonical" href="{escape(origin + canonical)}">'
            f'\n<link rel="alternate" hreflang="{other_lang}" href="{escape(origin)}{other_href}">'
        )
    head.append(f'\n<link rel="icon" href="data:,"><style>{page_css()}</style></head>\n<body>\n<header><b>{t["brand"]}</b>')
    if canonical:
        switch = "中文" if lang == "en" else "English"
        head.append(f'<a href="{other_href}" hreflang="{other_lang}" id="lang-switch">{switch}</a>')
    head.append("</header>\n<main>\n")
    body = [
        _recall(page, t),
        _product(page, t),
        _tests(page.tests, t),
        _sources(page, t),
        _info(page, t, lang),
        _enterprise(page, t, lang),
        room_slot(page.lot_id, t["room"], t["no_camera"], lang=lang),
        f'<section id="report"><details{" open" if form_errors else ""}><summary>{t["report"]}</summary>\n',
        report_form(canonical, lang, form_data=form_data, form_errors=form_errors),
        "</details></section>\n</main>\n",
        f'<footer>{t["footer"]}</footer>\n</body></html>\n',
    ]
    return "".join(head + body)


def _recall(page: LotPage, t: dict[str, str]) -> str:
    if not page.recalled:
        return ""
    out = [f'<section class="recall" id="recall" role="alert">\n<h2>{t["recalled"]}</h2>\n']
    if page.recall is not None:
        out.append(
            f'<p>{escape(page.recall.reason)}<br><span class="mu">{escape(page.recall.reference)} · '
            f"{_day(page.recall.on)}</span></p>\n"
        )
    phone = ""
    if page.phone:
        phone = f'<a href="tel:{escape(page.phone)}">{escape(page.phone)}</a> ({escape(page.enterprise)}), '
    out.append(
        f'<ol><li>{t["stop"]}</li><li>{t["return"]}</li>\n<li>{t["questions"]} {phone}{t["hotline"]} '
        '<a href="tel:12315">12315</a></li></ol>\n</section>\n'
    )
    return "".join(out)


def _badge(status: str, t: dict[str, str]) -> str:
    if status == "passed":
        return f'<span class="b ok">{t["passed"]}</span>'
    if status == "failed":
        return f'<span class="b no">{t["failed"]}</span>'
    return f'<span class="b">{t["untested"]}</span>'


def _product(page: LotPage, t: dict[str, str]) -> str:
    spec = f' <span class="mu">{escape(page.specification)}</span>' if page.specification else ""
    gtin = f"\n<dt>GTIN</dt><dd>{page.gtin}</dd>" if page.gtin else ""
    return (
        f'<section id="product">\n<h1>{escape(page.product_name)}{spec}</h1>\n'
        f'<dl><dt>{t["lot"]}</dt><dd>{escape(page.code)}</dd>\n'
        f'<dt>{t["produced"]}</dt><dd>{_day(page.produced_on)}</dd>\n'
        f'<dt>{t["expires"]}</dt><dd>{_day(page.expires_on)}</dd>\n'
        f'<dt>{t["tests"]}</dt><dd>{_badge(page.test_status, t)}</dd>{gtin}</dl>\n</section>\n'
    )


def _tests(tests: list[TestResult], t: dict[str, str]) -> str:
    if not tests:
        return f'<section id="tests"><h2>{t["results"]}</h2>\n<p class="mu">{t["no_tests"]}</p></section>\n'
    items = []
    for test in tests:
        extra = "".join(f" · {escape(value)}" for value in (test.lab, test.report_no) if value)
        items.append(
            f'<li>{_badge("passed" if test.passed else "failed", t)} {t["official" if test.official else "self"]} '
            f'<span class="mu">{_day(test.on)}{extra}</span></li>'
        )
    return f'<section id="tests"><h2>{t["results"]}</h2>\n<ul class="list">{"".join(items)}</ul>\n</section>\n'


def _source(source: Source, t: dict[str, str]) -> str:
    line = f'<li><b>{escape(source.product_name)}</b> <span class="mu">{t["source_lot"]} {escape(source.code)}</span><br>\n'
    line += t["in_house"] if source.in_house else f'{t["supplier"]}: {escape(source.supplier) or "—"}'
    if source.received_on:
        line += f' · {t["received"]} ' + ", ".join(_day(day) for day in source.received_on)
    line += "<br>\n"
    if source.certificates:
        names = "; ".join(
            t.get(f"doc:{kind}", escape(kind)) + (f" {escape(number)}" if number else "") for kind, number in source.certificates
        )
        line += f'<span class="b ok">{t["certified"]}</span> {names}'
    elif not source.in_house:
        line += f'<span class="b">{t["no_certificate"]}</span>'
    return line + "</li>"


def _sources(page: LotPage, t: dict[str, str]) -> str:
    if page.sources:
        inner = f'<ul class="list">{"".join(_source(s, t) for s in page.sources)}</ul>\n'
    elif page.received:
        inner = f'<p>{t["supplier"]}: {escape(page.supplier) or "—"}</p>\n'
    else:
        inner = f'<p class="mu">{t["no_sources"]}</p>\n'
    return f'<section id="sources"><h2>{t["sources"]}</h2>\n{inner}</section>\n'


def _row(label: str, value: str) -> str:
    return f"<dt>{label}</dt><dd>{value}</dd>\n" if value else ""


@functools.lru_cache(maxsize=256)
def _days(days: int, lang: str) -> str:
    with translation.override(lang):
        return escape(ngettext("%(days)s day", "%(days)s days", days) % {"days": days})


def _info(page: LotPage, t: dict[str, str], lang: str) -> str:
    shelf = _days(page.shelf_life_days, lang) if page.shelf_life_days else ""
    rows = (
        _row(t["ingredients"], escape(page.ingredients))
        + _row(t["standard"], escape(page.standard))
        + _row(t["storage"], escape(page.storage))
        + _row(t["shelf_life"], shelf)
    )
    return f'<section id="info"><h2>{t["product"]}</h2><dl>\n{rows}</dl></section>\n'


def _enterprise(page: LotPage, t: dict[str, str], lang: str) -> str:
    area = page.town_en if lang == "en" and page.town_en else page.town
    rows = (
        _row(t["name"], escape(page.enterprise))
        + _row(t["licence"], escape(page.licence_no))
        + _row(t["address"], escape(page.address))
        + f'<dt>{t["area"]}</dt><dd>{escape(area)}</dd>\n'
    )
    return f'<section id="enterprise"><h2>{t["made_by"]}</h2><dl>\n{rows}</dl></section>\n'


def _errors(errors: Mapping[str, Sequence[str]] | None, name: str) -> str:
    messages = (errors or {}).get(name)
    return f'<p class="err">{escape(" ".join(str(m) for m in messages))}</p>\n' if messages else ""


def report_form(
    canonical: str,
    lang: str,
    *,
    form_data: Mapping[str, Any] | None = None,
    form_errors: Mapping[str, Sequence[str]] | None = None,
) -> str:
    """The "report a problem" form (on the page, and alone at ``/p/report/``). No CSRF
    token: the same bytes for everyone (see ``views.report``)."""
    t = _labels(lang)
    data = form_data or {}
    chosen = str(data.get("kind", ""))
    options = f'<option value=""{"" if chosen else " selected"}>{t["choose"]}</option>' + "".join(
        f'<option value="{kind.value}"{" selected" if kind.value == chosen else ""}>{t["report:" + kind.value]}</option>'
        for kind in ReportKind
    )  # nothing chosen for the reporter: the browser asks (required), and so does the form
    return (
        '<form method="post" action="/p/report/" enctype="multipart/form-data">\n'
        f'<input type="hidden" name="code" value="{escape(canonical)}"><input type="hidden" name="lang" value="{lang}">\n'
        + _errors(form_errors, "__all__")
        + f'<label for="r-kind">{t["what"]}</label>\n<select id="r-kind" name="kind" required>{options}</select>\n'
        + _errors(form_errors, "kind")
        + f'<label for="r-desc">{t["details"]}</label>\n'
        f'<textarea id="r-desc" name="description" rows="3" maxlength="1000">{escape(str(data.get("description", "")))}</textarea>\n'
        + _errors(form_errors, "description")
        + f'<label for="r-photo">{t["photo"]}</label>\n<input id="r-photo" type="file" name="photo" accept="image/*">\n'
        + _errors(form_errors, "photo")
        + f'<label for="r-contact">{t["contact"]}</label>\n'
        f'<input id="r-contact" name="contact" maxlength="100" value="{escape(str(data.get("contact", "")))}">\n'
        + _errors(form_errors, "contact")
        + f'<button>{t["send"]}</button>\n</form>\n'
    )
