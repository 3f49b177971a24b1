"""The application `shilian serve` runs: the front door over Django, both answering."""

import importlib

import pytest
from django.core.handlers.wsgi import WSGIHandler

from shilian.scan import scanlog
from shilian.scan.frontdoor import FrontDoor
from shilian.scan.tests.factories import make_world
from shilian.scan.tests.test_frontdoor import _keep_the_test_connection, call  # noqa: F401 — fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def application():
    """Imported here, not at collection: the WSGI entry switches the scan log to its
    background writer for the whole process, which the other tests must not inherit."""
    yield importlib.import_module("shilian.config.wsgi").application
    scanlog.discard()
    scanlog._background = False


def test_the_served_application_is_the_front_door_over_django(application):
    assert isinstance(application, FrontDoor)
    assert isinstance(application.app, WSGIHandler)
    world = make_world()
    for _ in range(2):  # a miss (Django renders and caches), then a hit (answered at the door)
        status, _headers, body = call(application, world.path)
        assert status == "200 OK"
        assert world.cake.code.encode() in body
    status, headers, _body = call(application, "/w/")
    assert status.startswith("302")
    assert ("location", "/accounts/login/?next=/w/") in headers
