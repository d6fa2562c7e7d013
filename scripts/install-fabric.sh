#!/usr/bin/env bash
# Build Hyperledger Fabric's commands (peer, orderer, configtxgen, cryptogen,
# osnadmin) from the Go module proxy into .tools/fabric/bin, at the release
# pinned by network/fabric-tools/go.mod (+ go.sum). Also copies Fabric's
# default core.yaml / orderer.yaml into .tools/fabric/config; the network
# scripts override them with environment variables.
#
# Does nothing when that version is already installed. Needs only `go`
# (>= the version in network/fabric-tools/go.mod) and the Go module proxy.
#
#   scripts/install-fabric.sh           install if missing
#   scripts/install-fabric.sh --force   rebuild even if installed
# Env: FABRIC_HOME (default <project>/.tools/fabric)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS_MODULE="$ROOT/network/fabric-tools"
FABRIC_HOME="${FABRIC_HOME:-$ROOT/.tools/fabric}"
BIN="$FABRIC_HOME/bin"
CONFIG="$FABRIC_HOME/config"
STAMP="$FABRIC_HOME/VERSION"
COMMANDS=(peer orderer configtxgen cryptogen osnadmin)
# Release name shown by `peer version`; must match the pin in go.mod.
FABRIC_RELEASE="3.1.1"

force=0
[[ "${1:-}" == "--force" ]] && force=1

log() { printf '[install-fabric] %s\n' "$*"; }
die() { printf '[install-fabric] ERROR: %s\n' "$*" >&2; exit 1; }

module_version="$(awk '$1 == "require" && $2 == "github.com/hyperledger/fabric" { print $3 }' "$TOOLS_MODULE/go.mod")"
[[ -n "$module_version" ]] || die "cannot read the Fabric version from $TOOLS_MODULE/go.mod"
commit="${module_version##*-}"
wanted="fabric $FABRIC_RELEASE $module_version"

installed() {
  [[ -f "$STAMP" && "$(cat "$STAMP")" == "$wanted" ]] || return 1
  local c
  for c in "${COMMANDS[@]}"; do [[ -x "$BIN/$c" ]] || return 1; done
  [[ -f "$CONFIG/core.yaml" && -f "$CONFIG/orderer.yaml" ]] || return 1
}

if [[ $force -eq 0 ]] && installed; then
  log "Fabric $FABRIC_RELEASE ($module_version) already installed in $BIN"
  exit 0
fi

command -v go >/dev/null || die "go is not installed (need Go >= $(awk '$1 == "go" { print $2 }' "$TOOLS_MODULE/go.mod"))"

start=$(date +%s)
log "building Fabric $FABRIC_RELEASE ($module_version) with $(go version | awk '{print $3}')"
log "commands: ${COMMANDS[*]} -> $BIN"
log "(a cold build downloads ~100 modules and compiles for a few minutes; later builds reuse the Go caches)"

mkdir -p "$FABRIC_HOME"
tmp_bin="$(mktemp -d "$FABRIC_HOME/bin.tmp.XXXXXX")"
trap 'rm -rf "$tmp_bin"' EXIT

pkgs=()
for c in "${COMMANDS[@]}"; do pkgs+=("github.com/hyperledger/fabric/cmd/$c"); done
ldflags="-X github.com/hyperledger/fabric/common/metadata.Version=$FABRIC_RELEASE"
ldflags+=" -X github.com/hyperledger/fabric/common/metadata.CommitSHA=$commit"

(
  cd "$TOOLS_MODULE"
  # -mod=readonly: build exactly what go.mod/go.sum pin, never rewrite them.
  GOBIN="$tmp_bin" CGO_ENABLED=0 go install -mod=readonly -ldflags "$ldflags" "${pkgs[@]}"
)

fabric_dir="$(cd "$TOOLS_MODULE" && go list -mod=readonly -m -f '{{.Dir}}' github.com/hyperledger/fabric)"
[[ -d "$fabric_dir/sampleconfig" ]] || die "Fabric sources not found in the module cache ($fabric_dir)"

rm -rf "$BIN" "$CONFIG"
mv "$tmp_bin" "$BIN"
chmod 755 "$BIN"
mkdir -p "$CONFIG"
cp "$fabric_dir/sampleconfig/core.yaml" "$fabric_dir/sampleconfig/orderer.yaml" "$CONFIG/"
chmod u+w "$CONFIG"/*.yaml
echo "$wanted" > "$STAMP"

log "installed in $(( $(date +%s) - start ))s:"
"$BIN/peer" version | sed 's/^/    /'
