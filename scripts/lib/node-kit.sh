# One agency's node kit (made by scripts/node-init.sh), for node-up.sh,
# node-down.sh and consortium-commit.sh. Source after lib/network-common.sh.
# shellcheck shell=bash
# shellcheck disable=SC2034 # KIT_*, DEF: set here for the scripts that source this file

# load_kit KIT: reads KIT/kit.env; the kit's running state lives in KIT/node.
load_kit() {
  [[ -f "$1/kit.env" ]] || die "${1:-(none)} is not a node kit (no kit.env; scripts/node-init.sh makes one)"
  KIT="$(cd "$1" && pwd)"
  # shellcheck disable=SC1091
  source "$KIT/kit.env"
  KIT_LOWER="$(agency_lower "$KIT_AGENCY")"
  KIT_NODES=("cc-correction-$KIT_LOWER" "peer-$KIT_LOWER" "orderer-$KIT_LOWER")
  KIT_ORDERER_ARGS=(-o "$KIT_ADDRESS:$(kit_port orderer)" --tls --cafile "$KIT/tlsca/tlsca.crt")
  set_network_dir "$KIT/node"
}

kit_port() { echo $(( KIT_PORT_BLOCK + $(port_offset "$1") )); }

# kit_cli COMMAND ARGS…: peer/osnadmin as the kit's Admin against its own peer.
kit_cli() {
  fabric_cli_as "$KIT_MSP_ID" "$KIT/users/admin/msp" "$KIT_ADDRESS:$(kit_port peer)" "$KIT/tlsca/tlsca.crt" "$@"
}

# The `correction` chaincode definition every agency approves: DEF=(…).
chaincode_definition_args() {
  DEF=(--channelID "$CHANNEL" --name correction --version 1.0 --sequence 1
    --collections-config "$ROOT/network/collections.json")
}
