#!/usr/bin/env bash
# Build the `corrections` channel's genesis block from the agencies' public
# definitions alone (the public/ folders scripts/node-init.sh makes):
#
#   scripts/consortium-genesis.sh --out DIR PUBLIC_DIR…
#
# Writes DIR/configtx.yaml (SmartBFT, capability V3_0, one consenter per agency,
# each organization's orderer endpoint and anchor peer, the policies of
# network/configtx.yaml), DIR/orgs/<AGENCY>/ (a copy of each definition it
# was built from) and DIR/corrections.block. Every agency may run it: the
# same definitions give the same channel configuration.
# Refuses a definition folder holding a private key, two definitions of one
# agency, a missing agency, and a DIR that already holds a block.
set -euo pipefail
LOG_TAG=consortium-genesis
# shellcheck source=lib/network-common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/network-common.sh"

usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; }

OUT="" PUBLICS=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --out) OUT="${2:-}"; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    -*) die "unknown option '$1' (see --help)" ;;
    *) PUBLICS+=("$1"); shift ;;
  esac
done
[[ -n "$OUT" ]] || die "--out DIR is required"
[[ ${#PUBLICS[@]} -ge 1 ]] || die "give the public definition folder of every agency"
[[ -e "$OUT/$CHANNEL.block" ]] && die "$OUT already holds $CHANNEL.block; use a new folder"
[[ -x "$FABRIC_BIN/configtxgen" ]] || die "configtxgen not found in $FABRIC_BIN (npm run fabric:install)"
[[ "$OUT" != *[[:space:]\"\\]* ]] || die "--out must not contain spaces, quotes or backslashes"

umask 077
mkdir -p "$OUT/orgs"
seen=" "
for pub in "${PUBLICS[@]}"; do
  [[ -f "$pub/definition.json" ]] || die "$pub has no definition.json: not a public definition folder"
  if grep -rlq -- "PRIVATE KEY" "$pub"; then
    die "$pub holds a private key ($(grep -rl -- "PRIVATE KEY" "$pub" | head -n1)): refusing it; send public/ only"
  fi
  agency="$(node -e 'process.stdout.write(String(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).agency))' "$pub/definition.json")"
  agency_index "$agency" >/dev/null
  [[ "$seen" != *" $agency "* ]] || die "two definitions of $agency"
  seen+="$agency "
  rm -rf "${OUT:?}/orgs/$agency"
  cp -R "$pub" "$OUT/orgs/$agency"
done

dirs=() missing=()
for a in "${AGENCIES[@]}"; do
  if [[ "$seen" == *" $a "* ]]; then dirs+=("$OUT/orgs/$a"); else missing+=("$a"); fi
done
# The contract and the collections name the four agencies: the channel starts with all four.
[[ ${#missing[@]} -eq 0 ]] || die "no definition of ${missing[*]}: the channel is made with every agency's"
node "$ROOT/scripts/lib/consortium-configtx.mjs" "$ROOT/network/configtx.yaml" "$OUT/configtx.yaml" "${dirs[@]}" \
  || die "could not write configtx.yaml from the definitions"
FABRIC_CFG_PATH="$OUT" "$FABRIC_BIN/configtxgen" -configPath "$OUT" -profile Consortium -channelID "$CHANNEL" \
  -outputBlock "$OUT/$CHANNEL.block" >"$OUT/configtxgen.log" 2>&1 \
  || { cat "$OUT/configtxgen.log" >&2; die "configtxgen failed"; }
log "genesis block of '$CHANNEL' for ${seen# }from ${#dirs[@]} definitions: $OUT/$CHANNEL.block"
