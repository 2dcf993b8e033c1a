"""Load statistical division code tables (the five CSVs of an edition).

read → transform → validate → diff against the registry → write. The first
edition goes in by COPY; a later edition is applied as changes: renamed codes
get a new version and a rename event, new codes an establish event, codes
missing from the edition are end-dated by an abolish event. Nothing is ever
overwritten and nothing is written unless every row is good.
"""

import csv
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.db import connection, transaction
from django.db.models import Q
from django.utils.translation import gettext_noop
from tqdm import tqdm

from accounts.permissions import check_actor
from boundaries.models import DivisionEdition, DivisionEvent, DivisionVersion, EventKind
from boundaries.names import PLACEHOLDER, division_kind, place_name, search_keys
from config.responses import invalidate_on_commit

from .errors import ConflictError, RowError, SourceError
from .pgcopy import IterStream

# file, level, code length, parent column (None for provinces)
FILES = [
    ("provinces.csv", 1, 2, None),
    ("cities.csv", 2, 4, "provinceCode"),
    ("areas.csv", 3, 6, "cityCode"),
    ("streets.csv", 4, 9, "areaCode"),
    ("villages.csv", 5, 12, "streetCode"),
]
PARENT_LENGTH = {2: 2, 3: 4, 4: 6, 5: 9}


@dataclass
class Row:
    file: str
    line: int
    level: int
    code: str  # 12 digits
    short: str
    name: str
    parent_short: str | None

    @property
    def parent_code(self) -> str | None:
        return self.parent_short.ljust(12, "0") if self.parent_short else None


@dataclass
class Plan:
    """What applying the edition would do; also the dry-run report."""

    rows: dict[tuple[str, int], Row]  # by (12-digit code, level)
    added: list[Row] = field(default_factory=list)
    renamed: list[tuple[int, Row]] = field(default_factory=list)  # (current version id, row)
    retired: list[int] = field(default_factory=list)  # current version ids
    unchanged: int = 0
    first_load: bool = False

    def summary(self) -> dict:
        return {
            "rows": len(self.rows),
            "added": len(self.added),
            "renamed": len(self.renamed),
            "retired": len(self.retired),
            "unchanged": self.unchanged,
            "first_load": self.first_load,
        }


def read(directory: Path, progress: bool = False) -> tuple[list[Row], list[str]]:
    rows, problems = [], []
    if not directory.is_dir():
        raise SourceError.of(gettext_noop("%(path)s: not a directory"), path=str(directory))
    for filename, level, length, parent_col in FILES:
        path = directory / filename
        if not path.exists():
            if level == 1:
                raise SourceError.of(gettext_noop("%(path)s: missing (an edition needs at "
                                                  "least provinces.csv)"), path=str(path))
            continue
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            missing = {"code", "name", *([parent_col] if parent_col else [])} - set(
                reader.fieldnames or []
            )
            if missing:
                raise SourceError.of(gettext_noop("%(path)s: missing column(s) %(columns)s"),
                                     path=str(path), columns=", ".join(sorted(missing)))
            for rec in tqdm(reader, desc=filename, unit=" rows", disable=not progress):
                line = reader.line_num
                code, name = (rec["code"] or "").strip(), (rec["name"] or "").strip()
                parent = (rec[parent_col] or "").strip() if parent_col else None
                if not code.isdigit() or len(code) != length:
                    problems.append(
                        f"{filename}:{line}: code {code!r} is not {length} digits (level {level})"
                    )
                    continue
                if not name or any(c in name for c in '\t\n\r\\"{},') or not name.strip():
                    problems.append(f"{filename}:{line}: code {code} has an empty or "
                                    f"unprintable name {name!r}")
                    continue
                rows.append(Row(filename, line, level, code.ljust(12, "0"), code, name, parent))
    return rows, problems


def validate(rows: list[Row], problems: list[str]) -> dict[tuple[str, int], Row]:
    by_code: dict[tuple[str, int], Row] = {}
    for row in rows:
        if (row.code, row.level) in by_code:
            first = by_code[row.code, row.level]
            problems.append(
                f"{row.file}:{row.line}: duplicate code {row.short} "
                f"(first at {first.file}:{first.line})"
            )
            continue
        by_code[row.code, row.level] = row
    for row in by_code.values():
        if row.level == 1:
            continue
        expected = row.short[: PARENT_LENGTH[row.level]]
        if row.parent_short != expected:
            problems.append(
                f"{row.file}:{row.line}: code {row.short} is not under its parent "
                f"{row.parent_short} (expected {expected})"
            )
        elif (row.parent_code, row.level - 1) not in by_code:
            problems.append(f"{row.file}:{row.line}: unknown parent {row.parent_short}")
    if problems:
        raise RowError(problems)
    return by_code


