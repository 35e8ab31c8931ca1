#!/usr/bin/env bash
# Regenerates the hash-locked requirements of the project virtualenv from
# scripts/python/server-requirements.in (uv's resolver, installed on demand).
set -euo pipefail
cd "$(dirname "$0")/python"
command -v uv >/dev/null 2>&1 || python3 -m pip install --quiet uv
uv pip compile server-requirements.in --generate-hashes --python-version 3.11 \
  --python-platform x86_64-manylinux_2_28 -o server-requirements.lock
