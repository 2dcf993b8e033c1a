"""Allocating the statistical code of a new township or village (the executor's rule).

Within a county the three township digits say the kind (街道 001–099, 镇 100–199,
乡 and 民族乡 200–399); within a township the three village digits do (居委会 001–199,
村委会 200–399). A new unit gets the next number after the highest one in force in its
kind's range, never a number in force, planned, or retired within the last five years
(old documents stay unambiguous); when the range is used up to its top, the lowest
such free number below.
"""

from datetime import date

from django.db import connection

from boundaries.models import Level
from boundaries.temporal import add_years
from config.errors import BadRequest, Conflict

TOWNSHIP_RANGES = {"街道": (1, 99), "镇": (100, 199), "乡": (200, 399), "民族乡": (200, 399),
                   "苏木": (200, 399)}
VILLAGE_RANGES = {"居委会": (1, 199), "村委会": (200, 399)}
RETIRED_YEARS = 5


def serial_range(level: int, kind: str) -> tuple[int, int]:
    ranges = TOWNSHIP_RANGES if level == Level.TOWNSHIP else VILLAGE_RANGES
    if kind not in ranges:
        raise BadRequest(f"kind {kind!r}: a level-{level} code is allocated for one of "
                         f"{', '.join(ranges)}")
    return ranges[kind]


def _blocked(prefix: str, level: int, on: date) -> tuple[set[int], set[int]]:
    """The serials under ``prefix`` that may not be given on ``on``, and those in force."""
    retired_after = add_years(on, -RETIRED_YEARS)
    with connection.cursor() as cur:
        cur.execute(
            """SELECT substr(code, %(n)s + 1, 3)::int,
                      (valid_from IS NULL OR valid_from <= %(on)s)
                      AND (valid_to IS NULL OR valid_to > %(on)s)
               FROM boundaries_divisionversion
               WHERE level = %(level)s AND code >= %(lo)s AND code < %(hi)s
                 AND (valid_to IS NULL OR valid_to > %(retired_after)s)""",
            {"n": len(prefix), "on": on, "level": level, "lo": prefix,
             "hi": prefix[:-1] + chr(ord(prefix[-1]) + 1), "retired_after": retired_after})
        rows = cur.fetchall()
    return {serial for serial, _ in rows}, {serial for serial, current in rows if current}


def allocate_code(*, parent_code: str, level: int, kind: str, on: date,
                  taken: set[str] = frozenset()) -> str:
    """The 12-digit code for a new unit of ``kind`` at ``level`` (4 or 5) under the
    12-digit ``parent_code`` (a county, a township) from ``on``. ``taken``: codes already
    given in the same change."""
    if level not in (Level.TOWNSHIP, Level.VILLAGE):
        raise BadRequest(f"level {level}: codes are allocated for townships and villages")
    prefix = parent_code[:6 if level == Level.TOWNSHIP else 9]
    low, high = serial_range(level, kind)
    blocked, in_force = _blocked(prefix, level, on)
    highest = max((s for s in in_force if low <= s <= high), default=None)
    blocked |= {int(code[len(prefix):len(prefix) + 3]) for code in taken
                if code.startswith(prefix)}
    start = highest + 1 if highest is not None and highest < high else low
    for serial in [*range(start, high + 1), *range(low, start)]:
        if serial not in blocked:
            return (prefix + f"{serial:03d}").ljust(12, "0")
    raise Conflict(f"{prefix}: no free {kind} code in {low:03d}–{high:03d} on {on} (every "
                   f"number is in force or retired within {RETIRED_YEARS} years)")
