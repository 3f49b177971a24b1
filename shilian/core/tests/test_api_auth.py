"""Token auth, problem documents and the OpenAPI schema of the JSON API."""

import json

import pytest
from django.test import Client

from shilian.core.auth import hash_token
from shilian.core.models import ApiToken, HistoryEntry
from shilian.core.testing import factories as f
from shilian.core.tokens import issue_token

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


def test_issue_token_keeps_only_the_hash_and_records_history():
    user = f.make_user()
    admin = f.make_admin()
    row, token = issue_token(user, "scanner", acting_user=admin)
    assert token.startswith("sl_")
    assert len(token) > 40
    stored = ApiToken.objects.get()
    assert (stored.pk, stored.user_id, stored.name, stored.prefix) == (row.pk, user.pk, "scanner", token[:8])
    assert stored.key_hash == hash_token(token)
    assert token not in stored.key_hash
    entry = HistoryEntry.objects.get(action="core.token.issue")
    assert (entry.acting_user_id, entry.subject_id, entry.detail) == (admin.pk, str(row.pk), {"user": user.pk, "name": "scanner"})


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"HTTP_AUTHORIZATION": "Bearer sl_not-a-real-token"},
        {"HTTP_AUTHORIZATION": "Basic dXNlcjpwdw=="},
        {"HTTP_AUTHORIZATION": "Bearer "},
    ],
    ids=["no-header", "unknown-token", "basic", "empty"],
)
def test_requests_without_a_valid_token_get_a_401_problem(headers):
    response = Client().get("/api/v1/lots", **headers)
    assert response.status_code == 401
    assert response["Content-Type"] == PROBLEM
    assert response["WWW-Authenticate"] == "Bearer"
    body = response.json()
    assert (body["status"], body["code"], body["title"]) == (401, "unauthorized", "Unauthorized")
    assert body["type"] == "https://shilian.dev/problems/unauthorized"


def test_bearer_and_token_schemes_both_authenticate():
    shop = f.make_enterprise()
    user = f.make_operator(shop)
    _, token = issue_token(user, "t")
    for header in (f"Bearer {token}", f"Token {token}"):
        response = Client().get(f"/api/v1/enterprises/{shop.pk}", HTTP_AUTHORIZATION=header)
        assert response.status_code == 200, header
        assert response.json()["id"] == shop.pk


def test_a_deactivated_users_token_stops_working():
    user = f.make_operator(f.make_enterprise())
    _, token = issue_token(user, "t")
    user.is_active = False
    user.save(update_fields=["is_active"])
    response = Client().get("/api/v1/lots", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 401


def test_the_token_gives_the_same_user_as_the_orm():
    """The user is read by a raw statement (prepared on PostgreSQL): its values are converted
    as the ORM converts them (aware datetimes, booleans) on both databases."""
    from django.contrib.auth import get_user_model
    from django.test import RequestFactory
    from django.utils import timezone

    from shilian.core.auth import TokenAuth

    user = f.make_operator(f.make_enterprise())
    get_user_model().objects.filter(pk=user.pk).update(last_login=timezone.now())
    _, token = issue_token(user, "t")
    got = TokenAuth().authenticate(RequestFactory().get("/"), token)
    want = get_user_model().objects.get(pk=user.pk)
    fields = [f.attname for f in want._meta.concrete_fields]
    assert [getattr(got, name) for name in fields] == [getattr(want, name) for name in fields]
    assert timezone.is_aware(got.last_login)
    assert timezone.is_aware(got.date_joined)
    assert got.is_active is True
    assert got.is_superuser is False
    assert not got._state.adding


def test_a_tokens_last_use_is_kept_to_the_hour():
    """For the admin to spot tokens nobody uses: written on first use, then at most once an hour."""
    import datetime as dt

    from django.utils import timezone

    from shilian.core.models import ApiToken

    user = f.make_operator(f.make_enterprise())
    _, token = issue_token(user, "t")
    row = ApiToken.objects.get(user=user)
    assert row.last_used_at is None
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    assert Client().get("/api/v1/lots", **auth).status_code == 200
    first = ApiToken.objects.get(pk=row.pk).last_used_at
    assert first is not None
    assert timezone.now() - first < dt.timedelta(minutes=1)
    Client().get("/api/v1/lots", **auth)
    assert ApiToken.objects.get(pk=row.pk).last_used_at == first  # within the hour: no write
    two_hours_ago = timezone.now() - dt.timedelta(hours=2)
    ApiToken.objects.filter(pk=row.pk).update(last_used_at=two_hours_ago)
    Client().get("/api/v1/lots", **auth)
    assert ApiToken.objects.get(pk=row.pk).last_used_at > two_hours_ago + dt.timedelta(hours=1)


def test_ninja_validation_errors_are_problems_naming_the_field():
    user = f.make_admin()
    _, token = issue_token(user, "t")
    response = Client().get("/api/v1/lots?limit=0&status=lost", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 422
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["code"] == "validation_error"
    assert sorted(e["field"] for e in body["errors"]) == ["limit", "status"]
    assert all(e["message"] for e in body["errors"])


def test_a_page_is_at_most_a_thousand_rows():
    user = f.make_admin()
    _, token = issue_token(user, "t")
    response = Client().get("/api/v1/lots?limit=100000000", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["limit"]
    assert Client().get("/api/v1/lots?limit=1000", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200


def test_body_validation_names_nested_fields():
    user = f.make_admin()
    _, token = issue_token(user, "t")
    body = {"enterprise": 1, "lines": [{"lot": 1, "quantity": "many", "unit": "kg"}]}
    response = Client().post(
        "/api/v1/events/ship", json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["lines[0].quantity"]


def test_malformed_json_is_a_400_problem():
    user = f.make_admin()
    _, token = issue_token(user, "t")
    response = Client().post(
        "/api/v1/events/ship", "{not json", content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM
    assert response.json()["status"] == 400


def test_openapi_schema_is_json_listing_every_path():
    response = Client().get("/api/openapi.json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["info"]["title"] == "shilian 食链 API"
    assert set(schema["paths"]) == {
        "/api/v1/jurisdictions",
        "/api/v1/enterprises",
        "/api/v1/enterprises/{enterprise_id}",
        "/api/v1/enterprises/{enterprise_id}/partners",
        "/api/v1/enterprises/{enterprise_id}/staff",
        "/api/v1/products",
        "/api/v1/products/{product_id}",
        "/api/v1/lots",
        "/api/v1/lots/lookup",
        "/api/v1/lots/{lot_id}/events",
        "/api/v1/lots/{ref}",
        "/api/v1/stock",
        "/api/v1/events",
        "/api/v1/events/{event_id}",
        "/api/v1/events/receive",
        "/api/v1/events/receive/upload",
        "/api/v1/events/transform",
        "/api/v1/events/ship",
        "/api/v1/events/dispose",
        "/api/v1/events/inspect",
        "/api/v1/events/{event_id}/void",
        "/api/v1/trace",
        "/api/v1/recalls/impact",
        "/api/v1/recalls",
        "/api/v1/recalls/{recall_id}",
        "/api/v1/recalls/{recall_id}/notice",
    }
    assert schema["components"]["securitySchemes"]["TokenAuth"] == {"type": "http", "scheme": "bearer"}
    problem = schema["paths"]["/api/v1/events/ship"]["post"]["responses"]["422"]
    assert problem["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Problem"}
