"""The resolver: GS1 Digital Link and short-code URIs open the consumer page, or say what is wrong."""

import json

import pytest
from django.test import Client

from shilian.codes.actions import issue_serials
from shilian.codes.shortcodes import check_character
from shilian.core.testing import factories as f
from shilian.scan.pages import PAGE_FORMAT
from shilian.scan.tests.factories import GTIN, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return make_world()


def test_lot_code_opens_the_page_at_the_same_url(world):
    response = Client().get(world.path)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert "Location" not in response
    html = response.content.decode()
    for text in ("年糕", "500克", "NG20241008", "2024-10-08", "2024-11-07", "石塘年糕作坊", "JY", "大米、水、食盐", "GB 2713"):
        assert text in html
    assert response["Link"] == f'<{world.path}?linkType=linkset>; rel="linkset"; type="application/linkset+json"'


@pytest.mark.parametrize(
    "form",
    [
        "/01/{g14}/10/NG20241008",
        "/01/{g13}/10/NG20241008",  # GTIN-13 resolves like its 14-digit form
        "/01/{g14}/10/NG20241008/",  # trailing slash
        "/01/{g14}/10/NG%320241008",  # percent-encoded "2"
        "/01/{g14}/10/NG20241008?17=241107&11=241008",  # GS1 date attributes
        "/01/{g14}/10/NG20241008?utm_source=label",  # non-GS1 parameters are ignored
        "/01/{g14}/10/NG20241008?%FF=%FF",
    ],
)
def test_forms_of_the_same_code_open_the_same_page(world, form):
    path = form.format(g14=GTIN, g13=GTIN[1:])
    reference = Client().get(world.path)
    response = Client().get(path)
    assert (response.status_code, response["ETag"]) == (200, reference["ETag"])
    assert response.content == reference.content


@pytest.mark.parametrize(("gtin", "short"), [("00000096385074", "96385074"), ("00012345678905", "012345678905")])
def test_gtin_8_and_12_resolve_like_their_14_digit_form(gtin, short):
    workshop = f.make_enterprise()
    product = f.make_product(workshop, name="鱼干", gtin=gtin)
    salt = f.receive(workshop, product_name="盐", lot_code="S1")
    lot = f.produce(workshop, [(salt, "1")], product)
    long_form = Client().get(f"/01/{gtin}/10/{lot.code}")
    short_form = Client().get(f"/01/{short}/10/{lot.code}")
    assert (long_form.status_code, short_form.status_code) == (200, 200)
    assert short_form["ETag"] == long_form["ETag"]
    assert short_form["ETag"].startswith(f'"{PAGE_FORMAT}-{lot.pk}-zh-hans-')


def test_short_code_opens_the_page(world):
    response = Client().get(world.short_path)
    assert response.status_code == 200
    assert "手工面" in response.content.decode()
    lower = Client().get(world.short_path.lower())  # read as written on the pack, case-insensitively
    assert lower.status_code == 200


MALFORMED = [
    ("/01/06901234567893/10/NG20241008", "check digit"),
    ("/01/0690123456789/10/NG20241008", "check digit"),  # 13 digits, wrong check
    ("/01/690123456789212/10/X", "14 digits"),
    ("/01/069012345678A2/10/X", "digits"),
    ("/01/06901234567892/21/5/10/NG20241008", "out of order"),
    ("/01/06901234567892/21/5", "/10/"),
    ("/01/06901234567892/10/ABCDEFGHIJKLMNOPQRSTU", "1 to 20"),  # 21 characters
    ("/01/06901234567892/10/AB%20CD", "AI (10)"),  # a space is outside the AI 82 set
    ("/01/06901234567892/10/%E6%89%B9%E5%8F%B7", "AI (10)"),  # Chinese characters
    ("/01/06901234567892/10", "no value"),
    ("/01/06901234567892/10//21/1", "empty segment"),
    ("/01/06901234567892/22/ABC/10/X", "(22)"),
    ("/01/06901234567892/99/X", "unknown"),
    ("/01/06901234567892/10/NG20241008?17=241399", "AI (17)"),  # month 13
    ("/01/06901234567892/10/NG20241008?10=X", "path"),
    ("/01/06901234567892/10/NG20241008?9999=1", "unknown"),
    ("/t/ABC", "11"),
    ("/t/0123456789A", "check character"),
    ("/t/0123456789U", "11"),  # U is not in the alphabet
    ("/t/", "/t/{code}"),
    ("/t/{short}/10/X", "/t/"),
]


@pytest.mark.parametrize(("path", "says"), MALFORMED)
def test_malformed_codes_answer_400_saying_what_is_wrong(world, path, says):
    short = world.short_path.rsplit("/", 1)[1]
    response = Client().get(path.format(short=short))
    assert response.status_code == 400
    html = response.content.decode()
    assert says in html
    assert "Traceback" not in html


def _valid_short(body: str) -> str:
    return body + check_character(body)


UNKNOWN = [
    "/01/06901234567892/10/NOSUCHLOT",
    "/01/09506000134352/10/NG20241008",  # a valid GTIN nobody registered here
    "/01/06901234567892/10/NG20241008/21/999",  # a serial never issued
    "/01/09506000134352",  # product level, unknown GTIN
]


