"""One page shape: the query parameters with their bounds, PageOut, paginate."""

import pytest
from django.contrib.auth.models import Group
from pydantic import ValidationError

from config.paging import MAX_OFFSET, PageIn, PageOut, page_in, paginate
from gazetteer.schemas import SignPageOut


@pytest.fixture
def groups(db):
    Group.objects.bulk_create(Group(name=f"paging-{i:02}") for i in range(7))
    return Group.objects.filter(name__startswith="paging-").order_by("name")


def test_it_pages_a_queryset_counting_all_of_it(groups):
    page = paginate(groups, 3, 2, lambda rows: [g.name for g in rows])
    assert page == {"count": 7, "limit": 3, "offset": 2,
                    "items": ["paging-02", "paging-03", "paging-04"]}


def test_it_pages_past_the_end_to_an_empty_page(groups):
    assert paginate(groups, 3, 9)["items"] == []


def test_it_takes_a_count_and_rows_a_selector_already_sliced():
    page = paginate((120, [{"id": 51}]), 1, 50)
    assert page == {"count": 120, "limit": 1, "offset": 50, "items": [{"id": 51}]}


def test_it_validates_a_page_against_its_item_schema():
    with pytest.raises(ValidationError):
        SignPageOut.model_validate(paginate((1, [{"code": "x"}]), 1, 0))
    assert issubclass(SignPageOut, PageOut)


def test_it_bounds_limit_and_offset_by_default():
    assert PageIn().model_dump() == {"limit": 100, "offset": 0}
    for bad in [{"limit": 0}, {"limit": 1001}, {"offset": -1}, {"offset": MAX_OFFSET + 1}]:
        with pytest.raises(ValidationError):
            PageIn(**bad)


def test_it_gives_a_listing_its_own_page_size_and_bounds():
    small = page_in(limit=50, max_limit=500, max_offset=1_000)
    assert small().model_dump() == {"limit": 50, "offset": 0}
    assert small(limit=500, offset=1_000).limit == 500
    for bad in [{"limit": 501}, {"offset": 1_001}]:
        with pytest.raises(ValidationError):
            small(**bad)


def test_it_builds_each_page_size_once():
    assert page_in() is PageIn
    assert page_in(limit=50, max_limit=500) is page_in(limit=50, max_limit=500)
