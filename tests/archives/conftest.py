"""Archive tests: the files go to a temporary directory (the archives storage), no ClamAV
unless a test puts a fake clamdscan on the PATH; people in each role; a line between
钟山区 and 水城区 with an inspection planned, and a proposal in 钟山区."""

import pytest
from django.contrib.auth.models import Group, User
from django.contrib.gis.geos import LineString, MultiLineString

from accounts.services import system_actor
from boundaries.models import BoundaryLine
from inspections.services import inspection_plan
from proposals import services as proposal_services

ZHONGSHAN, SHUICHENG = "520201000000", "520204000000"


@pytest.fixture(autouse=True)
def archive_root(settings, tmp_path, monkeypatch):
    root = tmp_path / "archives"
    settings.STORAGES = {**settings.STORAGES, "archives": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(root)}}}
    settings.ARCHIVE_CLAMD_SOCKET = str(tmp_path / "no-clamd.ctl")
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))  # no clamdscan
    return root


@pytest.fixture
def people(divisions_db, db) -> dict[str, User]:
    groups = {name: Group.objects.get_or_create(name=name)[0]
              for name in ("archivist", "clerk", "applicant", "钟山区联检组", "水城区联检组")}
    users = {}
    for username, group in [("archivist", "archivist"), ("clerk", "clerk"),
                            ("applicant", "applicant"), ("applicant2", "applicant"),
                            ("a1", "钟山区联检组"), ("b1", "水城区联检组"), ("outsider", None)]:
        users[username], _ = User.objects.get_or_create(username=username)
        users[username].groups.set([groups[group]] if group else [])
    return users


@pytest.fixture
def line(divisions_db, db) -> BoundaryLine:
    geom = MultiLineString(LineString((104.80, 26.55), (104.85, 26.60)), srid=4490)
    return BoundaryLine.objects.create(level=3, left_code=ZHONGSHAN, right_code=SHUICHENG,
                                       name="钟水线", geom=geom, length_m=7000.0)


@pytest.fixture
def inspection(line, people):
    return inspection_plan(actor=people["clerk"], line=line, year=2026,
                           team_a=people["a1"].groups.get(), team_b=people["b1"].groups.get())


@pytest.fixture
def proposal(people):
    return proposal_services.proposal_submit(actor=people["applicant"], kind="naming",
                                             name="凉都大道", place_class="road",
                                             division_code="520201")


@pytest.fixture
def system():
    return system_actor()
