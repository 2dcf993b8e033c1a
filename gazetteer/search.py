"""Place search: exact, prefix, pinyin, initials, contains and similar, on names and variants.

The technique of boundaries.search: a UNION ALL of parts, each answering one match
kind on one table (places by their standard name, variants by theirs) and cut to
the page by its own LIMIT, deduplicated (a place keeps its best match) and ranked:
tier, standard before variant, id. A part on places either walks the id order and
stops at the page (terms so common that collecting them would cost more: 路 is in a
third of all names) or collects its hits behind an OFFSET 0 fence, as the planner's
estimate of its hits decides (walking_tiers). Text is normalised first (full-width,
spaces, traditional → simplified), so 江門 finds 江门. A variant hit returns the
place with the variant it matched (a former name 曾用名 is marked ``former``).
Trigram similarity runs only on a miss ("did you mean").
"""

import json
from dataclasses import dataclass
from datetime import date

from django.db import connection, transaction
from django.utils.translation import gettext_noop

from boundaries.codes import prefix_range
from boundaries.names import break_initials, is_latin, normalize
from boundaries.selectors import division_prefix
from boundaries.temporal import in_force_sql, today
from config.errors import BadRequest

from .models import HeritageCategory, Status

MATCHES = {0: "exact", 1: "prefix", 2: "pinyin", 3: "initials", 4: "fuzzy", 5: "similar"}
SIMILAR_TIER = 5
TABLES = {"place": "gazetteer_place", "variant": "gazetteer_placename"}
# Below this many estimated hits a part is always collected.
MIN_WALK = 1000
# Counts stop here: past it a count costs as much as collecting every hit of a common term
# (路: a third of all names), and the offset cannot reach further anyway.
COUNT_LIMIT = 10_000


@dataclass
class Filters:
    place_class: int | None = None
    division: str | None = None
    as_of: date | None = None
    bbox: tuple[float, float, float, float] | None = None
    status: str | None = None
    heritage: bool | None = None  # on the 地名文化保护名录 (True) or not (False)
    heritage_category: str | None = None
    # With heritage: listed on this date (by the listing events), not today.
    heritage_on: date | None = None

    def sql(self, params: dict) -> str:
        """Conditions on the place ``p``; fills ``params``."""
        parts = []
        if self.as_of or not self.status:
            parts.append(in_force_sql("p"))
            params["as_of"] = self.as_of or today()
        if self.status:
            parts.append("p.status = %(status)s")
            params["status"] = self.status
        elif self.as_of:
            # On a past date a now-cancelled place was standard: its period decides.
            parts.append("p.status <> 'proposed'")
        else:
            parts.append("p.status = 'standard'")
        if self.heritage and self.heritage_on:
            parts.append(LISTED_ON_SQL)
            params["heritage_on"] = self.heritage_on
            params["listed_category"] = self.heritage_category
        elif self.heritage is not None:
            parts.append(f"p.heritage_category {'<>' if self.heritage else '='} ''")
        if self.heritage_category and not self.heritage_on:
            parts.append("p.heritage_category = %(heritage_category)s")
            params["heritage_category"] = self.heritage_category
        if self.place_class:
            parts.append("p.place_class_id = %(class_id)s")
            params["class_id"] = self.place_class
        if self.division:
            prefix, _ = division_prefix(self.division)
            parts.append("EXISTS (SELECT 1 FROM gazetteer_placedivision pd WHERE "
                         "pd.place_id = p.id AND pd.valid_to IS NULL "
                         "AND pd.division_code >= %(code_lo)s "
                         "AND pd.division_code < %(code_hi)s)")
            params |= dict(zip(("code_lo", "code_hi"), prefix_range(prefix), strict=True))
        if self.bbox:
            parts.append("p.geom && ST_MakeEnvelope(%(x0)s, %(y0)s, %(x1)s, %(y1)s, 4490)")
            params |= dict(zip(("x0", "y0", "x1", "y1"), self.bbox, strict=True))
        # An explicit status without a date: every place of that status, whenever.
        return " AND ".join(parts)


