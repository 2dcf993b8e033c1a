"""Two clashing proposals published at the same moment: exactly one gets the name.

The publications must really run concurrently, on two connections, so the data is
committed (not inside a test transaction) and removed afterwards by emptying the
proposal and place tables, which no other test commits to.
"""

import json
import threading
from datetime import date

import pytest
from django.db import connection, connections

from config.errors import Conflict
from gazetteer.models import Place
from proposals import services
from proposals.models import Proposal

from .support import act, drive, make_staff

# Homophones (Fenghuang Dadao) in the same city: the second must be refused.
NAMES = ["凤凰大道", "凤皇大道"]


@pytest.fixture(scope="session")
def test_database(django_db_setup, django_db_blocker):
    """pytest-django creates the test database only for sessions holding a test marked
    django_db; alone, this unmarked module would reach the development database."""
    with django_db_blocker.unblock():
        if not connection.settings_dict["NAME"].startswith("test_"):
            pytest.skip("needs the test database: run it with tests/proposals")


@pytest.fixture
def approved(test_database, divisions_db, django_db_blocker):
    with django_db_blocker.unblock():
        staff = make_staff()
        proposals = []
        for name in NAMES:
            p = services.proposal_submit(actor=staff["applicant"], kind="naming", name=name,
                                         place_class="road", division_code="520201")
            drive(p, "approved", staff)
            proposals.append(p)
        yield staff, proposals
        _clean()


def _clean() -> None:
    """Proposals and places are only ever committed by this test (every other test rolls
    back), so emptying them restores the session's state; history is append-only even for
    the owner, and nothing here switches a trigger off."""
    with connection.cursor() as cur:
        cur.execute("TRUNCATE proposals_proposal, gazetteer_place CASCADE")


def test_it_publishes_exactly_one_of_two_clashing_proposals(approved, django_db_blocker):
    staff, proposals = approved
    barrier, outcomes = threading.Barrier(len(proposals)), {}

    def publish(proposal):
        try:
            barrier.wait()
            act(proposal, staff["clerk"], "publish", announcement_number=f"公告{proposal.id}号",
                announcement_date=date.today())
            outcomes[proposal.id] = "published"
        except Conflict as exc:
            outcomes[proposal.id] = f"conflict: {exc}"
        finally:
            connections.close_all()

    with django_db_blocker.unblock():
        threads = [threading.Thread(target=publish, args=(p,)) for p in proposals]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        states = sorted(Proposal.objects.filter(id__in=[p.id for p in proposals])
                        .values_list("state", flat=True))
        published = Place.objects.filter(name__in=NAMES).count()
    assert sorted(v.split(":")[0] for v in outcomes.values()) == ["conflict", "published"]
    assert states == ["approved", "published"]
    assert published == 1
    assert "homophone" in next(v for v in outcomes.values() if v.startswith("conflict"))


@pytest.fixture
def overlapping(test_database, divisions_db, lps_features, django_db_blocker):
    """Two homophones: one declared in 水城区 without a geometry, one drawn across the
    水城区 | 宣威市 border and declared in 宣威市 (another city): their scopes overlap in 5202."""
    from tests.support import LPS_POLYGONS

    from .support import XUANWEI, add_xuanwei, line_between

    with django_db_blocker.unblock():
        with connection.cursor() as cur:
            for feature in lps_features:
                cur.execute(
                    "UPDATE boundaries_divisionversion SET geom = ST_Multi(ST_CollectionExtract("
                    "ST_MakeValid(ST_SetSRID(ST_GeomFromGeoJSON(%s), 4490)), 3)) "
                    "WHERE code = %s AND level = 3 AND valid_to IS NULL",
                    [json.dumps(feature["geometry"]),
                     LPS_POLYGONS[feature["properties"]["name"]].ljust(12, "0")])
        add_xuanwei()
        staff = make_staff()
        proposals = [
            services.proposal_submit(actor=staff["applicant"], kind="naming", name=NAMES[0],
                                     place_class="road", division_code="520204"),
            services.proposal_submit(actor=staff["applicant"], kind="naming", name=NAMES[1],
                                     place_class="road", division_code=XUANWEI,
                                     geom=line_between("520204000000", XUANWEI))]
        for p in proposals:
            drive(p, "approved", staff)
        try:
            yield staff, proposals
        finally:
            _clean()
            with connection.cursor() as cur:
                cur.execute("DELETE FROM boundaries_divisionversion WHERE code LIKE '53%%'")
                cur.execute("UPDATE boundaries_divisionversion SET geom = NULL WHERE level = 3"
                            " AND code IN ('520201000000', '520204000000')")


def test_it_serialises_publications_in_overlapping_scopes(overlapping, django_db_blocker):
    staff, proposals = overlapping
    assert [p.scopes for p in proposals] == [["5202"], ["5202", "5303"]]
    barrier, outcomes = threading.Barrier(len(proposals)), {}

    def publish(proposal):
        try:
            barrier.wait()
            act(proposal, staff["clerk"], "publish", announcement_number=f"公告{proposal.id}号",
                announcement_date=date.today())
            outcomes[proposal.id] = "published"
        except Conflict as exc:
            outcomes[proposal.id] = f"conflict: {exc}"
        finally:
            connections.close_all()

    with django_db_blocker.unblock():
        threads = [threading.Thread(target=publish, args=(p,)) for p in proposals]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        published = Place.objects.filter(name__in=NAMES).count()
    assert sorted(v.split(":")[0] for v in outcomes.values()) == ["conflict", "published"]
    assert published == 1
