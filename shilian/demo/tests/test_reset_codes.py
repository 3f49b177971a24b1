"""``shilian demo --reset`` under a running server: the codes it remembered follow their new lots."""

import pytest
from django.test import Client

from shilian.demo.loader import wipe
from shilian.scan import resolver
from shilian.scan.tests.factories import make_world

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_code_table():
    resolver.forget()
    yield
    resolver.forget()


def test_a_code_remembered_before_the_demo_was_reset_opens_its_new_lot():
    """``shilian demo --reset`` wipes the data under a running server: the code the server
    remembered now names a new lot, and the page, the linkset and the report form follow it."""
    before = make_world()
    assert Client().get(before.path).status_code == 200  # remembered by this process
    wipe()
    after = make_world()
    assert after.cake.pk != before.cake.pk
    page = Client().get(before.path)
    assert page.status_code == 200
    assert f"-{after.cake.pk}-" in page["ETag"]
    linkset = Client().get(before.path, {"linkType": "linkset"})
    assert linkset.status_code == 200
    report = Client().get("/p/report/", {"code": before.path})
    assert report.status_code == 200
