"""The one reader of division codes that users pass (GB/T 2260 and its 12-digit extension).

Stored codes are always 12 digits. Users pass 2 (province), 4 (prefecture), 6, 9 or
12 digits. The six-digit codes everyone uses name provinces and prefectures too: no
prefecture or county segment is ``00`` (nor a township's ``000``), so trailing zero
segments mean the code stops at a higher level: 520000 is 贵州省, 520200 六盘水市,
520201 钟山区.
"""

from django.utils.translation import gettext_noop

from config.errors import BadRequest

from .models import SHORT_LENGTHS, Level, short_code

LENGTH_LEVELS = {n: level for level, n in SHORT_LENGTHS.items()}


def parse_code(raw: str) -> tuple[str, int | None]:
    """(the 12-digit code, its level). A 12-digit code leaves the level open.

    441900000000 is both 东莞市 and its county-level echo, so a full code does not fix
    the level; a shorter one fixes the highest level its zeros allow.
    """
    raw = (raw or "").strip()
    if not (raw.isascii() and raw.isdigit()) or len(raw) not in LENGTH_LEVELS:
        raise BadRequest.of(gettext_noop(
            "code %(code)r: expected 2, 4, 6, 9 or 12 digits (e.g. 520200, 520201 or "
            "520201000000)"), code=raw)
    code = raw.ljust(12, "0")
    if len(raw) == 12:
        return code, None
    return code, _highest_level(code, LENGTH_LEVELS[len(raw)])


def _highest_level(code: str, deepest: int) -> int:
    return next(lvl for lvl in range(Level.PROVINCE, deepest + 1)
                if not code[SHORT_LENGTHS[lvl]:].strip("0"))


def code_prefix(code: str, level: int | None) -> tuple[str, int]:
    """The short code that every descendant's code starts with, and its level."""
    if level is None:
        level = _highest_level(code, Level.VILLAGE)
    return short_code(code, level), level


def prefix_range(prefix: str) -> tuple[str, str]:
    """[lo, hi) of the codes starting with prefix: under the C.UTF-8 collation only a
    range, not LIKE 'p%', can use the code index."""
    return prefix, prefix[:-1] + chr(ord(prefix[-1]) + 1)
