"""load_divisions on real 2023 code tables (湖州 3305 extract; the session fixture holds 52/44)."""

import csv
from datetime import date

import pytest
from django.core.management import CommandError, call_command

from accounts.services import system_actor
from boundaries.models import DivisionEdition, DivisionEvent, DivisionVersion, EventKind
from importers import divisions
from importers.errors import ConflictError, RowError
from tests.support import write_code_extract

pytestmark = pytest.mark.django_db


@pytest.fixture
def huzhou(tmp_path):
    return write_code_extract(tmp_path / "huzhou", ["3305"])


def rows_of(directory, name):
    with (directory / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def write_rows(directory, name, rows):
    with (directory / name).open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)


def csv_row_count(directory):
    return sum(len(rows_of(directory, n)) - 1 for n in
               ["provinces.csv", "cities.csv", "areas.csv", "streets.csv", "villages.csv"])


def in_zhejiang():
    return DivisionVersion.objects.filter(code__startswith="33")


def test_it_loads_every_row_of_an_edition_with_levels_kinds_and_place_names(huzhou, divisions_db):
    plan = divisions.run(huzhou, commit=True, actor=system_actor())
    assert plan.first_load
    assert len(plan.added) == csv_row_count(huzhou)
    assert in_zhejiang().count() == csv_row_count(huzhou)
    wuxing = in_zhejiang().get(code="330502000000")
    assert (wuxing.name, wuxing.level, wuxing.kind, wuxing.parent_code) == (
        "吴兴区", 3, "市辖区", "330500000000")
    village = in_zhejiang().filter(level=5, name__endswith="村委会").first()
    assert village.kind == "村委会"
    assert village.place_name == village.name.removesuffix("村委会")
    assert village.pinyin
    assert village.initials
    assert village.grams
    assert not DivisionEvent.objects.exists()


def test_it_changes_nothing_when_the_same_edition_is_loaded_again(huzhou, divisions_db):
    divisions.run(huzhou, commit=True, actor=system_actor())
    before = in_zhejiang().count()
    plan = divisions.run(huzhou, commit=True, effective_date=date(2024, 1, 1), actor=system_actor())
    assert (len(plan.added), len(plan.renamed), len(plan.retired)) == (0, 0, 0)
    assert plan.unchanged == before
    assert in_zhejiang().count() == before
    assert not DivisionEvent.objects.exists()


def test_it_writes_nothing_on_a_dry_run(huzhou, divisions_db):
    plan = divisions.run(huzhou, actor=system_actor())
    assert len(plan.added) == csv_row_count(huzhou)
    assert not in_zhejiang().exists()
    assert not DivisionEdition.objects.filter(label=huzhou.name).exists()


def test_it_applies_a_later_edition_as_versions_and_events(huzhou, divisions_db):
    divisions.run(huzhou, commit=True, actor=system_actor())
    streets = rows_of(huzhou, "streets.csv")
    renamed_code, old_name = streets[1][0], streets[1][1]
    streets[1][1] = "新名镇"
    write_rows(huzhou, "streets.csv", streets)
    villages = rows_of(huzhou, "villages.csv")
    retired_code = villages[-1][0]
    added = [str(int(villages[-2][0]) + 500), "新设村村民委员会", *villages[-2][2:]]
    write_rows(huzhou, "villages.csv", villages[:-1] + [added])
    effective = date(2024, 7, 1)

    plan = divisions.run(huzhou, commit=True, effective_date=effective, actor=system_actor())

    assert (len(plan.added), len(plan.renamed), len(plan.retired)) == (1, 1, 1)
    versions = in_zhejiang().filter(code=renamed_code.ljust(12, "0"), level=4)
    assert {(v.name, v.valid_from, v.valid_to) for v in versions} == {
        (old_name, None, effective), ("新名镇", effective, None)}
    gone = in_zhejiang().get(code=retired_code)
    assert gone.valid_to == effective
    kinds = sorted(DivisionEvent.objects.values_list("kind", flat=True))
    assert kinds == sorted([EventKind.ESTABLISH, EventKind.RENAME, EventKind.ABOLISH])
    rename = DivisionEvent.objects.get(kind=EventKind.RENAME)
    assert [v.name for v in rename.inputs.all()] == [old_name]
    assert [v.name for v in rename.outputs.all()] == ["新名镇"]


