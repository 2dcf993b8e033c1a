"""Division search (placeholder until the search issue work lands): exact and prefix only."""

from datetime import date

from .models import Level
from .names import normalize
from .selectors import versions_at


def search_divisions(q: str, *, level: int | None, parent: tuple[str, int | None] | None,
                     as_of: date | None, limit: int) -> dict:
    norm = normalize(q)
    qs = versions_at(as_of or date.today()).filter(name__startswith=norm)
    if level:
        qs = qs.filter(level=level)
    items = [
        {"code": v.code, "short_code": v.short_code, "name": v.name,
         "level": Level(v.level).label, "kind": v.kind, "valid_from": v.valid_from,
         "valid_to": v.valid_to, "current": v.valid_to is None, "match": "prefix",
         "parent_name": None}
        for v in qs.order_by("level", "code")[:limit]
    ]
    return {"query": q, "normalized": norm, "count": len(items), "items": items}
