"""The labels page, label jobs and symbol downloads: permission matrix, forms, background jobs."""

import io
import re

import pytest
import zxingcpp
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image

from shilian.chain.actions import start_recall
from shilian.chain.tests import test_views_support
from shilian.chain.tests.test_views_support import ACTORS, client_for
from shilian.chain.tests.test_views_support import counts as chain_counts
from shilian.codes.actions import start_label_job
from shilian.codes.choices import LabelJobStatus
from shilian.codes.digital_link import parse_uri
from shilian.codes.models import LabelJob, SerialRange, ShortCode
from shilian.codes.queries import lot_for_key, uri_for_lot

pytestmark = pytest.mark.django_db
world = test_views_support.world

LOGIN = 302
WORKSHOP_ROW = (LOGIN, 200, 404, 404, 404, 404)


def counts():
    return {
        **chain_counts(),
        "short_codes": ShortCode.objects.count(),
        "serial_ranges": SerialRange.objects.count(),
        "label_jobs": LabelJob.objects.count(),
    }


def _job(w):
    if "job" not in w:
        w["job"] = start_label_job(w["made"], layout="a4-4x10", copies=600, acting_user=w["users"]["operator"])
    return w["job"]


GET_PAGES = [
    ("labels", lambda w: f"/w/lots/{w['made'].pk}/labels/"),
    ("labels-no-gtin", lambda w: f"/w/lots/{w['raw'].pk}/labels/"),
    ("symbol-svg", lambda w: f"/w/lots/{w['made'].pk}/code.svg"),
    ("symbol-png", lambda w: f"/w/lots/{w['made'].pk}/code.png"),
    ("symbol-pdf", lambda w: f"/w/lots/{w['made'].pk}/code.pdf"),
    ("symbol-datamatrix", lambda w: f"/w/lots/{w['made'].pk}/code.png?symbol=datamatrix"),
    ("job", lambda w: f"/w/labels/{_job(w).pk}/"),
    ("job-file", lambda w: f"/w/labels/{_job(w).pk}/file/"),
]


@pytest.mark.parametrize(("name", "path"), GET_PAGES, ids=[row[0] for row in GET_PAGES])
def test_get_matrix(world, name, path, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        url = path(world)
    before = counts()
    for actor, expected in zip(ACTORS, WORKSHOP_ROW, strict=True):
        response = client_for(world["users"][actor]).get(url)
        assert (actor, response.status_code) == (actor, expected)
    assert counts() == before


POSTS = [
    (
        "labels",
        lambda w: f"/w/lots/{w['raw'].pk}/labels/",
        {"layout": "a4-4x10", "symbol": "qr", "mode": "serials", "count": "5"},
    ),
    (
        "labels-job",
        lambda w: f"/w/lots/{w['made'].pk}/labels/",
        {"layout": "a4-4x10", "symbol": "qr", "mode": "serials", "count": "600"},
    ),
    ("issue-code", lambda w: f"/w/lots/{w['raw'].pk}/code/", {}),
]


@pytest.mark.parametrize(("name", "path", "body"), POSTS, ids=[row[0] for row in POSTS])
def test_denied_posts_write_nothing(world, name, path, body, django_capture_on_commit_callbacks):
    before = counts()
    assert client_for(None).post(path(world), body).status_code == LOGIN
    for actor in ("other_operator", "inspector_in", "inspector_out", "admin"):
        with django_capture_on_commit_callbacks(execute=True):
            response = client_for(world["users"][actor]).post(path(world), body)
        assert (actor, response.status_code) == (actor, 404)
    assert counts() == before


def test_labels_page_shows_the_code_and_downloads(world):
    response = client_for(world["users"]["operator"]).get(f"/w/lots/{world['made'].pk}/labels/")
    assert response.status_code == 200
    assert response.context["uri"] == uri_for_lot(world["made"])
    assert response.context["has_gtin"] is True
    html = response.content.decode()
    assert f"/w/lots/{world['made'].pk}/code.svg" in html
    assert "?symbol=datamatrix" in html


def test_small_request_returns_the_pdf_and_issues_serials(world):
    lot = world["raw"]  # no GTIN: the short code is issued with the serials
    response = client_for(world["users"]["operator"]).post(
        f"/w/lots/{lot.pk}/labels/", {"layout": "40x30", "symbol": "qr", "mode": "serials", "count": "3"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="labels-R1.pdf"'
    assert response.content.startswith(b"%PDF")
    assert [(r.first, r.last) for r in SerialRange.objects.filter(lot=lot)] == [(1, 3)]
    assert ShortCode.objects.filter(lot=lot).count() == 1


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"layout": "a4-4x10", "symbol": "qr", "mode": "lot", "count": "0"}, "count", "min_value"),
        ({"layout": "a4-4x10", "symbol": "qr", "mode": "lot", "count": "100001"}, "count", "max_value"),
        ({"layout": "a5", "symbol": "qr", "mode": "lot", "count": "1"}, "layout", "invalid_choice"),
        (
            {"layout": "a4-4x10", "symbol": "datamatrix", "mode": "lot", "count": "1"},
            "symbol",
            "GS1 DataMatrix needs a GTIN",
        ),
    ],
)
def test_bad_requests_are_field_errors_and_write_nothing(world, body, field, words):
    before = counts()
    response = client_for(world["users"]["operator"]).post(f"/w/lots/{world['raw'].pk}/labels/", body)
    assert response.status_code == 200
    (error,) = response.context["form"].errors.as_data()[field]
    assert list(response.context["form"].errors) == [field]
    assert words in (error.code or "", *error.messages) or words in error.messages[0]
    assert counts() == before


