"""The statutory checks on a name: one engine for the public pre-check and for proposals.

Each rule returns findings; a ``block`` finding stops approval, a ``warn`` one is
for the committee to weigh. Rules that read the database do it in one statement
each, served by indexes: uniqueness looks names up by equality on the name and on
its toneless pinyin (homophones 同音 clash) within a code range of the scope.

Uniqueness scopes (DOMAIN.md): county-level names nationwide, and strictly within
the city (the same name anywhere, or a homophone within the city, blocks; a
homophone elsewhere warns); township names within the county; village and
community names within the township; streets, roads, lanes and residential
communities within the city.

The common standard character set (通用规范汉字表, 2013) ships in no library we
have; it is approximated by GB2312 levels 1 and 2 (6,763 characters): a character
outside GB2312 warns rather than blocks, because 通用规范汉字表 holds some that
GB2312 lacks (堃, 喆, 赟).
"""

from dataclasses import asdict, dataclass, field
from datetime import date

from django.conf import settings
from django.db import connection

from boundaries.codes import parse_code
from boundaries.temporal import in_force_sql, today
from config.errors import BadRequest

from .models import PlaceClass, Scope
from .names import normalize, romanize, split_name, toneless

BLOCK, WARN = "block", "warn"
# Renaming a name changed within this many years needs the extra review.
STABLE_YEARS = getattr(settings, "GAZETTEER_STABLE_YEARS", 5)
MAX_EVIDENCE = 20
SCOPE_DIGITS = {Scope.CITY: 4, Scope.COUNTY: 6, Scope.TOWNSHIP: 9}
SCOPE_LEVELS = {Scope.CITY: 2, Scope.COUNTY: 3, Scope.TOWNSHIP: 4}


@dataclass
class Finding:
    rule: str
    severity: str
    message: str
    evidence: list[dict] = field(default_factory=list)


@dataclass
class CheckResult:
    normalized: str
    specific: str
    generic: str
    romanization: str
    findings: list[Finding]

    def as_dict(self) -> dict:
        return asdict(self)

    @property
    def blocked(self) -> bool:
        return any(f.severity == BLOCK for f in self.findings)


@dataclass
class Candidate:
    name: str
    specific: str
    generic: str
    cls: PlaceClass
    division: tuple  # (code, level, kind, name) of the division the name lies in
    place: object | None  # the place being renamed, if any
    as_of: date


def check_name(*, name: str, place_class: PlaceClass, division_code: str,
               place=None, as_of: date | None = None) -> CheckResult:
    norm = normalize(name or "")
    if not norm:
        raise BadRequest(f"name {name!r}: empty once spaces are removed")
    if len(norm) > 100:
        raise BadRequest(f"name: {len(norm)} characters; at most 100 are read")
    specific, generic = split_name(norm, place_class.generics)
    cand = Candidate(norm, specific, generic, place_class, division_row(division_code), place,
                     as_of or today())
    findings = []
    for rule in RULES:
        findings.extend(rule(cand))
    return CheckResult(norm, specific, generic,
                       romanize(specific, generic, joined=place_class.joined_romanization),
                       findings)


def division_row(raw: str) -> tuple:
    code, level = parse_code(raw)
    with connection.cursor() as cur:
        cur.execute("SELECT code, level, kind, name FROM boundaries_divisionversion"
                    " WHERE code = %s AND (%s::int IS NULL OR level = %s) AND valid_to IS NULL"
                    " ORDER BY level LIMIT 1", [code, level, level])
        row = cur.fetchone()
    if row is None:
        raise BadRequest(f"division_code {raw!r}: no current division has this code")
    return row


def empty_specific(c: Candidate) -> list[Finding]:
    if c.generic and not c.specific:
        return [Finding("empty_specific", BLOCK,
                        f"{c.name} is only a generic (通名); a name needs a specific (专名)")]
    return []


def generic_fit(c: Candidate) -> list[Finding]:
    if c.generic:
        return []
    fitting = [cls for cls in PlaceClass.objects.all()
               if split_name(c.name, cls.generics)[1]]
    return [Finding(
        "generic_fit", BLOCK,
        f"{c.name} does not end with a generic of {c.cls.name} ({'、'.join(c.cls.generics)})",
        [{"class": cls.slug, "name": cls.name, "generic": split_name(c.name, cls.generics)[1]}
         for cls in fitting],
    )]


# Generics of a sibling class that also end ordinary specifics (万里路, 牌坊街, 一条路):
# no finding across classes; within the class they still warn, as before.
AMBIGUOUS_ACROSS = {"里", "坊", "条"}
# Across classes these read as a repeat only sometimes (铁道街): a warning, not a block.
WEAK_ACROSS = {"道"}
# A pedestrianised stretch is named after its road (中山路步行街): a warning only.
DERIVED_GENERICS = {"步行街"}


