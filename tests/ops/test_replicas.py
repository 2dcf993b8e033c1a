"""Read replicas, end to end: a primary cluster of its own and a real streaming replica of it
(``pg_basebackup -R``) on loopback, and two gunicorn servers reading through the router.

The primary is a fresh cluster made by the test (initdb, the test database copied into it
with pg_dump): a base backup of the shared server would copy every database on it. Which
server answered is seen in the answers: with the replica's replay paused, a read from it
misses what was just written.
"""

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg2
import pytest
import requests
from django.core.cache import cache
from django.db import connection

from ops import replica as pgreplica

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.skipif(
    pgreplica.pg_bin() is None or not (pgreplica.pg_bin() / "initdb").exists(),
    reason="needs PostgreSQL's server binaries (initdb, pg_basebackup, pg_ctl)"),
    # the suite's test database is made only for a session with database tests: this copies it
    pytest.mark.django_db]


def _initdb_primary(root: Path) -> dict:
    binaries, data, port = pgreplica.pg_bin(), root / "primary", pgreplica.free_port()
    data.mkdir()
    if os.geteuid() == 0:
        import shutil
        shutil.chown(data, "postgres", "postgres")
    subprocess.run(pgreplica._as_pg([binaries / "initdb", "-D", data, "-U", "postgres",
                                     "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8"]),
                   check=True, capture_output=True)
    subprocess.run(pgreplica._as_pg([
        binaries / "pg_ctl", "-D", data, "-l", data / "server.log", "-w", "-o",
        f"-p {port} -k {data} -c listen_addresses=127.0.0.1 -c fsync=off "
        "-c wal_level=replica -c max_wal_senders=5"]  + ["start"]),
        check=True, capture_output=True)
    return {"host": "127.0.0.1", "port": str(port), "user": "postgres", "password": "",
            "data": data}


def _copy_test_database(primary: dict, name: str) -> None:
    """The suite's test database (migrated) into the new primary, owners and grants left."""
    db = connection.settings_dict
    source = (f"host={db['HOST'] or '127.0.0.1'} port={db['PORT'] or 5432} "
              f"user={db['USER']} password='{db['PASSWORD']}' dbname={db['NAME']}")
    target = f"postgres://postgres@127.0.0.1:{primary['port']}"
    subprocess.run(["psql", "-q", f"{target}/postgres", "-c",
                    f"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8' "
                    "LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"], check=True)
    dump = subprocess.run(["pg_dump", "-Fc", "--no-owner", "--no-privileges", source],
                          check=True, capture_output=True).stdout
    done = subprocess.run(["pg_restore", "--no-owner", "--no-privileges", "-d",
                           f"{target}/{name}"], input=dump, capture_output=True)
    assert done.returncode == 0, (db["NAME"], done.stderr.decode()[-3000:])


def _gunicorn(port: int, database: str, replica: str, **env: str) -> subprocess.Popen:
    environ = os.environ | {
        "DJANGO_SETTINGS_MODULE": "config.settings_test", "DATABASE_URL": database,
        "DATABASE_REPLICA_URLS": replica, "REGISTRY_BIND": f"127.0.0.1:{port}",
        "REGISTRY_WORKERS": "1", "REGISTRY_ACCESS_LOG": "/dev/null",
        "DATABASE_REPLICA_HEALTH_SECONDS": "0.1"} | env
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.conf.py",
                             "config.wsgi:application"], cwd=ROOT, env=environ,
                            start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            requests.get(f"http://127.0.0.1:{port}/api/v1/tokens", timeout=2)
            return proc
        except requests.ConnectionError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError(f"gunicorn on {port} did not answer")


def _tokens(database: str, count: int) -> list[str]:
    """Plain bearer tokens of one user, made in the new primary by the real service."""
    code = ("import django, json; django.setup()\n"
            "from django.contrib.auth import get_user_model as U; User = U()\n"
            "from accounts.services import token_create\n"
            "u = User.objects.create_user('replica-tester', password='x')\n"
            f"print(json.dumps([token_create(user=u, name='t{{}}'.format(i))[1] "
            f"for i in range({count})]))")
    env = os.environ | {"DJANGO_SETTINGS_MODULE": "config.settings_test",
                        "DATABASE_URL": database}
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def cluster(django_db_setup, django_db_blocker):
    root = Path(tempfile.mkdtemp(prefix="registry-replicas-"))
    root.chmod(0o711)
    name = "replicas_" + os.environ.get("TEST_DB_NAME", "test")
    servers, primary, replica = [], None, None
    try:
        primary = _initdb_primary(root)
        with django_db_blocker.unblock():
            _copy_test_database(primary, name)
        replica = pgreplica.start_replica(primary, root / "replica", dbname=name)
        database = f"postgres://postgres@127.0.0.1:{primary['port']}/{name}"
        replica_url = f"postgres://postgres@127.0.0.1:{replica.port}/{name}"
        tokens = _tokens(database, 3)
        ports = [pgreplica.free_port(), pgreplica.free_port()]
        # the first trusts its measurement for 30 s: a replica lost meanwhile fails in the
        # middle of a request (the view is run again on the primary)
        servers.append(_gunicorn(ports[0], database, replica_url,
                                 DATABASE_REPLICA_HEALTH_SECONDS="30"))
        # the second server skips a replica more than 1 kB behind
        servers.append(_gunicorn(ports[1], database, replica_url,
                                 DATABASE_REPLICA_MAX_LAG_BYTES="1024"))
        replica.wait_replayed(name)
        yield {"primary": primary, "replica": replica, "name": name, "tokens": tokens,
               "urls": [f"http://127.0.0.1:{p}" for p in ports], "database": database}
    finally:
        for proc in servers:
            os.killpg(proc.pid, 15)
            proc.wait(timeout=30)
        if replica is not None:
            replica.remove()
        if primary is not None:
            subprocess.run(pgreplica._as_pg([pgreplica.pg_bin() / "pg_ctl", "-D",
                                             primary["data"], "-m", "immediate", "stop"]),
                           capture_output=True)
        import shutil
        shutil.rmtree(root, ignore_errors=True)


