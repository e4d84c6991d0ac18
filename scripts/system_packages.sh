#!/usr/bin/env bash
# The Debian packages PeerPath needs outside Python and npm: Chromium for the browser
# tests, DejaVu fonts, and Pango with HarfBuzz's subsetter for WeasyPrint's PDFs.
# Installs what is missing when run as root; otherwise says what to install.
# Usage: scripts/system_packages.sh [--with-browser]
set -euo pipefail
need=()
if [ "${1:-}" = "--with-browser" ]; then
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
fi
fc-list 2>/dev/null | grep -qi dejavu || need+=(fonts-dejavu-core)
shared_libs=$(ldconfig -p 2>/dev/null || /sbin/ldconfig -p)
grep -q 'libpangoft2-1.0.so.0' <<<"$shared_libs" || need+=(libpango-1.0-0 libpangoft2-1.0-0)
grep -q 'libharfbuzz-subset.so.0' <<<"$shared_libs" || need+=(libharfbuzz-subset0)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = "0" ]; then
  echo "Installing system packages: ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
else
  echo "PeerPath needs these system packages: sudo apt-get install ${need[*]}" >&2
  exit 1
fi
