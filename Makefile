# The registry's two commands: `make run` (set up and serve) and `make test`.
PY := .venv/bin/python
export DJANGO_SETTINGS_MODULE := config.settings
# Production settings read the key from this file; `make secret` makes it once.
export DJANGO_SECRET_KEY_FILE ?= $(CURDIR)/.local/secret_key

.PHONY: run dev test bench lint system venv db redis secret migrate demo static serve clean-db

# What an operator runs: production settings (DEBUG off), gunicorn, static files by WhiteNoise.
run: system venv db redis secret migrate demo static serve

# For people changing the code: Django's development server with DEBUG on.
dev: system venv db redis secret migrate demo
	$(APP_DB) DJANGO_DEBUG=1 $(PY) manage.py runserver 127.0.0.1:8000

# gdal-bin: the OGC facade is tested with GDAL's own client (ogrinfo OAPIF:); chromium: the
# pages are tested in Debian's browser, driven by Playwright (never a downloaded browser);
# fonts-wqy-zenhei: chromium has no CJK font otherwise, and the screenshots show boxes.
# TEST_AS_APP_ROLE=1: every database test runs as the app's least-privileged role.
test: system venv db redis
	@scripts/ensure_system.sh gdal-bin chromium fonts-wqy-zenhei gettext
	DJANGO_SETTINGS_MODULE=config.settings_test TEST_AS_APP_ROLE=1 $(PY) -m pytest

bench: system venv db redis secret migrate
	scripts/ensure_system.sh gdal-bin wrk
	$(PY) -m bench.run

lint: venv
	.venv/bin/ruff check .

system:
	@scripts/ensure_system.sh

# The venv is rebuilt only when requirements.txt changes.
venv: .venv/.installed
.venv/.installed: requirements.txt
	@test -x $(PY) || python3 -m venv .venv
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	@touch $@

db:
	@scripts/ensure_db.sh

redis:
	@scripts/ensure_redis.sh

secret:
	@scripts/ensure_secret.sh

# Migrations and grants as the owner role; everything else as the app role (ops.roles).
OWNER_DB = DATABASE_URL="$$(cat .local/database_owner_url)"
APP_DB = DATABASE_URL="$$(cat .local/database_url)"

migrate:
	$(OWNER_DB) $(PY) manage.py migrate --no-input -v0
	$(OWNER_DB) $(PY) manage.py db_grants -v0

demo:
	$(APP_DB) $(PY) manage.py load_demo

static:
	$(PY) manage.py collectstatic --no-input -v0

# gunicorn and the job worker, plain http on loopback; for real, behind nginx with TLS: deploy/.
serve:
	@echo "serving on http://127.0.0.1:8000  (API docs: http://127.0.0.1:8000/api/docs)"
	DJANGO_HTTPS=0 scripts/serve.sh
