#!/usr/bin/env bash
# Installs Synapse (PyPI matrix-synapse) into a virtualenv for hearth's Matrix tests.
# Idempotent: does nothing when the pinned version is already there.
# The venv lives at $HEARTH_SYNAPSE_VENV, or target/synapse-venv in this repository.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
venv="${HEARTH_SYNAPSE_VENV:-$repo/target/synapse-venv}"
version="1.163.2"

installed=""
if [ -x "$venv/bin/python" ]; then
  installed="$("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("matrix-synapse"))' 2>/dev/null || true)"
fi
if [ "$installed" = "$version" ]; then
  echo "synapse $version is ready in $venv"
  exit 0
fi

if ! command -v python3 >/dev/null 2>&1 || ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    apt-get install -y -qq python3 python3-venv
  else
    echo "the Matrix tests need python3 with venv support (Debian: apt-get install python3-venv)" >&2
    exit 1
  fi
fi

echo "installing synapse $version into $venv"
rm -rf "$venv"
mkdir -p "$(dirname "$venv")"
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check "matrix-synapse==$version"
echo "synapse $version is ready in $venv"
