"""Reads of the vector tiles: a tile rendered by PostGIS, kept in the shared cache.

PostgreSQL does the whole tile (``ST_AsMVT``): the rows in the tile's envelope, found
through the GiST index on the stored SRID (4490), clipped, simplified to the tile's pixel,
projected to Web Mercator and encoded. A tile's ETag is its layer's cache generation with
its address and date, known before any rendering: a client's ``If-None-Match`` is answered
304 from one cache read, and a write that bumps the generation changes every ETag of the
layer at once (config.responses.invalidate_on_commit).
"""

import hashlib
import re
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils.translation import gettext_noop

from config.errors import BadRequest, NotFound
from config.responses import generation, keep_bytes, kept_bytes

from .layers import BUFFER, EXTENT, LAYERS, Layer


@dataclass(frozen=True)
class TileAddress:
    layer: Layer
    z: int
    x: int
    y: int
    as_of: date

    def params(self) -> dict:
        # degrees per half screen pixel at this zoom (256-pixel tiles, for hi-dpi screens)
        return {"z": self.z, "x": self.x, "y": self.y, "as_of": self.as_of,
                "margin": BUFFER / EXTENT, "tol": 360.0 / (512 * 2 ** self.z)}

    def address_text(self) -> str:
        """Everything the tile depends on but its layer's generation, the statement that
        draws it included (a release that draws it otherwise does not serve the old one)."""
        return (f"{self.layer.name}:{_DIGESTS[self.layer.name]}:"
                f"{self.z}/{self.x}/{self.y}:{self.as_of.isoformat()}")

    def key(self, made_in: int) -> str:
        """The ETag: the address and the generation of the layer's scope."""
        return hashlib.sha256(f"{self.address_text()}:{made_in}".encode()).hexdigest()[:32]


def layer(name: str) -> Layer:
    try:
        return LAYERS[name]
    except KeyError:
        raise NotFound.of(gettext_noop("layer %(name)r: no such tile layer (one of "
                                       "%(layers)s)"),
                          name=name, layers=", ".join(LAYERS)) from None


def address(name: str, z: str, x: str, y: str, as_of: date) -> TileAddress:
    """The tile asked for, checked: z within the layer's zooms, x and y within the grid."""
    found = layer(name)
    if not all(_DIGITS.fullmatch(part) for part in (z, x, y)):
        raise BadRequest.of(gettext_noop("tile %(z)s/%(x)s/%(y)s: z, x and y must be whole "
                                         "numbers"), z=z, x=x, y=y)
    zi, xi, yi = int(z), int(x), int(y)
    if not 0 <= zi <= found.maxzoom:
        raise BadRequest.of(gettext_noop("tile %(z)s/%(x)s/%(y)s: z must be 0 to %(maxzoom)s "
                                         "for layer %(layer)s"),
                            z=z, x=x, y=y, maxzoom=found.maxzoom, layer=found.name)
    if not (0 <= xi < 2 ** zi and 0 <= yi < 2 ** zi):
        raise BadRequest.of(gettext_noop("tile %(z)s/%(x)s/%(y)s: x and y must be 0 to "
                                         "%(last)s at z=%(zi)s"),
                            z=z, x=x, y=y, last=2 ** zi - 1, zi=zi)

    return TileAddress(found, zi, xi, yi, as_of)


def tile_sql(found: Layer) -> str:
    """The statement that renders one tile of ``found`` (the bench runs it directly)."""
    return (f"SELECT ST_AsMVT(f, '{found.name}', {EXTENT}, 'geom', 'id') FROM "
            f"({found.select}) f")


_DIGESTS = {name: hashlib.sha256(tile_sql(found).encode()).hexdigest()[:12]
            for name, found in LAYERS.items()}
_DIGITS = re.compile(r"[0-9]{1,9}")  # ASCII digits only: int() takes "٣" and " 3" too


def render(tile: TileAddress) -> bytes:
    """The tile's MVT bytes (empty below the layer's minimum zoom, or with no features)."""
    if tile.z < tile.layer.minzoom:
        return b""
    with connection.cursor() as cur:
        cur.execute(tile_sql(tile.layer), tile.params())
        row = cur.fetchone()
    return bytes(row[0]) if row and row[0] is not None else b""


def kept(tile: TileAddress) -> tuple[int, bytes | None]:
    """(the generation of the tile's scope, the tile kept for it or None), in one round
    trip to Redis: the tile is kept under its address as bytes (no pickling)."""
    if not settings.TILE_CACHE_SECONDS:
        return generation(tile.layer.scope), None
    return kept_bytes(tile.layer.scope, _tile_key(tile))


def keep(tile: TileAddress, made_in: int, body: bytes) -> None:
    """Keep a tile drawn in generation ``made_in``."""
    if settings.TILE_CACHE_SECONDS:
        keep_bytes(_tile_key(tile), made_in, body, settings.TILE_CACHE_SECONDS)


def _tile_key(tile: TileAddress) -> str:
    digest = hashlib.sha256(tile.address_text().encode()).hexdigest()[:32]
    return cache.make_key(f"tile:{digest}")


def tilejson(found: Layer, base_url: str) -> dict:
    """The layer's TileJSON 3.0.0 document; bounds are those of what it holds today."""
    return {
        "tilejson": "3.0.0",
        "name": found.name,
        "description": found.description,
        "scheme": "xyz",
        "tiles": [f"{base_url}/tiles/{found.name}/{{z}}/{{x}}/{{y}}.pbf"],
        "minzoom": found.minzoom,
        "maxzoom": found.maxzoom,
        "bounds": bounds(found),
        "attribution": "区划地名 registry",
        "vector_layers": [{"id": found.name, "description": found.description,
                           "minzoom": found.minzoom, "maxzoom": found.maxzoom,
                           "fields": found.fields}],
    }


def bounds(found: Layer) -> list[float]:
    """The layer's bounds, kept in the cache until its scope's next generation."""
    key = f"tile-bounds:{found.name}:{generation(found.scope)}"
    found_bounds = cache.get(key)
    if found_bounds is None:
        found_bounds = _bounds(found)
        cache.set(key, found_bounds, settings.TILE_CACHE_SECONDS or 60)
    return found_bounds


def _bounds(found: Layer) -> list[float]:
    """West, south, east, north of the layer's rows: from the planner's statistics for a
    whole table when it has them (an exact extent of millions of places reads every row),
    else exact; the world when empty."""
    table, column, condition = found.source
    extent = (f"(SELECT ST_Extent({column}) FROM {table} WHERE {condition})" if condition
              else f"COALESCE(ST_EstimatedExtent('{table}', '{column}'), "
                   f"(SELECT ST_Extent({column}) FROM {table}))")
    with connection.cursor() as cur:
        cur.execute(f"SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM "
                    f"(SELECT {extent}::box2d AS e) s")
        row = cur.fetchone()
    if not row or row[0] is None:
        return [-180.0, -85.0511, 180.0, 85.0511]
    return [round(v, 4) for v in row]
