# The registry's two commands: `make run` (set up and serve) and `make test`.
PY := .venv/bin/python
export DJANGO_SETTINGS_MODULE := config.settings

.PHONY: run test bench lint system venv db migrate demo serve clean-db

run: system venv db migrate demo serve

# gdal-bin: the OGC facade is tested with GDAL's own client (ogrinfo OAPIF:).
test: system venv db
	@scripts/ensure_system.sh gdal-bin
	$(PY) -m pytest

bench: system venv db migrate
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

migrate:
	$(PY) manage.py migrate --no-input -v0

demo:
	$(PY) manage.py load_demo

serve:
	@echo "serving on http://127.0.0.1:8000  (API docs: http://127.0.0.1:8000/api/docs)"
	$(PY) manage.py runserver 127.0.0.1:8000