# The place's last listing or delisting by the date is a listing (of the category asked).
LISTED_ON_SQL = """EXISTS (SELECT 1 FROM (
    SELECT e.kind, e.new_value FROM gazetteer_namingevent e
    WHERE e.place_id = p.id AND e.kind IN ('listing', 'delisting')
      AND e.effective_date <= %(heritage_on)s
    ORDER BY e.effective_date DESC, e.id DESC LIMIT 1) AS last
  WHERE last.kind = 'listing'
    AND (%(listed_category)s::text IS NULL OR last.new_value = %(listed_category)s))"""


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def conditions(norm: str, params: dict) -> list[tuple[int, str]]:
    """(tier, condition on the alias ``t``) for the query, filling ``params``."""
    latin = norm.replace("ü", "v")  # pypinyin's keys spell ü as v
    if is_latin(latin):
        params["key"] = _like(latin.replace("'", "")) + "%"
        breaks = break_initials(latin)
        if breaks:
            # xi'an is 西安, not 享堂 (boundaries.names.break_initials); and never initials.
            params["breaks"] = breaks
            return [(2, "t.pinyin LIKE %(key)s AND t.initials LIKE %(breaks)s")]
        return [(2, "t.pinyin LIKE %(key)s"), (3, "t.initials LIKE %(key)s")]
    params |= {"q": norm, "prefix": _like(norm) + "%"}
    found = [(0, "t.name = %(q)s"), (1, "t.name LIKE %(prefix)s")]
    if len(norm) <= 2:
        params["grams"] = [norm]
        found.append((4, "t.grams @> %(grams)s::text[]"))
    else:
        # Every bigram is necessary, not sufficient: recheck on the name.
        params["grams"] = sorted({a + b for a, b in zip(norm, norm[1:], strict=False)})
        params["contains"] = "%" + _like(norm) + "%"
        found.append((4, "t.grams @> %(grams)s::text[] AND t.name LIKE %(contains)s"))
        params["similar"] = norm
    return found


def _part(table: str, tier: int, condition: str, where: str, walk: bool = False) -> str:
    if table == "place":
        head = "SELECT p.id, NULL::text AS kind, p.name AS matched"
        source, condition = "gazetteer_place p", condition.replace("t.", "p.")
    else:
        head = "SELECT p.id, t.kind, t.name AS matched"
        source = "gazetteer_placename t JOIN gazetteer_place p ON p.id = t.place_id"
    inner = f"{head}, {tier} AS tier FROM {source} WHERE {condition} AND {where}"
    if walk:
        # Variants walk their place_id index (the same order), joining each hit to its place.
        order = "p.id" if table == "place" else "t.place_id"
        return f"SELECT * FROM ({inner} ORDER BY {order} LIMIT %(window)s) AS part"
    # OFFSET 0 keeps the planner from walking the id order past the LIMIT on its own
    # estimate: a term clustered in one region would be read far down the table.
    return (f"SELECT * FROM (SELECT * FROM ({inner} OFFSET 0) AS collected"
            f" ORDER BY id LIMIT %(window)s) AS part")


def _ranked(union: list[str]) -> str:
    body = "\nUNION ALL\n".join(f"({part})" for part in union)
    return (
        "SELECT id, kind, matched, tier FROM (SELECT DISTINCT ON (id) * FROM (" + body +
        ") AS parts ORDER BY id, tier, kind NULLS FIRST) AS hits"
        " ORDER BY tier, kind NULLS FIRST, id LIMIT %(limit)s OFFSET %(offset)s"
    )


def walking_tiers(found: list[tuple[int, str]], where: str, params: dict) -> set[int]:
    """The tiers whose part on places should walk the id order instead of collecting."""
    return walking(found, where, params)["place"]


def walking(found: list[tuple[int, str]], where: str, params: dict) -> dict[str, set[int]]:
    """Per table, the tiers whose part should walk the id order instead of collecting.

    Collecting costs about the number of hits; walking about window × rows / hits
    (uniformly spread). Walk when the planner estimates so many hits that walking
    is cheaper (hits² > window × rows), and never for a few hundred. One EXPLAIN
    for all the parts. Variants are counted on their own table: a common character
    (路) is in tens of thousands of former names and aliases at 13M places.
    """
    ctes = ", ".join(
        [f"e{tier} AS MATERIALIZED (SELECT p.id FROM gazetteer_place p "
         f"WHERE {cond.replace('t.', 'p.')} AND {where})" for tier, cond in found if tier]
        + [f"v{tier} AS MATERIALIZED (SELECT t.id FROM gazetteer_placename t WHERE {cond})"
           for tier, cond in found if tier])
    if not ctes:
        return {"place": set(), "variant": set()}
    union = " UNION ALL ".join(f"SELECT id FROM {key}{tier}" for key in "ev"
                               for tier, _ in found if tier)
    with connection.cursor() as cur:
        cur.execute("SELECT relname, reltuples FROM pg_class WHERE oid IN "
                    "('gazetteer_place'::regclass, 'gazetteer_placename'::regclass)")
        totals = {name: max(rows, 0) for name, rows in cur.fetchall()}
        cur.execute(f"EXPLAIN (FORMAT JSON) WITH {ctes} {union}", params)
        plan = cur.fetchone()[0]
    plan = plan if isinstance(plan, list) else json.loads(plan)
    walk: dict[str, set[int]] = {"place": set(), "variant": set()}
    for node in plan[0]["Plan"].get("Plans", []):
        name = node.get("Subplan Name", "").removeprefix("CTE ")
        if name[:1] not in ("e", "v"):
            continue
        table = "place" if name[0] == "e" else "variant"
        hits, total = node["Plan Rows"], totals[TABLES[table]]
        if hits >= MIN_WALK and hits * hits > params["window"] * total:
            walk[table].add(int(name[1:]))
    return walk


