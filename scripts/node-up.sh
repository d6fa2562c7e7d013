#!/usr/bin/env bash
# Start one agency's nodes from its kit (scripts/node-init.sh) and the channel's
# genesis block (scripts/consortium-genesis.sh): its orderer (joined to the
# channel with osnadmin), its peer (joined), its `correction` chaincode server
# (mutual TLS with the peer: the kit's chaincode server certificate, the peer's
# TLS certificate as client), and the chaincode installed on its peer and
# approved by its own Admin.
# Nothing of another agency is needed but what the genesis block holds.
#
#   scripts/node-up.sh --kit KIT --genesis BLOCK
#
# Returns once the approval has committed (that needs a quorum of orderers: run
# it at every agency; it waits for the others, up to NODE_UP_APPROVE_SECONDS,
# 180 by default). The definition is committed by scripts/consortium-commit.sh.
# State, logs and pids live in KIT/node/; scripts/node-down.sh stops the nodes.
# Already up → says so. Left half up (a failed start) → cleaned and started anew.
#
# Env: CHAINCODE_DIR (<project>/chaincode), CHAINCODE_NODE_MODULES
# (<project>/node_modules), FABRIC_HOME, FABRIC_NODE_LOGGING_SPEC.
set -euo pipefail
LOG_TAG=node-up
# shellcheck source=lib/network-common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/network-common.sh"
# shellcheck source=lib/fabric-nodes.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/fabric-nodes.sh"
# shellcheck source=lib/node-kit.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/node-kit.sh"

CC=correction
GENESIS=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --kit) load_kit "${2:-}"; shift 2 ;;
    --genesis) GENESIS="${2:-}"; shift 2 ;;
    -h | --help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done
[[ -n "${KIT:-}" ]] || die "--kit KIT is required"
[[ -f "$GENESIS" ]] || die "--genesis must name the channel's genesis block (scripts/consortium-genesis.sh)"
CHAINCODE_DIR="${CHAINCODE_DIR:-$ROOT/chaincode}"
CHAINCODE_NODE_MODULES="${CHAINCODE_NODE_MODULES:-$ROOT/node_modules}"
[[ -f "$CHAINCODE_NODE_MODULES/.bin/fabric-chaincode-node" ]] \
  || die "$CHAINCODE_NODE_MODULES/.bin/fabric-chaincode-node not found: run npm install (fabric-shim)"
main_js="$(node -p "require(process.argv[1]).main || 'index.js'" "$CHAINCODE_DIR/package.json")"
[[ -f "$CHAINCODE_DIR/$main_js" ]] || die "$CHAINCODE_DIR/$main_js does not exist — build it first (npm run build)"

