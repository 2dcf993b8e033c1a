"""Division search: exact, prefix and fuzzy on Chinese names; full pinyin and initials.

Ranking: match tier (exact > prefix > pinyin > initials > fuzzy), current before
ended, province before village, then code. The main statement is a UNION ALL of
parts, each answering one match kind for one slice of the table and cut to the page
size by its own LIMIT; the union is deduplicated (a row keeps its best tier) and
ranked. Parts overlap (an exact hit is also a prefix hit): since every part returns
its best ``limit`` rows in the final order, the union still holds the true top page.

Why parts per slice. Common terms (村 is in 488k of 665k names) cannot be collected
and sorted: building the GIN bitmap alone takes ~100 ms. They have to be read in
(level, code) order and stopped at the LIMIT ("walk"). But a walk is only fast when
matches are spread along that order, and many terms are not: 村 is rare above the
village level, so a walk from the provinces crosses 44k rows before the first
village; 喀 lives in Xinjiang and 屯 in Guangxi, 300k+ villages down the code order.
The planner assumes an even spread and walks far too eagerly, so we take its row
estimate and decide ourselves: walk only terms common enough in the slice that even
clustered they are met early (measured on the whole country: every term with 5k+
village hits has its 20th within the first 7.5k rows), collect everything else
behind an OFFSET 0 fence. The slices are levels 1–4 (44k rows) and villages (620k),
because term frequencies differ wildly between them; levels 1–4 are searched through
expression indexes (CASE WHEN level < 5 …, division_upper_*_idx) whose statistics describe
those levels alone, so the estimate for 村 there is 700, not 32k. Ended versions are
few: a partial index holds them and the planner may walk it.
"""

import json
import time
from dataclasses import dataclass
from datetime import date

from django.db import connection
from django.utils.translation import gettext_noop

from config.errors import BadRequest

from .codes import code_prefix, prefix_range
from .models import Level, short_code
from .names import ORGANISATION_ENDINGS, PLACEHOLDER, break_initials, is_latin, normalize
from .selectors import successors_of
from .temporal import began_sql, in_force_sql, today

TABLE = "boundaries_divisionversion"
COLUMNS = "id, code, name, level, kind, parent_code, valid_from, valid_to"
MATCHES = {0: "exact", 1: "prefix", 2: "pinyin", 3: "initials", 4: "fuzzy", 5: "fuzzy"}
SIMILAR_TIER = 5
# Counts stop here: past it, a count costs as much as collecting every hit of a common term
# (村: 488k), and no client pages that far (offset is bounded by the same figure).
COUNT_LIMIT = 10_000
# Hits in a slice from which walking in (level, code) order beats collecting them.
# Levels 1–4 are 44k rows, so there a walk is bounded and pays off sooner.
WALK_ROWS = {"upper": 2000, "village": 5000}
# The upper keys are NULL for villages, so they need no level condition of their own.
SLICES = {"upper": "TRUE", "village": "level = 5"}

_VALID = in_force_sql()
_CURRENT = f"valid_to IS NULL AND {began_sql()}"
_ENDED = f"valid_to IS NOT NULL AND {_VALID}"
# Undated searches also answer retired names (盘县), but not an ended version whose name
# lives on in force, under its own code or in a successor's (a township recoded with its
# county keeps its name: that is no former name).
_BEGAN = began_sql()
_FORMER = f"""valid_to IS NOT NULL AND {_BEGAN} AND NOT EXISTS (
    SELECT 1 FROM {TABLE} alive WHERE alive.name = {TABLE}.name
      AND alive.level = {TABLE}.level AND {in_force_sql("alive")}
      AND (alive.code = {TABLE}.code OR alive.id IN (
        SELECT o.divisionversion_id FROM boundaries_divisionevent_input i
        JOIN boundaries_divisionevent_output o USING (divisionevent_id)
        WHERE i.divisionversion_id = {TABLE}.id)))"""
_RANK = "valid_to IS NOT NULL, level, code"


def upper(column: str) -> str:
    """A search key of levels 1–4 only, as the division_upper_*_idx indexes hold it (NULL for
    villages)."""
    return f"(CASE WHEN level < 5 THEN {column} END)"


@dataclass(frozen=True)
class Branch:
    tier: int
    upper: str  # levels 1–4, where name = place_name and pinyin = place_pinyin
    village: str
    # Bigrams to estimate one at a time: the planner multiplies their frequencies as
    # if independent and estimates 村民委员会 at 8k rows, not 189k. The rarest one
    # bounds the hits; walk only if even it is common.
    grams: int = 0

    def condition(self, slice_: str) -> str:
        return self.upper if slice_ == "upper" else self.village

    def probes(self, slice_: str) -> list[str]:
        if not self.grams:
            return [self.condition(slice_)]
        key = upper("grams") if slice_ == "upper" else "grams"
        return [f"{key} @> ARRAY[(%(grams)s::text[])[{i}]]" for i in range(1, self.grams + 1)]


