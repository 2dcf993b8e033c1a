"""The staff and public pages in English (the language cookie, or Accept-Language) on the
demo: the registry's codes (states, kinds, roles, scopes, categories, statuses) said in
English, and a walk over the pages that fails on Chinese left in their interface — what
is Chinese in the data (names, titles, authorities …) and the Chinese terms the English
catalogue keeps on purpose (文号, 飞地 …) set aside."""

import re

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import User
from django.db import models
from django.utils import translation

from archives.models import Document, DocumentLink
from gazetteer.models import Place
from proposals.models import Proposal
from proposals.transitions import MACHINE as STEPS
from tests.support import demo_loaded
from tests.test_translations import PO, entries

from .test_chinese_pages import staff_data, visible

pytestmark = pytest.mark.django_db
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]+")


@pytest.fixture(scope="module", autouse=True)
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    with demo_loaded(django_db_blocker, keep_lines=True), django_db_blocker.unblock():
        yield staff_data(tmp_path_factory.mktemp("survey"))


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def page(client, username: str | None, url: str) -> str:
    if username:
        client.force_login(User.objects.get(username=username))
    response = client.get(url)
    assert response.status_code == 200, (url, response.content[:300])
    assert response["Content-Language"] == "en", url
    return visible(response.content.decode())


def data_values() -> list[str]:
    """Every Chinese text the registry holds (names, titles, notes …), longest first."""
    found = set()
    for model in apps.get_models():
        fields = [f.name for f in model._meta.concrete_fields
                  if isinstance(f, models.CharField | models.TextField) and not f.choices]
        for field in fields:
            found |= {v for v in model.objects.values_list(field, flat=True).distinct()
                      if v and CJK.search(v)}
    return sorted(found, key=len, reverse=True)


def kept_terms() -> list[str]:
    """The Chinese the English messages hold on purpose (文号, 飞地, 路/街/巷 …)."""
    return sorted({run for _, msgid in entries(PO) for run in CJK.findall(msgid)},
                  key=len, reverse=True)


def chinese_left(text: str, data: list[str]) -> list[str]:
    # the language menu names each language in itself (简体中文)
    for value in data + kept_terms() + [name for _, name in settings.LANGUAGES]:
        text = text.replace(value, " ")
    return CJK.findall(text)


def test_it_says_the_proposals_kind_and_state_in_english(english, demo):
    published = Proposal.objects.filter(state="published").first()
    text = page(english, "demo-clerk", f"/proposals/{published.id}/")
    assert re.search(r"Kind (naming|renaming|cancellation)", text)
    assert "published" in text
    inbox = page(english, None, "/proposals/")
    assert "naming" in inbox
    assert "命名" not in inbox and "申报" not in inbox


def test_it_names_the_roles_and_token_scopes_in_english(english):
    english.force_login(User.objects.get(username="demo-planner"))
    made = english.post("/accounts/profile/", {"name": "qgis", "scope": "read-write"})
    text = visible(made.content.decode())
    assert "division change planner" in text
    assert "read and write" in text
    assert chinese_left(text, data_values()) == []


def test_it_says_the_inspections_state_and_side_in_english(english, demo):
    i = demo["inspection"]
    text = page(english, "ws-a1", f"/inspections/{i.id}/")
    assert "surveying" in text
    assert "外业测量" not in text
    inbox = page(english, "ws-clerk", "/inspections/")
    assert "surveying" in inbox


def linked_step():
    link = DocumentLink.objects.filter(proposal_transition__isnull=False).first()
    return link.document, link.proposal_transition


def test_it_says_an_archive_documents_category_and_linked_step_in_english(english):
    document, step = linked_step()
    text = page(english, "demo-clerk", f"/archives/{document.id}/")
    with translation.override("en"):
        said = f"{step.proposal.name} {STEPS.label(step.action)}"
        category = document.get_category_display()
    assert said in text
    assert category in text
    catalogue = page(english, "demo-clerk", "/archives/")
    assert "permanent" in catalogue or "long-term" in catalogue


def test_it_says_a_linked_step_by_its_label_in_chinese_too(client):
    document, step = linked_step()
    client.force_login(User.objects.get(username="demo-clerk"))
    text = visible(client.get(f"/archives/{document.id}/").content.decode())
    with translation.override("zh-hans"):
        said = f"{step.proposal.name} {STEPS.label(step.action)}"
    assert said in text
    assert f"{step.proposal.name} {step.action}" not in text


def test_it_keeps_the_apis_labels_chinese_in_either_language(english, demo):
    i = demo["inspection"]
    english.force_login(User.objects.get(username="ws-a1"))
    answer = english.get(f"/api/v1/inspections/{i.id}", HTTP_ACCEPT_LANGUAGE="en")
    assert answer.status_code == 200
    assert answer.json()["state_label"] == "外业测量"


def test_it_answers_accept_language_en_without_a_cookie(client):
    place = Place.objects.filter(events__isnull=False).first()
    response = client.get(f"/places/{place.id}/", HTTP_ACCEPT_LANGUAGE="en")
    assert response["Content-Language"] == "en"
    text = visible(response.content.decode())
    assert "standard name" in text or "proposed" in text or "historical name" in text


def test_it_leaves_no_chinese_of_the_interface_in_the_english_pages(english, demo):
    places = [p.id for p in Place.objects.filter(variants__isnull=False)[:2]]
    places += [p.id for p in Place.objects.filter(events__isnull=False)[:2]]
    walk = {
        "demo-planner": [f"/mergers/changes/{demo['change'].id}/", "/accounts/profile/"],
        "demo-clerk": ["/proposals/", "/hazards/", "/campaigns/", "/archives/",
                       f"/campaigns/{demo['campaign'].id}/", "/divisions/520201/",
                       f"/inspections/lines/{demo['line'].id}/markers/"]
        + [f"/proposals/{p.id}/" for p in Proposal.objects.all()]
        + [f"/archives/{d.id}/" for d in Document.objects.order_by("id")[:6]]
        + [f"/places/{p}/" for p in places],
        "ws-clerk": ["/inspections/"],
        "ws-a1": [f"/inspections/{demo['inspection'].id}/"],
    }
    data = data_values()
    found = {url: chinese_left(page(english, user, url), data)
             for user, urls in walk.items() for url in urls}
    assert {url: left for url, left in found.items() if left} == {}
