#!/usr/bin/env bash
# Turns TLS on in a private PostgreSQL that postgres.sh started in SCRATCH, for the tests of
# encrypted store connections (tests/cli/postgres_tls.rs): a throw-away CA and a server
# certificate for 127.0.0.1 and localhost, made with openssl (installed when missing, as
# root). Plain connections keep working. Prints the CA certificate's path, which the tests
# read from GUESTMAIL_TEST_PG_CA.
#
#   tests/harness/pg_tls.sh SCRATCH
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
s=${1:?usage: pg_tls.sh SCRATCH}
marker=$s/.postgres_e2e
[ -f "$marker" ] || { echo "pg_tls.sh: no PostgreSQL started by postgres.sh in $s" >&2; exit 2; }
os_user=$(sed -n 's/^os_user=//p' "$marker")
if ! command -v openssl >/dev/null; then
  [ "$(id -u)" = 0 ] || { echo "pg_tls.sh: openssl is missing (install it as root)" >&2; exit 2; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssl >/dev/null
fi
dir=$s/tls
rm -rf "$dir"
mkdir -p "$dir"
cd "$dir"
openssl req -x509 -newkey rsa:2048 -nodes -days 3 -subj "/CN=guestmail test CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
  -keyout ca.key -out ca.pem 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout server.key -out server.csr 2>/dev/null
printf '%s\n' "subjectAltName=IP:127.0.0.1,DNS:localhost" "basicConstraints=CA:FALSE" \
  "keyUsage=critical,digitalSignature,keyEncipherment" "extendedKeyUsage=serverAuth" >server.ext
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 3 \
  -extfile server.ext -out server.pem 2>/dev/null
chmod 600 server.key ca.key
chmod 644 ca.pem server.pem
if [ "$(id -u)" = 0 ]; then chown "$os_user" server.key server.pem; fi
chmod 755 "$dir"
E2E_PG_ADMIN=1 "$here/postgres.sh" psql "$s" -q -v ON_ERROR_STOP=1 \
  -c "ALTER SYSTEM SET ssl_cert_file = '$dir/server.pem'" \
  -c "ALTER SYSTEM SET ssl_key_file = '$dir/server.key'" \
  -c "ALTER SYSTEM SET ssl = on" \
  -c "SELECT pg_reload_conf()" >/dev/null
# The reload is asynchronous: wait until the server says TLS is on.
for _ in $(seq 50); do
  [ "$(E2E_PG_ADMIN=1 "$here/postgres.sh" psql "$s" -Atc 'SHOW ssl')" = on ] && break
  sleep 0.1
done
echo "$dir/ca.pem"
