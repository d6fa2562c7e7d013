# Shared by scripts/network-up.sh and the node kit scripts (node-up.sh,
# consortium-commit.sh): background jobs, retries, health waits, and how an
# orderer, a peer and a chaincode server are started and a chaincode packaged.
# Source it after lib/network-common.sh; it defines functions only.
# shellcheck shell=bash

# ---- background jobs, retries, health ---------------------------------------
JOBS=()
job() { # job LABEL COMMAND…: run in background, output to logs/setup/LABEL.log
  local label="$1"; shift
  mkdir -p "$LOG_DIR/setup"
  ("$@") >"$LOG_DIR/setup/$label.log" 2>&1 &
  JOBS+=("$!:$label")
}
wait_jobs() {
  local failed=0 j
  for j in "${JOBS[@]}"; do
    if ! wait "${j%%:*}"; then
      failed=1
      warn "${j#*:} failed; its output ($LOG_DIR/setup/${j#*:}.log):"
      sed 's/^/    /' "$LOG_DIR/setup/${j#*:}.log" >&2
    fi
  done
  JOBS=()
  return $failed
}
retry() { # retry ATTEMPTS DELAY COMMAND…
  local n="$1" delay="$2" i; shift 2
  for ((i = 1; i <= n; i++)); do
    "$@" && return 0
    ((i < n)) && { echo "(attempt $i/$n failed; retrying in ${delay}s)" >&2; sleep "$delay"; }
  done
  return 1
}
# Operations endpoints (/healthz, /metrics) listen on OPS_HOST (127.0.0.1 unless set).
healthy() { curl -fsS --max-time 2 "http://${OPS_HOST:-127.0.0.1}:$1/healthz" >/dev/null 2>&1; }
wait_healthy() { # wait_healthy NAME OPS_PORT TIMEOUT_S
  local name="$1" port="$2" deadline=$(( $(date +%s) + $3 ))
  until healthy "$port"; do
    node_running "$name" || { tail -n 30 "$LOG_DIR/$name.log" >&2; die "$name exited (log: $LOG_DIR/$name.log)"; }
    (( $(date +%s) < deadline )) || { tail -n 30 "$LOG_DIR/$name.log" >&2; die "$name not healthy on :$port after $3s"; }
    sleep 0.3
  done
}
wait_listening() { # wait_listening NAME PORT TIMEOUT_S [HOST]
  local name="$1" port="$2" deadline=$(( $(date +%s) + $3 ))
  until port_in_use "$port" "${4:-127.0.0.1}"; do
    node_running "$name" || { tail -n 30 "$LOG_DIR/$name.log" >&2; die "$name exited (log: $LOG_DIR/$name.log)"; }
    (( $(date +%s) < deadline )) || die "$name not listening on :$port after $3s (log: $LOG_DIR/$name.log)"
    sleep 0.2
  done
}

