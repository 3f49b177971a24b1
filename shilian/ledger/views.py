"""Public pages of the chain of evidence: the daily roots (JSON) and a lot's proof (page or JSON)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from shilian.core.access import Perm
from shilian.core.errors import NotFoundError
from shilian.ledger.lots import find_lot, has_code
from shilian.ledger.proofs import EventProof, RootProof, Status, lot_events, prove_events
from shilian.ledger.queries import root_document, roots_index
from shilian.ledger.ratelimit import PROOF_RATE, ROOTS_RATE, retry_after
from shilian.registry.access import can

PROBLEM = "application/problem+json"


def _json(body: dict[str, Any], *, status: int = 200, max_age: int = 0) -> JsonResponse:
    response = JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False, "indent": 1})
    response["Access-Control-Allow-Origin"] = "*"  # public evidence: anyone's checker may fetch it
    response["Cache-Control"] = f"public, max-age={max_age}" if max_age else "no-cache"
    return response


def _problem(status: int, title: str, detail: str, *, retry: int | None = None) -> HttpResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    response = HttpResponse(json.dumps(body, ensure_ascii=False), status=status, content_type=PROBLEM)
    if retry is not None:
        response["Retry-After"] = str(retry)
    return response


@require_safe
def roots(request: HttpRequest) -> HttpResponse:
    wait = retry_after(request, "ledger.roots", ROOTS_RATE)
    if wait is not None:
        return _problem(429, "Too many requests", "slow down", retry=wait)
    return _json(roots_index(), max_age=60)


@require_safe
def root(request: HttpRequest, day: str) -> HttpResponse:
    wait = retry_after(request, "ledger.roots", ROOTS_RATE)
    if wait is not None:
        return _problem(429, "Too many requests", "slow down", retry=wait)
    try:
        date = dt.date.fromisoformat(day)
    except ValueError:
        return _problem(400, "Bad date", f"{day!r} is not a date (YYYY-MM-DD)")
    body = root_document(date)
    if body is None:
        return _problem(404, "Not closed", f"no daily root for {date}: the day is not closed (yet)")
    return _json(body, max_age=3600)  # a closed day never changes


def _wants_json(request: HttpRequest) -> bool:
    return request.GET.get("format") == "json" or "application/json" in request.headers.get("Accept", "")


@require_safe
def lot_proof(request: HttpRequest, ref: str) -> HttpResponse:
    """A lot's events checked against the published daily roots, step by step."""
    wait = retry_after(request, "ledger.proof", PROOF_RATE)
    if wait is not None:
        if _wants_json(request):
            return _problem(429, "Too many requests", "slow down", retry=wait)
        response = render(request, "ledger/error.html", {"message": _("Too many requests: try again in a minute.")}, status=429)
        response["Retry-After"] = str(wait)
        return response
    try:
        lot, by_code = find_lot(ref)
    except NotFoundError:
        raise Http404("lot") from None
    if not by_code and not can(request.user, Perm.VIEW, lot.enterprise) and not has_code(lot):
        raise Http404("lot")
    events = lot_events(lot)
    proofs = prove_events(events)
    viewers = {e.enterprise_id: can(request.user, Perm.VIEW, e.enterprise) for e in events}
    if _wants_json(request):
        return _json(_proof_json(lot, proofs, viewers))
    context = {
        "lot": lot,
        "proofs": proofs,
        "groups": _groups(proofs),
        "viewers": viewers,
        "counts": {status: sum(p.status == status for p in proofs) for status in (Status.VERIFIED, Status.PENDING, Status.BROKEN)},
    }
    return render(request, "ledger/lot.html", context)


def _groups(proofs: list[EventProof]) -> list[tuple[RootProof | None, list[EventProof]]]:
    """Events under the daily root (chain walk, leaf, Merkle path) they share, in order."""
    out: list[tuple[RootProof | None, list[EventProof]]] = []
    for proof in proofs:
        part = proof.root
        if out and out[-1][0] is part and part is not None:
            out[-1][1].append(proof)
        else:
            out.append((part, [proof]))
    return out


def _proof_json(lot: Any, proofs: list[EventProof], viewers: dict[int, bool]) -> dict[str, Any]:
    parts: list[RootProof] = []
    for proof in proofs:
        if proof.root is not None and all(proof.root is not p for p in parts):
            parts.append(proof.root)
    return {
        "lot": {
            "id": lot.pk,
            "product_name": lot.product_name,
            "code": lot.code,
            "enterprise": lot.enterprise_id,
            "enterprise_name": lot.enterprise.name,
        },
        "about": (
            "For each event: SHA-256(canonical form) = the entry's digest; SHA-256(entry preimage) = entry_hash; "
            "each later entry names the one before (prev_hash) up to the head a daily root names; "
            "leaf = SHA-256(0x00 || leaf text); each path step: parent = SHA-256(0x01 || left || right); "
            "the last parent is the root, whose statement is signed with Ed25519 (see /ledger/roots/{day}.json)."
        ),
        "events": [p.as_dict(with_canonical=viewers.get(p.event.enterprise_id, False)) for p in proofs],
        "proofs": [part.as_dict() for part in parts],
    }