@dataclass(frozen=True)
class Prepared:
    branches: list[Branch]
    params: dict
    filters: str
    slices: list[str]  # the slices the level and parent filters leave open
    former: bool = False  # undated: retired names too

    @property
    def valid(self) -> str:
        """Versions the exact and similar parts may answer."""
        return f"(({_VALID}) OR ({_FORMER}))" if self.former else _VALID

    @property
    def similar(self) -> bool:
        return "similar" in self.params


def search_divisions(q: str, *, level: int | None, parent: tuple[str, int | None] | None,
                     as_of: date | None, limit: int, offset: int = 0) -> dict:
    """Divisions in force on ``as_of``; without it, in force today or retired (``former``)."""
    norm = normalize(q)
    if not norm.replace("'", ""):
        raise BadRequest.of(gettext_noop("q %(q)r: nothing to search for once spaces are "
                                         "removed"), q=q)

    former = as_of is None
    as_of = as_of or today()
    prep = prepare(norm, level=level, parent=parent, as_of=as_of, limit=limit, offset=offset,
                   former=former)
    if not prep.slices:  # under a village: nothing lies below it
        return {"query": q, "normalized": norm, "count": 0, "limit": limit, "offset": offset,
                "items": []}
    count, rows = _ranked(prep)
    retired = {row[0] for row in rows if row[7] is not None and row[7] <= as_of}
    items = [
        {"code": code, "short_code": short_code(code, lvl), "name": name,
         "level": Level(lvl).label, "kind": kind, "valid_from": valid_from,
         "valid_to": valid_to, "current": valid_to is None, "match": MATCHES[tier],
         "parent_name": parent_name, "former": id_ in retired,
         "successors": _current_successors(id_) if id_ in retired else []}
        for id_, code, name, lvl, kind, _, valid_from, valid_to, tier, parent_name in rows
    ]
    return {"query": q, "normalized": norm, "count": count, "limit": limit, "offset": offset,
            "items": items}


def _current_successors(version_id: int) -> list[dict]:
    """What a retired name became, as the crosswalk answers it (current versions only)."""
    return [{"code": v.code, "short_code": short_code(v.code, v.level), "name": v.name,
             "level": Level(v.level).label, "kind": v.kind}
            for v in successors_of([version_id]) if v.valid_to is None]


def _ranked(prep: Prepared) -> tuple[int, list[tuple]]:
    """(bounded count of all matches, the page's rows)."""
    walk = _walking_parts(prep)
    count = _count(prep, " OR ".join(
        ["name = %(q)s OR place_name = %(q)s"] * ("q" in prep.params)
        + [f"({b.village})" for b in prep.branches]))
    if count or not prep.similar:
        return count, _fetch(*search_sql(prep, walk)) if count > prep.params["offset"] else []
    # Only on a miss ("did you mean"): planning and rechecking trigram matches costs
    # several ms, which a query that found its division should not pay.
    count = _count(prep, "name %% %(similar)s")
    return count, _fetch(*similar_sql(prep)) if count > prep.params["offset"] else []


def _count(prep: Prepared, condition: str) -> int:
    """How many divisions match, counted up to COUNT_LIMIT (see the module docstring)."""
    sql = (f"SELECT count(*) FROM (SELECT 1 FROM {TABLE} WHERE ({condition})"
           f" AND {prep.valid}{prep.filters} LIMIT {COUNT_LIMIT}) AS hits")
    return _fetch(sql, prep.params)[0][0]


# Estimates only steer the plan, never the answer, and change only with ANALYZE: a
# popular query (钟山, a prefix being typed) need not be estimated again each time.
ESTIMATE_SECONDS = 600
_estimates: dict[tuple, tuple[float, frozenset]] = {}


def _walking_parts(prep: Prepared) -> frozenset[tuple[str, int]]:
    paging = ("limit", "offset", "window")
    key = (repr(sorted((k, str(v)) for k, v in prep.params.items() if k not in paging)),
           prep.filters, tuple(prep.slices))
    cached = _estimates.get(key)
    if cached and time.monotonic() - cached[0] < ESTIMATE_SECONDS:
        return cached[1]
    estimates = estimate_rows(prep)
    walk = frozenset(part for part, rows in estimates.items() if rows >= WALK_ROWS[part[0]])
    if len(_estimates) >= 10_000:
        _estimates.clear()
    _estimates[key] = (time.monotonic(), walk)
    return walk