@pytest.mark.parametrize("path", UNKNOWN)
def test_unknown_codes_answer_404(world, path):
    response = Client().get(path)
    assert response.status_code == 404
    assert "12315" in response.content.decode()


def test_unknown_short_code_with_a_valid_check_character_is_404(world):
    response = Client().get(f"/t/{_valid_short('0123456789')}")
    assert response.status_code == 404


def test_item_code_opens_the_lot_page_once_the_serial_is_issued(world):
    path = f"{world.path}/21/7"
    assert Client().get(path).status_code == 404
    issue_serials(world.cake, 10, acting_user=world.user)
    response = Client().get(path)
    assert response.status_code == 200
    assert response.content == Client().get(world.path).content
    assert Client().get(f"{world.path}/21/11").status_code == 404
    assert Client().get(f"{world.path}/21/007").status_code == 404  # serials have no leading zeros


GARBAGE = [
    "/01/",
    "/01/x",
    "/01/%",
    "/01/%ZZ/10/1",
    "/01/06901234567892/10/%00",
    "/01/06901234567892/10/" + "A" * 5000,
    "/01/" + "9" * 300,
    "/01/06901234567892/10/NG20241008?17=",
    "/01/06901234567892/10/NG20241008?17=2411071",
    "/01/06901234567892/10/NG20241008?11=991332&17=000000",
    "/t/%F0%9F%8D%9A",
    "/t/" + "Z" * 500,
    "/01/06901234567892/10/NG20241008/21/",
    "/01/06901234567892/10/NG20241008/21/1/21/2",
    "/01/06901234567892/10/NG20241008/10/X",
    "/01/06901234567892/01/06901234567892",
]


@pytest.mark.parametrize("path", GARBAGE)
def test_never_a_server_error(world, path):
    response = Client(raise_request_exception=True).get(path)
    assert response.status_code in (400, 404)


def test_product_level_code_lists_the_products_lots(world):
    response = Client().get(f"/01/{GTIN}")
    assert response.status_code == 200
    html = response.content.decode()
    assert "年糕" in html
    assert f'href="{world.path}"' in html


def test_only_get_and_head(world):
    assert Client().head(world.path).status_code == 200
    assert Client().post(world.path).status_code == 405


def test_if_none_match_gives_304_without_a_body(world):
    first = Client().get(world.path)
    again = Client().get(world.path, HTTP_IF_NONE_MATCH=first["ETag"])
    assert (again.status_code, again.content, again["ETag"]) == (304, b"", first["ETag"])


class TestLinkset:
    def test_accept_header_gives_the_gs1_linkset(self, world):
        response = Client().get(world.path, HTTP_ACCEPT="application/linkset+json")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/linkset+json"
        assert 'rel="http://www.w3.org/ns/json-ld#context"' in response["Link"]
        (links,) = json.loads(response.content)["linkset"]
        anchor = f"http://127.0.0.1:8000{world.path}"
        assert links["anchor"] == anchor
        assert links["itemDescription"] == "年糕 500克 · NG20241008 · 石塘年糕作坊"
        assert links["https://gs1.org/voc/defaultLink"] == [links["https://gs1.org/voc/pip"][0]]
        assert [(link["href"], link["hreflang"]) for link in links["https://gs1.org/voc/pip"]] == [
            (anchor, ["zh-Hans"]),
            (f"{anchor}?lang=en", ["en"]),
        ]
        assert {link["type"] for link in links["https://gs1.org/voc/pip"]} == {"text/html"}
        assert links["https://gs1.org/voc/certificationInfo"][0]["title"] == "大米 DM2024: 合格证明 QC-0917"
        assert links["https://gs1.org/voc/recallStatus"][0]["href"] == f"{anchor}#product"

    def test_linktype_all_gives_it_too_and_a_recall_shows(self, world):
        from shilian.chain.actions import start_recall

        start_recall(world.rice, reason="大米检出黄曲霉毒素超标", acting_user=f.make_inspector())
        response = Client().get(f"{world.path}?linkType=all")
        (links,) = json.loads(response.content)["linkset"]
        recall = links["https://gs1.org/voc/recallStatus"]
        assert recall[0]["href"].endswith("#recall")
        assert "大米检出黄曲霉毒素超标" in recall[0]["title"]

    def test_errors_are_problem_documents(self, world):
        response = Client().get("/01/06901234567893/10/X", HTTP_ACCEPT="application/linkset+json")
        assert response.status_code == 400
        assert response["Content-Type"] == "application/problem+json"
        problem = json.loads(response.content)
        assert (problem["status"], "check digit" in problem["detail"]) == (400, True)

    def test_product_level_linkset(self, world):
        response = Client().get(f"/01/{GTIN}", HTTP_ACCEPT="application/linkset+json")
        (links,) = json.loads(response.content)["linkset"]
        assert links["anchor"] == f"http://127.0.0.1:8000/01/{GTIN}"
        assert links["https://gs1.org/voc/pip"][1]["href"] == f"http://127.0.0.1:8000/01/{GTIN}?lang=en"


def test_the_resolver_describes_itself():
    response = Client().get("/.well-known/gs1resolver")
    description = json.loads(response.content)
    assert (response.status_code, description["resolverRoot"], description["supportedPrimaryKeys"]) == (
        200, "http://127.0.0.1:8000", ["gtin"],
    )
