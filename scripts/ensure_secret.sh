#!/usr/bin/env bash
# The production secret key, made once under .local/ (mode 600) when the operator gave none.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .local
if [ ! -s .local/secret_key ]; then
  umask 077
  python3 -c 'import secrets; print(secrets.token_urlsafe(64))' > .local/secret_key
  echo "made a secret key in .local/secret_key"
fi
