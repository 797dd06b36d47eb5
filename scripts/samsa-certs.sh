#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Makes the TLS material of a Samsa cluster with the openssl command: a certificate authority,
# broker certificates (keystores for ssl.keystore.location) and client certificates (for mutual
# TLS). Keys are ECDSA P-256: small, and quick to handshake with.
set -euo pipefail
PROG=samsa-certs.sh
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

usage() {
    cat <<USAGE
USAGE: $0 --dir DIR [--days N] ca
       $0 --dir DIR [--days N] broker NAME [--san HOST,...]
       $0 --dir DIR [--days N] client NAME [--subject /O=.../OU=.../CN=...]
  ca             DIR/ca.key and DIR/ca.pem, the cluster's certificate authority (kept if present).
                 ca.pem is the truststore of brokers and clients (ssl.truststore.location,
                 ssl.truststore.type=PEM; kcat: ssl.ca.location).
  broker NAME    DIR/NAME.pem: private key and certificate signed by the CA, the broker's keystore
                 (ssl.keystore.type=PEM, ssl.keystore.location). --san lists the host names and
                 IP addresses clients dial (default: localhost,127.0.0.1 and this host's name).
  client NAME    DIR/NAME.pem (key and certificate), plus DIR/NAME.key and DIR/NAME.crt apart
                 (kcat: ssl.key.location, ssl.certificate.location). The subject (default
                 /CN=NAME; most general part first, as in /O=Acme/OU=eng/CN=alice) becomes the
                 principal in RFC 2253 order, User:CN=alice,OU=eng,O=Acme
                 (see ssl.principal.mapping.rules).
  --days N       validity in days (default 825). 0 makes a certificate that is already expired
                 a second later (for tests).
  -h, --help     show this help
USAGE
}

dir=
days=825
args=()
while [ $# -gt 0 ]; do
    case "$1" in
        --dir) dir=${2:?--dir needs a directory}; shift 2 ;;
        --days)
            [[ "${2:-}" =~ ^[0-9]+$ ]] || die "--days needs a number"
            days=$2
            shift 2
            ;;
        -h | --help) usage; exit 0 ;;
        *) args+=("$1"); shift ;;
    esac
done
[ -n "$dir" ] || { usage >&2; die "--dir is required"; }
[ "${#args[@]}" -gt 0 ] || { usage >&2; die "say what to make: ca, broker or client"; }
command -v openssl >/dev/null || die "openssl is not installed (apt-get install openssl)"
mkdir -p "$dir"
umask 077 # private keys readable by their owner only

new_key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

make_ca() {
    if [ -s "$dir/ca.pem" ] && [ -s "$dir/ca.key" ]; then
        note "keeping the CA in $dir/ca.pem"
        return
    fi
    new_key "$dir/ca.key"
    openssl req -x509 -new -key "$dir/ca.key" -out "$dir/ca.pem" -days "$((days > 0 ? days : 1))" \
        -subj "/CN=Samsa CA" -addext "basicConstraints=critical,CA:TRUE" \
        -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
    chmod 644 "$dir/ca.pem"
    note "made $dir/ca.pem (certificate authority)"
}

# sign <name> <subject> <extensions file>
sign() {
    local name=$1 subject=$2 ext=$3
    [ -s "$dir/ca.key" ] || die "no CA in $dir: run '$0 --dir $dir ca' first"
    new_key "$dir/$name.key"
    openssl req -new -key "$dir/$name.key" -subj "$subject" -out "$dir/$name.csr" 2>/dev/null
    openssl x509 -req -in "$dir/$name.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" \
        -CAcreateserial -out "$dir/$name.crt" -days "$days" -extfile "$ext" 2>/dev/null
    rm -f "$dir/$name.csr"
    cat "$dir/$name.key" "$dir/$name.crt" >"$dir/$name.pem"
}

san_list() {
    local out='' item
    IFS=, read -r -a items <<<"$1"
    for item in "${items[@]}"; do
        [ -n "$item" ] || continue
        if [[ "$item" =~ ^[0-9.]+$ || "$item" == *:* ]]; then
            out+="${out:+,}IP:$item"
        else
            out+="${out:+,}DNS:$item"
        fi
    done
    printf '%s' "$out"
}

make_broker() {
    local name=${1:?broker needs a NAME} san
    san="localhost,127.0.0.1,$(hostname)"
    shift
    while [ $# -gt 0 ]; do
        case "$1" in
            --san) san=${2:?--san needs a list}; shift 2 ;;
            *) die "unknown argument for broker: $1" ;;
        esac
    done
    local ext
    ext=$(mktemp)
    printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth,clientAuth\n' "$(san_list "$san")" >"$ext"
    sign "$name" "/CN=$name" "$ext"
    rm -f "$ext"
    note "made $dir/$name.pem (broker keystore for $san)"
}

make_client() {
    local name=${1:?client needs a NAME} subject=
    shift
    subject="/CN=$name"
    while [ $# -gt 0 ]; do
        case "$1" in
            --subject) subject=${2:?--subject needs a subject}; shift 2 ;;
            *) die "unknown argument for client: $1" ;;
        esac
    done
    local ext
    ext=$(mktemp)
    printf 'extendedKeyUsage=clientAuth\n' >"$ext"
    sign "$name" "$subject" "$ext"
    rm -f "$ext"
    note "made $dir/$name.pem, $dir/$name.key and $dir/$name.crt (client $subject)"
}

case "${args[0]}" in
    ca) make_ca ;;
    broker) make_broker "${args[@]:1}" ;;
    client) make_client "${args[@]:1}" ;;
    *) usage >&2; die "unknown command '${args[0]}'" ;;
esac
