"""gunicorn's settings for `make run` and deploy/registry.service (gunicorn -c this file).

Sync workers, two per core plus one: each holds at most one database connection (kept
CONN_MAX_AGE seconds), so the connections stay bounded by the worker count whatever the
number of clients. Environment: REGISTRY_BIND (127.0.0.1:8000), REGISTRY_WORKERS.
"""

import multiprocessing
import os

bind = os.environ.get("REGISTRY_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("REGISTRY_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
# A survey upload is read by the task worker, not here: requests are short.
timeout = 60
graceful_timeout = 30
# Recycle a worker now and then (jittered so they do not restart together).
max_requests = 5000
max_requests_jitter = 500
# The WSGI module loads the pinyin dictionaries once and freezes them; forked workers
# share those pages.
preload_app = True
accesslog = os.environ.get("REGISTRY_ACCESS_LOG", "-")
errorlog = "-"
forwarded_allow_ips = os.environ.get("REGISTRY_FORWARDED_ALLOW_IPS", "127.0.0.1")