def _fetch(sql: str, params: dict) -> list[tuple]:
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


def prepare(norm: str, *, level: int | None, parent: tuple[str, int | None] | None,
            as_of: date, limit: int, offset: int = 0, former: bool = False) -> Prepared:
    branches, params = branches_for(norm)
    # Placeholders (市辖区, the county-level echo of 东莞市) are groupings, not divisions.
    filters = f" AND kind <> '{PLACEHOLDER}'"
    low, high = 1, 5
    if level:
        filters += " AND level = %(level)s"
        params["level"] = low = high = level
    if parent:
        prefix, parent_level = code_prefix(*parent)
        # Descendants share the parent's short-code prefix.
        filters += " AND code >= %(code_lo)s AND code < %(code_hi)s AND level > %(parent_level)s"
        code_lo, code_hi = prefix_range(prefix)
        params |= {"code_lo": code_lo, "code_hi": code_hi, "parent_level": parent_level}
        low = max(low, parent_level + 1)
    # Every part keeps the best limit + offset rows ("window"): the page is cut from their union.
    params |= {"as_of": as_of, "limit": limit, "offset": offset, "window": limit + offset}
    slices = (["upper"] if low <= 4 else []) + (["village"] if low <= 5 and high == 5 else [])
    return Prepared(branches, params, filters, slices, former)


def branches_for(norm: str) -> tuple[list[Branch], dict]:
    latin = norm.replace("ü", "v")  # pypinyin spells ü as v (lv, nv)
    if is_latin(latin):
        # The apostrophe only separates syllables (xi'an); the keys are stored without it.
        key = _like_escape(latin.replace("'", "")) + "%"
        breaks = break_initials(latin)
        if breaks:
            # Syllables after a break must start where the name's do; and a query with
            # breaks is full pinyin, never initials. (The place's initials head the name's.)
            params = {"key": key, "breaks": breaks}
            aligned = " AND initials LIKE %(breaks)s"
            return [Branch(2, f"{upper('pinyin')} LIKE %(key)s{aligned}",
                           f"(pinyin LIKE %(key)s OR place_pinyin LIKE %(key)s){aligned}")], params
        return [
            Branch(2, f"{upper('pinyin')} LIKE %(key)s",
                   "(pinyin LIKE %(key)s OR place_pinyin LIKE %(key)s)"),
            Branch(3, f"{upper('initials')} LIKE %(key)s", "initials LIKE %(key)s"),
        ], {"key": key}
    # place_name is always the head of name (大箐村 of 大箐村村民委员会), so a name
    # prefix covers both.
    params = {"q": norm, "prefix": _like_escape(norm) + "%"}
    branches = [Branch(1, f"{upper('name')} LIKE %(prefix)s", "name LIKE %(prefix)s")]
    grams = "grams @> %(grams)s::text[]"
    if len(norm) <= 2:
        # A gram is exactly "the name contains it": no recheck on the name needed.
        params["grams"] = [norm]
        branches.append(Branch(4, f"{upper('grams')} @> %(grams)s::text[]", grams))
        return branches, params
    # Every bigram present is necessary, not sufficient (钟山 + 山区 ≠ 钟山区): recheck.
    params["grams"] = sorted({a + b for a, b in zip(norm, norm[1:], strict=False)})
    params["contains"] = "%" + _like_escape(norm) + "%"
    # Similarity on the place alone: the trigrams of 村委会 are in 300k names, and
    # candidates sharing them would all be rechecked (seconds); 陆地村 still finds
    # 陆地村村委会.
    place = ORGANISATION_ENDINGS.sub("", norm)
    if len(place) >= 3:
        params["similar"] = place
    recheck = " AND name LIKE %(contains)s"
    branches.append(Branch(4, f"{upper('grams')} @> %(grams)s::text[]{recheck}",
                           grams + recheck, grams=len(params["grams"])))
    return branches, params


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _current(prep: Prepared, slice_: str, condition: str) -> str:
    return f"SELECT {COLUMNS} FROM {TABLE} WHERE {SLICES[slice_]} AND {_CURRENT}" \
        f" AND {condition}{prep.filters}"


