/**
 * Quick local comparison (not a test, not the benchmark suite): a bare node:http server that
 * answers with the exact bytes of a cached anonymous `posts.byId`, against the api answering
 * the same request over tRPC and over REST (cache hits, i.e. the fast path). Each run is 5 s at
 * 50 connections, one after another. Needs the migrated, seeded dev database of `.env`.
 *
 *   pnpm measure:cache-hit
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { loadDotEnv } from '@inkwell/db';
import autocannon from 'autocannon';

const DURATION_S = 5;

/** node:http answering every request with the given bytes; prints its port. */
const BARE_SERVER = `
import { createServer } from 'node:http';
const body = Buffer.from(process.env.BODY, 'base64');
const headers = { 'content-type': 'application/json', 'content-length': body.length };
const server = createServer((_req, res) => { res.writeHead(200, headers); res.end(body); });
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
`;
const CONNECTIONS = 50;

async function startApi(): Promise<{ url: string; child: ChildProcess }> {
  const entry = fileURLToPath(new URL('../main.ts', import.meta.url));
  const port = 3900 + Math.floor(Math.random() * 90);
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=@inkwell/source', entry], {
    env: { ...process.env, PORT: String(port), LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const ready = await fetch(`${url}/healthz`).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) return { url, child };
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  child.kill();
  throw new Error('api did not start');
}

async function measure(title: string, url: string): Promise<number> {
  const result = await autocannon({ url, connections: CONNECTIONS, duration: DURATION_S });
  const ok = result['2xx'];
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`${title}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  const perSecond = ok / DURATION_S;
  process.stdout.write(`${title.padEnd(28)} ${perSecond.toFixed(0).padStart(7)} req/s  p99 ${result.latency.p99} ms\n`);
  return perSecond;
}

async function main() {
  loadDotEnv();
  const api = await startApi();
  try {
    const list = (await (
      await fetch(`${api.url}/trpc/posts.list?input=${encodeURIComponent('{"limit":1}')}`)
    ).json()) as {
      result: { data: { items: { id: string }[] } };
    };
    const id = list.result.data.items[0]?.id;
    if (!id) throw new Error('no posts: seed the dev database first (pnpm db:seed)');
    const trpcUrl = `${api.url}/trpc/posts.byId?input=${encodeURIComponent(JSON.stringify({ id }))}`;
    const restUrl = `${api.url}/api/posts/${id}`;
    await fetch(trpcUrl); // miss: loads and stores
    const body = Buffer.from(await (await fetch(trpcUrl)).arrayBuffer());
    process.stdout.write(`posts.byId body: ${body.length} bytes\n`);

    // In a process of its own, like the api (autocannon runs in this one).
    const bare = spawn(process.execPath, ['--input-type=module', '-e', BARE_SERVER], {
      env: { BODY: body.toString('base64') },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const [line] = (await once(bare.stdout, 'data')) as [Buffer];
    const bareUrl = `http://127.0.0.1:${line.toString().trim()}/`;

    const bareRate = await measure('bare node:http', bareUrl);
    bare.kill();
    const trpcRate = await measure('posts.byId tRPC (hit)', trpcUrl);
    process.stdout.write(`ratio tRPC/bare ${(trpcRate / bareRate).toFixed(2)}\n`);
    if ((await fetch(restUrl)).ok) {
      const restRate = await measure('posts.byId REST (hit)', restUrl);
      process.stdout.write(`ratio REST/bare ${(restRate / bareRate).toFixed(2)}\n`);
    }
  } finally {
    api.child.kill('SIGTERM');
    await once(api.child, 'exit');
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