def repeated_generic(c: Candidate) -> list[Finding]:
    if not c.generic or not c.specific:
        return []
    inner = split_name(c.specific, c.cls.generics)[1]
    if inner:
        severity = BLOCK if inner == c.generic or inner.endswith(c.generic) else WARN
    else:
        # A sibling class of the family (人民街路: 街 of 街, 路 of 路) repeats it as well.
        inner = split_name(c.specific, _sibling_generics(c.cls))[1]
        if not inner:
            return []
        weak = inner in WEAK_ACROSS or c.generic in DERIVED_GENERICS
        severity = WARN if weak else BLOCK
    return [Finding("repeated_generic", severity,
                    f"{c.name}: generic {c.generic} follows another generic {inner} (重叠通名)",
                    [{"specific": c.specific, "generics": [inner, c.generic]}])]


def _sibling_generics(cls: PlaceClass) -> list[str]:
    siblings = PlaceClass.objects.filter(group=cls.group).exclude(pk=cls.pk)
    return [g for sib in siblings for g in sib.generics if g not in AMBIGUOUS_ACROSS]


def banned_patterns(c: Candidate) -> list[Finding]:
    with connection.cursor() as cur:
        cur.execute("SELECT pattern, category, severity FROM gazetteer_namingban"
                    " WHERE strpos(%s, pattern) > 0 ORDER BY pattern", [c.name])
        rows = cur.fetchall()
    return [Finding("banned_pattern", severity,
                    f"{c.name} contains {pattern} ({category}), a pattern the committee "
                    "does not approve", [{"pattern": pattern, "category": category}])
            for pattern, category, severity in rows]


def charset(c: Candidate) -> list[Finding]:
    foreign = sorted({ch for ch in c.name if not _han(ch) and not ch.isdigit()})
    digits = sorted({ch for ch in c.name if ch.isdigit()})
    rare = sorted({ch for ch in c.name if _han(ch) and not _gb2312(ch)})
    found = []
    if foreign:
        found.append(Finding("charset", BLOCK, f"{c.name}: letters or symbols "
                             f"{''.join(foreign)} are not used in standard names",
                             [{"characters": foreign}]))
    if digits:
        found.append(Finding("charset", WARN, f"{c.name}: write numbers in Chinese characters",
                             [{"characters": digits}]))
    if rare:
        found.append(Finding("charset", WARN, f"{c.name}: {''.join(rare)} outside the common "
                             "standard set (approximated by GB2312)", [{"characters": rare}]))
    return found