def test_recalled_lot_prints_no_labels(world):
    start_recall(world["made"], reason="抽检不合格", acting_user=world["users"]["inspector_in"])
    before = counts()
    response = client_for(world["users"]["operator"]).post(
        f"/w/lots/{world['made'].pk}/labels/", {"layout": "a4-4x10", "symbol": "qr", "mode": "serials", "count": "5"}
    )
    assert response.status_code == 200
    assert "已召回" in str(response.context["form"].non_field_errors())  # the page's language only
    assert counts() == before


def test_missing_font_is_said_before_anything_is_issued(world, settings):
    settings.SHILIAN_LABEL_FONT = "/nonexistent/font.ttc"
    before = counts()
    response = client_for(world["users"]["operator"]).post(
        f"/w/lots/{world['raw'].pk}/labels/", {"layout": "a4-4x10", "symbol": "qr", "mode": "serials", "count": "5"}
    )
    assert "标签字体不存在：SHILIAN_LABEL_FONT=/nonexistent/font.ttc" in str(response.context["form"].non_field_errors())
    assert counts() == before


def test_large_request_runs_as_a_job_with_progress_and_download(world, django_capture_on_commit_callbacks):
    client = client_for(world["users"]["operator"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/w/lots/{world['made'].pk}/labels/",
            {"layout": "a4-4x10", "symbol": "qr", "mode": "serials", "count": "520"},
        )
    job = LabelJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/w/labels/{job.pk}/"
    assert (job.status, job.done, job.total, job.serial_range.first, job.serial_range.last) == (
        LabelJobStatus.DONE,
        520,
        520,
        1,
        520,
    )
    page = client.get(f"/w/labels/{job.pk}/")
    assert f"/w/labels/{job.pk}/file/" in page.content.decode()
    assert "hx-trigger" not in page.content.decode()  # finished: no more polling
    fragment = client.get(f"/w/labels/{job.pk}/", headers={"HX-Request": "true"})
    assert fragment.content.decode().lstrip().startswith('<div id="job-progress"')
    download = client.get(f"/w/labels/{job.pk}/file/")
    pdf = b"".join(download.streaming_content)
    assert pdf.startswith(b"%PDF")
    assert len(re.findall(rb"/Type /Page(?!s)", pdf)) == 13  # 520 labels, 40 a page


def test_a_running_job_is_polled(world):
    job = LabelJob.objects.create(
        lot=world["made"],
        enterprise=world["workshop"],
        requested_by=world["users"]["operator"],
        layout="a4-4x10",
        total=1000,
        done=250,
        status=LabelJobStatus.RUNNING,
    )
    fragment = client_for(world["users"]["operator"]).get(f"/w/labels/{job.pk}/", headers={"HX-Request": "true"})
    html = fragment.content.decode()
    assert 'hx-trigger="every 1s"' in html
    assert '<progress max="1000" value="250"' in html
    assert client_for(world["users"]["operator"]).get(f"/w/labels/{job.pk}/file/").status_code == 404


@pytest.mark.parametrize(
    ("fmt", "content_type"), [("svg", "image/svg+xml"), ("png", "image/png"), ("pdf", "application/pdf")]
)
def test_symbol_downloads(world, fmt, content_type):
    response = client_for(world["users"]["operator"]).get(f"/w/lots/{world['made'].pk}/code.{fmt}")
    assert response["Content-Type"] == content_type
    if fmt == "png":
        (found,) = zxingcpp.read_barcodes(
            Image.open(io.BytesIO(response.content)), formats=zxingcpp.BarcodeFormat.QRCode
        )
        assert lot_for_key(parse_uri(found.text)) == world["made"]


def test_datamatrix_download_carries_the_element_string(world):
    response = client_for(world["users"]["operator"]).get(f"/w/lots/{world['made'].pk}/code.png?symbol=datamatrix")
    (found,) = zxingcpp.read_barcodes(
        Image.open(io.BytesIO(response.content)), formats=zxingcpp.BarcodeFormat.DataMatrix
    )
    assert found.content_type == zxingcpp.ContentType.GS1
    assert lot_for_key(parse_uri(found.text)) == world["made"]


@pytest.mark.parametrize("path", ["code.gif", "code.png?symbol=aztec"])
def test_unknown_format_or_symbol_is_404(world, path):
    assert client_for(world["users"]["operator"]).get(f"/w/lots/{world['made'].pk}/{path}").status_code == 404


def test_no_code_yet_no_download_until_issued(world):
    client = client_for(world["users"]["operator"])
    lot = world["raw"]
    assert client.get(f"/w/lots/{lot.pk}/code.svg").status_code == 404
    assert client.get(f"/w/lots/{lot.pk}/code.png?symbol=datamatrix").status_code == 404
    response = client.post(f"/w/lots/{lot.pk}/code/")
    assert response["Location"] == f"/w/lots/{lot.pk}/labels/"
    assert client.get(f"/w/lots/{lot.pk}/code.svg").status_code == 200
    assert ShortCode.objects.filter(lot=lot).count() == 1


def test_labels_page_queries_do_not_grow_with_jobs(world):
    client = client_for(world["users"]["operator"])
    url = f"/w/lots/{world['made'].pk}/labels/"

    def add_jobs(n):
        for _ in range(n):
            LabelJob.objects.create(
                lot=world["made"],
                enterprise=world["workshop"],
                requested_by=world["users"]["operator"],
                layout="a4-4x10",
                total=600,
            )

    add_jobs(1)
    client.get(url)  # warm the session and scope caches
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    add_jobs(7)
    with CaptureQueriesContext(connection) as eight:
        response = client.get(url)
    assert len(response.context["jobs"]) == 8
    # session, user, roles, the operated enterprise, the lot, serial ranges, jobs
    assert len(eight) == len(one) == 7, [q["sql"][:90] for q in eight.captured_queries]
