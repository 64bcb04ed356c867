#!/bin/sh
# Install the Debian packages the app and its browser tests need (no-op when present).
set -e
PKGS="chromium gettext fonts-dejavu-core libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 poppler-utils"
command -v npm >/dev/null 2>&1 || PKGS="$PKGS nodejs npm"
dpkg -s $PKGS >/dev/null 2>&1 && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "Missing Debian packages ($PKGS); install them with: sudo apt-get install $PKGS" >&2
  exit 1
fi
apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $PKGS >/dev/null