def diff(rows: dict[tuple[str, int], Row]) -> Plan:
    """Compare with the current registry within the edition's provinces.

    An edition speaks for the provinces it contains: loading 贵州's codes must not
    retire 广东's.
    """
    plan = Plan(rows=rows)
    provinces = sorted({code[:2] for code, _ in rows})
    in_scope = Q()
    for prefix in provinces:
        in_scope |= Q(code__startswith=prefix)
    current = {
        (code, level): (vid, name)
        for vid, code, level, name in DivisionVersion.objects.filter(
            in_scope, valid_to__isnull=True
        ).values_list("id", "code", "level", "name")
    }
    plan.first_load = not current
    for key, row in rows.items():
        found = current.get(key)
        if found is None:
            plan.added.append(row)
        elif found[1] != row.name:
            plan.renamed.append((found[0], row))
        else:
            plan.unchanged += 1
    plan.retired = [vid for key, (vid, _) in current.items() if key not in rows]
    return plan


def _name_columns(name: str, level: int) -> tuple[str, str, str]:
    """(place_name, kind, the search-key columns) of a name: pure, so computed once a name.

    407k distinct names among 665k rows (城关镇, 新村村委会…), and the pinyin of a
    name is most of a row's cost.
    """
    place = place_name(name, level)
    keys = search_keys(name, place)
    grams = "{" + ",".join(f'"{g}"' for g in keys["grams"]) + "}"
    return place, division_kind(name, level), \
        f"{keys['pinyin']}\t{keys['place_pinyin']}\t{keys['initials']}\t{grams}"


def _copy_line(row: Row, valid_from: date | None, derived: dict) -> str:
    columns = derived.get((row.name, row.level))
    if columns is None:
        columns = derived[row.name, row.level] = _name_columns(row.name, row.level)
    place, kind, keys = columns
    values = [
        # an echo of its parent (东莞市 441900 under 4419) is a statistical placeholder
        row.code, row.name, place, str(row.level),
        PLACEHOLDER if row.code == row.parent_code else kind,
        row.parent_code or "\\N", valid_from.isoformat() if valid_from else "\\N",
        keys, "", "now",
    ]
    return "\t".join(values) + "\n"


COPY_COLUMNS = (
    "code, name, place_name, level, kind, parent_code, valid_from, "
    "pinyin, place_pinyin, initials, grams, geometry_source, created_at"
)


def copy_versions(rows: list[Row], valid_from: date | None, progress: bool) -> None:
    """COPY new versions in one statement (the parent trigger checks once per statement).

    The lines are computed while COPY reads them, so Python derives the search keys
    on one core while PostgreSQL inserts and checks on the other.
    """
    ordered = sorted(rows, key=lambda r: (r.level, r.code))
    derived: dict[tuple[str, int], tuple[str, str, str]] = {}
    lines = (_copy_line(row, valid_from, derived)
             for row in tqdm(ordered, desc="copying", unit=" rows", disable=not progress))
    with connection.cursor() as cur:
        cur.copy_expert(f"COPY boundaries_divisionversion ({COPY_COLUMNS}) FROM STDIN",
                        IterStream(lines), COPY_CHUNK)


COPY_CHUNK = 1 << 16


# For the index builds after a bulk load: the GIN indexes (grams, trigrams) build
# about twice as fast with 1GB as with the 64MB default.
BULK_MAINTENANCE_WORK_MEM = "1GB"


def defer_secondary_indexes(table: str = DivisionVersion._meta.db_table
                            ) -> list[tuple[str, str, list[tuple[int, int]]]]:
    """Drop the plain secondary indexes of an empty division table; return how to rebuild them.

    Building an index once over 665k rows is much cheaper than inserting into a dozen
    of them row by row. Only an empty table qualifies: the lock (taken inside the
    load's transaction) keeps readers out until the load commits, and with no rows
    there is nothing for them to read. Unique indexes and indexes that back a
    constraint (the primary key, the no-overlap exclusion constraint) stay: the
    database keeps enforcing them row by row; the parent triggers are untouched.
    """
    if not connection.in_atomic_block:  # outside a transaction a DROP would be for good
        return []
    with connection.cursor() as cur:
        # Only the table's owner may drop its indexes: the app role (which `make run`'s
        # load_demo logs in as) loads row by row into the indexes as they are.
        cur.execute("SELECT pg_has_role(relowner, 'USAGE') FROM pg_class WHERE oid = %s::regclass",
                    [table])
        if not cur.fetchone()[0]:
            return []
        cur.execute(f"SELECT EXISTS (SELECT 1 FROM {table})")
        if cur.fetchone()[0]:
            return []
        cur.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
        cur.execute(f"SELECT EXISTS (SELECT 1 FROM {table})")  # rows committed meanwhile
        if cur.fetchone()[0]:
            return []
        cur.execute(
            """
            SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid),
                   ARRAY(SELECT ARRAY[a.attnum::int, a.attstattarget::int]
                         FROM pg_attribute a
                         WHERE a.attrelid = i.indexrelid AND a.attstattarget >= 0)
            FROM pg_index i
            WHERE i.indrelid = %s::regclass AND NOT i.indisunique AND i.indisvalid
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
            ORDER BY 1
            """,
            [table],
        )
        saved = [(name, definition, [tuple(t) for t in targets])
                 for name, definition, targets in cur.fetchall()]
        for name, _, _ in saved:
            cur.execute(f"DROP INDEX {name}")
    return saved


