"""PostGIS backend whose databases (including the test database) get a UTF-8 ctype.

pg_trgm silently drops CJK characters from trigrams under ctype C, so every
database this project creates must use C.UTF-8 regardless of the cluster default.
"""

from django.contrib.gis.db.backends.postgis.base import (
    DatabaseWrapper as PostGISDatabaseWrapper,
)
from django.db.backends.postgresql.creation import DatabaseCreation


class UTF8Creation(DatabaseCreation):
    def sql_table_creation_suffix(self):
        return (
            "WITH ENCODING 'UTF8' TEMPLATE template0 "
            "LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
        )


class DatabaseWrapper(PostGISDatabaseWrapper):
    creation_class = UTF8Creation
