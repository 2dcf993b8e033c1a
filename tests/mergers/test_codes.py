"""The code allocation rule: next free number in the county's (township's) range for the
kind, never one in force or retired within five years; and the village recoding option."""

from datetime import date

import pytest

from boundaries.models import DivisionVersion
from boundaries.names import search_keys
from boundaries.temporal import in_force
from config.errors import BadRequest, Conflict
from mergers.codes import allocate_code

from .conftest import EFFECTIVE, ZHONGSHAN

ON = date(2025, 1, 1)


def retired_township(serial: str, name: str, ended: date) -> None:
    DivisionVersion.objects.create(
        code=f"520201{serial}000", name=name, place_name=name, level=4, kind="镇",
        parent_code=ZHONGSHAN, valid_from=None, valid_to=ended, **search_keys(name, name))


def town(**kw) -> str:
    return allocate_code(parent_code=ZHONGSHAN, level=4, kind="镇", on=ON, **kw)


def test_it_gives_the_next_number_after_the_highest_in_the_kind_range(demo, db):
    assert town() == "520201106000"          # 镇 101–105 in force
    assert allocate_code(parent_code=ZHONGSHAN, level=4, kind="乡", on=ON) == "520201205000"
    assert allocate_code(parent_code=ZHONGSHAN, level=4, kind="街道", on=ON) == "520201020000"
    assert town(taken={"520201106000"}) == "520201107000"


def test_it_never_gives_a_code_retired_in_the_last_five_years(demo, db):
    retired_township("106", "旧甲镇", date(2021, 3, 1))
    assert town() == "520201107000"


def test_it_gives_again_a_code_retired_more_than_five_years_ago(demo, db):
    retired_township("106", "旧乙镇", date(2019, 6, 1))
    assert town() == "520201106000"


def test_it_takes_the_lowest_free_number_once_the_range_is_used_to_its_top(demo, db):
    retired_township("199", "旧丙镇", date(2024, 6, 1))
    # 199 is blocked and above the highest in force (105): 106 is still next
    assert town() == "520201106000"
    for serial in range(106, 199):
        retired_township(str(serial), f"旧{serial}镇", date(2024, 6, 1))
    assert town() == "520201100000"  # below 101, the only one left
    retired_township("100", "旧丁镇", date(2024, 6, 1))
    with pytest.raises(Conflict):
        town()


def test_it_allocates_villages_by_their_kind(demo, db):
    township = "520201101000"
    kids = DivisionVersion.objects.filter(level=5, parent_code=township).filter(in_force(ON))
    cun = [int(v.code[9:]) for v in kids if v.kind == "村委会"]
    code = allocate_code(parent_code=township, level=5, kind="村委会", on=ON)
    assert code[:9] == township[:9] and int(code[9:]) == max(cun, default=199) + 1
    ju = allocate_code(parent_code=township, level=5, kind="居委会", on=ON)
    assert 1 <= int(ju[9:]) <= 199
    with pytest.raises(BadRequest):
        allocate_code(parent_code=township, level=5, kind="街道", on=ON)


def test_it_keeps_village_codes_when_the_county_does_not_recode(carry_out):
    unit = "520201101000"
    olds = list(DivisionVersion.objects.filter(level=5, parent_code=unit)
                .filter(in_force(ON)).order_by("code"))
    change = carry_out([{"op": "transfer", "unit": unit[:9], "to": "520204"}],
                       kind="transfer", recode_villages=False)
    new_code = change.result["codes"][unit]
    moved = list(DivisionVersion.objects.filter(level=5, parent_code=new_code)
                 .filter(in_force(EFFECTIVE)).order_by("code"))
    assert [v.code for v in moved] == [v.code for v in olds] and moved
    assert all(v.valid_from == EFFECTIVE for v in moved)
