"""Users in each workflow role (tests/proposals/support.py drives proposals)."""

import pytest

from .support import make_staff


@pytest.fixture
def staff(divisions_db):
    return make_staff()
