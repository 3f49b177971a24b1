"""Captured EPCIS events ARE the chain: the chain operations a document's events map to.

``plan(events, context, *, user, header=None) -> Plan`` reads (a fixed number of queries
for the whole document) and decides; ``apply(plan, *, acting_user)`` writes through the
chain's actions inside the caller's transaction, all or nothing (receipts, transformations
and shipments of one enterprise go through one ``record_batch``). Events are validated EPCIS
2.0 JSON events; ``context`` is the document's ``@context``, ``header`` its ``epcisHeader``.
``plan`` collects every event it can tell is bad in ``Plan.errors``; ``apply`` refuses such
a plan and raises ``MappingError(event_index, pointer, message)`` for what only writing
finds (stock short, more received than shipped, a lot code used twice).

What maps (event → chain), in the form ``render.py`` writes and in the usual GS1 forms:

- ObjectEvent, bizStep ``receiving``: one receipt per ``quantityList`` lot class. When an
  on-platform enterprise shipped that lot to the receiver (stored, or earlier in the
  document) the receipt books that shipment in and the trace crosses (the supplier is the
  receiver's partner linked to the shipper, if any, as on the pages); else the lot is received
  from the source party (a partner, added if new) with the product found by GTIN.
- ObjectEvent, bizStep ``shipping`` (``retail_selling``: a retail sale): one shipment of the
  ``quantityList`` lots to the destination party (none: retail).
- TransformationEvent: input lots consumed, output lots made (the enterprise's products; lot
  codes from the output classes; dates from the ILMD ``cbvmda:productionDate`` /
  ``cbvmda:itemExpirationDate``, each output's own in ``shilian:lots``, else shelf life).
- ObjectEvent, bizStep ``inspecting`` with a result (disposition ``conformant`` /
  ``non_conformant`` and/or ``shilian:inspection`` {kind, passed, items, lab, reportNo}):
  one test result per lot.
- ObjectEvent whose ``persistentDisposition.set`` has ``recalled``: a recall of each lot
  (reason ``shilian:reason``) after everything before it; lots already recalled stay so.
- ObjectEvent, bizStep ``destroying``: disposal of the quantities (``shilian:reason``).
- An error declaration (the event again, same ``eventID``, with ``errorDeclaration``): the
  chain events that event recorded (earlier in the document, or stored) are voided.

Stored only (``Plan.stored_only`` says why): Aggregation, Association and Transaction
events, other bizSteps, events without lot quantities (instance-level EPCs only), error
declarations about events with no chain effect, and events at no known place captured by a
user who operates no enterprise (an admin's import of somebody else's supply chain).

Where: the bizLocation / readPoint GLN (SGLN / PGLN URN or Digital Link 414/417) of an
enterprise, or ``urn:shilian:uscc:{code}``; else the event's own party (the receiver's
destination, the shipper's source owning party); else the capturing operator's one
enterprise (``Plan.enterprises``). An operator's event at a place that is no enterprise's,
or at an enterprise they may not operate, is an error. Lots: GTIN + lot (lgtin class, URN
or Digital Link) or ``urn:shilian:lot:{id}`` (no GTIN); partners: on-platform enterprises,
``urn:shilian:partner:{id}`` of the enterprise's book, else by the header's master-data name
(or the id). Units: UN/ECE Rec. 20 codes (``vocab.UOM_TO_UNIT``; none: pieces). Document
number: ``shilian:referenceNo``, else the first business transaction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from shilian.interop.mapping.applier import apply
from shilian.interop.mapping.errors import MappingError
from shilian.interop.mapping.events import map_event
from shilian.interop.mapping.planner import Plan, Planner

__all__ = ["MappingError", "Plan", "apply", "plan"]


def plan(
    events: Sequence[Mapping[str, Any]], context: Any, *, user: Any, header: Mapping[str, Any] | None = None
) -> Plan:
    """The chain operations of ``events`` (document order), with every event that cannot be
    applied in ``Plan.errors``; reads only."""
    planner = Planner(events, context, user, header)
    planner.prefetch()
    for index, event in enumerate(events):
        try:
            map_event(planner, index, event)
        except MappingError as exc:
            planner.plan.errors.append(exc)
    planner.close_all()
    return planner.plan