def _names(url: str, token: str, cookies=None) -> set[str]:
    answer = requests.get(f"{url}/api/v1/tokens", headers={"Authorization": f"Bearer {token}"},
                          cookies=cookies, timeout=10)
    assert answer.status_code == 200, answer.text
    return {row["name"] for row in answer.json()}


def _new_token(url: str, token: str, name: str) -> requests.Response:
    answer = requests.post(f"{url}/api/v1/tokens", json={"name": name},
                           headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert answer.status_code == 201, answer.text
    return answer


def _replay(cluster, paused: bool) -> None:
    cluster["replica"].sql(cluster["name"], "SELECT pg_wal_replay_pause()" if paused
                           else "SELECT pg_wal_replay_resume()")


def test_it_reads_from_the_replica_and_writes_to_the_primary(cluster):
    url, (writer, reader, _) = cluster["urls"][0], cluster["tokens"]
    _replay(cluster, paused=True)
    try:
        _new_token(url, writer, "while-paused")
        # the write reached the primary; a client that did not write reads the replica,
        # which has not replayed it
        assert "while-paused" not in _names(url, reader)
    finally:
        _replay(cluster, paused=False)
    cluster["replica"].wait_replayed(cluster["name"])
    assert "while-paused" in _names(url, reader)


def test_it_lets_a_writer_read_its_write_by_token_and_by_cookie(cluster):
    url, (writer, reader, _) = cluster["urls"][0], cluster["tokens"]
    _replay(cluster, paused=True)
    try:
        made = _new_token(url, writer, "mine")
        assert "mine" in _names(url, writer)  # the token's position, kept in Redis
        assert "mine" not in _names(url, reader)
        cookie = {"registry_lsn": made.cookies["registry_lsn"]}
        from config.ratelimit import _bearer_digest

        class Bearer:
            META = {"HTTP_AUTHORIZATION": f"Bearer {writer}"}
        cache.delete(f"ryw:{_bearer_digest(Bearer)[:32]}")
        assert "mine" not in _names(url, writer)  # neither kept: the stale replica
        assert "mine" in _names(url, writer, cookies=cookie)  # the cookie alone suffices
    finally:
        _replay(cluster, paused=False)
    cluster["replica"].wait_replayed(cluster["name"])


def test_it_skips_a_replica_lagging_past_the_threshold(cluster):
    strict, lenient = cluster["urls"][1], cluster["urls"][0]
    writer, reader, _ = cluster["tokens"]
    _replay(cluster, paused=True)
    try:
        _new_token(lenient, writer, "lagged")
        with psycopg2.connect(cluster["database"]) as conn, conn.cursor() as cur:
            cur.execute("CREATE TABLE wal_filler AS SELECT repeat('x', 1000) AS x "
                        "FROM generate_series(1, 50)")  # 50 kB of WAL the replica lacks
        time.sleep(0.3)  # past DATABASE_REPLICA_HEALTH_SECONDS: both servers measure again
        assert "lagged" not in _names(lenient, reader)  # 16 MB allowed: the replica
        assert "lagged" in _names(strict, reader)  # 1 kB allowed: the primary
    finally:
        _replay(cluster, paused=False)
    cluster["replica"].wait_replayed(cluster["name"])
    time.sleep(0.3)


def test_it_serves_the_same_answers_from_either_app_server(cluster):
    first, second = cluster["urls"]
    writer, reader, other = cluster["tokens"]
    made = _new_token(first, writer, "made-on-first").json()
    cluster["replica"].wait_replayed(cluster["name"])
    time.sleep(0.3)
    # a token made through one server works through the other at once
    assert "made-on-first" in _names(second, made["token"])
    assert _names(first, other) == _names(second, other)


def test_it_answers_reads_when_the_replica_is_lost(cluster):
    url, (writer, reader, _) = cluster["urls"][0], cluster["tokens"]
    assert _names(url, reader)  # the server has a connection to the replica
    cluster["replica"].stop()
    try:
        _new_token(url, writer, "after-loss")
        for _ in range(3):  # the kept connection fails mid-request, then it is skipped
            assert "after-loss" in _names(url, reader)
    finally:
        cluster["replica"].start()
