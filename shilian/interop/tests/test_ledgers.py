"""Workshop ledger import: the templates, a filled-in template end to end, every kind of bad
upload refused with the row and column named and nothing written, and the permission matrix."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from shilian.catalog.models import Product
from shilian.chain.actions import start_recall
from shilian.chain.models import EventLine, Lot, TraceEvent
from shilian.chain.tests import test_views_support
from shilian.chain.tests.test_views_support import ACTORS, client_for, counts
from shilian.core.models import HistoryEntry
from shilian.core.testing import factories as f
from shilian.interop.ledgers.columns import FIELDS, LedgerKind, header_text
from shilian.interop.ledgers.reader import MAX_BYTES
from shilian.registry.models import Partner

pytestmark = pytest.mark.django_db
world = test_views_support.world  # the fixture, under its own name

LOGIN = 302
RECEIVING, SHIPPING = LedgerKind.RECEIVING, LedgerKind.SHIPPING


def workbook_bytes(headers, rows, title=None):
    book = Workbook()
    sheet = book.active
    if title:
        sheet.title = title
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def ledger(kind, rows):
    """A ledger file from rows given as dicts by field key."""
    fields = FIELDS[kind]
    return workbook_bytes([header_text(s) for s in fields], [[row.get(s.key) for s in fields] for row in rows])


def upload(client, kind, data, name="ledger.xlsx"):
    return client.post(f"/w/import/{kind}/", {"file": SimpleUploadedFile(name, data)})


def confirm(client, kind, preview):
    assert preview.status_code == 200, preview.content.decode()[:3000]
    return client.post(f"/w/import/{kind}/confirm/", {"payload": preview.context["confirm"]["payload"].value()})


def errors(response):
    assert response.status_code == 400
    return [(e.row, e.column, e.message) for e in response.context["errors"]]


def today():
    return timezone.localdate()


def receipt_row(**values):
    row = {
        "occurred_at": today(),
        "product_name": "小麦粉",
        "lot_code": "MF1",
        "quantity": 50,
        "unit": "千克",
        "partner_name": "新粮油商行",
    }
    row.update(values)
    return row


# -- templates --------------------------------------------------------------------------


def test_receiving_template_has_chinese_headers_an_example_and_validation(world):
    customer = f.make_partner(world["workshop"], name="只是客户")
    Partner.objects.filter(pk=customer.pk).update(kind="customer")  # not offered as a supplier below
    response = client_for(world["users"]["operator"]).get("/w/import/receiving/template.xlsx")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="receiving-ledger.xlsx"'
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["进货台账", "说明", "lists"]
    assert book["lists"].sheet_state == "hidden"
    sheet = book["进货台账"]
    assert [c.value for c in sheet[1]] == [
        "进货日期*", "产品名称*", "规格", "批号*", "数量*", "单位*", "生产日期", "保质期至",
        "供货者名称*", "供货者统一社会信用代码", "供货者联系方式", "票据号", "备注",
    ]  # fmt: skip
    assert sheet["M2"].value.startswith("示例")
    rules = {(dv.type, str(dv.sqref)) for dv in sheet.data_validations.dataValidation}
    assert ("list", "F2:F2001") in rules  # units
    assert ("date", "A2:A2001") in rules
    assert ("decimal", "E2:E2001") in rules
    assert ("textLength", "D2:D2001") in rules  # lot code length
    assert ("textLength", "J2:J2001") in rules  # credit code
    assert ("list", "I2:I2001") in rules  # the enterprise's partners
    lists = {str(dv.sqref): dv.formula1 for dv in sheet.data_validations.dataValidation if dv.type == "list"}
    assert lists == {"B2:B2001": "lists!$C$2:$C$3", "F2:F2001": "lists!$A$2:$A$21", "I2:I2001": "lists!$B$2:$B$3"}
    # its products and what it has bought in before: the rice is offered, not typed anew
    assert [c.value for c in book["lists"]["C"][1:3]] == ["大米", "年糕"]
    assert [c.value for c in book["lists"]["A"][1:21]][:11] == [
        "千克", "克", "吨", "升", "毫升", "件", "箱", "袋", "瓶", "斤", "kg",
    ]  # fmt: skip
    partners = [c.value for c in book["lists"]["B"][1:] if c.value]
    assert partners == ["温岭粮油批发", world["shop"].name]
    assert sheet.column_dimensions["D"].number_format == "@"  # lot codes keep leading zeros
    assert sheet.column_dimensions["A"].number_format == "yyyy-mm-dd"


def test_shipping_template_lists_the_lots_in_stock(world):
    response = client_for(world["users"]["operator"]).get("/w/import/shipping/template.xlsx")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["销售台账", "说明", "在库批次", "lists"]
    stock = [[c.value for c in row] for row in book["在库批次"].iter_rows(min_row=2)]
    made, raw = world["made"], world["raw"]
    assert [(r[0], r[1], r[2], r[3]) for r in stock] == [("年糕", made.code, 50, "kg"), ("大米", raw.code, 60, "kg")]


def test_unknown_ledger_is_404(world):
    client = client_for(world["users"]["operator"])
    assert client.get("/w/import/bogus/").status_code == 404
    assert client.get("/w/import/bogus/template.xlsx").status_code == 404


# -- importing --------------------------------------------------------------------------


def test_filled_in_template_imports_all_rows_once(world):
    w = world
    client = client_for(w["users"]["operator"])
    book = load_workbook(io.BytesIO(client.get("/w/import/receiving/template.xlsx").content))
    sheet = book["进货台账"]
    sheet.append([today(), "小麦粉", "25千克/袋", "MF240501", 50, "千克", today() - dt.timedelta(days=3),
                  today() + dt.timedelta(days=180), "新粮油商行", f.make_uscc(9001), "0576-1", "FP-1", None])  # fmt: skip
    sheet.append(
        [f"{today():%Y/%m/%d}", "食盐", None, "YAN7", "500", "克", None, None, "温岭粮油批发", None, None, None]
    )
    out = io.BytesIO()
    book.save(out)
    before = counts()
    preview = upload(client, RECEIVING, out.getvalue())
    assert [p.name for p in preview.context["plan"].new_partners] == ["新粮油商行"]
    assert [item.row.number for item in preview.context["plan"].rows] == [3, 4]  # the example row 2 is skipped
    assert counts() == before  # a preview writes nothing
    done = confirm(client, RECEIVING, preview)
    assert (done.status_code, done["Location"]) == (302, "/w/")
    flour = Lot.objects.get(enterprise=w["workshop"], code="MF240501")
    assert (flour.product_name, flour.quantity_on_hand, flour.unit) == ("小麦粉", Decimal("50.000"), "kg")
    supplier = Partner.objects.get(enterprise=w["workshop"], name="新粮油商行")
    assert flour.supplier_id == supplier.pk
    assert (supplier.name, supplier.uscc, supplier.kind) == ("新粮油商行", f.make_uscc(9001), "supplier")
    salt = Lot.objects.get(enterprise=w["workshop"], code="YAN7")
    assert (salt.quantity_on_hand, salt.unit, salt.supplier_id) == (Decimal("500.000"), "g", w["supplier"].pk)
    receipt = TraceEvent.objects.get(lines__lot=flour)
    assert (receipt.event_type, receipt.reference_no, receipt.recorded_by) == (
        "receive",
        "FP-1",
        w["users"]["operator"],
    )
    assert timezone.localtime(receipt.occurred_at).date() == today()
    entry = HistoryEntry.objects.get(action="interop.ledger.import")
    assert entry.detail["rows"] == 2
    assert entry.detail["partners_added"] == ["新粮油商行"]
    after = counts()
    again = confirm(client, RECEIVING, preview)
    assert errors(again) == [(None, "", "这份文件已经导入过了 / this file was imported already")]
    assert counts() == after
    reupload = upload(client, RECEIVING, out.getvalue())
    assert 'id="earlier-import"' in reupload.content.decode()  # the same file again: warned


def test_cells_typed_as_numbers_or_text_dates_are_read(world):
    w = world
    client = client_for(w["users"]["operator"])
    yesterday = today() - dt.timedelta(days=1)  # a time today might still be in the future
    rows = [
        receipt_row(lot_code=20240501, quantity=0.1, occurred_at=f"{today():%Y年%m月%d日}"),
        receipt_row(lot_code="0042", quantity="1,200.5", occurred_at=f"{yesterday:%Y-%m-%d} 07:30"),
    ]
    confirm(client, RECEIVING, upload(client, RECEIVING, ledger(RECEIVING, rows)))
    first = Lot.objects.get(enterprise=w["workshop"], code="20240501")
    second = Lot.objects.get(enterprise=w["workshop"], code="0042")
    assert (first.quantity_on_hand, second.quantity_on_hand) == (Decimal("0.100"), Decimal("1200.500"))
    receipt = TraceEvent.objects.get(lines__lot=second)
    assert timezone.localtime(receipt.occurred_at).strftime("%Y-%m-%d %H:%M") == f"{yesterday:%Y-%m-%d} 07:30"


def test_todays_rows_entered_in_the_morning_are_not_in_the_future(world, monkeypatch):
    """A date alone means noon of that day, or now if noon has not come yet. The clock ticks between
    readings, as a real one does; before noon every reading is "now", and none may count as future."""
    morning = timezone.make_aware(dt.datetime.combine(today(), dt.time(8, 30)))
    ticks = iter(range(10**6))
    monkeypatch.setattr(timezone, "now", lambda: morning + dt.timedelta(microseconds=next(ticks)))
    client = client_for(world["users"]["operator"])
    shipped = ledger(SHIPPING, [{"occurred_at": today(), "product_name": "年糕", "lot_code": world["made"].code,
                                 "quantity": 1, "unit": "kg", "partner_name": world["shop"].name}])  # fmt: skip
    for kind, data in [(RECEIVING, ledger(RECEIVING, [receipt_row(lot_code="AM1")])), (SHIPPING, shipped)]:
        preview = upload(client, kind, data)
        assert preview.status_code == 200, preview.context["errors"]
        assert confirm(client, kind, preview).status_code == 302
    receipt = TraceEvent.objects.get(lines__lot__code="AM1")
    assert morning < receipt.occurred_at < morning + dt.timedelta(seconds=1)  # now, not noon


def test_a_ledger_in_jin_is_imported_in_kilograms(world):
    client = client_for(world["users"]["operator"])
    confirm(client, RECEIVING, upload(client, RECEIVING, ledger(RECEIVING, [receipt_row(lot_code="JIN1", quantity=30, unit="斤")])))
    lot = Lot.objects.get(enterprise=world["workshop"], code="JIN1")
    assert (lot.unit, lot.quantity_on_hand) == ("kg", Decimal("15.000"))


def test_the_template_uploaded_untouched_has_no_rows(world):
    client = client_for(world["users"]["operator"])
    template = client.get("/w/import/receiving/template.xlsx").content
    assert errors(upload(client, RECEIVING, template)) == [(None, "", "文件中没有数据行 / the file has no data rows")]


def test_receiving_links_the_catalog_product_and_converts_its_unit(world):
    w = world
    flour = f.make_product(w["workshop"], name="小麦粉", specification="25千克/袋", unit="kg")
    f.make_product(w["workshop"], name="小麦粉", specification="5千克/袋", unit="kg")
    client = client_for(w["users"]["operator"])
    rows = [receipt_row(specification="25千克/袋", quantity="2500", unit="克")]
    confirm(client, RECEIVING, upload(client, RECEIVING, ledger(RECEIVING, rows)))
    lot = Lot.objects.get(enterprise=w["workshop"], code="MF1")
    assert (lot.product_id, lot.quantity_on_hand, lot.unit) == (flour.pk, Decimal("2.500"), "kg")
    ambiguous = upload(client, RECEIVING, ledger(RECEIVING, [receipt_row(lot_code="MF2")]))
    assert errors(ambiguous) == [
        (2, "C 规格", "产品“小麦粉”有多个规格（25千克/袋、5千克/袋），请填写规格 / which specification?")
    ]
    wrong_unit = upload(client, RECEIVING, ledger(RECEIVING, [receipt_row(specification="5千克/袋", unit="瓶")]))
    assert errors(wrong_unit) == [
        (2, "F 单位", "不能换算为产品“小麦粉”的单位 kg / incompatible with the product's unit")
    ]
    assert Product.objects.filter(enterprise=w["workshop"], name="小麦粉").count() == 2


def test_shipping_rows_of_one_delivery_note_are_one_shipment(world):
    w = world
    made, raw = w["made"], w["raw"]
    client = client_for(w["users"]["operator"])
    base = {"occurred_at": today(), "unit": "kg", "partner_name": "石塘农家乐", "reference_no": "SH-1"}
    rows = [
        {**base, "product_name": "年糕", "lot_code": made.code, "quantity": 10},
        {**base, "product_name": "大米", "lot_code": raw.code, "quantity": "500", "unit": "g"},
        {"occurred_at": today(), "product_name": "年糕", "lot_code": made.code, "quantity": 2, "unit": "kg"},
    ]
    before = TraceEvent.objects.count()
    confirm(client, SHIPPING, upload(client, SHIPPING, ledger(SHIPPING, rows)))
    shipments = list(TraceEvent.objects.order_by("-pk")[:2])[::-1]
    assert TraceEvent.objects.count() == before + 2
    grouped, retail = shipments
    assert (grouped.event_type, grouped.reference_no) == ("ship", "SH-1")
    assert grouped.partner_id == Partner.objects.get(enterprise=w["workshop"], name="石塘农家乐").pk
    assert sorted((line.lot.code, line.quantity) for line in grouped.lines.all()) == sorted(
        [(made.code, Decimal("10.000")), (raw.code, Decimal("0.500"))]
    )
    assert (retail.partner_id, retail.detail) == (None, {"retail": True})
    assert f.stock(made) == Decimal("38.000")
    assert f.stock(raw) == Decimal("59.500")
    assert Partner.objects.get(enterprise=w["workshop"], name="石塘农家乐").kind == "customer"


# -- bad uploads ------------------------------------------------------------------------


PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _zip_without_workbook():
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "hi")
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        (
            "pdf",
            lambda: PDF,
            [(None, "", "不是 Excel（.xlsx）文件；.xls 或 CSV 请先另存为 .xlsx / not an .xlsx workbook")],
        ),
        (
            "csv",
            lambda: "进货日期,产品名称\n".encode(),
            [(None, "", "不是 Excel（.xlsx）文件；.xls 或 CSV 请先另存为 .xlsx / not an .xlsx workbook")],
        ),
        ("zip", _zip_without_workbook, [(None, "", "不是 Excel（.xlsx）工作簿 / not an .xlsx workbook")]),
        (
            "damaged",
            lambda: ledger(RECEIVING, [receipt_row()])[:900],
            [(None, "", "文件已损坏，无法打开 / the file is damaged and cannot be opened")],
        ),
        ("empty", lambda: ledger(RECEIVING, []), [(None, "", "文件中没有数据行 / the file has no data rows")]),
        (
            "shipping-ledger",
            lambda: ledger(SHIPPING, [{"occurred_at": today()}]),
            [
                (1, "A 销售日期*", "未知的列“销售日期*” / unknown column; 请使用进货台账模板"),
                (1, "F 购货者名称", "未知的列“购货者名称” / unknown column; 请使用进货台账模板"),
                (
                    1,
                    "G 购货者统一社会信用代码",
                    "未知的列“购货者统一社会信用代码” / unknown column; 请使用进货台账模板",
                ),
                (1, "H 购货者联系方式", "未知的列“购货者联系方式” / unknown column; 请使用进货台账模板"),
                (1, "I 送货单号", "未知的列“送货单号” / unknown column; 请使用进货台账模板"),
                (1, "进货日期", "缺少必填列“进货日期” / required column missing"),
                (1, "供货者名称", "缺少必填列“供货者名称” / required column missing"),
            ],
        ),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_bad_files_are_refused_and_nothing_is_written(world, name, data, expected):
    client = client_for(world["users"]["operator"])
    before = counts()
    response = upload(client, RECEIVING, data())
    assert errors(response) == expected
    assert "没有导入任何数据。" in response.content.decode()
    assert counts() == before


def test_wrong_headers_name_every_column(world):
    client = client_for(world["users"]["operator"])
    headers = ["进货日期*", "产品名称", "产品名称", "数目", "单位", "供货者名称"]
    response = upload(client, RECEIVING, workbook_bytes(headers, [[today(), "米", "米", 1, "kg", "甲"]]))
    assert errors(response) == [
        (1, "C 产品名称", "列“产品名称”重复 / column repeated"),
        (1, "D 数目", "未知的列“数目” / unknown column; 请使用进货台账模板"),
        (1, "批号", "缺少必填列“批号” / required column missing"),
        (1, "数量", "缺少必填列“数量” / required column missing"),
    ]


def test_a_file_over_the_size_limit_is_refused_before_reading(world):
    client = client_for(world["users"]["operator"])
    before = counts()
    response = upload(client, RECEIVING, b"PK\x03\x04" + b"\0" * MAX_BYTES)
    assert response.status_code == 400
    assert response.context["form"].errors["file"] == ["文件超过 2 MB。"]
    assert counts() == before


def test_too_many_rows_are_refused(world, monkeypatch):
    monkeypatch.setattr("shilian.interop.ledgers.reader.MAX_ROWS", 3)
    client = client_for(world["users"]["operator"])
    before = counts()
    rows = [receipt_row(lot_code=f"M{i}") for i in range(4)]
    assert errors(upload(client, RECEIVING, ledger(RECEIVING, rows))) == [
        (5, "", "最多导入 3 行，请分成几个文件 / at most 3 rows per file")
    ]
    assert counts() == before


def test_every_bad_row_is_reported_by_row_and_column(world):
    client = client_for(world["users"]["operator"])
    tomorrow = today() + dt.timedelta(days=1)
    rows = [
        receipt_row(),  # row 2: fine
        receipt_row(unit="桶"),
        receipt_row(occurred_at="明天"),
        receipt_row(occurred_at=tomorrow),
        receipt_row(produced_on=today() - dt.timedelta(days=1), expires_on=today() - dt.timedelta(days=5)),
        receipt_row(lot_code="批号A"),
        receipt_row(lot_code="L" * 21),
        receipt_row(quantity=-3),
        receipt_row(quantity="三斤"),
        receipt_row(quantity="1.2345"),
        receipt_row(product_name=None, partner_uscc="123"),
        receipt_row(produced_on=tomorrow),
        receipt_row(expires_on=today() - dt.timedelta(days=1)),
    ]
    before = counts()
    got = errors(upload(client, RECEIVING, ledger(RECEIVING, rows)))
    assert got == [
        (
            3,
            "F 单位",
            "未知单位“桶”，可用：千克(kg)、克(g)、吨(t)、升(L)、毫升(mL)、件(piece)、箱(box)、袋(bag)、瓶(bottle)、斤(jin)"
            " / unknown unit",
        ),
        (4, "A 进货日期", "日期“明天”无法识别，应为 2024-05-01 / not a date (YYYY-MM-DD)"),
        (5, "A 进货日期", "日期在未来 / date is in the future"),
        (6, "H 保质期至", "保质期截止日早于生产日期 / expiry is before production"),
        (7, "D 批号", "批号含GS1 AI(10)字符集以外的字符 / characters outside the GS1 AI (10) set"),
        (8, "D 批号", "最多 20 个字 / at most 20 characters"),
        (9, "E 数量", "数量必须大于0 / quantity must be above zero"),
        (10, "E 数量", "数量“三斤”不是数字 / not a number"),
        (11, "E 数量", "数量最多3位小数 / at most 3 decimal places"),
        (12, "B 产品名称", "必填 / 产品名称 is required"),
        (12, "J 供货者统一社会信用代码", "统一社会信用代码必须为18位 / must be 18 characters"),
        (13, "G 生产日期", "日期在未来 / date is in the future"),
        (14, "H 保质期至", "进货时已过保质期 / expired when it was received"),
    ]
    assert counts() == before


def test_shipping_rows_checked_against_stock_lots_and_units(world):
    w = world
    made, raw = w["made"], w["raw"]
    recalled = f.receive(w["workshop"], product_name="白糖", lot_code="BT1", supplier=w["supplier"])
    start_recall(recalled, reason="抽检不合格", acting_user=w["users"]["inspector_in"])
    f.receive(w["workshop"], product_name="红糖", lot_code="HT1", supplier=w["supplier"],
              expires_on=today() - dt.timedelta(days=1), occurred_at=f.now() - dt.timedelta(days=9))  # fmt: skip
    client = client_for(w["users"]["operator"])
    rows = [
        {"occurred_at": today(), "product_name": "年糕", "lot_code": made.code, "quantity": 30, "unit": "kg"},
        {"occurred_at": today(), "product_name": "年糕", "lot_code": made.code, "quantity": 25, "unit": "kg"},
        {"occurred_at": today(), "product_name": "年糕", "lot_code": "NOPE", "quantity": 1, "unit": "kg"},
        {"occurred_at": today(), "product_name": "白糖", "lot_code": "BT1", "quantity": 1, "unit": "kg"},
        {"occurred_at": today(), "product_name": "大米", "lot_code": raw.code, "quantity": 1, "unit": "件"},
        {"occurred_at": today(), "product_name": "大米", "lot_code": raw.code, "quantity": 60001, "unit": "g"},
        {"occurred_at": today(), "product_name": "红糖", "lot_code": "HT1", "quantity": 1, "unit": "kg",
         "partner_name": w["shop"].name},
        {"occurred_at": today(), "product_name": "红糖", "lot_code": "HT1", "quantity": 1, "unit": "kg",
         "partner_name": w["supplier"].name},  # back to its supplier: fine
    ]
    before = counts()
    got = errors(upload(client, SHIPPING, ledger(SHIPPING, rows)))
    assert got == [
        (3, "D 数量", f"库存不足：年糕 {made.code} 现有 50 kg，本文件前面的行已出 30 kg / only 20 kg left"),
        (4, "C 批号", "没有品名“年糕”批号“NOPE”的批次 / no such lot in your records"),
        (5, "C 批号", "白糖 BT1 已召回，不能销售 / the lot is recalled"),
        (6, "E 单位", "不能换算为批次的单位 kg / incompatible with the lot's unit"),
        (7, "D 数量", f"库存不足：大米 {raw.code} 现有 60 kg / only 60 kg left"),
        (8, "C 批号", f"红糖 HT1 已过保质期（至 {today() - dt.timedelta(days=1)}），不能销售 / expired: it cannot be sold"),
    ]
    assert counts() == before


def test_stock_taken_between_preview_and_confirm_refuses_the_whole_import(world):
    w = world
    made = w["made"]
    client = client_for(w["users"]["operator"])
    rows = [
        {"occurred_at": today(), "product_name": "大米", "lot_code": w["raw"].code, "quantity": 1, "unit": "kg"},
        {"occurred_at": today(), "product_name": "年糕", "lot_code": made.code, "quantity": 40, "unit": "kg"},
    ]
    preview = upload(client, SHIPPING, ledger(SHIPPING, rows))
    f.ship(w["workshop"], made, "20")
    before = counts()
    assert errors(confirm(client, SHIPPING, preview)) == [
        (3, "D 数量", f"库存不足：年糕 {made.code} 现有 30 kg / only 30 kg left")
    ]
    assert counts() == before
    assert f.stock(w["raw"]) == Decimal("60.000")  # row 2 was not recorded either


def test_a_tampered_or_foreign_preview_is_refused(world):
    w = world
    client = client_for(w["users"]["operator"])
    preview = upload(client, RECEIVING, ledger(RECEIVING, [receipt_row()]))
    payload = preview.context["confirm"]["payload"].value()
    before = counts()
    tampered = client.post("/w/import/receiving/confirm/", {"payload": payload[:-3] + "abc"})
    assert errors(tampered) == [
        (None, "", "预览数据无效，请重新上传 / the preview is not valid, upload the file again")
    ]
    other = client_for(w["users"]["other_operator"]).post("/w/import/receiving/confirm/", {"payload": payload})
    assert errors(other) == [(None, "", "预览不属于当前主体或台账 / the preview is for another enterprise or ledger")]
    wrong_kind = client.post("/w/import/shipping/confirm/", {"payload": payload})
    assert errors(wrong_kind) == [
        (None, "", "预览不属于当前主体或台账 / the preview is for another enterprise or ledger")
    ]
    missing = client.post("/w/import/receiving/confirm/", {})
    assert errors(missing) == [(None, "", "预览已失效：请重新上传文件。")]
    assert counts() == before


def test_preview_and_import_queries_do_not_grow_with_rows(world, django_assert_num_queries):
    w = world
    client = client_for(w["users"]["operator"])
    client.get("/w/import/")  # warm the session

    def rows(n, start):
        return [receipt_row(lot_code=f"Q{start + i}", partner_name="温岭粮油批发") for i in range(n)]

    for n, start in ((3, 0), (30, 100)):
        data = ledger(RECEIVING, rows(n, start))
        with django_assert_num_queries(7):
            preview = upload(client, RECEIVING, data)
        with django_assert_num_queries(21):
            confirm(client, RECEIVING, preview)
    assert EventLine.objects.filter(lot__code__startswith="Q").count() == 33


# -- permissions ------------------------------------------------------------------------


OWN_WORKSPACE = (LOGIN, 200, 200, 404, 404, 404)
GETS = [
    ("index", "/w/import/"),
    ("upload-form", "/w/import/receiving/"),
    ("receiving-template", "/w/import/receiving/template.xlsx"),
    ("shipping-template", "/w/import/shipping/template.xlsx"),
]


@pytest.mark.parametrize(("name", "url"), GETS, ids=[row[0] for row in GETS])
def test_get_matrix(world, name, url):
    before = counts()
    for actor, expected in zip(ACTORS, OWN_WORKSPACE, strict=True):
        response = client_for(world["users"][actor]).get(url)
        assert (actor, response.status_code) == (actor, expected)
    assert counts() == before


def test_posts_by_anyone_but_an_operator_write_nothing(world):
    w = world
    data = ledger(RECEIVING, [receipt_row()])
    preview = upload(client_for(w["users"]["operator"]), RECEIVING, data)
    payload = preview.context["confirm"]["payload"].value()
    before = counts()
    for actor in ("anonymous", "inspector_in", "inspector_out", "admin"):
        client = client_for(w["users"][actor])
        first = client.post("/w/import/receiving/", {"file": SimpleUploadedFile("l.xlsx", data)})
        second = client.post("/w/import/receiving/confirm/", {"payload": payload})
        expected = LOGIN if actor == "anonymous" else 404
        assert (actor, first.status_code, second.status_code) == (actor, expected, expected)
    assert counts() == before
    assert client_for(w["users"]["operator"]).get("/w/import/receiving/confirm/").status_code == 405
