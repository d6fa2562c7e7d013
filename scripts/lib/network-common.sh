# Shared by scripts/network-{up,down,status}.sh: layout, ports, process helpers.
# Source it; it defines variables and functions only.
# shellcheck shell=bash

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
NETWORK_DIR="${NETWORK_DIR:-$ROOT/.network}"
case "$NETWORK_DIR" in /*) ;; *) NETWORK_DIR="$PWD/$NETWORK_DIR" ;; esac
FABRIC_HOME="${FABRIC_HOME:-$ROOT/.tools/fabric}"
FABRIC_BIN="$FABRIC_HOME/bin"
FABRIC_CONFIG="$FABRIC_HOME/config"

CHANNEL="corrections"
AGENCIES=(COURT PROCURATORATE POLICE JUSTICE)
CHAINCODES=(correction baseline)

set_network_dir() { # set_network_dir DIR: where a network's (or one node kit's) state lives
  NETWORK_DIR="$1"
  CRYPTO_DIR="$NETWORK_DIR/crypto"
  CONFIG_DIR="$NETWORK_DIR/config"
  NODES_DIR="$NETWORK_DIR/nodes"
  LOG_DIR="$NETWORK_DIR/logs"
  PID_DIR="$NETWORK_DIR/pids"
  CC_DIR="$NETWORK_DIR/chaincode"
  STATE_FILE="$NETWORK_DIR/network.env"
  READY_FILE="$NETWORK_DIR/READY"
}
set_network_dir "$NETWORK_DIR"

# LOG_TAG: the script's name in its messages (default "network").
log() { printf '[%s %s] %s\n' "${LOG_TAG:-network}" "$(date +%H:%M:%S)" "$*"; }
warn() { printf '[%s %s] WARNING: %s\n' "${LOG_TAG:-network}" "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf '[%s %s] ERROR: %s\n' "${LOG_TAG:-network}" "$(date +%H:%M:%S)" "$*" >&2; exit 1; }

# ---- agencies -------------------------------------------------------------
agency_index() {
  case "$1" in
    COURT) echo 0 ;; PROCURATORATE) echo 1 ;; POLICE) echo 2 ;; JUSTICE) echo 3 ;;
    *) die "unknown agency '$1' (one of ${AGENCIES[*]})" ;;
  esac
}
agency_lower() { tr '[:upper:]' '[:lower:]' <<<"$1"; }
agency_msp() {
  case "$1" in
    COURT) echo CourtMSP ;; PROCURATORATE) echo ProcuratorateMSP ;;
    POLICE) echo PoliceMSP ;; JUSTICE) echo JusticeMSP ;;
    *) die "unknown agency '$1'" ;;
  esac
}
agency_domain() { echo "$(agency_lower "$1").example.com"; }

# ---- ports ----------------------------------------------------------------
# Agency i (COURT=0 … JUSTICE=3) owns the block BASE+100*(i+1) … +99:
#   +1 peer  +2 peer chaincode listener  +3 peer operations
#   +11 orderer  +12 orderer cluster  +13 orderer admin  +14 orderer operations
#   +21 chaincode server `correction`  +22 chaincode server `baseline`
FABRIC_PORT_BASE="${FABRIC_PORT_BASE:-7000}"
port_offset() { # port_offset KIND: a port's place in its agency's block of 100
  case "$1" in
    peer) echo 1 ;;
    peer-chaincode) echo 2 ;;
    peer-ops) echo 3 ;;
    orderer) echo 11 ;;
    orderer-cluster) echo 12 ;;
    orderer-admin) echo 13 ;;
    orderer-ops) echo 14 ;;
    cc-correction) echo 21 ;;
    cc-baseline) echo 22 ;;
    *) die "unknown port kind '$1'" ;;
  esac
}
agency_port_block() { echo $(( FABRIC_PORT_BASE + 100 * ($(agency_index "$1") + 1) )); }
port_of() { # port_of AGENCY KIND
  local block offset
  block="$(agency_port_block "$1")"; offset="$(port_offset "$2")"
  echo $((block + offset))
}

# ---- crypto paths -----------------------------------------------------------
peer_name() { echo "peer0.$(agency_domain "$1")"; }
orderer_name() { echo "orderer0.$(agency_domain "$1")"; }
org_dir() { echo "$CRYPTO_DIR/peerOrganizations/$(agency_domain "$1")"; }
peer_dir() { echo "$(org_dir "$1")/peers/$(peer_name "$1")"; }
orderer_dir() { echo "$CRYPTO_DIR/ordererOrganizations/$(agency_domain "$1")/orderers/$(orderer_name "$1")"; }
tlsca_cert() { echo "$(org_dir "$1")/tlsca/tlsca.$(agency_domain "$1")-cert.pem"; }
user_dir() { echo "$(org_dir "$1")/users/$2@$(agency_domain "$1")"; } # user_dir AGENCY Admin|gateway|User1…
admin_msp() { echo "$(user_dir "$1" Admin)/msp"; }

# ---- processes ----------------------------------------------------------------
# Every process we start carries FABNET_NODE=<network dir>:<name> in its
# environment, so a pid file is only trusted when /proc/<pid>/environ says
# the process is still the one we started (pids get reused).
node_names() {
  local a n
  for a in "${AGENCIES[@]}"; do
    n="$(agency_lower "$a")"
    echo "orderer-$n" "peer-$n"
    for cc in "${CHAINCODES[@]}"; do echo "cc-$cc-$n"; done
  done
}
pid_file() { echo "$PID_DIR/$1.pid"; }
node_marker() { echo "FABNET_NODE=$NETWORK_DIR:$1"; }

pid_is_ours() { # pid_is_ours PID NAME
  local pid="$1" name="$2"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  if [[ -r "/proc/$pid/environ" ]]; then
    { tr '\0' '\n' < "/proc/$pid/environ"; } 2>/dev/null | grep -qxF "$(node_marker "$name")"
  else
    return 0 # no /proc: trust kill -0
  fi
}
node_pid() { # prints the pid if NAME runs (and is ours)
  local f; f="$(pid_file "$1")"
  [[ -f "$f" ]] || return 1
  local pid; pid="$(cat "$f" 2>/dev/null)"
  pid_is_ours "$pid" "$1" && echo "$pid"
}
node_running() { node_pid "$1" >/dev/null; }

# find_marked_pid NAME: scan /proc for our marker (used if setsid forked).
find_marked_pid() {
  local marker p; marker="$(node_marker "$1")"
  for p in /proc/[0-9]*; do
    { tr '\0' '\n' < "$p/environ"; } 2>/dev/null | grep -qxF "$marker" && { echo "${p#/proc/}"; return 0; }
  done
  return 1
}

# start_node NAME WORKDIR VAR=VALUE… -- COMMAND ARGS…
# Starts COMMAND detached (own session, survives the script and Ctrl-C) with a
# clean environment (only PATH, HOME, TMPDIR and the given variables), output
# appended to $LOG_DIR/NAME.log, pid in $PID_DIR/NAME.pid.
start_node() {
  local name="$1" workdir="$2"; shift 2
  local envs=() log; log="$LOG_DIR/$name.log"
  while [[ $# -gt 0 && "$1" != "--" ]]; do envs+=("$1"); shift; done
  [[ "${1:-}" == "--" ]] && shift
  mkdir -p "$LOG_DIR" "$PID_DIR"
  printf '\n===== %s starting %s =====\n' "$(date -Is)" "$name" >> "$log"
  (
    cd "$workdir" || exit 1
    exec setsid env -i PATH="$PATH" HOME="${HOME:-/tmp}" TMPDIR="${TMPDIR:-/tmp}" \
      "$(node_marker "$name")" "${envs[@]}" "$@" >>"$log" 2>&1 </dev/null
  ) &
  local pid=$!
  echo "$pid" > "$(pid_file "$name")"
  sleep 0.05
  if ! pid_is_ours "$pid" "$name"; then
    # setsid forks when it is a process group leader (job control shells)
    local real; real="$(find_marked_pid "$name" || true)"
    [[ -n "$real" ]] && echo "$real" > "$(pid_file "$name")"
  fi
}

# stop_node NAME: SIGTERM, then SIGKILL after a grace period; removes the pid file.
stop_node() {
  local name="$1" pid i
  pid="$(node_pid "$name" || true)"
  if [[ -n "$pid" ]]; then
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do pid_is_ours "$pid" "$name" || break; sleep 0.1; done
    if pid_is_ours "$pid" "$name"; then kill -KILL "$pid" 2>/dev/null || true; fi
  fi
  rm -f "$(pid_file "$name")"
  [[ -n "$pid" ]]
}

port_in_use() { (exec 3<>"/dev/tcp/${2:-127.0.0.1}/$1") 2>/dev/null; } # port_in_use PORT [HOST]

# ---- Fabric CLI as an agency's admin ----------------------------------------------
# fabric_cli_as MSPID MSP_DIR PEER_ADDRESS PEER_TLS_CA COMMAND ARGS…: runs
# peer/osnadmin/… with a clean environment, as that identity against that peer.
fabric_cli_as() {
  local msp_id="$1" msp="$2" peer="$3" tls_ca="$4" cmd="$5"; shift 5
  env -i PATH="$PATH" HOME="${HOME:-/tmp}" TMPDIR="${TMPDIR:-/tmp}" \
    FABRIC_CFG_PATH="$FABRIC_CONFIG" \
    FABRIC_LOGGING_SPEC="${FABRIC_CLI_LOGGING_SPEC:-warning}" \
    CORE_PEER_TLS_ENABLED=true \
    CORE_PEER_LOCALMSPID="$msp_id" \
    CORE_PEER_MSPCONFIGPATH="$msp" \
    CORE_PEER_ADDRESS="$peer" \
    CORE_PEER_TLS_ROOTCERT_FILE="$tls_ca" \
    "$FABRIC_BIN/$cmd" "$@"
}
# fabric_cli AGENCY COMMAND ARGS…: as AGENCY's Admin against AGENCY's own peer.
fabric_cli() {
  local agency="$1"; shift
  fabric_cli_as "$(agency_msp "$agency")" "$(admin_msp "$agency")" "127.0.0.1:$(port_of "$agency" peer)" \
    "$(tlsca_cert "$agency")" "$@"
}
orderer_args() { # TLS options to reach AGENCY's orderer
  echo "-o 127.0.0.1:$(port_of "$1" orderer) --tls --cafile $(tlsca_cert "$1")"
}

load_state() { # restores the settings the running network was started with
  if [[ -f "$STATE_FILE" ]]; then
    # shellcheck disable=SC1090
    source "$STATE_FILE"
  fi
}
