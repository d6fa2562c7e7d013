#!/usr/bin/env bash
# Stop the nodes scripts/node-up.sh started from a kit, and delete their state
# (KIT/node: ledgers, logs, pids). The kit's keys and certificates stay.
#   scripts/node-down.sh --kit KIT [--keep-logs]
set -euo pipefail
LOG_TAG=node-down
# shellcheck source=lib/network-common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/network-common.sh"
# shellcheck source=lib/node-kit.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/node-kit.sh"

[[ "${1:-}" == "--kit" ]] || die "usage: scripts/node-down.sh --kit KIT [--keep-logs]"
load_kit "${2:-}"
shift 2
NETWORK_DIR="$NETWORK_DIR" exec "$ROOT/scripts/network-down.sh" "$@"
