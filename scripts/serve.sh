#!/usr/bin/env bash
# What `make run` serves: the Celery worker (background jobs) beside gunicorn, both as the
# app's database role; stopping this script (Ctrl-C, SIGTERM) stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
export DATABASE_URL="$(cat .local/database_url)"
export DJANGO_HTTPS="${DJANGO_HTTPS:-0}"
mkdir -p .local/jobs
.venv/bin/celery -A config worker --concurrency "${REGISTRY_JOB_WORKERS:-2}" -l warning \
  --without-gossip --without-mingle --logfile .local/worker.log &
worker=$!
trap 'kill "$worker" 2>/dev/null; wait "$worker" 2>/dev/null || true' EXIT INT TERM
echo "worker: pid $worker (log .local/worker.log)"
.venv/bin/gunicorn -c config/gunicorn.conf.py config.wsgi:application
