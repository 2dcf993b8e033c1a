"""Our romanization of county-level names against the official (GB/T 2260) sample.

The sample (fixtures/readings/official_sample.csv, built by scripts/audit_readings.py)
ships with the code, so this runs without the national files. Every disagreement is a
known exception with its reason (fixtures/readings/exceptions.csv): the source's own
errors (a code's earlier unit, a missing apostrophe, a misspelling) or a reading where the
source gives a character's common reading and the place reads otherwise.
"""

import csv
from pathlib import Path

from boundaries.names import romanize_county

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "readings"


def _rows(name: str) -> list[dict]:
    with open(FIXTURES / name, encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _norm(latin: str) -> str:
    """Case and spacing aside; the source writes ü as v (Lvshunkou)."""
    return " ".join(latin.lower().replace("ü", "v").split())


def test_it_agrees_with_the_official_romanizations_but_the_known_exceptions(capsys):
    sample = _rows("official_sample.csv")
    exceptions = {row["code"]: row for row in _rows("exceptions.csv")}
    assert len(sample) >= 2000
    disagree = {row["code"] for row in sample
                if _norm(romanize_county(row["name"])) != _norm(row["official"])}
    agreement = 1 - len(disagree) / len(sample)
    readings = [c for c in disagree if exceptions.get(c, {}).get("kind") == "reading"]
    with capsys.disabled():
        print(f"\nreadings audit: {len(sample)} sampled, {len(sample) - len(disagree)} agree "
              f"({agreement:.2%}); {len(disagree) - len(readings)} source errors, "
              f"{len(readings)} readings the table decides otherwise")
    assert disagree - exceptions.keys() == set(), "disagreements without a known reason"
    assert exceptions.keys() - disagree == set(), "exceptions that now agree: remove them"
    assert all(row["reason"] for row in exceptions.values())


def test_it_romanizes_the_table_s_county_decisions_as_the_audit_lists():
    """Each county in audit.md reads as its romanization column says."""
    lines = (FIXTURES / "audit.md").read_text(encoding="utf-8").splitlines()
    rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in lines
            if line.startswith("| ") and line[2:3].isdigit()]
    assert len(rows) > 50
    assert [r[4] for r in rows] == [romanize_county(r[1]) for r in rows]
