"""The staff page (/w/staff/): health certificates flagged when expired or expiring, and the add form.

Permission matrix: anonymous, operator of the enterprise, operator of another, inspector
inside the jurisdiction, inspector outside, admin. Denied requests write nothing.
"""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from shilian.core.models import HistoryEntry
from shilian.core.testing import factories as f
from shilian.registry.actions import add_staff_member
from shilian.registry.models import StaffMember

pytestmark = pytest.mark.django_db

URL = "/w/staff/"
LOGIN = 302
ACTORS = ("anonymous", "operator", "other_operator", "inspector_in", "inspector_out", "admin")


def client_for(user):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def counts():
    return {"staff": StaffMember.objects.count(), "history": HistoryEntry.objects.count()}


@pytest.fixture
def world():
    """A Shitang workshop (Wenling) with five staff, one per certificate state, and a Zeguo workshop."""
    today = timezone.localdate()
    workshop = f.make_enterprise(jurisdiction="331081102", name="石塘年糕作坊")
    other = f.make_enterprise(jurisdiction="331081104", name="泽国糕点作坊")
    users = f.make_actors(workshop, other)
    rows = [
        ("陈一", "面点师", "JK-1", today - dt.timedelta(days=1)),  # expired yesterday
        ("王二", "仓管", "JK-2", today),  # expires today: still valid today, flagged
        ("张三", "包装工", "JK-3", today + dt.timedelta(days=30)),  # the last flagged day
        ("李四", "", "JK-4", today + dt.timedelta(days=31)),  # valid
        ("赵五", "学徒", "", None),  # no certificate date recorded
    ]
    for name, post, number, expires in rows:
        add_staff_member(
            workshop,
            name=name,
            post=post,
            health_certificate_no=number,
            health_certificate_expires=expires,
            acting_user=None,
        )
    return {"workshop": workshop, "other": other, "users": users, "today": today}


def test_get_matrix(world):
    expected = dict(zip(ACTORS, (LOGIN, 200, 200, 404, 404, 404), strict=True))
    for actor, status in expected.items():
        response = client_for(world["users"][actor]).get(URL)
        assert (actor, response.status_code) == (actor, status)
    anonymous = client_for(None).get(URL)
    assert anonymous["Location"] == "/accounts/login/?next=/w/staff/"


def test_another_operator_sees_only_their_own_staff(world):
    response = client_for(world["users"]["other_operator"]).get(URL)
    assert response.context["enterprise"] == world["other"]
    assert response.context["staff"] == []
    assert "陈一" not in response.content.decode()


@pytest.mark.parametrize("actor", ["inspector_in", "inspector_out", "admin"])
def test_denied_post_writes_nothing(world, actor):
    before = counts()
    response = client_for(world["users"][actor]).post(URL, {"name": "钱六"})
    assert response.status_code == 404
    assert counts() == before


def test_anonymous_post_goes_to_login_and_writes_nothing(world):
    before = counts()
    response = client_for(None).post(URL, {"name": "钱六"})
    assert response.status_code == LOGIN
    assert response["Location"] == "/accounts/login/?next=/w/staff/"
    assert counts() == before


def test_another_operator_adds_to_their_own_enterprise_only(world):
    response = client_for(world["users"]["other_operator"]).post(URL, {"name": "钱六"})
    assert response["Location"] == URL
    assert list(StaffMember.objects.filter(name="钱六").values_list("enterprise_id", flat=True)) == [world["other"].pk]
    assert world["workshop"].staff.count() == 5


