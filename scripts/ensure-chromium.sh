#!/usr/bin/env bash
# Installs Debian's chromium for the HTML report test, only if it is missing.
# Playwright's own browser download cannot work here (no network but Debian and
# npm), so the test drives Debian's build through playwright-core instead.
set -euo pipefail

CHROMIUM_BIN="${CHROMIUM_BIN:-/usr/bin/chromium}"

if [ -x "$CHROMIUM_BIN" ]; then
  echo "chromium present: $("$CHROMIUM_BIN" --version 2>/dev/null || echo "$CHROMIUM_BIN")"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-chromium: apt-get not found; install chromium yourself and set CHROMIUM_BIN" >&2
  exit 1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "ensure-chromium: need root (or sudo) to apt-get install chromium" >&2
    exit 1
  fi
fi

# apt's own lock serialises concurrent installs; wait for it rather than failing.
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq
$SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null

if [ ! -x "$CHROMIUM_BIN" ]; then
  echo "ensure-chromium: installed chromium but $CHROMIUM_BIN is missing" >&2
  exit 1
fi
echo "chromium installed: $("$CHROMIUM_BIN" --version 2>/dev/null || echo "$CHROMIUM_BIN")"
