"""The worker's CPU per request, in process: `python -m bench.cpu_probe [N] [ROUNDS]`.

Requests go through the WSGI application (every middleware, the views, the database and
Redis) on bench_registry, with the bench's settings. Each round times N requests of each
endpoint in turn with the process's CPU clock; the least of the rounds is printed as JSON
(microseconds). On a machine other work saturates, wrk measures the scheduler; the CPU a
request costs the worker is still comparable between endpoints and between commits (the
database's and Redis's own CPU are not in it).
"""

import io
import json
import os
import sys
import time
import urllib.parse

PATHS = {"ping": "/api/v1/ping", "sql1": "/api/v1/sql1", "code": "/api/v1/divisions/520201",
         "cached_search": "/api/v1/divisions?q=" + urllib.parse.quote("钟山")}


def _environ(path: str) -> dict:
    route, _, query = path.partition("?")
    return {"REQUEST_METHOD": "GET", "PATH_INFO": route, "QUERY_STRING": query,
            "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80", "HTTP_HOST": "127.0.0.1",
            "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1",
            "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(b"")}


def main(n: int, rounds: int) -> dict:
    from .common import env
    os.environ.update(env(BENCH="1", CACHE_KEY_PREFIX="bench-cpu"))
    from config.wsgi import application

    def call(path: str) -> str:
        status = []
        b"".join(application(_environ(path), lambda s, h, e=None: status.append(s)))
        return status[0]

    for name, path in PATHS.items():
        if not call(path).startswith("200"):  # and the search's answer is kept from here on
            raise SystemExit(f"{name}: {path} did not answer 200")
    least: dict[str, float] = {}
    for _ in range(rounds):
        for name, path in PATHS.items():
            start = time.process_time()
            for _ in range(n):
                call(path)
            least[name] = min(least.get(name, 1e9), (time.process_time() - start) / n * 1e6)
    out = {"cpu_us": {k: round(v) for k, v in least.items()}, "n": n, "rounds": rounds}
    out["ratios"] = {"cached_search_vs_ping": round(least["cached_search"] / least["ping"], 2),
                     "code_vs_sql1": round(least["code"] / least["sql1"], 2)}
    return out


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:3]]
    print(json.dumps(main(*(args + [250, 8][len(args):]))))
