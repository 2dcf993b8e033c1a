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
from django.utils.translation import gettext_noop

from boundaries.temporal import in_force_sql, today
from config.errors import BadRequest
from config.said import filled

from .models import PlaceClass, Scope
from .names import normalize, romanize, split_name, toneless
from .where import division_row, geometry_divisions, place_division_rows, require_inside

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
    # The message's msgid and parameters: the pages say it in their language (config.said).
    template: str = ""
    params: dict = field(default_factory=dict)

    @classmethod
    def said(cls, rule: str, severity: str, template: str, params: dict,
             evidence: list[dict] | None = None) -> "Finding":
        return cls(rule, severity, filled(template, params), evidence or [], template, params)


@dataclass
class CheckResult:
    normalized: str
    specific: str
    generic: str
    romanization: str
    findings: list[Finding]
    # The code prefixes of the scopes the name was checked in ('' for the whole country).
    scopes: list[str] = field(default_factory=list)

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
    # Every division (code, level, kind, name) the geometry, or the place renamed, lies in.
    lies_in: list[tuple] = field(default_factory=list)
    # The generics of the class's siblings, when a caller checking many names read them once.
    siblings: list[str] | None = None


def candidate(*, name: str, place_class: PlaceClass, division_code: str, place=None,
              geom=None, as_of: date | None = None, division: tuple | None = None) -> Candidate:
    """The name as the rules see it, with where it lies: the declared division (its row
    ``division`` when the caller has read it), and the divisions its geometry (or the
    place renamed) lies in, which it must meet."""
    norm = normalize(name or "")
    if not norm:
        raise BadRequest.of(gettext_noop("name %(name)r: empty once spaces are removed"),
                            name=name)
    if len(norm) > 100:
        raise BadRequest.of(gettext_noop("name: %(length)d characters; at most 100 are read"),
                            length=len(norm))
    specific, generic = split_name(norm, place_class.generics)
    division = division or division_row(division_code)
    if geom is not None:
        lies_in = geometry_divisions(geom)
        require_inside(division, geom, lies_in)
    elif place is not None and getattr(place, "id", None):
        lies_in = place_division_rows(place.id)
    else:
        lies_in = []
    return Candidate(norm, specific, generic, place_class, division, place, as_of or today(),
                     lies_in)


def check_name(*, name: str, place_class: PlaceClass, division_code: str,
               place=None, geom=None, as_of: date | None = None) -> CheckResult:
    """The statutory checks. With a geometry, it must meet the declared division, and the
    name is checked in every scope it lies in (a street crossing a city border: both)."""
    cand = candidate(name=name, place_class=place_class, division_code=division_code,
                     place=place, geom=geom, as_of=as_of)
    findings = []
    for rule in RULES:
        findings.extend(rule(cand))
    return CheckResult(cand.name, cand.specific, cand.generic,
                       romanize(cand.specific, cand.generic,
                                joined=place_class.joined_romanization),
                       _dedupe(findings), scope_prefixes(cand))


def _dedupe(findings: list[Finding]) -> list[Finding]:
    """One finding per clash: a place met in two scopes is reported once, blocking if
    either scope blocks."""
    out: dict = {}
    for f in findings:
        key = (f.rule, f.message)
        if key not in out or f.severity == BLOCK:
            out[key] = f
    return list(out.values())


def empty_specific(c: Candidate) -> list[Finding]:
    if c.generic and not c.specific:
        return [Finding.said("empty_specific", BLOCK, gettext_noop(
            "%(name)s is only a generic (通名); a name needs a specific (专名)"),
            {"name": c.name})]
    return []


