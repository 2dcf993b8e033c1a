"""Allocating the statistical code of a new township or village (the executor's rule).

Within a prefecture the two county digits say the kind (市辖区 and the like 01–20, 县 and
自治县 21–80, 县级市 81–99: 盘县 520222 became 盘州市 520281, 水城县 520221 水城区 520204);
within a county the three township digits say the kind (街道 001–099, 镇 100–199,
乡 and 民族乡 200–399); within a township the three village digits do (居委会 001–199,
村委会 200–399). A new unit gets the next number after the highest one in force in its
kind's range, never a number in force, planned, or retired within the last five years
(old documents stay unambiguous); when the range is used up to its top, the lowest
such free number below.
"""

from datetime import date

from django.db import connection
from django.utils.translation import gettext_noop

from boundaries.temporal import add_years
from config.errors import BadRequest, Conflict

TOWNSHIP_RANGES = {"街道": (1, 99), "镇": (100, 199), "乡": (200, 399), "民族乡": (200, 399),
                   "苏木": (200, 399)}
VILLAGE_RANGES = {"居委会": (1, 199), "村委会": (200, 399)}
COUNTY_RANGES = {"市辖区": (1, 20), "特区": (1, 20), "林区": (1, 20), "县": (21, 80),
                 "自治县": (21, 80), "旗": (21, 80), "自治旗": (21, 80), "县级市": (81, 99)}
# level → (digits of the parent's prefix, digits of the serial, the kinds' ranges)
SERIALS = {3: (4, 2, COUNTY_RANGES), 4: (6, 3, TOWNSHIP_RANGES), 5: (9, 3, VILLAGE_RANGES)}
RETIRED_YEARS = 5


def serial_range(level: int, kind: str) -> tuple[int, int]:
    ranges = SERIALS[level][2]
    if kind not in ranges:
        raise BadRequest.of(gettext_noop("kind %(kind)r: a level-%(level)s code is allocated "
                                         "for one of %(kinds)s"),
                            kind=kind, level=level, kinds=", ".join(ranges))
    return ranges[kind]


def _blocked(prefix: str, level: int, on: date, width: int) -> tuple[set[int], set[int]]:
    """The serials under ``prefix`` that may not be given on ``on``, and those in force."""
    retired_after = add_years(on, -RETIRED_YEARS)
    with connection.cursor() as cur:
        cur.execute(
            """SELECT substr(code, %(n)s + 1, %(width)s)::int,
                      (valid_from IS NULL OR valid_from <= %(on)s)
                      AND (valid_to IS NULL OR valid_to > %(on)s)
               FROM boundaries_divisionversion
               WHERE level = %(level)s AND code >= %(lo)s AND code < %(hi)s
                 AND (valid_to IS NULL OR valid_to > %(retired_after)s)""",
            {"n": len(prefix), "width": width, "on": on, "level": level, "lo": prefix,
             "hi": prefix[:-1] + chr(ord(prefix[-1]) + 1), "retired_after": retired_after})
        rows = cur.fetchall()
    return {serial for serial, _ in rows}, {serial for serial, current in rows if current}


def allocate_code(*, parent_code: str, level: int, kind: str, on: date,
                  taken: set[str] = frozenset()) -> str:
    """The 12-digit code for a new unit of ``kind`` at ``level`` (3, 4 or 5) under the
    12-digit ``parent_code`` (a prefecture, a county, a township) from ``on``. ``taken``:
    codes already given in the same change."""
    if level not in SERIALS:
        raise BadRequest.of(gettext_noop("level %(level)s: codes are allocated for counties, "
                                         "townships and villages"), level=level)
    digits, width, _ = SERIALS[level]
    prefix = parent_code[:digits]
    low, high = serial_range(level, kind)
    blocked, in_force = _blocked(prefix, level, on, width)
    highest = max((s for s in in_force if low <= s <= high), default=None)
    blocked |= {int(code[digits:digits + width]) for code in taken if code.startswith(prefix)}
    start = highest + 1 if highest is not None and highest < high else low
    for serial in [*range(start, high + 1), *range(low, start)]:
        if serial not in blocked:
            return (prefix + f"{serial:0{width}d}").ljust(12, "0")
    raise Conflict.of(gettext_noop("%(prefix)s: no free %(kind)s code in %(low)03d–%(high)03d "
                                   "on %(on)s (every number is in force or retired within "
                                   "%(years)d years)"),
                      prefix=prefix, kind=kind, low=low, high=high, on=on, years=RETIRED_YEARS)
