# syntax=docker/dockerfile:1
# Multi-stage build: one builder, three slim runtime targets (api, worker, migrate).
# Docker cannot run on the machine this was written on; keep it correct by reading.

FROM node:24-bookworm-slim AS base
ENV COREPACK_ENABLE_DOWNLOAD_PROMPT=0 PNPM_HOME=/pnpm PATH=/pnpm:$PATH
RUN corepack enable
WORKDIR /repo

FROM base AS build
# argon2 falls back to compiling its addon when no prebuilt binary matches.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml tsconfig.base.json ./
COPY packages/api/package.json packages/api/
COPY packages/client/package.json packages/client/
COPY packages/db/package.json packages/db/
COPY packages/worker/package.json packages/worker/
RUN pnpm install --frozen-lockfile
COPY packages packages
RUN pnpm -r build
# Self-contained production folders: each package with its prod dependencies and built deps.
RUN pnpm --filter @inkwell/api deploy --legacy --prod /out/api \
  && pnpm --filter @inkwell/worker deploy --legacy --prod /out/worker \
  && pnpm --filter @inkwell/db deploy --legacy --prod /out/db

FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
USER node

FROM runtime AS migrate
COPY --from=build --chown=node:node /out/db /app
CMD ["node", "dist/scripts/migrate.js"]

FROM runtime AS worker
COPY --from=build --chown=node:node /out/worker /app
# /healthz, /metrics and the admin view (WORKER_METRICS_PORT; bind with WORKER_HTTP_HOST=0.0.0.0).
EXPOSE 9464
CMD ["node", "dist/main.js"]

FROM runtime AS api
COPY --from=build --chown=node:node /out/api /app
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:3000/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "dist/main.js"]