def generic_fit(c: Candidate) -> list[Finding]:
    if c.generic:
        return []
    fitting = [cls for cls in PlaceClass.objects.all()
               if split_name(c.name, cls.generics)[1]]
    return [Finding.said(
        "generic_fit", BLOCK,
        gettext_noop("%(name)s does not end with a generic of %(class)s (%(generics)s)"),
        {"name": c.name, "class": c.cls.name, "generics": "、".join(c.cls.generics)},
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
        siblings = c.siblings if c.siblings is not None else _sibling_generics(c.cls)
        inner = split_name(c.specific, siblings)[1]
        if not inner:
            return []
        weak = inner in WEAK_ACROSS or c.generic in DERIVED_GENERICS
        severity = WARN if weak else BLOCK
    return [Finding.said("repeated_generic", severity, gettext_noop(
        "%(name)s: generic %(generic)s follows another generic %(inner)s (重叠通名)"),
        {"name": c.name, "generic": c.generic, "inner": inner},
        [{"specific": c.specific, "generics": [inner, c.generic]}])]


def _sibling_generics(cls: PlaceClass, group: list[PlaceClass] | None = None) -> list[str]:
    """The generics of the other classes of ``cls``'s group (read, unless ``group`` holds
    the group's classes already, in their order)."""
    if group is None:
        siblings = PlaceClass.objects.filter(group=cls.group).exclude(pk=cls.pk)
        generics = siblings.values_list("generics", flat=True)
    else:
        generics = [c.generics for c in group if c.group == cls.group and c.pk != cls.pk]
    return [g for gs in generics for g in gs if g not in AMBIGUOUS_ACROSS]


def banned_patterns(c: Candidate) -> list[Finding]:
    with connection.cursor() as cur:
        cur.execute("SELECT pattern, category, severity FROM gazetteer_namingban"
                    " WHERE strpos(%s, pattern) > 0 ORDER BY pattern", [c.name])
        rows = cur.fetchall()
    return ban_findings(c, rows)


def ban_findings(c: Candidate, rows) -> list[Finding]:
    """(pattern, category, severity) rows of the bans the name contains."""
    return [Finding.said("banned_pattern", severity, gettext_noop(
        "%(name)s contains %(pattern)s (%(category)s), a pattern the committee does not "
        "approve"), {"name": c.name, "pattern": pattern, "category": category},
        [{"pattern": pattern, "category": category}])
            for pattern, category, severity in rows]


def charset(c: Candidate) -> list[Finding]:
    foreign = sorted({ch for ch in c.name if not _han(ch) and not ch.isdigit()})
    digits = sorted({ch for ch in c.name if ch.isdigit()})
    rare = sorted({ch for ch in c.name if _han(ch) and not _gb2312(ch)})
    found = []
    if foreign:
        found.append(Finding.said("charset", BLOCK, gettext_noop(
            "%(name)s: letters or symbols %(characters)s are not used in standard names"),
            {"name": c.name, "characters": "".join(foreign)}, [{"characters": foreign}]))
    if digits:
        found.append(Finding.said("charset", WARN, gettext_noop(
            "%(name)s: write numbers in Chinese characters"), {"name": c.name},
            [{"characters": digits}]))
    if rare:
        found.append(Finding.said("charset", WARN, gettext_noop(
            "%(name)s: %(characters)s outside the common standard set (approximated by "
            "GB2312)"), {"name": c.name, "characters": "".join(rare)},
            [{"characters": rare}]))
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
    return [Finding.said("length", BLOCK, gettext_noop(
        "%(name)s: %(length)d characters; a %(class)s name has at most %(most)d"),
        {"name": c.name, "length": len(c.name), "class": c.cls.name,
         "most": c.cls.max_length}, [{"length": len(c.name)}])]


def _prefix(division: tuple, scope: str) -> str | None:
    """The code prefix of the scope around one division; None when it is above it."""
    if scope == Scope.COUNTRY:
        return ""
    code, level, kind, _ = division
    # A municipality (北京市) is its own city.
    if scope == Scope.CITY and level == 1 and kind == "直辖市":
        return code[:2]
    return code[:SCOPE_DIGITS[scope]] if level >= SCOPE_LEVELS[scope] else None


def scope_prefixes(c: Candidate, scope: str | None = None) -> list[str]:
    """The scopes the name must be unique in, as code prefixes: the declared division's
    and every one the geometry (or the place renamed) lies in at the rule's level."""
    scope = scope or c.cls.scope
    found = {p for p in (_prefix(d, scope) for d in [c.division, *c.lies_in]) if p is not None}
    if not found:
        code, _, _, name = c.division
        digits = SCOPE_DIGITS[scope]
        raise BadRequest.of(gettext_noop(
            "division_code %(code)s: %(name)s is above the %(scope)s within which a "
            "%(class)s name must be unique; give the %(scope)s it lies in"),
            shown={"scope": Scope(scope).label}, code=code[:digits], name=name, scope=scope,
            **{"class": c.cls.name})
    return sorted(found)


def scope_range(c: Candidate, scope: str) -> tuple[str, str]:
    """The code range [lo, hi) of the declared division's scope."""
    return prefix_range(scope_prefixes(Candidate(**{**c.__dict__, "lies_in": []}), scope)[0])


def prefix_range(prefix: str) -> tuple[str, str]:
    if not prefix:
        return "", ":"  # ':' sorts after every digit
    return prefix, prefix[:-1] + chr(ord(prefix[-1]) + 1)


def _ranges(c: Candidate) -> dict:
    scopes = [prefix_range(p) for p in scope_prefixes(c)]
    if c.cls.scope == Scope.COUNTRY:
        # Homophones block within the city (any city the name lies in), warn elsewhere.
        try:
            cities = [prefix_range(p) for p in scope_prefixes(c, Scope.CITY)]
        except BadRequest:  # a province-level name: its own scope
            cities = scopes
    else:
        cities = scopes
    return {"los": [lo for lo, _ in scopes], "his": [hi for _, hi in scopes],
            "city_los": [lo for lo, _ in cities], "city_his": [hi for _, hi in cities],
            "name": c.name, "pinyin": toneless(c.name), "as_of": c.as_of}


def in_ranges(column: str, los: str, his: str) -> str:
    return (f"EXISTS (SELECT 1 FROM unnest(%({los})s::text[], %({his})s::text[]) AS r(lo, hi)"
            f" WHERE {column} >= r.lo AND {column} < r.hi)")


def _severity(c: Candidate, same_name: bool, in_city: bool) -> str:
    if c.cls.scope != Scope.COUNTRY or same_name or in_city:
        return BLOCK
    return WARN


PLACES_SQL = f"""
-- Every status: a cancelled place is out of its period, a proposed one competes.
SELECT p.id, p.name, c.slug, p.name = %(name)s,
       (array_agg(pd.division_code ORDER BY pd.level DESC, pd.division_code))[1],
       bool_or({in_ranges("pd.division_code", "city_los", "city_his")})
FROM gazetteer_place p
JOIN gazetteer_placeclass c ON c.id = p.place_class_id
JOIN gazetteer_placedivision pd ON pd.place_id = p.id AND pd.valid_to IS NULL
WHERE p.place_class_id IN (SELECT id FROM gazetteer_placeclass WHERE "group" = %(group)s)
  AND (p.pinyin = %(pinyin)s OR p.name = %(name)s)
  AND p.id <> %(exclude)s
  AND {in_force_sql("p")}
  AND {in_ranges("pd.division_code", "los", "his")}
GROUP BY p.id, c.slug ORDER BY p.id LIMIT %(max)s
"""


def unique_among_places(c: Candidate) -> list[Finding]:
    params = _ranges(c) | {"group": c.cls.group, "exclude": getattr(c.place, "id", 0),
                           "max": MAX_EVIDENCE}
    with connection.cursor() as cur:
        cur.execute(PLACES_SQL, params)
        rows = cur.fetchall()
    return place_findings(c, rows)


# The same name, or a homophone, of another place (campaigns.clashes says it too).
PLACE_CLASH = {
    True: gettext_noop("%(name)s clashes with the same name %(other)s (%(class)s, place %(id)d)"),
    False: gettext_noop("%(name)s clashes with the homophone %(other)s (%(class)s, place "
                        "%(id)d)"),
}


def place_findings(c: Candidate, rows) -> list[Finding]:
    """PLACES_SQL's rows as findings."""
    return [Finding.said(
        "unique", _severity(c, same, in_city), PLACE_CLASH[same],
        {"name": c.name, "other": name, "class": slug, "id": pid},
        [{"id": pid, "name": name, "class": slug, "division_code": code,
          "match": "same_name" if same else "homophone"}],
    ) for pid, name, slug, same, code, in_city in rows]


DIVISIONS_SQL = f"""
SELECT code, name, level, (name = %(name)s OR place_name = %(name)s),
       {in_ranges("code", "city_los", "city_his")}
FROM boundaries_divisionversion
WHERE level = %(level)s AND valid_to IS NULL AND kind <> 'placeholder'
  AND (place_pinyin = %(pinyin)s OR name = %(name)s OR place_name = %(name)s)
  AND {in_ranges("code", "los", "his")}
ORDER BY code LIMIT %(max)s
"""


def unique_among_divisions(c: Candidate) -> list[Finding]:
    if c.cls.division_level is None:
        return []
    params = _ranges(c) | {"level": c.cls.division_level, "max": MAX_EVIDENCE}
    with connection.cursor() as cur:
        cur.execute(DIVISIONS_SQL, params)
        rows = cur.fetchall()
    return division_findings(c, rows)


def division_findings(c: Candidate, rows) -> list[Finding]:
    """DIVISIONS_SQL's rows as findings."""
    return [Finding.said(
        "unique", _severity(c, same, in_city),
        gettext_noop("%(name)s clashes with the same name division %(other)s %(code)s")
        if same else
        gettext_noop("%(name)s clashes with the homophone division %(other)s %(code)s"),
        {"name": c.name, "other": name, "code": code},
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
        found.append(Finding.said(
            "heritage", BLOCK, gettext_noop(
                "%(name)s is on the place-name heritage list (%(category)s, %(listed)s); "
                "renaming it needs an extra review first"),
            {"name": place.name, "category": place.heritage_category,
             "listed": str(place.heritage_listed_on)}, [{"id": place.id, "name": place.name,
                                    "category": place.heritage_category}]))
    if last_change and last_change > years_before(c.as_of, STABLE_YEARS):
        found.append(Finding.said(
            "stability", BLOCK, gettext_noop(
                "%(name)s was named or renamed on %(changed)s, within %(years)d years; "
                "renaming it again needs an extra review first"),
            {"name": place.name, "changed": last_change.isoformat(), "years": STABLE_YEARS},
            [{"id": place.id, "name": place.name, "changed_on": last_change.isoformat()}]))
    return found


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year that has none
        return date(day.year - years, 2, 28)


RULES = [empty_specific, generic_fit, repeated_generic, banned_patterns, charset, length,
         unique_among_places, unique_among_divisions, stability]
