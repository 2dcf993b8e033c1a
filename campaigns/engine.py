"""The statutory checks (gazetteer.checks) over the names already in use, set-based.

A run reads its scope once into a temporary table (campaign_scope: the standard places
of the classes asked for, in force, lying in the division), then:
- uniqueness (the engine's unique rule: same name or homophone 同音 within the class's
  scope) is one GROUP BY on the stored search keys (name, toneless pinyin) of every place
  of the same class group in the scopes the campaign touches, so a clash with a place
  outside the campaign's division is found as the single check finds it;
- banned patterns (大、洋、怪、重: gazetteer_namingban) are one join on strpos;
- the per-name rules (empty specific, generic fit, repeated generic, character set,
  length) are the engine's own functions, called on an in-memory Candidate for the names
  a vectorised pre-test flags (a generic at the end of the specific, a character outside
  GB2312 or not Han, no generic, too long) so that the rest cost no call at all;
- signs whose text or romanization disagree with the record are one join, each judged
  by gazetteer.signs.sign_findings.
The findings carry the engine's rule, severity, message and evidence unchanged.
"""

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.db import connection

from boundaries.temporal import in_force_sql, today
from gazetteer import checks
from gazetteer.checks import Candidate, Finding
from gazetteer.models import PlaceClass

CHUNK = 20000
SCOPE_DIGITS = {"city": 4, "county": 6, "township": 9}
SCOPE_LEVEL = {"country": 1, "city": 2, "county": 3, "township": 4}
HAN_ONLY = re.compile(r"^[\u3400-\u9fff]+$")


@dataclass
class Hit:
    """One finding of the engine, about one subject."""

    subject: str  # place, division, sign
    subject_id: str
    name: str
    place_id: int | None
    division_code: str
    place_class: str
    finding: Finding
    sign_code: str = ""


@dataclass
class Pass:
    checked: int = 0
    hits: list[Hit] = field(default_factory=list)


SCOPE_SQL = f"""
CREATE TEMP TABLE campaign_scope AS
SELECT p.id AS place_id, p.name, p.specific, p.generic, p.place_class_id AS class_id,
       (SELECT pd.division_code FROM gazetteer_placedivision pd
        WHERE pd.place_id = p.id AND pd.valid_to IS NULL
        ORDER BY pd.level DESC, pd.division_code LIMIT 1) AS code
FROM gazetteer_place p
WHERE p.status = 'standard' AND {in_force_sql("p")}
  AND (%(all_classes)s OR p.place_class_id = ANY(%(class_ids)s))
  AND (%(everywhere)s OR EXISTS (
        SELECT 1 FROM gazetteer_placedivision pd WHERE pd.place_id = p.id
        AND pd.valid_to IS NULL AND pd.division_code >= %(lo)s AND pd.division_code < %(hi)s))
"""


def read_scope(*, prefix: str | None, class_ids: list[int]) -> int:
    """Fill campaign_scope; the number of places in it. ``prefix`` None: everywhere."""
    lo, hi = checks.prefix_range(prefix or "")
    with connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS campaign_scope")
        cur.execute(SCOPE_SQL, {"all_classes": not class_ids, "class_ids": class_ids,
                                "everywhere": prefix is None, "lo": lo, "hi": hi,
                                "as_of": today()})
        cur.execute("CREATE INDEX ON campaign_scope (place_id)")
        cur.execute("ANALYZE campaign_scope")
        cur.execute("SELECT count(*) FROM campaign_scope")
        return cur.fetchone()[0]


def drop_scope() -> None:
    with connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS campaign_scope")


def chunks() -> Iterator[list[tuple]]:
    """The scope in id order, CHUNK rows at a time (keyset paging)."""
    last = 0
    while True:
        with connection.cursor() as cur:
            cur.execute("SELECT place_id, name, specific, generic, class_id, code"
                        " FROM campaign_scope WHERE place_id > %s ORDER BY place_id LIMIT %s",
                        [last, CHUNK])
            rows = cur.fetchall()
        if not rows:
            return
        yield rows
        last = rows[-1][0]


class PerName:
    """The engine's per-name rules, with a pre-test per rule that is true for every name
    the rule could fault (cheap string tests on the whole chunk)."""

    def __init__(self):
        self.classes = {c.id: c for c in PlaceClass.objects.all()}
        # every generic that may end a specific: the class's and its group siblings'
        self.tails = {c.id: tuple(g for o in self.classes.values() if o.group == c.group
                                  for g in o.generics)
                      for c in self.classes.values()}
        self.as_of = today()

    def candidate(self, name, specific, generic, cls, code) -> Candidate:
        return Candidate(name, specific, generic, cls, (code or "", 5, "", ""), None,
                         self.as_of, [])

    def rules_for(self, name: str, specific: str, generic: str, cls) -> list[Callable]:
        rules = []
        if not specific and generic:
            rules.append(checks.empty_specific)
        if not generic:
            rules.append(checks.generic_fit)
        elif specific.endswith(self.tails[cls.id]):
            rules.append(checks.repeated_generic)
        if not HAN_ONLY.match(name) or not _gb2312(name):
            rules.append(checks.charset)
        if len(name) > cls.max_length:
            rules.append(checks.length)
        return rules

    def run(self, rows: list[tuple]) -> list[Hit]:
        hits = []
        for pid, name, specific, generic, class_id, code in rows:
            cls = self.classes[class_id]
            rules = self.rules_for(name, specific, generic, cls)
            if not rules:
                continue
            cand = self.candidate(name, specific, generic, cls, code)
            for rule in rules:
                hits += [Hit("place", str(pid), name, pid, code or "", cls.slug, f)
                         for f in rule(cand)]
        return hits


def _gb2312(name: str) -> bool:
    try:
        name.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


BANNED_SQL = """
SELECT s.place_id, s.name, s.specific, s.generic, s.class_id, s.code
FROM campaign_scope s
WHERE EXISTS (SELECT 1 FROM gazetteer_namingban b WHERE strpos(s.name, b.pattern) > 0)
ORDER BY s.place_id
"""


def banned(per_name: PerName) -> list[Hit]:
    """The names holding a banned pattern (one join), each judged by the engine's rule."""
    with connection.cursor() as cur:
        cur.execute(BANNED_SQL)
        rows = cur.fetchall()
    hits = []
    for pid, name, specific, generic, class_id, code in rows:
        cls = per_name.classes[class_id]
        cand = per_name.candidate(name, specific, generic, cls, code)
        hits += [Hit("place", str(pid), name, pid, code or "", cls.slug, f)
                 for f in checks.banned_patterns(cand)]
    return hits
