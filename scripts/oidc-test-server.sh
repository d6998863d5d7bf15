#!/usr/bin/env bash
# Starts a real OpenID Connect provider for the single sign-on tests: panva's certified
# `oidc-provider` from the npm registry, run by Node.js on 127.0.0.1:3901 with its own keys and
# one client (duban / duban-test-secret, redirect http://127.0.0.1:8080/login/oidc/callback).
# Its development sign-in form accepts any login; a person's claims are `sub` (the login) and
# `staff_no` (the login in capitals, under the scope `staff`). Prints the issuer URL, to use as
# DUBAN_TEST_OIDC_ISSUER. With --stop: stops it.
set -euo pipefail
dir="${TMPDIR:-/tmp}/duban-test-oidc"
issuer="http://127.0.0.1:3901"
if [ "${1:-}" = "--stop" ]; then
  [ -f "$dir/pid" ] && kill "$(cat "$dir/pid")" 2>/dev/null || true
  exit 0
fi
if curl -fsS "$issuer/.well-known/openid-configuration" >/dev/null 2>&1; then
  echo "$issuer"
  exit 0
fi
mkdir -p "$dir"
cd "$dir"
if [ ! -d node_modules/oidc-provider ]; then
  [ -f package.json ] || echo '{"private":true,"type":"module"}' >package.json
  npm install --silent --no-audit --no-fund oidc-provider@9.13.3 >&2
fi
cat >provider.mjs <<'EOF'
import Provider from 'oidc-provider';
const issuer = 'http://127.0.0.1:3901';
const provider = new Provider(issuer, {
  clients: [{
    client_id: 'duban',
    client_secret: 'duban-test-secret',
    redirect_uris: ['http://127.0.0.1:8080/login/oidc/callback'],
    response_types: ['code'],
    grant_types: ['authorization_code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  scopes: ['openid', 'staff'],
  claims: { openid: ['sub'], staff: ['staff_no'] },
  pkce: { required: () => true },
  async findAccount(ctx, id) {
    return { accountId: id, async claims() { return { sub: id, staff_no: id.toUpperCase() }; } };
  },
});
provider.listen(3901, '127.0.0.1');
EOF
nohup node provider.mjs >"$dir/log" 2>&1 &
echo $! >"$dir/pid"
for _ in $(seq 1 100); do
  curl -fsS "$issuer/.well-known/openid-configuration" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -fsS "$issuer/.well-known/openid-configuration" >/dev/null
echo "$issuer"
