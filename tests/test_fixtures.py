"""The shipped test extracts are what fixtures/make_test_extract.py makes of the national
files, and the tests find in them what they would find in the national files."""

import importlib.util

import pytest

from tests import support


def load_script():
    path = support.ROOT / "fixtures" / "make_test_extract.py"
    spec = importlib.util.spec_from_file_location("make_test_extract", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def shipped_files() -> list[str]:
    return sorted(str(p.relative_to(support.TEST_DATA)) for p in support.TEST_DATA.rglob("*.gz"))


def test_it_ships_the_extracts_the_script_makes_from_the_national_files(national_data,
                                                                        tmp_path):
    load_script().make(national_data, tmp_path)
    made = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*.gz"))
    assert made == shipped_files()
    for name in made:
        assert (tmp_path / name).read_bytes() == (support.TEST_DATA / name).read_bytes(), name


def test_it_ships_every_code_table_the_loader_reads():
    assert shipped_files() == sorted(f"codes/{name}.gz" for name in support.CODE_FILES) + [
        "counties.geojson.gz"]


def test_it_refuses_a_county_the_extract_does_not_hold():
    with pytest.raises(LookupError, match="make_test_extract"):
        support.county_features(names={"钟山区", "不存在县"})


def test_it_runs_without_the_national_files_when_told_to(monkeypatch):
    monkeypatch.setenv("SHARED_DATA", "none")
    assert support.shared_data() is None


def test_it_refuses_a_shared_data_path_without_the_national_files(monkeypatch, tmp_path):
    monkeypatch.setenv("SHARED_DATA", str(tmp_path))
    with pytest.raises(RuntimeError, match="SHARED_DATA=none"):
        support.shared_data()
