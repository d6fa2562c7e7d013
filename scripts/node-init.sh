#!/usr/bin/env bash
# Make one agency's node kit: its keys and certificates, made on its own host
# and never leaving it, and the public definition it sends to the other agencies.
#
#   scripts/node-init.sh --agency COURT --host court.example.org --address 10.0.0.5 --dir KIT
#       [--ports BLOCK] [--units PREFIXES]
#
# --host     the name the agency's nodes are known by (in every certificate)
# --address  the IPv4 address they listen on and are dialled at (also in the
#            certificates, so that no name resolution is needed)
# --ports    the agency's block of ports: peer BLOCK+1, its chaincode listener +2,
#            operations +3, orderer +11, cluster +12, admin +13, operations +14,
#            chaincode server `correction` +21 (default: the agency's block of
#            the development network, FABRIC_PORT_BASE + 100 × (1 + agency index))
# --units    the units the gateway may act for: comma-separated division codes
#            (2, 4, 6 or 9 digits; a code covers the units below it) or * — written
#            into the gateway certificate as the attribute correction.units, as
#            fabric-ca would; without it the gateway acts for any unit of its agency
#
# KIT (created 0700; every private key 0600):
#   ca/ tlsca/              the agency's CA and TLS CA (keys and certificates)
#   msp/                    the organization's MSP (cacerts, tlscacerts, config.yaml)
#   peer/ orderer/          each node's msp/ (signing identity) and tls/
#                           (server.crt, server.key for server and client use, ca.crt)
#   chaincode/tls/          the chaincode server's TLS certificate and key
#   users/admin/            the Admin (msp/, and tls/client.{crt,key} for osnadmin)
#   users/gateway/          the gateway's client identity (msp/)
#   gateway.json            the gateway's connection settings (FABRIC_CONNECTION): its own peer only
#   kit.env                 agency, MSP ID, host, address and ports, read by node-up.sh
#   public/                 what the others receive: definition.json, msp/ (CA and TLS CA
#                           certificates, NodeOU config.yaml), admin.crt, orderer/identity.crt
#                           and orderer/tls.crt (for the BFT consenter mapping). No private key.
#
# An existing, non-empty KIT is refused: a kit is made once.
set -euo pipefail
LOG_TAG=node-init
# shellcheck source=lib/network-common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/network-common.sh"
# shellcheck source=lib/openssl-ca.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/openssl-ca.sh"

usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; }

