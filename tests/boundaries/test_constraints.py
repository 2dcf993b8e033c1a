"""What the database itself refuses, whatever code writes the rows."""

from datetime import date

import pytest
from django.db import IntegrityError, transaction

from boundaries.models import DivisionVersion
from boundaries.names import search_keys

pytestmark = pytest.mark.django_db


def version(code, name, level, parent, valid_from=None, valid_to=None):
    return DivisionVersion(code=code, name=name, place_name=name, level=level, kind="县",
                           parent_code=parent, valid_from=valid_from, valid_to=valid_to,
                           **search_keys(name, name))


def refused(*objs):
    with pytest.raises(IntegrityError) as caught, transaction.atomic():
        for obj in objs:
            obj.save()
    return str(caught.value)


def test_it_refuses_two_versions_of_a_code_in_force_at_once(divisions_db):
    message = refused(version("520201000000", "重复区", 3, "520200000000", date(2020, 1, 1)))
    assert "division_no_overlapping_versions" in message


def test_it_allows_consecutive_versions_of_a_code(divisions_db):
    version("520298000000", "甲区", 3, "520200000000", None, date(2021, 1, 1)).save()
    version("520298000000", "乙区", 3, "520200000000", date(2021, 1, 1)).save()
    assert DivisionVersion.objects.filter(code="520298000000").count() == 2


def test_it_refuses_a_period_that_ends_before_it_starts(divisions_db):
    message = refused(version("520297000000", "倒序区", 3, "520200000000",
                              date(2021, 1, 1), date(2020, 1, 1)))
    assert "division_valid_period" in message


def test_it_refuses_a_child_whose_parent_does_not_exist_or_is_not_one_level_up(divisions_db):
    assert "parent" in refused(version("529901000000", "无父区", 3, "529900000000"))
    assert "parent" in refused(version("520201999000", "跳级镇", 4, "520200000000"))


def test_it_refuses_a_child_outliving_its_parent(divisions_db):
    version("520296000000", "短命区", 3, "520200000000", None, date(2020, 1, 1)).save()
    message = refused(version("520296001000", "长命镇", 4, "520296000000", None, None))
    assert "not one level up and valid across its period" in message


def test_it_refuses_ending_a_parent_that_still_has_current_children(divisions_db):
    with pytest.raises(IntegrityError, match="would lose its parent"), transaction.atomic():
        DivisionVersion.objects.filter(code="520201000000", level=3).update(
            valid_to=date(2024, 1, 1))


def test_it_refuses_a_province_with_a_parent_and_a_county_without_one(divisions_db):
    assert "division_parent_iff_not_province" in refused(version("530000000000", "云南省", 1,
                                                                 "520000000000"))
    assert "division_parent_iff_not_province" in refused(version("520295000000", "孤儿区", 3,
                                                                 None))
