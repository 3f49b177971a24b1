import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from shilian.chain.actions import receive_lot, start_recall, void_event
from shilian.chain.lotref import lgtin_urn
from shilian.chain.models import Lot, LotEdge
from shilian.core.testing import factories as f

pytestmark = pytest.mark.django_db


def _run(*args, **kwargs):
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err, **kwargs)
    return out.getvalue()


def _chain():
    """Shitang workshop → a shop in Zeguo and a shop in Hangzhou (outside Wenling), plus retail."""
    workshop = f.make_enterprise(name="石塘鱼干作坊", jurisdiction="331081102")
    shop = f.make_enterprise(name="泽国超市", kind="retailer", jurisdiction="331081104")
    far = f.make_enterprise(name="西湖特产店", kind="retailer", jurisdiction="330106001")
    fish = f.receive(workshop, quantity="200", product_name="鲜鳗鱼", lot_code="SC0501")
    product = f.make_product(workshop, name="鳗鲞", gtin="6901234567892", unit="kg")
    made = f.produce(workshop, [(fish, "200")], product, "80")
    for customer in (shop, far):
        shipment = f.ship(workshop, made, "30", f.make_partner(workshop, linked=customer))
        receive_lot(customer, acting_user=None, occurred_at=f.now(), quantity="30", unit="kg", shipment=shipment)
    f.ship(workshop, made, "5")
    return workshop, shop, far, fish, made


def test_check_passes_after_voids_recalls_and_shipments():
    workshop, shop, far, fish, made = _chain()
    void_event(f.ship(workshop, made, "2"), reason="录错", acting_user=None)
    start_recall(made, reason="抽检不合格", acting_user=f.make_admin())
    out = _run("check")
    assert "projections match the events" in out
    assert "System check identified no issues" in out


def test_check_reports_a_corrupted_projection_and_repairs_it():
    workshop, shop, far, fish, made = _chain()
    Lot.objects.filter(pk=made.pk).update(quantity_on_hand=Decimal("1"))
    LotEdge.objects.filter(src=fish, dst=made).delete()
    out = StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("check", stdout=out, stderr=StringIO())
    assert exc.value.returncode == 1
    assert "2 projection differences" in str(exc.value)
    lines = out.getvalue().splitlines()
    assert f"lot {made.pk}  quantity_on_hand: stored 1.000, rebuilt 15.000" in lines
    assert any(line.startswith(f"lot {fish.pk}  edge transform → lot {made.pk}") for line in lines)
    repaired = _run("check", "--repair")
    assert "repaired 2 differences" in repaired
    assert Lot.objects.get(pk=made.pk).quantity_on_hand == Decimal("15.000")
    assert "projections match the events" in _run("check")


def test_check_with_a_tag_runs_only_the_system_checks():
    workshop, shop, far, fish, made = _chain()
    Lot.objects.filter(pk=made.pk).update(quantity_on_hand=Decimal("1"))
    out = _run("check", "--tag", "models")
    assert "projections" not in out


def test_trace_prints_a_tree_with_counts():
    workshop, shop, far, fish, made = _chain()
    f.make_admin()
    out = _run("trace", str(fish.pk))
    assert out.splitlines()[1] == f"[{fish.pk}] 鲜鳗鱼 SC0501 — 0.000 kg 正常 @ 石塘鱼干作坊"
    assert f"└─ [{made.pk}] 鳗鲞 {made.code} — 15.000 kg 正常 @ 石塘鱼干作坊" in out
    assert "批次 lots 4 · 主体 enterprises 3 · 持有者 holders 3 · 出库 shipments 3 · 供应商 suppliers 0" in out
    assert "零售 / retail: 5.000 kg" in out


def test_trace_accepts_an_lgtin_and_prints_json_backward():
    workshop, shop, far, fish, made = _chain()
    f.make_admin()
    data = json.loads(_run("trace", lgtin_urn("06901234567892", made.code), "--direction", "backward", "--json"))
    assert (data["direction"], data["root"]) == ("backward", made.pk)
    assert {lot["id"] for lot in data["lots"]} == {made.pk, fish.pk}
    assert data["counts"]["lots"] == 2
    assert len(data["suppliers"]) == 1


def test_trace_as_an_inspector_hides_details_outside_their_jurisdiction():
    workshop, shop, far, fish, made = _chain()
    f.make_inspector("331081", username="insp")
    data = json.loads(_run("trace", str(made.pk), "--json", "--as", "insp"))
    cards = {card["name"]: card for card in data["enterprises"]}
    assert cards["西湖特产店"]["uscc"] is None
    assert cards["泽国超市"]["uscc"] == shop.uscc


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["999999"], "lot not found"),
        (["urn:epc:class:lgtin:bad"], "LOT: expected a lot id"),
        (["1", "--as", "nobody"], "no active user named 'nobody'"),
    ],
)
def test_trace_refuses_bad_input(args, message):
    f.make_admin()
    with pytest.raises(CommandError) as exc:
        call_command("trace", *args, stdout=StringIO())
    assert message in str(exc.value)


def test_trace_without_a_superuser_asks_for_a_user():
    workshop, shop, far, fish, made = _chain()
    with pytest.raises(CommandError) as exc:
        call_command("trace", str(made.pk), stdout=StringIO())
    assert "--as" in str(exc.value)
