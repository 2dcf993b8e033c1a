"""Execution is all or nothing: a failure in its last step leaves the registry as it was."""

import pytest
from django.db import connection

from mergers import aftermath, changes

from .conftest import EFFECTIVE

TABLES = ["boundaries_divisionversion", "boundaries_divisionevent",
          "boundaries_divisionevent_input", "boundaries_divisionevent_output",
          "boundaries_boundaryline", "boundaries_boundarymarker_lines",
          "boundaries_boundarymarker", "boundaries_markerstate", "gazetteer_placedivision"]


def snapshot() -> dict[str, str]:
    """Every row of the tables execution writes, as one digest per table."""
    out = {}
    with connection.cursor() as cur:
        for table in TABLES:
            cur.execute(f"SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text),"
                        f" '')) FROM {table} t")
            out[table] = cur.fetchone()
    return out


class Injected(RuntimeError):
    pass


def test_it_leaves_nothing_changed_when_the_last_step_fails(demo, db, people, monkeypatch,
                                                           make_place_in):
    make_place_in("520201101000", "大河路")
    change = changes.division_change_create(
        actor=people["planner"], title="撤并", kind="merge", effective_date=EFFECTIVE,
        operations=[{"op": "merge", "townships": ["520201101", "520201104"], "name": "大木镇",
                     "kind": "镇"}],
        approval_document="黔府函〔2024〕2号", approving_authority="贵州省人民政府")
    changes.division_change_approve(actor=people["approver"], change_id=change.id)
    before = snapshot()

    def fail(run):
        raise Injected("the places step failed")
    monkeypatch.setattr(aftermath, "rereference_places", fail)
    with pytest.raises(Injected):
        changes.division_change_execute(actor=people["approver"], change_id=change.id)
    assert snapshot() == before
    change.refresh_from_db()
    assert change.state == "approved" and change.result == {}
    assert [t.action for t in change.transitions.order_by("id")] == ["create", "approve"]
    # and once the failure is gone, the same change goes through
    monkeypatch.undo()
    done = changes.division_change_execute(actor=people["approver"], change_id=change.id)
    assert done.state == "executed" and snapshot() != before
