#!/usr/bin/env bash
# Commit the `correction` chaincode definition on the channel, as one agency's
# Admin, once a majority of the agencies has approved it (each with
# scripts/node-up.sh). Endorsed by the peers of the approving agencies, dialled
# at the addresses of their public definitions.
#
#   scripts/consortium-commit.sh --kit KIT PUBLIC_DIR…
#
# KIT is the committing agency's own kit; PUBLIC_DIR… the public definitions of
# the agencies (its own among them or not). Waits for the majority up to
# COMMIT_WAIT_SECONDS (120). Already committed → says so.
set -euo pipefail
LOG_TAG=consortium-commit
# shellcheck source=lib/network-common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/network-common.sh"
# shellcheck source=lib/fabric-nodes.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/fabric-nodes.sh"
# shellcheck source=lib/node-kit.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/node-kit.sh"

PUBLICS=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --kit) load_kit "${2:-}"; shift 2 ;;
    -h | --help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) die "unknown option '$1' (see --help)" ;;
    *) PUBLICS+=("$1"); shift ;;
  esac
done
[[ -n "${KIT:-}" ]] || die "--kit KIT is required"
[[ ${#PUBLICS[@]} -ge 1 ]] || die "give the public definition folders of the agencies"
chaincode_definition_args

if kit_cli peer lifecycle chaincode querycommitted --channelID "$CHANNEL" --name correction >/dev/null 2>&1; then
  log "'correction' is already committed on '$CHANNEL'"
  exit 0
fi

# The peer (address, TLS CA) of each agency, by MSP ID, from its public definition.
declare -A PEER_ADDRESS PEER_TLSCA
for pub in "${PUBLICS[@]}"; do
  [[ -f "$pub/definition.json" ]] || die "$pub has no definition.json"
  read -r msp address < <(node -e '
    const d = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    process.stdout.write(`${d.mspId} ${d.peer.address}\n`);' "$pub/definition.json")
  PEER_ADDRESS[$msp]="$address"
  PEER_TLSCA[$msp]="$(cd "$pub" && pwd)/msp/tlscacerts/tlsca.crt"
done

total=${#AGENCIES[@]}
deadline=$(( $(date +%s) + ${COMMIT_WAIT_SECONDS:-120} ))
while :; do
  readiness="$(kit_cli peer lifecycle chaincode checkcommitreadiness "${DEF[@]}" --output json 2>&1 || true)"
  mapfile -t approved < <(approving_msps <<<"$readiness")
  (( ${#approved[@]} * 2 > total )) && break
  (( $(date +%s) < deadline )) || die "no majority approved within ${COMMIT_WAIT_SECONDS:-120}s: $readiness"
  sleep 1
done
log "approved by ${approved[*]}: committing"

peers=()
for msp in "${approved[@]}"; do
  [[ -n "${PEER_ADDRESS[$msp]:-}" ]] || continue
  peers+=(--peerAddresses "${PEER_ADDRESS[$msp]}" --tlsRootCertFiles "${PEER_TLSCA[$msp]}")
done
endorsers=$(( ${#peers[@]} / 4 ))
(( endorsers * 2 > total )) || die "the public definitions of a majority of the approving agencies are needed (have $endorsers of ${approved[*]})"
retry 3 2 kit_cli peer lifecycle chaincode commit "${KIT_ORDERER_ARGS[@]}" "${DEF[@]}" "${peers[@]}" \
  --waitForEventTimeout 60s
log "'correction' committed on '$CHANNEL' (endorsed by the peers of $endorsers agencies)"
