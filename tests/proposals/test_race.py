"""Two clashing proposals published at the same moment: exactly one gets the name.

The publications must really run concurrently, on two connections, so the data is
committed (not inside a test transaction) and removed afterwards by emptying the
proposal and place tables, which no other test commits to.
"""

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
