"""The GS1 conformance documents are EPCIS for somebody else's supply chain: planned by an
admin, every event is stored only (none names a product or place on the platform), and
each says why; an operator's capture refuses only the events at places off the platform."""

import pytest

from shilian.core.testing import factories as f
from shilian.core.testing.conformance import load_json, valid_documents
from shilian.interop import mapping

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", valid_documents(), ids=lambda p: p.name)
def test_a_valid_document_is_stored_only_for_an_admin(path):
    doc = load_json(path)
    events = doc["epcisBody"]["eventList"]
    plan = mapping.plan(events, doc["@context"], user=f.make_admin(), header=doc.get("epcisHeader"))
    assert (plan.errors, plan.steps, plan.enterprises) == ([], [], {})
    assert sorted(plan.stored_only) == list(range(len(events)))
    assert all(why.endswith(("no chain effect", "(void)")) for why in plan.stored_only.values())


def test_an_operator_may_not_record_chain_events_at_places_off_the_platform():
    operator = f.make_operator(f.make_enterprise())
    refused = {}
    for path in valid_documents():
        doc = load_json(path)
        plan = mapping.plan(
            doc["epcisBody"]["eventList"], doc["@context"], user=operator, header=doc.get("epcisHeader")
        )
        if plan.errors:
            refused[path.name] = [(e.event_index, e.pointer) for e in plan.errors]
    assert refused == {
        "ObjectEvent_with_digitalLink.json": [(0, "/bizLocation/id")],
        "TransformationEvent_with_error_declaration.json": [(1, "/readPoint/id")],
    }
