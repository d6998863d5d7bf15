#!/usr/bin/env bash
# Starts a real OpenLDAP slapd (Debian's package) for the directory tests, with its own
# configuration and data under $TMPDIR/duban-test-ldap, listening on 127.0.0.1 only:
#   ldap://127.0.0.1:3389  (plain, and StartTLS)   ldaps://127.0.0.1:3636
# Its certificate is signed by a CA of its own, published at $TMPDIR/duban-test-ldap/ca.pem.
# The tree: dc=duban,dc=test with ou=people; the administrator cn=admin,dc=duban,dc=test
# (password admin-secret) writes; the service account cn=reader,dc=duban,dc=test (password
# reader-secret) searches. Prints the ldap:// URL to use as DUBAN_TEST_LDAP_URL.
# With --stop: stops it.
set -euo pipefail
dir="${TMPDIR:-/tmp}/duban-test-ldap"
url="ldap://127.0.0.1:3389"
if [ "${1:-}" = "--stop" ]; then
  [ -f "$dir/slapd.pid" ] && kill "$(cat "$dir/slapd.pid")" 2>/dev/null || true
  exit 0
fi
if ! command -v slapd >/dev/null 2>&1 && [ ! -x /usr/sbin/slapd ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends slapd ldap-utils >&2
fi
PATH="$PATH:/usr/sbin"
# already answering: nothing to do
if ldapsearch -x -H "$url" -b "dc=duban,dc=test" -s base -D "cn=reader,dc=duban,dc=test" -w reader-secret >/dev/null 2>&1; then
  echo "$url"
  exit 0
fi
[ -f "$dir/slapd.pid" ] && kill "$(cat "$dir/slapd.pid")" 2>/dev/null || true
rm -rf "$dir"
mkdir -p "$dir/data"
cd "$dir"
openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=Duban LDAP test CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
  -keyout ca.key -out ca.pem 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout server.key -out server.csr 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n' >ext
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 3650 -extfile ext -out server.pem 2>/dev/null
reader=$(slappasswd -s reader-secret)
admin=$(slappasswd -s admin-secret)
cat >slapd.conf <<EOF
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include /etc/ldap/schema/nis.schema
modulepath /usr/lib/ldap
moduleload back_mdb
pidfile $dir/slapd.pid
argsfile $dir/slapd.args
TLSCACertificateFile $dir/ca.pem
TLSCertificateFile $dir/server.pem
TLSCertificateKeyFile $dir/server.key
sizelimit unlimited
database mdb
maxsize 1073741824
suffix "dc=duban,dc=test"
rootdn "cn=admin,dc=duban,dc=test"
rootpw $admin
directory $dir/data
index objectClass eq
index uid,employeeNumber eq
access to attrs=userPassword by anonymous auth by self write by * none
access to * by dn.exact="cn=reader,dc=duban,dc=test" read by self read by * none
EOF
slapd -f "$dir/slapd.conf" -h "ldap://127.0.0.1:3389/ ldaps://127.0.0.1:3636/" >&2
for _ in $(seq 1 100); do
  ldapsearch -x -H "$url" -b "" -s base >/dev/null 2>&1 && break
  sleep 0.1
done
ldapadd -x -H "$url" -D "cn=admin,dc=duban,dc=test" -w admin-secret >/dev/null <<EOF
dn: dc=duban,dc=test
objectClass: dcObject
objectClass: organization
o: Duban test
dc: duban

dn: ou=people,dc=duban,dc=test
objectClass: organizationalUnit
ou: people

dn: cn=reader,dc=duban,dc=test
objectClass: organizationalRole
objectClass: simpleSecurityObject
cn: reader
userPassword: $reader
EOF
echo "$url"