def estimate_rows(prep: Prepared) -> dict[tuple[str, int], float]:
    """The planner's estimate of current hits per part (slice, tier), in one EXPLAIN.

    Each probe is a materialised CTE: the root of its plan carries the full row
    estimate even when the planner would run it in parallel.
    """
    probes = {
        f"{s}_{b.tier}_{i}": _current(prep, s, condition)
        for s in prep.slices for b in prep.branches for i, condition in enumerate(b.probes(s))
    }
    ctes = ", ".join(f"p_{name} AS MATERIALIZED ({sql})" for name, sql in probes.items())
    union = " UNION ALL ".join(f"SELECT id FROM p_{name}" for name in probes)
    with connection.cursor() as cur:
        cur.execute(f"EXPLAIN (FORMAT JSON) WITH {ctes} {union}", prep.params)
        plan = cur.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    found = {}
    for node in plan[0]["Plan"].get("Plans", []):
        if node.get("Subplan Name", "").startswith("CTE p_"):
            slice_, tier, _ = node["Subplan Name"].removeprefix("CTE p_").split("_")
            part = slice_, int(tier)
            found[part] = min(found.get(part, node["Plan Rows"]), node["Plan Rows"])
    return found


def search_sql(prep: Prepared, walk: set[tuple[str, int]]) -> tuple[str, dict]:
    """The ranking statement; ``walk`` names the parts (slice, tier) that walk."""
    selects = []
    if "q" in prep.params:
        exact = (
            f"SELECT {COLUMNS} FROM {TABLE} WHERE (name = %(q)s OR place_name = %(q)s)"
            f" AND {prep.valid}{prep.filters} ORDER BY {_RANK} LIMIT %(window)s"
        )
        selects.append(f"SELECT *, 0 AS tier FROM ({exact}) AS part")
    for branch in prep.branches:
        parts = [_current_part(prep, s, branch, (s, branch.tier) in walk)
                 for s in prep.slices]
        parts.append(_ended_part(prep, branch))
        selects.extend(f"SELECT *, {branch.tier} AS tier FROM ({part}) AS part"
                       for part in parts)
    union = "\nUNION ALL\n".join(f"({select})" for select in selects)
    sql = (
        f"SELECT {COLUMNS}, tier FROM ("
        f"SELECT DISTINCT ON (id) * FROM ({union}) AS parts ORDER BY id, tier"
        f") AS hits ORDER BY tier, {_RANK} LIMIT %(limit)s OFFSET %(offset)s"
    )
    return with_parent_names(sql), prep.params


def _current_part(prep: Prepared, slice_: str, branch: Branch, walk: bool) -> str:
    current = _current(prep, slice_, branch.condition(slice_))
    if not walk:
        # OFFSET 0 keeps the planner from walking in (level, code) order past a LIMIT.
        current = f"SELECT * FROM ({current} OFFSET 0) AS collected"
    return f"{current} ORDER BY level, code LIMIT %(window)s"


def _ended_part(prep: Prepared, branch: Branch) -> str:
    """Ended versions of every level: few, in a partial index the planner may walk."""
    return (
        f"SELECT {COLUMNS} FROM {TABLE} WHERE {_FORMER if prep.former else _ENDED}"
        f" AND {branch.village}{prep.filters}"
        " ORDER BY level, code LIMIT %(window)s"
    )


def similar_sql(prep: Prepared) -> tuple[str, dict]:
    """Misspelt names (钟山县 for 钟山区) by trigram similarity, served by the trgm index."""
    sql = (
        f"SELECT *, {SIMILAR_TIER} AS tier FROM (SELECT {COLUMNS} FROM {TABLE}"
        f" WHERE name %% %(similar)s AND {prep.valid}{prep.filters}"
        f" OFFSET 0) AS alike ORDER BY {_RANK} LIMIT %(limit)s OFFSET %(offset)s"
    )
    return with_parent_names(sql), prep.params


def with_parent_names(page_sql: str) -> str:
    """The ranked page with each hit's parent name on as_of, in the same statement.

    A placeholder parent (北京市 › 市辖区 › 东城区) is named by its own parent.
    """
    valid = in_force_sql("p")
    return f"""
    WITH page AS ({page_sql})
    SELECT page.*, parent.name FROM page
    LEFT JOIN LATERAL (
        SELECT CASE WHEN p.kind = '{PLACEHOLDER}' THEN g.name ELSE p.name END AS name
        FROM {TABLE} p
        LEFT JOIN {TABLE} g ON p.kind = '{PLACEHOLDER}' AND g.code = p.parent_code
          AND g.level = p.level - 1 AND {in_force_sql("g")}
        WHERE p.code = page.parent_code AND p.level = page.level - 1 AND {valid}
        LIMIT 1
    ) AS parent ON TRUE
    ORDER BY page.tier, page.valid_to IS NOT NULL, page.level, page.code
    """
