#!/usr/bin/env bash
# install_pinned_venv NAME VENV REQUIREMENTS COMMAND: a Python tool in a virtual environment of its
# own inside the checkout, from PyPI, exactly as REQUIREMENTS pins it (every dependency listed with
# the SHA-256 of its wheel, installed with `pip install --require-hashes --no-deps`, wheels only).
#
# Does nothing when VENV/bin/COMMAND exists and the venv was made from this very requirements file
# (its SHA-256 is kept in VENV/requirements.sha256); FORCE=1 installs again. Logs as [install-NAME].
# Needs python3 with venv (and pip).
install_pinned_venv() {
  local name="$1" venv="$2" requirements="$3" command="$4"
  local stamp="$venv/requirements.sha256" wanted
  wanted="$(sha256sum "$requirements" | cut -d' ' -f1)"
  if [[ "${FORCE:-0}" != 1 && -x "$venv/bin/$command" && -f "$stamp" && "$(cat "$stamp")" == "$wanted" ]]; then
    printf '[install-%s] already installed in %s\n' "$name" "$venv"
    return 0
  fi
  printf '[install-%s] creating %s\n' "$name" "$venv"
  python3 -m venv --clear "$venv"
  printf '[install-%s] installing the pinned wheels (hashes checked)\n' "$name"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input \
    --require-hashes --only-binary=:all: --no-deps -r "$requirements"
  echo "$wanted" >"$stamp"
  printf '[install-%s] installed in %s\n' "$name" "$venv"
}
