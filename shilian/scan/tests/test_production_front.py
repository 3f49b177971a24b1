"""The production front: pages pre-rendered to files, nginx serving them, scans ingested.

The last test runs the real nginx (``/usr/sbin/nginx``, or ``SHILIAN_NGINX``) with
``deploy/nginx/shilian.conf`` in a scratch directory, in front of a live server thread.
"""

import datetime as dt
import gzip
import os
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from shilian.chain.actions import InputSpec, OutputSpec, record_inspection, record_transformation, start_recall
from shilian.core.testing import factories as f
from shilian.scan import scanlog
from shilian.scan.choices import ScanSource
from shilian.scan.client import client_key
from shilian.scan.ingest import ingest, parse_line
from shilian.scan.models import Scan
from shilian.scan.prerender import Prerenderer, page_file
from shilian.scan.tests.factories import GTIN, make_world
from shilian.scan.tests.nginx import NGINX, free_port, running_nginx

UA = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/126.0 Mobile Safari/537.36"


@pytest.fixture
def world(db):
    return make_world()


def _files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*.html"))


@pytest.mark.django_db
def test_prerender_writes_the_bytes_the_app_serves(world, tmp_path):
    renderer = Prerenderer(tmp_path)
    assert renderer.full_pass() == 2  # the GTIN lot and the short-coded lot
    short = world.short_path.rsplit("/", 1)[1]
    assert _files(tmp_path) == [
        f"en/01/{GTIN}/10/NG20241008.html",
        f"en/t/{short}.html",
        f"zh-hans/01/{GTIN}/10/NG20241008.html",
        f"zh-hans/t/{short}.html",
    ]
    for lang, query in (("zh-hans", ""), ("en", "?lang=en")):
        served = Client().get(world.path + query).content
        assert page_file(tmp_path, lang, world.path).read_bytes() == served


@pytest.mark.django_db
def test_incremental_passes_render_only_what_changed(world, tmp_path):
    renderer = Prerenderer(tmp_path)
    renderer.full_pass()
    assert renderer.incremental_pass() == 0
    record_inspection(world.cake, kind="official", passed=True, occurred_at=timezone.now(), acting_user=world.user,
                      lab="温岭市检测中心")
    assert renderer.incremental_pass() == 1
    assert "温岭市检测中心" in page_file(tmp_path, "zh-hans", world.path).read_text()
    start_recall(world.rice, reason="大米黄曲霉毒素超标", acting_user=f.make_inspector())  # upstream: both lots
    assert renderer.incremental_pass() == 2
    assert "大米黄曲霉毒素超标" in page_file(tmp_path, "zh-hans", world.short_path).read_text()
    assert renderer.incremental_pass() == 0


@pytest.mark.django_db
def test_a_new_lot_and_an_unmappable_lot_code(world, tmp_path):
    renderer = Prerenderer(tmp_path)
    renderer.full_pass()
    for code in ("NG20241009", "NG+2024"):
        record_transformation(
            world.workshop, inputs=[InputSpec(world.rice, "1", "kg")],
            outputs=[OutputSpec(world.product, "2", "kg", lot_code=code)], occurred_at=timezone.now(), acting_user=world.user,
        )
    assert renderer.incremental_pass() == 2  # the two new lots (using the rice does not change the other pages)
    assert (tmp_path / "zh-hans/01" / GTIN / "10/NG20241009.html").exists()
    assert not list(tmp_path.rglob("*+2024.html"))  # nginx's location does not map "+": left to the app
    assert Client().get(f"/01/{GTIN}/10/NG%2B2024").status_code == 200


def _line(uri, status="200", net="198.51.100.0", ua=UA, lang="zh-CN,zh;q=0.9", when=1730000000.123):
    return f"{when}\t{uri}\t{status}\t{net}\t{ua}\t{lang}\n"


@pytest.mark.django_db
def test_ingest_reads_new_lines_once_and_follows_rotation(world, tmp_path):
    log = tmp_path / "scans.log"
    log.write_text(_line(world.path) + _line(world.path + "?17=241107", status="304") + _line(world.path, status="404")
                   + _line("/01/06901234567893/10/X") + "garbage\n" + _line(world.short_path)[:20])
    assert ingest(log) == 2
    assert ingest(log) == 0
    with log.open("a") as out:
        out.write(_line(world.short_path)[20:])  # the half-written line is now whole
    assert ingest(log) == 1
    rows = list(Scan.objects.order_by("pk").values_list("source", "lot_id", "client", "scanned_at"))
    when = dt.datetime.fromtimestamp(1730000000.123, tz=dt.UTC)
    hashed = client_key("198.51.100.0", UA)
    assert rows == [
        (ScanSource.NGINX, world.cake.pk, hashed, when),
        (ScanSource.NGINX, world.cake.pk, hashed, when),
        (ScanSource.NGINX, world.noodles.pk, hashed, when),
    ]
    log.unlink()
    log.write_text(_line(world.path))  # rotated: a new file
    assert ingest(log) == 1


