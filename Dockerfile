# syntax=docker/dockerfile:1
# Multi-stage build: one builder, slim runtime targets (api, worker, migrate) and the web app
# served by nginx (web). No Docker engine runs where this is developed: the compose test
# (packages/devenv/test/compose.test.ts) runs each target's command as a process instead.

FROM node:24-bookworm-slim AS base
ENV COREPACK_ENABLE_DOWNLOAD_PROMPT=0 PNPM_HOME=/pnpm PATH=/pnpm:$PATH
RUN corepack enable
WORKDIR /repo

# Only the workspace's package.json files: the install layer below stays cached until one of
# them (or the lockfile) changes, whichever packages exist.
FROM base AS manifests
COPY packages packages
COPY bench/package.json bench/
RUN find packages -mindepth 2 -maxdepth 2 ! -name package.json -exec rm -rf {} +

FROM base AS build
# argon2 falls back to compiling its addon when no prebuilt binary matches.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml tsconfig.base.json ./
COPY --from=manifests /repo/packages packages
COPY --from=manifests /repo/bench bench
RUN pnpm install --frozen-lockfile
COPY packages packages
RUN pnpm -r build
# Self-contained production folders: each package with its prod dependencies and built deps.
RUN pnpm --filter @inkwell/api deploy --legacy --prod /out/api \
  && pnpm --filter @inkwell/worker deploy --legacy --prod /out/worker \
  && pnpm --filter @inkwell/db deploy --legacy --prod /out/db \
  && mkdir -p /out/web && if [ -d packages/web/dist ]; then cp -r packages/web/dist/. /out/web/; fi

FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production
# Mount point of compose's generated secrets, owned by the app user so a new volume is too.
RUN mkdir -p /run/inkwell && chown node:node /run/inkwell
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

# The built web app (packages/web, `vite build`), with /trpc, /api, /docs and /openapi.json
# proxied to the api (API_UPSTREAM, default api:3000), so the browser sees one origin.
FROM nginx:1.27-alpine AS web
ENV API_UPSTREAM=api:3000
COPY deploy/web/nginx.conf.template /etc/nginx/templates/default.conf.template
COPY --from=build /out/web /usr/share/nginx/html
EXPOSE 8080
