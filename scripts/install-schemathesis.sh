#!/usr/bin/env bash
# Install Schemathesis into a virtual environment inside the checkout
# (.tools/schemathesis-venv), from PyPI, exactly as pinned with hashes in
# scripts/schemathesis-requirements.txt (every dependency listed, each wheel's
# SHA-256 checked). `npm run schemathesis` runs its `st`.
#
# Does nothing when the venv already holds what the requirements file names.
# Needs python3 with venv (and pip).
#
#   scripts/install-schemathesis.sh           install if missing or changed
#   scripts/install-schemathesis.sh --force   install again
# Env: SCHEMATHESIS_VENV (default <project>/.tools/schemathesis-venv)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${SCHEMATHESIS_VENV:-$ROOT/.tools/schemathesis-venv}"
REQUIREMENTS="$ROOT/scripts/schemathesis-requirements.txt"
STAMP="$VENV/requirements.sha256"

log() { printf '[install-schemathesis] %s\n' "$*"; }

wanted="$(sha256sum "$REQUIREMENTS" | cut -d' ' -f1)"
if [[ "${1:-}" != "--force" && -x "$VENV/bin/st" && -f "$STAMP" && "$(cat "$STAMP")" == "$wanted" ]]; then
  log "already installed: $("$VENV/bin/st" --version)"
  exit 0
fi

log "creating $VENV"
python3 -m venv --clear "$VENV"
log "installing the pinned wheels (hashes checked)"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-input \
  --require-hashes --only-binary=:all: --no-deps -r "$REQUIREMENTS"
echo "$wanted" >"$STAMP"
log "installed: $("$VENV/bin/st" --version)"
