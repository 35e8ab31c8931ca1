#!/usr/bin/env bash
# Make sure a Docker engine answers, starting one when this is a root Debian machine.
# Idempotent: when an engine already answers it returns at once.
#   DOCKER_HOST set          -> use that engine (remote or custom socket), never start one
#   default socket answers   -> done
#   root on Debian           -> install docker.io (+ debootstrap for base images), start dockerd
#   otherwise                -> explain how to get an engine, exit 1
set -u

LOG=/var/log/dockerd.log
WAIT_S=${REPRO_AUDIT_DOCKER_WAIT_S:-60}

say() { printf 'ensure-docker: %s\n' "$*" >&2; }

engine_answers() {
  command -v docker >/dev/null 2>&1 && timeout 10 docker info >/dev/null 2>&1
}

how_to_get_one() {
  cat >&2 <<'MSG'
ensure-docker: no Docker engine is reachable.
  To get one, either:
    - run this script as root on Debian/Ubuntu (it installs docker.io and starts dockerd
      without a bridge network), or
    - start an engine yourself and make sure `docker info` works for this user, or
    - point DOCKER_HOST at a running engine (unix:///path/docker.sock, tcp://host:2376, ssh://user@host).
  Without an engine, replays can still run unisolated with `--executor local`.
MSG
}

if [ -n "${DOCKER_HOST:-}" ]; then
  # Someone chose an engine explicitly: never start a local one behind their back.
  if engine_answers; then say "engine at DOCKER_HOST=$DOCKER_HOST answers"; exit 0; fi
  say "DOCKER_HOST=$DOCKER_HOST is set but \`docker info\` fails there"
  how_to_get_one
  exit 1
fi

if engine_answers; then
  # Still make sure debootstrap is there when we can install it: base images need it.
  if ! command -v debootstrap >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing debootstrap (needed to build the base image)"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null \
      || say "warning: could not install debootstrap; base images cannot be built here"
  fi
  say "engine on the default socket answers"
  exit 0
fi

if [ "$(id -u)" != 0 ] || ! [ -r /etc/debian_version ] || ! command -v apt-get >/dev/null 2>&1; then
  say "not root on Debian: cannot install or start an engine here"
  how_to_get_one
  exit 1
fi

missing=()
command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  if ! { apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null; }; then
    say "apt-get install ${missing[*]} failed"
    how_to_get_one
    exit 1
  fi
fi

if pgrep -x dockerd >/dev/null 2>&1; then
  say "dockerd is running but not answering yet; waiting for it"
else
  say "starting dockerd without a bridge (containers get network none or host); log: $LOG"
  # No bridge, no iptables: containers may only use `none` or `host` networking here.
  nohup setsid dockerd --bridge=none --iptables=false --ip6tables=false >>"$LOG" 2>&1 </dev/null &
fi

deadline=$(( $(date +%s) + WAIT_S ))
until engine_answers; do
  if [ "$(date +%s)" -ge "$deadline" ]; then
    say "dockerd did not answer within ${WAIT_S}s; last lines of $LOG:"
    tail -n 20 "$LOG" >&2 2>/dev/null || true
    how_to_get_one
    exit 1
  fi
  sleep 1
done
say "engine is up ($(docker version --format '{{.Server.Version}}' 2>/dev/null || echo '?'))"
exit 0
