"""A streaming replica of a PostgreSQL server on loopback, for tests and the bench.

``pg_basebackup -R`` copies the primary's cluster into a directory and writes
``standby.signal`` and ``primary_conninfo``; ``pg_ctl`` starts it on a port of its own.
The settings PostgreSQL requires of a hot standby (max_connections and the like, at least
the primary's) are read from the primary. No replication slot is made: a slot left behind by
a test that died would keep the primary's WAL forever. initdb, pg_basebackup and pg_ctl
refuse to run as root, so as root they run as ``postgres``.
"""

import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg2

# a hot standby needs the first five at least the primary's; the same buffers for the bench
HOT_STANDBY_SETTINGS = ("max_connections", "max_worker_processes", "max_wal_senders",
                        "max_prepared_transactions", "max_locks_per_transaction",
                        "shared_buffers")


def pg_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_basebackup"))
    if found:
        return found[-1].parent
    which = shutil.which("pg_basebackup")
    return Path(which).parent if which else None


def _as_pg(args: list) -> list:
    return ["runuser", "-u", "postgres", "--", *map(str, args)] if os.geteuid() == 0 \
        else list(map(str, args))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Replica:
    data: Path
    port: int
    primary: dict  # host, port, user, password of the primary

    def dsn(self, dbname: str) -> str:
        return (f"host=127.0.0.1 port={self.port} user={self.primary['user']} "
                f"password='{self.primary['password']}' dbname={dbname} connect_timeout=2")

    def sql(self, dbname: str, statement: str):
        with psycopg2.connect(self.dsn(dbname)) as conn, conn.cursor() as cur:
            cur.execute(statement)
            return cur.fetchone() if cur.description else None

    def pg_ctl(self, *args: str) -> None:
        subprocess.run(_as_pg([pg_bin() / "pg_ctl", "-D", self.data, *args]), check=True,
                       stdout=subprocess.DEVNULL)

    def start(self) -> None:
        self.pg_ctl("-l", str(self.data / "server.log"), "-w", "-t", "60", "start")

    def stop(self) -> None:
        self.pg_ctl("-m", "immediate", "-w", "stop")

    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def remove(self) -> None:
        if self.running():
            self.stop()
        shutil.rmtree(self.data, ignore_errors=True)

    def wait_replayed(self, dbname: str, timeout: float = 30) -> None:
        """Until the replica has replayed everything the primary had written when called."""
        with psycopg2.connect(_primary_dsn(self.primary, dbname)) as conn, \
                conn.cursor() as cur:
            cur.execute("SELECT pg_current_wal_lsn()")
            target = cur.fetchone()[0]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.sql(dbname, f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn")[0]:
                return
            time.sleep(0.05)
        raise TimeoutError(f"replica on port {self.port} did not replay {target} in {timeout}s")


def _primary_dsn(primary: dict, dbname: str) -> str:
    return (f"host={primary['host']} port={primary['port']} user={primary['user']} "
            f"password='{primary['password']}' dbname={dbname}")


def _hot_standby_conf(primary: dict, dbname: str, port: int, data: Path) -> str:
    with psycopg2.connect(_primary_dsn(primary, dbname)) as conn, conn.cursor() as cur:
        cur.execute("SELECT name, setting FROM pg_settings WHERE name = ANY(%s)",
                    [list(HOT_STANDBY_SETTINGS)])
        values = dict(cur.fetchall())
    lines = [f"port = {port}", "listen_addresses = '127.0.0.1'",
             f"unix_socket_directories = '{data}'", "hot_standby = on",
             # queries on the replica never hold replay back for long (the bench writes)
             "max_standby_streaming_delay = 5s", "hot_standby_feedback = off",
             # a clone must not spend the bench's cores vacuuming what it just copied
             "autovacuum = off",
             "fsync = off", "logging_collector = off"]
    lines += [f"{name} = {value}" for name, value in values.items()]
    return "\n".join(lines) + "\n"


def start_replica(primary: dict, data: Path, dbname: str = "postgres",
                  port: int | None = None, standby: bool = True) -> Replica:
    """Copy the primary (host/port/user/password) into ``data`` and start it streaming;
    with ``standby=False`` the copy is a primary of its own (a clone, quiet: a hot standby
    of a busy shared server waits for its long transactions before it accepts reads)."""
    binaries = pg_bin()
    if binaries is None:
        raise FileNotFoundError("pg_basebackup: no PostgreSQL server binaries on this machine")
    port = port or free_port()
    data.mkdir(parents=True, exist_ok=True)
    data.chmod(0o700)
    if os.geteuid() == 0:  # the server's user must reach it: its parent too
        shutil.chown(data, "postgres", "postgres")
        data.parent.chmod(data.parent.stat().st_mode | 0o711)
    env = os.environ | {"PGPASSWORD": primary["password"] or ""}
    done = subprocess.run(_as_pg([binaries / "pg_basebackup", "-h", primary["host"], "-p",
                                  primary["port"], "-U", primary["user"], "-D", data,
                                  *(["-R"] if standby else []),
                                  "-X", "stream", "-c", "fast", "--no-sync"]),
                          env=env, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"pg_basebackup from {primary['host']}:{primary['port']} into "
                           f"{data}: {done.stderr.strip()}")
    # Debian keeps postgresql.conf and pg_hba.conf out of the data directory: write our own.
    for name, text in (("postgresql.conf", _hot_standby_conf(primary, dbname, port, data)),
                       ("pg_hba.conf", "local all all trust\nhost all all 127.0.0.1/32 trust\n"
                                       "local replication all trust\n"
                                       "host replication all 127.0.0.1/32 trust\n"),
                       ("pg_ident.conf", "")):
        path = data / name
        path.write_text(text)
        if os.geteuid() == 0:
            shutil.chown(path, "postgres", "postgres")
    (data / "postmaster.pid").unlink(missing_ok=True)
    replica = Replica(data=data, port=port, primary=primary)
    try:
        replica.start()
    except subprocess.CalledProcessError as exc:
        log = (data / "server.log").read_text()[-1500:] if (data / "server.log").exists() else ""
        if replica.running():
            replica.stop()
        raise RuntimeError(f"the copy on port {port} did not start: {log}") from exc
    return replica
