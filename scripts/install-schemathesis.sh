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
# shellcheck source=lib/pinned-venv.sh
source "$ROOT/scripts/lib/pinned-venv.sh"
VENV="${SCHEMATHESIS_VENV:-$ROOT/.tools/schemathesis-venv}"
[[ "${1:-}" == "--force" ]] && export FORCE=1

install_pinned_venv schemathesis "$VENV" "$ROOT/scripts/schemathesis-requirements.txt" st
"$VENV/bin/st" --version
