"""The demo registry for the border-line and marker tests.

As in test_demo: the module empties the tables inside a transaction of its own, loads
the demo once, and rolls all of it back at the end; each test runs in a savepoint on top.
"""

import io

import pytest
from django.core.management import call_command
from django.db import connection, transaction


@pytest.fixture(scope="module")
def demo_registry(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            with connection.cursor() as cur:
                cur.execute("TRUNCATE boundaries_divisionversion, boundaries_divisionevent, "
                            "boundaries_divisionedition, boundaries_boundaryline, "
                            "boundaries_boundarymarker CASCADE")
            call_command("load_demo", "--no-progress", stdout=io.StringIO())
            with connection.cursor() as cur:
                # these tests derive the lines themselves, from the demo's polygons
                cur.execute("TRUNCATE boundaries_boundaryline, boundaries_boundarymarker CASCADE")
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    yield
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)
