#!/usr/bin/env bash
# Bring up the four-agency Fabric network natively (no Docker) on 127.0.0.1:
# 4 orderers (SmartBFT, or Raft with ORDERER_TYPE=raft), 4 peers, channel
# `corrections`, chaincodes `correction` (CHAINCODE_DIR) and `baseline`
# (test/bench/baseline-chaincode) as services, one chaincode server per
# agency and chaincode. Returns once a baseline Put has committed and the
# correction contract answers Ping on every peer.
#
# Everything lives in NETWORK_DIR (default <project>/.network): crypto, ledgers,
# logs/, pids/, and the client settings gateways/<AGENCY>.json, peers.json,
# orderers.json, env.sh.
#
# Already up → says so. Up but some processes dead → restarts just those.
# Half-built state (a crash or failure during bring-up) → cleaned and rebuilt.
#
#   scripts/network-up.sh                      bring up / reconcile
#   scripts/network-up.sh --restart-chaincode  on a running network: restart the
#       chaincode servers so they load freshly built contract code (same package
#       IDs, no redeploy; the definition, e.g. collections, is unchanged)
#   scripts/network-up.sh --upgrade-chaincode AGENCY…  on a running network: the
#       next sequence of the correction contract (CHAINCODE_DIR) approved by the
#       agencies named, each with its own admin; committed once a majority approved
#       (else exit 3, the approvals kept), then the chaincode servers restarted
#   scripts/network-up.sh --approve-chaincode AGENCY…  the agencies named approve
#       the committed definition (those that did not before it was committed)
#
# Env:
#   ORDERER_TYPE            bft (default) | raft
#   FABRIC_PORT_BASE        7000: agency i uses BASE+100*(i+1)+{1..22}
#   CHAINCODE_DIR           <project>/chaincode (package.json "main" exports `contracts`)
#   CHAINCODE_NODE_MODULES  <project>/node_modules (has .bin/fabric-chaincode-node)
#   FABRIC_NODE_LOGGING_SPEC  log spec of peers and orderers (default grpc=warning:info)
#   NETWORK_DIR, FABRIC_HOME
set -euo pipefail
T0=$(date +%s)
REQUESTED_ORDERER_TYPE="${ORDERER_TYPE:-}"
REQUESTED_PORT_BASE="${FABRIC_PORT_BASE:-}"
REQUESTED_CHAINCODE_DIR="${CHAINCODE_DIR:-}"
# shellcheck source=lib/network-common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/network-common.sh"
# shellcheck source=lib/fabric-nodes.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/fabric-nodes.sh"
# shellcheck source=lib/openssl-ca.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/openssl-ca.sh"

abspath() { (cd "$1" && pwd); }

# ---------------------------------------------------------------------------
# Settings of this network (saved in network.env for restarts, down, status)
# ---------------------------------------------------------------------------
init_settings() {
  ORDERER_TYPE="$(tr '[:upper:]' '[:lower:]' <<<"${ORDERER_TYPE:-bft}")"
  case "$ORDERER_TYPE" in
    bft) PROFILE=CorrectionsBFT ;;
    raft | etcdraft) ORDERER_TYPE=raft; PROFILE=CorrectionsRaft ;;
    *) die "ORDERER_TYPE must be bft or raft, not '$ORDERER_TYPE'" ;;
  esac
  CHAINCODE_DIR="${CHAINCODE_DIR:-$ROOT/chaincode}"
  [[ -d "$CHAINCODE_DIR" ]] || die "CHAINCODE_DIR $CHAINCODE_DIR does not exist"
  CHAINCODE_DIR="$(abspath "$CHAINCODE_DIR")"
  BASELINE_DIR="$ROOT/test/bench/baseline-chaincode"
  CHAINCODE_NODE_MODULES="${CHAINCODE_NODE_MODULES:-$ROOT/node_modules}"
  [[ -d "$CHAINCODE_NODE_MODULES" ]] || die "$CHAINCODE_NODE_MODULES does not exist: run npm install (or set CHAINCODE_NODE_MODULES)"
  CHAINCODE_NODE_MODULES="$(abspath "$CHAINCODE_NODE_MODULES")"
}

save_settings() {
  mkdir -p "$NETWORK_DIR"
  {
    echo "# written by scripts/network-up.sh; read by network-{up,down,status}.sh"
    printf 'ORDERER_TYPE=%q\nPROFILE=%q\nFABRIC_PORT_BASE=%q\n' "$ORDERER_TYPE" "$PROFILE" "$FABRIC_PORT_BASE"
    printf 'CHAINCODE_DIR=%q\nBASELINE_DIR=%q\nCHAINCODE_NODE_MODULES=%q\n' "$CHAINCODE_DIR" "$BASELINE_DIR" "$CHAINCODE_NODE_MODULES"
    local cc var
    for cc in "${CHAINCODES[@]}"; do
      var="PACKAGE_ID_${cc}"
      if [[ -n "${!var:-}" ]]; then printf '%s=%q\n' "$var" "${!var}"; fi
      var="SEQUENCE_${cc}"
      if [[ -n "${!var:-}" ]]; then printf '%s=%q\n' "$var" "${!var}"; fi
    done
  } > "$STATE_FILE"
}

