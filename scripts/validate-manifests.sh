#!/usr/bin/env bash
# Validate every Kubernetes manifest under deploy/kubernetes (or the folder given) with
# kubernetes-validate --strict against the pinned Kubernetes version: each document of each
# *.yaml file but the kustomization.yaml files, on its own (the overlays' patches are whole
# resources too). Fails on any error, and on any warning, such as a kind it has no schema for.
#
#   scripts/validate-manifests.sh [DIR]
# Env: KUBERNETES_VALIDATE_VENV (default <project>/.tools/kubernetes-validate-venv, made by
#      scripts/install-kubernetes-validate.sh), KUBERNETES_VERSION (default 1.33.0)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${KUBERNETES_VALIDATE_VENV:-$ROOT/.tools/kubernetes-validate-venv}"
VERSION="${KUBERNETES_VERSION:-1.33.0}"
DIR="${1:-$ROOT/deploy/kubernetes}"
VALIDATE="$VENV/bin/kubernetes-validate"

[[ -x "$VALIDATE" ]] || { echo "validate-manifests: $VALIDATE not found: run scripts/install-kubernetes-validate.sh" >&2; exit 2; }
mapfile -t files < <(find "$DIR" -name '*.yaml' ! -name kustomization.yaml | sort)
[[ ${#files[@]} -gt 0 ]] || { echo "validate-manifests: no manifests under $DIR" >&2; exit 2; }

status=0
output="$("$VALIDATE" --strict --kubernetes-version "$VERSION" "${files[@]}" 2>&1)" || status=$?
printf '%s\n' "$output"
if [[ $status -eq 0 ]] && grep -q '^WARN' <<<"$output"; then
  echo "validate-manifests: warnings count as failures" >&2
  status=1
fi
if [[ $status -eq 0 ]]; then
  echo "validate-manifests: $(grep -c ' passed for resource ' <<<"$output") documents in ${#files[@]} files valid against Kubernetes $VERSION (--strict)"
fi
exit "$status"
