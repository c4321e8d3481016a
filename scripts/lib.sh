# Shared by scripts/quickstart.sh and .ci/run. Sourced, not executed.

export COREPACK_ENABLE_DOWNLOAD_PROMPT=0

# Puts pnpm (corepack's shim, at the version pinned in package.json "packageManager") on PATH
# for this shell and every script it runs, without touching the system's global bin dirs.
setup_pnpm() {
  local bin="$PWD/.tmp/corepack-bin"
  mkdir -p "$bin"
  corepack enable --install-directory "$bin" pnpm
  export PATH="$bin:$PATH"
  # Corepack checks pnpm's registry signature; some registry mirrors serve metadata without
  # it. Only then do we skip that check, and say so.
  if ! pnpm --version >/dev/null 2>&1; then
    echo "corepack could not verify pnpm's signature from this registry; retrying without the check" >&2
    export COREPACK_INTEGRITY_KEYS=0
    pnpm --version >/dev/null
  fi
}

postgres_up() {
  node -e "require('net').connect(5432,'127.0.0.1').on('connect',()=>process.exit(0)).on('error',()=>process.exit(1))"
}

redis_up() {
  node -e "const s=require('net').connect(6379,'127.0.0.1');s.on('connect',()=>s.write('PING\r\n'));s.on('data',d=>process.exit(String(d).startsWith('+PONG')?0:1));s.on('error',()=>process.exit(1))"
}