ORD=()
set_orderer_args() { ORD=(-o "127.0.0.1:$(port_of "$1" orderer)" --tls --cafile "$(tlsca_cert "$1")"); }

# ---------------------------------------------------------------------------
# Crypto material and the channel genesis block
# ---------------------------------------------------------------------------
issue_identity() { # issue_identity AGENCY NAME: a client identity from the agency's CA
  local agency="$1" name="$2" domain org dir cn
  domain="$(agency_domain "$agency")"; org="$(org_dir "$agency")"
  dir="$(user_dir "$agency" "$name")/msp"; cn="$name@$domain"
  mkdir -p "$dir"/{signcerts,keystore,cacerts,tlscacerts,admincerts}
  cp "$org"/msp/cacerts/* "$dir/cacerts/"
  cp "$org"/msp/tlscacerts/* "$dir/tlscacerts/"
  cp "$(user_dir "$agency" User1)/msp/config.yaml" "$dir/config.yaml"
  ca_issue "$org/ca/priv_sk" "$org/ca/ca.$domain-cert.pem" "$dir/keystore/priv_sk" "$dir/signcerts/$cn-cert.pem" \
    "/C=US/ST=California/L=San Francisco/OU=client/CN=$cn" sign
}

generate_crypto() {
  log "generating crypto material (cryptogen + openssl)"
  "$FABRIC_BIN/cryptogen" generate --config="$ROOT/network/crypto/peer-orgs.yaml" --output="$CRYPTO_DIR" >/dev/null
  local a d
  for a in "${AGENCIES[@]}"; do
    d="$(agency_domain "$a")"
    mkdir -p "$CRYPTO_DIR/ordererOrganizations/$d"
    cp -R "$CRYPTO_DIR/peerOrganizations/$d/ca" "$CRYPTO_DIR/peerOrganizations/$d/tlsca" \
      "$CRYPTO_DIR/ordererOrganizations/$d/"
  done
  "$FABRIC_BIN/cryptogen" extend --config="$ROOT/network/crypto/orderer-nodes.yaml" --input="$CRYPTO_DIR" >/dev/null
  for a in "${AGENCIES[@]}"; do issue_identity "$a" gateway; done
}

render_configtx() {
  local content a
  content="$(<"$ROOT/network/configtx.yaml")"
  content="${content//'${CRYPTO}'/"$CRYPTO_DIR"}"
  for a in "${AGENCIES[@]}"; do
    content="${content//"\${${a}_ORDERER_PORT}"/"$(port_of "$a" orderer)"}"
    content="${content//"\${${a}_CLUSTER_PORT}"/"$(port_of "$a" orderer-cluster)"}"
    content="${content//"\${${a}_PEER_PORT}"/"$(port_of "$a" peer)"}"
  done
  [[ "$content" != *'${'* ]] || die "configtx.yaml has placeholders left: $(grep -o '\${[A-Z_]*}' <<<"$content" | sort -u | tr '\n' ' ')"
  mkdir -p "$CONFIG_DIR"
  printf '%s\n' "$content" > "$CONFIG_DIR/configtx.yaml"
}

generate_genesis() {
  log "channel genesis block: profile $PROFILE, channel $CHANNEL"
  render_configtx
  FABRIC_CFG_PATH="$CONFIG_DIR" "$FABRIC_BIN/configtxgen" -configPath "$CONFIG_DIR" -profile "$PROFILE" \
    -channelID "$CHANNEL" -outputBlock "$CONFIG_DIR/$CHANNEL.block" >"$LOG_DIR/configtxgen.log" 2>&1 \
    || { cat "$LOG_DIR/configtxgen.log" >&2; die "configtxgen failed"; }
}

# ---------------------------------------------------------------------------
# Client settings: gateways/<AGENCY>.json, peers.json, orderers.json, env.sh
# ---------------------------------------------------------------------------
write_client_settings() {
  mkdir -p "$NETWORK_DIR/gateways"
  local a lines=()
  for a in "${AGENCIES[@]}"; do
    lines+=("$a|$(agency_msp "$a")|$(agency_domain "$a")|$(port_of "$a" peer)|$(port_of "$a" peer-ops)|$(port_of "$a" orderer)|$(port_of "$a" orderer-admin)|$(port_of "$a" orderer-ops)")
  done
  printf '%s\n' "${lines[@]}" | NETWORK_DIR="$NETWORK_DIR" CRYPTO_DIR="$CRYPTO_DIR" CHANNEL="$CHANNEL" node -e '
    const fs = require("fs"), path = require("path");
    const { NETWORK_DIR, CRYPTO_DIR, CHANNEL } = process.env;
    const rows = fs.readFileSync(0, "utf8").trim().split("\n").map((l) => l.split("|"));
    const write = (f, v) => fs.writeFileSync(path.join(NETWORK_DIR, f), JSON.stringify(v, null, 2) + "\n");
    const peers = [], orderers = [];
    for (const [agency, mspId, domain, peerPort, peerOps, ordPort, ordAdmin, ordOps] of rows) {
      const org = path.join(CRYPTO_DIR, "peerOrganizations", domain);
      const tlsCaCertPath = path.join(org, "tlsca", `tlsca.${domain}-cert.pem`);
      const identity = (name) => {
        const msp = path.join(org, "users", `${name}@${domain}`, "msp");
        return { name, certPath: path.join(msp, "signcerts", `${name}@${domain}-cert.pem`),
                 keyPath: path.join(msp, "keystore", "priv_sk"), mspDir: msp };
      };
      const gateway = identity("gateway");
      write(`gateways/${agency}.json`, {
        agency, mspId,
        peerEndpoint: `127.0.0.1:${peerPort}`,
        peerHostAlias: `peer0.${domain}`,
        tlsCaCertPath,
        certPath: gateway.certPath,
        keyPath: gateway.keyPath,
        channel: CHANNEL,
        chaincode: "correction",
        users: ["User1", "User2", "User3", "Admin"].map(identity),
      });
      peers.push({ agency, mspId, name: `peer0.${domain}`, address: `127.0.0.1:${peerPort}`,
        hostAlias: `peer0.${domain}`, tlsCaCertPath, adminMspDir: identity("Admin").mspDir,
        operationsAddress: `127.0.0.1:${peerOps}` });
      orderers.push({ agency, mspId, name: `orderer0.${domain}`, address: `127.0.0.1:${ordPort}`,
        hostAlias: `orderer0.${domain}`, tlsCaCertPath, adminAddress: `127.0.0.1:${ordAdmin}`,
        operationsAddress: `127.0.0.1:${ordOps}` });
    }
    write("peers.json", peers);
    write("orderers.json", orderers);
  '

  {
    cat <<EOF
# Generated by scripts/network-up.sh. Use the Fabric CLI as an agency's Admin:
#   source $NETWORK_DIR/env.sh JUSTICE
#   peer chaincode query -C \$CHANNEL -n baseline -c '{"Args":["Get","network-up"]}'
#   peer chaincode invoke \$ORDERER_ARGS -C \$CHANNEL -n baseline -c '{"Args":["Put","k","v"]}'
#   (invoke: add --peerAddresses/--tlsRootCertFiles of 3 agencies, see peers.json)
if [ -z "\${1:-}" ]; then echo "usage: source $NETWORK_DIR/env.sh COURT|PROCURATORATE|POLICE|JUSTICE" >&2; return 1 2>/dev/null || exit 1; fi
case "\$(printf '%s' "\$1" | tr '[:lower:]' '[:upper:]')" in
EOF
    for a in "${AGENCIES[@]}"; do
      cat <<EOF
  $a)
    export CORE_PEER_LOCALMSPID=$(agency_msp "$a")
    export CORE_PEER_MSPCONFIGPATH="$(admin_msp "$a")"
    export CORE_PEER_ADDRESS=127.0.0.1:$(port_of "$a" peer)
    export CORE_PEER_TLS_ROOTCERT_FILE="$(tlsca_cert "$a")"
    export ORDERER_ADDRESS=127.0.0.1:$(port_of "$a" orderer)
    export ORDERER_CA="$(tlsca_cert "$a")"
    ;;
EOF
    done
    cat <<EOF
  *) echo "unknown agency '\$1' (COURT, PROCURATORATE, POLICE, JUSTICE)" >&2; return 1 2>/dev/null || exit 1 ;;
esac
export PATH="$FABRIC_BIN:\$PATH"
export FABRIC_CFG_PATH="$FABRIC_CONFIG"
export CORE_PEER_TLS_ENABLED=true
export FABRIC_LOGGING_SPEC="\${FABRIC_LOGGING_SPEC:-warning}"
export CHANNEL=$CHANNEL
export ORDERER_ARGS="-o \$ORDERER_ADDRESS --tls --cafile \$ORDERER_CA"
EOF
  } > "$NETWORK_DIR/env.sh"
}

# ---------------------------------------------------------------------------
# Nodes
# ---------------------------------------------------------------------------
start_orderer() {
  local a="$1" dir
  dir="$(orderer_dir "$a")"
  start_orderer_node "orderer-$(agency_lower "$a")" "$NODES_DIR/orderer-$(agency_lower "$a")" "$(agency_msp "$a")" \
    "$dir/msp" "$dir/tls" 127.0.0.1 "$(port_of "$a" orderer)" "$(port_of "$a" orderer-cluster)" \
    "$(port_of "$a" orderer-admin)" "$(port_of "$a" orderer-ops)" "$(tlsca_cert "$a")"
}

start_peer() {
  local a="$1" n dir ccconf
  n="$(agency_lower "$a")"; dir="$(peer_dir "$a")"
  # connection.json of every package says "{{.<chaincode>_address}}"; this
  # peer's own chaincode servers fill it in (see network/builders/ccaas/bin/build).
  ccconf="{\"correction_address\":\"127.0.0.1:$(port_of "$a" cc-correction)\",\"baseline_address\":\"127.0.0.1:$(port_of "$a" cc-baseline)\"}"
  start_peer_node "peer-$n" "$NODES_DIR/peer-$n" "$(peer_name "$a")" "$(agency_msp "$a")" "$dir/msp" "$dir/tls" \
    127.0.0.1 "$(port_of "$a" peer)" "$(port_of "$a" peer-chaincode)" "$(port_of "$a" peer-ops)" "$ccconf"
}

chaincode_dir() { if [[ "$1" == correction ]]; then echo "$CHAINCODE_DIR"; else echo "$BASELINE_DIR"; fi; }

check_chaincode_dir() { # the package.json main must exist (built)
  local cc="$1" dir main
  dir="$(chaincode_dir "$cc")"
  [[ -f "$dir/package.json" ]] || die "chaincode '$cc': no package.json in $dir"
  main="$(node -p "require(process.argv[1]).main || 'index.js'" "$dir/package.json")"
  [[ -f "$dir/$main" ]] || die "chaincode '$cc': $dir/$main does not exist — build it first (npm run build)"
}

start_chaincode() { # start_chaincode CHAINCODE AGENCY
  local cc="$1" a="$2" pkg_var="PACKAGE_ID_$1"
  start_chaincode_server "cc-$cc-$(agency_lower "$a")" "$(chaincode_dir "$cc")" "${!pkg_var}" \
    "127.0.0.1:$(port_of "$a" "cc-$cc")" "$(agency_msp "$a")"
}

start_named() { # start_named NODE_NAME: (re)start one process by its name
  local name="$1" agency cc
  agency="$(tr '[:lower:]' '[:upper:]' <<<"${name##*-}")"
  case "$name" in
    orderer-*) start_orderer "$agency" ;;
    peer-*) start_peer "$agency" ;;
    cc-*) cc="${name#cc-}"; cc="${cc%-*}"; start_chaincode "$cc" "$agency" ;;
  esac
}

wait_named() { # wait until NODE_NAME serves
  local name="$1" agency cc
  agency="$(tr '[:lower:]' '[:upper:]' <<<"${name##*-}")"
  case "$name" in
    orderer-*) wait_healthy "$name" "$(port_of "$agency" orderer-ops)" 60 ;;
    peer-*) wait_healthy "$name" "$(port_of "$agency" peer-ops)" 60 ;;
    cc-*) cc="${name#cc-}"; cc="${cc%-*}"; wait_listening "$name" "$(port_of "$agency" "cc-$cc")" 30 ;;
  esac
}

# ---------------------------------------------------------------------------
# Channel and chaincode
# ---------------------------------------------------------------------------
join_orderer() {
  local a="$1" admin
  admin="$(user_dir "$a" Admin)"
  retry 5 1 fabric_cli "$a" osnadmin channel join --channelID "$CHANNEL" \
    --config-block "$CONFIG_DIR/$CHANNEL.block" -o "127.0.0.1:$(port_of "$a" orderer-admin)" \
    --ca-file "$(tlsca_cert "$a")" --client-cert "$admin/tls/client.crt" --client-key "$admin/tls/client.key"
}
join_peer() { retry 5 1 fabric_cli "$1" peer channel join -b "$CONFIG_DIR/$CHANNEL.block"; }

package_chaincode() { # package_chaincode CHAINCODE [SEQUENCE]: deterministic → same package ID for the same chaincode and sequence
  local cc="$1" seq="${2:-1}" id
  ccaas_package "$CC_DIR/$cc" "$cc" "$seq"
  id="$(ccaas_package_id "$CC_DIR/$cc/$cc.tgz")"
  printf -v "PACKAGE_ID_${cc}" '%s' "$id"
}

install_chaincode() { # install_chaincode AGENCY CHAINCODE
  local out
  if ! out="$(fabric_cli "$1" peer lifecycle chaincode install "$CC_DIR/$2/$2.tgz" 2>&1)"; then
    # a retried install of the same package is fine
    grep -q "chaincode already successfully installed" <<<"$out" || { echo "$out"; return 1; }
  fi
  echo "$out"
}

definition_args() { # definition_args CHAINCODE [SEQUENCE]: the definition's flags, at its current sequence unless given
  local cc="$1" var="SEQUENCE_$1"
  local seq="${2:-${!var:-1}}"
  DEF=(--channelID "$CHANNEL" --name "$cc" --version "$seq.0" --sequence "$seq")
  [[ "$cc" == correction ]] && DEF+=(--collections-config "$ROOT/network/collections.json")
  return 0
}

approve_chaincode() { # approve_chaincode AGENCY CHAINCODE
  local a="$1" cc="$2" pkg_var="PACKAGE_ID_$2"
  definition_args "$cc"; set_orderer_args "$a"
  retry 4 2 fabric_cli "$a" peer lifecycle chaincode approveformyorg "${ORD[@]}" "${DEF[@]}" \
    --package-id "${!pkg_var}" --waitForEventTimeout 60s
}

wait_commit_ready() { # all four agencies have approved
  local cc="$1" out i
  definition_args "$cc"
  for ((i = 0; i < 30; i++)); do
    out="$(fabric_cli COURT peer lifecycle chaincode checkcommitreadiness "${DEF[@]}" --output json)"
    [[ "$(grep -c '": true' <<<"$out")" -eq ${#AGENCIES[@]} ]] && return 0
    sleep 1
  done
  echo "$out"; return 1
}

commit_chaincode() {
  local cc="$1" a peers=()
  definition_args "$cc"; set_orderer_args COURT
  for a in "${AGENCIES[@]}"; do
    peers+=(--peerAddresses "127.0.0.1:$(port_of "$a" peer)" --tlsRootCertFiles "$(tlsca_cert "$a")")
  done
  wait_commit_ready "$cc"
  retry 3 2 fabric_cli COURT peer lifecycle chaincode commit "${ORD[@]}" "${DEF[@]}" "${peers[@]}" \
    --waitForEventTimeout 60s
}

deploy_chaincode() { # install on every peer, approve per agency, commit
  local cc a
  log "deploying chaincodes as a service: ${CHAINCODES[*]}"
  for cc in "${CHAINCODES[@]}"; do
    for a in "${AGENCIES[@]}"; do job "install-$cc-$(agency_lower "$a")" install_chaincode "$a" "$cc"; done
  done
  wait_jobs || die "chaincode install failed"
  for cc in "${CHAINCODES[@]}"; do
    for a in "${AGENCIES[@]}"; do job "approve-$cc-$(agency_lower "$a")" approve_chaincode "$a" "$cc"; done
  done
  wait_jobs || die "chaincode approval failed"
  for cc in "${CHAINCODES[@]}"; do job "commit-$cc" commit_chaincode "$cc"; done
  wait_jobs || die "chaincode commit failed"
}

smoke_test() { # a committed baseline Put (peer CLI), read back on every peer; Ping everywhere
  local value a peers=() out i
  value="up-$(date +%s%N)"
  for a in COURT POLICE JUSTICE; do
    peers+=(--peerAddresses "127.0.0.1:$(port_of "$a" peer)" --tlsRootCertFiles "$(tlsca_cert "$a")")
  done
  set_orderer_args COURT
  log "test transaction: baseline Put(network-up) endorsed by COURT, POLICE, JUSTICE"
  retry 10 2 fabric_cli COURT peer chaincode invoke "${ORD[@]}" -C "$CHANNEL" -n baseline "${peers[@]}" \
    -c "{\"function\":\"Put\",\"Args\":[\"network-up\",\"$value\"]}" --waitForEvent --waitForEventTimeout 60s \
    >"$LOG_DIR/setup/smoke-invoke.log" 2>&1 || { cat "$LOG_DIR/setup/smoke-invoke.log" >&2; die "test transaction failed"; }
  for a in "${AGENCIES[@]}"; do
    for ((i = 0; i < 60; i++)); do
      out="$(fabric_cli "$a" peer chaincode query -C "$CHANNEL" -n baseline -c '{"Args":["Get","network-up"]}' 2>&1)" && [[ "$out" == "$value" ]] && break
      sleep 0.5
    done
    [[ "$out" == "$value" ]] || die "baseline Get on $a's peer returned '$out', expected '$value'"
  done
  log "test transaction committed and visible on all four peers"
  for a in "${AGENCIES[@]}"; do
    job "ping-correction-$(agency_lower "$a")" retry 10 1 fabric_cli "$a" peer chaincode query -C "$CHANNEL" -n correction -c '{"Args":["Ping"]}'
  done
  wait_jobs || die "the correction contract does not answer Ping (chaincode logs: $LOG_DIR/cc-correction-*.log)"
  log "correction contract answers Ping on all four peers: $(cat "$LOG_DIR/setup/ping-correction-court.log")"
}

gossip_known() { # peers AGENCY's peer sees on the channel (Prometheus metric)
  curl -fsS --max-time 2 "http://127.0.0.1:$(port_of "$1" peer-ops)/metrics" 2>/dev/null \
    | awk -v ch="$CHANNEL" '$1 == "gossip_membership_total_peers_known{channel=\"" ch "\"}" { print $2 }'
}
wait_gossip() { # service discovery (the gateway's endorser choice) needs every peer to see the others
  local deadline=$(( $(date +%s) + ${1:-90} )) a n view ok start=$(date +%s)
  while :; do
    ok=1 view=""
    for a in "${AGENCIES[@]}"; do
      n="$(gossip_known "$a")"; view+="$a=${n:-?} "
      [[ "${n:-0}" -ge $(( ${#AGENCIES[@]} - 1 )) ]] || ok=0
    done
    [[ $ok -eq 1 ]] && { log "gossip: every peer sees the other three ($(( $(date +%s) - start ))s)"; return 0; }
    (( $(date +%s) < deadline )) || die "gossip membership incomplete after ${1:-90}s (peers known: $view)"
    sleep 1
  done
}

gateway_smoke() { # the client settings files through @hyperledger/fabric-gateway, as the gateways will use them
  if ! (cd "$ROOT" && node -e "require.resolve('@hyperledger/fabric-gateway'); require.resolve('@grpc/grpc-js')") 2>/dev/null; then
    warn "@hyperledger/fabric-gateway not installed in $ROOT/node_modules: skipping the gateway smoke test"
    return 0
  fi
  log "gateway smoke test (scripts/fabric-smoke.mjs COURT POLICE)"
  NETWORK_DIR="$NETWORK_DIR" SMOKE_WAIT_SECONDS=60 node "$ROOT/scripts/fabric-smoke.mjs" COURT POLICE \
    >"$LOG_DIR/setup/gateway-smoke.log" 2>&1 || { cat "$LOG_DIR/setup/gateway-smoke.log" >&2; die "gateway smoke test failed"; }
  sed 's/^/    /' "$LOG_DIR/setup/gateway-smoke.log"
}

verify_network() {
  smoke_test
  wait_gossip 90
  gateway_smoke
}

summary() {
  log "network is up (${ORDERER_TYPE}, channel $CHANNEL) in $(( $(date +%s) - T0 ))s"
  cat <<EOF
    logs:      $LOG_DIR/<node>.log   (setup commands: $LOG_DIR/setup/)
    gateways:  $NETWORK_DIR/gateways/{COURT,PROCURATORATE,POLICE,JUSTICE}.json
    peers:     $NETWORK_DIR/peers.json  orderers: $NETWORK_DIR/orderers.json
    peer CLI:  source $NETWORK_DIR/env.sh JUSTICE
    status:    scripts/network-status.sh     stop: scripts/network-down.sh
EOF
}

# ---------------------------------------------------------------------------
# Upgrading the correction contract: a new definition approved by a majority
# ---------------------------------------------------------------------------
committed_sequence() { # the sequence of the committed definition of CHAINCODE
  local out
  out="$(fabric_cli COURT peer lifecycle chaincode querycommitted --channelID "$CHANNEL" --name "$1" --output json)"
  grep -o '"sequence": *[0-9]*' <<<"$out" | grep -o '[0-9]*$'
}

approved_by() { # approved_by AGENCY CHAINCODE SEQUENCE: whether the agency approved that definition
  fabric_cli "$1" peer lifecycle chaincode queryapproved --channelID "$CHANNEL" --name "$2" --sequence "$3" --output json >/dev/null 2>&1
}

approvers_of() { # approvers_of CHAINCODE SEQUENCE: the agencies that approved the uncommitted definition
  local msps a
  definition_args "$1" "$2"
  msps="$(fabric_cli COURT peer lifecycle chaincode checkcommitreadiness "${DEF[@]}" --output json | approving_msps)"
  for a in "${AGENCIES[@]}"; do
    if grep -qx "$(agency_msp "$a")" <<<"$msps"; then echo "$a"; fi
  done
}

approve_as() { # approve_as AGENCY CHAINCODE SEQUENCE PACKAGE_ID: the agency's admin approves, unless it has
  local a="$1" cc="$2" seq="$3" id="$4"
  if approved_by "$a" "$cc" "$seq"; then log "$a approved $cc sequence $seq already"; return 0; fi
  definition_args "$cc" "$seq"; set_orderer_args "$a"
  retry 4 2 fabric_cli "$a" peer lifecycle chaincode approveformyorg "${ORD[@]}" "${DEF[@]}" \
    --package-id "$id" --waitForEventTimeout 60s
  log "$a approved $cc sequence $seq"
}

restart_chaincode_servers() { # restart_chaincode_servers CHAINCODE: under the package ID now in force
  local cc="$1" a
  for a in "${AGENCIES[@]}"; do stop_node "cc-$cc-$(agency_lower "$a")" || true; done
  for a in "${AGENCIES[@]}"; do start_chaincode "$cc" "$a"; done
  for a in "${AGENCIES[@]}"; do wait_named "cc-$cc-$(agency_lower "$a")"; done
}

# --upgrade-chaincode AGENCY…: the next sequence of the correction contract, packaged from
# CHAINCODE_DIR and installed on every peer, is approved by each agency named (its own admin).
# Once a majority of the agencies approved it, it is committed and the chaincode servers are
# restarted under the new package; an agency that has not approved runs the contract again once it
# approves (--approve-chaincode). Short of a majority: the approvals stay, nothing is committed (exit 3).
upgrade_chaincode() {
  local cc=correction current next id a approved=() majority=$(( ${#AGENCIES[@]} / 2 + 1 )) old_id="$PACKAGE_ID_correction"
  current="$(committed_sequence "$cc")"
  [[ -n "$current" ]] || die "$cc is not committed on $CHANNEL"
  next=$((current + 1))
  check_chaincode_dir "$cc"
  package_chaincode "$cc" "$next"
  id="$PACKAGE_ID_correction"; PACKAGE_ID_correction="$old_id"
  log "sequence $next of $cc (package $id): installing on every peer"
  for a in "${AGENCIES[@]}"; do install_chaincode "$a" "$cc" >/dev/null; done
  for a in "$@"; do approve_as "$a" "$cc" "$next" "$id"; done
  mapfile -t approved < <(approvers_of "$cc" "$next")
  if (( ${#approved[@]} < majority )); then
    log "${#approved[@]} of ${#AGENCIES[@]} agencies approved sequence $next of $cc (${approved[*]}); committing needs $majority: not committed"
    exit 3
  fi
  log "${approved[*]} approved sequence $next of $cc: committing, endorsed by their peers"
  # A peer endorses the commit only for an agency that agreed to the definition.
  local peers=()
  for a in "${approved[@]}"; do
    peers+=(--peerAddresses "127.0.0.1:$(port_of "$a" peer)" --tlsRootCertFiles "$(tlsca_cert "$a")")
  done
  definition_args "$cc" "$next"; set_orderer_args "${approved[0]}"
  retry 3 2 fabric_cli "${approved[0]}" peer lifecycle chaincode commit "${ORD[@]}" "${DEF[@]}" "${peers[@]}" --waitForEventTimeout 60s
  PACKAGE_ID_correction="$id"
  # shellcheck disable=SC2034 # read through its name by save_settings and definition_args
  SEQUENCE_correction="$next"
  save_settings
  restart_chaincode_servers "$cc"
  log "sequence $next of $cc committed and in force in $(( $(date +%s) - T0 ))s"
}

# --approve-chaincode AGENCY…: each agency named approves the committed definition of the
# correction contract (an agency that did not approve before it was committed).
approve_committed_chaincode() {
  local cc=correction seq a
  seq="$(committed_sequence "$cc")"
  for a in "$@"; do approve_as "$a" "$cc" "$seq" "$PACKAGE_ID_correction"; done
}

# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------
reconcile_running_network() {
  load_state
  if [[ -n "$REQUESTED_ORDERER_TYPE" && "$(tr '[:upper:]' '[:lower:]' <<<"$REQUESTED_ORDERER_TYPE")" != "$ORDERER_TYPE" ]]; then
    die "the network in $NETWORK_DIR runs ORDERER_TYPE=$ORDERER_TYPE; run scripts/network-down.sh first to switch"
  fi
  if [[ -n "$REQUESTED_PORT_BASE" && "$REQUESTED_PORT_BASE" != "$FABRIC_PORT_BASE" ]]; then
    die "the network in $NETWORK_DIR uses FABRIC_PORT_BASE=$FABRIC_PORT_BASE; run scripts/network-down.sh first"
  fi
  if [[ -n "$REQUESTED_CHAINCODE_DIR" && "$(abspath "$REQUESTED_CHAINCODE_DIR")" != "$CHAINCODE_DIR" ]]; then
    [[ $RESTART_CHAINCODE -eq 1 ]] \
      || die "the network in $NETWORK_DIR runs the correction contract from $CHAINCODE_DIR; add --restart-chaincode to switch to $REQUESTED_CHAINCODE_DIR"
    CHAINCODE_DIR="$(abspath "$REQUESTED_CHAINCODE_DIR")"
    check_chaincode_dir correction
    save_settings
  fi
  local dead=() name
  if [[ $RESTART_CHAINCODE -eq 1 ]]; then
    check_chaincode_dir correction
    log "stopping the chaincode servers to reload the contracts"
    for name in $(node_names); do
      if [[ "$name" == cc-* ]]; then stop_node "$name" || true; fi
    done
  fi
  for name in $(node_names); do node_running "$name" || dead+=("$name"); done
  if [[ ${#dead[@]} -eq 0 ]]; then
    log "network already up in $NETWORK_DIR (${ORDERER_TYPE}); nothing to do"
    "$ROOT/scripts/network-status.sh"
    exit 0
  fi
  log "network in $NETWORK_DIR is up but ${#dead[@]} process(es) are down: ${dead[*]} — restarting them"
  for name in "${dead[@]}"; do
    port_check_node "$name"
    start_named "$name"
  done
  for name in "${dead[@]}"; do wait_named "$name"; done
  log "restarted ${dead[*]}; checking the network"
  verify_network
  log "network recovered in $(( $(date +%s) - T0 ))s"
  "$ROOT/scripts/network-status.sh"
  exit 0
}

node_ports() { # ports a node listens on
  local name="$1" agency cc
  agency="$(tr '[:lower:]' '[:upper:]' <<<"${name##*-}")"
  case "$name" in
    orderer-*) echo "$(port_of "$agency" orderer) $(port_of "$agency" orderer-cluster) $(port_of "$agency" orderer-admin) $(port_of "$agency" orderer-ops)" ;;
    peer-*) echo "$(port_of "$agency" peer) $(port_of "$agency" peer-chaincode) $(port_of "$agency" peer-ops)" ;;
    cc-*) cc="${name#cc-}"; cc="${cc%-*}"; port_of "$agency" "cc-$cc" ;;
  esac
}
port_check_node() {
  local p
  for p in $(node_ports "$1"); do
    port_in_use "$p" && die "port $p (for $1) is already in use by another process$(command -v ss >/dev/null && ss -ltnpH "sport = :$p" 2>/dev/null | sed 's/^/: /' | head -n1)"
  done
  return 0
}

clean_stale_state() {
  load_state
  local name stopped=()
  if [[ -d "$PID_DIR" ]]; then
    for name in $(node_names); do stop_node "$name" && stopped+=("$name"); done
  fi
  [[ ${#stopped[@]} -gt 0 ]] && log "stopped leftover processes: ${stopped[*]}"
  rm -rf "$NETWORK_DIR"
}

main() {
  RESTART_CHAINCODE=0
  case "${1:-}" in
    "") ;;
    --restart-chaincode) RESTART_CHAINCODE=1 ;;
    --upgrade-chaincode | --approve-chaincode)
      [[ -f "$READY_FILE" ]] || die "$1 needs a running network in $NETWORK_DIR"
      [[ $# -ge 2 ]] || die "$1 needs the agencies whose admins approve (e.g. COURT PROCURATORATE POLICE)"
      local mode="$1" a; shift
      for a in "$@"; do [[ " ${AGENCIES[*]} " == *" $a "* ]] || die "unknown agency '$a' (one of ${AGENCIES[*]})"; done
      load_state
      if [[ "$mode" == --upgrade-chaincode ]]; then upgrade_chaincode "$@"; else approve_committed_chaincode "$@"; fi
      exit 0 ;;
    -h | --help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
  if [[ -f "$READY_FILE" ]]; then
    reconcile_running_network
  fi
  if [[ -e "$NETWORK_DIR" ]]; then
    log "found incomplete network state in $NETWORK_DIR (crashed or failed bring-up): cleaning it"
    ( clean_stale_state )
  fi

  init_settings
  "$ROOT/scripts/install-fabric.sh"
  command -v node >/dev/null || die "node is required"
  command -v openssl >/dev/null || die "openssl is required"
  command -v curl >/dev/null || die "curl is required"
  command -v setsid >/dev/null || die "setsid (util-linux) is required"
  [[ -f "$CHAINCODE_NODE_MODULES/.bin/fabric-chaincode-node" ]] \
    || die "$CHAINCODE_NODE_MODULES/.bin/fabric-chaincode-node not found: run npm install (fabric-shim)"
  local cc a name
  for cc in "${CHAINCODES[@]}"; do check_chaincode_dir "$cc"; done
  for name in $(node_names); do port_check_node "$name"; done

  log "bringing up the network in $NETWORK_DIR (orderer type $ORDERER_TYPE, ports $((FABRIC_PORT_BASE + 100))–$((FABRIC_PORT_BASE + 499)))"
  mkdir -p "$NETWORK_DIR" "$LOG_DIR" "$PID_DIR" "$NODES_DIR" "$CC_DIR"
  save_settings
  generate_crypto
  generate_genesis
  for cc in "${CHAINCODES[@]}"; do package_chaincode "$cc"; done
  save_settings
  write_client_settings

  log "starting 4 orderers and 4 peers"
  for a in "${AGENCIES[@]}"; do start_orderer "$a"; start_peer "$a"; done
  for a in "${AGENCIES[@]}"; do
    n="$(agency_lower "$a")"
    wait_named "orderer-$n"; wait_named "peer-$n"
  done
  log "all nodes healthy; joining orderers (osnadmin) and peers to '$CHANNEL'"
  for a in "${AGENCIES[@]}"; do job "join-orderer-$(agency_lower "$a")" join_orderer "$a"; done
  wait_jobs || die "osnadmin channel join failed"
  for a in "${AGENCIES[@]}"; do job "join-peer-$(agency_lower "$a")" join_peer "$a"; done
  wait_jobs || die "peer channel join failed"

  log "starting chaincode servers (one per agency and chaincode)"
  for cc in "${CHAINCODES[@]}"; do
    for a in "${AGENCIES[@]}"; do start_chaincode "$cc" "$a"; done
  done
  deploy_chaincode
  for cc in "${CHAINCODES[@]}"; do
    for a in "${AGENCIES[@]}"; do wait_named "cc-$cc-$(agency_lower "$a")"; done
  done
  verify_network

  date -Is > "$READY_FILE"
  summary
}

trap 'rc=$?; if [[ $rc -ne 0 && ! -f "$READY_FILE" ]]; then warn "bring-up failed (exit $rc); logs in $LOG_DIR; processes left running for inspection — scripts/network-down.sh stops them (network-up also cleans up before retrying)"; fi' EXIT
main "$@"
