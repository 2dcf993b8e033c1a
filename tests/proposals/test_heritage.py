"""The 地名文化保护名录 through the committee: the office files a listing or a delisting, the
committee decides, and at publication the place's status changes from that date, with
an event in its history; the list answers for any date."""

from datetime import date, timedelta

import pytest

from config.errors import BadRequest, Conflict, Forbidden
from proposals import services

from .support import act, drive

pytestmark = pytest.mark.django_db
TODAY = date.today()


def listing(staff, place, category="千年古村落", who="clerk"):
    return services.proposal_submit(actor=staff[who], kind="heritage_list", place_id=place.id,
                                    heritage_category=category, reason="明代建村，格局完整")


def heritage(client, query=""):
    response = client.get(f"/api/v1/places/heritage{query}")
    assert response.status_code == 200, response.content
    return [(i["name"], i["category"], i["listed_on"]) for i in response.json()["items"]]


def test_it_lists_a_place_on_publication_with_its_history(client, staff, make_place):
    village = make_place("古寨村", cls="natural_village", geom=None,
                         division_codes=["520201"], valid_from=date(1950, 1, 1))
    proposal = listing(staff, village)
    assert (proposal.state, proposal.findings) == ("submitted", [])
    assert heritage(client) == []
    drive(proposal, "approved", staff)
    assert heritage(client) == []  # decided, not yet published
    act(proposal, staff["clerk"], "publish", announcement_number="六盘水地名公告〔2024〕1号",
        announcement_date=TODAY)
    village.refresh_from_db()
    assert (village.heritage_category, village.heritage_listed_on) == ("千年古村落", TODAY)
    assert heritage(client) == [("古寨村", "千年古村落", TODAY.isoformat())]
    yesterday = (TODAY - timedelta(days=1)).isoformat()
    assert heritage(client, f"?as_of={yesterday}") == []
    events = client.get(f"/api/v1/places/{village.id}/history").json()["events"]
    assert [(e["kind"], e["new_value"], e["document_number"]) for e in events][-1] == (
        "listing", "千年古村落", "六盘水地名公告〔2024〕1号")


def test_it_delists_from_the_decision_keeping_the_listing_for_earlier_dates(client, staff,
                                                                            make_place):
    village = make_place("老街村", cls="natural_village", geom=None,
                         division_codes=["520201"], valid_from=date(1950, 1, 1),
                         heritage_category="千年古村落", heritage_listed_on=date(2019, 12, 1))
    with pytest.raises(BadRequest, match="reason"):
        services.proposal_submit(actor=staff["clerk"], kind="heritage_delist",
                                 place_id=village.id)
    proposal = services.proposal_submit(actor=staff["clerk"], kind="heritage_delist",
                                        place_id=village.id, reason="村落整体拆迁")
    drive(proposal, "published", staff)
    village.refresh_from_db()
    assert village.heritage_category == ""
    assert heritage(client) == []
    assert heritage(client, "?as_of=2020-06-01") == [("老街村", "千年古村落", "2019-12-01")]
    assert heritage(client, "?as_of=2020-06-01&category=千年古镇") == []
    assert heritage(client, "?as_of=2019-06-01") == []
    kinds = [e["kind"] for e in client.get(f"/api/v1/places/{village.id}/history").json()[
        "events"]]
    assert kinds == ["naming", "listing", "delisting"]


def test_it_lets_only_the_office_file_and_the_chair_decide(staff, make_place):
    village = make_place("古寨村", cls="natural_village", geom=None, division_codes=["520201"])
    with pytest.raises(Forbidden, match="clerk"):
        listing(staff, village, who="applicant")
    proposal = listing(staff, village)
    with pytest.raises(Forbidden, match="clerk"):
        act(proposal, staff["expert1"], "accept")
    drive(proposal, "committee_review", staff)
    for member in ("member1", "member2", "chair"):
        act(proposal, staff[member], "vote", choice="approve")
    with pytest.raises(Forbidden, match="chair"):
        act(proposal, staff["clerk"], "approve")


def test_it_keeps_the_order_and_refuses_what_the_list_already_says(staff, make_place):
    village = make_place("古寨村", cls="natural_village", geom=None, division_codes=["520201"])
    with pytest.raises(BadRequest, match="heritage_category"):
        listing(staff, village, category="古树")
    with pytest.raises(Conflict, match="not on the heritage list"):
        services.proposal_submit(actor=staff["clerk"], kind="heritage_delist",
                                 place_id=village.id, reason="x")
    first, second = listing(staff, village), listing(staff, village)
    with pytest.raises(Conflict, match="publish"):
        act(first, staff["clerk"], "publish", announcement_number="1号",
            announcement_date=TODAY)
    drive(first, "published", staff)
    with pytest.raises(Conflict, match="already on the heritage list"):
        listing(staff, village)
    drive(second, "approved", staff)
    with pytest.raises(Conflict, match="already on the heritage list"):
        act(second, staff["clerk"], "publish", announcement_number="2号",
            announcement_date=TODAY)


def test_it_needs_the_extra_review_to_rename_a_name_listed_by_the_committee(staff,
                                                                            make_place):
    road = make_place("古城路", valid_from=date(1980, 1, 1))
    drive(listing(staff, road, category="其他"), "published", staff)
    renaming = services.proposal_submit(actor=staff["applicant"], kind="renaming",
                                        name="新城路", place_id=road.id, reason="城市更新")
    assert "heritage" in {f["rule"] for f in services.blocking(renaming.findings)}
    drive(renaming, "expert_review", staff)
    act(renaming, staff["expert1"], "extra_review", opinion="文化遗产专家论证：同意更名")
    renaming.refresh_from_db()
    assert services.blocking(renaming.findings) == []
