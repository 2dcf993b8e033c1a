"""Backups with PostgreSQL's own tools: pg_dump's custom format, pg_restore into a new
UTF-8 / C.UTF-8 database (pg_trgm needs a UTF-8 ctype for CJK trigrams).

A dump holds the schema, the data, the triggers that keep history append-only and the
grants to the app's role; roles themselves belong to the cluster, so a restore onto
another cluster first creates them (ops.roles).
"""

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import psycopg2
from django.conf import settings
from django.utils import timezone
from psycopg2 import sql


class BackupError(Exception):
    """A dump or restore could not be made; nothing was replaced."""


@dataclass(frozen=True)
class Server:
    host: str
    port: str
    user: str
    password: str

    @classmethod
    def from_settings(cls, alias: str = "default") -> "Server":
        db = settings.DATABASES[alias]
        return cls(db.get("HOST") or "", str(db.get("PORT") or ""), db.get("USER") or "",
                   db.get("PASSWORD") or "")

    def args(self) -> list[str]:
        out = []
        if self.host:
            out += ["-h", self.host]
        if self.port:
            out += ["-p", self.port]
        if self.user:
            out += ["-U", self.user]
        return out

    def env(self) -> dict:
        return os.environ | ({"PGPASSWORD": self.password} if self.password else {})


def _tool(name: str) -> str:
    path = shutil.which(name) or next(
        (str(p) for p in sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))), None)
    if path is None:
        raise BackupError(f"{name} not found: install postgresql-client")
    return path


def _run(cmd: list[str], server: Server) -> None:
    done = subprocess.run(cmd, env=server.env(), capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{Path(cmd[0]).name} failed: {done.stderr.strip()[-2000:]}")


def default_path() -> Path:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    return settings.BASE_DIR / ".local" / "backups" / f"registry-{stamp}.dump"


def backup_run(*, path: Path | None = None, database: str | None = None) -> Path:
    """pg_dump -Fc of the database (settings' by default) to ``path``, written atomically."""
    server = Server.from_settings()
    database = database or settings.DATABASES["default"]["NAME"]
    path = Path(path or default_path())
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(path.suffix + ".partial")
    _run([_tool("pg_dump"), *server.args(), "-Fc", "-f", str(partial), database], server)
    partial.replace(path)
    return path


def _admin(server: Server):
    """An autocommit connection to the cluster's `postgres` database, for CREATE/DROP."""
    conn = psycopg2.connect(host=server.host or None, port=server.port or None,
                            user=server.user or None, password=server.password or None,
                            dbname="postgres")
    conn.autocommit = True
    return conn


def _recreate(server: Server, database: str, replace: bool) -> None:
    name = sql.Identifier(database)
    conn = _admin(server)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database])
            if cur.fetchone():
                if not replace:
                    raise BackupError(f"database {database} exists: give another name, "
                                      "or --replace")
                cur.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(name))
            cur.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8' "
                                "LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'").format(name))
    finally:
        conn.close()


def drop_database(database: str) -> None:
    conn = _admin(Server.from_settings())
    try:
        with conn.cursor() as cur:
            cur.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
                        .format(sql.Identifier(database)))
    finally:
        conn.close()


def restore_run(*, path: Path, database: str, replace: bool = False) -> str:
    """Restore a dump into ``database``, created afresh (UTF-8, C.UTF-8 ctype) in one
    transaction: a failed restore leaves an empty database, never a half-filled one.
    An existing database is refused unless ``replace`` (then dropped first)."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path}: no such dump file")
    server = Server.from_settings()
    _recreate(server, database, replace)
    _run([_tool("pg_restore"), *server.args(), "-d", database, "--exit-on-error",
          "--single-transaction", str(path)], server)
    return database
