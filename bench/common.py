"""What every bench step shares: paths, the bench database, subprocesses, timing, progress."""

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The checkout's sibling shared/; a git worktree (/work/wt/<name>) sits one level deeper.
SHARED = next((d / "shared" / "data" for d in ROOT.parents if (d / "shared" / "data").is_dir()),
              ROOT.parent / "shared" / "data")
CODES_DIR = SHARED / "china-division-2023"
COUNTIES_FILE = SHARED / "counties" / "counties-echarts.geojson.gz"
WORK = ROOT / "bench" / ".work"
RESULTS = ROOT / "bench" / "results"
PYTHON = ROOT / ".venv" / "bin" / "python"

# Overridable so that two benches can run side by side, each on a database of its own.
DB_NAME = os.environ.get("BENCH_DB_NAME") or "bench_registry"
PG = {"host": "127.0.0.1", "port": "5432", "user": "postgres"}
DATABASE_URL = f"postgres://{PG['user']}@{PG['host']}:{PG['port']}/{DB_NAME}"
ADMIN_URL = f"postgres://{PG['user']}@{PG['host']}:{PG['port']}/postgres"

_started = time.monotonic()


def say(message: str) -> None:
    """Progress line with the time since the bench started (stderr keeps stdout for the table)."""
    print(f"[bench {time.monotonic() - _started:7.1f}s] {message}", file=sys.stderr, flush=True)


class Skipped(Exception):
    """A step cannot run here (a piece of the project or a tool is missing)."""


@dataclass
class StepResult:
    name: str
    figures: dict = field(default_factory=dict)
    skipped: str | None = None
    error: str | None = None

    def as_dict(self) -> dict:
        return {"figures": self.figures, "skipped": self.skipped, "error": self.error}


def env(**extra: str) -> dict:
    """The environment for manage.py / gunicorn: the bench database (DB_NAME), never `registry`."""
    out = dict(os.environ)
    # Production settings on plain http (loopback), as `make run` serves. The cache keys
    # are the database's own: a load here clears cached answers of this database only.
    out.update(DATABASE_URL=DATABASE_URL, DJANGO_SETTINGS_MODULE="config.settings",
               DJANGO_DEBUG="0", DJANGO_HTTPS="0", DJANGO_COLLECTED_STATIC="0",
               DJANGO_SECRET_KEY=out.get("DJANGO_SECRET_KEY") or "bench-only-secret-key",
               CACHE_KEY_PREFIX=DB_NAME, RATE_LIMIT_ENABLED="0", PYTHONUNBUFFERED="1")
    out.update(extra)
    return out


def require_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise Skipped(f"{name} is not installed (make bench installs it)")
    return path


def run(cmd: list[str], *, timeout: float = 3600, quiet: bool = True, **kw) -> float:
    """Run a command to completion; return its wall-clock seconds; raise with its output."""
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, env=kw.pop("env", env()), timeout=timeout,
                          capture_output=quiet, text=True, **kw)
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        tail = ((proc.stdout or "") + (proc.stderr or ""))[-2000:] if quiet else ""
        raise RuntimeError(f"{' '.join(map(str, cmd[:4]))}… exited {proc.returncode}\n{tail}")
    return elapsed


def manage(*args: str, timeout: float = 3600) -> float:
    return run([str(PYTHON), "manage.py", *args], timeout=timeout)


def psql(sql: str, *, db: str = DATABASE_URL) -> str:
    """One psql call; returns unaligned tuples-only output."""
    proc = subprocess.run(["psql", db, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-tA", "-c", sql],
                          capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        raise RuntimeError(f"psql: {proc.stderr.strip()}")
    return proc.stdout.strip()


def database_exists() -> bool:
    return psql(f"SELECT 1 FROM pg_database WHERE datname = '{DB_NAME}'", db=ADMIN_URL) == "1"


def recreate_database() -> None:
    """Drop and create the bench database (UTF-8 ctype: pg_trgm needs it for CJK); migrate."""
    say(f"recreating database {DB_NAME}")
    psql(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)', db=ADMIN_URL)
    psql(f"CREATE DATABASE \"{DB_NAME}\" TEMPLATE template0 ENCODING 'UTF8' "
         "LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'", db=ADMIN_URL)
    seconds = manage("migrate", "--no-input", "-v0")
    say(f"migrated in {seconds:.1f}s")


def count(sql_from_where: str) -> int:
    return int(psql(f"SELECT count(*) FROM {sql_from_where}") or 0)


def module_exists(dotted: str) -> bool:
    return (ROOT / (dotted.replace(".", "/") + ".py")).exists()


def command_exists(name: str) -> bool:
    # whichever app owns it: Django finds commands by name
    return any(ROOT.glob(f"*/management/commands/{name}.py"))
