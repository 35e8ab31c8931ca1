#!/usr/bin/env bash
# Installs Debian's image registry (docker-registry: distribution 2.8, /usr/bin/docker-registry)
# for the swarm executor's tests and bench, only if it is missing. They start their own
# registry on 127.0.0.1 with a temporary config (test/support/registry.ts); the package's
# system service (which would listen on every interface, port 5000) is stopped and disabled.
# Idempotent: returns at once when the binary is there. Not root on Debian: says so, exit 1.
set -u

BIN=/usr/bin/docker-registry
say() { printf 'ensure-registry: %s\n' "$*" >&2; }

if [ -x "$BIN" ]; then
  say "docker-registry present"
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! [ -r /etc/debian_version ] || ! command -v apt-get >/dev/null 2>&1; then
  say "not root on Debian: cannot install docker-registry; the swarm tests will be skipped"
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
if ! { apt-get -o DPkg::Lock::Timeout=600 update -qq &&
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends docker-registry >/dev/null; }; then
  say "apt-get install docker-registry failed; the swarm tests will be skipped"
  exit 1
fi
if command -v systemctl >/dev/null 2>&1; then
  systemctl disable --now docker-registry >/dev/null 2>&1 || true
fi
[ -x "$BIN" ] || { say "installed docker-registry but $BIN is missing"; exit 1; }
say "docker-registry installed"
