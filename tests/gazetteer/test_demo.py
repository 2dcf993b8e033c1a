"""The demo place names: deterministic, plausible, with renamings, heritage and signs."""

from collections import Counter

import pytest

from demo import places as demo_places
from gazetteer import selectors
from gazetteer.models import NamingEvent, Place, PlaceDivision, PlaceName
from gazetteer.names import toneless

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("city", sorted(demo_places.CITIES))
def test_it_plans_the_same_names_every_time_with_one_renmin_road(city):
    plan = demo_places.plan_names(city)
    assert plan == demo_places.plan_names(city)
    names = [name for _, name in plan]
    assert names.count("人民路") == 1
    assert len({toneless(n) for n in names}) == len(names)  # no homophones within a city
    assert {slug for slug, _ in plan} >= {"road", "residential"}


def test_it_has_renmin_road_in_several_cities():
    plans = {city: {name for _, name in demo_places.plan_names(city)}
             for city in demo_places.CITIES}
    assert all("人民路" in names for names in plans.values())
    shared = Counter(n for names in plans.values() for n in names)
    assert sum(1 for n in shared.values() if n > 1) > 1


def test_it_loads_places_where_polygons_exist_once(lps_polygons):
    totals = demo_places.load()
    assert totals["cities"] == 1
    assert totals["renamed"] == 2
    assert totals["signs"] > 0
    places = Place.objects.filter(place_class__slug__in=["road", "street", "lane"])
    assert places.filter(name="人民路").count() == 1
    codes = set(PlaceDivision.objects.filter(place__in=places, level=3)
                .values_list("division_code", flat=True))
    assert codes <= {"520201000000", "520204000000"}
    assert codes
    assert demo_places.load() == {"skipped": Place.objects.count()}


def test_it_renames_with_events_former_names_and_signs_to_replace(lps_polygons):
    demo_places.load()
    renamings = NamingEvent.objects.filter(kind="renaming")
    assert renamings.count() == 2
    for event in renamings:
        assert PlaceName.objects.filter(place=event.place, kind="former",
                                        name=event.old_value).exists()
        assert event.document_number
        assert event.reason
    stale = list(selectors.signs_showing_former_name())
    assert {s.place_id for s in stale} == {e.place_id for e in renamings}
    old_names = {e.place_id: e.old_value for e in renamings}
    assert all(s.text == old_names[s.place_id] for s in stale)
    assert all(s.romanization != s.approved_romanization for s in stale)
    wrong = [s for s in selectors.signs_mismatched() if not s.shows_former_name]
    assert [s.romanization for s in wrong] == ["Renmin Road"]


def test_it_lists_heritage_villages_where_their_county_has_a_polygon(lps_polygons):
    from django.db import connection

    with connection.cursor() as cur:  # give 盘州市 a polygon: the one of 钟山区 will do
        cur.execute("UPDATE boundaries_divisionversion SET geom = (SELECT geom FROM "
                    "boundaries_divisionversion WHERE code = '520201000000' AND level = 3) "
                    "WHERE code = '520281000000' AND level = 3 AND valid_to IS NULL")
    demo_places.load()
    village = Place.objects.get(name="妥乐村")
    assert village.heritage_category == "千年古村落"
    assert village.romanization == "Tuolecun"
    assert village.variants.filter(kind="alias", name="妥乐古村").exists()


def test_it_is_loaded_by_load_demo_even_into_a_registry_that_holds_divisions(lps_polygons):
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("load_demo", "--no-progress", stdout=out)
    assert "Nothing done" in out.getvalue()
    assert "places:" in out.getvalue()
    held = Place.objects.count()
    assert held > 0
    call_command("load_demo", "--no-progress", stdout=io.StringIO())
    assert Place.objects.count() == held
