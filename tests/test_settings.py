"""Production is the default: DEBUG off, a real secret key or no start, check --deploy clean."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLEARED = ("DJANGO_DEBUG", "DJANGO_SECRET_KEY", "DJANGO_SECRET_KEY_FILE", "DJANGO_HTTPS",
           "DJANGO_ALLOWED_HOSTS", "DJANGO_COLLECTED_STATIC")


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in CLEARED}
    base["DJANGO_SETTINGS_MODULE"] = "config.settings"
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=base | env,
                          capture_output=True, text=True, timeout=120)


def test_it_passes_check_deploy_in_production_mode():
    done = manage("check", "--deploy", "--fail-level", "WARNING",
                  DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
                  DJANGO_ALLOWED_HOSTS="diming.example.gov.cn")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off():
    done = manage("check")
    assert done.returncode != 0
    assert "DJANGO_SECRET_KEY" in done.stderr


def test_it_reads_the_secret_key_from_a_file(tmp_path):
    key = tmp_path / "secret_key"
    key.write_text(secrets.token_urlsafe(64))
    code = ("from django.conf import settings; "
            f"print(settings.DEBUG, settings.SECRET_KEY == open({str(key)!r}).read().strip())")
    done = manage("shell", "-v", "0", "-c", code, DJANGO_SECRET_KEY_FILE=str(key))
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "True"]


def test_it_turns_debug_on_only_when_asked():
    done = manage("shell", "-v", "0", "-c",
                  "from django.conf import settings; print(settings.DEBUG)", DJANGO_DEBUG="1")
    assert done.stdout.strip() == "True"