def test_it_refuses_a_later_edition_without_an_effective_date(huzhou, divisions_db):
    divisions.run(huzhou, commit=True, actor=system_actor())
    villages = rows_of(huzhou, "villages.csv")
    write_rows(huzhou, "villages.csv", villages[:-1])
    with pytest.raises(ConflictError, match="effective-date"):
        divisions.run(huzhou, commit=True, actor=system_actor())
    assert in_zhejiang().filter(valid_to__isnull=False).count() == 0


@pytest.mark.parametrize("mutate, message", [
    (lambda r: r.__setitem__(0, r[0][:-1]), "is not 12 digits"),
    (lambda r: r.__setitem__(slice(0, 3), [r[2][:6] + "999001", r[1], r[2][:6] + "999"]),
     "unknown parent"),
    (lambda r: r.__setitem__(0, "3306" + r[0][4:]), "is not under its parent"),
])
def test_it_reports_malformed_village_rows_with_file_and_line(huzhou, divisions_db, mutate,
                                                              message):
    villages = rows_of(huzhou, "villages.csv")
    mutate(villages[5])
    write_rows(huzhou, "villages.csv", villages)
    with pytest.raises(RowError) as caught:
        divisions.run(huzhou, commit=True, actor=system_actor())
    assert caught.value.problems[0].startswith("villages.csv:6: ")
    assert message in caught.value.problems[0]
    assert not in_zhejiang().exists()


def test_it_reports_duplicate_codes_and_writes_nothing(huzhou, divisions_db):
    villages = rows_of(huzhou, "villages.csv")
    write_rows(huzhou, "villages.csv", villages + [villages[3]])
    with pytest.raises(RowError, match=f"duplicate code {villages[3][0]}"):
        divisions.run(huzhou, commit=True, actor=system_actor())
    assert not in_zhejiang().exists()


def test_it_keeps_the_county_echo_of_a_city_without_counties(divisions_db):
    echo = DivisionVersion.objects.get(code="441900000000", level=3)
    city = DivisionVersion.objects.get(code="441900000000", level=2)
    assert echo.kind == "placeholder"
    assert city.kind == "地级市"
    assert DivisionVersion.objects.filter(parent_code=echo.code, level=4).exists()


def test_it_exits_non_zero_with_the_reason_from_the_command(tmp_path, divisions_db):
    with pytest.raises(CommandError, match="not a directory"):
        call_command("load_divisions", str(tmp_path / "missing"))


def test_it_reads_the_whole_country_and_finds_the_session_extract_unchanged(national_data,
                                                                            divisions_db):
    """Every row of the national edition passes the loader's checks, and the session's
    六盘水 and 东莞, loaded from the shipped extract, are what the national tables say."""
    national = national_data / "china-division-2023"
    loaded = DivisionVersion.objects.filter(valid_to__isnull=True).count()
    stored = DivisionVersion.objects.count()
    plan = divisions.run(national, actor=system_actor())
    assert len(plan.rows) == csv_row_count(national)
    assert plan.unchanged == loaded
    assert not plan.renamed
    assert not plan.retired
    assert len(plan.added) == len(plan.rows) - loaded
    assert DivisionVersion.objects.count() == stored  # a preview writes nothing


@pytest.mark.as_owner
def test_it_leaves_the_indexes_in_place_for_a_role_that_does_not_own_the_table(db):
    from django.conf import settings
    from django.db import connection
    with connection.cursor() as cur:
        cur.execute("CREATE TABLE defer_probe (id int PRIMARY KEY, x int)")
        cur.execute("CREATE INDEX defer_probe_x ON defer_probe (x)")
        cur.execute(f'GRANT SELECT, INSERT ON defer_probe TO "{settings.DATABASE_APP_ROLE}"')
        cur.execute(f'SET LOCAL ROLE "{settings.DATABASE_APP_ROLE}"')
        # load_demo under `make run` logs in as the app role: no DROP INDEX it may not do
        assert divisions.defer_secondary_indexes("defer_probe") == []
        cur.execute("RESET ROLE")
        cur.execute("SELECT count(*) FROM pg_indexes WHERE tablename = 'defer_probe'")
        assert cur.fetchone()[0] == 2
        saved = divisions.defer_secondary_indexes("defer_probe")
        assert [name for name, _, _ in saved] == ["defer_probe_x"]
        divisions.rebuild_indexes(saved)
        cur.execute("SELECT count(*) FROM pg_indexes WHERE tablename = 'defer_probe'")
        assert cur.fetchone()[0] == 2
