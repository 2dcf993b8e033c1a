"""The public pages and sign-in on the demo, through Django's test client (server-rendered
HTML; the browser tests drive the same pages in chromium)."""

import re
from xml.etree import ElementTree

import pytest
from django.contrib.auth.models import User

from accounts.models import ApiToken
from gazetteer.models import NamingEvent, Place
from tests.support import demo_loaded

pytestmark = pytest.mark.django_db

# 六盘水's counties, in CGCS2000 lon/lat
LPS_BOX = "104.3,25.3,105.3,26.9"


@pytest.fixture(scope="module", autouse=True)
def demo(django_db_setup, django_db_blocker):
    with demo_loaded(django_db_blocker, keep_lines=True):
        yield


def html(client, url: str, status: int = 200, **headers) -> str:
    response = client.get(url, **headers)
    assert response.status_code == status, response.content[:500]
    return response.content.decode()


def assets(page: str) -> list[str]:
    return re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', page)


def test_it_serves_the_home_page_with_local_assets_only(client):
    page = html(client, "/")
    found = assets(page)
    assert any("leaflet" in a for a in found), found
    assert any("htmx" in a for a in found), found
    assert not [a for a in found if re.match(r"(https?:)?//", a)], found


def test_it_draws_no_tiles_from_another_host_by_default(client):
    page = html(client, "/")
    assert "tile.openstreetmap" not in page
    assert "/api/v1/map/divisions/county" in page


def test_it_serves_the_map_layers_of_a_box(client):
    counties = client.get(f"/api/v1/map/divisions/county?bbox={LPS_BOX}&zoom=8").json()
    names = {f["properties"]["name"] for f in counties["features"]}
    assert {"钟山区", "盘州市"} <= names
    assert counties["truncated"] is False
    assert all(f["properties"]["label"]["type"] == "Point" for f in counties["features"])


def test_it_simplifies_map_layers_more_at_lower_zooms(client):
    def vertices(zoom: int) -> int:
        fc = client.get(f"/api/v1/map/divisions/county?bbox={LPS_BOX}&zoom={zoom}").json()
        return len(re.findall(r"\d+\.\d+", str([f["geometry"] for f in fc["features"]])))

    assert vertices(6) < vertices(11)


def test_it_draws_townships_only_from_their_zoom(client):
    far = client.get(f"/api/v1/map/divisions/township?bbox={LPS_BOX}&zoom=6").json()
    near = client.get(f"/api/v1/map/divisions/township?bbox={LPS_BOX}&zoom=10").json()
    assert far["features"] == []
    assert far["min_zoom"] == 9
    assert len(near["features"]) > 20


def test_it_answers_the_map_layers_as_of_a_date(client):
    before = client.get(f"/api/v1/map/divisions/county?bbox={LPS_BOX}&zoom=8"
                        "&as_of=2016-06-01").json()
    names = {f["properties"]["name"] for f in before["features"]}
    assert "盘县" in names
    assert "盘州市" not in names


def test_it_refuses_a_malformed_map_box(client):
    refused = client.get("/api/v1/map/lines?bbox=1,2,3&zoom=8")
    assert refused.status_code == 400
    assert "bbox" in refused.json()["detail"]


def test_it_suggests_divisions_and_places_as_you_type(client):
    fragment = html(client, "/search/suggest?q=钟山", HTTP_HX_REQUEST="true")
    assert 'href="/divisions/520201/"' in fragment
    assert "钟山区" in fragment


def test_it_marks_former_names_among_the_suggestions(client):
    fragment = html(client, "/search/suggest?q=盘县")
    assert "曾用名" in fragment
    assert "盘州市" in fragment


def test_it_suggests_places_by_pinyin(client):
    place = Place.objects.filter(status="standard").exclude(pinyin="").first()
    fragment = html(client, f"/search/suggest?q={place.pinyin.replace(' ', '')}")
    assert f'href="/places/{place.id}/"' in fragment


def test_it_shows_a_division_with_breadcrumbs_children_and_neighbours(client):
    page = html(client, "/divisions/520201/")
    crumbs = re.search(r'<p class="crumbs" id="crumbs">(.*?)</p>', page, re.S).group(1)
    assert "贵州省" in crumbs
    assert "六盘水市" in crumbs
    children = re.search(r'<ul class="hits" id="children">(.*?)</ul>', page, re.S).group(1)
    assert children.count("<li>") >= 5
    neighbours = re.search(r'<ul class="hits" id="neighbours">(.*?)</ul>', page, re.S).group(1)
    assert "水城区" in neighbours


def test_it_shows_a_division_as_it_stood_on_a_date(client):
    before = html(client, "/divisions/520222/?as_of=2016-06-01")
    after = html(client, "/divisions/520222/")
    assert "<h1>盘县" in before
    assert 'id="not-in-force"' not in before
    assert 'id="not-in-force"' in after
    assert 'href="/divisions/520281/"' in after


