# Certificate authorities and certificates with openssl (ECDSA P-256, SHA-256),
# as Fabric MSPs need them: CA certificates with a subject key identifier,
# every issued certificate naming its CA's key (authority key identifier).
# Used by scripts/network-up.sh (the gateway identity) and scripts/node-init.sh.
# Private keys are PKCS#8 PEM files of mode 0600.
# shellcheck shell=bash

new_p256_key() { # new_p256_key FILE
  (umask 077 && openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null)
  chmod 0600 "$1"
}

# ca_create KEY CERT SUBJECT: a self-signed CA (ten years).
ca_create() {
  local key="$1" cert="$2" subject="$3" tmp
  tmp="$(mktemp -d)"
  new_p256_key "$key"
  printf '%s\n' 'basicConstraints=critical,CA:TRUE' 'keyUsage=critical,digitalSignature,keyCertSign,cRLSign' \
    'subjectKeyIdentifier=hash' 'extendedKeyUsage=serverAuth,clientAuth' > "$tmp/ext"
  openssl req -new -x509 -key "$key" -subj "$subject" -days 3650 -sha256 \
    -set_serial "0x$(openssl rand -hex 16)" -extensions v3 \
    -config <(printf '[req]\ndistinguished_name=dn\n[dn]\n[v3]\n'; cat "$tmp/ext") -out "$cert" 2>/dev/null
  rm -rf "$tmp"
}

# ca_issue CA_KEY CA_CERT KEY CERT SUBJECT KIND [SAN] [ATTRIBUTES_JSON]
#   KIND sign: a signing identity (MSP signcert); tls: a TLS certificate for
#   server and client use. SAN: e.g. "DNS:court.example.org,IP:10.0.0.5".
#   ATTRIBUTES_JSON: Fabric attributes as fabric-ca writes them (extension
#   1.2.3.4.5.6.7.8.1 holding {"attrs":{…}}), read by the chaincode's ClientIdentity.
# KEY is made when it does not exist yet.
ca_issue() {
  local ca_key="$1" ca_cert="$2" key="$3" cert="$4" subject="$5" kind="$6" san="${7:-}" attrs="${8:-}" tmp
  tmp="$(mktemp -d)"
  [[ -f "$key" ]] || new_p256_key "$key"
  {
    echo 'basicConstraints=critical,CA:FALSE'
    echo 'authorityKeyIdentifier=keyid:always'
    echo 'subjectKeyIdentifier=hash'
    case "$kind" in
      sign) echo 'keyUsage=critical,digitalSignature' ;;
      tls) echo 'keyUsage=critical,digitalSignature,keyEncipherment'; echo 'extendedKeyUsage=serverAuth,clientAuth' ;;
      *) die "ca_issue: kind must be sign or tls, not '$kind'" ;;
    esac
    if [[ -n "$san" ]]; then echo "subjectAltName=$san"; fi
    if [[ -n "$attrs" ]]; then echo "1.2.3.4.5.6.7.8.1=DER:$(printf '%s' "$attrs" | od -An -tx1 | tr -d ' \n')"; fi
  } > "$tmp/ext"
  openssl req -new -key "$key" -out "$tmp/csr" -subj "$subject" 2>/dev/null
  openssl x509 -req -in "$tmp/csr" -CA "$ca_cert" -CAkey "$ca_key" \
    -set_serial "0x$(openssl rand -hex 16)" -days 3650 -sha256 -extfile "$tmp/ext" -out "$cert" 2>/dev/null
  rm -rf "$tmp"
}