# ---- nodes ------------------------------------------------------------------
# start_orderer_node NAME DATA_DIR MSPID MSP_DIR TLS_DIR HOST PORT CLUSTER_PORT ADMIN_PORT OPS_PORT ADMIN_CLIENT_CA
# TLS_DIR holds server.crt, server.key (server and client use) and ca.crt.
# Every listener binds HOST; operations bind OPS_HOST (default 127.0.0.1).
start_orderer_node() {
  local name="$1" data="$2" msp_id="$3" msp="$4" tls="$5" host="$6" port="$7" cluster="$8" admin="$9" ops="${10}" admin_ca="${11}"
  mkdir -p "$data"
  start_node "$name" "$data" \
    FABRIC_CFG_PATH="$FABRIC_CONFIG" \
    FABRIC_LOGGING_SPEC="${FABRIC_NODE_LOGGING_SPEC:-grpc=warning:info}" \
    ORDERER_GENERAL_LISTENADDRESS="$host" \
    ORDERER_GENERAL_LISTENPORT="$port" \
    ORDERER_GENERAL_LOCALMSPID="$msp_id" \
    ORDERER_GENERAL_LOCALMSPDIR="$msp" \
    ORDERER_GENERAL_TLS_ENABLED=true \
    ORDERER_GENERAL_TLS_PRIVATEKEY="$tls/server.key" \
    ORDERER_GENERAL_TLS_CERTIFICATE="$tls/server.crt" \
    ORDERER_GENERAL_TLS_ROOTCAS="[$tls/ca.crt]" \
    ORDERER_GENERAL_CLUSTER_LISTENADDRESS="$host" \
    ORDERER_GENERAL_CLUSTER_LISTENPORT="$cluster" \
    ORDERER_GENERAL_CLUSTER_SERVERCERTIFICATE="$tls/server.crt" \
    ORDERER_GENERAL_CLUSTER_SERVERPRIVATEKEY="$tls/server.key" \
    ORDERER_GENERAL_CLUSTER_CLIENTCERTIFICATE="$tls/server.crt" \
    ORDERER_GENERAL_CLUSTER_CLIENTPRIVATEKEY="$tls/server.key" \
    ORDERER_FILELEDGER_LOCATION="$data/ledger" \
    ORDERER_CONSENSUS_WALDIR="$data/wal" \
    ORDERER_CONSENSUS_SNAPDIR="$data/snapshot" \
    ORDERER_CHANNELPARTICIPATION_ENABLED=true \
    ORDERER_ADMIN_LISTENADDRESS="$host:$admin" \
    ORDERER_ADMIN_TLS_ENABLED=true \
    ORDERER_ADMIN_TLS_CERTIFICATE="$tls/server.crt" \
    ORDERER_ADMIN_TLS_PRIVATEKEY="$tls/server.key" \
    ORDERER_ADMIN_TLS_CLIENTAUTHREQUIRED=true \
    ORDERER_ADMIN_TLS_CLIENTROOTCAS="[$admin_ca]" \
    ORDERER_OPERATIONS_LISTENADDRESS="${OPS_HOST:-127.0.0.1}:$ops" \
    ORDERER_METRICS_PROVIDER=prometheus \
    -- "$FABRIC_BIN/orderer"
}

# start_peer_node NAME DATA_DIR PEER_ID MSPID MSP_DIR TLS_DIR HOST PORT CC_PORT OPS_PORT CCAAS_CONFIG
# CCAAS_CONFIG: the JSON object the ccaas builder fills connection.json from
# (network/builders/ccaas/bin/build), e.g. {"correction_address":"127.0.0.1:7121"}.
start_peer_node() {
  local name="$1" data="$2" peer_id="$3" msp_id="$4" msp="$5" tls="$6" host="$7" port="$8" cc_port="$9" ops="${10}" ccconf="${11}"
  local p="$host:$port" builders
  mkdir -p "$data"
  builders="[{\"name\":\"ccaas\",\"path\":\"$ROOT/network/builders/ccaas\",\"propagateEnvironment\":[\"CHAINCODE_AS_A_SERVICE_BUILDER_CONFIG\"]}]"
  start_node "$name" "$data" \
    FABRIC_CFG_PATH="$FABRIC_CONFIG" \
    FABRIC_LOGGING_SPEC="${FABRIC_NODE_LOGGING_SPEC:-grpc=warning:info}" \
    CORE_PEER_ID="$peer_id" \
    CORE_PEER_LISTENADDRESS="$p" \
    CORE_PEER_ADDRESS="$p" \
    CORE_PEER_CHAINCODELISTENADDRESS="$host:$cc_port" \
    CORE_PEER_CHAINCODEADDRESS="$host:$cc_port" \
    CORE_PEER_GOSSIP_BOOTSTRAP="$p" \
    CORE_PEER_GOSSIP_EXTERNALENDPOINT="$p" \
    CORE_PEER_GOSSIP_RECONNECTINTERVAL=5s \
    CORE_PEER_GOSSIP_MEMBERSHIPTRACKERINTERVAL=1s \
    CORE_PEER_GOSSIP_PVTDATA_PULLRETRYTHRESHOLD=10s \
    CORE_PEER_LOCALMSPID="$msp_id" \
    CORE_PEER_MSPCONFIGPATH="$msp" \
    CORE_PEER_TLS_ENABLED=true \
    CORE_PEER_TLS_CERT_FILE="$tls/server.crt" \
    CORE_PEER_TLS_KEY_FILE="$tls/server.key" \
    CORE_PEER_TLS_ROOTCERT_FILE="$tls/ca.crt" \
    CORE_PEER_FILESYSTEMPATH="$data/data" \
    CORE_LEDGER_SNAPSHOTS_ROOTDIR="$data/snapshots" \
    CORE_OPERATIONS_LISTENADDRESS="${OPS_HOST:-127.0.0.1}:$ops" \
    CORE_METRICS_PROVIDER=prometheus \
    CORE_VM_ENDPOINT= \
    CORE_CHAINCODE_EXTERNALBUILDERS="$builders" \
    CHAINCODE_AS_A_SERVICE_BUILDER_CONFIG="$ccconf" \
    -- "$FABRIC_BIN/peer" node start
}

