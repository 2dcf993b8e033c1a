"""The demo registry for the tests that read it (demo, border lines, markers, inspections).

The demo loads only into an empty registry, and other modules leave the session's
codes committed in the test database; so a module empties the tables inside a
transaction of its own, loads the demo once, and rolls all of it back at the end.
Each test still runs in its own savepoint on top.
"""

import io
from contextlib import contextmanager

import pytest
from django.core.management import call_command
from django.db import connection, transaction


@contextmanager
def demo_loaded(django_db_blocker, *, keep_lines: bool):
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            with connection.cursor() as cur:
                cur.execute("TRUNCATE boundaries_divisionversion, boundaries_divisionevent, "
                            "boundaries_divisionedition, boundaries_boundaryline, "
                            "boundaries_boundarymarker CASCADE")
            call_command("load_demo", "--no-progress", stdout=io.StringIO())
            if not keep_lines:
                with connection.cursor() as cur:
                    cur.execute("TRUNCATE boundaries_boundaryline, boundaries_boundarymarker "
                                "CASCADE")
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    yield
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


@pytest.fixture(scope="module")
def demo_registry(django_db_setup, django_db_blocker):
    """The demo's divisions and polygons, without the lines it derives: these tests
    derive them themselves."""
    with demo_loaded(django_db_blocker, keep_lines=False):
        yield
