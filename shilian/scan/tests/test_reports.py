"""The consumer's "report a problem" form, and what inspectors see of reports and scans."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from PIL import Image

from shilian.chain import photos
from shilian.chain.tests.test_views_support import ACTORS, client_for
from shilian.core.models import HistoryEntry
from shilian.core.testing import factories as f
from shilian.scan import scanlog
from shilian.scan.models import ConsumerReport, CounterfeitFlag, Scan
from shilian.scan.tests.factories import PDF, PNG, make_world

pytestmark = pytest.mark.django_db

LOGIN = 302


@pytest.fixture
def world():
    w = make_world()
    w.users = f.make_actors(w.workshop, f.make_enterprise(jurisdiction="331081104"))
    return w


def _jpeg(size=(64, 48)):
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, "JPEG")
    return out.getvalue()


def _post(world, **fields):
    data = {"code": world.path, "kind": "foreign", "description": "吃到一根头发", "contact": "13800000000", **fields}
    return Client().post("/p/report/", data)


def _state():
    return (ConsumerReport.objects.count(), HistoryEntry.objects.filter(action="scan.report").count())


def test_a_report_with_a_photo_reaches_the_inspectors(world):
    photo = SimpleUploadedFile("x.jpg", _jpeg(), content_type="image/jpeg")
    response = _post(world, photo=photo)
    assert response.status_code == 200
    assert "已提交" in response.content.decode()
    report = ConsumerReport.objects.get()
    assert (report.lot, report.enterprise, report.jurisdiction_code) == (world.cake, world.workshop, "331081102")
    assert (report.kind, report.description, report.contact) == ("foreign", "吃到一根头发", "13800000000")
    assert (report.photo_type, report.photo_size) == ("image/jpeg", len(_jpeg()))
    assert report.photo.name == f"reports/{report.photo_sha256[:2]}/{report.photo_sha256}.jpg"
    assert _state() == (1, 1)
    inspector = client_for(world.users["inspector_in"])
    listing = inspector.get("/r/reports/").content.decode()
    assert "有异物" in listing
    assert "年糕 NG20241008" in listing
    photo_response = inspector.get(f"/r/reports/{report.pk}/photo")
    assert photo_response.status_code == 200
    assert b"".join(photo_response.streaming_content) == _jpeg()
    assert photo_response["Content-Type"] == "image/jpeg"


def test_the_form_works_without_a_photo_or_contact_and_from_a_short_code(world):
    response = Client().post("/p/report/", {"code": world.short_path, "kind": "spoiled", "lang": "en"})
    assert response.status_code == 200
    assert "Thank you" in response.content.decode()
    report = ConsumerReport.objects.get()
    assert (report.lot, report.photo.name, report.contact) == (world.noodles, "", "")


@pytest.mark.parametrize(
    ("fields", "field_says"),
    [
        ({"photo": ("report.pdf", PDF)}, "只接受图片"),
        ({"photo": ("fake.jpg", b"GIF89a" + b"\x00" * 20)}, "已损坏"),  # sniffed as GIF, not an image Pillow reads
        ({"photo": ("empty.png", b"")}, "照片"),
        ({"kind": "nonsense"}, "nonsense"),
        ({"kind": ""}, "必填"),
        ({"description": "x" * 1001}, "1000"),
        ({"contact": "x" * 101}, "100"),
        ({"contact": "abc"}, "请填写电话号码或电子邮箱"),  # nothing anyone could answer
        ({"contact": "12345"}, "请填写电话号码或电子邮箱"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(world, fields, field_says):
    if "photo" in fields:
        name, content = fields["photo"]
        fields = {"photo": SimpleUploadedFile(name, content)}
    response = _post(world, **fields)
    assert response.status_code == 400
    html = response.content.decode()
    assert field_says in html
    assert 'name="code" value="/01/06901234567892/10/NG20241008"' in html
    assert _state() == (0, 0)


@pytest.mark.parametrize("contact", ["13800000000", "+86 576-8668 1234", "wang@example.cn", ""])
def test_a_phone_number_or_an_e_mail_address_is_taken(world, contact):
    assert _post(world, contact=contact).status_code == 200
    assert ConsumerReport.objects.get().contact == contact


def test_an_oversized_photo_is_refused(world, monkeypatch):
    monkeypatch.setattr(photos, "PHOTO_MAX_BYTES", 1000)
    response = _post(world, photo=SimpleUploadedFile("big.png", PNG + b"\x00" * 2000))
    assert response.status_code == 400
    assert "5 MB" in response.content.decode()
    assert _state() == (0, 0)


def test_an_unknown_or_malformed_code_cannot_be_reported(world):
    assert Client().post("/p/report/", {"code": "/01/06901234567892/10/NOSUCH", "kind": "other"}).status_code == 404
    assert Client().post("/p/report/", {"code": "/01/06901234567893/10/X", "kind": "other"}).status_code == 400
    assert Client().post("/p/report/", {"kind": "other"}).status_code == 400
    assert _state() == (0, 0)


def test_the_standalone_form_page(world):
    response = Client().get("/p/report/", {"code": world.path, "lang": "en"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'action="/p/report/"' in html
    assert "NG20241008" in html
    assert '<html lang="en">' in html


@pytest.fixture
def filed(world):
    for kind in ("foreign", "illness"):
        assert _post(world, kind=kind, photo=SimpleUploadedFile("x.png", PNG)).status_code == 200
    return {"report": ConsumerReport.objects.order_by("pk").first()}


LIST = (LOGIN, 404, 404, 200, 200, 200)
ROW = (LOGIN, 404, 404, 200, 404, 200)
PAGES = [
    ("reports", lambda w, r: "/r/reports/", LIST),
    ("report", lambda w, r: f"/r/reports/{r.pk}/", ROW),
    ("photo", lambda w, r: f"/r/reports/{r.pk}/photo", ROW),
    ("scans", lambda w, r: "/r/scans/", LIST),
]


@pytest.mark.parametrize(("name", "path", "statuses"), PAGES, ids=[p[0] for p in PAGES])
def test_permission_matrix(world, filed, name, path, statuses):
    url = path(world, filed["report"])
    before = (_state(), Scan.objects.count(), CounterfeitFlag.objects.count())
    for actor, expected in zip(ACTORS, statuses, strict=True):
        response = client_for(world.users[actor]).get(url)
        assert (actor, response.status_code) == (actor, expected)
    assert (_state(), Scan.objects.count(), CounterfeitFlag.objects.count()) == before


def test_inspectors_see_only_their_jurisdiction(world, filed):
    inside = client_for(world.users["inspector_in"]).get("/r/reports/").content.decode()
    outside = client_for(world.users["inspector_out"]).get("/r/reports/").content.decode()
    assert inside.count('class="card report"') == 2
    assert outside.count('class="card report"') == 0


def test_the_report_list_costs_the_same_queries_for_more_reports(world):
    inspector = client_for(world.users["inspector_in"])
    _post(world)
    inspector.get("/r/reports/")
    with CaptureQueriesContext(connection) as few:
        inspector.get("/r/reports/")
    for _ in range(6):
        _post(world, kind="label")
    with CaptureQueriesContext(connection) as many:
        response = inspector.get("/r/reports/")
    assert response.content.decode().count('class="card report"') == 7
    assert len(few) == len(many) == 5  # session, user, scope, count, page


def test_scan_statistics_per_product_and_town(world, monkeypatch):
    monkeypatch.setattr(scanlog, "_last_write", 0.0)
    for _ in range(3):
        Client().get(world.path)
    Client().get(world.short_path)
    scanlog.flush()
    inspector = client_for(world.users["inspector_in"])
    inspector.get("/r/scans/")
    with CaptureQueriesContext(connection) as queries:
        html = inspector.get("/r/scans/").content.decode()
    by_product = html[html.index('id="by-product"') : html.index('id="by-town"')]
    by_town = html[html.index('id="by-town"') :]
    assert "年糕" in by_product
    assert "<b>3</b>" in by_product
    assert "手工面" in by_product
    assert "<b>1</b>" in by_product
    assert "石塘镇" in by_town
    assert "<b>4</b>" in by_town
    assert "最近两周扫码4次" in html
    assert len(queries) == 8  # session, user, scope, 2 grouped counts, 2 name look-ups, flags
    outside = client_for(world.users["inspector_out"]).get("/r/scans/").content.decode()
    assert "年糕" not in outside
    assert "最近两周扫码0次" in outside