def rebuild_indexes(saved: list[tuple[str, str, list[tuple[int, int]]]]) -> None:
    """Recreate what defer_secondary_indexes dropped, with its per-column statistics targets."""
    if not saved:
        return
    with connection.cursor() as cur:
        cur.execute("SET LOCAL maintenance_work_mem = %s", [BULK_MAINTENANCE_WORK_MEM])
        for name, definition, targets in saved:
            cur.execute(definition)
            for attnum, target in targets:
                cur.execute(f"ALTER INDEX {name} ALTER COLUMN {attnum} SET STATISTICS {target}")


def apply(plan: Plan, *, label: str, source: str, effective_date: date | None, actor,
          progress: bool = False) -> DivisionEdition:
    if not plan.first_load and effective_date is None:
        raise ConflictError.of(gettext_noop(
            "the registry already holds divisions: a later edition needs --effective-date "
            "(the date its changes take effect)"))
    edition = DivisionEdition.objects.create(
        label=label, source=source, effective_date=effective_date,
        added=len(plan.added), renamed=len(plan.renamed), retired=len(plan.retired),
        unchanged=plan.unchanged,
    )
    if plan.first_load:
        deferred = defer_secondary_indexes()
        copy_versions(plan.added, None, progress)
        rebuild_indexes(deferred)
        return edition
    # New versions first, then end the old ones, so children always have a parent;
    # the overlap between the two is checked at commit.
    with connection.cursor() as cur:
        cur.execute("SET CONSTRAINTS division_no_overlapping_versions DEFERRED")
    new_rows = plan.added + [row for _, row in plan.renamed]
    copy_versions(new_rows, effective_date, progress)
    ending = [vid for vid, _ in plan.renamed] + plan.retired
    DivisionVersion.objects.filter(id__in=ending).update(valid_to=effective_date)
    id_of = {
        (code, level): vid
        for vid, code, level in DivisionVersion.objects.filter(
            code__in=[r.code for r in new_rows], valid_to__isnull=True
        ).values_list("id", "code", "level")
    }
    _record_events(plan, edition, id_of, effective_date, actor)
    return edition


def _record_events(plan: Plan, edition: DivisionEdition, id_of: dict[tuple[str, int], int],
                   effective_date: date, actor) -> None:
    specs = (
        [(EventKind.ESTABLISH, [], [id_of[r.code, r.level]], f"{r.short} {r.name}")
         for r in plan.added]
        + [(EventKind.RENAME, [vid], [id_of[r.code, r.level]], f"{r.short} → {r.name}")
           for vid, r in plan.renamed]
        + [(EventKind.ABOLISH, [vid], [], "") for vid in plan.retired]
    )
    events = DivisionEvent.objects.bulk_create([
        DivisionEvent(kind=kind, effective_date=effective_date, edition=edition, actor=actor,
                      description=f"{edition.label}: {text}".strip(": "))
        for kind, _, _, text in specs
    ])
    Input, Output = DivisionEvent.inputs.through, DivisionEvent.outputs.through
    Input.objects.bulk_create([
        Input(divisionevent_id=e.id, divisionversion_id=v)
        for e, (_, ins, _, _) in zip(events, specs, strict=True) for v in ins
    ])
    Output.objects.bulk_create([
        Output(divisionevent_id=e.id, divisionversion_id=v)
        for e, (_, _, outs, _) in zip(events, specs, strict=True) for v in outs
    ])


def run(directory: str | Path, *, actor, commit: bool = False, label: str | None = None,
        effective_date: date | None = None, progress: bool = False) -> Plan:
    """Read, validate and diff an edition; write it only when ``commit`` is true, the
    change events as done by ``actor`` (the commands: accounts.services.system_actor())."""
    check_actor(actor)
    directory = Path(directory)
    rows, problems = read(directory, progress)
    plan = diff(validate(rows, problems))
    if commit:
        with transaction.atomic():
            apply(plan, label=label or directory.name, source=str(directory.resolve()),
                  effective_date=effective_date, actor=actor, progress=progress)
            invalidate_on_commit("search", "places", "divisions")
    return plan
