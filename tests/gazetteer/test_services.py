"""Services: cancelling, re-classing, variants; refusals leave nothing written."""

from datetime import date

import pytest

from accounts.services import system_actor
from config.errors import BadRequest, Conflict
from gazetteer import services, signs
from gazetteer.models import NamingEvent, Place, PlaceName

pytestmark = pytest.mark.django_db


def test_it_reclasses_with_an_event_and_a_new_split(make_place):
    place = make_place("石门坎", cls="natural_village", valid_from=date(1990, 1, 1))
    with pytest.raises(BadRequest, match="no generic"):
        services.place_reclass(place_id=place.id, new_class="village",
                               effective_date=date(2010, 1, 1), document_number="", reason="x",
                               actor=system_actor())
    village = make_place("高炉村", cls="natural_village", valid_from=date(1990, 1, 1))
    assert village.romanization == "Gaolucun"
    services.place_reclass(place_id=village.id, new_class="village",
                           effective_date=date(2010, 1, 1), document_number="水府〔2010〕1号",
                           reason="设立行政村", actor=system_actor())
    village.refresh_from_db()
    assert village.place_class.slug == "village"
    assert village.romanization == "Gaolu Cun"
    event = NamingEvent.objects.get(place=village, kind="reclassing")
    assert event.old_value.endswith("自然村")
    assert event.new_value.endswith("行政村")


def test_it_cancels_a_place_and_keeps_it_as_history(make_place):
    place = make_place("工人巷", cls="lane", valid_from=date(1960, 1, 1))
    services.place_cancel(place_id=place.id, effective_date=date(2001, 1, 1),
                          document_number="", reason="旧城改造", actor=system_actor())
    place.refresh_from_db()
    assert (place.status, place.valid_to) == ("historical", date(2001, 1, 1))
    with pytest.raises(BadRequest, match="cancelled"):
        services.place_rename(place_id=place.id, new_name="工人新巷",
                              effective_date=date(2002, 1, 1), document_number="", reason="x",
                              actor=system_actor())
    assert NamingEvent.objects.filter(place=place).count() == 2


def test_it_adds_variants_that_search_finds(client, make_place):
    place = make_place("钟山大道")
    services.place_add_variant(place_id=place.id, name="大马路", kind="colloquial")
    with pytest.raises(BadRequest, match="kind"):
        services.place_add_variant(place_id=place.id, name="某路", kind="nickname")
    with pytest.raises(BadRequest, match="differ"):
        services.place_add_variant(place_id=place.id, name="钟山大道", kind="alias")
    hit = client.get("/api/v1/places", {"q": "大马路"}).json()["items"][0]
    assert hit["id"] == place.id
    assert hit["matched_kind"] == "colloquial"
    assert not hit["former"]


def test_it_refuses_a_renaming_without_a_reason_or_before_the_last_change(make_place):
    place = make_place("光明路", valid_from=date(2000, 1, 1))
    with pytest.raises(BadRequest, match="reason"):
        services.place_rename(place_id=place.id, new_name="光华路",
                              effective_date=date(2010, 1, 1), document_number="", reason=" ",
                              actor=system_actor())
    with pytest.raises(BadRequest, match="not after"):
        services.place_rename(place_id=place.id, new_name="光华路",
                              effective_date=date(1999, 1, 1), document_number="", reason="x",
                              actor=system_actor())
    assert Place.objects.get(id=place.id).name == "光明路"
    assert not PlaceName.objects.filter(place=place).exists()


def test_it_refuses_a_geometry_in_another_crs(divisions_db):
    from django.contrib.gis.geos import Point

    with pytest.raises(BadRequest, match="4490"):
        services.places_create(places=[services.NewPlace(
            name="某桥", place_class="bridge", geom=Point(104.8, 26.6, srid=4326))],
            actor=system_actor())
    assert not Place.objects.filter(name="某桥").exists()


def test_it_replaces_a_sign_showing_a_former_name(make_place):
    from django.contrib.gis.geos import Point

    from gazetteer import selectors

    place = make_place("东风路", valid_from=date(1990, 1, 1))
    signs.signs_create(actor=system_actor(), signs=[
        {"code": "S1", "place_id": place.id, "location": Point(104.83, 26.59, srid=4490)}])
    services.place_rename(place_id=place.id, new_name="凉都大道", effective_date=date(2012, 1, 1),
                          document_number="", reason="统一命名", actor=system_actor())
    assert [s.code for s in selectors.signs_showing_former_name()] == ["S1"]
    new, findings = signs.sign_replace(code="S1", installed_on=date(2013, 1, 1),
                                       actor=system_actor())
    assert findings == []
    assert (new.text, new.romanization) == ("凉都大道", "Liangdu Dadao")
    assert list(selectors.signs_showing_former_name()) == []
    assert list(selectors.signs_mismatched()) == []
    with pytest.raises(Conflict, match="removed"):
        signs.sign_replace(code="S1", installed_on=date(2014, 1, 1), actor=system_actor())


def test_it_records_who_named_renamed_and_cancelled_a_place(make_place):
    from django.contrib.auth.models import User

    namer, renamer = (User.objects.create(username=name) for name in ("namer", "renamer"))
    place = services.places_create(places=[services.NewPlace(
        name="明珠路", place_class="road", division_codes=["520201"],
        valid_from=date(1990, 1, 1))], actor=namer)[0]
    services.place_rename(place_id=place.id, new_name="明珠大道", effective_date=date(2010, 1, 1),
                          document_number="", reason="拓宽", actor=renamer)
    services.place_cancel(place_id=place.id, effective_date=date(2020, 1, 1),
                          document_number="", reason="拆除", actor=system_actor())
    actors = [e.actor.username for e in NamingEvent.objects.filter(place=place).order_by("id")]
    assert actors == ["namer", "renamer", "system"]
