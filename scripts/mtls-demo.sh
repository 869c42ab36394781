#!/usr/bin/env bash
# `bpv demo` with the mutual-TLS listener for non-aggregated answers: makes a throwaway CA, a
# server certificate for localhost and a client certificate carrying the OIN of the demo school
# ROC Amstelvliet (25LX) in Subject.serialNumber (under data/mtls/, once), then runs
# scripts/demo.sh with [mtls] pointing at them and prints the curl command a SIS would use.
# Extra arguments go to `bpv demo`. MTLS_LISTEN (default 127.0.0.1:8443) picks the address.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=lib/tls-tools.sh
source scripts/lib/tls-tools.sh
ensure_tls_tools
dir=data/mtls
oin=00000001812345670000
listen=${MTLS_LISTEN:-127.0.0.1:8443}
mkdir -p "$dir"
if [ ! -f "$dir/client.pem" ]; then
  (
    cd "$dir"
    ec=(-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes)
    openssl req -x509 "${ec[@]}" -keyout ca.key -out ca.pem -days 825 -subj "/C=NL/O=BPV demo/CN=BPV demo CA (geen PKIoverheid)" \
      -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
    openssl req -new "${ec[@]}" -keyout server.key -out server.csr -subj "/CN=localhost" 2>/dev/null
    printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n' > server.ext
    openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 825 -sha256 -extfile server.ext 2>/dev/null
    openssl req -new "${ec[@]}" -keyout client.key -out client.csr -subj "/C=NL/O=ROC Amstelvliet/serialNumber=$oin/CN=SIS ROC Amstelvliet" 2>/dev/null
    printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n' > client.ext
    openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out client.pem -days 825 -sha256 -extfile client.ext 2>/dev/null
    rm -f ./*.csr ./*.ext ca.srl
  )
  echo "mtls: certificates made in $dir (client certificate with OIN $oin of 25LX)"
fi
export BPV__MTLS__LISTEN="$listen" BPV__MTLS__CERT="$PWD/$dir/server.pem" BPV__MTLS__KEY="$PWD/$dir/server.key" \
  BPV__MTLS__CLIENT_CA="$PWD/$dir/ca.pem"
cat <<MSG
mtls: non-aggregated answers on https://$listen, for example (with a token of the demo client):
  TOKEN=\$(curl -s -u bpv_demo_25lx:demo-geheim-alleen-voor-deze-demo -d grant_type=client_credentials <school-API>/oauth/token | sed 's/.*"access_token":"\([^"]*\)".*/\1/')
  curl --cacert $dir/ca.pem --cert $dir/client.pem --key $dir/client.key -H "Authorization: Bearer \$TOKEN" https://$listen/v1/resultaten/antwoorden?paginagrootte=5
MSG
exec bash scripts/demo.sh "$@"
