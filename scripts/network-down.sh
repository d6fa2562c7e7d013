#!/usr/bin/env bash
# Stop the network started by scripts/network-up.sh and delete its data.
# Kills exactly the processes recorded in NETWORK_DIR/pids (each checked to
# still be the process we started), then any process still carrying this
# network's FABNET_NODE marker (e.g. if a pid file was lost), then removes
# NETWORK_DIR.
#   scripts/network-down.sh              stop and delete everything
#   scripts/network-down.sh --keep-logs  keep NETWORK_DIR/logs
set -euo pipefail
# shellcheck source=lib/network-common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/network-common.sh"

keep_logs=0
[[ "${1:-}" == "--keep-logs" ]] && keep_logs=1

if [[ ! -e "$NETWORK_DIR" ]]; then
  log "no network in $NETWORK_DIR; nothing to do"
  exit 0
fi
load_state

# chaincode servers first, then peers, then orderers
names=()
for n in $(node_names); do [[ "$n" == cc-* ]] && names+=("$n"); done
for n in $(node_names); do [[ "$n" == peer-* ]] && names+=("$n"); done
for n in $(node_names); do [[ "$n" == orderer-* ]] && names+=("$n"); done

stopped=()
for group in cc- peer- orderer-; do
  pids=()
  for n in "${names[@]}"; do
    [[ "$n" == "$group"* ]] || continue
    if node_running "$n"; then
      stopped+=("$n")
      stop_node "$n" & pids+=($!)
    else
      rm -f "$(pid_file "$n")"
    fi
  done
  for p in "${pids[@]}"; do wait "$p" || true; done
done

# Leftovers: processes of this network whose pid file is gone.
prefix="FABNET_NODE=$NETWORK_DIR:"
for p in /proc/[0-9]*; do
  marker="$({ tr '\0' '\n' < "$p/environ"; } 2>/dev/null | grep -m1 "^FABNET_NODE=" || true)"
  if [[ "$marker" == "$prefix"* ]]; then
    pid="${p#/proc/}"
    log "stopping leftover ${marker#"$prefix"} (pid $pid, no pid file)"
    kill -TERM "$pid" 2>/dev/null || true
    sleep 1
    if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
    stopped+=("${marker#"$prefix"}")
  fi
done

if [[ ${#stopped[@]} -gt 0 ]]; then
  log "stopped ${#stopped[@]} process(es): ${stopped[*]}"
else
  log "no process of this network was running"
fi

if [[ $keep_logs -eq 1 ]]; then
  find "$NETWORK_DIR" -mindepth 1 -maxdepth 1 ! -name logs -exec rm -rf {} +
  log "removed network data; logs kept in $LOG_DIR"
else
  rm -rf "$NETWORK_DIR"
  log "removed $NETWORK_DIR"
fi
