"""The database keeps naming history append-only; places find the divisions they lie in."""

from datetime import date

import pytest
from django.contrib.gis.geos import LineString
from django.db import IntegrityError, connection, transaction

from accounts.services import system_actor
from gazetteer import services
from gazetteer.models import NamingEvent, Place, PlaceClass, PlaceDivision
from gazetteer.services import NewPlace
from tests.support import inside, short_line

pytestmark = pytest.mark.django_db


def divisions_of(place) -> set[str]:
    return set(PlaceDivision.objects.filter(place=place).values_list("division_code", flat=True))


def test_it_ships_the_place_classes_with_their_scopes():
    road = PlaceClass.objects.get(slug="road")
    assert road.scope == "city"
    assert "路" in road.generics
    assert road.group == "街路巷"
    assert PlaceClass.objects.get(slug="county").division_level == 3
    slugs = set(PlaceClass.objects.values_list("slug", flat=True))
    assert {"street", "road", "lane", "residential", "building", "bridge", "square", "park",
            "mountain", "river", "lake", "reservoir", "village", "natural_village",
            "province", "prefecture", "county", "township"} <= slugs


@pytest.mark.as_owner  # the trigger itself (the app role may not even try)
def test_it_refuses_to_update_or_delete_a_naming_event(make_place):
    place = make_place("中山路")
    event = NamingEvent.objects.get(place=place)
    assert event.kind == "naming"
    assert event.new_value == "中山路"
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        NamingEvent.objects.filter(id=event.id).update(reason="edited")
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        with connection.cursor() as cur:
            cur.execute("DELETE FROM gazetteer_namingevent WHERE id = %s", [event.id])
    assert NamingEvent.objects.get(id=event.id).reason == ""


def test_it_puts_a_street_crossing_a_border_in_both_counties(make_place):
    a, b = inside("520201"), inside("520204")
    crossing = make_place("跨界路", geom=LineString(a, b, srid=4490))
    inner = make_place("内街路", geom=short_line("520201"))
    assert {"520201000000", "520204000000"} <= divisions_of(crossing)
    assert "520204000000" not in divisions_of(inner)
    # Ancestors come with the computed divisions.
    assert {"520201000000", "520200000000", "520000000000"} <= divisions_of(inner)


def test_it_takes_explicit_divisions_where_there_are_no_polygons(divisions_db):
    place = services.places_create(places=[NewPlace(
        name="滴水岩", place_class="mountain", division_codes=["520203"])], actor=system_actor())[0]
    assert {"520203000000", "520200000000", "520000000000"} == divisions_of(place)
    assert not PlaceDivision.objects.get(place=place, division_code="520203000000").computed


def test_it_refuses_a_place_with_an_unknown_division(divisions_db):
    from config.errors import BadRequest

    with pytest.raises(BadRequest, match="520299"):
        services.places_create(places=[NewPlace(
            name="某山", place_class="mountain", division_codes=["520299"])], actor=system_actor())
    assert not Place.objects.filter(name="某山").exists()


def test_it_renames_keeping_the_former_name_and_an_event(make_place):
    place = make_place("东风路", valid_from=date(2001, 1, 1))
    services.place_rename(place_id=place.id, new_name="钟山中路",
                          effective_date=date(2015, 3, 1), document_number="六盘水府函〔2015〕12号",
                          reason="道路延伸后统一命名", actor=system_actor())
    place.refresh_from_db()
    assert place.name == "钟山中路"
    assert place.romanization == "Zhongshanzhong Lu"
    former = place.variants.get(kind="former")
    assert (former.name, former.valid_from, former.valid_to) == (
        "东风路", date(2001, 1, 1), date(2015, 3, 1))
    kinds = list(place.events.order_by("effective_date").values_list("kind", "old_value"))
    assert kinds == [("naming", ""), ("renaming", "东风路")]


def test_it_refuses_a_place_without_a_specific_in_the_database(make_place):
    place = make_place("解放路")
    with pytest.raises(IntegrityError), transaction.atomic():
        Place.objects.filter(id=place.id).update(specific="")
