"""The router's rules that need no replica running: replicas from DATABASE_REPLICA_URLS,
migrations only on the primary, reads on the primary outside a read request."""

import json
import os
import subprocess
import sys
from pathlib import Path

from config import replicas
from config.dbrouter import PrimaryReplicaRouter

ROOT = Path(__file__).resolve().parents[2]


def test_it_makes_one_alias_per_replica_url_mirroring_the_primary_in_tests():
    code = ("import json; from django.conf import settings as s; print(json.dumps({a: "
            "[d['HOST'], d['PORT'], d['NAME'], d['TEST']['MIRROR'], "
            "d['OPTIONS'].get('connect_timeout')] "
            "for a, d in s.DATABASES.items() if a != 'default'}))")
    env = os.environ | {"DJANGO_SETTINGS_MODULE": "config.settings_test",
                        "DATABASE_REPLICA_URLS": "postgres://u@10.0.0.2:5432/registry, "
                                                 "postgres://u@10.0.0.3:6432/registry"}
    done = subprocess.run([sys.executable, "manage.py", "shell", "-v", "0", "-c", code],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == {
        "replica1": ["10.0.0.2", "5432", "registry", "default", 2],
        "replica2": ["10.0.0.3", "6432", "registry", "default", 2]}


def test_it_migrates_only_the_primary():
    router = PrimaryReplicaRouter()
    assert router.allow_migrate("default", "boundaries") is True
    assert router.allow_migrate("replica1", "boundaries") is False
    assert router.db_for_write(None) == "default"


def test_it_reads_from_the_primary_outside_a_read_request(settings):
    settings.DATABASES = {**settings.DATABASES, "replica1": settings.DATABASES["default"]}
    assert replicas.read_alias() == "default"  # a command, a job, a test
    token = replicas.current.set(replicas.Routing(safe=False))
    try:
        assert replicas.read_alias() == "default"  # an unsafe request reads what it writes
    finally:
        replicas.current.reset(token)


def test_it_reads_lsns_as_byte_positions():
    assert replicas.lsn_int("0/0") == 0
    assert replicas.lsn_int("16/B374D848") == (0x16 << 32) + 0xB374D848
    assert replicas.lsn_int("1/0") > replicas.lsn_int("0/FFFFFFFF")
    assert replicas.lsn_int(None) is None