def test_staff_are_listed_with_certificate_status(world):
    response = client_for(world["users"]["operator"]).get(URL)
    assert [(m.name, m.certificate_status) for m in response.context["staff"]] == [
        ("张三", "expiring"),
        ("李四", "valid"),
        ("王二", "expiring"),
        ("赵五", "missing"),
        ("陈一", "expired"),
    ]
    assert response.context["warnings"] == {"expired": 1, "expiring": 2}
    html = response.content.decode()
    assert html.count('<span class="badge expired">已过期</span>') == 1
    assert html.count('<span class="badge expiring">即将到期</span>') == 2
    assert '<li class="card expired">' in html
    assert "1 份健康证已过期" in html
    assert "2 份健康证将在 30 天内到期" in html
    assert "JK-1" in html
    assert "面点师" in html
    assert (world["today"] - dt.timedelta(days=1)).strftime("%Y-%m-%d") in html


def test_staff_no_longer_active_are_not_listed(world):
    StaffMember.objects.filter(name="陈一").update(active=False)  # as the admin's edit form does
    response = client_for(world["users"]["operator"]).get(URL)
    assert "陈一" not in [m.name for m in response.context["staff"]]
    assert response.context["warnings"] == {"expired": 0, "expiring": 2}


def test_add_a_staff_member(world):
    client = client_for(world["users"]["operator"])
    expires = world["today"] + dt.timedelta(days=200)
    response = client.post(
        URL,
        {"name": " 钱六 ", "post": "面点师", "health_certificate_no": "JK-6", "health_certificate_expires": expires.isoformat()},
    )
    assert response.status_code == 302
    assert response["Location"] == URL
    member = StaffMember.objects.get(name="钱六")
    assert (member.enterprise, member.post, member.health_certificate_no, member.health_certificate_expires) == (
        world["workshop"],
        "面点师",
        "JK-6",
        expires,
    )
    entry = HistoryEntry.objects.get(action="registry.staff.add", subject_id=str(member.pk))
    assert entry.acting_user == world["users"]["operator"]
    page = client.get(URL)
    assert [str(m) for m in page.context["messages"]] == ["已添加从业人员 钱六。"]
    assert ("钱六", "valid") in [(m.name, m.certificate_status) for m in page.context["staff"]]


def test_expiry_date_is_optional(world):
    client = client_for(world["users"]["operator"])
    assert client.post(URL, {"name": "孙七"})["Location"] == URL
    member = StaffMember.objects.get(name="孙七")
    assert (member.post, member.health_certificate_no, member.health_certificate_expires) == ("", "", None)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "名" * 51}, "name"),
        ({"name": "孙七", "health_certificate_expires": "2025-02-30"}, "health_certificate_expires"),
        ({"name": "孙七", "health_certificate_expires": "明年"}, "health_certificate_expires"),
        ({"name": "孙七", "health_certificate_no": "9" * 51}, "health_certificate_no"),
    ],
)
def test_errors_name_the_field_and_write_nothing(world, body, field):
    before = counts()
    response = client_for(world["users"]["operator"]).post(URL, body)
    assert response.status_code == 200
    assert list(response.context["form"].errors) == [field]
    assert 'class="errorlist"' in response.content.decode()
    assert counts() == before


def test_staff_list_query_count_does_not_grow(world, django_assert_num_queries):
    client = client_for(world["users"]["operator"])
    client.get(URL)  # session warm-up
    # session, user, roles, enterprise, staff
    with django_assert_num_queries(5):
        client.get(URL)
    for i in range(20):
        add_staff_member(world["workshop"], name=f"员工{i:02d}", acting_user=None)
    with django_assert_num_queries(5):
        response = client.get(URL)
    assert len(response.context["staff"]) == 25


def test_the_operator_menu_links_to_the_staff_page(world):
    html = client_for(world["users"]["operator"]).get("/w/").content.decode()
    assert '<a href="/w/staff/">从业人员</a>' in html


def test_staff_page_in_english(world):
    client = client_for(world["users"]["operator"])
    client.post("/i18n/setlang/", {"language": "en", "next": URL})
    html = client.get(URL).content.decode()
    assert '<span class="badge expired">Expired</span>' in html
    assert html.count('<span class="badge expiring">Expiring soon</span>') == 2
    assert "2 health certificates expire within 30 days" in html
    assert "<h1>Staff and health certificates</h1>" in html
