#!/usr/bin/env bash
# Install kubernetes-validate (the Kubernetes JSON schemas of every release it knows, bundled:
# it validates offline) into a virtual environment inside the checkout
# (.tools/kubernetes-validate-venv), from PyPI, exactly as pinned with hashes in
# scripts/kubernetes-validate-requirements.txt. `npm run test:manifests` runs its
# `kubernetes-validate` on deploy/kubernetes.
#
# Does nothing when the venv already holds what the requirements file names.
# Needs python3 with venv (and pip).
#
#   scripts/install-kubernetes-validate.sh           install if missing or changed
#   scripts/install-kubernetes-validate.sh --force   install again
# Env: KUBERNETES_VALIDATE_VENV (default <project>/.tools/kubernetes-validate-venv)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=lib/pinned-venv.sh
source "$ROOT/scripts/lib/pinned-venv.sh"
VENV="${KUBERNETES_VALIDATE_VENV:-$ROOT/.tools/kubernetes-validate-venv}"
[[ "${1:-}" == "--force" ]] && export FORCE=1

install_pinned_venv kubernetes-validate "$VENV" "$ROOT/scripts/kubernetes-validate-requirements.txt" kubernetes-validate
"$VENV/bin/kubernetes-validate" --version
