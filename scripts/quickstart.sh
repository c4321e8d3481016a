#!/usr/bin/env bash
# First command of the README: install, migrate, seed, then run api + worker + mail inbox.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

node -e "const [a,b]=process.versions.node.split('.').map(Number); if (a<20||(a===20&&b<19)) { console.error('Node >= 20.19 is required, found '+process.versions.node); process.exit(1) }"

if ! postgres_up; then
  echo "PostgreSQL is not answering on 127.0.0.1:5432." >&2
  echo "Start it (Debian: pg_ctlcluster <version> main start), or run everything with: docker compose up" >&2
  exit 1
fi
if ! redis_up; then
  echo "Redis is not answering on 127.0.0.1:6379." >&2
  echo "Start it (redis-server --daemonize yes), or run everything with: docker compose up" >&2
  exit 1
fi

setup_pnpm
[ -f .env ] || { cp .env.example .env; echo "created .env from .env.example"; }

pnpm install --frozen-lockfile
pnpm db:migrate
pnpm db:seed

cat <<'TXT'

  Inkwell is starting:
    web app    http://127.0.0.1:5173   (open this; mails link here)
    api        http://127.0.0.1:3000   (/readyz, /trpc, /api, /docs)
    mail inbox http://127.0.0.1:1080   (every mail the worker sends lands here)
    sign in as admin@inkwell.dev / inkwell-dev-password

TXT
pnpm dev
