import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin, type ProxyOptions } from 'vite';

/**
 * The api behind the dev and preview servers' proxy. The browser only ever talks to the web
 * app's own origin, so the api's httpOnly, SameSite=Strict refresh cookie is first-party and
 * the api's Origin check sees a same-origin call (docs/web.md).
 */
const apiUrl = process.env.INKWELL_API_URL ?? 'http://127.0.0.1:3000';

/** `/trpc` and `/api` (REST) of the web origin, forwarded to `target`. */
export function apiProxy(target: string): Record<string, ProxyOptions> {
  return { '/trpc': { target }, '/api': { target } };
}

const packagesDir = fileURLToPath(new URL('..', import.meta.url));
const allowedSources = ['web/', 'client/src/'].map((dir) => `${packagesDir}${dir}`);

/**
 * The app is built on the client's public entries only: any module of another workspace package
 * (the api, the db layer, the worker, or a client file other than through its entries) in the
 * bundle fails the build.
 */
function onlyPublicClient(): Plugin {
  return {
    name: 'inkwell-only-public-client',
    moduleParsed(info) {
      const id = info.id.split('?')[0] ?? info.id;
      if (!id.startsWith(packagesDir) || id.includes('/node_modules/')) return;
      if (!allowedSources.some((dir) => id.startsWith(dir))) {
        this.error(`${id} is not part of the web app or the public @inkwell/client entries`);
      }
    },
  };
}

export default defineConfig({
  plugins: [react(), onlyPublicClient()],
  resolve: {
    // The workspace client's sources (its public entries), as every workspace package uses them.
    conditions: ['@inkwell/source', 'module', 'browser', 'development|production'],
    // One React and one QueryClient context, whichever package imports them.
    dedupe: ['react', 'react-dom', '@tanstack/react-query'],
  },
  server: { host: '127.0.0.1', port: 5173, strictPort: true, proxy: apiProxy(apiUrl) },
  preview: { host: '127.0.0.1', port: 4173, strictPort: true, proxy: apiProxy(apiUrl) },
  build: { target: 'es2022', sourcemap: true, manifest: true },
});
