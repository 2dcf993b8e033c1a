#!/usr/bin/env bash
# Find or start Redis (the shared cache, sessions, rate-limit counters, task broker) and
# write its URL to .local/redis_url, which config/settings.py reads.
#   1. $REDIS_URL if set;  2. a server answering on 127.0.0.1:6379;
#   3. else a project-local redis-server (Debian's) under .local/redis on port 6380.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .local

answers() {  # PING over bash's /dev/tcp: no client needed
  local reply
  exec 3<>"/dev/tcp/127.0.0.1/$1" 2>/dev/null || return 1
  printf 'PING\r\n' >&3; read -r -t 2 reply <&3 || true; exec 3>&-
  [[ "$reply" == "+PONG"* ]]
}

if [ -n "${REDIS_URL:-}" ]; then
  url=$REDIS_URL
elif answers 6379; then
  url="redis://127.0.0.1:6379/0"
else
  if ! command -v redis-server >/dev/null; then
    scripts/ensure_system.sh redis-server
  fi
  mkdir -p .local/redis
  if ! answers 6380; then
    echo "starting a project-local redis-server in .local/redis (port 6380)"
    redis-server --daemonize yes --bind 127.0.0.1 --port 6380 --dir "$PWD/.local/redis" \
      --save "" --appendonly no --logfile "$PWD/.local/redis/redis.log" \
      --pidfile "$PWD/.local/redis/redis.pid"
    for _ in $(seq 50); do answers 6380 && break; sleep 0.1; done
  fi
  url="redis://127.0.0.1:6380/0"
fi
echo "$url" > .local/redis_url
echo "redis: $url"