# start_chaincode_server NAME MODULE_DIR PACKAGE_ID ADDRESS MSPID [SERVER_OPTION…]
# fabric-chaincode-node from CHAINCODE_NODE_MODULES, serving MODULE_DIR on ADDRESS (host:port);
# SERVER_OPTIONs are passed on (e.g. --chaincode-tls-cert-file …).
start_chaincode_server() {
  local name="$1" dir="$2" package_id="$3" address="$4" msp_id="$5"; shift 5
  start_node "$name" "$dir" \
    CORE_CHAINCODE_ID="$package_id" \
    CORE_CHAINCODE_ADDRESS="$address" \
    CORE_PEER_LOCALMSPID="$msp_id" \
    NODE_PATH="$CHAINCODE_NODE_MODULES" \
    NODE_ENV=production \
    -- node "$CHAINCODE_NODE_MODULES/.bin/fabric-chaincode-node" server \
    --chaincode-address "$address" --chaincode-id "$package_id" --module-path "$dir" "$@"
}

# ccaas_package DIR CHAINCODE SEQUENCE [tls]: writes DIR/CHAINCODE.tgz, a
# chaincode-as-a-service package labelled CHAINCODE_SEQUENCE.0 whose
# connection.json says {{.CHAINCODE_address}} (each peer fills in its own
# server). With tls: mutual TLS to the server, the peer's client key and
# certificate and the server's root certificate filled in by each peer too
# ({{.CHAINCODE_client_key}}, {{.CHAINCODE_client_cert}}, {{.CHAINCODE_root_cert}}).
# Deterministic: the same chaincode and sequence give the same package ID.
ccaas_package() {
  local d="$1" cc="$2" seq="$3" tls="${4:-}"
  mkdir -p "$d/src"
  if [[ "$tls" == tls ]]; then
    printf '{"address":"{{.%s_address}}","dial_timeout":"10s","tls_required":true,"client_auth_required":true,"client_key":"{{.%s_client_key}}","client_cert":"{{.%s_client_cert}}","root_cert":"{{.%s_root_cert}}"}\n' \
      "$cc" "$cc" "$cc" "$cc" > "$d/src/connection.json"
  else
    printf '{"address":"{{.%s_address}}","dial_timeout":"10s","tls_required":false}\n' "$cc" > "$d/src/connection.json"
  fi
  printf '{"type":"ccaas","label":"%s_%s.0"}\n' "$cc" "$seq" > "$d/metadata.json"
  local tar_opts=(--sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner)
  tar "${tar_opts[@]}" -C "$d/src" -cf - connection.json | gzip -n > "$d/code.tar.gz"
  tar "${tar_opts[@]}" -C "$d" -cf - metadata.json code.tar.gz | gzip -n > "$d/$cc.tgz"
}

# approving_msps: the MSP IDs that approved, read from `peer lifecycle chaincode
# checkcommitreadiness --output json` on stdin, one a line.
approving_msps() { grep -o '"[A-Za-z0-9]*MSP": *true' | cut -d'"' -f2; }

# ccaas_package_id PACKAGE_FILE: the package ID the peers will give it (computed offline).
ccaas_package_id() {
  env -i PATH="$PATH" HOME="${HOME:-/tmp}" FABRIC_CFG_PATH="$FABRIC_CONFIG" FABRIC_LOGGING_SPEC=warning \
    "$FABRIC_BIN/peer" lifecycle chaincode calculatepackageid "$1"
}