parse_args() {
  AGENCY="" HOST="" ADDRESS="" KIT="" BLOCK="" UNITS=""
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --agency) AGENCY="$(tr '[:lower:]' '[:upper:]' <<<"${2:-}")"; shift 2 ;;
      --host) HOST="${2:-}"; shift 2 ;;
      --address) ADDRESS="${2:-}"; shift 2 ;;
      --dir) KIT="${2:-}"; shift 2 ;;
      --ports) BLOCK="${2:-}"; shift 2 ;;
      --units) UNITS="${2:-}"; shift 2 ;;
      -h | --help) usage; exit 0 ;;
      *) die "unknown argument '$1' (see --help)" ;;
    esac
  done
  [[ -n "$AGENCY" ]] || die "--agency is required (one of ${AGENCIES[*]})"
  agency_index "$AGENCY" >/dev/null
  [[ "$HOST" =~ ^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$ && ${#HOST} -le 253 ]] \
    || die "--host must be a DNS name (lower-case letters, digits, hyphens and dots), not '$HOST'"
  valid_ipv4 "$ADDRESS" || die "--address must be an IPv4 address, not '$ADDRESS'"
  [[ -n "$KIT" ]] || die "--dir is required"
  BLOCK="${BLOCK:-$(agency_port_block "$AGENCY")}"
  [[ "$BLOCK" =~ ^[0-9]{1,5}$ ]] && (( BLOCK >= 1024 && BLOCK + 99 <= 65535 )) \
    || die "--ports must be a number from 1024 to 65436, not '$BLOCK'"
  local unit='(\*|[0-9]{2}|[0-9]{4}|[0-9]{6}|[0-9]{9})'
  [[ -z "$UNITS" || ( "$UNITS" =~ ^$unit(,$unit)*$ && ${#UNITS} -le 1000 ) ]] \
    || die "--units must be comma-separated division codes of 2, 4, 6 or 9 digits, or *, not '$UNITS'"
}

valid_ipv4() {
  local IFS=. octets o
  [[ "$1" =~ ^[0-9]{1,3}(\.[0-9]{1,3}){3}$ ]] || return 1
  read -r -a octets <<<"$1"
  for o in "${octets[@]}"; do (( 10#$o <= 255 )) || return 1; done
}

nodeou_config() { # the NodeOU classification of an MSP whose CA is cacerts/ca.crt
  local ou
  echo 'NodeOUs:'
  echo '  Enable: true'
  for ou in Client:client Peer:peer Admin:admin Orderer:orderer; do
    printf '  %sOUIdentifier:\n    Certificate: cacerts/ca.crt\n    OrganizationalUnitIdentifier: %s\n' "${ou%%:*}" "${ou#*:}"
  done
}

msp_base() { # msp_base DIR: cacerts, tlscacerts, config.yaml
  mkdir -p "$1/cacerts" "$1/tlscacerts"
  cp "$STAGE/ca/ca.crt" "$1/cacerts/ca.crt"
  cp "$STAGE/tlsca/tlsca.crt" "$1/tlscacerts/tlsca.crt"
  nodeou_config > "$1/config.yaml"
}

signing_identity() { # signing_identity DIR OU CN [SAN] [ATTRIBUTES_JSON]: DIR/msp with signcerts/cert.pem, keystore/priv_sk
  local dir="$1/msp" ou="$2" cn="$3" san="${4:-}" attrs="${5:-}"
  msp_base "$dir"
  mkdir -p "$dir/signcerts" "$dir/keystore"
  ca_issue "$STAGE/ca/ca.key" "$STAGE/ca/ca.crt" "$dir/keystore/priv_sk" "$dir/signcerts/cert.pem" \
    "/O=$HOST/OU=$ou/CN=$cn" sign "$san" "$attrs"
}

tls_identity() { # tls_identity DIR CN NAME SAN: DIR/tls/NAME.crt, NAME.key, ca.crt
  local dir="$1/tls" cn="$2" name="$3" san="${4:-}"
  mkdir -p "$dir"
  cp "$STAGE/tlsca/tlsca.crt" "$dir/ca.crt"
  ca_issue "$STAGE/tlsca/tlsca.key" "$STAGE/tlsca/tlsca.crt" "$dir/$name.key" "$dir/$name.crt" "/O=$HOST/CN=$cn" tls "$san"
}

make_crypto() {
  local san="DNS:$HOST,IP:$ADDRESS"
  mkdir -p "$STAGE/ca" "$STAGE/tlsca"
  ca_create "$STAGE/ca/ca.key" "$STAGE/ca/ca.crt" "/O=$HOST/CN=ca.$HOST"
  ca_create "$STAGE/tlsca/tlsca.key" "$STAGE/tlsca/tlsca.crt" "/O=$HOST/CN=tlsca.$HOST"
  msp_base "$STAGE/msp"
  signing_identity "$STAGE/peer" peer "peer.$HOST" "$san"
  tls_identity "$STAGE/peer" "peer.$HOST" server "$san"
  signing_identity "$STAGE/orderer" orderer "orderer.$HOST" "$san"
  tls_identity "$STAGE/orderer" "orderer.$HOST" server "$san"
  tls_identity "$STAGE/chaincode" "chaincode.$HOST" server "$san"
  signing_identity "$STAGE/users/admin" admin "Admin@$HOST"
  tls_identity "$STAGE/users/admin" "Admin@$HOST" client
  signing_identity "$STAGE/users/gateway" client "gateway@$HOST" "" \
    "${UNITS:+"{\"attrs\":{\"correction.units\":\"$UNITS\"}}"}"
}

make_public() {
  local pub="$STAGE/public"
  mkdir -p "$pub/orderer"
  msp_base "$pub/msp"
  cp "$STAGE/users/admin/msp/signcerts/cert.pem" "$pub/admin.crt"
  cp "$STAGE/orderer/msp/signcerts/cert.pem" "$pub/orderer/identity.crt"
  cp "$STAGE/orderer/tls/server.crt" "$pub/orderer/tls.crt"
  cat > "$pub/definition.json" <<JSON
{
  "version": 1,
  "agency": "$AGENCY",
  "mspId": "$MSP_ID",
  "host": "$HOST",
  "address": "$ADDRESS",
  "peer": { "endpoint": "$HOST:$(port peer)", "address": "$ADDRESS:$(port peer)" },
  "orderer": {
    "endpoint": "$HOST:$(port orderer)",
    "address": "$ADDRESS:$(port orderer)",
    "cluster": "$ADDRESS:$(port orderer-cluster)",
    "identity": "orderer/identity.crt",
    "tls": "orderer/tls.crt"
  },
  "msp": "msp",
  "admin": "admin.crt"
}
JSON
}

port() { echo $(( BLOCK + $(port_offset "$1") )); }

write_settings() {
  {
    echo "# written by scripts/node-init.sh; read by scripts/node-up.sh and consortium-commit.sh"
    printf 'KIT_AGENCY=%q\nKIT_MSP_ID=%q\nKIT_HOST=%q\nKIT_ADDRESS=%q\nKIT_PORT_BLOCK=%q\n' \
      "$AGENCY" "$MSP_ID" "$HOST" "$ADDRESS" "$BLOCK"
  } > "$STAGE/kit.env"
  cat > "$STAGE/gateway.json" <<JSON
{
  "agency": "$AGENCY",
  "mspId": "$MSP_ID",
  "peerEndpoint": "$ADDRESS:$(port peer)",
  "peerHostAlias": "$HOST",
  "tlsCaCertPath": "$KIT/tlsca/tlsca.crt",
  "certPath": "$KIT/users/gateway/msp/signcerts/cert.pem",
  "keyPath": "$KIT/users/gateway/msp/keystore/priv_sk",
  "channel": "$CHANNEL",
  "chaincode": "correction"
}
JSON
}

main() {
  parse_args "$@"
  command -v openssl >/dev/null || die "openssl is required"
  MSP_ID="$(agency_msp "$AGENCY")"
  case "$KIT" in /*) ;; *) KIT="$PWD/$KIT" ;; esac
  KIT="${KIT%/}"
  if [[ -e "$KIT" && ! -d "$KIT" ]]; then die "$KIT exists and is not a directory"; fi
  if [[ -d "$KIT" && -n "$(ls -A "$KIT")" ]]; then
    die "$KIT is not empty: a kit is made once (this would replace its keys). Use a new directory."
  fi
  local parent; parent="$(dirname "$KIT")"
  [[ -d "$parent" ]] || die "$parent does not exist"
  [[ "$KIT" != *[[:space:]\"\\]* ]] || die "--dir must not contain spaces, quotes or backslashes"
  umask 077
  # Built aside, then renamed into place: a failed init leaves no half kit behind.
  STAGE="$(mktemp -d "$parent/.node-init.XXXXXX")"
  trap 'rm -rf "$STAGE"' EXIT
  make_crypto
  make_public
  write_settings
  find "$STAGE" -type d -exec chmod 0700 {} +
  find "$STAGE" -type f -exec chmod 0600 {} +
  if [[ -d "$KIT" ]]; then rmdir "$KIT"; fi
  mv "$STAGE" "$KIT"
  trap - EXIT
  log "node kit of $AGENCY ($MSP_ID) on $HOST ($ADDRESS), ports $((BLOCK + 1))–$((BLOCK + 22)): $KIT"
  log "send $KIT/public/ to the other agencies; keep the rest on this host"
}

main "$@"