def test_it_keeps_the_date_on_the_links_to_the_neighbours(client):
    page = html(client, "/divisions/520201/?as_of=2016-06-01")
    neighbours = re.search(r'<ul class="hits" id="neighbours">(.*?)</ul>', page, re.S).group(1)
    assert 'href="/divisions/520221/?as_of=2016-06-01"' in neighbours  # 水城县 then


def test_it_answers_the_browsers_own_icon_request_with_the_sites_icon(client):
    page = html(client, "/")
    response = client.get("/favicon.ico", follow=True)
    assert 'rel="icon" href="/static/registry/favicon.svg"' in page
    assert response.redirect_chain == [("/static/registry/favicon.svg", 301)]
    assert response.status_code == 200


def test_it_shows_the_lineage_of_a_division(client):
    page = html(client, "/divisions/520281/")
    lineage = re.search(r'<ol class="timeline" id="lineage">(.*?)</ol>', page, re.S).group(1)
    assert "盘县" in lineage
    assert "撤县设市" in lineage


def test_it_answers_an_unknown_division_with_a_404_page(client):
    page = html(client, "/divisions/529999/", status=404)
    assert "529999" in page


def test_it_answers_a_bad_date_with_a_400_page(client):
    page = html(client, "/divisions/520201/?as_of=2016-13-01", status=400)
    assert "as_of" in page


def test_it_shows_a_place_with_its_names_and_romanization(client):
    place = Place.objects.filter(status="standard").exclude(meaning="").first()
    page = html(client, f"/places/{place.id}/")
    assert f'<h1 id="place-name">{place.name}' in page
    assert place.romanization in page
    assert place.meaning in page


def test_it_publishes_the_changes_as_a_page_atom_and_rss(client):
    newest = NamingEvent.objects.select_related("place").order_by("-recorded_at", "-id").first()
    page = html(client, "/changes/")
    divisions = html(client, "/changes/?source=division")
    atom = ElementTree.fromstring(client.get("/changes/feed.atom?source=division").content)
    rss = ElementTree.fromstring(client.get("/changes/feed.rss").content)
    entries = atom.findall("{http://www.w3.org/2005/Atom}entry")
    assert f'href="/places/{newest.place_id}/"' in page
    assert "盘州市" in divisions
    assert any("盘州市" in e.findtext("{http://www.w3.org/2005/Atom}title") for e in entries)
    assert rss.find("channel/item/title") is not None


def test_it_speaks_chinese_by_default_and_english_on_request(client):
    chinese = html(client, "/")
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = html(client, "/")
    assert "查询区划和地名" in chinese
    assert "Search divisions and places" in english
    assert "查询区划和地名" not in english


def test_it_names_a_divisions_level_in_the_pages_language(client):
    chinese = html(client, "/divisions/520201/")
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = html(client, "/divisions/520201/")
    assert '<td id="level">县级</td>' in chinese
    assert '<td id="level">county</td>' in english


def test_it_signs_staff_in_and_lets_them_make_a_token(client):
    user = User.objects.create_user("clerk-web", password="s3cret-pass")
    assert client.get("/accounts/profile/").status_code == 302  # to the login page
    signed = client.post("/accounts/login/", {"username": "clerk-web", "password": "s3cret-pass"})
    assert signed.status_code == 302
    made = html(client, "/accounts/profile/") and client.post(
        "/accounts/profile/", {"name": "qgis", "scope": "read"})
    plain = re.search(r'id="new-token">([^<]+)<', made.content.decode()).group(1)
    token = ApiToken.objects.get(user=user)
    assert token.scope == "read"
    assert plain.startswith(token.prefix)
    read = client.get("/api/v1/tokens", HTTP_AUTHORIZATION=f"Bearer {plain}")
    assert read.status_code == 200


def test_it_refuses_a_wrong_password(client):
    User.objects.create_user("clerk-web2", password="right-pass")
    refused = client.post("/accounts/login/", {"username": "clerk-web2", "password": "wrong"})
    assert refused.status_code == 200
    assert "_auth_user_id" not in client.session


def test_it_lets_a_user_revoke_their_own_token_only(client):
    from accounts.services import token_create

    owner = User.objects.create_user("owner-web", password="pw-owner-1")
    other = User.objects.create_user("other-web", password="pw-other-1")
    token, _ = token_create(user=owner, name="cli")
    client.force_login(other)
    refused = client.post(f"/accounts/tokens/{token.id}/revoke")
    client.force_login(owner)
    done = client.post(f"/accounts/tokens/{token.id}/revoke")
    assert refused.status_code == 404
    assert done.status_code == 302
    assert ApiToken.objects.get(id=token.id).revoked is True
