#!/bin/sh
# Installs Debian's Chromium for the browser tests (test/browser/) when it is missing.
# playwright-core drives it through executablePath; `npx playwright install` cannot download here.
set -eu
if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
  SUDO=
elif command -v sudo >/dev/null 2>&1; then
  SUDO=sudo
else
  echo "ensure-chromium: chromium is missing and this user cannot run apt-get (not root, no sudo)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get install -y chromium || {
  $SUDO apt-get update
  $SUDO apt-get install -y chromium
}
command -v chromium >/dev/null 2>&1 || { echo "ensure-chromium: chromium still not on PATH after apt-get" >&2; exit 1; }
chromium --version
