#!/usr/bin/env bash
# Install the Debian packages the registry needs, when any is missing.
set -euo pipefail
PKGS="postgresql-15 postgresql-15-postgis-3 libgdal32 libgeos-c1v5 libproj25 $*"
missing=()
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing Debian packages: ${missing[*]}"
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
