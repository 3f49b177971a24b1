"""Catalog pages: an operator's products."""

import pytest
from django.test import Client

from shilian.catalog.models import Product
from shilian.core.testing import factories as f

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_operator_adds_a_product_and_sees_only_their_own():
    workshop, other = f.make_enterprise(), f.make_enterprise()
    f.make_product(other, name="别人的产品")
    client = _client(f.make_operator(workshop))
    response = client.post(
        "/w/products/",
        {"name": "年糕", "specification": "500g", "kind": "finished", "category": "grain", "unit": "kg",
         "shelf_life_days": "30", "gtin": "6901234567892"},
    )
    assert response["Location"] == "/w/products/"
    product = Product.objects.get(enterprise=workshop)
    assert (product.name, product.specification, product.gtin, product.shelf_life_days) == ("年糕", "500g", "06901234567892", 30)
    assert [p.name for p in client.get("/w/products/").context["products"]] == ["年糕"]


def test_product_errors_name_the_field_and_write_nothing():
    workshop = f.make_enterprise()
    f.make_product(workshop, name="年糕", gtin="6901234567892")
    client = _client(f.make_operator(workshop))
    bad_gtin = client.post("/w/products/", {"name": "米糕", "kind": "finished", "category": "grain", "unit": "kg", "gtin": "6901234567891"})
    assert list(bad_gtin.context["form"].errors) == ["gtin"]
    taken = client.post("/w/products/", {"name": "米糕", "kind": "finished", "category": "grain", "unit": "kg", "gtin": "6901234567892"})
    assert list(taken.context["form"].errors) == ["gtin"]
    duplicate = client.post("/w/products/", {"name": "年糕", "kind": "finished", "category": "grain", "unit": "kg"})
    assert list(duplicate.context["form"].errors) == ["name"]
    assert Product.objects.count() == 1