def search_places(q: str | None, filters: Filters, *, limit: int, offset: int) -> list[tuple]:
    """[(place id, matched variant kind or None, matched name, tier)] for the page."""
    params: dict = {"limit": limit, "offset": offset, "window": limit + offset}
    where = filters.sql(params)
    if q is None:
        sql = (f"SELECT p.id, NULL, p.name, 0 FROM gazetteer_place p WHERE {where} "
               "ORDER BY p.id LIMIT %(limit)s OFFSET %(offset)s")
        return _fetch(sql, params)
    norm = normalize(q)
    if not norm.replace("'", ""):
        raise BadRequest.of(gettext_noop("q %(q)r: nothing to search for once spaces are "
                                         "removed"), q=q)
    found = conditions(norm, params)
    # The last tier (contains, or initials) costs most and ranks after the others: when
    # the others fill the window up to the page's end, it cannot change the page.
    if found[:-1]:
        rows = _matches(found[:-1], where, params | {"limit": params["window"], "offset": 0})
        if len(rows) >= params["window"]:
            return rows[offset:]
    rows = _matches(found, where, params)
    if not rows and "similar" in params:
        union = [_part(table, SIMILAR_TIER, "t.name %% %(similar)s", where) for table in TABLES]
        rows = _fetch(_ranked(union), params)
    return rows


def count_places(q: str | None, filters: Filters) -> int:
    """How many places search_places pages through, counted up to COUNT_LIMIT."""
    params: dict = {}
    where = filters.sql(params)
    if q is None:
        return _count(where, params)
    found = conditions(normalize(q), params)
    count = _count(where, params, [cond for _, cond in found])
    if count or "similar" not in params:
        return count
    return _count(where, params, ["t.name %% %(similar)s"])


def _count(where: str, params: dict, found: list[str] | None = None) -> int:
    if found is None:
        return _fetch(f"SELECT count(*) FROM (SELECT 1 FROM gazetteer_place p WHERE {where}"
                      f" LIMIT {COUNT_LIMIT}) AS hits", params)[0][0]
    # One part per condition and table, each on its own index and cut at the limit, their
    # ids deduplicated: exact below the limit, and at the limit as soon as one part reaches
    # it. One statement with the conditions ORed (and the variants in an EXISTS) can use
    # no index: at 13M places it read the table, seconds for 钟山.
    parts = [f"(SELECT p.id FROM gazetteer_place p WHERE {cond.replace('t.', 'p.')} "
             f"AND {where} LIMIT {COUNT_LIMIT})" for cond in found]
    parts += [f"(SELECT p.id FROM gazetteer_placename t JOIN gazetteer_place p "
              f"ON p.id = t.place_id WHERE {cond} AND {where} LIMIT {COUNT_LIMIT})"
              for cond in found]
    return _fetch(f"SELECT count(*) FROM (SELECT id FROM ({' UNION '.join(parts)}) AS hits "
                  f"LIMIT {COUNT_LIMIT}) AS counted", params)[0][0]


def _matches(found: list[tuple[int, str]], where: str, params: dict) -> list[tuple]:
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET LOCAL jit = off")
        walk = walking(found, where, params)
    union = [_part(table, tier, cond, where, walk=tier in walk[table])
             for table in TABLES for tier, cond in found]
    return _fetch(_ranked(union), params)


def _fetch(sql: str, params: dict) -> list[tuple]:
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET LOCAL jit = off")
        cur.execute(sql, params)
        return cur.fetchall()


def heritage_category_or_none(raw: str | None) -> str | None:
    if raw is None:
        return None
    if raw not in HeritageCategory.values:
        raise BadRequest.of(gettext_noop("category %(raw)r: expected one of %(expected)s"),
                            raw=raw, expected=", ".join(HeritageCategory.values))
    return raw


def status_or_none(raw: str | None) -> str | None:
    if raw is None:
        return None
    if raw not in Status.values:
        raise BadRequest.of(gettext_noop("status %(raw)r: expected one of %(expected)s"),
                            raw=raw, expected=", ".join(Status.values))

    return raw
