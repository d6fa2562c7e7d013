#!/usr/bin/env bash
# What runs of the network started by scripts/network-up.sh: each process
# up/down with pid, ports, health (/healthz of peers and orderers) and memory.
# Exit status: 0 all up, 1 something down, 2 no network.
set -euo pipefail
# shellcheck source=lib/network-common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/network-common.sh"

if [[ ! -f "$STATE_FILE" ]]; then
  echo "no network in $NETWORK_DIR (scripts/network-up.sh starts one)"
  exit 2
fi
load_state
if [[ -f "$READY_FILE" ]]; then state="ready since $(cat "$READY_FILE")"; else state="NOT READY (bring-up incomplete or failed)"; fi
echo "network $NETWORK_DIR: orderer type ${ORDERER_TYPE:-?}, channel $CHANNEL, $state"
printf '%-28s %-5s %-8s %-9s %-7s %s\n' NODE STATE PID HEALTH RSS PORTS

down=0 total_kb=0
for name in $(node_names); do
  agency="$(tr '[:lower:]' '[:upper:]' <<<"${name##*-}")"
  health="-" ops=""
  case "$name" in
    orderer-*)
      ports="orderer=$(port_of "$agency" orderer) cluster=$(port_of "$agency" orderer-cluster) admin=$(port_of "$agency" orderer-admin) ops=$(port_of "$agency" orderer-ops)"
      ops="$(port_of "$agency" orderer-ops)" ;;
    peer-*)
      ports="peer=$(port_of "$agency" peer) chaincode=$(port_of "$agency" peer-chaincode) ops=$(port_of "$agency" peer-ops)"
      ops="$(port_of "$agency" peer-ops)" ;;
    cc-*)
      cc="${name#cc-}"; cc="${cc%-*}"
      ports="server=$(port_of "$agency" "cc-$cc")" ;;
  esac
  if pid="$(node_pid "$name")"; then
    st=up
    rss_kb="$(ps -o rss= -p "$pid" 2>/dev/null | tr -d ' ' || echo 0)"
    total_kb=$((total_kb + ${rss_kb:-0}))
    rss="$(( ${rss_kb:-0} / 1024 ))MB"
    if [[ -n "$ops" ]]; then
      if curl -fsS --max-time 2 "http://127.0.0.1:$ops/healthz" >/dev/null 2>&1; then health=OK; else health=FAILING; fi
    fi
  else
    st=DOWN pid="-" rss="-"; down=$((down + 1))
  fi
  printf '%-28s %-5s %-8s %-9s %-7s %s\n' "$name" "$st" "$pid" "$health" "$rss" "$ports"
done
echo "total RSS of running processes: $((total_kb / 1024)) MB; logs in $LOG_DIR"
[[ $down -eq 0 ]] || { echo "$down process(es) down — scripts/network-up.sh restarts them"; exit 1; }
