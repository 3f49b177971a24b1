"""The front door answers a cached scan exactly as the resolver view would, and nothing else."""

import io

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone

from shilian.chain.actions import record_inspection
from shilian.scan import ratelimit, scanlog
from shilian.scan.frontdoor import FrontDoor
from shilian.scan.models import Scan
from shilian.scan.tests.factories import make_world

pytestmark = pytest.mark.django_db

UA = "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/126.0 Mobile Safari/537.36"


class Spy:
    """Django behind the front door, counting what reaches it."""

    def __init__(self):
        self.django = WSGIHandler()
        self.calls = 0

    def __call__(self, environ, start_response):
        self.calls += 1
        return self.django(environ, start_response)


def call(app, path, query="", **headers):
    environ = {
        "REQUEST_METHOD": headers.pop("method", "GET"),
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1",
        "REMOTE_ADDR": "198.51.100.20",
        "HTTP_USER_AGENT": UA,
        "wsgi.input": io.BytesIO(b""),
        "wsgi.url_scheme": "http",
        **headers,
    }
    answer = {}

    def start_response(status, response_headers, exc_info=None):
        answer["status"], answer["headers"] = status, response_headers

    body = b"".join(app(environ, start_response))
    return answer["status"], sorted((k.lower(), v) for k, v in answer["headers"]), body


@pytest.fixture
def world():
    return make_world()


@pytest.fixture(autouse=True)
def _keep_the_test_connection(monkeypatch):
    """As Django's test client does: the test's transaction must outlive each request."""
    monkeypatch.setattr("shilian.scan.frontdoor.close_old_connections", lambda: None)
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def door():
    return FrontDoor(Spy())


@pytest.mark.parametrize("query", ["", "lang=en", "17=241107&11=241008"])
def test_a_cached_page_comes_back_as_the_view_sends_it(world, door, query):
    through_django = call(door, world.path, query)  # renders and caches
    assert door.app.calls == 1
    through_door = call(door, world.path, query)
    assert door.app.calls == 1  # answered at the door
    assert through_door == through_django
    assert through_door[0] == "200 OK"


def test_scans_at_the_door_are_the_rows_the_view_writes(world, door):
    call(door, f"{world.path}", "17=241107")
    call(door, f"{world.path}", "17=241107")
    call(door, world.path, "lang=en")
    call(door, world.path, "lang=en")  # a language switch: no scan, at the door or not
    scanlog.flush()
    fields = ("kind", "lot_id", "product_id", "enterprise_id", "jurisdiction_code", "gtin", "lot_code", "ua_family", "platform", "client")
    rows = list(Scan.objects.order_by("pk").values_list(*fields))
    assert len(rows) == 2
    assert rows[0] == rows[1]


def test_304_at_the_door(world, door):
    _, headers, _ = call(door, world.path)
    etag = dict(headers)["etag"]
    status, headers, body = call(door, world.path, HTTP_IF_NONE_MATCH=etag)
    assert (status, body, door.app.calls) == ("304 Not Modified", b"", 1)


@pytest.mark.parametrize(
    ("path", "query", "headers"),
    [
        ("/01/06901234567893/10/X", "", {}),  # malformed
        ("/01/06901234567892/10/NOSUCH", "", {}),  # unknown
        ("/01/06901234567892", "", {}),  # product level
        ("{path}", "", {"HTTP_ACCEPT": "application/linkset+json"}),
        ("{path}", "linkType=all", {}),
        ("{path}", "", {"method": "HEAD"}),
        ("/r/", "", {}),
    ],
)
def test_everything_else_goes_to_django(world, door, path, query, headers):
    call(door, world.path)  # the lot page is cached
    calls = door.app.calls
    call(door, path.format(path=world.path), query, **headers)
    assert door.app.calls == calls + 1


def test_an_event_sends_the_next_scan_to_django_again(world, door):
    call(door, world.path)
    call(door, world.path)
    assert door.app.calls == 1
    record_inspection(world.cake, kind="official", passed=True, occurred_at=timezone.now(), acting_user=world.user)
    _, _, body = call(door, world.path)
    assert door.app.calls == 2
    assert "监督抽检" in body.decode()


def test_a_limited_client_is_answered_by_the_view(world, door, monkeypatch):
    monkeypatch.setattr(ratelimit, "RESOLVE_RATE", "2/m")
    monkeypatch.setattr("shilian.scan.frontdoor.RESOLVE_RATE", "2/m")
    monkeypatch.setattr("shilian.scan.views.public.RESOLVE_RATE", "2/m")
    statuses = [call(door, world.path)[0] for _ in range(3)]
    assert statuses == ["200 OK", "200 OK", "429 Too Many Requests"]
