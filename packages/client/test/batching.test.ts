import { createTRPCClient } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../api/src/config.js';
import { testEnv } from '../../api/src/test/harness.js';
import { DEFAULT_BATCH, type InkwellClientOptions, inkwellLinks, inkwellSession } from '../src/index.js';
import { type PeerRouter, startTokenPeer, type TokenPeer } from './token-peer.js';

let peer: TokenPeer;
beforeAll(async () => {
  peer = await startTokenPeer({ refreshDelayMs: 0 });
});
afterAll(async () => {
  await peer?.close();
});

/** A peer client whose requests' URLs are recorded. */
function recordingClient(options: Partial<InkwellClientOptions> = {}) {
  const urls: string[] = [];
  const settings: InkwellClientOptions = {
    url: peer.url,
    fetch: (input, init) => {
      urls.push(String(input));
      return fetch(input, init);
    },
    ...options,
  };
  const client = createTRPCClient<PeerRouter>({ links: inkwellLinks(settings, inkwellSession(settings)) });
  return { client, urls };
}

describe('batching within the server limit', () => {
  it('defaults to the api default TRPC_MAX_BATCH_SIZE', () => {
    const config = loadConfig(testEnv({ DATABASE_URL: 'postgres://x@127.0.0.1/x', REDIS_PREFIX: 'x:' }));
    expect(DEFAULT_BATCH.maxItems).toBe(config.limits.maxBatchSize);
  });

  it('splits 45 calls of one tick into requests of at most 20', async () => {
    const { client, urls } = recordingClient();
    const answers = await Promise.all(Array.from({ length: 45 }, () => client.posts.open.query()));
    expect(answers).toEqual(Array(45).fill('anyone'));
    const sizes = urls.map((url) => new URL(url).pathname.split('/').at(-1)?.split(',').length);
    expect(sizes.sort()).toEqual([20, 20, 5].sort());
  });

  it('honours a smaller maxItems and a maxURLLength for GET batches', async () => {
    const { client, urls } = recordingClient({ batch: { maxItems: 4, maxURLLength: 200 } });
    await client.auth.login.mutate();
    urls.length = 0;
    const ids = Array.from({ length: 12 }, (_, i) => `post-${String(i).padStart(3, '0')}`);
    const answers = await Promise.all(ids.map((id) => client.posts.byId.query({ id })));
    expect(answers.map((answer) => answer.id)).toEqual(ids);
    expect(urls.length).toBeGreaterThan(3);
    for (const url of urls) {
      expect(url.length).toBeLessThanOrEqual(200);
      expect(new URL(url).pathname.split('/').at(-1)?.split(',').length).toBeLessThanOrEqual(4);
    }
  });

  it('batch: false sends one request per call', async () => {
    const { client, urls } = recordingClient({ batch: false });
    await Promise.all(Array.from({ length: 5 }, () => client.posts.open.query()));
    expect(urls).toHaveLength(5);
    expect(urls.every((url) => !url.includes('batch=1'))).toBe(true);
  });
});
