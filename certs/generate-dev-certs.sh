#!/usr/bin/env bash
# Makes a development CA, a server certificate for localhost/127.0.0.1/::1 and a client certificate
# (for mTLS), all under certs/dev/. FOR DEVELOPMENT ONLY: the keys are unencrypted and the CA is
# trusted by nothing but our own tests and tools. Existing files are kept unless --force is given.
set -euo pipefail
out="$(cd "$(dirname "$0")" && pwd)/dev"
if [ -f "$out/server.pem" ] && [ "${1:-}" != "--force" ]; then
    echo "development certificates already exist in $out (use --force to remake them)"
    exit 0
fi
command -v openssl >/dev/null || { echo "openssl is required (apt-get install openssl)" >&2; exit 1; }
mkdir -p "$out"
cd "$out"
days=825

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout ca.key -out ca.pem \
    -days "$days" -subj "/O=UsageFlow Development/CN=UsageFlow Development CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null

issue() {  # name, subject, extensions
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$1.key" -out "$1.csr" \
        -subj "$2" 2>/dev/null
    printf '%b' "$3" > "$1.ext"
    openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -out "$1.pem" -days "$days" \
        -extfile "$1.ext" 2>/dev/null
    rm -f "$1.csr" "$1.ext"
}

issue server "/O=UsageFlow Development/CN=localhost" \
    "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\n"
issue client "/O=UsageFlow Development/CN=dev-distributor-billing" \
    "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n"
chmod 600 ./*.key
echo "development certificates written to $out (ca.pem, server.pem/.key, client.pem/.key)"
