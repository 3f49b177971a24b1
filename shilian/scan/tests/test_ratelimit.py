"""Per-client rate limits on the public endpoints: a 429 that says so, and nothing written."""

import json

import pytest
from django.test import Client

from shilian.scan import ratelimit, scanlog
from shilian.scan.models import ConsumerReport, Scan
from shilian.scan.tests.factories import make_world

pytestmark = pytest.mark.django_db

LIMIT = int(ratelimit.RESOLVE_RATE.split("/")[0])


@pytest.fixture
def world():
    return make_world()


def test_a_client_over_the_limit_gets_429_with_a_page(world):
    client = Client(REMOTE_ADDR="198.51.100.7")
    statuses = [client.get(world.path).status_code for _ in range(LIMIT)]
    assert statuses == [200] * LIMIT
    response = client.get(world.path)
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    html = response.content.decode()
    assert "请求过于频繁" in html
    assert f"{response['Retry-After']}秒后重试" in html
    scanlog.flush()
    assert Scan.objects.count() == LIMIT  # the refused request is not a scan
    assert Client(REMOTE_ADDR="198.51.100.8").get(world.path).status_code == 200  # another client is not affected


def test_linkset_clients_get_a_problem_document(world):
    client = Client(REMOTE_ADDR="198.51.100.7", HTTP_ACCEPT="application/linkset+json")
    for _ in range(LIMIT):
        client.get(world.path)
    response = client.get(world.path)
    assert (response.status_code, response["Content-Type"]) == (429, "application/problem+json")
    assert json.loads(response.content)["status"] == 429


def test_behind_the_local_proxy_each_client_has_its_own_limit(world):
    proxied = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="203.0.113.5")
    for _ in range(LIMIT):
        proxied.get(world.path)
    assert proxied.get(world.path).status_code == 429
    assert Client(REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="203.0.113.6").get(world.path).status_code == 200


def test_an_ipv6_client_is_its_64(world):
    for n in range(LIMIT):
        Client(REMOTE_ADDR=f"2001:db8:1:2::{n + 1:x}").get(world.path)
    assert Client(REMOTE_ADDR="2001:db8:1:2::ffff").get(world.path).status_code == 429
    assert Client(REMOTE_ADDR="2001:db8:1:3::1").get(world.path).status_code == 200


def test_reports_have_a_tighter_limit(world):
    limit = int(ratelimit.REPORT_RATE.split("/")[0])
    client = Client(REMOTE_ADDR="198.51.100.7")
    for _ in range(limit):
        assert client.post("/p/report/", {"code": world.path, "kind": "other"}).status_code == 200
    response = client.post("/p/report/", {"code": world.path, "kind": "other"})
    assert response.status_code == 429
    assert ConsumerReport.objects.count() == limit