def _han(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\U00020000" <= ch <= "\U0003134f"


def _gb2312(ch: str) -> bool:
    try:
        ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def length(c: Candidate) -> list[Finding]:
    if len(c.name) <= c.cls.max_length:
        return []
    return [Finding("length", BLOCK, f"{c.name}: {len(c.name)} characters; a {c.cls.name} "
                    f"name has at most {c.cls.max_length}", [{"length": len(c.name)}])]


def scope_range(c: Candidate, scope: str) -> tuple[str, str]:
    """The code range of the scope around the candidate's division: [lo, hi)."""
    if scope == Scope.COUNTRY:
        return "", ":"  # ':' sorts after every digit
    code, level, kind, name = c.division
    # A municipality (北京市) is its own city.
    digits = 2 if scope == Scope.CITY and level == 1 and kind == "直辖市" else SCOPE_DIGITS[scope]
    if level < SCOPE_LEVELS[scope] and digits != 2:
        raise BadRequest(
            f"division_code {code[:digits]}: {name} is above the {scope} within which a "
            f"{c.cls.name} name must be unique; give the {scope} it lies in"
        )
    prefix = code[:digits]
    return prefix, prefix[:-1] + chr(ord(prefix[-1]) + 1)


def _ranges(c: Candidate) -> dict:
    lo, hi = scope_range(c, c.cls.scope)
    if c.cls.scope == Scope.COUNTRY and c.division[1] >= 2:
        city_lo, city_hi = scope_range(c, Scope.CITY)
    else:
        city_lo, city_hi = lo, hi
    return {"lo": lo, "hi": hi, "city_lo": city_lo, "city_hi": city_hi,
            "name": c.name, "pinyin": toneless(c.name), "as_of": c.as_of}


def _severity(c: Candidate, same_name: bool, in_city: bool) -> str:
    if c.cls.scope != Scope.COUNTRY or same_name or in_city:
        return BLOCK
    return WARN


PLACES_SQL = f"""
-- Every status: a cancelled place is out of its period, a proposed one competes.
SELECT p.id, p.name, c.slug, p.name = %(name)s,
       (array_agg(pd.division_code ORDER BY pd.level DESC, pd.division_code))[1],
       bool_or(pd.division_code >= %(city_lo)s AND pd.division_code < %(city_hi)s)
FROM gazetteer_place p
JOIN gazetteer_placeclass c ON c.id = p.place_class_id
JOIN gazetteer_placedivision pd ON pd.place_id = p.id AND pd.valid_to IS NULL
WHERE p.place_class_id IN (SELECT id FROM gazetteer_placeclass WHERE "group" = %(group)s)
  AND (p.pinyin = %(pinyin)s OR p.name = %(name)s)
  AND p.id <> %(exclude)s
  AND {in_force_sql("p")}
  AND pd.division_code >= %(lo)s AND pd.division_code < %(hi)s
GROUP BY p.id, c.slug ORDER BY p.id LIMIT %(max)s
"""


def unique_among_places(c: Candidate) -> list[Finding]:
    params = _ranges(c) | {"group": c.cls.group, "exclude": getattr(c.place, "id", 0),
                           "max": MAX_EVIDENCE}
    with connection.cursor() as cur:
        cur.execute(PLACES_SQL, params)
        rows = cur.fetchall()
    return [Finding(
        "unique", _severity(c, same, in_city),
        f"{c.name} clashes with the {'same name' if same else 'homophone'} {name} "
        f"({slug}, place {pid})",
        [{"id": pid, "name": name, "class": slug, "division_code": code,
          "match": "same_name" if same else "homophone"}],
    ) for pid, name, slug, same, code, in_city in rows]


DIVISIONS_SQL = """
SELECT code, name, level, (name = %(name)s OR place_name = %(name)s),
       code >= %(city_lo)s AND code < %(city_hi)s
FROM boundaries_divisionversion
WHERE level = %(level)s AND valid_to IS NULL AND kind <> 'placeholder'
  AND (place_pinyin = %(pinyin)s OR name = %(name)s OR place_name = %(name)s)
  AND code >= %(lo)s AND code < %(hi)s
ORDER BY code LIMIT %(max)s
"""


def unique_among_divisions(c: Candidate) -> list[Finding]:
    if c.cls.division_level is None:
        return []
    params = _ranges(c) | {"level": c.cls.division_level, "max": MAX_EVIDENCE}
    with connection.cursor() as cur:
        cur.execute(DIVISIONS_SQL, params)
        rows = cur.fetchall()
    return [Finding(
        "unique", _severity(c, same, in_city),
        f"{c.name} clashes with the {'same name' if same else 'homophone'} division "
        f"{name} {code}",
        [{"code": code, "name": name, "level": level,
          "match": "same_name" if same else "homophone"}],
    ) for code, name, level, same, in_city in rows]


STABILITY_SQL = """
SELECT (SELECT max(effective_date) FROM gazetteer_namingevent
        WHERE place_id = %(id)s AND kind IN ('naming', 'renaming')),
       (SELECT max(recorded_at)::date FROM gazetteer_renamingreview WHERE place_id = %(id)s),
       (SELECT max(recorded_at)::date FROM gazetteer_namingevent WHERE place_id = %(id)s)
"""


def stability(c: Candidate) -> list[Finding]:
    """Renaming a heritage-listed or recently changed name needs an extra review first."""
    place = c.place
    if place is None or place.name == c.name:
        return []
    with connection.cursor() as cur:
        cur.execute(STABILITY_SQL, {"id": place.id})
        last_change, reviewed, last_recorded = cur.fetchone()
    if reviewed and (last_recorded is None or reviewed >= last_recorded):
        return []
    found = []
    if place.heritage_category:
        found.append(Finding(
            "heritage", BLOCK, f"{place.name} is on the place-name heritage list "
            f"({place.heritage_category}, {place.heritage_listed_on}); renaming it needs an "
            "extra review first", [{"id": place.id, "name": place.name,
                                    "category": place.heritage_category}]))
    if last_change and last_change > years_before(c.as_of, STABLE_YEARS):
        found.append(Finding(
            "stability", BLOCK, f"{place.name} was named or renamed on {last_change}, within "
            f"{STABLE_YEARS} years; renaming it again needs an extra review first",
            [{"id": place.id, "name": place.name, "changed_on": last_change.isoformat()}]))
    return found


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year that has none
        return date(day.year - years, 2, 28)


RULES = [empty_specific, generic_fit, repeated_generic, banned_patterns, charset, length,
         unique_among_places, unique_among_divisions, stability]