if [[ -f "$READY_FILE" ]]; then
  down=()
  for name in "${KIT_NODES[@]}"; do node_running "$name" || down+=("$name"); done
  [[ ${#down[@]} -eq 0 ]] || die "$KIT_AGENCY's nodes were up but ${down[*]} stopped: scripts/node-down.sh --kit $KIT, then node-up again"
  log "$KIT_AGENCY's nodes are already up ($KIT/node)"
  exit 0
fi
if [[ -e "$NETWORK_DIR" ]]; then
  log "found a half-started node in $NETWORK_DIR: stopping it and starting anew"
  for name in "${KIT_NODES[@]}"; do stop_node "$name" || true; done
  rm -rf "$NETWORK_DIR"
fi
for kind in peer peer-chaincode peer-ops orderer orderer-cluster orderer-admin orderer-ops cc-correction; do
  port_in_use "$(kit_port "$kind")" "$KIT_ADDRESS" && die "port $KIT_ADDRESS:$(kit_port "$kind") ($kind) is already in use"
done

umask 077
mkdir -p "$NETWORK_DIR" "$LOG_DIR" "$PID_DIR" "$NODES_DIR" "$CC_DIR" "$CONFIG_DIR"
cp "$GENESIS" "$CONFIG_DIR/$CHANNEL.block"
# What the peer fills the package's connection.json with (network/builders/ccaas/bin/build): its
# chaincode server's address, the TLS CA that server's certificate is checked against, and the
# peer's own TLS certificate and key as the client the server requires.
ccaas_config() {
  node -e '
    const [cc, address, root, cert, key] = process.argv.slice(1);
    const pem = (path) => require("fs").readFileSync(path, "utf8");
    process.stdout.write(JSON.stringify({ [`${cc}_address`]: address, [`${cc}_root_cert`]: pem(root),
      [`${cc}_client_cert`]: pem(cert), [`${cc}_client_key`]: pem(key) }));' \
    "$CC" "$KIT_ADDRESS:$(kit_port cc-correction)" "$KIT/tlsca/tlsca.crt" "$KIT/peer/tls/server.crt" "$KIT/peer/tls/server.key"
}

# shellcheck disable=SC2154 # rc is set inside the trap
trap 'rc=$?; if [[ $rc -ne 0 && ! -f "$READY_FILE" ]]; then warn "node-up failed (exit $rc); logs in $LOG_DIR; scripts/node-down.sh --kit $KIT stops what runs"; fi' EXIT

log "$KIT_AGENCY: starting its orderer and peer on $KIT_ADDRESS (ports $(kit_port peer)…$(kit_port cc-correction))"
OPS_HOST="$KIT_ADDRESS"
start_orderer_node "orderer-$KIT_LOWER" "$NODES_DIR/orderer-$KIT_LOWER" "$KIT_MSP_ID" "$KIT/orderer/msp" "$KIT/orderer/tls" \
  "$KIT_ADDRESS" "$(kit_port orderer)" "$(kit_port orderer-cluster)" "$(kit_port orderer-admin)" "$(kit_port orderer-ops)" \
  "$KIT/tlsca/tlsca.crt"
start_peer_node "peer-$KIT_LOWER" "$NODES_DIR/peer-$KIT_LOWER" "peer.$KIT_HOST" "$KIT_MSP_ID" "$KIT/peer/msp" "$KIT/peer/tls" \
  "$KIT_ADDRESS" "$(kit_port peer)" "$(kit_port peer-chaincode)" "$(kit_port peer-ops)" "$(ccaas_config)"
wait_healthy "orderer-$KIT_LOWER" "$(kit_port orderer-ops)" 60
wait_healthy "peer-$KIT_LOWER" "$(kit_port peer-ops)" 60

log "$KIT_AGENCY: joining its orderer (osnadmin) and its peer to '$CHANNEL'"
retry 5 1 kit_cli osnadmin channel join --channelID "$CHANNEL" --config-block "$CONFIG_DIR/$CHANNEL.block" \
  -o "$KIT_ADDRESS:$(kit_port orderer-admin)" --ca-file "$KIT/tlsca/tlsca.crt" \
  --client-cert "$KIT/users/admin/tls/client.crt" --client-key "$KIT/users/admin/tls/client.key" >"$LOG_DIR/osnadmin-join.log"
retry 5 1 kit_cli peer channel join -b "$CONFIG_DIR/$CHANNEL.block" 2>"$LOG_DIR/peer-join.log"

ccaas_package "$CC_DIR/$CC" "$CC" 1 tls
PACKAGE_ID="$(ccaas_package_id "$CC_DIR/$CC/$CC.tgz")"
log "$KIT_AGENCY: chaincode server '$CC' ($PACKAGE_ID) on $KIT_ADDRESS:$(kit_port cc-correction); installing and approving"
start_chaincode_server "cc-$CC-$KIT_LOWER" "$CHAINCODE_DIR" "$PACKAGE_ID" "$KIT_ADDRESS:$(kit_port cc-correction)" "$KIT_MSP_ID" \
  --chaincode-tls-cert-file "$KIT/chaincode/tls/server.crt" --chaincode-tls-key-file "$KIT/chaincode/tls/server.key" \
  --chaincode-tls-client-cacert-file "$KIT/tlsca/tlsca.crt"
wait_listening "cc-$CC-$KIT_LOWER" "$(kit_port cc-correction)" 30 "$KIT_ADDRESS"
if ! out="$(kit_cli peer lifecycle chaincode install "$CC_DIR/$CC/$CC.tgz" 2>&1)"; then
  grep -q "chaincode already successfully installed" <<<"$out" || die "chaincode install failed: $out"
fi
chaincode_definition_args
approve() {
  kit_cli peer lifecycle chaincode approveformyorg "${KIT_ORDERER_ARGS[@]}" "${DEF[@]}" \
    --package-id "$PACKAGE_ID" --waitForEventTimeout 30s
}
# The approval is ordered once a quorum of the orderers runs: the other agencies may still be starting theirs.
approve_deadline=$(( $(date +%s) + ${NODE_UP_APPROVE_SECONDS:-180} ))
until approve >>"$LOG_DIR/approve.log" 2>&1; do
  (( $(date +%s) < approve_deadline )) || { tail -n 20 "$LOG_DIR/approve.log" >&2; die "approval not ordered within ${NODE_UP_APPROVE_SECONDS:-180}s"; }
  sleep 2
done
date -Is > "$READY_FILE"
log "$KIT_AGENCY is up: orderer $KIT_ADDRESS:$(kit_port orderer), peer $KIT_ADDRESS:$(kit_port peer), '$CC' approved; gateway settings $KIT/gateway.json"
