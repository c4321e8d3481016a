#!/usr/bin/env bash
# First command of the README. Installs the workspace with the pinned pnpm, then hands over to
# packages/devenv/src/quickstart.ts: PostgreSQL and Redis (started if need be), role, database,
# migrations, seed data, and the apps (`pnpm dev`; --detach runs them in the background).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

node -e "const [a,b]=process.versions.node.split('.').map(Number); if (a<20||(a===20&&b<19)) { console.error('Node >= 20.19 is required, found '+process.versions.node+'. Install a current Node (https://nodejs.org), then run npm run quickstart again.'); process.exit(1) }"

setup_pnpm
echo "▸ installing the workspace (pnpm $(pnpm --version), pinned in package.json)"
pnpm install --frozen-lockfile --reporter=silent
exec pnpm --silent exec tsx packages/devenv/src/quickstart.ts "$@"
