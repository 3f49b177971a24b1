"""Label geometry, the CJK font search, the job task and the ``labels`` command."""

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from shilian.codes.actions import start_label_job
from shilian.codes.choices import LabelJobStatus, Layout
from shilian.codes.jobs import draw_label_job
from shilian.codes.labels import fonts
from shilian.codes.labels.layouts import GEOMETRY
from shilian.codes.models import LabelJob, SerialRange, ShortCode
from shilian.codes.queries import uri_for_lot
from shilian.codes.tests.factories import produce_lot
from shilian.core.errors import DomainError
from shilian.core.models import HistoryEntry
from shilian.core.testing.factories import make_operator

GTIN = "06901234567892"


@pytest.mark.parametrize("layout", list(Layout))
def test_every_label_fits_its_page(layout):
    geo = GEOMETRY[layout]
    for index in range(geo.per_page):
        x, y = geo.origin(index)
        assert x >= 0
        assert x + geo.label_w <= geo.page_w + 1e-9
        assert y >= 0
        assert y + geo.label_h <= geo.page_h + 1e-9
    assert geo.code + 2 * geo.pad <= geo.label_h
    assert geo.label_w - geo.code - 2 * geo.pad >= 15  # room for the text


def test_font_search_prefers_the_setting_then_debian_paths(settings, tmp_path):
    settings.SHILIAN_LABEL_FONT = ""
    assert str(fonts.find_font_path()) == "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
    settings.SHILIAN_LABEL_FONT = str(tmp_path / "missing.ttf")
    with pytest.raises(DomainError, match="is not a file") as err:
        fonts.find_font_path()
    assert err.value.field == "SHILIAN_LABEL_FONT"


def test_no_font_anywhere_names_the_package_and_the_setting(settings, monkeypatch):
    settings.SHILIAN_LABEL_FONT = ""
    monkeypatch.setattr(fonts, "CANDIDATES", ("/nonexistent/wqy-zenhei.ttc",))
    with pytest.raises(DomainError) as err:
        fonts.find_font_path()
    assert "fonts-wqy-zenhei" in err.value.message
    assert "SHILIAN_LABEL_FONT" in err.value.message


def test_a_cff_font_is_refused_with_the_reason(settings):
    settings.SHILIAN_LABEL_FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
    with pytest.raises(DomainError, match="postscript outlines are not supported"):
        fonts.label_font()


@pytest.mark.django_db
def test_a_job_that_cannot_draw_fails_with_the_reason(settings, django_capture_on_commit_callbacks):
    lot = produce_lot(gtin=GTIN)
    user = make_operator(lot.enterprise)
    settings.SHILIAN_LABEL_FONT = "/nonexistent.ttc"
    with django_capture_on_commit_callbacks(execute=True):
        job = start_label_job(lot, layout="a4-4x10", copies=700, acting_user=user)
    job.refresh_from_db()
    assert job.status == LabelJobStatus.FAILED
    assert "SHILIAN_LABEL_FONT=/nonexistent.ttc is not a file" in job.error
    assert HistoryEntry.objects.filter(action="codes.start_label_job").count() == 1
    settings.SHILIAN_LABEL_FONT = ""
    draw_label_job.call(job.pk)  # a re-run starts over and finishes
    job.refresh_from_db()
    assert (job.status, job.done, job.error) == (LabelJobStatus.DONE, 700, "")
    assert job.file.read().startswith(b"%PDF")


@pytest.mark.django_db
def test_labels_command_with_serials(tmp_path):
    lot = produce_lot(gtin=GTIN, lot_code="L2024")
    out = tmp_path / "labels.pdf"
    stdout = StringIO()
    call_command(
        "labels",
        "https://x/01/6901234567892/10/L2024",
        "--out",
        str(out),
        "--serials",
        "30",
        "--layout",
        "40x30",
        stdout=stdout,
    )
    assert out.read_bytes().startswith(b"%PDF")
    assert len(re.findall(rb"/Type /Page(?!s)", out.read_bytes())) == 30
    assert [(r.first, r.last) for r in SerialRange.objects.filter(lot=lot)] == [(1, 30)]
    assert "serials 1–30" in stdout.getvalue()


@pytest.mark.django_db
def test_labels_command_by_id_issues_the_short_code(tmp_path):
    lot = produce_lot()
    out = tmp_path / "labels.pdf"
    call_command("labels", str(lot.pk), "--out", str(out), "--layout", "a4-3x8", stdout=StringIO())
    assert ShortCode.objects.filter(lot=lot).exists()
    assert len(re.findall(rb"/Type /Page(?!s)", out.read_bytes())) == 1
    call_command("labels", uri_for_lot(lot), "--out", str(out), "--copies", "25", stdout=StringIO())
    assert len(re.findall(rb"/Type /Page(?!s)", out.read_bytes())) == 1  # 25 fit a 4×10 sheet


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["999999"], "no lot with id 999999"),
        (["/01/06901234567893/10/X"], "wrong check digit"),
        (["/01/06901234567892/10/NOPE"], "unknown lot"),
        (["{lot}", "--symbol", "datamatrix"], "symbol: "),
        (["{lot}", "--serials", "100001"], "count: "),
    ],
)
def test_labels_command_errors(tmp_path, args, words):
    lot = produce_lot()
    out = tmp_path / "labels.pdf"
    with pytest.raises(CommandError, match=re.escape(words)):
        call_command("labels", *[a.format(lot=lot.pk) for a in args], "--out", str(out), stdout=StringIO())
    assert not out.exists()
    assert not ShortCode.objects.exists()
    assert not LabelJob.objects.exists()
