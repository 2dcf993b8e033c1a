"""Time in the registry: what "today" is, and what "in force on date D" means.

Every record has a validity period [valid_from, valid_to): valid_from is the first day in
force (NULL: since before the registry knows), valid_to the first day no longer in force
(NULL: still in force). This module is the one place that says so, for the ORM (``in_force``)
and for hand-written SQL (``in_force_sql``); nothing else spells the predicate out.

"Today" is the date in Asia/Shanghai (settings.TIME_ZONE), not the host's: on a UTC host
``date.today()`` is still yesterday between 00:00 and 08:00 Beijing time.
"""

from datetime import date, timedelta

from django.db.models import Q
from django.utils import timezone


def today() -> date:
    return timezone.localdate()


def in_force(as_of: date, prefix: str = "") -> Q:
    """The ORM filter: in force on ``as_of``; ``prefix`` reaches a related record's period
    (``in_force(d, "line__")``)."""
    return (Q(**{f"{prefix}valid_from__isnull": True}) | Q(**{f"{prefix}valid_from__lte": as_of})) \
        & (Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gt": as_of}))


def began_sql(alias: str = "", param: str = "as_of", *, strictly: bool = False) -> str:
    """In force from ``%(param)s`` on or earlier (``strictly``: earlier)."""
    col = f"{alias}." if alias else ""
    return f"({col}valid_from IS NULL OR {col}valid_from {'<' if strictly else '<='} %({param})s)"


def not_ended_sql(alias: str = "", param: str = "as_of") -> str:
    """Still in force on ``%(param)s``."""
    col = f"{alias}." if alias else ""
    return f"({col}valid_to IS NULL OR {col}valid_to > %({param})s)"


def in_force_sql(alias: str = "", param: str = "as_of") -> str:
    """The predicate of ``in_force`` as SQL over ``alias``'s columns with the named parameter
    ``%(param)s``: ``in_force_sql("d")`` → ``(d.valid_from IS NULL OR d.valid_from <= …)``."""
    return f"{began_sql(alias, param)} AND {not_ended_sql(alias, param)}"


def is_in_force(record, on: date) -> bool:
    """The predicate for a record already in memory (anything with valid_from/valid_to)."""
    return ((record.valid_from is None or record.valid_from <= on)
            and (record.valid_to is None or record.valid_to > on))


def reference_date(record, as_of: date | None = None) -> date:
    """The date a record speaks for when none is asked: today while it is in force, else
    its last day in force (a line or division version ended on valid_to)."""
    if as_of is not None:
        return as_of
    if record.valid_to is None:
        return today()
    return record.valid_to - timedelta(days=1)


def add_years(day: date, years: int) -> date:
    """The same calendar day ``years`` later (29 February → 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)
