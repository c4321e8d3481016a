import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, loadEnv, type Plugin, type ProxyOptions } from 'vite';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Where the dev server listens and which api it proxies to, from the same settings the api and
 * worker read (the repository's .env, overridden by the environment): the web app at
 * PUBLIC_WEB_URL (the origin mails link to), the api at INKWELL_API_URL or HOST:PORT. The browser
 * only ever talks to the web app's own origin, so the api's httpOnly, SameSite=Strict refresh
 * cookie is first-party and the api sees same-origin calls (docs/web.md).
 */
function servers(mode: string) {
  const env = loadEnv(mode, repoRoot, '');
  const web = new URL(env.PUBLIC_WEB_URL || 'http://127.0.0.1:5173');
  const apiHost = !env.HOST || env.HOST === '0.0.0.0' ? '127.0.0.1' : env.HOST;
  const apiUrl = env.INKWELL_API_URL || `http://${apiHost}:${env.PORT || '3000'}`;
  // A public origin (behind a proxy) is not an address to bind: listen on loopback then.
  const host = ['127.0.0.1', 'localhost', '[::1]'].includes(web.hostname) ? web.hostname : '127.0.0.1';
  return { host, port: Number(web.port || 5173), apiUrl };
}

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

export default defineConfig(({ mode }) => {
  const { host, port, apiUrl } = servers(mode);
  return {
    plugins: [react(), onlyPublicClient()],
    resolve: {
      // The workspace client's sources (its public entries), as every workspace package uses them.
      conditions: ['@inkwell/source', 'module', 'browser', 'development|production'],
      // One React and one QueryClient context, whichever package imports them.
      dedupe: ['react', 'react-dom', '@tanstack/react-query'],
    },
    server: { host, port, strictPort: true, proxy: apiProxy(apiUrl) },
    preview: { host, port, strictPort: true, proxy: apiProxy(apiUrl) },
    build: { target: 'es2022', sourcemap: true, manifest: true },
  };
});