@pytest.mark.django_db
def test_nginx_escapes_are_undone_as_a_wsgi_server_would_hand_the_header(world):
    row = parse_line(_line(world.path, ua="Mozilla \\x22quoted\\x22 \\xE4\\xB8\\xAD"))
    sent = 'Mozilla "quoted" 中'.encode().decode("latin-1")  # PEP 3333: header bytes read as Latin-1
    assert (row.lot_id, row.client) == (world.cake.pk, client_key("198.51.100.0", sent))


@pytest.mark.skipif(not os.path.exists(NGINX), reason="nginx is not installed")
@pytest.mark.django_db(transaction=True)
def test_a_scan_through_nginx_is_served_from_the_file_and_logged_after_ingest(live_server, tmp_path):
    world = make_world()
    pages = tmp_path / "pages"
    Prerenderer(pages).full_pass()
    scan_log = tmp_path / "scans.log"
    port = free_port()
    app = live_server.url.removeprefix("http://")
    scanlog.discard()

    def get(path, **headers):
        request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"User-Agent": UA, **headers})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    with running_nginx(tmp_path / "nginx", port=port, app=app, pages=pages, scan_log=scan_log):
        status, headers, body = get(world.path + "?17=241107")
        assert (status, headers["Content-Type"], headers["Cache-Control"]) == (200, "text/html; charset=utf-8", "no-cache")
        assert body == page_file(pages, "zh-hans", world.path).read_bytes()
        assert get(world.path + "?lang=en")[2] == page_file(pages, "en", world.path).read_bytes()
        # not from a file: item codes, linksets, unknown codes and other query strings go to the app
        item = get(world.path + "/21/5")
        assert item[0] == 404  # no serial issued
        linkset = get(world.path, Accept="application/linkset+json")
        assert (linkset[0], linkset[1]["Content-Type"]) == (200, "application/linkset+json")
        assert get("/01/06901234567892/10/NOSUCH")[0] == 404
        assert get(world.path + "?17=991399")[0] == 400  # the app reads the attribute and refuses it
        served_by_app = get(world.path + "?utm_source=label")
        assert served_by_app[0] == 200
        # compressed when the phone asks: a page from its file, and the app's JSON (neither a scan)
        status, headers, body = get(world.path + "?lang=en", **{"Accept-Encoding": "gzip"})
        assert (status, headers.get("Content-Encoding")) == (200, "gzip")
        assert gzip.decompress(body) == page_file(pages, "en", world.path).read_bytes()
        status, headers, body = get("/api/openapi.json", **{"Accept-Encoding": "gzip"})
        assert (status, headers.get("Content-Encoding")) == (200, "gzip")
        assert gzip.decompress(body) == get("/api/openapi.json")[2]
        assert len(body) * 4 < len(gzip.decompress(body))
    scanlog.flush()
    app_scans = list(Scan.objects.values_list("source", "lot_id"))
    assert sorted(app_scans, key=str) == sorted(
        [(ScanSource.APP, None), (ScanSource.APP, world.cake.pk), (ScanSource.APP, None), (ScanSource.APP, world.cake.pk)],
        key=str,
    )  # the item code, the linkset, the unknown code, the untracked query string: logged by the app
    lines = scan_log.read_text().splitlines()
    assert len(lines) == 1  # the page served from the file (the ?lang=en switch is not a scan)
    assert lines[0].split("\t")[1:4] == [world.path + "?17=241107", "200", "127.0.0.0"]
    assert ingest(scan_log) == 1
    nginx_scan = Scan.objects.get(source=ScanSource.NGINX)
    assert (nginx_scan.lot_id, nginx_scan.gtin, nginx_scan.ua_family) == (world.cake.pk, GTIN, "Chrome")
    assert nginx_scan.client == client_key("127.0.0.0", UA)
    # an app-served scan through nginx is hashed from the address nginx forwarded, like the file-served one
    forwarded = Scan.objects.filter(source=ScanSource.APP, lot_id=world.cake.pk).values_list("client", flat=True)
    assert set(forwarded) == {client_key("127.0.0.0", UA)}
